//! The header's search box in a real browser (headless Chromium through chromedriver): typing
//! shows results as you type, the arrow keys and Enter open one, Escape closes the list, and
//! Enter with nothing chosen submits the plain form — all under the site's strict CSP.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`). Set
//! `VITRINA_TEST_CHROMEDRIVER` / `VITRINA_TEST_CHROMIUM` to use other binaries.

mod common;

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use vitrina_testkit::browser::{browser, key, start_driver};

/// Types like a person: one character at a time.
async fn type_slowly(c: &Client, css: &str, text: &str) {
    let input = c.find(Locator::Css(css)).await.unwrap();
    for ch in text.chars() {
        input.send_keys(&ch.to_string()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(90)).await;
    }
}

/// Polls until the listbox under the header box is shown with a link to `href`.
async fn wait_for_option(c: &Client, href: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let shown = match c.find(Locator::Css("#site-search-listbox")).await {
            Ok(list) => list.attr("hidden").await.unwrap().is_none(),
            Err(_) => false,
        };
        let option = c
            .find(Locator::Css(&format!(
                "#site-search-listbox a[role='option'][href$='{href}']"
            )))
            .await
            .is_ok();
        if shown && option {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no option for {href} in the listbox after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .attr(name)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_appear_as_you_type_and_the_keyboard_opens_one() {
    let site = common::start().await;
    let driver = tokio::task::spawn_blocking(start_driver).await.unwrap();
    let c = browser(&driver).await;
    let result = journey(&c, &site.url("")).await;
    let _ = c.close().await;
    result
}

async fn journey(c: &Client, base: &str) {
    // Any page: the category of the Khalkhin Gol badge.
    c.goto(&format!("{base}/categories/khalkhin-gol-1939"))
        .await
        .unwrap();
    let input = "#site-search-q";
    // The script has made the box a combobox.
    assert_eq!(attr(c, input, "role").await.as_deref(), Some("combobox"));
    assert_eq!(
        attr(c, input, "aria-expanded").await.as_deref(),
        Some("false")
    );
    assert_eq!(
        attr(c, input, "aria-controls").await.as_deref(),
        Some("site-search-listbox")
    );

    type_slowly(c, input, "mopr").await;
    wait_for_option(c, "/types/mopr-badge").await;
    if let Some(dir) = std::env::var_os("VITRINA_TEST_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join("search-as-you-type.png"),
            png,
        )
        .unwrap();
    }
    assert_eq!(
        attr(c, input, "aria-expanded").await.as_deref(),
        Some("true")
    );
    // The live region says how many (it is visually hidden: read its textContent). It is
    // written after the list, so poll for it rather than race the script.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let status = loop {
        let status = c
            .find(Locator::Css(".site-search [role='status']"))
            .await
            .unwrap()
            .prop("textContent")
            .await
            .unwrap();
        if status.as_deref() == Some("1 result") || std::time::Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(status.as_deref(), Some("1 result"));

    // Escape closes the list, ArrowDown opens it again and chooses the first result.
    let field = c.find(Locator::Css(input)).await.unwrap();
    field.send_keys(&key(Key::Escape)).await.unwrap();
    assert_eq!(
        attr(c, input, "aria-expanded").await.as_deref(),
        Some("false")
    );
    field.send_keys(&key(Key::Down)).await.unwrap();
    assert_eq!(
        attr(c, input, "aria-expanded").await.as_deref(),
        Some("true")
    );
    let active = attr(c, input, "aria-activedescendant").await.unwrap();
    let chosen = attr(c, &format!("#{active}"), "href").await.unwrap();
    assert!(chosen.ends_with("/types/mopr-badge"), "{chosen}");
    assert_eq!(
        attr(c, &format!("#{active}"), "aria-selected")
            .await
            .as_deref(),
        Some("true")
    );
    field.send_keys(&key(Key::Enter)).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let url = c.current_url().await.unwrap();
        if url.path() == "/types/mopr-badge" {
            break;
        }
        assert!(Instant::now() < deadline, "still at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("MOPR"), "{h1}");

    // In Russian, a Cyrillic query; Enter with nothing chosen submits the form.
    c.goto(&format!("{base}/ru/")).await.unwrap();
    type_slowly(c, input, "НКВД").await;
    wait_for_option(c, "/ru/types/nkvd-fireman-badge").await;
    let field = c.find(Locator::Css(input)).await.unwrap();
    field.send_keys(&key(Key::Enter)).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let url = c.current_url().await.unwrap();
        if url.path() == "/ru/search" {
            let q: Vec<_> = url.query_pairs().collect();
            assert_eq!(
                q.first().map(|(_, v)| v.to_string()).as_deref(),
                Some("НКВД")
            );
            break;
        }
        assert!(Instant::now() < deadline, "still at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = c
        .find(Locator::Css("ol.results a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(first.as_deref(), Some("/ru/types/nkvd-fireman-badge"));
}
