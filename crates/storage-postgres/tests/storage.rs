//! The shared storage suite, each check against a new PostgreSQL database.
//!
//! The server is `postgres://postgres@127.0.0.1:5432/postgres` unless `VITRINA_TEST_POSTGRES_URL`
//! names another admin connection. Each test creates `vitrina_test_<pid>_<nanos>_<n>` and drops it
//! (`WITH (FORCE)`) when it ends, passed or failed; databases left by killed runs (their pid is
//! gone) are dropped at the next run. An unreachable server fails the tests: they never skip.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use vitrina_storage_postgres::{PostgresStore, redact};

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

async fn admin() -> PgConnection {
    let url = admin_url();
    match PgConnection::connect(&url).await {
        Ok(c) => c,
        Err(e) => panic!(
            "PostgreSQL is not reachable at {} ({e}). Start it, or point VITRINA_TEST_POSTGRES_URL \
             at a server where this user may CREATE DATABASE.",
            redact(&url)
        ),
    }
}

/// Drops the test database when the test ends, also when it panicked.
struct TestDatabase {
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which must not be blocked on; use a runtime of
        // its own on a thread of its own.
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

/// Drops test databases whose process is gone (a run that was killed before it cleaned up).
async fn drop_stale(c: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'vitrina\\_test\\_%'",
    )
    .fetch_all(&mut *c)
    .await
    .expect("list test databases");
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive && pid.is_some() {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut *c)
            .await;
        }
    }
}

async fn fresh() -> (PostgresStore, TestDatabase) {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "vitrina_test_{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut c = admin().await;
    if N.load(Ordering::Relaxed) == 1 {
        drop_stale(&mut c).await;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut c)
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    let _ = c.close().await;
    let guard = TestDatabase { name: name.clone() };
    let url = database_url(&admin_url(), &name);
    let store = PostgresStore::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot open the test database {name}: {e}"));
    (store, guard)
}

vitrina_storage::storage_tests!(fresh);

#[test]
fn database_urls_keep_credentials_host_and_options() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        database_url("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(database_url("postgres://h", "x"), "postgres://h/x");
}

mod accounts {
    use super::fresh;
    vitrina_storage::account_tests!(fresh);
}
