//! The binary as a user runs it: flags, configuration, start-up failures, serving, shutdown.

mod common;

use common::{Server, run, vitrina};

#[test]
fn a_bad_flag_is_a_usage_error_not_a_panic() {
    let (code, text) = run(vitrina().args(["serve", "--listen", "nowhere"]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--listen"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    let (code, text) = run(vitrina().args(["serve", "--frobnicate"]));
    assert_eq!(code, 2, "{text}");
}

#[test]
fn an_unknown_config_key_is_named_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vitrina.toml");
    std::fs::write(&config, "lisen = \"127.0.0.1:1\"\n").unwrap();
    let (code, text) = run(vitrina()
        .arg("--config")
        .arg(&config)
        .args(["config", "show"]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("lisen"), "{text}");

    let (code, text) = run(vitrina()
        .env("VITRINA_LISTEN", "banana")
        .args(["config", "show"]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("VITRINA_LISTEN"), "{text}");

    let (code, text) = run(vitrina()
        .arg("--config")
        .arg(dir.path().join("missing.toml"))
        .args(["config", "show"]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("does not exist"), "{text}");
}

/// A configuration error: exit 2, one line that names the problem, printed once, no internals.
fn assert_one_clear_error(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from: {text}");
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "printed once, on one line: {text}");
    for internal in [".rs:", "alloc::", "BTreeMap", "panicked"] {
        assert!(!text.contains(internal), "{internal} in: {text}");
    }
}

#[test]
fn bad_values_in_variables_name_the_variable_the_value_and_what_is_expected() {
    for (var, value, needles) in [
        (
            "VITRINA_MAX_UPLOAD_MB",
            "abc",
            &["VITRINA_MAX_UPLOAD_MB", "\"abc\"", "whole number"][..],
        ),
        (
            "VITRINA_MAX_UPLOAD_MB",
            "-5",
            &["VITRINA_MAX_UPLOAD_MB", "-5"][..],
        ),
        (
            "VITRINA_MAX_UPLOAD_MB",
            "1000000000000",
            &["VITRINA_MAX_UPLOAD_MB", "1000000000000", "1000"][..],
        ),
        (
            "VITRINA_MAX_UPLOAD_MB",
            "99999999999999999999999",
            &["VITRINA_MAX_UPLOAD_MB"][..],
        ),
        (
            "VITRINA_LISTEN",
            "banana",
            &["VITRINA_LISTEN", "\"banana\"", "address"][..],
        ),
        (
            "VITRINA_LOAD_DEMO",
            "perhaps",
            &["VITRINA_LOAD_DEMO", "perhaps", "true or false"][..],
        ),
        (
            "VITRINA_LOG_FORMAT",
            "xml",
            &["VITRINA_LOG_FORMAT", "xml", "text or json"][..],
        ),
        (
            "VITRINA_SHUTDOWN_GRACE_SECS",
            "soon",
            &["VITRINA_SHUTDOWN_GRACE_SECS", "soon"][..],
        ),
        (
            "VITRINA_MAX_CONNECTIONS",
            "0",
            &["VITRINA_MAX_CONNECTIONS", "max_connections"][..],
        ),
        (
            "VITRINA_API_WRITES_PER_MINUTE",
            "lots",
            &["VITRINA_API_WRITES_PER_MINUTE", "lots", "whole number"][..],
        ),
        (
            "VITRINA_AUTH_FAILURES_PER_MINUTE",
            "0",
            &["VITRINA_AUTH_FAILURES_PER_MINUTE", "1000000"][..],
        ),
    ] {
        let (code, text) = run(vitrina().env(var, value).args(["config", "show"]));
        assert_eq!(code, 2, "{var}={value}: {text}");
        assert_one_clear_error(&text, needles);
    }
}

#[test]
fn bad_values_in_the_config_file_name_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (toml, needles) in [
        (
            "max_upload_mb = \"abc\"\n",
            &["max_upload_mb", "\"abc\"", "whole number"][..],
        ),
        ("max_upload_mb = -5\n", &["max_upload_mb", "-5"][..]),
        (
            "page_cache_mb = 10000000\n",
            &["page_cache_mb", "65536"][..],
        ),
        ("load_demo = \"yes\"\n", &["load_demo", "true or false"][..]),
        (
            "api_write_burst = 99999999999\n",
            &["api_write_burst", "99999999999"][..],
        ),
        ("listen = [1, 2\n", &["not valid TOML", "line 1"][..]),
        ("lisen = \"x\"\n", &["lisen", "not a configuration key"][..]),
    ] {
        let config = dir.path().join("vitrina.toml");
        std::fs::write(&config, toml).unwrap();
        let (code, text) = run(vitrina()
            .arg("--config")
            .arg(&config)
            .args(["config", "show"]));
        assert_eq!(code, 2, "{toml}: {text}");
        assert_one_clear_error(&text, needles);
        assert!(text.contains("vitrina.toml"), "{toml}: {text}");
    }
}

#[test]
fn config_show_prints_the_effective_settings_without_the_password() {
    let (code, text) = run(vitrina()
        .env(
            "VITRINA_DATABASE_URL",
            "postgres://bob:hunter2@127.0.0.1:5432/v",
        )
        .args(["config", "show"]));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("postgres://bob:***@127.0.0.1:5432/v"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = run(vitrina()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .args(["--database", "postgres://nobody:secret@127.0.0.1:1/nothing"]));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("cannot open the database"), "{text}");
    assert!(!text.contains("secret"), "the password leaked: {text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn an_unwritable_data_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    // a folder inside a regular file cannot be made, even by root
    let (code, text) = run(vitrina()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(file.join("data")));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("data folder"), "{text}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = run(vitrina()
        .args(["serve", "--listen", &addr, "--data"])
        .arg(dir.path()));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("already in use"), "{text}");
}

#[test]
fn serve_loads_the_demo_on_first_start_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let health = reqwest::get(format!("{}/healthz", server.base))
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        let page = reqwest::get(format!("{}/types/mopr-badge", server.base))
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let body = page.text().await.unwrap();
        assert!(body.contains("МОПР"), "the demo is not loaded");
        let id = reqwest::get(format!("{}/", server.base)).await.unwrap();
        assert!(id.headers().contains_key("x-request-id"));
    });
    assert_eq!(server.terminate(), 0, "a graceful stop exits 0");
    assert!(
        dir.path().join("vitrina.db").exists(),
        "SQLite lives in the data folder"
    );
}

#[test]
fn sigterm_with_a_stalled_half_sent_request_exits_0_within_the_grace_period() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let addr = server.base.trim_start_matches("http://").to_owned();
    // a client that sent half a request line and went quiet
    let mut stalled = std::net::TcpStream::connect(&addr).unwrap();
    stalled.write_all(b"GET /types/mo").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    // `terminate` waits at most 20 s: only a hang guard, the default grace is 10 s
    assert_eq!(
        server.terminate(),
        0,
        "SIGTERM exits 0 despite the stalled client"
    );
    stalled
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
    assert!(
        !String::from_utf8_lossy(&rest).contains("200 OK"),
        "the half-sent request was answered"
    );
}

#[test]
fn no_demo_leaves_an_empty_store_empty_and_demo_load_fills_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let server = Server::start(dir.path(), &["--no-demo"]);
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let page = reqwest::get(format!("{}/types/mopr-badge", server.base))
                .await
                .unwrap();
            assert_eq!(page.status(), 404);
        });
        assert_eq!(server.terminate(), 0);
    }
    let (code, text) = run(vitrina().args(["demo", "load", "--data"]).arg(dir.path()));
    assert_eq!(code, 0, "{text}");
    let server = Server::start(dir.path(), &["--no-demo"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let page = reqwest::get(format!("{}/types/mopr-badge", server.base))
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    });
}

#[test]
fn reindex_rebuilds_a_deleted_search_index_and_serve_repairs_one_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = run(vitrina().args(["demo", "load", "--data"]).arg(dir.path()));
    assert_eq!(code, 0, "{text}");
    let (code, text) = run(vitrina().args(["reindex", "--data"]).arg(dir.path()));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Indexed 8 badge types"), "{text}");
    // a missing index is detected and rebuilt when the server starts
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let server = Server::start(dir.path(), &["--no-demo"]);
    assert_eq!(server.terminate(), 0);
    assert!(dir.path().join("search").read_dir().unwrap().count() > 0);
}

/// A database of its own on the local PostgreSQL, dropped when the test ends.
struct PgDatabase {
    name: String,
}

impl PgDatabase {
    fn admin_url() -> String {
        std::env::var("VITRINA_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    fn psql(sql: &str) {
        let out = std::process::Command::new("psql")
            .arg(Self::admin_url())
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
            .output()
            .expect("psql (PostgreSQL's client) is needed for this test");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn create() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("vitrina_cli_{}_{nanos}", std::process::id());
        Self::psql(&format!("CREATE DATABASE {name}"));
        Self { name }
    }

    fn url(&self) -> String {
        let admin = Self::admin_url();
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        Self::psql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

#[test]
fn the_same_binary_serves_the_demo_from_postgresql() {
    let db = PgDatabase::create();
    let dir = tempfile::tempdir().unwrap();
    let url = db.url();
    let server = Server::start(dir.path(), &["--database", &url]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let page = reqwest::get(format!("{}/ru/types/nkvd-fireman-badge", server.base))
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let body = page.text().await.unwrap();
        assert!(body.contains("НКВД"), "the demo is loaded into PostgreSQL");
        assert!(body.contains("No. 9"));
    });
    assert_eq!(server.terminate(), 0);
    assert!(
        !dir.path().join("vitrina.db").exists(),
        "no SQLite file when PostgreSQL is chosen"
    );
}

#[test]
fn photos_rebuild_remakes_every_derivative_from_the_stored_originals() {
    let data = tempfile::tempdir().unwrap();
    let (code, out) = run(vitrina()
        .arg("--data")
        .arg(data.path())
        .args(["photos", "rebuild"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Rebuilt the derivatives of 0 photos"), "{out}");

    // an original as an upload stores it (under its SHA-256), its derivatives lost
    let jpeg = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/images/orientation/Landscape_6.jpg"),
    )
    .unwrap();
    let hash = {
        use sha2::Digest;
        sha2::Sha256::digest(&jpeg)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let media = data.path().join("media");
    std::fs::create_dir_all(media.join("originals")).unwrap();
    std::fs::write(media.join("originals").join(&hash), &jpeg).unwrap();
    // and one that is not a picture: recorded as failed, the rebuild goes on
    let junk = "0".repeat(64);
    std::fs::write(media.join("originals").join(&junk), b"not a photo").unwrap();

    let (code, out) = run(vitrina()
        .arg("--data")
        .arg(data.path())
        .args(["photos", "rebuild"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Rebuilt the derivatives of 1 photos"), "{out}");
    for size in ["thumb", "display", "large"] {
        for ext in ["jpg", "webp"] {
            let file = media
                .join("photos")
                .join(&hash)
                .join(format!("{size}.{ext}"));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }
    // upright: the 1200×1800 stored pixels become a 1800×1200 landscape (thumb: 400 wide)
    let thumb = std::fs::read(media.join("photos").join(&hash).join("thumb.jpg")).unwrap();
    let (w, h) = jpeg_size(&thumb);
    assert!(w > h, "thumb is {w}×{h}: not upright");
    assert_eq!(w, 400);
    assert!(
        media.join("failed").join(&junk).is_file(),
        "the junk is recorded as failed"
    );

    // a bad limit in the configuration is refused before any work
    let (code, out) = run(vitrina()
        .arg("--data")
        .arg(data.path())
        .env("VITRINA_MAX_UPLOAD_MB", "0")
        .args(["photos", "rebuild"]));
    assert_ne!(code, 0);
    assert!(out.contains("max_upload_mb"), "{out}");
}

/// Width and height from a JPEG's first frame header.
fn jpeg_size(jpeg: &[u8]) -> (u16, u16) {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        assert_eq!(jpeg[i], 0xff, "marker expected at {i}");
        let marker = jpeg[i + 1];
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if (0xc0..=0xc2).contains(&marker) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]);
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]);
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no frame header");
}
