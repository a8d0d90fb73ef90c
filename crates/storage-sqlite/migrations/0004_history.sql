-- Drafts and history.
--
-- `published` = 0 marks a draft, which public reads leave out (the record's JSON says the same;
-- the column is for filtering). Existing records stay published. Categories get the
-- optimistic-concurrency version types already have.
--
-- `history`: one row per change to any record (the collection, a category, a type with all its
-- children), written in the same transaction as the change: who, when, what, and the whole
-- record as JSON, private fields included. `record_id` is the record's storage id, so a record
-- keeps one history across renames; `key` is its slug at the time. The author's name is copied
-- so history stays readable after a user is renamed or removed.

ALTER TABLE badge_types ADD COLUMN published INTEGER NOT NULL DEFAULT 1;
ALTER TABLE categories ADD COLUMN published INTEGER NOT NULL DEFAULT 1;
ALTER TABLE categories ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('collection', 'category', 'type')),
    record_id   INTEGER NOT NULL,
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'restore')),
    author_id   INTEGER,
    author_name TEXT NOT NULL,
    -- Unix seconds.
    at          INTEGER NOT NULL,
    record      TEXT NOT NULL
) STRICT;

CREATE INDEX history_by_record ON history (kind, record_id, id);
CREATE INDEX history_by_key ON history (kind, key);
