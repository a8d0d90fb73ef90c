//! The embedded default storage backend: [`SqliteStore`], SQLite through sqlx, with its own
//! migrations (`migrations/`, run on open).
//!
//! The SQL is shared with PostgreSQL (`vitrina-storage-sql`); this crate holds what is SQLite's
//! own: the file and its pragmas (WAL, foreign keys, a busy timeout), the pools, the migrations
//! and [`SqliteDialect`]. Writes go through one connection in `BEGIN IMMEDIATE` transactions,
//! which exclude each other, so SQLite needs none of PostgreSQL's row and table locks; reads use
//! a pool of their own, which WAL lets run beside the writer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::error::DatabaseError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions,
    SqliteQueryResult, SqliteSynchronous,
};
use vitrina_storage::{Result, StorageError};
use vitrina_storage_sql::error::{map, migrate};
use vitrina_storage_sql::{Dialect, SqlStore};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a statement waits for a lock held by another process before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A Vitrina collection in one SQLite file.
pub type SqliteStore = SqlStore<SqliteDialect>;

/// SQLite's primary result codes that mean "the database file cannot be used at all".
const CANTOPEN: i64 = 14;
const NOTADB: i64 = 26;
const READONLY: i64 = 8;

/// How SQLite differs from the SQL the backends share.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    type DB = sqlx::Sqlite;

    const ENGINE: &'static str = "sqlite";
    const NAME: &'static str = "SQLite";
    const TRUE: &'static str = "1";
    const FOR_UPDATE: &'static str = "";
    const JSON_EACH: &'static str = "json_each";
    /// Nothing to lock: one writer at a time, so rows commit in `seq` order.
    const LOCK_CHANGE_LOG: &'static str = "(SELECT 1) AS change_log_lock";
    const EXPLAIN: (&'static str, &'static str) = ("EXPLAIN QUERY PLAN ", "detail");
    /// Takes the write lock at once, so a transaction never fails half-way for want of it.
    const BEGIN: Option<&'static str> = Some("BEGIN IMMEDIATE");
    /// A deferred transaction on a read connection: in WAL mode its first read fixes the
    /// snapshot every later read in it sees, while the writer goes on.
    const BEGIN_SNAPSHOT: Option<&'static str> = None;
    /// SQLite stores a given id as it is.
    const OVERRIDING_SYSTEM_VALUE: &'static str = "";

    async fn open(url: &str) -> Result<SqliteStore> {
        let options = connect_options(url)?;
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(map::<Self>)?;
        MIGRATOR.run(&write).await.map_err(migrate)?;
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
                .map_err(map::<Self>)?
        };
        Ok(SqlStore::from_pools(read, write))
    }

    /// Nothing to lock: the writer is one connection in `BEGIN IMMEDIATE` transactions.
    async fn lock_order(_: &mut SqliteConnection, _: &'static str) -> sqlx::Result<()> {
        Ok(())
    }

    /// Nothing to do: an `AUTOINCREMENT` table notes the highest id inserted, given or not.
    async fn continue_ids(_: &mut SqliteConnection, _: &'static str) -> sqlx::Result<()> {
        Ok(())
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }

    /// SQLite says `UNIQUE constraint failed: badge_types.slug`.
    fn is_unique_on(e: &dyn DatabaseError, table: &str, column: &str) -> bool {
        e.message().contains(&format!("{table}.{column}"))
    }

    fn is_unusable(e: &dyn DatabaseError) -> bool {
        // Extended codes carry the primary code in their low byte.
        let primary = e
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .map(|c| c & 0xff);
        matches!(primary, Some(CANTOPEN | NOTADB | READONLY))
    }
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

#[cfg(test)]
mod tests {
    use vitrina_storage::Store;

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

    #[test]
    fn shared_statements_read_as_sqlite() {
        let sql = SqliteDialect::sql(
            "SELECT '{}' FROM badge_types WHERE published = {TRUE} AND slug IN \
             (SELECT value FROM {JSON_EACH}($1)) {FOR UPDATE}",
        );
        assert_eq!(
            sql.0,
            "SELECT '{}' FROM badge_types WHERE published = 1 AND slug IN \
             (SELECT value FROM json_each($1)) "
        );
    }

    #[test]
    fn a_restore_gives_ids_as_they_are() {
        let sql =
            SqliteDialect::sql("INSERT INTO history (id) {OVERRIDING SYSTEM VALUE} VALUES ($1)");
        assert_eq!(sql.0, "INSERT INTO history (id)  VALUES ($1)");
        assert_eq!(
            SqliteDialect::BEGIN_SNAPSHOT,
            None,
            "a plain deferred BEGIN"
        );
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
        assert_eq!(store.engine(), "sqlite");
        store.close().await;
    }

    /// The public order of types is read from the partial index, which SQLite uses only when the
    /// query says `published = 1` as the index does: the reason for the `{TRUE}` token.
    #[tokio::test]
    async fn public_lists_use_the_partial_index() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        SqliteStore::open(&url).await.unwrap().close().await;
        let mut conn =
            <SqliteConnection as sqlx::Connection>::connect_with(&connect_options(&url).unwrap())
                .await
                .unwrap();
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(SqliteDialect::sql(
            "EXPLAIN QUERY PLAN SELECT slug FROM badge_types WHERE published = {TRUE} \
             ORDER BY position, name_en, id",
        ))
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(
            plan.iter()
                .any(|row| row.3.contains("badge_types_public_order")),
            "{plan:?}"
        );
    }
}
