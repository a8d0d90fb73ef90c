//! The embedded default storage backend: [`SqliteStore`], SQLite through sqlx, with its own
//! migrations (`migrations/`, run on open).
//!
//! Reads are built to be cheap, because the public type page is served from here: a badge type
//! is stored as one public JSON document (children and their ids included, private fields never)
//! beside a [`TypeSummary`] for lists, so a public read is one lookup by the unique slug index and
//! never touches `specimen_private`. The child tables hold only structure (ids, parents, order) so
//! that ids are assigned here and never reused, foreign keys hold and deletes cascade. Writes go
//! through one connection in `BEGIN IMMEDIATE` transactions; reads use a pool of their own, which
//! WAL lets run beside the writer.

mod accounts;
mod error;
mod history;
mod write;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
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

/// How long a statement waits for a lock held by another process before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A Vitrina collection in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Readers: several connections, which WAL lets read while the writer writes.
    read: SqlitePool,
    /// The writer: one connection, so writers queue here instead of failing with SQLITE_BUSY.
    write: SqlitePool,
}

/// Connection options for a `sqlite://PATH` (or `sqlite:PATH`, `sqlite::memory:`) URL: the file
/// is created when missing, in WAL mode with foreign keys on.
pub fn connect_options(url: &str) -> Result<SqliteConnectOptions> {
    if !url.starts_with("sqlite:") {
        return Err(StorageError::Unavailable(format!(
            "not a SQLite URL (expected sqlite://PATH): {url}"
        )));
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StorageError::Unavailable(format!("bad SQLite URL {url}: {e}")))?;
    Ok(options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .statement_cache_capacity(64))
}

fn is_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at a `sqlite://PATH` URL and migrates it.
    pub async fn open(url: &str) -> Result<Self> {
        let options = connect_options(url)?;
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(map)?;
        MIGRATOR.run(&write).await.map_err(error::migrate)?;
        // An in-memory database exists once per connection: read and write through the same one.
        let read = if is_memory(url) {
            write.clone()
        } else {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            SqlitePoolOptions::new()
                .max_connections((cores * 2).clamp(4, 16) as u32)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                // No memory map: the public site answers from its page cache, so reads are
                // rare, and a map of a large database would count, page by page, in the
                // server's resident memory. SQLite's own page cache per reader is bounded.
                .connect_with(options.read_only(true))
                .await
                .map_err(map)?
        };
        Ok(Self { read, write })
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.write.begin_with("BEGIN IMMEDIATE").await.map_err(map)
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

impl SqliteStore {
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
            Some(id) => sqlx::query_as("SELECT slug, version FROM categories WHERE id = ?")
                .bind(id.get())
                .fetch_optional(&mut *tx)
                .await
                .map_err(map)?,
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
                    "UPDATE categories SET slug = ?, position = ?, data = ?, published = ?, \
                     version = ? WHERE id = ?",
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
                     VALUES (?, ?, ?, ?, ?, ?)",
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
                     VALUES (?, ?, ?, ?, 1) RETURNING id",
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
            "SELECT c.id, c.version, c.data, \
               (SELECT COUNT(*) FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                 WHERE tc.category_id = c.id AND (t.published = 1 OR ?1)), \
               (SELECT t.summary FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                 WHERE tc.category_id = c.id AND t.has_thumbnail = 1 AND (t.published = 1 OR ?1) \
                 ORDER BY t.position, t.name_en, t.id LIMIT 1) \
             FROM categories c WHERE c.published = 1 OR ?1 ORDER BY c.position, c.slug",
        )
        .bind(drafts)
        .fetch_all(&self.read)
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
impl CollectionStore for SqliteStore {
    async fn collection(&self) -> Result<Option<Collection>> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM collection WHERE id = 1")
            .fetch_optional(&self.read)
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
impl CategoryStore for SqliteStore {
    async fn categories(&self) -> Result<Vec<CategorySummary>> {
        self.category_summaries(false).await
    }

    async fn all_categories(&self) -> Result<Vec<CategorySummary>> {
        self.category_summaries(true).await
    }

    async fn category(&self, slug: &Slug) -> Result<Category> {
        let row: Option<(i64, i64, String)> =
            sqlx::query_as("SELECT id, version, data FROM categories WHERE slug = ?")
                .bind(slug.as_str())
                .fetch_optional(&self.read)
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

impl SqliteStore {
    async fn remove_category(
        &self,
        slug: &Slug,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (id, version, data): (i64, i64, String) =
            sqlx::query_as("SELECT id, version, data FROM categories WHERE slug = ?")
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
        sqlx::query("DELETE FROM categories WHERE id = ?")
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
        let moved: i64 = sqlx::query_scalar("SELECT id FROM categories WHERE slug = ?")
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
                sqlx::query_as("SELECT slug, version, data FROM categories WHERE id = ?")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map)?;
            let mut c = category(id, version, &data)?;
            c.position = position;
            c.version = version + 1;
            sqlx::query("UPDATE categories SET position = ?, data = ?, version = ? WHERE id = ?")
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

impl SqliteStore {
    async fn remove_type(&self, slug: &Slug, expected: Option<i64>, author: &Author) -> Result<()> {
        let mut tx = self.begin().await?;
        let row: Option<(i64, i64, String)> =
            sqlx::query_as("SELECT id, version, document FROM badge_types WHERE slug = ?")
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
        sqlx::query("DELETE FROM badge_types WHERE id = ?")
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
        let moved: i64 = sqlx::query_scalar("SELECT id FROM badge_types WHERE slug = ?")
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
impl TypeStore for SqliteStore {
    async fn types(&self, filter: &TypeFilter, page: Page) -> Result<(Vec<TypeSummary>, u64)> {
        let (limit, offset) = limit(page);
        let (rows, total): (Vec<String>, i64) = match &filter.category {
            None => {
                let rows = sqlx::query_scalar(
                    "SELECT summary FROM badge_types WHERE published = 1 OR ? \
                     ORDER BY position, name_en, id LIMIT ? OFFSET ?",
                )
                .bind(filter.drafts)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.read)
                .await
                .map_err(map)?;
                let total =
                    sqlx::query_scalar("SELECT COUNT(*) FROM badge_types WHERE published = 1 OR ?")
                        .bind(filter.drafts)
                        .fetch_one(&self.read)
                        .await
                        .map_err(map)?;
                (rows, total)
            }
            Some(slug) => {
                let category: i64 = sqlx::query_scalar("SELECT id FROM categories WHERE slug = ?")
                    .bind(slug.as_str())
                    .fetch_optional(&self.read)
                    .await
                    .map_err(map)?
                    .ok_or_else(|| StorageError::not_found("category", slug))?;
                let rows = sqlx::query_scalar(
                    "SELECT t.summary FROM badge_types t JOIN type_categories tc ON tc.type_id = t.id \
                     WHERE tc.category_id = ? AND (t.published = 1 OR ?) \
                     ORDER BY t.position, t.name_en, t.id LIMIT ? OFFSET ?",
                )
                .bind(category)
                .bind(filter.drafts)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.read)
                .await
                .map_err(map)?;
                let total = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                     WHERE tc.category_id = ? AND (t.published = 1 OR ?)",
                )
                .bind(category)
                .bind(filter.drafts)
                .fetch_one(&self.read)
                .await
                .map_err(map)?;
                (rows, total)
            }
        };
        Ok((summaries(rows)?, total.max(0) as u64))
    }

    async fn badge_type(&self, slug: &Slug, access: Access) -> Result<BadgeType> {
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, version, document FROM badge_types WHERE slug = ? AND (published = 1 OR ?)",
        )
        .bind(slug.as_str())
        .bind(access == Access::Private)
        .fetch_optional(&self.read)
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
                load_private(&self.read, &mut t, id).await?;
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
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM badge_types WHERE id = ?")
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?;
        if exists.is_none() {
            // Re-created with its old id, so its history goes on; the write bumps the version.
            let version = last_version(&mut tx, RecordKind::Type, id.get()).await?;
            sqlx::query(
                "INSERT INTO badge_types (id, slug, position, version, name_en, document, summary) \
                 VALUES (?, ?, ?, ?, ?, '{}', '{}')",
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
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("");
        let (key, order) = match &filter.category {
            None => {
                q.push("SELECT summary FROM badge_types WHERE TRUE");
                if !filter.drafts {
                    q.push(" AND published = 1");
                }
                ("(position, name_en, id)", " ORDER BY position, name_en, id")
            }
            Some(category) => {
                q.push(
                    "SELECT t.summary FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                     WHERE tc.category_id = (SELECT id FROM categories WHERE slug = ",
                )
                .push_bind(category.as_str().to_owned())
                .push(")");
                if !filter.drafts {
                    q.push(" AND tc.published = 1");
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
            .fetch_all(&self.read)
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
            "SELECT slug, summary FROM badge_types \
                 WHERE slug IN (SELECT value FROM json_each($1)) AND (published = 1 OR $2)",
        )
        .bind(serde_json::to_string(&asked).map_err(json)?)
        .bind(drafts)
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        let found: HashMap<String, String> = rows.into_iter().collect();
        asked
            .iter()
            .filter_map(|s| found.get(*s))
            .map(|s| serde_json::from_str(s).map_err(json))
            .collect()
    }

    /// One statement for the type and both neighbours: on the public site's hot path every
    /// round trip through sqlx's SQLite worker costs more than the query itself.
    async fn public_type_page(&self, slug: &Slug) -> Result<(BadgeType, Neighbours)> {
        type Row = (i64, i64, String, Option<String>, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT t.id, t.version, t.document, \
               (SELECT p.summary FROM badge_types p \
                 WHERE (p.position, p.name_en, p.id) < (t.position, t.name_en, t.id) \
                   AND p.published = 1 \
                 ORDER BY p.position DESC, p.name_en DESC, p.id DESC LIMIT 1), \
               (SELECT n.summary FROM badge_types n \
                 WHERE (n.position, n.name_en, n.id) > (t.position, t.name_en, t.id) \
                   AND n.published = 1 \
                 ORDER BY n.position, n.name_en, n.id LIMIT 1) \
             FROM badge_types t WHERE t.slug = ? AND t.published = 1",
        )
        .bind(slug.as_str())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?;
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
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT position, name_en, id FROM badge_types WHERE slug = ? AND published = 1",
        )
        .bind(slug.as_str())
        .fetch_optional(&self.read)
        .await
        .map_err(map)?;
        let (position, name, id) =
            row.ok_or_else(|| StorageError::not_found("badge type", slug))?;
        let mut out = Neighbours::default();
        for (sql, slot) in [
            (
                "SELECT summary FROM badge_types WHERE (position, name_en, id) < (?, ?, ?) \
                 AND published = 1 ORDER BY position DESC, name_en DESC, id DESC LIMIT 1",
                &mut out.previous,
            ),
            (
                "SELECT summary FROM badge_types WHERE (position, name_en, id) > (?, ?, ?) \
                 AND published = 1 ORDER BY position, name_en, id LIMIT 1",
                &mut out.next,
            ),
        ] {
            let s: Option<String> = sqlx::query_scalar(sql)
                .bind(position)
                .bind(&name)
                .bind(id)
                .fetch_optional(&self.read)
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
impl ChangeLog for SqliteStore {
    async fn changes_since(&self, after: i64, limit: u64) -> Result<Vec<Change>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT seq, type_slug, op FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.read)
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
            .fetch_one(&self.read)
            .await
            .map_err(map)?;
        Ok(last.unwrap_or(0))
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn is_empty(&self) -> Result<bool> {
        let any: i64 = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM collection) OR EXISTS (SELECT 1 FROM categories) \
             OR EXISTS (SELECT 1 FROM badge_types)",
        )
        .fetch_one(&self.read)
        .await
        .map_err(map)?;
        Ok(any == 0)
    }

    async fn import(&self, snapshot: &Snapshot) -> Result<()> {
        snapshot.validate()?;
        let author = Author::system();
        let mut tx = self.begin().await?;
        write_collection(&mut tx, &snapshot.collection, &author).await?;
        for c in &snapshot.categories {
            let existed: Option<i64> =
                sqlx::query_scalar("SELECT id FROM categories WHERE slug = ?")
                    .bind(c.slug.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map)?;
            let (id, version): (i64, i64) = sqlx::query_as(
                "INSERT INTO categories (slug, position, data, published, version) \
                 VALUES (?, ?, ?, ?, 1) \
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
            "SELECT slug FROM badge_types WHERE published = 1 ORDER BY position, name_en, id",
        )
        .fetch_all(&self.read)
        .await
        .map_err(map)?;
        rows.iter().map(|s| parse_slug(s)).collect()
    }

    async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// Loads what a type's history records (its private fields) and records the revision.
async fn finish_type(
    tx: &mut sqlx::SqliteConnection,
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
    tx: &mut sqlx::SqliteConnection,
    collection: &Collection,
    author: &Author,
) -> Result<()> {
    let existed: Option<i64> = sqlx::query_scalar("SELECT id FROM collection WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
    sqlx::query(
        "INSERT INTO collection (id, data) VALUES (1, ?) \
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
    fn urls_name_a_file_and_other_engines_are_refused() {
        let o = connect_options("sqlite:///tmp/vitrina/catalogue.db").unwrap();
        assert_eq!(
            o.get_filename(),
            std::path::Path::new("/tmp/vitrina/catalogue.db")
        );
        let o = connect_options("sqlite://data/vitrina.db").unwrap();
        assert_eq!(o.get_filename(), std::path::Path::new("data/vitrina.db"));
        assert!(matches!(
            connect_options("postgres://localhost/vitrina"),
            Err(StorageError::Unavailable(_))
        ));
        assert!(is_memory("sqlite::memory:"));
        assert!(!is_memory("sqlite://memory.db"));
    }

    #[tokio::test]
    async fn a_directory_that_does_not_exist_is_unavailable_not_a_panic() {
        let err = SqliteStore::open("sqlite:///nonexistent-dir-vitrina/x/y.db")
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    }

    #[tokio::test]
    async fn an_in_memory_store_works() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        assert!(store.is_empty().await.unwrap());
        store.ping().await.unwrap();
        store.close().await;
    }
}
