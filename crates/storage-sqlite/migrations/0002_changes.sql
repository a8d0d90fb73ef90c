-- The change log: one row per change to what the public sees of a badge type, written in the
-- same transaction as the change. Nodes follow it to keep derived data (their search index,
-- their page cache) current. SQLite runs one writer at a time, so rows commit in `seq` order.
-- AUTOINCREMENT: a `seq` is never reused, even after the highest row is deleted.

CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    type_slug TEXT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
