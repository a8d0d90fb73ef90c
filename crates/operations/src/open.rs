//! Chooses the storage engine at run time from the database URL.

use std::sync::Arc;

use vitrina_storage::{StorageError, Store};
use vitrina_storage_postgres::PostgresStore;
use vitrina_storage_sqlite::SqliteStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a URL names, or `None` for an unknown scheme.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }
}

/// Opens (and migrates) the store a URL names: `sqlite://PATH` or `postgres://…`.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, StorageError> {
    match Engine::of_url(url) {
        Some(Engine::Sqlite) => Ok(Arc::new(SqliteStore::open(url).await?)),
        Some(Engine::Postgres) => Ok(Arc::new(PostgresStore::connect(url).await?)),
        None => Err(StorageError::Unavailable(format!(
            "unsupported database URL (expected sqlite://PATH or postgres://…): {}",
            redact(url)
        ))),
    }
}

/// A URL fit for logs and error messages: the password, if any, replaced by `***`.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.rsplit_once('@')
    {
        let user = userinfo.split(':').next().unwrap_or("");
        if userinfo.contains(':') {
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_are_told_apart_by_scheme() {
        assert_eq!(Engine::of_url("sqlite://data/v.db"), Some(Engine::Sqlite));
        assert_eq!(Engine::of_url("postgres://u@h/db"), Some(Engine::Postgres));
        assert_eq!(
            Engine::of_url("postgresql://u@h/db"),
            Some(Engine::Postgres)
        );
        assert_eq!(Engine::of_url("mysql://u@h/db"), None);
        assert_eq!(Engine::of_url(""), None);
    }

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            redact("postgres://bob:s3cret@db:5432/v"),
            "postgres://bob:***@db:5432/v"
        );
        assert_eq!(redact("postgres://bob@db/v"), "postgres://bob@db/v");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
