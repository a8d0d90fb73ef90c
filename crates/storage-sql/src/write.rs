//! Writing one badge type whole: the type row, its category links, and the rows that give its
//! children their ids, then the public document and summary that reads are served from.

use std::collections::{HashMap, HashSet};

use serde_json::value::RawValue;
use sqlx::Executor;
use vitrina_catalogue::{BadgeType, Category, Slug, SpecimenPrivate, TypeId, ValidationErrors};
use vitrina_storage::{ChangeOp, Result, StorageError, TypeSummary};

use crate::error::{json, map};
use crate::rewrite::Changes;
use crate::{Conn, doc};

/// How ids found in the input are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// `save_type`: a child id that is not this type's, or the version that is not the stored
    /// one, is refused.
    Strict,
    /// `import`: a snapshot may come from another database, so foreign child ids are dropped
    /// and the records get new ones, and the stored version is simply bumped.
    Lenient,
}

/// The rows a stored type already owns, with where each sits, so that a save rewrites only
/// what moved: a variant's position, a specimen's (variant, position), a photo's (specimen,
/// position, the file's original name, which only the curator sees), and the categories the
/// type is linked to.
#[derive(Debug, Default)]
struct Owned {
    variants: HashMap<i64, i64>,
    specimens: HashMap<i64, (i64, i64)>,
    photos: HashMap<i64, (Option<i64>, i64, String)>,
    categories: HashSet<i64>,
}

/// What the stored type row holds that its category links copy (the list's sort keys).
#[derive(Debug, PartialEq)]
struct LinkKeys<'a> {
    position: i64,
    name_en: &'a str,
    published: bool,
}

/// How a change to a type reads to the public: a draft is as good as deleted.
pub fn publicly(published: bool) -> ChangeOp {
    if published {
        ChangeOp::Upsert
    } else {
        ChangeOp::Delete
    }
}

/// Checks that every child id the input carries belongs to this type, once. In strict mode a
/// stranger's id is refused (it would move another type's specimen, private data and all);
/// leniently it is dropped and the child is inserted anew.
fn claim_ids(t: &mut BadgeType, owned: &Owned, ids: Ids) -> Result<()> {
    let mut errors = ValidationErrors::default();
    let mut seen = HashSet::new();
    let variants: HashSet<i64> = owned.variants.keys().copied().collect();
    let specimens: HashSet<i64> = owned.specimens.keys().copied().collect();
    let photos: HashSet<i64> = owned.photos.keys().copied().collect();
    let mut claim = |path: String, id: &mut Option<i64>, allowed: &HashSet<i64>, kind: &str| {
        if let Some(raw) = *id
            && (!allowed.contains(&raw) || !seen.insert((kind.to_owned(), raw)))
        {
            if ids == Ids::Strict {
                errors.add(
                    path,
                    format!("{kind} {raw} is not one of this type's, or is given twice"),
                );
            }
            *id = None;
        }
    };
    for (vi, v) in t.variants.iter_mut().enumerate() {
        let mut raw = v.id.map(|i| i.get());
        claim(format!("variants[{vi}].id"), &mut raw, &variants, "variant");
        v.id = raw.map(vitrina_catalogue::VariantId::new);
        for (si, s) in v.specimens.iter_mut().enumerate() {
            let mut raw = s.id.map(|i| i.get());
            claim(
                format!("variants[{vi}].specimens[{si}].id"),
                &mut raw,
                &specimens,
                "specimen",
            );
            s.id = raw.map(vitrina_catalogue::SpecimenId::new);
            for (pi, p) in s.photos.iter_mut().enumerate() {
                let mut raw = p.id.map(|i| i.get());
                claim(
                    format!("variants[{vi}].specimens[{si}].photos[{pi}].id"),
                    &mut raw,
                    &photos,
                    "photo",
                );
                p.id = raw.map(vitrina_catalogue::PhotoId::new);
            }
        }
    }
    for (pi, p) in t.photos.iter_mut().enumerate() {
        let mut raw = p.id.map(|i| i.get());
        claim(format!("photos[{pi}].id"), &mut raw, &photos, "photo");
        p.id = raw.map(vitrina_catalogue::PhotoId::new);
    }
    errors.into_result().map_err(StorageError::from)
}

pub fn parse_slug(s: &str) -> Result<Slug> {
    Slug::parse(s).map_err(|e| StorageError::Backend(Box::new(e)))
}

/// A category as stored: its record without the id, which is a column.
pub fn category_data(c: &Category) -> Result<Box<RawValue>> {
    let mut c = c.clone();
    c.id = None;
    doc(&c)
}

sql_impl! {
    impl SqlStore<D> {
        /// Writes `given` as the type `target` (an update) or as a new type, inside the caller's
        /// transaction. Returns the type as stored: ids and version set, private fields as given.
        pub async fn write_type(
            conn: &mut Conn<D>,
            given: &BadgeType,
            target: Option<TypeId>,
            ids: Ids,
            categories: &HashMap<Slug, i64>,
            changes: &mut Changes,
        ) -> Result<BadgeType> {
            let mut t = given.clone();
            let mut errors = ValidationErrors::default();
            let mut category_ids = Vec::with_capacity(t.categories.len());
            for (i, slug) in t.categories.iter().enumerate() {
                match categories.get(slug) {
                    Some(id) if !category_ids.contains(id) => category_ids.push(*id),
                    Some(_) => {}
                    None => errors.add(
                        format!("categories[{i}]"),
                        format!("there is no category {slug}"),
                    ),
                }
            }
            errors.into_result()?;

            let (type_id, version, owned, links_unchanged) = match target {
                Some(id) => {
                    let stored: Option<(i64, String, i64, String, bool)> = sqlx::query_as(D::sql(
                        "SELECT version, slug, position, name_en, published FROM badge_types \
                         WHERE id = $1 {FOR UPDATE}",
                    ))
                    .bind(id.get())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(map::<D>)?;
                    let Some((stored, old_slug, position, name_en, published)) = stored else {
                        return Err(StorageError::not_found("badge type", id));
                    };
                    if old_slug != t.slug.as_str() {
                        // Saved under a new slug: the old one is gone for readers.
                        changes.push(&old_slug, ChangeOp::Delete);
                    }
                    if ids == Ids::Strict && stored != t.version {
                        return Err(StorageError::Conflict(format!(
                            "badge type {} was changed by someone else (version {stored}, not {})",
                            t.slug, t.version
                        )));
                    }
                    let owned = Self::owned(conn, id.get()).await?;
                    let stored_keys = LinkKeys {
                        position,
                        name_en: &name_en,
                        published,
                    };
                    let new_keys = LinkKeys {
                        position: t.position,
                        name_en: t.names.en.as_str(),
                        published: t.published,
                    };
                    let links_unchanged = stored_keys == new_keys
                        && owned.categories.len() == category_ids.len()
                        && category_ids.iter().all(|c| owned.categories.contains(c));
                    (id.get(), stored + 1, owned, links_unchanged)
                }
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO badge_types (slug, position, version, name_en, document, summary) \
                         VALUES ($1, $2, 1, $3, '{}', '{}') RETURNING id",
                    )
                    .bind(t.slug.as_str())
                    .bind(t.position)
                    .bind(t.names.en.as_str())
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(map::<D>)?;
                    (id, 1, Owned::default(), false)
                }
            };

            claim_ids(&mut t, &owned, ids)?;
            Self::delete_dropped(conn, &t, &owned).await?;

            if target.is_some() && !links_unchanged {
                sqlx::query("DELETE FROM type_categories WHERE type_id = $1")
                    .bind(type_id)
                    .execute(&mut *conn)
                    .await
                    .map_err(map::<D>)?;
            }
            for category_id in category_ids.into_iter().filter(|_| !links_unchanged) {
                sqlx::query(
                    "INSERT INTO type_categories (type_id, category_id, position, name_en, published) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(type_id)
                .bind(category_id)
                .bind(t.position)
                .bind(t.names.en.as_str())
                .bind(t.published)
                .execute(&mut *conn)
                .await
                .map_err(map::<D>)?;
            }

            for (vi, v) in t.variants.iter_mut().enumerate() {
                let variant_id = match v.id {
                    Some(id) => {
                        if owned.variants.get(&id.get()) != Some(&(vi as i64)) {
                            sqlx::query("UPDATE variants SET position = $1 WHERE id = $2")
                                .bind(vi as i64)
                                .bind(id.get())
                                .execute(&mut *conn)
                                .await
                                .map_err(map::<D>)?;
                        }
                        id.get()
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO variants (type_id, position) VALUES ($1, $2) RETURNING id",
                        )
                        .bind(type_id)
                        .bind(vi as i64)
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(map::<D>)?;
                        v.id = Some(vitrina_catalogue::VariantId::new(id));
                        id
                    }
                };
                for (si, s) in v.specimens.iter_mut().enumerate() {
                    let specimen_id = match s.id {
                        Some(id) => {
                            if owned.specimens.get(&id.get()) != Some(&(variant_id, si as i64)) {
                                sqlx::query(
                                    "UPDATE specimens SET variant_id = $1, position = $2 WHERE id = $3",
                                )
                                .bind(variant_id)
                                .bind(si as i64)
                                .bind(id.get())
                                .execute(&mut *conn)
                                .await
                                .map_err(map::<D>)?;
                            }
                            id.get()
                        }
                        None => {
                            let id: i64 = sqlx::query_scalar(
                                "INSERT INTO specimens (variant_id, type_id, position) VALUES ($1, $2, $3) RETURNING id",
                            )
                            .bind(variant_id)
                            .bind(type_id)
                            .bind(si as i64)
                            .fetch_one(&mut *conn)
                            .await
                            .map_err(map::<D>)?;
                            s.id = Some(vitrina_catalogue::SpecimenId::new(id));
                            id
                        }
                    };
                    Self::write_private(conn, type_id, specimen_id, &mut s.private).await?;
                    for (pi, p) in s.photos.iter_mut().enumerate() {
                        Self::write_photo(conn, &owned, type_id, Some(specimen_id), pi, p)
                            .await?;
                    }
                }
            }
            for (pi, p) in t.photos.iter_mut().enumerate() {
                Self::write_photo(conn, &owned, type_id, None, pi, p).await?;
            }

            t.id = Some(TypeId::new(type_id));
            t.version = version;
            // A draft is gone for the public: followers drop it from their index and cache.
            changes.push(t.slug.as_str(), publicly(t.published));
            let public = t.clone().into_public();
            let summary = TypeSummary::of(&public, TypeId::new(type_id));
            // The row whole, in one statement: the fields the lists sort on, then the documents
            // reads are served from.
            sqlx::query(
                "UPDATE badge_types SET slug = $1, position = $2, version = $3, name_en = $4, \
                 document = $5, summary = $6, has_thumbnail = $7, published = $8 WHERE id = $9",
            )
            .bind(t.slug.as_str())
            .bind(t.position)
            .bind(version)
            .bind(t.names.en.as_str())
            .bind(doc(&public)?)
            .bind(doc(&summary)?)
            .bind(summary.thumbnail.is_some())
            .bind(t.published)
            .bind(type_id)
            .execute(&mut *conn)
            .await
            .map_err(map::<D>)?;
            Ok(t)
        }

        /// Everything the stored type owns, in one query.
        async fn owned(conn: &mut Conn<D>, type_id: i64) -> Result<Owned> {
            let rows: Vec<(i64, i64, Option<i64>, i64, String)> = sqlx::query_as(
                "SELECT CAST(0 AS BIGINT), id, CAST(NULL AS BIGINT), position, CAST('' AS TEXT) \
                   FROM variants WHERE type_id = $1 \
                 UNION ALL SELECT CAST(1 AS BIGINT), id, variant_id, position, CAST('' AS TEXT) \
                   FROM specimens WHERE type_id = $1 \
                 UNION ALL SELECT CAST(2 AS BIGINT), id, specimen_id, position, original_name \
                   FROM photos WHERE type_id = $1 \
                 UNION ALL SELECT CAST(3 AS BIGINT), category_id, CAST(NULL AS BIGINT), \
                   CAST(0 AS BIGINT), CAST('' AS TEXT) FROM type_categories WHERE type_id = $1",
            )
            .bind(type_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(map::<D>)?;
            let mut out = Owned::default();
            for (kind, id, parent, position, name) in rows {
                match kind {
                    0 => {
                        out.variants.insert(id, position);
                    }
                    1 => {
                        out.specimens.insert(id, (parent.unwrap_or(0), position));
                    }
                    2 => {
                        out.photos.insert(id, (parent, position, name));
                    }
                    _ => {
                        out.categories.insert(id);
                    }
                }
            }
            Ok(out)
        }

        /// Deletes the children the stored type had and the new input no longer carries. Deleting a
        /// specimen cascades to its private row and photos.
        async fn delete_dropped(conn: &mut Conn<D>, t: &BadgeType, owned: &Owned) -> Result<()> {
            let keep_variants: HashSet<i64> = t
                .variants
                .iter()
                .filter_map(|v| v.id)
                .map(|i| i.get())
                .collect();
            let keep_specimens: HashSet<i64> = t
                .specimens()
                .filter_map(|s| s.id)
                .map(|i| i.get())
                .collect();
            let keep_photos: HashSet<i64> = t
                .photos
                .iter()
                .chain(t.specimens().flat_map(|s| s.photos.iter()))
                .filter_map(|p| p.id)
                .map(|i| i.get())
                .collect();
            for (sql, owned, keep) in [
                (
                    "DELETE FROM photos WHERE id = $1",
                    owned.photos.keys().copied().collect::<Vec<_>>(),
                    &keep_photos,
                ),
                (
                    "DELETE FROM specimens WHERE id = $1",
                    owned.specimens.keys().copied().collect(),
                    &keep_specimens,
                ),
                (
                    "DELETE FROM variants WHERE id = $1",
                    owned.variants.keys().copied().collect(),
                    &keep_variants,
                ),
            ] {
                let mut gone: Vec<i64> = owned.into_iter().filter(|id| !keep.contains(id)).collect();
                gone.sort_unstable();
                for id in gone {
                    sqlx::query(sql)
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map_err(map::<D>)?;
                }
            }
            Ok(())
        }

        /// `None` leaves what is stored (a type read publicly and saved back must not lose its
        /// provenance); an empty value clears it; anything else replaces it.
        async fn write_private(
            conn: &mut Conn<D>,
            type_id: i64,
            specimen_id: i64,
            private: &mut Option<SpecimenPrivate>,
        ) -> Result<()> {
            match private {
                None => {}
                Some(p) if p.is_empty() => {
                    sqlx::query("DELETE FROM specimen_private WHERE specimen_id = $1")
                        .bind(specimen_id)
                        .execute(&mut *conn)
                        .await
                        .map_err(map::<D>)?;
                    *private = None;
                }
                Some(p) => {
                    sqlx::query(
                        "INSERT INTO specimen_private (specimen_id, type_id, data) VALUES ($1, $2, $3) \
                         ON CONFLICT (specimen_id) DO UPDATE SET data = excluded.data",
                    )
                    .bind(specimen_id)
                    .bind(type_id)
                    .bind(doc(p)?)
                    .execute(&mut *conn)
                    .await
                    .map_err(map::<D>)?;
                }
            }
            Ok(())
        }

        /// A photo's row: rewritten only if it moved or its original name changed, inserted if
        /// it is new; `p` gets its id. A photo saved without an original name (a client that
        /// does not know it) keeps the stored one, and `p` carries it back.
        async fn write_photo(
            conn: &mut Conn<D>,
            owned: &Owned,
            type_id: i64,
            specimen_id: Option<i64>,
            position: usize,
            p: &mut vitrina_catalogue::Photo,
        ) -> Result<()> {
            let position = position as i64;
            let id = match p.id.map(|i| i.get()) {
                Some(id) => {
                    let stored = owned.photos.get(&id);
                    if p.original_name.is_empty()
                        && let Some((_, _, name)) = stored
                    {
                        p.original_name.clone_from(name);
                    }
                    let same = stored.is_some_and(|(parent, at, name)| {
                        *parent == specimen_id && *at == position && *name == p.original_name
                    });
                    if !same {
                        sqlx::query(
                            "UPDATE photos SET specimen_id = $1, position = $2, original_name = $3 \
                             WHERE id = $4",
                        )
                        .bind(specimen_id)
                        .bind(position)
                        .bind(p.original_name.as_str())
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map_err(map::<D>)?;
                    }
                    id
                }
                None => sqlx::query_scalar(
                    "INSERT INTO photos (type_id, specimen_id, position, original_name) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(type_id)
                .bind(specimen_id)
                .bind(position)
                .bind(p.original_name.as_str())
                .fetch_one(&mut *conn)
                .await
                .map_err(map::<D>)?,
            };
            p.id = Some(vitrina_catalogue::PhotoId::new(id));
            Ok(())
        }

        /// Loads the stored private fields of a type's specimens, and its photos' original
        /// names, into `t` where it has none; in one query.
        pub async fn load_private<'c, E>(executor: E, t: &mut BadgeType, type_id: i64) -> Result<()>
        where
            E: Executor<'c, Database = DB>,
        {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT CAST(0 AS BIGINT), specimen_id, CAST(data AS TEXT) \
                   FROM specimen_private WHERE type_id = $1 \
                 UNION ALL SELECT CAST(1 AS BIGINT), id, original_name \
                   FROM photos WHERE type_id = $1 AND original_name <> ''",
            )
            .bind(type_id)
            .fetch_all(executor)
            .await
            .map_err(map::<D>)?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut by_id = HashMap::with_capacity(rows.len());
            let mut names: HashMap<i64, String> = HashMap::new();
            for (kind, id, data) in rows {
                if kind == 1 {
                    names.insert(id, data);
                    continue;
                }
                by_id.insert(
                    id,
                    serde_json::from_str::<SpecimenPrivate>(&data).map_err(json)?,
                );
            }
            if !names.is_empty() {
                let photos = t
                    .photos
                    .iter_mut()
                    .chain(t.variants.iter_mut().flat_map(|v| {
                        v.specimens.iter_mut().flat_map(|s| s.photos.iter_mut())
                    }));
                for p in photos {
                    if p.original_name.is_empty()
                        && let Some(name) = p.id.and_then(|id| names.remove(&id.get()))
                    {
                        p.original_name = name;
                    }
                }
            }
            for v in &mut t.variants {
                for s in &mut v.specimens {
                    if s.private.is_none()
                        && let Some(id) = s.id
                    {
                        s.private = by_id.remove(&id.get());
                    }
                }
            }
            Ok(())
        }

        /// The category slugs known to the database, with their ids.
        pub async fn category_ids(conn: &mut Conn<D>) -> Result<HashMap<Slug, i64>> {
            let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, slug FROM categories")
                .fetch_all(&mut *conn)
                .await
                .map_err(map::<D>)?;
            rows.into_iter()
                .map(|(id, slug)| Ok((parse_slug(&slug)?, id)))
                .collect()
        }
    }
}
