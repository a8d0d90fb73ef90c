-- Vitrina on SQLite. A badge type is read as one JSON document (`badge_types.document`, the
-- public aggregate with every child id) so the public type page is one indexed lookup. The child
-- tables below hold the structure — ids that are never reused, parents, order — so that storage
-- assigns ids, foreign keys hold and deletes cascade. Private specimen fields live only in
-- `specimen_private`, which a public read never touches.

CREATE TABLE collection (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL
) STRICT;

CREATE TABLE categories (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    slug     TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    data     TEXT NOT NULL
) STRICT;

CREATE INDEX categories_order ON categories (position, slug);

CREATE TABLE badge_types (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    slug      TEXT NOT NULL UNIQUE,
    position  INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    name_en   TEXT NOT NULL,
    -- The public aggregate (no private fields), children included.
    document  TEXT NOT NULL,
    -- vitrina_storage::TypeSummary, for lists.
    summary   TEXT NOT NULL,
    -- 1 when the summary has a thumbnail: the first such type illustrates its category.
    has_thumbnail INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX badge_types_order ON badge_types (position, name_en, id);

CREATE TABLE type_categories (
    type_id     INTEGER NOT NULL REFERENCES badge_types (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (type_id, category_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX type_categories_by_category ON type_categories (category_id, type_id);

CREATE TABLE variants (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    type_id  INTEGER NOT NULL REFERENCES badge_types (id) ON DELETE CASCADE,
    position INTEGER NOT NULL
) STRICT;

CREATE INDEX variants_by_type ON variants (type_id, position);

CREATE TABLE specimens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    variant_id INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    -- Denormalised from the variant, so a type's specimens are one indexed lookup.
    type_id    INTEGER NOT NULL REFERENCES badge_types (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL
) STRICT;

CREATE INDEX specimens_by_variant ON specimens (variant_id, position);
CREATE INDEX specimens_by_type ON specimens (type_id);

CREATE TABLE specimen_private (
    specimen_id INTEGER PRIMARY KEY REFERENCES specimens (id) ON DELETE CASCADE,
    type_id     INTEGER NOT NULL REFERENCES badge_types (id) ON DELETE CASCADE,
    data        TEXT NOT NULL
) STRICT;

CREATE INDEX specimen_private_by_type ON specimen_private (type_id);

CREATE TABLE photos (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    type_id     INTEGER NOT NULL REFERENCES badge_types (id) ON DELETE CASCADE,
    specimen_id INTEGER REFERENCES specimens (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL
) STRICT;

CREATE INDEX photos_by_type ON photos (type_id);
CREATE INDEX photos_by_specimen ON photos (specimen_id) WHERE specimen_id IS NOT NULL;
