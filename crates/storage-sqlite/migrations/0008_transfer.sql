-- Import and export: the column mappings kept by name for the next file, and the background
-- jobs that run imports (kept here so that their state outlives the process that ran them; a
-- job left `running` by a process that died is marked `interrupted` at the next start).
CREATE TABLE import_presets (
    name       TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    author_id   INTEGER,
    author_name TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    input       TEXT NOT NULL,
    report      TEXT
) STRICT;

CREATE INDEX jobs_by_state ON jobs (state, updated_at);
