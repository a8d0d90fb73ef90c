-- Keyset pages of types (`types_after`): one index seek per page however deep, with no OFFSET.
--
-- A category's types are listed in collection order, so `type_categories` carries a copy of each
-- type's sort key (position, English name) and `published`, written with the type; its index
-- answers a category's page without reading, or sorting, the category's other types. The public
-- list of all types has a partial index of its own, so drafts cost it nothing.

ALTER TABLE type_categories ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE type_categories ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE type_categories ADD COLUMN published INTEGER NOT NULL DEFAULT 1;

UPDATE type_categories SET
    position = (SELECT t.position FROM badge_types t WHERE t.id = type_categories.type_id),
    name_en = (SELECT t.name_en FROM badge_types t WHERE t.id = type_categories.type_id),
    published = (SELECT t.published FROM badge_types t WHERE t.id = type_categories.type_id);

CREATE INDEX type_categories_order ON type_categories (category_id, position, name_en, type_id);
CREATE INDEX badge_types_public_order ON badge_types (position, name_en, id) WHERE published = 1;
