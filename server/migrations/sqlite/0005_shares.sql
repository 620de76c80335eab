-- Shared progress links: a learner's read-only view of one roadmap for anyone with the link.
-- The twin of this file is ../postgres/0005_shares.sql: keep them in step.

-- One row per learner and roadmap while sharing is on (turning it off deletes the row). The
-- link's token (128 random bits) is never stored, only its SHA-256 in hex, like a session's:
-- a copy of the database opens no shared page. Regenerating replaces the hash, so the old link
-- dies with the update.
CREATE TABLE shares (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    roadmap TEXT NOT NULL,
    -- What the shared page says whose progress it is (chosen when sharing, 1-40 characters).
    display_name TEXT NOT NULL,
    -- 1: the learner's notes show on the shared page; 0: they never leave the account.
    include_notes BIGINT NOT NULL CHECK (include_notes IN (0, 1)),
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, roadmap)
);
