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
