//! From sqlx's errors to the storage error every backend speaks.

use vitrina_storage::StorageError;

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

pub(crate) fn map(e: sqlx::Error) -> StorageError {
    match e {
        sqlx::Error::Database(db) => {
            if db.is_unique_violation() {
                return StorageError::Conflict(conflict_message(db.constraint(), db.message()));
            }
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            if UNAVAILABLE.contains(&code.as_str()) {
                StorageError::Unavailable(format!("PostgreSQL refused: {} ({code})", db.message()))
            } else {
                StorageError::Backend(Box::new(sqlx::Error::Database(db)))
            }
        }
        sqlx::Error::Io(io) => StorageError::Unavailable(format!("cannot reach PostgreSQL: {io}")),
        sqlx::Error::Tls(tls) => {
            StorageError::Unavailable(format!("cannot reach PostgreSQL: {tls}"))
        }
        sqlx::Error::PoolTimedOut => {
            StorageError::Unavailable("timed out waiting for a PostgreSQL connection".into())
        }
        sqlx::Error::PoolClosed => {
            StorageError::Unavailable("the PostgreSQL store is closed".into())
        }
        sqlx::Error::Migrate(m) => StorageError::Migration(m.to_string()),
        other => StorageError::Backend(Box::new(other)),
    }
}

fn conflict_message(constraint: Option<&str>, message: &str) -> String {
    let what = match constraint {
        Some("badge_types_slug_key") => "a badge type with this slug already exists",
        Some("categories_slug_key") => "a category with this slug already exists",
        _ => "a record with this key already exists",
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
            map(sqlx::Error::RowNotFound),
            StorageError::Backend(_)
        ));
    }

    #[test]
    fn conflicts_say_which_slug_is_taken() {
        let m = conflict_message(Some("badge_types_slug_key"), "duplicate key");
        assert!(m.starts_with("a badge type with this slug"), "{m}");
        let m = conflict_message(None, "duplicate key");
        assert!(m.starts_with("a record"), "{m}");
    }
}
