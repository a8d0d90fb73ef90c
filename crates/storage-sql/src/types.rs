//! Badge types: reads for lists and pages, and the writes around [`SqlStore::write_type`]
//! (deletes, moves, restores), each in one transaction with its revisions and change-log rows.

use std::collections::HashMap;

use async_trait::async_trait;
use vitrina_catalogue::{Access, BadgeType, Slug, TypeId, Validate};
use vitrina_storage::{
    Author, CategoryStore, ChangeOp, HistoryOp, Neighbours, Page, RecordKind, Result, StorageError,
    TypeCursor, TypeFilter, TypeStore, TypeSummary,
};

use crate::error::{json, map};
use crate::history::Entry;
use crate::rewrite::{Changes, Ordered};
use crate::write::Ids;
use crate::{Conn, doc, limit};

fn summaries(rows: Vec<String>) -> Result<Vec<TypeSummary>> {
    rows.iter()
        .map(|s| serde_json::from_str(s).map_err(json))
        .collect()
}

sql_impl! {
    impl SqlStore<D> {
        /// Loads what a type's history records (its private fields) and records the revision.
        pub(crate) async fn finish_type(
            tx: &mut Conn<D>,
            mut t: BadgeType,
            author: &Author,
            op: HistoryOp,
        ) -> Result<BadgeType> {
            let type_id = t.id.map_or(0, |i| i.get());
            // Only specimens saved without private fields keep what is stored.
            if t.specimens().any(|s| s.private.is_none()) {
                Self::load_private(&mut *tx, &mut t, type_id).await?;
            }
            Self::record(
                tx,
                author,
                Entry {
                    kind: RecordKind::Type,
                    record_id: type_id,
                    key: t.slug.as_str(),
                    version: t.version,
                    op,
                    record: &t,
                },
            )
            .await?;
            Ok(t)
        }

        async fn remove_type(&self, slug: &Slug, expected: Option<i64>, author: &Author) -> Result<()> {
            let mut tx = self.begin().await?;
            let row: Option<(i64, i64, String)> = sqlx::query_as(
                D::sql("SELECT id, version, CAST(document AS TEXT) FROM badge_types WHERE slug = $1 {FOR UPDATE}"),
            )
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map::<D>)?;
            let (id, version, document) =
                row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
            if let Some(expected) = expected.filter(|&v| v != version) {
                return Err(StorageError::Conflict(format!(
                    "badge type {slug} was changed by someone else (version {version}, not {expected})"
                )));
            }
            let mut deleted: BadgeType = serde_json::from_str(&document).map_err(json)?;
            deleted.id = Some(TypeId::new(id));
            deleted.version = version;
            Self::load_private(&mut *tx, &mut deleted, id).await?;
            sqlx::query("DELETE FROM badge_types WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            Self::record(
                &mut tx,
                author,
                Entry {
                    kind: RecordKind::Type,
                    record_id: id,
                    key: slug.as_str(),
                    version,
                    op: HistoryOp::Delete,
                    record: &deleted,
                },
            )
            .await?;
            let mut changes = Changes::default();
            changes.push(slug.as_str(), ChangeOp::Delete);
            self.commit_logged(tx, changes).await
        }

        /// Moves a type in one transaction (see [`TypeStore::move_type_by`]).
        async fn reorder_type(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
            let mut tx = self.begin().await?;
            let mut changes = Changes::default();
            for (id, position) in Self::moves(&mut tx, Ordered::Types, slug, to_index).await? {
                Self::reposition_type(&mut tx, id, position, &mut changes, author).await?;
            }
            self.commit_logged(tx, changes).await
        }
    }
}

sql_impl! {
    #[async_trait]
    impl TypeStore for SqlStore<D> {
        async fn types(&self, filter: &TypeFilter, page: Page) -> Result<(Vec<TypeSummary>, u64)> {
            let (limit, offset) = limit(page);
            let (rows, total): (Vec<String>, i64) = match &filter.category {
                None => {
                    let rows = sqlx::query_scalar(
                        "SELECT CAST(summary AS TEXT) FROM badge_types WHERE published OR $1 \
                         ORDER BY position, name_en, id LIMIT $2 OFFSET $3",
                    )
                    .bind(filter.drafts)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.read)
                    .await
                    .map_err(map::<D>)?;
                    let total =
                        sqlx::query_scalar("SELECT COUNT(*) FROM badge_types WHERE published OR $1")
                            .bind(filter.drafts)
                            .fetch_one(&self.read)
                            .await
                            .map_err(map::<D>)?;
                    (rows, total)
                }
                Some(slug) => {
                    let category: i64 = sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
                        .bind(slug.as_str())
                        .fetch_optional(&self.read)
                        .await
                        .map_err(map::<D>)?
                        .ok_or_else(|| StorageError::not_found("category", slug))?;
                    let rows = sqlx::query_scalar(
                        "SELECT CAST(t.summary AS TEXT) FROM badge_types t JOIN type_categories tc ON tc.type_id = t.id \
                         WHERE tc.category_id = $1 AND (t.published OR $2) \
                         ORDER BY t.position, t.name_en, t.id LIMIT $3 OFFSET $4",
                    )
                    .bind(category)
                    .bind(filter.drafts)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.read)
                    .await
                    .map_err(map::<D>)?;
                    let total = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                         WHERE tc.category_id = $1 AND (t.published OR $2)",
                    )
                    .bind(category)
                    .bind(filter.drafts)
                    .fetch_one(&self.read)
                    .await
                    .map_err(map::<D>)?;
                    (rows, total)
                }
            };
            Ok((summaries(rows)?, total.max(0) as u64))
        }

        async fn badge_type(&self, slug: &Slug, access: Access) -> Result<BadgeType> {
            let row: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, version, CAST(document AS TEXT) FROM badge_types \
                 WHERE slug = $1 AND (published OR $2)",
            )
            .bind(slug.as_str())
            .bind(access == Access::Private)
            .fetch_optional(&self.read)
            .await
            .map_err(map::<D>)?;
            let (id, version, document) =
                row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
            let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
            t.id = Some(TypeId::new(id));
            t.version = version;
            match access {
                // The document never holds private fields; `into_public` is the second lock.
                Access::Public => Ok(t.into_public()),
                Access::Private => {
                    Self::load_private(&self.read, &mut t, id).await?;
                    Ok(t)
                }
            }
        }

        async fn type_version(&self, slug: &Slug) -> Result<(TypeId, i64)> {
            let row: Option<(i64, i64)> =
                sqlx::query_as("SELECT id, version FROM badge_types WHERE slug = $1")
                    .bind(slug.as_str())
                    .fetch_optional(&self.read)
                    .await
                    .map_err(map::<D>)?;
            let (id, version) = row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
            Ok((TypeId::new(id), version))
        }

        async fn save_type_by(&self, badge_type: &BadgeType, author: &Author) -> Result<BadgeType> {
            badge_type.validate()?;
            let mut tx = self.begin().await?;
            let categories = Self::category_ids(&mut tx).await?;
            let mut changes = Changes::default();
            let t = Self::write_type(
                &mut tx,
                badge_type,
                badge_type.id,
                Ids::Strict,
                &categories,
                &mut changes,
            )
            .await?;
            let op = match badge_type.id {
                Some(_) => HistoryOp::Update,
                None => HistoryOp::Create,
            };
            let t = Self::finish_type(&mut tx, t, author, op).await?;
            self.commit_logged(tx, changes).await?;
            Ok(t)
        }

        async fn restore_type(&self, badge_type: &BadgeType, author: &Author) -> Result<BadgeType> {
            let Some(id) = badge_type.id else {
                return Err(StorageError::not_found("badge type", &badge_type.slug));
            };
            badge_type.validate()?;
            let mut tx = self.begin().await?;
            let categories = Self::category_ids(&mut tx).await?;
            // Categories deleted since are left out rather than refusing the restore.
            let mut t = badge_type.clone();
            t.categories.retain(|c| categories.contains_key(c));
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM badge_types WHERE id = $1")
                .bind(id.get())
                .fetch_optional(&mut *tx)
                .await
                .map_err(map::<D>)?;
            if exists.is_none() {
                // Re-created with its old id, so its history goes on; the write bumps the version.
                let version = Self::last_version(&mut tx, RecordKind::Type, id.get()).await?;
                sqlx::query(
                    "INSERT INTO badge_types (id, slug, position, version, name_en, document, summary) \
                     VALUES ($1, $2, $3, $4, $5, '{}', '{}')",
                )
                .bind(id.get())
                .bind(t.slug.as_str())
                .bind(t.position)
                .bind(version)
                .bind(t.names.en.as_str())
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            }
            let mut changes = Changes::default();
            let t = Self::write_type(
                &mut tx,
                &t,
                Some(id),
                Ids::Lenient,
                &categories,
                &mut changes,
            )
            .await?;
            let t = Self::finish_type(&mut tx, t, author, HistoryOp::Restore).await?;
            self.commit_logged(tx, changes).await?;
            Ok(t)
        }

        async fn delete_type_by(&self, slug: &Slug, author: &Author) -> Result<()> {
            self.remove_type(slug, None, author).await
        }

        async fn delete_type_at(&self, slug: &Slug, version: i64, author: &Author) -> Result<()> {
            self.remove_type(slug, Some(version), author).await
        }

        async fn move_type_by(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
            self.reorder_type(slug, to_index, author).await
        }

        async fn types_after(
            &self,
            filter: &TypeFilter,
            after: Option<&TypeCursor>,
            limit: u64,
        ) -> Result<Vec<TypeSummary>> {
            let mut q = Self::types_after_query("", filter, after, limit);
            let rows: Vec<String> = q
                .build_query_scalar()
                .fetch_all(&self.read)
                .await
                .map_err(map::<D>)?;
            if rows.is_empty()
                && let Some(category) = &filter.category
            {
                // An unknown category, rather than an empty page of a known one?
                self.category(category).await?;
            }
            summaries(rows)
        }

        async fn summaries(&self, slugs: &[Slug], drafts: bool) -> Result<Vec<TypeSummary>> {
            if slugs.is_empty() {
                return Ok(Vec::new());
            }
            let asked: Vec<&str> = slugs.iter().map(Slug::as_str).collect();
            let rows: Vec<(String, String)> = sqlx::query_as(D::sql(
                "SELECT slug, CAST(summary AS TEXT) FROM badge_types \
                 WHERE slug IN (SELECT value FROM {JSON_EACH}($1)) AND (published OR $2)",
            ))
            .bind(doc(&asked)?)
            .bind(drafts)
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            let found: HashMap<String, String> = rows.into_iter().collect();
            asked
                .iter()
                .filter_map(|s| found.get(*s))
                .map(|s| serde_json::from_str(s).map_err(json))
                .collect()
        }

        /// One statement for the type and both neighbours: the public site's hot path, where a
        /// round trip (through sqlx's SQLite worker, or to a PostgreSQL server) costs more than
        /// the query itself.
        async fn public_type_page(&self, slug: &Slug) -> Result<(BadgeType, Neighbours)> {
            type Row = (i64, i64, String, Option<String>, Option<String>);
            let row: Option<Row> = sqlx::query_as(D::sql(
                "SELECT t.id, t.version, CAST(t.document AS TEXT), \
                   (SELECT CAST(p.summary AS TEXT) FROM badge_types p \
                     WHERE (p.position, p.name_en, p.id) < (t.position, t.name_en, t.id) \
                       AND p.published = {TRUE} \
                     ORDER BY p.position DESC, p.name_en DESC, p.id DESC LIMIT 1), \
                   (SELECT CAST(n.summary AS TEXT) FROM badge_types n \
                     WHERE (n.position, n.name_en, n.id) > (t.position, t.name_en, t.id) \
                       AND n.published = {TRUE} \
                     ORDER BY n.position, n.name_en, n.id LIMIT 1) \
                 FROM badge_types t WHERE t.slug = $1 AND t.published = {TRUE}",
            ))
            .bind(slug.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(map::<D>)?;
            let (id, version, document, previous, next) =
                row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
            let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
            t.id = Some(TypeId::new(id));
            t.version = version;
            let summary = |s: Option<String>| {
                s.map(|s| serde_json::from_str::<TypeSummary>(&s).map_err(json))
                    .transpose()
            };
            let neighbours = Neighbours {
                previous: summary(previous)?,
                next: summary(next)?,
            };
            Ok((t.into_public(), neighbours))
        }

        async fn neighbours(&self, slug: &Slug) -> Result<Neighbours> {
            let row: Option<(i64, String, i64)> = sqlx::query_as(D::sql(
                "SELECT position, name_en, id FROM badge_types WHERE slug = $1 AND published = {TRUE}",
            ))
            .bind(slug.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(map::<D>)?;
            let (position, name, id) =
                row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
            let mut out = Neighbours::default();
            for (sql, slot) in [
                (
                    "SELECT CAST(summary AS TEXT) FROM badge_types \
                     WHERE (position, name_en, id) < ($1, $2, $3) AND published = {TRUE} \
                     ORDER BY position DESC, name_en DESC, id DESC LIMIT 1",
                    &mut out.previous,
                ),
                (
                    "SELECT CAST(summary AS TEXT) FROM badge_types \
                     WHERE (position, name_en, id) > ($1, $2, $3) AND published = {TRUE} \
                     ORDER BY position, name_en, id LIMIT 1",
                    &mut out.next,
                ),
            ] {
                let s: Option<String> = sqlx::query_scalar(D::sql(sql))
                    .bind(position)
                    .bind(name.as_str())
                    .bind(id)
                    .fetch_optional(&self.read)
                    .await
                    .map_err(map::<D>)?;
                *slot = s
                    .map(|s| serde_json::from_str(&s).map_err(json))
                    .transpose()?;
            }
            Ok(out)
        }
    }
}

sql_impl! {
    impl SqlStore<D> {
        /// The statement of a keyset page ([`TypeStore::types_after`]), after `prefix`.
        fn types_after_query(
            prefix: &str,
            filter: &TypeFilter,
            after: Option<&TypeCursor>,
            limit: u64,
        ) -> sqlx::QueryBuilder<DB> {
            let limit = i64::try_from(limit.clamp(1, Page::MAX_LIMIT)).unwrap_or(1);
            // A keyset: the row-value comparison and ORDER BY walk one index from the cursor on.
            let mut q = sqlx::QueryBuilder::<DB>::new(prefix);
            let (key, order) = match &filter.category {
                None => {
                    q.push("SELECT CAST(summary AS TEXT) FROM badge_types WHERE TRUE");
                    if !filter.drafts {
                        q.push(format_args!(" AND published = {}", D::TRUE));
                    }
                    ("(position, name_en, id)", " ORDER BY position, name_en, id")
                }
                Some(category) => {
                    q.push(
                        "SELECT CAST(t.summary AS TEXT) FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                         WHERE tc.category_id = (SELECT id FROM categories WHERE slug = ",
                    )
                    .push_bind(category.as_str())
                    .push(")");
                    if !filter.drafts {
                        q.push(format_args!(" AND tc.published = {}", D::TRUE));
                    }
                    (
                        "(tc.position, tc.name_en, tc.type_id)",
                        " ORDER BY tc.position, tc.name_en, tc.type_id",
                    )
                }
            };
            if let Some(c) = after {
                q.push(format_args!(" AND {key} > ("))
                    .push_bind(c.position)
                    .push(", ")
                    .push_bind(c.name_en.as_str())
                    .push(", ")
                    .push_bind(c.id)
                    .push(")");
            }
            q.push(order).push(" LIMIT ").push_bind(limit);
            q
        }

        /// The plan the engine picks for a keyset page, a line per step (PostgreSQL's
        /// `EXPLAIN`, SQLite's `EXPLAIN QUERY PLAN`): for tests, and for an operator checking
        /// that pages deep in a large collection still seek an index rather than scan and sort.
        pub async fn explain_types_after(
            &self,
            filter: &TypeFilter,
            after: Option<&TypeCursor>,
            limit: u64,
        ) -> Result<Vec<String>> {
            use sqlx::Row;
            let (prefix, column) = D::EXPLAIN;
            let mut q = Self::types_after_query(prefix, filter, after, limit);
            let rows = q.build().fetch_all(&self.read).await.map_err(map::<D>)?;
            rows.iter()
                .map(|r| r.try_get::<String, _>(column).map_err(map::<D>))
                .collect()
        }
    }
}
