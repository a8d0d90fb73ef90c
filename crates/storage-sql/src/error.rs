//! From sqlx's errors to the storage error every backend speaks.

use vitrina_storage::StorageError;

use crate::Dialect;

/// Classifies a sqlx error: taken keys are `Conflict`, a database that cannot be reached or
/// used is `Unavailable`, the rest `Backend`.
pub fn map<D: Dialect>(e: sqlx::Error) -> StorageError {
    let name = D::NAME;
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let what = if D::is_unique_on(&*db, "badge_types", "slug") {
                "a badge type with this slug already exists"
            } else if D::is_unique_on(&*db, "categories", "slug") {
                "a category with this slug already exists"
            } else {
                "a record with this key already exists"
            };
            StorageError::Conflict(format!("{what} ({})", db.message()))
        }
        sqlx::Error::Database(db) if D::is_unusable(&*db) => {
            let code = db.code().unwrap_or_default();
            StorageError::Unavailable(format!(
                "cannot use the {name} database: {} ({code})",
                db.message()
            ))
        }
        sqlx::Error::Io(io) => {
            StorageError::Unavailable(format!("cannot reach the {name} database: {io}"))
        }
        sqlx::Error::Tls(tls) => {
            StorageError::Unavailable(format!("cannot reach the {name} database: {tls}"))
        }
        sqlx::Error::PoolTimedOut => {
            StorageError::Unavailable(format!("timed out waiting for a {name} connection"))
        }
        sqlx::Error::PoolClosed => StorageError::Unavailable(format!("the {name} store is closed")),
        sqlx::Error::Migrate(m) => StorageError::Migration(m.to_string()),
        other => StorageError::Backend(Box::new(other)),
    }
}

pub fn json(e: serde_json::Error) -> StorageError {
    StorageError::Backend(Box::new(e))
}

pub fn migrate(e: sqlx::migrate::MigrateError) -> StorageError {
    StorageError::Migration(e.to_string())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::error::Error;
    use std::fmt;

    use sqlx::error::{DatabaseError, ErrorKind};

    use super::*;
    use crate::Conn;

    /// A dialect that knows one unusable code, to test the mapping without a database.
    #[derive(Debug, Clone)]
    struct Test;

    impl Dialect for Test {
        type DB = sqlx::Sqlite;
        const ENGINE: &'static str = "test";
        const NAME: &'static str = "Test";
        const TRUE: &'static str = "1";
        const FOR_UPDATE: &'static str = "";
        const JSON_EACH: &'static str = "json_each";
        const LOCK_CHANGE_LOG: &'static str = "(SELECT 1) AS change_log_lock";
        const EXPLAIN: (&'static str, &'static str) = ("EXPLAIN QUERY PLAN ", "detail");
        const BEGIN: Option<&'static str> = None;
        const BEGIN_SNAPSHOT: Option<&'static str> = None;
        const OVERRIDING_SYSTEM_VALUE: &'static str = "";

        async fn open(_: &str) -> vitrina_storage::Result<crate::SqlStore<Self>> {
            Err(StorageError::Unavailable(
                "a test dialect opens nothing".into(),
            ))
        }

        async fn lock_order(_: &mut Conn<Self>, _: &'static str) -> sqlx::Result<()> {
            Ok(())
        }

        async fn continue_ids(_: &mut Conn<Self>, _: &'static str) -> sqlx::Result<()> {
            Ok(())
        }

        fn rows_affected(done: &sqlx::sqlite::SqliteQueryResult) -> u64 {
            done.rows_affected()
        }

        fn is_unique_on(e: &dyn DatabaseError, table: &str, column: &str) -> bool {
            e.message().contains(&format!("{table}.{column}"))
        }

        fn is_unusable(e: &dyn DatabaseError) -> bool {
            e.code().as_deref() == Some("GONE")
        }
    }

    #[derive(Debug)]
    struct Fake(&'static str, ErrorKind, &'static str);

    impl fmt::Display for Fake {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Fake {}

    impl DatabaseError for Fake {
        fn message(&self) -> &str {
            self.0
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(self.2.into())
        }
        fn as_error(&self) -> &(dyn Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> ErrorKind {
            match self.1 {
                ErrorKind::UniqueViolation => ErrorKind::UniqueViolation,
                _ => ErrorKind::Other,
            }
        }
    }

    fn db(message: &'static str, kind: ErrorKind, code: &'static str) -> sqlx::Error {
        sqlx::Error::Database(Box::new(Fake(message, kind, code)))
    }

    #[test]
    fn io_and_pool_errors_mean_unavailable() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        for e in [
            sqlx::Error::Io(refused),
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
        ] {
            assert!(
                matches!(map::<Test>(e), StorageError::Unavailable(m) if m.contains("Test")),
                "unavailable"
            );
        }
        assert!(matches!(
            map::<Test>(sqlx::Error::RowNotFound),
            StorageError::Backend(_)
        ));
    }

    #[test]
    fn conflicts_say_which_slug_is_taken() {
        let conflict = |message| match map::<Test>(db(message, ErrorKind::UniqueViolation, "1")) {
            StorageError::Conflict(m) => m,
            other => panic!("expected a conflict, got {other:?}"),
        };
        let m = conflict("taken: badge_types.slug");
        assert!(m.starts_with("a badge type with this slug"), "{m}");
        let m = conflict("taken: categories.slug");
        assert!(m.starts_with("a category with this slug"), "{m}");
        let m = conflict("taken: users.name");
        assert!(m.starts_with("a record with this key"), "{m}");
    }

    #[test]
    fn the_dialect_says_which_errors_mean_unavailable() {
        assert!(matches!(
            map::<Test>(db("no such database", ErrorKind::Other, "GONE")),
            StorageError::Unavailable(m) if m.contains("no such database") && m.contains("GONE")
        ));
        assert!(matches!(
            map::<Test>(db("syntax error", ErrorKind::Other, "42601")),
            StorageError::Backend(_)
        ));
    }
}
