-- Sessions stored by a hash of their token, and the secrets the server processes share.
-- The twin of this file is ../sqlite/0004_hashed_sessions_and_secrets.sql: keep them in step.

-- A session row now holds the SHA-256 (hex) of the token in the cookie, never the token: a copy
-- of the database (a backup, a leak) opens no session. Rows stored before held the token
-- itself and cannot be converted without it going through the server again: they are ended,
-- and every learner signs in once more after this migration.
DELETE FROM sessions;
ALTER TABLE sessions RENAME COLUMN id TO id_hash;

-- Secrets every server process on this database shares, created by whichever process needs
-- one first (`csrf`: the key CSRF tokens are signed with).
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
