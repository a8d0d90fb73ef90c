//! Writing one badge type whole: the type row, its category links, and the rows that give its
//! children their ids, then the public document and summary that reads are served from.

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use vitrina_catalogue::{BadgeType, Category, Slug, SpecimenPrivate, TypeId, ValidationErrors};
use vitrina_storage::{Author, ChangeOp, HistoryOp, RecordKind, Result, StorageError, TypeSummary};

use crate::error::{json, map};
use crate::history::{self, Entry};

/// How ids found in the input are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ids {
    /// `save_type`: a child id that is not this type's, or the version that is not the stored
    /// one, is refused.
    Strict,
    /// `import`: a snapshot may come from another database, so foreign child ids are dropped
    /// and the records get new ones, and the stored version is simply bumped.
    Lenient,
}

/// The ids of the rows a stored type already owns.
#[derive(Debug, Default)]
struct Owned {
    variants: HashSet<i64>,
    specimens: HashSet<i64>,
    photos: HashSet<i64>,
}

/// Writes `given` as the type `target` (an update) or as a new type, inside the caller's
/// transaction. Returns the type as stored: ids and version set, private fields as given.
pub(crate) async fn write_type(
    conn: &mut PgConnection,
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

    let (type_id, version, owned) = match target {
        Some(id) => {
            let stored: Option<(i64, String)> =
                sqlx::query_as("SELECT version, slug FROM badge_types WHERE id = $1 FOR UPDATE")
                    .bind(id.get())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(map)?;
            let Some((stored, old_slug)) = stored else {
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
            let version = stored + 1;
            sqlx::query("UPDATE badge_types SET slug = $1, position = $2, version = $3, name_en = $4 WHERE id = $5")
                .bind(t.slug.as_str())
                .bind(t.position)
                .bind(version)
                .bind(&t.names.en)
                .bind(id.get())
                .execute(&mut *conn)
                .await
                .map_err(map)?;
            (id.get(), version, owned(conn, id.get()).await?)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO badge_types (slug, position, version, name_en, document, summary) \
                 VALUES ($1, $2, 1, $3, '{}', '{}') RETURNING id",
            )
            .bind(t.slug.as_str())
            .bind(t.position)
            .bind(&t.names.en)
            .fetch_one(&mut *conn)
            .await
            .map_err(map)?;
            (id, 1, Owned::default())
        }
    };

    claim_ids(&mut t, &owned, ids)?;
    delete_dropped(conn, &t, &owned).await?;

    if target.is_some() {
        sqlx::query("DELETE FROM type_categories WHERE type_id = $1")
            .bind(type_id)
            .execute(&mut *conn)
            .await
            .map_err(map)?;
    }
    for category_id in category_ids {
        sqlx::query(
            "INSERT INTO type_categories (type_id, category_id, position, name_en, published) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(type_id)
        .bind(category_id)
        .bind(t.position)
        .bind(&t.names.en)
        .bind(t.published)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
    }

    for (vi, v) in t.variants.iter_mut().enumerate() {
        let variant_id = match v.id {
            Some(id) => {
                sqlx::query("UPDATE variants SET position = $1 WHERE id = $2")
                    .bind(vi as i64)
                    .bind(id.get())
                    .execute(&mut *conn)
                    .await
                    .map_err(map)?;
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
                .map_err(map)?;
                v.id = Some(vitrina_catalogue::VariantId::new(id));
                id
            }
        };
        for (si, s) in v.specimens.iter_mut().enumerate() {
            let specimen_id = match s.id {
                Some(id) => {
                    sqlx::query(
                        "UPDATE specimens SET variant_id = $1, position = $2 WHERE id = $3",
                    )
                    .bind(variant_id)
                    .bind(si as i64)
                    .bind(id.get())
                    .execute(&mut *conn)
                    .await
                    .map_err(map)?;
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
                    .map_err(map)?;
                    s.id = Some(vitrina_catalogue::SpecimenId::new(id));
                    id
                }
            };
            write_private(conn, type_id, specimen_id, &mut s.private).await?;
            for (pi, p) in s.photos.iter_mut().enumerate() {
                let id = write_photo(conn, type_id, Some(specimen_id), pi, p.id.map(|i| i.get()))
                    .await?;
                p.id = Some(vitrina_catalogue::PhotoId::new(id));
            }
        }
    }
    for (pi, p) in t.photos.iter_mut().enumerate() {
        let id = write_photo(conn, type_id, None, pi, p.id.map(|i| i.get())).await?;
        p.id = Some(vitrina_catalogue::PhotoId::new(id));
    }

    t.id = Some(TypeId::new(type_id));
    t.version = version;
    // A draft is gone for the public: followers drop it from their index and cache.
    changes.push(t.slug.as_str(), publicly(t.published));
    let public = t.clone().into_public();
    let summary = TypeSummary::of(&public, TypeId::new(type_id));
    sqlx::query(
        "UPDATE badge_types SET document = $1::jsonb, summary = $2::jsonb, has_thumbnail = $3, \
         published = $4 WHERE id = $5",
    )
    .bind(serde_json::to_string(&public).map_err(json)?)
    .bind(serde_json::to_string(&summary).map_err(json)?)
    .bind(summary.thumbnail.is_some())
    .bind(t.published)
    .bind(type_id)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    Ok(t)
}

/// How a change to a type reads to the public: a draft is as good as deleted.
pub(crate) fn publicly(published: bool) -> ChangeOp {
    if published {
        ChangeOp::Upsert
    } else {
        ChangeOp::Delete
    }
}

async fn owned(conn: &mut PgConnection, type_id: i64) -> Result<Owned> {
    let mut out = Owned::default();
    for (sql, set) in [
        (
            "SELECT id FROM variants WHERE type_id = $1",
            &mut out.variants,
        ),
        (
            "SELECT id FROM specimens WHERE type_id = $1",
            &mut out.specimens,
        ),
        ("SELECT id FROM photos WHERE type_id = $1", &mut out.photos),
    ] {
        let ids: Vec<i64> = sqlx::query_scalar(sql)
            .bind(type_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(map)?;
        set.extend(ids);
    }
    Ok(out)
}

/// Checks that every child id the input carries belongs to this type, once. In strict mode a
/// stranger's id is refused (it would move another type's specimen, private data and all);
/// leniently it is dropped and the child is inserted anew.
fn claim_ids(t: &mut BadgeType, owned: &Owned, ids: Ids) -> Result<()> {
    let mut errors = ValidationErrors::default();
    let mut seen = HashSet::new();
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
        claim(
            format!("variants[{vi}].id"),
            &mut raw,
            &owned.variants,
            "variant",
        );
        v.id = raw.map(vitrina_catalogue::VariantId::new);
        for (si, s) in v.specimens.iter_mut().enumerate() {
            let mut raw = s.id.map(|i| i.get());
            claim(
                format!("variants[{vi}].specimens[{si}].id"),
                &mut raw,
                &owned.specimens,
                "specimen",
            );
            s.id = raw.map(vitrina_catalogue::SpecimenId::new);
            for (pi, p) in s.photos.iter_mut().enumerate() {
                let mut raw = p.id.map(|i| i.get());
                claim(
                    format!("variants[{vi}].specimens[{si}].photos[{pi}].id"),
                    &mut raw,
                    &owned.photos,
                    "photo",
                );
                p.id = raw.map(vitrina_catalogue::PhotoId::new);
            }
        }
    }
    for (pi, p) in t.photos.iter_mut().enumerate() {
        let mut raw = p.id.map(|i| i.get());
        claim(format!("photos[{pi}].id"), &mut raw, &owned.photos, "photo");
        p.id = raw.map(vitrina_catalogue::PhotoId::new);
    }
    errors.into_result().map_err(StorageError::from)
}

/// Deletes the children the stored type had and the new input no longer carries. Deleting a
/// specimen cascades to its private row and photos.
async fn delete_dropped(conn: &mut PgConnection, t: &BadgeType, owned: &Owned) -> Result<()> {
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
            &owned.photos,
            &keep_photos,
        ),
        (
            "DELETE FROM specimens WHERE id = $1",
            &owned.specimens,
            &keep_specimens,
        ),
        (
            "DELETE FROM variants WHERE id = $1",
            &owned.variants,
            &keep_variants,
        ),
    ] {
        let mut gone: Vec<i64> = owned.difference(keep).copied().collect();
        gone.sort_unstable();
        for id in gone {
            sqlx::query(sql)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(map)?;
        }
    }
    Ok(())
}

/// `None` leaves what is stored (a type read publicly and saved back must not lose its
/// provenance); an empty value clears it; anything else replaces it.
async fn write_private(
    conn: &mut PgConnection,
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
                .map_err(map)?;
            *private = None;
        }
        Some(p) => {
            sqlx::query(
                "INSERT INTO specimen_private (specimen_id, type_id, data) VALUES ($1, $2, $3::jsonb) \
                 ON CONFLICT (specimen_id) DO UPDATE SET data = excluded.data",
            )
            .bind(specimen_id)
            .bind(type_id)
            .bind(serde_json::to_string(p).map_err(json)?)
            .execute(&mut *conn)
            .await
            .map_err(map)?;
        }
    }
    Ok(())
}

async fn write_photo(
    conn: &mut PgConnection,
    type_id: i64,
    specimen_id: Option<i64>,
    position: usize,
    id: Option<i64>,
) -> Result<i64> {
    match id {
        Some(id) => {
            sqlx::query("UPDATE photos SET specimen_id = $1, position = $2 WHERE id = $3")
                .bind(specimen_id)
                .bind(position as i64)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(map)?;
            Ok(id)
        }
        None => sqlx::query_scalar(
            "INSERT INTO photos (type_id, specimen_id, position) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(type_id)
        .bind(specimen_id)
        .bind(position as i64)
        .fetch_one(&mut *conn)
        .await
        .map_err(map),
    }
}

/// Loads the stored private fields of a type's specimens into `t` where it has none.
pub(crate) async fn load_private<'c, E>(executor: E, t: &mut BadgeType, type_id: i64) -> Result<()>
where
    E: sqlx::PgExecutor<'c>,
{
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT specimen_id, data::text FROM specimen_private WHERE type_id = $1")
            .bind(type_id)
            .fetch_all(executor)
            .await
            .map_err(map)?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut by_id = HashMap::with_capacity(rows.len());
    for (id, data) in rows {
        by_id.insert(
            id,
            serde_json::from_str::<SpecimenPrivate>(&data).map_err(json)?,
        );
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
pub(crate) async fn category_ids(conn: &mut PgConnection) -> Result<HashMap<Slug, i64>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, slug FROM categories")
        .fetch_all(&mut *conn)
        .await
        .map_err(map)?;
    rows.into_iter()
        .map(|(id, slug)| Ok((parse_slug(&slug)?, id)))
        .collect()
}

pub(crate) fn parse_slug(s: &str) -> Result<Slug> {
    Slug::parse(s).map_err(|e| StorageError::Backend(Box::new(e)))
}

/// Rewrites the category lists of the types in category `category_id` after it was renamed
/// (`to` is `Some`) or deleted (`None`), bumps their versions (their content changed) and records
/// the change in each type's history.
pub(crate) async fn retag_types(
    conn: &mut PgConnection,
    category_id: i64,
    from: &Slug,
    to: Option<&Slug>,
    changes: &mut Changes,
    author: &Author,
) -> Result<()> {
    let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT t.id, t.slug, t.version, t.document::text, t.summary::text FROM badge_types t \
         JOIN type_categories tc ON tc.type_id = t.id WHERE tc.category_id = $1 \
         ORDER BY t.id FOR UPDATE OF t",
    )
    .bind(category_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    let retag = |slugs: &mut Vec<Slug>| match to {
        Some(to) => slugs
            .iter_mut()
            .filter(|s| *s == from)
            .for_each(|s| *s = to.clone()),
        None => slugs.retain(|s| s != from),
    };
    for (id, type_slug, version, document, summary) in rows {
        let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
        let mut s: TypeSummary = serde_json::from_str(&summary).map_err(json)?;
        changes.push(&type_slug, publicly(t.published));
        retag(&mut t.categories);
        retag(&mut s.categories);
        sqlx::query(
            "UPDATE badge_types SET document = $1::jsonb, summary = $2::jsonb, \
             version = version + 1 WHERE id = $3",
        )
        .bind(serde_json::to_string(&t).map_err(json)?)
        .bind(serde_json::to_string(&s).map_err(json)?)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
        t.id = Some(TypeId::new(id));
        t.version = version + 1;
        load_private(&mut *conn, &mut t, id).await?;
        history::record(
            conn,
            author,
            Entry {
                kind: RecordKind::Type,
                record_id: id,
                key: &type_slug,
                version: t.version,
                op: HistoryOp::Update,
                record: &t,
            },
        )
        .await?;
    }
    Ok(())
}

/// A category as stored: its record without the id, which is a column.
pub(crate) fn category_data(c: &Category) -> Result<String> {
    let mut c = c.clone();
    c.id = None;
    serde_json::to_string(&c).map_err(json)
}

/// The key of the transaction-level advisory lock that serialises change-log writers (see
/// migrations/0002_changes.sql). Arbitrary and fixed: the ASCII bytes of "vitrinac".
pub(crate) const CHANGE_LOG_LOCK: i64 = 0x7669_7472_696e_6163;

/// The changes a transaction makes to what the public sees of types, logged together as its
/// last step before COMMIT ([`Changes::log`]).
#[derive(Debug, Default)]
pub(crate) struct Changes(Vec<(String, ChangeOp)>);

impl Changes {
    pub(crate) fn push(&mut self, slug: &str, op: ChangeOp) {
        self.0.push((slug.to_owned(), op));
    }

    /// Writes the change-log rows, in the order the changes were made.
    pub(crate) async fn log(self, conn: &mut PgConnection) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        // Sequence numbers are taken under the lock and the lock is held until COMMIT, so
        // log writers commit in `seq` order and a reader never sees 6 before 5. Taken last,
        // after the row locks the transaction needs, so waiting on it cannot deadlock.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CHANGE_LOG_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(map)?;
        for (slug, op) in &self.0 {
            sqlx::query("INSERT INTO changes (type_slug, op) VALUES ($1, $2)")
                .bind(slug)
                .bind(op.as_str())
                .execute(&mut *conn)
                .await
                .map_err(map)?;
        }
        Ok(())
    }
}

/// Gives stored type `type_id` a new position (a move): its column, document and summary, a new
/// version, a revision and a change-log row, as a save would.
pub(crate) async fn reposition_type(
    conn: &mut PgConnection,
    type_id: i64,
    position: i64,
    changes: &mut Changes,
    author: &Author,
) -> Result<()> {
    let (slug, version, document, summary): (String, i64, String, String) =
        sqlx::query_as("SELECT slug, version, document::text, summary::text FROM badge_types WHERE id = $1 FOR UPDATE")
            .bind(type_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(map)?;
    let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
    let mut s: TypeSummary = serde_json::from_str(&summary).map_err(json)?;
    t.position = position;
    s.position = position;
    sqlx::query("UPDATE badge_types SET position = $1, document = $2::jsonb, summary = $3::jsonb, version = $4 WHERE id = $5")
        .bind(position)
        .bind(serde_json::to_string(&t).map_err(json)?)
        .bind(serde_json::to_string(&s).map_err(json)?)
        .bind(version + 1)
        .bind(type_id)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
    sqlx::query("UPDATE type_categories SET position = $1 WHERE type_id = $2")
        .bind(position)
        .bind(type_id)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
    changes.push(&slug, publicly(t.published));
    t.id = Some(TypeId::new(type_id));
    t.version = version + 1;
    load_private(&mut *conn, &mut t, type_id).await?;
    history::record(
        conn,
        author,
        Entry {
            kind: RecordKind::Type,
            record_id: type_id,
            key: &slug,
            version: t.version,
            op: HistoryOp::Update,
            record: &t,
        },
    )
    .await
}
