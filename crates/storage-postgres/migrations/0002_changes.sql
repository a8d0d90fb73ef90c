-- The change log: one row per change to what the public sees of a badge type, written in the
-- same transaction as the change. Nodes follow it to keep derived data (their search index,
-- their page cache) current.
--
-- A sequence hands out numbers at INSERT, not at COMMIT, so two concurrent transactions could
-- commit 6 before 5 and a reader that saw 6 would skip 5 for good. Every transaction that logs
-- changes therefore takes the transaction-level advisory lock `pg_advisory_xact_lock(<key>)`
-- (the key is `CHANGE_LOG_LOCK` in src/write.rs) right before inserting its rows, as its last
-- step before COMMIT: log writers commit one at a time, in `seq` order.

CREATE TABLE changes (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type_slug TEXT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
