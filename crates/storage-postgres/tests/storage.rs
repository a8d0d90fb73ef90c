//! The shared storage suite, each check against a new PostgreSQL database.
//!
//! The databases come from [`vitrina_testkit::postgres`]: the server is
//! `postgres://postgres@127.0.0.1:5432/postgres` unless `VITRINA_TEST_POSTGRES_URL` names another
//! admin connection. Each test creates `vitrina_test_<pid>_<nanos>_<n>` and drops it
//! (`WITH (FORCE)`) when it ends, passed or failed; databases left by killed runs (their pid is
//! gone) are dropped at the next run. An unreachable server fails the tests: they never skip.

use vitrina_storage_postgres::PostgresStore;
use vitrina_testkit::postgres::TestDatabase;

async fn fresh() -> (PostgresStore, TestDatabase) {
    let db = TestDatabase::create().await;
    let store = PostgresStore::connect(db.url())
        .await
        .unwrap_or_else(|e| panic!("cannot open the test database {}: {e}", db.name()));
    (store, db)
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

/// Change-log rows become visible in `seq` order however many transactions write at once (the
/// advisory lock taken with the first row): a follower that always reads on from the last
/// number it saw never skips one. Without the lock a sequence hands out 5 and 6 to two
/// transactions that may commit 6 first, and a reader between the two commits would pass 5 by.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_let_a_follower_skip_a_change() {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use vitrina_storage::testsuite::minimal_type;
    use vitrina_storage::{ChangeLog, Store, TypeStore};

    let (store, db) = fresh().await;
    let store = Arc::new(store);
    let done = Arc::new(AtomicBool::new(false));
    let follower = {
        let (store, done) = (store.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen = BTreeSet::new();
            let mut after = 0;
            loop {
                let finished = done.load(Ordering::Acquire);
                let page = store
                    .changes_since(after, 1_000)
                    .await
                    .expect("read the log");
                for change in &page {
                    assert!(change.seq > after, "the log went backwards");
                    seen.insert(change.seq);
                    after = change.seq;
                }
                if finished && page.is_empty() {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    let t = minimal_type(&format!("w{w}-t{i}"), &format!("Writer {w} type {i}"));
                    store.save_type(&t).await.expect("save");
                }
            })
        })
        .collect();
    for w in writers {
        w.await.expect("a writer");
    }
    done.store(true, Ordering::Release);
    let seen = follower.await.expect("the follower");
    let all: BTreeSet<i64> = store
        .changes_since(0, 10_000)
        .await
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(all.len(), 200);
    let skipped: Vec<_> = all.difference(&seen).collect();
    assert!(skipped.is_empty(), "the follower skipped {skipped:?}");
    Store::close(&*store).await;
    drop(db);
}

/// A page deep in a large collection is one index seek, not a scan and a sort of everything
/// before it: the plan PostgreSQL picks for a keyset page, with and without a category, uses
/// the order's index and sorts nothing.
#[tokio::test]
async fn deep_keyset_pages_seek_an_index_and_sort_nothing() {
    use vitrina_storage::Store;
    use vitrina_storage::testsuite::{keyset_plan_pages, keyset_plan_snapshot};

    let (store, db) = fresh().await;
    store.import(&keyset_plan_snapshot()).await.expect("import");
    let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;

    for (filter, after) in keyset_plan_pages() {
        let plan = store
            .explain_types_after(&filter, after.as_ref(), 20)
            .await
            .expect("explain")
            .join("\n");
        assert!(
            plan.contains("Index"),
            "{filter:?} after {after:?}:\n{plan}"
        );
        assert!(
            !plan.contains("Sort"),
            "{filter:?} after {after:?} sorts:\n{plan}"
        );
        assert!(
            !plan.contains("Seq Scan on badge_types"),
            "{filter:?}:\n{plan}"
        );
        assert!(
            !plan.contains("Seq Scan on type_categories"),
            "{filter:?}:\n{plan}"
        );
    }
    Store::close(&store).await;
    drop(db);
}
