//! The page cache and its warming: every public page rendered in the background is the very page
//! a visitor would have had rendered for them, and a change to the catalogue is never hidden by
//! a cached page.

mod common;

use vitrina_storage::Page;
use vitrina_web::warm::{Warmed, warm};
use vitrina_web::{App, WebSettings};

/// Every public path of the demo, in both languages.
async fn public_paths(site: &common::Site) -> Vec<String> {
    let home = site.catalogue.home().await.unwrap();
    let (types, _) = site.catalogue.types(Page::new(0, 500)).await.unwrap();
    let mut paths = vec!["/".to_owned()];
    paths.extend(
        home.categories
            .iter()
            .map(|c| format!("/categories/{}", c.category.slug)),
    );
    paths.extend(types.iter().map(|t| format!("/types/{}", t.slug)));
    let russian: Vec<String> = paths
        .iter()
        .map(|p| {
            if p == "/" {
                "/ru/".into()
            } else {
                format!("/ru{p}")
            }
        })
        .collect();
    paths.extend(russian);
    paths
}

#[tokio::test]
async fn warming_renders_every_public_page_once_and_they_are_the_pages_visitors_get() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = common::demo_catalogue(&dir).await;
    let app = App::new(
        catalogue.clone(),
        WebSettings::new(dir.path().join("media")),
    )
    .unwrap();
    let router = vitrina_web::router(app.clone());

    // the same catalogue, served by a site that caches nothing: pages rendered on request
    let uncached = common::start_with(
        catalogue.clone(),
        tempfile::tempdir().unwrap(),
        Some(WebSettings {
            page_cache_mb: 0,
            ..WebSettings::new(dir.path().join("media"))
        }),
    )
    .await;
    let paths = public_paths(&uncached).await;
    assert!(paths.len() > 20, "{paths:?}");

    let first = warm(&app, &router).await.unwrap();
    assert_eq!(
        first,
        Warmed {
            rendered: paths.len() as u64,
            cached: 0,
            stopped_early: false
        }
    );
    let again = warm(&app, &router).await.unwrap();
    assert_eq!(again.rendered, 0, "{again:?}");
    assert_eq!(again.cached, paths.len() as u64);

    let (addr, _stop) = common::serve(app.clone()).await;
    let client = common::plain_client();
    for path in &paths {
        let warmed = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(warmed.status(), 200, "{path}");
        let etag = warmed.headers()["etag"].clone();
        let warmed = warmed.text().await.unwrap();
        let fresh = uncached.page(path).await;
        assert_eq!(
            warmed, fresh,
            "{path}: the cached page differs from a fresh render"
        );
        // and the validator still answers 304 from the cache
        let revalidated = client
            .get(format!("http://{addr}{path}"))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), 304, "{path}");
    }

    // A change: the cached pages of the old catalogue are never served again.
    let (types, _) = catalogue.types(Page::new(0, 1)).await.unwrap();
    let mut changed = catalogue.curator_type(&types[0].slug).await.unwrap();
    changed.names.en = "A freshly renamed badge".into();
    catalogue.save_type(&changed).await.unwrap();
    let text = |path: String| {
        let request = client.get(format!("http://{addr}{path}"));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let page = text(format!("/types/{}", types[0].slug)).await;
    assert!(page.contains("A freshly renamed badge"));
    let home = text("/".into()).await;
    assert_eq!(home, uncached.page("/").await);
    // the next round renders everything of the new generation but what visitors already asked for
    let after = warm(&app, &router).await.unwrap();
    assert_eq!(after.rendered + after.cached, paths.len() as u64);
    assert_eq!(after.cached, 2, "{after:?}");
}
