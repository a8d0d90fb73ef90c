//! The scale-out storage backend: [`PostgresStore`], PostgreSQL through sqlx, with its own
//! migrations (`migrations/`, run on connect).
//!
//! The SQL is shared with SQLite (`vitrina-storage-sql`), so both behave alike under the shared
//! test suite; this crate holds what is PostgreSQL's own: the connection and its pool, the
//! migrations (JSONB documents, names that sort with the `C` collation, byte by byte, as SQLite
//! does) and [`PostgresDialect`] — the row and table locks that concurrent writers need here and
//! SQLite's single writer does not.

use std::str::FromStr;
use std::time::Duration;

use sqlx::error::DatabaseError;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions, PgQueryResult};
use sqlx::{AssertSqlSafe, Connection};
use vitrina_storage::{Result, StorageError};
use vitrina_storage_sql::error::{map, migrate};
use vitrina_storage_sql::{Dialect, SqlStore};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A Vitrina collection in a PostgreSQL database.
pub type PostgresStore = SqlStore<PostgresDialect>;

/// SQLSTATEs that mean "this database cannot be used", not "this statement failed".
const UNAVAILABLE: &[&str] = &[
    "3D000", // invalid_catalog_name: the database does not exist
    "28000", // invalid_authorization_specification
    "28P01", // invalid_password
    "53300", // too_many_connections
    "57P01", // admin_shutdown
    "57P02", // crash_shutdown
    "57P03", // cannot_connect_now
    "08000", "08001", "08003", "08004", "08006", // connection exceptions
];

/// The key of the transaction-level advisory lock that serialises change-log writers (see
/// migrations/0002_changes.sql, written when this lived in `src/write.rs`). Arbitrary and
/// fixed: the ASCII bytes of "vitrinac". [`PostgresDialect::LOCK_CHANGE_LOG`] spells it out in
/// decimal, and a test ties the two together.
#[cfg(test)]
const CHANGE_LOG_LOCK: i64 = 0x7669_7472_696e_6163;

/// How PostgreSQL differs from the SQL the backends share.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostgresDialect;

impl Dialect for PostgresDialect {
    type DB = sqlx::Postgres;

    const ENGINE: &'static str = "postgres";
    const NAME: &'static str = "PostgreSQL";
    const TRUE: &'static str = "TRUE";
    const FOR_UPDATE: &'static str = "FOR UPDATE";
    const JSON_EACH: &'static str = "jsonb_array_elements_text";
    /// A sequence hands out numbers at INSERT, not at COMMIT, so two concurrent transactions
    /// could commit 6 before 5. Sequence numbers are therefore taken under this lock (its key is
    /// `CHANGE_LOG_LOCK`, "vitrinac"), held until COMMIT: log writers commit in `seq` order and a reader
    /// never sees 6 before 5. Taken last, after the row locks the transaction needs, so waiting
    /// on it cannot deadlock; and in the statement that inserts the first row, so it is held
    /// for that statement and the COMMIT only.
    const LOCK_CHANGE_LOG: &'static str =
        "(SELECT pg_advisory_xact_lock(8532479003774050659)) AS change_log_lock";
    const EXPLAIN: (&'static str, &'static str) = ("EXPLAIN ", "QUERY PLAN");
    const BEGIN: Option<&'static str> = None;
    /// One snapshot for the whole transaction (READ COMMITTED would take one per statement).
    const BEGIN_SNAPSHOT: Option<&'static str> =
        Some("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    /// `history.id` and `changes.seq` are `GENERATED ALWAYS`.
    const OVERRIDING_SYSTEM_VALUE: &'static str = "OVERRIDING SYSTEM VALUE";

    async fn open(url: &str) -> Result<PostgresStore> {
        let options = connect_options(url)?;
        let with_url = |e| match map::<Self>(e) {
            StorageError::Unavailable(m) => {
                StorageError::Unavailable(format!("{m} (database URL {})", redact(url)))
            }
            other => other,
        };
        // One plain connection first: a refused or missing database fails at once, with the
        // server's own reason, rather than after the pool's retries time out.
        let first = PgConnection::connect_with(&options)
            .await
            .map_err(with_url)?;
        let _ = first.close().await;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool = PgPoolOptions::new()
            .max_connections((cores * 4).clamp(8, 32) as u32)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(with_url)?;
        MIGRATOR.run(&pool).await.map_err(migrate)?;
        Ok(SqlStore::from_pools(pool.clone(), pool))
    }

    /// Positions are rewritten from the order read: concurrent moves (and saves, which take
    /// row locks that conflict with this lock) wait until this transaction commits.
    async fn lock_order(conn: &mut PgConnection, table: &'static str) -> sqlx::Result<()> {
        let lock = format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE");
        sqlx::query(AssertSqlSafe(lock))
            .execute(conn)
            .await
            .map(drop)
    }

    /// An identity column's sequence does not see ids given to it: moved past the highest.
    async fn continue_ids(conn: &mut PgConnection, table: &'static str) -> sqlx::Result<()> {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        );
        sqlx::query(AssertSqlSafe(sql))
            .execute(conn)
            .await
            .map(drop)
    }

    fn rows_affected(done: &PgQueryResult) -> u64 {
        done.rows_affected()
    }

    /// PostgreSQL names the constraint: `badge_types_slug_key`.
    fn is_unique_on(e: &dyn DatabaseError, table: &str, column: &str) -> bool {
        e.constraint() == Some(&format!("{table}_{column}_key"))
    }

    fn is_unusable(e: &dyn DatabaseError) -> bool {
        e.code().is_some_and(|code| UNAVAILABLE.contains(&&*code))
    }
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

    #[test]
    fn shared_statements_read_as_postgres() {
        let sql = PostgresDialect::sql(
            "SELECT '{}' FROM badge_types WHERE published = {TRUE} AND slug IN \
             (SELECT value FROM {JSON_EACH}($1)) {FOR UPDATE}",
        );
        assert_eq!(
            sql.0,
            "SELECT '{}' FROM badge_types WHERE published = TRUE AND slug IN \
             (SELECT value FROM jsonb_array_elements_text($1)) FOR UPDATE"
        );
    }

    #[test]
    fn a_restore_overrides_always_generated_ids_and_a_dump_reads_one_snapshot() {
        let sql =
            PostgresDialect::sql("INSERT INTO history (id) {OVERRIDING SYSTEM VALUE} VALUES ($1)");
        assert_eq!(
            sql.0,
            "INSERT INTO history (id) OVERRIDING SYSTEM VALUE VALUES ($1)"
        );
        let begin = PostgresDialect::BEGIN_SNAPSHOT.unwrap();
        assert!(begin.contains("REPEATABLE READ") && begin.contains("READ ONLY"));
    }

    #[test]
    fn the_change_log_lock_is_the_documented_key() {
        assert_eq!(&CHANGE_LOG_LOCK.to_be_bytes(), b"vitrinac");
        assert!(
            PostgresDialect::LOCK_CHANGE_LOG
                .contains(&format!("pg_advisory_xact_lock({CHANGE_LOG_LOCK})"))
        );
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
