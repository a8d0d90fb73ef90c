//! Several nodes, one database: each node keeps its own search index current by following the
//! change log, and notices (through its generation) writes made through the other.
//!
//! The PostgreSQL test takes its database from [`vitrina_testkit::postgres`]: on
//! `postgres://postgres@127.0.0.1:5432/postgres` unless `VITRINA_TEST_POSTGRES_URL` names another
//! admin connection, `vitrina_test_<pid>_<nanos>_<n>`, dropped (`WITH (FORCE)`) when the test
//! ends, passed or failed.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use vitrina_catalogue::{Access, Slug};
use vitrina_operations::{Catalogue, Store, open_store};
use vitrina_search::{Query, SearchIndex};
use vitrina_testkit::postgres::TestDatabase;

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("a test slug")
}

/// A node: its own connection to the shared database and its own index on disk.
fn node(store: Arc<dyn Store>, dir: &Path) -> Catalogue {
    let index = SearchIndex::open(dir).expect("open the index");
    Catalogue::new(store).with_search(Arc::new(index))
}

async fn hits(catalogue: &Catalogue, text: &str) -> Vec<String> {
    catalogue
        .search(Query::text(text))
        .await
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.slug)
        .collect()
}

/// The scenario both engines run: A writes, B catches up.
async fn two_nodes_follow_one_database(store_a: Arc<dyn Store>, store_b: Arc<dyn Store>) {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = node(store_a.clone(), dirs.0.path());
    let b = node(store_b.clone(), dirs.1.path());
    a.ensure_search_index().await.expect("index A");
    b.ensure_search_index().await.expect("index B");

    // The demo, loaded through A, reaches B's index when B catches up.
    a.load_demo().await.expect("load the demo through A");
    assert!(hits(&a, "MOPR").await.contains(&"mopr-badge".to_owned()));
    assert!(hits(&b, "MOPR").await.is_empty(), "B has not caught up yet");
    let before = b.generation();
    let applied = b.catch_up_search().await.expect("B catches up");
    assert!(applied > 0);
    assert!(hits(&b, "MOPR").await.contains(&"mopr-badge".to_owned()));
    assert_ne!(
        b.generation(),
        before,
        "B's page cache must not serve old pages"
    );

    // A renames one type and deletes another.
    let mut khalkhin = a
        .store()
        .badge_type(&slug("khalkhin-gol-1939"), Access::Private)
        .await
        .unwrap();
    khalkhin.names.en = "Zephyrine tournament badge".into();
    a.save_type(&khalkhin).await.expect("save through A");
    a.delete_type(&slug("nkvd-fireman-badge"))
        .await
        .expect("delete through A");
    assert_eq!(hits(&a, "Zephyrine").await, ["khalkhin-gol-1939"]);
    assert!(hits(&b, "Zephyrine").await.is_empty());
    assert!(
        hits(&b, "fireman")
            .await
            .contains(&"nkvd-fireman-badge".to_owned())
    );

    let before = b.generation();
    assert_eq!(b.catch_up_search().await.expect("B catches up again"), 2);
    assert_eq!(hits(&b, "Zephyrine").await, ["khalkhin-gol-1939"]);
    assert!(
        !hits(&b, "fireman")
            .await
            .contains(&"nkvd-fireman-badge".to_owned()),
        "the type deleted through A is gone from B's index"
    );
    assert_ne!(b.generation(), before);
    // Nothing new: nothing applied, the generation stays.
    let before = b.generation();
    assert_eq!(b.catch_up_search().await.unwrap(), 0);
    assert_eq!(b.generation(), before);

    // Both indexes record the same position, storage's last change.
    let last = store_b.last_change().await.unwrap();
    for n in [&a, &b] {
        let payload = n.search_index().unwrap().last_commit_payload().unwrap();
        assert_eq!(payload, Some(last.to_string()));
    }

    // A write through B applies A's later changes on B too, in order.
    a.delete_type(&slug("khalkhin-gol-1939")).await.unwrap();
    let mut mopr = b
        .store()
        .badge_type(&slug("mopr-badge"), Access::Private)
        .await
        .unwrap();
    mopr.names.en = "Quillwort badge".into();
    b.save_type(&mopr).await.expect("save through B");
    assert_eq!(hits(&b, "Quillwort").await, ["mopr-badge"]);
    assert!(hits(&b, "Zephyrine").await.is_empty());

    // The background follower brings A up to date without anyone asking.
    let follower = a.spawn_search_follower(Duration::from_millis(50));
    let mut found = false;
    for _ in 0..100 {
        if hits(&a, "Quillwort").await == ["mopr-badge"] {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    follower.abort();
    assert!(found, "A's follower applied B's change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgres_database() {
    let db = TestDatabase::create().await;
    let url = db.url();
    let a = open_store(url).await.expect("node A connects");
    let b = open_store(url).await.expect("node B connects");
    two_nodes_follow_one_database(a.clone(), b.clone()).await;
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let a = open_store(&url).await.expect("node A opens");
    let b = open_store(&url).await.expect("node B opens");
    two_nodes_follow_one_database(a.clone(), b.clone()).await;
    a.close().await;
    b.close().await;
}

/// The index fell behind storage (the node stopped between a commit and its indexing, or
/// another node wrote while it was down): on start it catches up instead of rebuilding.
#[tokio::test]
async fn an_index_behind_storage_catches_up_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let index_dir = dir.path().join("search");
    let store = open_store(&url).await.unwrap();
    {
        let a = node(store.clone(), &index_dir);
        assert!(a.ensure_search_index().await.unwrap().is_some(), "built");
        a.load_demo().await.unwrap();
        assert!(a.ensure_search_index().await.unwrap().is_none(), "current");
    }

    // Writes that bypass the catalogue: in storage and its log, not in the index.
    let mut khalkhin = store
        .badge_type(&slug("khalkhin-gol-1939"), Access::Private)
        .await
        .unwrap();
    khalkhin.names.en = "Zephyrine tournament badge".into();
    store.save_type(&khalkhin).await.unwrap();
    store
        .delete_type(&slug("nkvd-fireman-badge"))
        .await
        .unwrap();

    let a = node(store.clone(), &index_dir);
    let last = store.last_change().await.unwrap();
    let recorded: i64 = a
        .search_index()
        .unwrap()
        .last_commit_payload()
        .unwrap()
        .expect("a position")
        .parse()
        .unwrap();
    assert!(recorded < last, "the index is behind: {recorded} < {last}");
    assert!(hits(&a, "Zephyrine").await.is_empty());

    let rebuilt = a.ensure_search_index().await.unwrap();
    assert_eq!(rebuilt, None, "caught up, not rebuilt");
    assert_eq!(hits(&a, "Zephyrine").await, ["khalkhin-gol-1939"]);
    assert!(
        !hits(&a, "fireman")
            .await
            .contains(&"nkvd-fireman-badge".to_owned())
    );
    assert_eq!(
        a.search_index().unwrap().last_commit_payload().unwrap(),
        Some(last.to_string())
    );

    // An index without a recorded position (built before the log existed) is rebuilt.
    drop(a);
    let index = SearchIndex::open(&index_dir).unwrap();
    index.commit().unwrap();
    assert_eq!(index.last_commit_payload().unwrap(), None);
    let a = Catalogue::new(store.clone()).with_search(Arc::new(index));
    let reason = a.ensure_search_index().await.unwrap();
    assert!(
        reason.as_deref().is_some_and(|r| r.contains("position")),
        "{reason:?}"
    );
    assert_eq!(hits(&a, "Zephyrine").await, ["khalkhin-gol-1939"]);
    store.close().await;
}
