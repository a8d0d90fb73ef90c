//! The curator's workspace in a real browser (headless Chromium through chromedriver): a
//! complete MOPR-like record entered from nothing on one page with one save — the type, a
//! variant, a piece with an engraving, two hallmarks with their places and a thickness of
//! 1/8 in — and its obverse and reverse photos, in the same save; and an edit of two sections
//! and the photos' order saved once with Ctrl+S. It counts the page loads and the saves the journey takes and times it (printed,
//! never asserted).
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;
use vitrina_catalogue::{Access, Role, Slug};
use vitrina_testkit::browser::{BrowserOptions, key, start_driver};

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, Vec::new()).await.unwrap()
}

async fn wait_until(c: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if js(c, script).await == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "after 20 s, still not: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Types into the field called `name`, as a person would.
async fn type_in(c: &Client, name: &str, text: &str) {
    let field = c
        .find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await
        .unwrap_or_else(|e| panic!("no field {name}: {e}"));
    field.send_keys(text).await.unwrap();
}

/// Chooses the option with `value` in the select called `name`.
async fn choose(c: &Client, name: &str, value: &str) {
    let select = c
        .find(Locator::Css(&format!("select[name=\"{name}\"]")))
        .await
        .unwrap_or_else(|e| panic!("no select {name}: {e}"));
    select.select_by_value(value).await.unwrap();
}

async fn tick(c: &Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!(
        "input[type=checkbox][name=\"{name}\"][value=\"{value}\"]"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
}

/// The page loads the browser made so far (a navigation each: goto, a form's submit, a reload).
async fn loads(c: &Client) -> u64 {
    js(c, "return Number(sessionStorage.getItem('loads') || 0)")
        .await
        .as_u64()
        .unwrap()
}

/// Counts this page load in the session (called after each navigation).
async fn count_load(c: &Client) {
    js(
        c,
        "sessionStorage.setItem('loads', Number(sessionStorage.getItem('loads') || 0) + 1); return true",
    )
    .await;
}

fn testdata(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/images")
        .join(rel)
        .canonicalize()
        .unwrap()
        .display()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complete_record_is_entered_on_one_page_with_one_save_and_edited_with_one_more() {
    let dir = tempfile::tempdir().unwrap();
    let options = common::curators::Options {
        demo: true,
        media: Some(vitrina_media::Limits::default()),
        ..Default::default()
    };
    let site = common::curators::start(&dir, options).await;
    let worker = site.media().spawn_worker(std::future::pending::<()>());
    let (cookie, _) = site.curator("anna", Role::Editor).await;
    let driver = tokio::task::spawn_blocking(start_driver).await.unwrap();
    let c = BrowserOptions::new().connect(&driver).await;
    let base = site.url("");
    let result = tokio::spawn({
        let c = c.clone();
        async move { journey(&c, &base, &cookie).await }
    })
    .await;
    let _ = c.close().await;
    worker.abort();
    let (page_loads, saves, took) = match result {
        Ok(r) => r,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };

    let store: &dyn vitrina_storage::Store = site.catalogue.store().as_ref();
    let t = store
        .badge_type(&Slug::parse("mopr-like").unwrap(), Access::Private)
        .await
        .unwrap();
    assert_eq!(t.names.en, "MOPR-like badge (edited)");
    let v = &t.variants[0];
    assert_eq!(v.maker, "Moscow mint");
    let s = &v.specimens[0];
    assert_eq!(s.engravings[0].text, "No. 9");
    assert_eq!(
        s.hallmarks.len(),
        2,
        "the second hallmark row appeared as the first was filled"
    );
    assert_eq!(
        s.measurements[0].quantity.unit,
        vitrina_catalogue::Unit::Inch
    );
    let roles: Vec<_> = t.photos.iter().map(|p| p.role).collect();
    assert_eq!(
        roles,
        [
            vitrina_catalogue::PhotoRole::Reverse,
            vitrina_catalogue::PhotoRole::Obverse
        ],
        "saved in the order they were moved to"
    );
    assert_eq!(t.photos[1].original_name, "Landscape_6.jpg");
    println!(
        "journey: {page_loads} page loads, {saves} saves (the record with its photos 1, the edit 1), {:.2} s",
        took.as_secs_f64()
    );
}

async fn journey(c: &Client, base: &str, cookie: &str) -> (u64, u64, Duration) {
    // Signed in: the session cookie, set on the site's origin.
    c.goto(&format!("{base}/healthz")).await.unwrap();
    js(
        c,
        &format!("document.cookie = '{cookie}; path=/'; return true"),
    )
    .await;
    let started = Instant::now();
    let mut saves = 0;

    c.goto(&format!("{base}/admin/types/new")).await.unwrap();
    count_load(c).await;
    for (name, text) in [
        ("slug", "mopr-like"),
        ("names_en", "MOPR-like badge"),
        ("names_ru", "Знак вроде МОПР"),
        ("established", "1922"),
        ("vnew.name_en", "Solid silver"),
        ("vnew.snew.inventory_number", "INV-1"),
        ("vnew.snew.engravings_0_text", "No. 9"),
    ] {
        type_in(c, name, text).await;
    }
    tick(c, "vnew.materials", "silver").await;
    choose(c, "vnew.snew.engravings_0_side", "reverse").await;
    choose(c, "vnew.snew.hallmarks_0_kind", "silver_proof").await;
    choose(c, "vnew.snew.hallmarks_0_side", "reverse").await;
    choose(c, "vnew.snew.hallmarks_0_area", "bottom-left").await;
    // The first hallmark filled, the page offers a second row.
    choose(c, "vnew.snew.hallmarks_1_kind", "silversmith").await;
    choose(c, "vnew.snew.hallmarks_1_side", "reverse").await;
    choose(c, "vnew.snew.hallmarks_1_area", "bottom-left").await;
    choose(c, "vnew.snew.measurements_0_dimension", "thickness").await;
    type_in(c, "vnew.snew.measurements_0_amount", "1/8").await;
    choose(c, "vnew.snew.measurements_0_unit", "inch").await;
    // The photos go with the same save: obverse and reverse, each in its row of the form.
    let files = c
        .find_all(Locator::Css("#new-photos input[type=file]"))
        .await
        .unwrap();
    assert_eq!(
        files.len(),
        2,
        "a row for the obverse and one for the reverse"
    );
    files[0]
        .send_keys(&testdata("orientation/Landscape_6.jpg"))
        .await
        .unwrap();
    files[1]
        .send_keys(&testdata("formats/pil123rgba.png"))
        .await
        .unwrap();
    assert_eq!(
        js(
            c,
            "return document.querySelector('.savebar').classList.contains('is-dirty')"
        )
        .await,
        Value::Bool(true),
        "the save bar says there are unsaved changes"
    );
    c.find(Locator::Css(".savebar__save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saves += 1;
    wait_until(
        c,
        "return location.pathname === '/admin/types/mopr-like' && document.querySelectorAll('#photos .photo').length === 2",
        "saved with its two photos, on the edit page",
    )
    .await;
    count_load(c).await;

    // Two sections edited and the photos put in another order (by keyboard on the drag
    // handle; a drag does the same), one Ctrl+S.
    js(c, "window.__old = true; return true").await;
    type_in(c, "names_en", " (edited)").await;
    type_in(c, "v0.maker", "Moscow mint").await;
    c.find(Locator::Css("#photos .photo__handle"))
        .await
        .unwrap()
        .send_keys(&key(Key::Down))
        .await
        .unwrap();
    assert_eq!(
        js(
            c,
            "return [...document.querySelectorAll('#photos [data-order]')].map(e => e.name + '=' + e.value).join(' ')"
        )
        .await,
        Value::String("p1.order=0 p0.order=1".into()),
        "the reverse now first"
    );
    c.find(Locator::Css("[name=\"v0.maker\"]"))
        .await
        .unwrap()
        .send_keys(&format!("{}s{}", key(Key::Control), key(Key::Null)))
        .await
        .unwrap();
    saves += 1;
    wait_until(
        c,
        "return !window.__old && location.search.includes('notice=Saved') && document.querySelector('[name=\"v0.maker\"]').value === 'Moscow mint'",
        "the edit is saved",
    )
    .await;
    count_load(c).await;
    let figures = (loads(c).await, saves, started.elapsed());

    // The history tells the two saves in words, dated in the browser's own time zone.
    c.goto(&format!("{base}/admin/types/mopr-like/history"))
        .await
        .unwrap();
    let said = js(c, "return document.querySelector('.said').textContent").await;
    assert!(
        said.as_str()
            .unwrap_or_default()
            .contains("Changed the English name"),
        "{said}"
    );
    let time = js(
        c,
        "const t = document.querySelector('time[data-local]'); return [t.textContent, t.title]",
    )
    .await;
    let shown = time[0].as_str().unwrap_or_default();
    let utc = time[1].as_str().unwrap_or_default();
    assert!(
        utc.ends_with(" UTC") && !shown.contains("UTC") && !shown.is_empty(),
        "{time}"
    );
    figures
}
