-- Keyset pages of types (`types_after`): one index seek per page however deep, with no OFFSET.
--
-- A category's types are listed in collection order, so `type_categories` carries a copy of each
-- type's sort key (position, English name, byte order) and `published`, written with the type;
-- its index answers a category's page without reading, or sorting, the category's other types.
-- The public list of all types has a partial index of its own, so drafts cost it nothing.

ALTER TABLE type_categories
    ADD COLUMN position  BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN name_en   TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;

UPDATE type_categories tc
   SET position = t.position, name_en = t.name_en, published = t.published
  FROM badge_types t
 WHERE t.id = tc.type_id;

CREATE INDEX type_categories_order ON type_categories (category_id, position, name_en, type_id);
CREATE INDEX badge_types_public_order ON badge_types (position, name_en, id) WHERE published;
