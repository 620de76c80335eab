-- Rate-limit counters (sign-in failures, sign-ups), kept in the database so that every server
-- process on it shares them and a restart forgets nothing. The SQLite twin of this file is
-- ../sqlite/0003_rate_limits.sql: keep them in step.

-- One sliding window per key (`signin:account:alice`, `signin:ip:203.0.113.7`,
-- `signup:ip:…`, `signup:all`): the Unix seconds of its hits still inside the window,
-- space-separated, oldest first (at most the limit's count of them).
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    hits TEXT NOT NULL,
    -- When the newest hit leaves the window; rows at or past it are swept.
    expires_at BIGINT NOT NULL
);
CREATE INDEX rate_limits_by_expiry ON rate_limits (expires_at);
