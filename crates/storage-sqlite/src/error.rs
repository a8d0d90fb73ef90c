//! From sqlx's errors to the storage error every backend speaks.

use vitrina_storage::StorageError;

/// SQLite's primary result codes that mean "the database file cannot be used at all".
const CANTOPEN: &str = "14";
const NOTADB: &str = "26";
const READONLY: &str = "8";

pub(crate) fn map(e: sqlx::Error) -> StorageError {
    match e {
        sqlx::Error::Database(db) => {
            if db.is_unique_violation() {
                StorageError::Conflict(conflict_message(db.message()))
            } else {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                // Extended codes carry the primary code in their low byte.
                let primary = code
                    .parse::<i64>()
                    .map(|c| (c & 0xff).to_string())
                    .unwrap_or(code);
                match primary.as_str() {
                    CANTOPEN | NOTADB | READONLY => StorageError::Unavailable(format!(
                        "cannot use the SQLite database: {}",
                        db.message()
                    )),
                    _ => StorageError::Backend(Box::new(sqlx::Error::Database(db))),
                }
            }
        }
        sqlx::Error::Io(io) => {
            StorageError::Unavailable(format!("cannot reach the SQLite database: {io}"))
        }
        sqlx::Error::PoolTimedOut => {
            StorageError::Unavailable("timed out waiting for a SQLite connection".into())
        }
        sqlx::Error::PoolClosed => StorageError::Unavailable("the SQLite store is closed".into()),
        sqlx::Error::Migrate(m) => StorageError::Migration(m.to_string()),
        other => StorageError::Backend(Box::new(other)),
    }
}

/// Says which key is taken, in words, from SQLite's `UNIQUE constraint failed: badge_types.slug`.
fn conflict_message(message: &str) -> String {
    let what = if message.contains("badge_types.slug") {
        "a badge type with this slug already exists"
    } else if message.contains("categories.slug") {
        "a category with this slug already exists"
    } else {
        "a record with this key already exists"
    };
    format!("{what} ({message})")
}

pub(crate) fn json(e: serde_json::Error) -> StorageError {
    StorageError::Backend(Box::new(e))
}

pub(crate) fn migrate(e: sqlx::migrate::MigrateError) -> StorageError {
    StorageError::Migration(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_and_pool_errors_mean_unavailable() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(matches!(
            map(sqlx::Error::Io(refused)),
            StorageError::Unavailable(_)
        ));
        assert!(matches!(
            map(sqlx::Error::PoolTimedOut),
            StorageError::Unavailable(_)
        ));
        assert!(matches!(
            map(sqlx::Error::PoolClosed),
            StorageError::Unavailable(_)
        ));
        assert!(matches!(
            map(sqlx::Error::RowNotFound),
            StorageError::Backend(_)
        ));
    }

    #[test]
    fn conflicts_say_which_slug_is_taken() {
        let m = conflict_message("UNIQUE constraint failed: badge_types.slug");
        assert!(m.starts_with("a badge type with this slug"), "{m}");
        let m = conflict_message("UNIQUE constraint failed: categories.slug");
        assert!(m.starts_with("a category with this slug"), "{m}");
    }
}
