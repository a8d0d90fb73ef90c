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

/// A page deep in a large collection is one index seek, not a scan and a sort of everything
/// before it: the plan SQLite picks for a keyset page, with and without a category, walks the
/// order's index and builds no temporary B-tree to sort.
#[tokio::test]
async fn deep_keyset_pages_seek_an_index_and_sort_nothing() {
    use vitrina_storage::testsuite::{category, many_types, slug};
    use vitrina_storage::{Store, TypeCursor, TypeFilter};

    let (store, dir) = fresh().await;
    let snapshot = many_types(
        20_000,
        vec![category("odd", 0), category("even", 1)],
        |i, t| {
            t.position = (i % 7) as i64;
            t.published = i % 10 != 0;
            t.categories = vec![slug(["odd", "even"][i % 2])];
        },
    );
    store.import(&snapshot).await.expect("import");
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;

    let deep = TypeCursor {
        position: 5,
        name_en: "Type 15000".into(),
        id: 15_000,
    };
    for filter in [
        TypeFilter::default(),
        TypeFilter {
            category: Some(slug("even")),
            ..Default::default()
        },
        TypeFilter {
            drafts: true,
            ..Default::default()
        },
    ] {
        for after in [None, Some(&deep)] {
            let plan = store
                .explain_types_after(&filter, after, 20)
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
    }
    Store::close(&store).await;
}
