//! The photo viewer of a type page in a real browser (headless Chromium through chromedriver):
//! opened from the keyboard, zoomed with "+", flipped from the obverse to the reverse with F,
//! two images compared side by side, closed with Escape with the focus back on the image it
//! was opened from; and on a phone-sized window, the dialog fits the screen, the compared images
//! stack, and a two-finger pinch zooms. All under the site's strict CSP.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`). Set
//! `VITRINA_TEST_CHROMEDRIVER` / `VITRINA_TEST_CHROMIUM` to use other binaries, and
//! `VITRINA_TEST_SCREENSHOTS` to a folder to keep screenshots of the viewer.

mod common;

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, PointerAction, TouchActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use vitrina_testkit::browser::{BrowserOptions, Driver, key, start_driver};

/// A desktop browser window of 1280 × 900, or with `phone`, a 390 × 844 touch screen (Chromium's
/// device emulation: a headless window cannot be narrower than 500 px).
async fn browser(driver: &Driver, phone: bool) -> Client {
    let mut options = BrowserOptions::new();
    if phone {
        options = options.chrome_option(
            "mobileEmulation",
            json!({
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3, "touch": true }
            }),
        );
    }
    options.connect(driver).await
}

/// Runs a script in the page and returns its value.
async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, Vec::new()).await.unwrap()
}

/// Polls a script until it returns `true`.
async fn wait_until(c: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if js(c, script).await == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "after 5 s, still not: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Presses a key where the focus is, as a person at a keyboard would.
async fn press(c: &Client, k: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(k)
        .await
        .unwrap();
}

/// The scale in the transform of the image shown in the viewer's `n`th pane.
async fn scale(c: &Client, n: usize) -> f64 {
    let t = js(
        c,
        &format!(
            "return document.querySelectorAll('dialog.viewer .viewer__img')[{n}].style.transform"
        ),
    )
    .await;
    let t = t.as_str().unwrap_or_default().to_owned();
    let s = t
        .split("scale(")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .unwrap_or_else(|| panic!("no scale in {t:?}"));
    s.parse().unwrap()
}

/// Listens for CSP violations from now on (the viewer's work happens after the page loads).
async fn watch_csp(c: &Client) {
    js(
        c,
        "window.__csp = []; document.addEventListener('securitypolicyviolation', \
         e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); return true",
    )
    .await;
}

async fn csp_violations(c: &Client) -> Value {
    js(c, "return window.__csp").await
}

async fn screenshot(c: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("VITRINA_TEST_SCREENSHOTS") {
        // Let a flip's animation end first: this is a picture for people, not an assertion.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let png = c.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_zooms_flips_compares_and_closes_from_the_keyboard() {
    let site = common::start().await;
    let driver = tokio::task::spawn_blocking(start_driver).await.unwrap();
    let c = browser(&driver, false).await;
    let result = tokio::spawn({
        let c = c.clone();
        let base = site.url("");
        async move { desktop(&c, &base).await }
    })
    .await;
    let _ = c.close().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn desktop(c: &Client, base: &str) {
    c.goto(&format!("{base}/types/mopr-badge")).await.unwrap();
    // The script has marked the images' links as opening a dialog.
    wait_until(
        c,
        "return document.querySelector('a.figure__zoom').getAttribute('aria-haspopup') === 'dialog'",
        "the viewer script enhanced the links",
    )
    .await;
    watch_csp(c).await;
    screenshot(c, "type-1280.png").await;

    // Tab from the top of the page to the first image, and open it with Enter.
    let on_first_image =
        "return document.activeElement.matches('a.figure__zoom[data-index=\"0\"]')";
    let mut tabs = 0;
    while js(c, on_first_image).await != Value::Bool(true) {
        tabs += 1;
        assert!(tabs < 40, "Tab never reached the first image");
        press(c, &key(Key::Tab)).await;
    }
    let opener_href = js(c, "return document.activeElement.getAttribute('href')").await;
    assert_eq!(opener_href, json!("/types/mopr-badge/photos/1"));
    let large = js(c, "return document.activeElement.dataset.large").await;
    assert_eq!(large, json!("/media/demo/mopr-badge-obverse.svg"));
    press(c, &key(Key::Enter)).await;
    wait_until(
        c,
        "return document.querySelector('dialog.viewer').open",
        "the viewer is open",
    )
    .await;
    // The focus moved into the dialog, and the page behind it is where it was.
    assert_eq!(
        js(
            c,
            "return document.querySelector('dialog.viewer').contains(document.activeElement)"
        )
        .await,
        json!(true)
    );
    assert_eq!(
        js(c, "return location.pathname").await,
        json!("/types/mopr-badge")
    );
    // Labelled in the page's language.
    assert_eq!(
        js(
            c,
            "return document.querySelector('.viewer__button--flip').textContent"
        )
        .await,
        json!("Flip")
    );
    let shown = "const i = document.querySelector('.viewer__pane:not([hidden]) .viewer__img'); \
                 return [i.getAttribute('src'), i.alt]";
    let obverse = js(c, shown).await;
    assert_eq!(obverse[0], json!("/media/demo/mopr-badge-obverse.svg"));
    assert!(
        obverse[1]
            .as_str()
            .unwrap()
            .starts_with("Schematic drawing of a round silver badge")
    );
    wait_until(
        c,
        "const i = document.querySelector('.viewer__img'); return i.complete && i.naturalWidth > 0",
        "the large image loaded",
    )
    .await;

    // "+" zooms in: the transform's scale grows; "0" fits again.
    assert_eq!(scale(c, 0).await, 1.0);
    let before = js(
        c,
        "return document.querySelector('.viewer__img').style.transform",
    )
    .await;
    press(c, "+").await;
    let after = js(
        c,
        "return document.querySelector('.viewer__img').style.transform",
    )
    .await;
    assert_ne!(before, after);
    assert!(scale(c, 0).await > 1.4, "{after}");
    press(c, "+").await;
    let zoomed = scale(c, 0).await;
    assert!(zoomed > 2.0, "{zoomed}");
    // The arrows move the zoomed image.
    let moved_from = js(
        c,
        "return document.querySelector('.viewer__img').style.transform",
    )
    .await;
    press(c, &key(Key::Right)).await;
    let moved_to = js(
        c,
        "return document.querySelector('.viewer__img').style.transform",
    )
    .await;
    assert_ne!(moved_from, moved_to);
    assert_eq!(scale(c, 0).await, zoomed);
    screenshot(c, "viewer-1280-zoomed.png").await;
    press(c, "0").await;
    assert_eq!(scale(c, 0).await, 1.0);

    // F turns the badge over: the piece's reverse.
    press(c, "f").await;
    let reverse = js(c, shown).await;
    assert_eq!(reverse[0], json!("/media/demo/mopr-badge-reverse.svg"));
    assert_ne!(reverse[1], obverse[1]);
    assert!(
        reverse[1].as_str().unwrap().contains("reverse"),
        "{reverse}"
    );
    assert_eq!(
        js(
            c,
            "return document.querySelector('.viewer__label').textContent"
        )
        .await,
        json!("Reverse · Solid silver")
    );
    // And back.
    press(c, "F").await;
    assert_eq!(js(c, shown).await[0], obverse[0]);

    // C compares: two images, side by side on a wide screen, each with its chooser.
    press(c, "c").await;
    let panes = js(
        c,
        "return Array.from(document.querySelectorAll('.viewer__pane:not([hidden])')).map(p => { \
           const i = p.querySelector('.viewer__img'); const r = p.getBoundingClientRect(); \
           return { src: i.getAttribute('src'), left: r.left, top: r.top, width: r.width, \
                    select: p.querySelector('select').value, chooser: !p.querySelector('.viewer__choose').hidden }; })",
    )
    .await;
    let panes = panes.as_array().unwrap();
    assert_eq!(panes.len(), 2, "{panes:?}");
    assert_eq!(panes[0]["src"], json!("/media/demo/mopr-badge-obverse.svg"));
    assert_eq!(panes[1]["src"], json!("/media/demo/mopr-badge-reverse.svg"));
    assert_eq!(panes[0]["top"], panes[1]["top"], "side by side: {panes:?}");
    assert!(panes[1]["left"].as_f64() > panes[0]["left"].as_f64());
    assert!(panes.iter().all(|p| p["chooser"] == json!(true)));
    assert_eq!(
        js(
            c,
            "return document.querySelector('.viewer__button--compare').getAttribute('aria-pressed')"
        )
        .await,
        json!("true")
    );
    screenshot(c, "viewer-1280-compare.png").await;

    // Tab stays inside the dialog.
    for _ in 0..15 {
        press(c, &key(Key::Tab)).await;
        assert_eq!(
            js(
                c,
                "return document.querySelector('dialog.viewer').contains(document.activeElement)"
            )
            .await,
            json!(true),
            "Tab left the dialog"
        );
    }

    // Escape closes it, and the focus is back on the image it was opened from.
    press(c, &key(Key::Escape)).await;
    wait_until(
        c,
        "return !document.querySelector('dialog.viewer').open",
        "the viewer closed",
    )
    .await;
    assert_eq!(
        js(c, "return document.activeElement.getAttribute('href')").await,
        opener_href
    );
    assert_eq!(csp_violations(c).await, json!([]));

    // A type with one image: nothing to flip to, compare with or step through.
    c.goto(&format!("{base}/types/khalkhin-gol-1939"))
        .await
        .unwrap();
    wait_until(
        c,
        "return document.querySelector('a.figure__zoom').getAttribute('aria-haspopup') === 'dialog'",
        "the viewer script enhanced the links",
    )
    .await;
    c.find(Locator::Css("a.figure__zoom"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        c,
        "return document.querySelector('dialog.viewer').open",
        "the viewer is open",
    )
    .await;
    let hidden = js(
        c,
        "return ['flip', 'compare'].map(b => document.querySelector('.viewer__button--' + b).hidden) \
           .concat(Array.from(document.querySelectorAll('.viewer__nav')).map(b => b.hidden))",
    )
    .await;
    assert_eq!(hidden, json!([true, true, true, true]));
    // F and C do nothing.
    press(c, "f").await;
    press(c, "c").await;
    assert_eq!(
        js(
            c,
            "return document.querySelectorAll('.viewer__pane:not([hidden])').length"
        )
        .await,
        json!(1)
    );
    assert_eq!(
        js(
            c,
            "return document.querySelector('.viewer__img').getAttribute('src')"
        )
        .await,
        json!("/media/demo/khalkhin-gol-1939-obverse.svg")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_viewer_fits_the_screen_stacks_the_compared_images_and_pinches() {
    let site = common::start().await;
    let driver = tokio::task::spawn_blocking(start_driver).await.unwrap();
    let c = browser(&driver, true).await;
    let result = tokio::spawn({
        let c = c.clone();
        let base = site.url("");
        async move { phone(&c, &base).await }
    })
    .await;
    let _ = c.close().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn phone(c: &Client, base: &str) {
    c.goto(&format!("{base}/ru/types/mopr-badge"))
        .await
        .unwrap();
    wait_until(
        c,
        "return document.querySelector('a.figure__zoom').getAttribute('aria-haspopup') === 'dialog'",
        "the viewer script enhanced the links",
    )
    .await;
    watch_csp(c).await;
    screenshot(c, "type-390.png").await;
    let width = js(c, "return window.innerWidth").await.as_f64().unwrap();
    assert_eq!(width, 390.0, "the window's width");

    c.find(Locator::Css("a.figure__zoom[data-index='0']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        c,
        "return document.querySelector('dialog.viewer').open",
        "the viewer is open",
    )
    .await;
    // In Russian.
    assert_eq!(
        js(
            c,
            "return document.querySelector('.viewer__close').textContent"
        )
        .await,
        json!("Закрыть")
    );
    // Everything of the dialog, and every control, is inside the screen.
    let fits = "const W = document.documentElement.clientWidth, H = window.innerHeight; \
        const d = document.querySelector('dialog.viewer').getBoundingClientRect(); \
        const out = Array.from(document.querySelectorAll('dialog.viewer button, dialog.viewer select, dialog.viewer .viewer__view')) \
          .filter(e => e.getClientRects().length) \
          .map(e => [e.className, e.getBoundingClientRect()]) \
          .filter(([, r]) => r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5) \
          .map(([c]) => c); \
        return { dialog: d.left >= 0 && d.top >= 0 && d.right <= W + 0.5 && d.bottom <= H + 0.5, \
                 scrolls: document.querySelector('dialog.viewer').scrollWidth > W + 0.5, out: out }";
    assert_eq!(
        js(c, fits).await,
        json!({"dialog": true, "scrolls": false, "out": []})
    );
    screenshot(c, "viewer-390.png").await;

    // Two fingers spread apart zoom in.
    let view = c
        .find(Locator::Css(".viewer__pane:not([hidden]) .viewer__view"))
        .await
        .unwrap();
    let finger = |id: &str, dx: f64| {
        TouchActions::new(id.into())
            .then(PointerAction::MoveToElement {
                element: view.clone(),
                duration: None,
                x: dx,
                y: 0.0,
            })
            .then(PointerAction::Down { button: 0 })
            .then(PointerAction::MoveToElement {
                element: view.clone(),
                duration: Some(Duration::from_millis(300)),
                x: dx * 4.0,
                y: 0.0,
            })
            .then(PointerAction::Up { button: 0 })
    };
    assert_eq!(scale(c, 0).await, 1.0);
    c.perform_actions(vec![finger("finger-1", -20.0), finger("finger-2", 20.0)])
        .await
        .unwrap();
    let pinched = scale(c, 0).await;
    assert!(
        pinched > 2.0,
        "a pinch from 40 to 160 px zoomed to {pinched}"
    );

    // Compared images are stacked, one above the other, both inside the screen.
    press(c, "0").await;
    c.find(Locator::Css(".viewer__button--compare"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let panes = js(
        c,
        "return Array.from(document.querySelectorAll('.viewer__pane:not([hidden]) .viewer__view')) \
           .map(v => { const r = v.getBoundingClientRect(); return [r.top, r.bottom, r.width, r.height]; })",
    )
    .await;
    let panes: Vec<Vec<f64>> = serde_json::from_value(panes).unwrap();
    assert_eq!(panes.len(), 2);
    assert!(panes[1][0] >= panes[0][1], "stacked: {panes:?}");
    assert!(
        panes.iter().all(|p| p[2] > 250.0 && p[3] > 100.0),
        "{panes:?}"
    );
    assert_eq!(
        js(c, fits).await,
        json!({"dialog": true, "scrolls": false, "out": []})
    );
    screenshot(c, "viewer-390-compare.png").await;

    c.find(Locator::Css(".viewer__close"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        c,
        "return !document.querySelector('dialog.viewer').open",
        "the viewer closed",
    )
    .await;
    assert_eq!(csp_violations(c).await, json!([]));
}
