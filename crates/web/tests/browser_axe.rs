//! axe-core, the accessibility checker, on every page of the curator’s workspace, in English
//! and in Russian, in a real browser (headless Chromium), at a desktop width and on a
//! phone-sized screen: no violations.
//!
//! axe-core comes from npm: `VITRINA_TEST_AXE` names its `axe.min.js` (`.ci/run` sets it);
//! without it the test installs axe-core into cargo's test scratch folder with `npm`.

mod common;

use fantoccini::Client;
use serde_json::{Value, json};
use vitrina_catalogue::Role;
use vitrina_testkit::browser::{BrowserOptions, start_driver};

/// The version `.ci/run` installs too.
const AXE: &str = "axe-core@4.14.1";

fn axe_source() -> String {
    let path = match std::env::var_os("VITRINA_TEST_AXE") {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("axe");
            let file = dir.join("node_modules/axe-core/axe.min.js");
            if !file.exists() {
                let status = std::process::Command::new("npm")
                    .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                    .arg(&dir)
                    .arg(AXE)
                    .status()
                    .expect("npm, to install axe-core (or set VITRINA_TEST_AXE)");
                assert!(status.success(), "npm install {AXE} failed");
            }
            file
        }
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The violations axe finds on the page the browser shows, one line each.
async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(&format!("{axe}\nreturn true"), Vec::new())
        .await
        .unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, {resultTypes: ['violations']}).then(r => done(\
               r.violations.map(v => v.id + ' (' + v.impact + '): ' +\
                 v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))",
            Vec::new(),
        )
        .await
        .unwrap();
    match found {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => panic!("axe answered {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workspace_page_passes_axe_at_two_widths_in_both_languages() {
    let axe = axe_source();
    let dir = tempfile::tempdir().unwrap();
    let options = common::curators::Options {
        demo: true,
        media: Some(vitrina_media::Limits::default()),
        ..Default::default()
    };
    let site = common::curators::start(&dir, options).await;
    let (cookie, _) = site.curator("olga", Role::Owner).await;
    let category = site.catalogue.curator_categories().await.unwrap()[0]
        .category
        .slug
        .to_string();
    // Two imports: one waiting with a plan that has a problem, one imported.
    let author = vitrina_storage::Author::system();
    let sheet = |rows: &str| format!("Title;Year;Condition;Inventory number\n{rows}").into_bytes();
    let waiting = site
        .catalogue
        .upload_import(
            site.media(),
            "sheet.csv",
            sheet("Axe badge;1931;superb;AX-1\nAxe medal;1932;fine;AX-2\n"),
            Default::default(),
            &author,
        )
        .await
        .unwrap()
        .id;
    let imported = site
        .catalogue
        .upload_import(
            site.media(),
            "clean.csv",
            sheet("Axe pin;1933;fine;AX-3\n"),
            Default::default(),
            &author,
        )
        .await
        .unwrap()
        .id;
    site.catalogue
        .run_import_job(site.media(), imported, &author)
        .await
        .unwrap();
    while !site
        .catalogue
        .import_job(imported)
        .await
        .unwrap()
        .state
        .is_final()
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let pages = [
        "/admin/types".to_owned(),
        "/admin/types/new".to_owned(),
        "/admin/types/mopr-badge".to_owned(),
        "/admin/types/nkvd-fireman-badge".to_owned(),
        "/admin/types/mopr-badge/history".to_owned(),
        "/admin/types/mopr-badge/delete".to_owned(),
        "/admin/history".to_owned(),
        "/admin/categories".to_owned(),
        format!("/admin/categories/{category}"),
        "/admin/collection".to_owned(),
        "/admin/users".to_owned(),
        "/admin/tokens".to_owned(),
        "/admin/import".to_owned(),
        format!("/admin/import/{waiting}"),
        format!("/admin/import/{imported}"),
        "/admin/export".to_owned(),
    ];
    // The same pages in the Russian workspace.
    let pages: Vec<String> = pages
        .iter()
        .cloned()
        .chain(pages.iter().map(|p| format!("/ru{p}")))
        .collect();
    let driver = tokio::task::spawn_blocking(start_driver).await.unwrap();
    let mut failures = Vec::new();
    for phone in [false, true] {
        let mut options = BrowserOptions::new();
        if phone {
            options = options.chrome_option(
                "mobileEmulation",
                json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2, "touch": true}}),
            );
        }
        let c = options.connect(&driver).await;
        c.goto(&site.url("/healthz")).await.unwrap();
        c.execute(
            &format!("document.cookie = '{cookie}; path=/'; return true"),
            Vec::new(),
        )
        .await
        .unwrap();
        for page in &pages {
            c.goto(&site.url(page)).await.unwrap();
            let width = if phone { "390 px" } else { "desktop" };
            let title = c.title().await.unwrap();
            assert!(!title.contains("Sign in"), "{page}: not signed in");
            for v in violations(&c, &axe).await {
                failures.push(format!("{page} at {width}: {v}"));
            }
        }
        if !phone {
            // The check itself can fail: an image without alt text on the page is found.
            c.goto(&site.url("/admin/types")).await.unwrap();
            c.execute(
                "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">'); return true",
                Vec::new(),
            )
            .await
            .unwrap();
            let found = violations(&c, &axe).await;
            assert!(
                found.iter().any(|v| v.starts_with("image-alt")),
                "{found:?}"
            );
        }
        let _ = c.close().await;
    }
    assert!(failures.is_empty(), "axe:\n{}", failures.join("\n"));
}
