//! An import in a real browser (headless Chromium through chromedriver): a curator uploads a
//! CSV in the workspace, sees the plan, reads one column into another field than the one
//! recognised (the Import button waits while the change is not checked), checks again,
//! imports, follows the progress to the report and finds the imported type in the list.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`).

mod common;

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::Value;
use vitrina_catalogue::{Access, Material, Role, Slug};
use vitrina_testkit::browser::{BrowserOptions, start_driver};

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, Vec::new()).await.unwrap()
}

async fn wait_until(c: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if js(c, script).await == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "after 30 s, still not: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// A collector's sheet: "Made of" is not a header Vitrina recognises.
const SHEET: &str = "Title,Year,Made of,Inventory number\n\
    Browser journey badge,1935,silver,BJ-1\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_is_uploaded_remapped_and_imported_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let options = common::curators::Options {
        demo: true,
        media: Some(vitrina_media::Limits::default()),
        ..Default::default()
    };
    let site = common::curators::start(&dir, options).await;
    let (cookie, _) = site.curator("anna", Role::Editor).await;
    let file = dir.path().join("journey.csv");
    std::fs::write(&file, SHEET).unwrap();
    let driver = tokio::task::spawn_blocking(start_driver).await.unwrap();
    let c = BrowserOptions::new().connect(&driver).await;
    let base = site.url("");
    let result = tokio::spawn({
        let c = c.clone();
        let file = file.display().to_string();
        async move { journey(&c, &base, &cookie, &file).await }
    })
    .await;
    let _ = c.close().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
    let t = site
        .catalogue
        .store()
        .badge_type(
            &Slug::parse("browser-journey-badge").unwrap(),
            Access::Private,
        )
        .await
        .unwrap();
    assert_eq!(
        t.variants[0].materials,
        [Material::Silver],
        "read as chosen"
    );
    assert_eq!(t.variants[0].specimens[0].inventory_number, "BJ-1");
}

async fn journey(c: &Client, base: &str, cookie: &str, file: &str) {
    c.goto(&format!("{base}/healthz")).await.unwrap();
    js(
        c,
        &format!("document.cookie = '{cookie}; path=/'; return true"),
    )
    .await;

    // The workspace's menu leads to the import.
    c.goto(&format!("{base}/admin/types")).await.unwrap();
    click(c, ".admin-bar__nav a[href=\"/admin/import\"]").await;
    wait_until(
        c,
        "return location.pathname === '/admin/import' && !!document.querySelector('#import-file')",
        "the import page",
    )
    .await;
    c.find(Locator::Css("#import-file"))
        .await
        .unwrap()
        .send_keys(file)
        .await
        .unwrap();
    click(c, ".import-form button[type=submit]").await;
    wait_until(
        c,
        "return /^\\/admin\\/import\\/\\d+$/.test(location.pathname) && !!document.querySelector('#map-2')",
        "the plan",
    )
    .await;
    // "Made of" is not recognised: left out, and the plan says so.
    assert_eq!(
        js(c, "return document.querySelector('#map-2').value").await,
        Value::String(String::new())
    );
    assert_eq!(
        js(c, "return document.querySelector('#map-0').value").await,
        Value::String("title_en".into())
    );
    assert_eq!(
        js(
            c,
            "return document.querySelector('.import-run__button').disabled"
        )
        .await,
        Value::Bool(false),
        "the plan can be imported as it is"
    );
    // Read it as the variant's materials: until checked again, Import waits.
    c.find(Locator::Css("#map-2"))
        .await
        .unwrap()
        .select_by_value("materials")
        .await
        .unwrap();
    wait_until(
        c,
        "return document.querySelector('.import-run__button').disabled && !document.querySelector('[data-import-changed]').hidden",
        "Import waits for the check",
    )
    .await;
    js(c, "window.__old = true; return true").await;
    click(c, ".import-mapping button[type=submit]").await;
    wait_until(
        c,
        "return !window.__old && !!document.querySelector('#map-2') && document.querySelector('#map-2').value === 'materials'",
        "the plan checked again with the new mapping",
    )
    .await;
    let preview = js(
        c,
        "return document.querySelector('.import-preview').textContent",
    )
    .await;
    assert!(
        preview.as_str().unwrap_or_default().contains("silver"),
        "{preview}"
    );
    // Imported: the page follows the job to its report.
    click(c, ".import-run__button").await;
    wait_until(
        c,
        "return !!document.querySelector('.import-report') && document.querySelector('.import-report').textContent.includes('Types created: 1')",
        "the report",
    )
    .await;
    click(c, ".import-report a[href=\"/admin/types\"]").await;
    wait_until(
        c,
        "return location.pathname === '/admin/types' && document.body.textContent.includes('Browser journey badge')",
        "the imported type in the list",
    )
    .await;
}
