//! A real browser for tests: Debian's `chromium` driven through `chromium-driver`.
//!
//! `VITRINA_TEST_CHROMEDRIVER` names another chromedriver binary (default `chromedriver` on
//! the `PATH`), `VITRINA_TEST_CHROMIUM` another Chromium (default `/usr/bin/chromium`).
//!
//! ```no_run
//! # async fn f() {
//! let driver = vitrina_testkit::browser::start_driver();
//! let c = vitrina_testkit::browser::browser(&driver).await;
//! c.goto("http://127.0.0.1:8080/").await.unwrap();
//! let _ = c.close().await;
//! # }
//! ```

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Map, Value, json};

/// A running chromedriver and the profile folder of the browser it starts. Dropping it kills
/// chromedriver and any Chromium still running with that profile.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Driver {
    /// chromedriver's WebDriver URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A test that failed mid-way never closed its session: end the browser it started, found
        // by its own profile folder, so no Chromium outlives the test.
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(format!("user-data-dir={}", self.profile.path().display()))
            .status();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver on a free port and waits (up to 20 s) until it accepts connections.
/// Blocking: from async code, call it through `tokio::task::spawn_blocking`.
///
/// # Panics
///
/// If chromedriver cannot be started or does not listen in time.
pub fn start_driver() -> Driver {
    let bin = std::env::var("VITRINA_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let mut child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin} ({e}): install Debian's chromium and chromium-driver (see .ci/run)")
        });
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Driver {
                child,
                url: format!("http://127.0.0.1:{port}"),
                profile: tempfile::tempdir().unwrap(),
            };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start");
}

/// A headless Chromium session in a 1280 × 900 window.
pub async fn browser(driver: &Driver) -> Client {
    BrowserOptions::new().connect(driver).await
}

/// A session with more `goog:chromeOptions` than [`browser`]'s, e.g. device emulation:
///
/// ```no_run
/// # async fn f(driver: &vitrina_testkit::browser::Driver) {
/// use serde_json::json;
/// let phone = vitrina_testkit::browser::BrowserOptions::new()
///     .chrome_option("mobileEmulation", json!({
///         "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3, "touch": true }
///     }))
///     .connect(driver)
///     .await;
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct BrowserOptions {
    extra: Map<String, Value>,
}

impl BrowserOptions {
    /// The defaults: headless, sandbox and background traffic off, a 1280 × 900 window.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets one more entry of `goog:chromeOptions` (`binary` and `args` are the harness's own).
    pub fn chrome_option(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// Opens the session through `driver`.
    ///
    /// # Panics
    ///
    /// If chromedriver refuses the session (for example, Chromium is missing).
    pub async fn connect(self, driver: &Driver) -> Client {
        let profile = driver.profile.path().display().to_string();
        let mut options = json!({
            "binary": std::env::var("VITRINA_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900",
                format!("--user-data-dir={profile}"),
            ]
        });
        for (key, value) in self.extra {
            options[key] = value;
        }
        let mut caps = Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("connect to chromedriver")
    }
}

/// The text of the first element matching `css`.
pub async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A special key as the string `send_keys` takes.
pub fn key(k: Key) -> String {
    char::from(k).to_string()
}
