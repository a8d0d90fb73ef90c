//! Several nodes, one database: each node keeps its own search index current by following the
//! change log, and notices (through its generation) writes made through the other.
//!
//! The PostgreSQL test uses `postgres://postgres@127.0.0.1:5432/postgres` unless
//! `VITRINA_TEST_POSTGRES_URL` names another admin connection; it creates
//! `vitrina_test_<pid>_<nanos>_<n>` and drops it (`WITH (FORCE)`) when it ends, passed or failed.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use vitrina_catalogue::{Access, Slug};
use vitrina_operations::{Catalogue, Store, open_store, redact_url};
use vitrina_search::{Query, SearchIndex};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn admin_url() -> String {
    std::env::var("VITRINA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// The admin URL with its database replaced by `name`.
fn database_url(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// Drops the test database when the test ends, also when it panicked.
struct TestDatabase {
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which must not be blocked on.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut c = PgConnection::connect(&admin_url()).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut c)
                .await?;
                c.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// A new, empty PostgreSQL database: its URL, and the guard that drops it.
async fn fresh_postgres() -> (String, TestDatabase) {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "vitrina_test_{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let url = admin_url();
    let mut c = PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {} ({e}). Start it, or point VITRINA_TEST_POSTGRES_URL \
             at a server where this user may CREATE DATABASE.",
            redact_url(&url)
        )
    });
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut c)
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    let _ = c.close().await;
    (database_url(&url, &name), TestDatabase { name })
}

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
    let (url, _guard) = fresh_postgres().await;
    let a = open_store(&url).await.expect("node A connects");
    let b = open_store(&url).await.expect("node B connects");
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
