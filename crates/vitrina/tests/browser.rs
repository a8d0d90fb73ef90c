//! One visitor's journey in a real browser (headless Chromium through chromedriver): open the
//! home page, follow a category, open the MOPR badge, switch to Russian, and check what a
//! visitor sees — and that the choice of language is remembered.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`). Set
//! `VITRINA_TEST_CHROMEDRIVER` to use another chromedriver binary.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Server;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A test that failed mid-way never closed its session: end the browser it started, found
        // by its own profile folder, so no Chromium outlives the test.
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(format!("user-data-dir={}", self._profile.path().display()))
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

fn start_driver() -> Driver {
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
                _profile: tempfile::tempdir().unwrap(),
            };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start");
}

async fn browser(driver: &Driver) -> Client {
    let profile = driver._profile.path().display().to_string();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("VITRINA_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900",
                format!("--user-data-dir={profile}"),
            ]
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("connect to chromedriver")
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[test]
fn a_visitor_finds_the_mopr_badge_and_reads_it_in_russian() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), &[]);
    let driver = start_driver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&driver).await;
        let result = journey(&c, &server.base).await;
        let _ = c.close().await;
        result
    });
}

async fn journey(c: &Client, base: &str) {
    // The home page: the collection's title and its seven sections.
    c.goto(&format!("{base}/")).await.unwrap();
    let h1 = text_of(c, "h1").await;
    assert!(h1.contains("Soviet Badges"), "home h1: {h1}");
    let html_lang = c
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(html_lang.as_deref(), Some("en"));

    // Follow the category that holds the MOPR badge.
    let links = c
        .find_all(Locator::Css("main a[href*='/categories/']"))
        .await
        .unwrap();
    let mut mopr_category = None;
    for link in links {
        if link.text().await.unwrap().contains("MOPR") {
            mopr_category = Some(link);
            break;
        }
    }
    mopr_category
        .expect("a category link mentioning MOPR on the home page")
        .click()
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert!(url.path().starts_with("/categories/"), "{url}");

    // Open the MOPR badge from the category.
    c.find(Locator::Css("main a[href$='/types/mopr-badge']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/types/mopr-badge");
    let h1 = text_of(c, "h1").await;
    assert!(h1.contains("MOPR"), "type h1: {h1}");
    let main = text_of(c, "main").await;
    for fact in ["МОПР", "1922", "1932", "reverse", "3.2 mm", "1/8"] {
        assert!(
            main.contains(fact),
            "the MOPR page should show {fact:?}:\n{main}"
        );
    }
    let alt = c
        .find(Locator::Css("main img"))
        .await
        .unwrap()
        .attr("alt")
        .await
        .unwrap();
    assert!(
        alt.is_some_and(|a| !a.trim().is_empty()),
        "images carry alt text"
    );

    // Switch to Russian with the language link.
    c.find(Locator::Css("a[href^='/lang/ru']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/ru/types/mopr-badge");
    let html_lang = c
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(html_lang.as_deref(), Some("ru"));
    let main = text_of(c, "main").await;
    for fact in ["МОПР", "1922", "1932", "3,2 мм", "оборот"] {
        assert!(
            main.contains(fact),
            "the Russian MOPR page should show {fact:?}:\n{main}"
        );
    }

    // The choice is remembered: the home page now opens in Russian.
    c.goto(&format!("{base}/")).await.unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/ru/", "the language choice is remembered");
    let h1 = text_of(c, "h1").await;
    assert!(h1.contains("Советские"), "Russian home h1: {h1}");
}
