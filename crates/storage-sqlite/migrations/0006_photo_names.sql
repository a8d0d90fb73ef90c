-- The name a photo's file had when it was uploaded (`IMG_0042.JPG`), made safe to show. Only the
-- curator sees it: a file name may say whose or where the photo is, so it is kept here, beside
-- the row, and never in the public document the site is served from.
ALTER TABLE photos ADD COLUMN original_name TEXT NOT NULL DEFAULT '';
