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

mod dump {
    use super::fresh;
    vitrina_storage::dump_tests!(fresh);
}

mod transfer {
    use super::fresh;
    vitrina_storage::transfer_tests!(fresh);
}

/// A page deep in a large collection is one index seek, not a scan and a sort of everything
/// before it: the plan SQLite picks for a keyset page, with and without a category, walks the
/// order's index and builds no temporary B-tree to sort.
#[tokio::test]
async fn deep_keyset_pages_seek_an_index_and_sort_nothing() {
    use vitrina_storage::Store;
    use vitrina_storage::testsuite::{keyset_plan_pages, keyset_plan_snapshot};

    let (store, dir) = fresh().await;
    store.import(&keyset_plan_snapshot()).await.expect("import");
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;

    for (filter, after) in keyset_plan_pages() {
        let plan = store
            .explain_types_after(&filter, after.as_ref(), 20)
            .await
            .expect("explain")
            .join("\n");
        assert!(
            plan.contains("INDEX"),
            "{filter:?} after {after:?}:\n{plan}"
        );
        assert!(
            !plan.contains("TEMP B-TREE"),
            "{filter:?} after {after:?} sorts:\n{plan}"
        );
    }
    Store::close(&store).await;
}
