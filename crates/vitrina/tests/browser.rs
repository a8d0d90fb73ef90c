//! One visitor's journey in a real browser (headless Chromium through chromedriver): open the
//! home page, follow a category, open the MOPR badge, switch to Russian, and check what a
//! visitor sees — and that the choice of language is remembered.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`). Set
//! `VITRINA_TEST_CHROMEDRIVER` to use another chromedriver binary.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::Server;
use fantoccini::{Client, Locator};
use vitrina_testkit::browser::{browser, start_driver, text_of};

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

/// Polls `check` until it returns `Some`, for up to `secs` seconds.
async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the browser has navigated to `path` (a click returns before the next page
/// has arrived).
async fn wait_for_path(c: &Client, path: &str) {
    eventually(20, path, || async {
        let url = c.current_url().await.ok()?;
        (url.path() == path).then_some(())
    })
    .await;
}

const CURATOR_PASSWORD: &str = "a long curator password";

#[test]
fn a_curator_adds_a_badge_with_photos_publishes_it_and_undoes_the_last_change() {
    let data = tempfile::tempdir().unwrap();
    // the first account, as the README says: `vitrina user add NAME --role …`
    let mut add = common::vitrina()
        .arg("--data")
        .arg(data.path())
        .args([
            "user",
            "add",
            "anna",
            "--role",
            "editor",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = add.stdin.take().unwrap();
        writeln!(stdin, "{CURATOR_PASSWORD}").unwrap();
    }
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success(), "user add: {out:?}");

    let server = Server::start(data.path(), &[]);
    let driver = start_driver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&driver).await;
        curate(&c, &server.base).await;
        let _ = c.close().await;
    });
}

async fn fill(c: &Client, css: &str, value: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn curate(c: &Client, base: &str) {
    let testdata = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/images")
        .canonicalize()
        .expect("testdata/images");

    // Sign in.
    c.goto(&format!("{base}/admin/types/new")).await.unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/admin/login", "the workspace asks to sign in");
    fill(c, "input[name=name]", "anna").await;
    fill(c, "input[name=password]", CURATOR_PASSWORD).await;
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/admin/types/new").await;

    // Create a type: a draft until it is published.
    fill(c, "input[name=names_en]", "Excellent Fire Fighter").await;
    fill(c, "input[name=names_ru]", "Отличный пожарник").await;
    fill(c, "input[name=slug]", "excellent-fire-fighter").await;
    c.find(Locator::Css("#type-form .savebar__save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, "/admin/types/excellent-fire-fighter").await;
    let public = format!("{base}/types/excellent-fire-fighter");
    let status = reqwest::get(&public).await.unwrap().status();
    assert_eq!(status, 404, "a draft is not public");

    // Upload an obverse and a reverse through the drop zone's file chooser.
    let picker = c
        .find(Locator::Css("form[data-upload] input[type=file][multiple]"))
        .await
        .expect("the upload script turned the form into a drop zone");
    let obverse = testdata.join("orientation/Landscape_3.jpg");
    let reverse = testdata.join("formats/hopper.jpg");
    picker
        .send_keys(&format!("{}\n{}", obverse.display(), reverse.display()))
        .await
        .unwrap();
    let roles = eventually(10, "two chosen files", || async {
        let selects = c
            .find_all(Locator::Css(".upload__item select"))
            .await
            .ok()?;
        if selects.len() < 2 {
            return None;
        }
        let mut roles = Vec::new();
        for s in selects {
            roles.push(s.prop("value").await.ok()??);
        }
        Some(roles)
    })
    .await;
    assert_eq!(roles, ["obverse", "reverse"], "roles are guessed in order");
    c.find(Locator::Css("form[data-upload] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // the page reloads when the upload is stored; its photo list then shows both
    eventually(30, "the uploaded photos on the type's page", || async {
        let html = c.source().await.ok()?;
        // (the words "Uploading…" are also in the form's data-msg attribute: look for them shown)
        (html.matches("photos/").count() >= 2 && !html.contains(">Uploading…<")).then_some(())
    })
    .await;

    // Publish.
    let published = c
        .find(Locator::Css("#type-form input[name=published]"))
        .await
        .unwrap();
    if published.prop("checked").await.unwrap().as_deref() != Some("true") {
        published.click().await.unwrap();
    }
    c.find(Locator::Css("#type-form .savebar__save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    eventually(20, "the type saved as published", || async {
        let html = c.source().await.ok()?;
        html.contains("href=\"/types/excellent-fire-fighter\"")
            .then_some(())
    })
    .await;

    // The public site shows it, with both photos once their sizes are made.
    c.goto(&public).await.unwrap();
    let h1 = text_of(c, "h1").await;
    assert!(h1.contains("Excellent Fire Fighter"), "public h1: {h1}");
    eventually(60, "the photos' derivatives on the public page", || async {
        c.refresh().await.ok()?;
        let loaded = c
            .execute(
                "return Array.from(document.querySelectorAll('main img'))\
                 .filter(i => i.complete && i.naturalWidth > 0).length",
                vec![],
            )
            .await
            .ok()?;
        (loaded.as_u64()? >= 2).then_some(())
    })
    .await;

    // Undo the last change (the publishing): restore the version before it.
    c.goto(&format!(
        "{base}/admin/types/excellent-fire-fighter/history"
    ))
    .await
    .unwrap();
    let restores = c
        .find_all(Locator::Css("form[action$='/restore'] button"))
        .await
        .unwrap();
    assert!(restores.len() >= 2, "a version before the last");
    restores[1].click().await.unwrap();
    eventually(20, "the publishing undone", || async {
        let status = reqwest::get(&public).await.ok()?.status();
        (status == 404).then_some(())
    })
    .await;
}
