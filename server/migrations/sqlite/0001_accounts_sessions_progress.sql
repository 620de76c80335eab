-- Accounts, sign-in sessions and synced progress (SQLite).
-- The PostgreSQL twin of this file is ../postgres/0001_accounts_sessions_progress.sql: keep
-- them in step. Times are Unix seconds (BIGINT) so the same queries work on both databases.

-- One row per learner. `Username::parse` lower-cases names before they get here, so the
-- plain UNIQUE constraint makes them unique case-insensitively (the CHECK guards that).
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE CHECK (username = lower(username)),
    -- Argon2id PHC string, parameters included.
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- The learner's change sequence: bumped once for every progress row a push changes and
    -- copied into that row's `updated_seq`. Pull cursors are values of it.
    change_seq BIGINT NOT NULL DEFAULT 0
);

-- Signed-in browsers. `id` is the cookie value: 128 random bits in hex.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    -- Idle expiry counts from here.
    last_seen_at BIGINT NOT NULL,
    -- Absolute expiry: the session ends then however active it is.
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Each learner's current entry (LWW register) per roadmap topic.
CREATE TABLE progress (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    roadmap TEXT NOT NULL,
    -- Always a node's current id (aliases are resolved before storing).
    topic TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'done', 'skipped')),
    -- The hybrid logical clock stamp that wrote the entry.
    millis BIGINT NOT NULL,
    counter BIGINT NOT NULL,
    device TEXT NOT NULL,
    -- The user's change_seq when this row last changed: pulls read rows above a cursor.
    updated_seq BIGINT NOT NULL,
    PRIMARY KEY (user_id, roadmap, topic)
);
CREATE INDEX progress_by_seq ON progress (user_id, roadmap, updated_seq);

-- Push cursor per device: the last outbox id applied, for idempotent retries and gap checks.
CREATE TABLE devices (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    roadmap TEXT NOT NULL,
    device TEXT NOT NULL,
    last_applied_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, roadmap, device)
);
