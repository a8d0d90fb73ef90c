//! The scale-out storage backend: [`PostgresStore`], PostgreSQL through sqlx, with its own
//! migrations (`migrations/`, run on connect).
//!
//! It keeps the same shape as the SQLite backend so both behave alike under the shared test suite:
//! a badge type is stored as one public JSONB document (children and their ids included, private
//! fields never) beside a [`TypeSummary`] for lists, so a public read is one lookup by the unique
//! slug index and never touches `specimen_private`. The child tables hold only structure (ids,
//! parents, order) so that ids are assigned here and never reused, foreign keys hold and deletes
//! cascade. English names sort with the `C` collation, byte by byte, as SQLite does, so both
//! engines list types in the same order.

mod accounts;
mod error;
mod history;
mod write;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use vitrina_catalogue::{
    Access, BadgeType, Category, CategoryId, Collection, Slug, Snapshot, TypeId, Validate,
};
use vitrina_storage::{
    Author, CategoryStore, CategorySummary, Change, ChangeLog, ChangeOp, CollectionStore,
    HistoryOp, Neighbours, Page, RecordKind, Result, StorageError, Store, TypeCursor, TypeFilter,
    TypeStore, TypeSummary,
};

use crate::error::{json, map};
use crate::history::{Entry, last_version, record};
use crate::write::{
    Changes, Ids, category_data, category_ids, load_private, parse_slug, reposition_type,
    retag_types, write_type,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A Vitrina collection in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

/// Connection options for a `postgres://` or `postgresql://` URL.
pub fn connect_options(url: &str) -> Result<PgConnectOptions> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(StorageError::Unavailable(format!(
            "not a PostgreSQL URL (expected postgres://USER@HOST/DATABASE): {}",
            redact(url)
        )));
    }
    let options = PgConnectOptions::from_str(url).map_err(|e| {
        StorageError::Unavailable(format!("bad PostgreSQL URL {}: {e}", redact(url)))
    })?;
    Ok(options
        .application_name("vitrina")
        .statement_cache_capacity(128))
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl PostgresStore {
    /// Connects to the database at a `postgres://` URL and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = connect_options(url)?;
        // One plain connection first: a refused or missing database fails at once, with the
        // server's own reason, rather than after the pool's retries time out.
        let first = PgConnection::connect_with(&options)
            .await
            .map_err(|e| match map(e) {
                StorageError::Unavailable(m) => {
                    StorageError::Unavailable(format!("{m} (database URL {})", redact(url)))
                }
                other => other,
            })?;
        let _ = first.close().await;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool = PgPoolOptions::new()
            .max_connections((cores * 4).clamp(8, 32) as u32)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| match map(e) {
                StorageError::Unavailable(m) => {
                    StorageError::Unavailable(format!("{m} (database URL {})", redact(url)))
                }
                other => other,
            })?;
        MIGRATOR.run(&pool).await.map_err(error::migrate)?;
        Ok(Self { pool })
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin().await.map_err(map)
    }
}

fn summaries(rows: Vec<String>) -> Result<Vec<TypeSummary>> {
    rows.iter()
        .map(|s| serde_json::from_str(s).map_err(json))
        .collect()
}

fn limit(page: Page) -> (i64, i64) {
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    (clamp(page.limit), clamp(page.offset))
}

fn category(id: i64, version: i64, data: &str) -> Result<Category> {
    let mut c: Category = serde_json::from_str(data).map_err(json)?;
    c.id = Some(CategoryId::new(id));
    c.version = version;
    Ok(c)
}

/// How a category write treats the stored record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CategoryWrite {
    /// Insert (no id) or update with a version check.
    Save,
    /// Write back as the given id, re-created if deleted, whatever version is stored.
    Restore,
}

impl PostgresStore {
    async fn write_category(
        &self,
        c: &Category,
        author: &Author,
        mode: CategoryWrite,
    ) -> Result<Category> {
        c.validate()?;
        let mut tx = self.begin().await?;
        let mut changes = Changes::default();
        let stored: Option<(String, i64)> = match c.id {
            Some(id) => {
                sqlx::query_as("SELECT slug, version FROM categories WHERE id = $1 FOR UPDATE")
                    .bind(id.get())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map)?
            }
            None => None,
        };
        let (id, version, op) = match (c.id, stored) {
            (Some(id), Some((old, stored))) => {
                if mode == CategoryWrite::Save && stored != c.version {
                    return Err(StorageError::Conflict(format!(
                        "category {} was changed by someone else (version {stored}, not {})",
                        c.slug, c.version
                    )));
                }
                let old = parse_slug(&old)?;
                sqlx::query(
                    "UPDATE categories SET slug = $1, position = $2, data = $3::jsonb, \
                     published = $4, version = $5 WHERE id = $6",
                )
                .bind(c.slug.as_str())
                .bind(c.position)
                .bind(category_data(c)?)
                .bind(c.published)
                .bind(stored + 1)
                .bind(id.get())
                .execute(&mut *tx)
                .await
                .map_err(map)?;
                if old != c.slug {
                    retag_types(&mut tx, id.get(), &old, Some(&c.slug), &mut changes, author)
                        .await?;
                }
                let op = match mode {
                    CategoryWrite::Save => HistoryOp::Update,
                    CategoryWrite::Restore => HistoryOp::Restore,
                };
                (id.get(), stored + 1, op)
            }
            (Some(id), None) if mode == CategoryWrite::Restore => {
                let version = last_version(&mut tx, RecordKind::Category, id.get()).await? + 1;
                sqlx::query(
                    "INSERT INTO categories (id, slug, position, data, published, version) \
                     VALUES ($1, $2, $3, $4::jsonb, $5, $6)",
                )
                .bind(id.get())
                .bind(c.slug.as_str())
                .bind(c.position)
                .bind(category_data(c)?)
                .bind(c.published)
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(map)?;
                (id.get(), version, HistoryOp::Restore)
            }
            (Some(id), None) => return Err(StorageError::not_found("category", id)),
            (None, _) => {
                let id = sqlx::query_scalar(
                    "INSERT INTO categories (slug, position, data, published, version) \
                     VALUES ($1, $2, $3::jsonb, $4, 1) RETURNING id",
                )
                .bind(c.slug.as_str())
                .bind(c.position)
                .bind(category_data(c)?)
                .bind(c.published)
                .fetch_one(&mut *tx)
                .await
                .map_err(map)?;
                (id, 1, HistoryOp::Create)
            }
        };
        let mut out = c.clone();
        out.id = Some(CategoryId::new(id));
        out.version = version;
        record(
            &mut tx,
            author,
            Entry {
                kind: RecordKind::Category,
                record_id: id,
                key: c.slug.as_str(),
                version,
                op,
                record: &out,
            },
        )
        .await?;
        changes.log(&mut tx).await?;
        tx.commit().await.map_err(map)?;
        Ok(out)
    }

    async fn category_summaries(&self, drafts: bool) -> Result<Vec<CategorySummary>> {
        let rows: Vec<(i64, i64, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT c.id, c.version, c.data::text, \
               (SELECT COUNT(*) FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                 WHERE tc.category_id = c.id AND (t.published OR $1)), \
               (SELECT t.summary::text FROM type_categories tc \
                 JOIN badge_types t ON t.id = tc.type_id \
                 WHERE tc.category_id = c.id AND t.has_thumbnail AND (t.published OR $1) \
                 ORDER BY t.position, t.name_en, t.id LIMIT 1) \
             FROM categories c WHERE c.published OR $1 ORDER BY c.position, c.slug",
        )
        .bind(drafts)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.into_iter()
            .map(|(id, version, data, count, first)| {
                let thumbnail = match first {
                    Some(s) => {
                        serde_json::from_str::<TypeSummary>(&s)
                            .map_err(json)?
                            .thumbnail
                    }
                    None => None,
                };
                Ok(CategorySummary {
                    category: category(id, version, &data)?,
                    type_count: count.max(0) as u64,
                    thumbnail,
                })
            })
            .collect()
    }
}

#[async_trait]
impl CollectionStore for PostgresStore {
    async fn collection(&self) -> Result<Option<Collection>> {
        let data: Option<String> =
            sqlx::query_scalar("SELECT data::text FROM collection WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
        data.map(|d| serde_json::from_str(&d).map_err(json))
            .transpose()
    }

    async fn put_collection_by(&self, collection: &Collection, author: &Author) -> Result<()> {
        collection.validate()?;
        let mut tx = self.begin().await?;
        write_collection(&mut tx, collection, author).await?;
        tx.commit().await.map_err(map)
    }
}

#[async_trait]
impl CategoryStore for PostgresStore {
    async fn categories(&self) -> Result<Vec<CategorySummary>> {
        self.category_summaries(false).await
    }

    async fn all_categories(&self) -> Result<Vec<CategorySummary>> {
        self.category_summaries(true).await
    }

    async fn category(&self, slug: &Slug) -> Result<Category> {
        let row: Option<(i64, i64, String)> =
            sqlx::query_as("SELECT id, version, data::text FROM categories WHERE slug = $1")
                .bind(slug.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
        let (id, version, data) = row.ok_or_else(|| StorageError::not_found("category", slug))?;
        category(id, version, &data)
    }

    async fn save_category_by(&self, c: &Category, author: &Author) -> Result<Category> {
        self.write_category(c, author, CategoryWrite::Save).await
    }

    async fn restore_category(&self, c: &Category, author: &Author) -> Result<Category> {
        if c.id.is_none() {
            return Err(StorageError::not_found("category", &c.slug));
        }
        self.write_category(c, author, CategoryWrite::Restore).await
    }

    async fn delete_category_by(&self, slug: &Slug, author: &Author) -> Result<()> {
        self.remove_category(slug, None, author).await
    }

    async fn delete_category_at(&self, slug: &Slug, version: i64, author: &Author) -> Result<()> {
        self.remove_category(slug, Some(version), author).await
    }

    async fn move_category_by(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
        self.reorder_category(slug, to_index, author).await
    }
}

impl PostgresStore {
    async fn remove_category(
        &self,
        slug: &Slug,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (id, version, data): (i64, i64, String) = sqlx::query_as(
            "SELECT id, version, data::text FROM categories WHERE slug = $1 FOR UPDATE",
        )
        .bind(slug.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?
        .ok_or_else(|| StorageError::not_found("category", slug))?;
        if let Some(expected) = expected.filter(|&v| v != version) {
            return Err(StorageError::Conflict(format!(
                "category {slug} was changed by someone else (version {version}, not {expected})"
            )));
        }
        let deleted = category(id, version, &data)?;
        let mut changes = Changes::default();
        retag_types(&mut tx, id, slug, None, &mut changes, author).await?;
        sqlx::query("DELETE FROM categories WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        record(
            &mut tx,
            author,
            Entry {
                kind: RecordKind::Category,
                record_id: id,
                key: slug.as_str(),
                version,
                op: HistoryOp::Delete,
                record: &deleted,
            },
        )
        .await?;
        changes.log(&mut tx).await?;
        tx.commit().await.map_err(map)
    }

    /// Moves a category in one transaction (see [`CategoryStore::move_category_by`]).
    async fn reorder_category(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
        let mut tx = self.begin().await?;
        // Every writer of positions waits: the order read below stays the order written.
        sqlx::query("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        let moved: i64 = sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?
            .ok_or_else(|| StorageError::not_found("category", slug))?;
        let order: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, position FROM categories ORDER BY position, slug")
                .fetch_all(&mut *tx)
                .await
                .map_err(map)?;
        let from = order.iter().position(|&(id, _)| id == moved).unwrap_or(0);
        let positions: Vec<i64> = order.iter().map(|&(_, p)| p).collect();
        for (i, position) in vitrina_storage::placements(&positions, from, to_index) {
            let id = order[i].0;
            let (key, version, data): (String, i64, String) =
                sqlx::query_as("SELECT slug, version, data::text FROM categories WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map)?;
            let mut c = category(id, version, &data)?;
            c.position = position;
            c.version = version + 1;
            sqlx::query(
                "UPDATE categories SET position = $1, data = $2::jsonb, version = $3 WHERE id = $4",
            )
            .bind(position)
            .bind(category_data(&c)?)
            .bind(c.version)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
            record(
                &mut tx,
                author,
                Entry {
                    kind: RecordKind::Category,
                    record_id: id,
                    key: &key,
                    version: c.version,
                    op: HistoryOp::Update,
                    record: &c,
                },
            )
            .await?;
        }
        tx.commit().await.map_err(map)
    }
}

impl PostgresStore {
    async fn remove_type(&self, slug: &Slug, expected: Option<i64>, author: &Author) -> Result<()> {
        let mut tx = self.begin().await?;
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, version, document::text FROM badge_types WHERE slug = $1 FOR UPDATE",
        )
        .bind(slug.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
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
        load_private(&mut *tx, &mut deleted, id).await?;
        sqlx::query("DELETE FROM badge_types WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        record(
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
        changes.log(&mut tx).await?;
        tx.commit().await.map_err(map)
    }

    /// Moves a type in one transaction (see [`TypeStore::move_type_by`]).
    async fn reorder_type(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
        let mut tx = self.begin().await?;
        // Every writer of positions waits: the order read below stays the order written.
        sqlx::query("LOCK TABLE badge_types IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        let moved: i64 = sqlx::query_scalar("SELECT id FROM badge_types WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?
            .ok_or_else(|| StorageError::not_found("badge type", slug))?;
        let order: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, position FROM badge_types ORDER BY position, name_en, id")
                .fetch_all(&mut *tx)
                .await
                .map_err(map)?;
        let from = order.iter().position(|&(id, _)| id == moved).unwrap_or(0);
        let positions: Vec<i64> = order.iter().map(|&(_, p)| p).collect();
        let mut changes = Changes::default();
        for (i, position) in vitrina_storage::placements(&positions, from, to_index) {
            reposition_type(&mut tx, order[i].0, position, &mut changes, author).await?;
        }
        changes.log(&mut tx).await?;
        tx.commit().await.map_err(map)
    }
}

#[async_trait]
impl TypeStore for PostgresStore {
    async fn types(&self, filter: &TypeFilter, page: Page) -> Result<(Vec<TypeSummary>, u64)> {
        let (limit, offset) = limit(page);
        let (rows, total): (Vec<String>, i64) = match &filter.category {
            None => {
                let rows = sqlx::query_scalar(
                    "SELECT summary::text FROM badge_types WHERE published OR $1 \
                     ORDER BY position, name_en, id LIMIT $2 OFFSET $3",
                )
                .bind(filter.drafts)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
                let total =
                    sqlx::query_scalar("SELECT COUNT(*) FROM badge_types WHERE published OR $1")
                        .bind(filter.drafts)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(map)?;
                (rows, total)
            }
            Some(slug) => {
                let category: i64 = sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
                    .bind(slug.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map)?
                    .ok_or_else(|| StorageError::not_found("category", slug))?;
                let rows = sqlx::query_scalar(
                    "SELECT t.summary::text FROM badge_types t JOIN type_categories tc ON tc.type_id = t.id \
                     WHERE tc.category_id = $1 AND (t.published OR $2) \
                     ORDER BY t.position, t.name_en, t.id LIMIT $3 OFFSET $4",
                )
                .bind(category)
                .bind(filter.drafts)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
                let total = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                     WHERE tc.category_id = $1 AND (t.published OR $2)",
                )
                .bind(category)
                .bind(filter.drafts)
                .fetch_one(&self.pool)
                .await
                .map_err(map)?;
                (rows, total)
            }
        };
        Ok((summaries(rows)?, total.max(0) as u64))
    }

    async fn badge_type(&self, slug: &Slug, access: Access) -> Result<BadgeType> {
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, version, document::text FROM badge_types \
             WHERE slug = $1 AND (published OR $2)",
        )
        .bind(slug.as_str())
        .bind(access == Access::Private)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let (id, version, document) =
            row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
        let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
        t.id = Some(TypeId::new(id));
        t.version = version;
        match access {
            // The document never holds private fields; `into_public` is the second lock.
            Access::Public => Ok(t.into_public()),
            Access::Private => {
                load_private(&self.pool, &mut t, id).await?;
                Ok(t)
            }
        }
    }

    async fn save_type_by(&self, badge_type: &BadgeType, author: &Author) -> Result<BadgeType> {
        badge_type.validate()?;
        let mut tx = self.begin().await?;
        let categories = category_ids(&mut tx).await?;
        let mut changes = Changes::default();
        let t = write_type(
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
        let t = finish_type(&mut tx, t, author, op).await?;
        changes.log(&mut tx).await?;
        tx.commit().await.map_err(map)?;
        Ok(t)
    }

    async fn restore_type(&self, badge_type: &BadgeType, author: &Author) -> Result<BadgeType> {
        let Some(id) = badge_type.id else {
            return Err(StorageError::not_found("badge type", &badge_type.slug));
        };
        badge_type.validate()?;
        let mut tx = self.begin().await?;
        let categories = category_ids(&mut tx).await?;
        // Categories deleted since are left out rather than refusing the restore.
        let mut t = badge_type.clone();
        t.categories.retain(|c| categories.contains_key(c));
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM badge_types WHERE id = $1")
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?;
        if exists.is_none() {
            // Re-created with its old id, so its history goes on; the write bumps the version.
            let version = last_version(&mut tx, RecordKind::Type, id.get()).await?;
            sqlx::query(
                "INSERT INTO badge_types (id, slug, position, version, name_en, document, summary) \
                 VALUES ($1, $2, $3, $4, $5, '{}'::jsonb, '{}'::jsonb)",
            )
            .bind(id.get())
            .bind(t.slug.as_str())
            .bind(t.position)
            .bind(version)
            .bind(&t.names.en)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        let mut changes = Changes::default();
        let t = write_type(
            &mut tx,
            &t,
            Some(id),
            Ids::Lenient,
            &categories,
            &mut changes,
        )
        .await?;
        let t = finish_type(&mut tx, t, author, HistoryOp::Restore).await?;
        changes.log(&mut tx).await?;
        tx.commit().await.map_err(map)?;
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
        let limit = i64::try_from(limit.clamp(1, Page::MAX_LIMIT)).unwrap_or(1);
        // A keyset: the row-value comparison and ORDER BY walk one index from the cursor on.
        let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new("");
        let (key, order) = match &filter.category {
            None => {
                q.push("SELECT summary::text FROM badge_types WHERE TRUE");
                if !filter.drafts {
                    q.push(" AND published");
                }
                ("(position, name_en, id)", " ORDER BY position, name_en, id")
            }
            Some(category) => {
                q.push(
                    "SELECT t.summary::text FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                     WHERE tc.category_id = (SELECT id FROM categories WHERE slug = ",
                )
                .push_bind(category.as_str().to_owned())
                .push(")");
                if !filter.drafts {
                    q.push(" AND tc.published");
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
                .push_bind(c.name_en.clone())
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        q.push(order).push(" LIMIT ").push_bind(limit);
        let rows: Vec<String> = q
            .build_query_scalar()
            .fetch_all(&self.pool)
            .await
            .map_err(map)?;
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
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT slug, summary::text FROM badge_types \
                 WHERE slug = ANY($1) AND (published OR $2)",
        )
        .bind(&asked)
        .bind(drafts)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        let found: HashMap<String, String> = rows.into_iter().collect();
        asked
            .iter()
            .filter_map(|s| found.get(*s))
            .map(|s| serde_json::from_str(s).map_err(json))
            .collect()
    }

    async fn neighbours(&self, slug: &Slug) -> Result<Neighbours> {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT position, name_en, id FROM badge_types WHERE slug = $1 AND published",
        )
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let (position, name, id) =
            row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
        let mut out = Neighbours::default();
        for (sql, slot) in [
            (
                "SELECT summary::text FROM badge_types WHERE (position, name_en, id) < ($1, $2, $3) \
                 AND published ORDER BY position DESC, name_en DESC, id DESC LIMIT 1",
                &mut out.previous,
            ),
            (
                "SELECT summary::text FROM badge_types WHERE (position, name_en, id) > ($1, $2, $3) \
                 AND published ORDER BY position, name_en, id LIMIT 1",
                &mut out.next,
            ),
        ] {
            let s: Option<String> = sqlx::query_scalar(sql)
                .bind(position)
                .bind(&name)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
            *slot = s
                .map(|s| serde_json::from_str(&s).map_err(json))
                .transpose()?;
        }
        Ok(out)
    }
}

#[async_trait]
impl ChangeLog for PostgresStore {
    async fn changes_since(&self, after: i64, limit: u64) -> Result<Vec<Change>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT seq, type_slug, op FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.into_iter()
            .map(|(seq, slug, op)| {
                Ok(Change {
                    seq,
                    slug: parse_slug(&slug)?,
                    op: ChangeOp::parse(&op)?,
                })
            })
            .collect()
    }

    async fn last_change(&self) -> Result<i64> {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes")
            .fetch_one(&self.pool)
            .await
            .map_err(map)?;
        Ok(last.unwrap_or(0))
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn engine(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn is_empty(&self) -> Result<bool> {
        let any: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM collection) OR EXISTS (SELECT 1 FROM categories) \
             OR EXISTS (SELECT 1 FROM badge_types)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        Ok(!any)
    }

    async fn import(&self, snapshot: &Snapshot) -> Result<()> {
        snapshot.validate()?;
        let author = Author::system();
        let mut tx = self.begin().await?;
        write_collection(&mut tx, &snapshot.collection, &author).await?;
        for c in &snapshot.categories {
            let existed: Option<i64> =
                sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
                    .bind(c.slug.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map)?;
            let (id, version): (i64, i64) = sqlx::query_as(
                "INSERT INTO categories (slug, position, data, published, version) \
                 VALUES ($1, $2, $3::jsonb, $4, 1) \
                 ON CONFLICT (slug) DO UPDATE SET position = excluded.position, \
                   data = excluded.data, published = excluded.published, \
                   version = categories.version + 1 \
                 RETURNING id, version",
            )
            .bind(c.slug.as_str())
            .bind(c.position)
            .bind(category_data(c)?)
            .bind(c.published)
            .fetch_one(&mut *tx)
            .await
            .map_err(map)?;
            let mut stored = c.clone();
            stored.id = Some(CategoryId::new(id));
            stored.version = version;
            record(
                &mut tx,
                &author,
                Entry {
                    kind: RecordKind::Category,
                    record_id: id,
                    key: c.slug.as_str(),
                    version,
                    op: if existed.is_some() {
                        HistoryOp::Update
                    } else {
                        HistoryOp::Create
                    },
                    record: &stored,
                },
            )
            .await?;
        }
        let categories = category_ids(&mut tx).await?;
        let existing: HashMap<String, i64> =
            sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM badge_types")
                .fetch_all(&mut *tx)
                .await
                .map_err(map)?
                .into_iter()
                .collect();
        let mut changes = Changes::default();
        for t in &snapshot.types {
            let target = existing.get(t.slug.as_str()).map(|&id| TypeId::new(id));
            let stored =
                write_type(&mut tx, t, target, Ids::Lenient, &categories, &mut changes).await?;
            let op = match target {
                Some(_) => HistoryOp::Update,
                None => HistoryOp::Create,
            };
            finish_type(&mut tx, stored, &author, op).await?;
        }
        changes.log(&mut tx).await?;
        tx.commit().await.map_err(map)
    }

    async fn type_slugs(&self) -> Result<Vec<Slug>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT slug FROM badge_types WHERE published ORDER BY position, name_en, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter().map(|s| parse_slug(s)).collect()
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// Loads what a type's history records (its private fields) and records the revision.
async fn finish_type(
    tx: &mut PgConnection,
    mut t: BadgeType,
    author: &Author,
    op: HistoryOp,
) -> Result<BadgeType> {
    let type_id = t.id.map_or(0, |i| i.get());
    load_private(&mut *tx, &mut t, type_id).await?;
    record(
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

/// Replaces the collection's record and records the revision.
async fn write_collection(
    tx: &mut PgConnection,
    collection: &Collection,
    author: &Author,
) -> Result<()> {
    let existed: Option<i32> =
        sqlx::query_scalar("SELECT id FROM collection WHERE id = 1 FOR UPDATE")
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?;
    sqlx::query(
        "INSERT INTO collection (id, data) VALUES (1, $1::jsonb) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data",
    )
    .bind(serde_json::to_string(collection).map_err(json)?)
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    let version = last_version(tx, RecordKind::Collection, 1).await? + 1;
    record(
        tx,
        author,
        Entry {
            kind: RecordKind::Collection,
            record_id: 1,
            key: "collection",
            version,
            op: if existed.is_some() {
                HistoryOp::Update
            } else {
                HistoryOp::Create
            },
            record: collection,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_passwords_kept_out_of_messages() {
        assert!(connect_options("postgres://postgres@127.0.0.1:5432/vitrina").is_ok());
        assert!(connect_options("postgresql://u:p@localhost/vitrina").is_ok());
        let err = connect_options("sqlite://vitrina.db").unwrap_err();
        assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }

    #[tokio::test]
    async fn a_refused_connection_is_unavailable_with_a_clear_message() {
        // Port 1 on localhost: nothing listens there.
        let err = PostgresStore::connect("postgres://postgres:pw@127.0.0.1:1/vitrina")
            .await
            .unwrap_err();
        match err {
            StorageError::Unavailable(m) => {
                assert!(m.contains("127.0.0.1:1") && !m.contains("pw@"), "{m}");
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
}
