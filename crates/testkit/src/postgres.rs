//! A throwaway PostgreSQL database per test.
//!
//! The server is `postgres://postgres@127.0.0.1:5432/postgres` unless `VITRINA_TEST_POSTGRES_URL`
//! names another admin connection (one whose user may `CREATE DATABASE`). Each
//! [`TestDatabase::create`] makes `vitrina_test_<pid>_<nanos>_<n>` and the guard drops it
//! (`WITH (FORCE)`) when the test ends, passed or failed. Databases left by killed runs (their
//! pid is gone) are dropped the first time a process creates one. An unreachable server fails
//! the test: it never skips.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The admin connection used when `VITRINA_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The admin connection: `VITRINA_TEST_POSTGRES_URL`, or [`DEFAULT_ADMIN_URL`].
pub fn admin_url() -> String {
    std::env::var("VITRINA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// The admin URL with its database replaced by `name`; credentials, host and options stay.
///
/// # Panics
///
/// If `admin` is not a URL.
pub fn database_url(admin: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin)
        .unwrap_or_else(|e| panic!("VITRINA_TEST_POSTGRES_URL is not a URL ({e})"));
    url.set_path(&format!("/{name}"));
    url.into()
}

/// The URL without its password, for messages.
fn redact(admin: &str) -> String {
    match url::Url::parse(admin) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.into()
        }
        Err(_) => "(an unparsable URL)".to_owned(),
    }
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

/// A new, empty database that is dropped when this guard is, also when the test panicked.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates `vitrina_test_<pid>_<nanos>_<n>` on the admin connection's server.
    ///
    /// # Panics
    ///
    /// If the server is unreachable or the database cannot be created.
    pub async fn create() -> TestDatabase {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = N.fetch_add(1, Ordering::Relaxed);
        let name = format!("vitrina_test_{}_{nanos}_{n}", std::process::id());
        let mut c = admin().await;
        if n == 0 {
            drop_stale(&mut c).await;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let _ = c.close().await;
        let url = database_url(&admin_url(), &name);
        TestDatabase { name, url }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL that connects to this database (the admin URL's credentials and options).
    pub fn url(&self) -> &str {
        &self.url
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn messages_never_show_the_password() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[tokio::test]
    async fn a_test_database_exists_until_its_guard_is_dropped() {
        let db = TestDatabase::create().await;
        let name = db.name().to_owned();
        assert!(name.starts_with("vitrina_test_"));
        let mut c = PgConnection::connect(db.url())
            .await
            .expect("connect to it");
        let current: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(current, name);
        c.close().await.unwrap();
        drop(db);
        let mut admin = admin().await;
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_one(&mut admin)
            .await
            .unwrap();
        assert_eq!(left, 0, "the guard dropped {name}");
    }
}
