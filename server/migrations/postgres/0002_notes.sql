-- Personal notes per topic (PostgreSQL).
-- The twin of this file is ../sqlite/0002_notes.sql: keep them in step.

-- Each learner's current note (a second LWW register per roadmap topic, beside the status in
-- `progress`). An empty text is a deletion kept as a tombstone, so it syncs to every device.
CREATE TABLE notes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    roadmap TEXT NOT NULL,
    -- Always a node's current id (aliases are resolved before storing).
    topic TEXT NOT NULL,
    -- At most 2,000 characters (checked by the server before storing: app::progress::MAX_NOTE_CHARS).
    body TEXT NOT NULL,
    -- The hybrid logical clock stamp that wrote the note.
    millis BIGINT NOT NULL,
    counter BIGINT NOT NULL,
    device TEXT NOT NULL,
    -- The user's change_seq when this row last changed, shared with `progress`: one cursor
    -- covers both.
    updated_seq BIGINT NOT NULL,
    PRIMARY KEY (user_id, roadmap, topic)
);
CREATE INDEX notes_by_seq ON notes (user_id, roadmap, updated_seq);
