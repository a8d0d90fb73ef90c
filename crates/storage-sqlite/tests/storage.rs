//! The shared storage suite, each check against a new SQLite file in a temp dir.

use vitrina_storage_sqlite::SqliteStore;

async fn fresh() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let store = SqliteStore::open(&url)
        .await
        .expect("open a fresh SQLite store");
    (store, dir)
}

vitrina_storage::storage_tests!(fresh);

mod accounts {
    use super::fresh;
    vitrina_storage::account_tests!(fresh);
}
