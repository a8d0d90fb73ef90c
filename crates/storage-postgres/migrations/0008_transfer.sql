-- Import and export: the column mappings kept by name for the next file, and the background
-- jobs that run imports (kept here so that their state outlives the process that ran them; a
-- job left `running` by a process that died is marked `interrupted` at the next start).
CREATE TABLE import_presets (
    name       TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE jobs (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    author_id   BIGINT,
    author_name TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    done        BIGINT NOT NULL DEFAULT 0,
    total       BIGINT NOT NULL DEFAULT 0,
    input       JSONB NOT NULL,
    report      JSONB
);

CREATE INDEX jobs_by_state ON jobs (state, updated_at);
