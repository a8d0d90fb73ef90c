//! HTTP behaviour: caching validators, compression, the language switch, hostile URLs,
//! sanitised Markdown, media and health.

mod common;

use common::start;
use vitrina_catalogue::Access;

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn pages_carry_a_strong_etag_and_answer_304_when_it_matches() {
    let site = start().await;
    for path in ["/", "/ru/types/mopr-badge", "/categories/mopr-badge"] {
        let res = site.get(path).await;
        let etag = header(&res, "etag");
        assert!(etag.starts_with('"') && etag.len() > 8, "{path}: {etag}");
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=60, stale-while-revalidate=600"
        );
        assert!(
            header(&res, "vary")
                .to_lowercase()
                .contains("accept-encoding")
        );
        assert!(!header(&res, "x-request-id").is_empty());
        assert!(header(&res, "content-security-policy").contains("default-src 'none'"));
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert!(!header(&res, "referrer-policy").is_empty());
        let again = site
            .client
            .get(site.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(header(&again, "etag"), etag);
        let other = site
            .client
            .get(site.url(path))
            .header("if-none-match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);
    }
}

#[tokio::test]
async fn an_edit_changes_the_page_and_its_etag() {
    let site = start().await;
    let before = site.get("/types/mopr-badge").await;
    let etag = header(&before, "etag");
    let store = site.catalogue.store().clone();
    let mut t = store
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    t.names.en = "MOPR badge (revised)".to_owned();
    site.catalogue.save_type(&t).await.unwrap();
    let after = site.get("/types/mopr-badge").await;
    assert_ne!(header(&after, "etag"), etag);
    assert!(after.text().await.unwrap().contains("MOPR badge (revised)"));
}

#[tokio::test]
async fn assets_are_fingerprinted_immutable_and_unknown_ones_404() {
    let site = start().await;
    let html = site.page("/").await;
    let css = common::links(&html)
        .into_iter()
        .find(|l| l.starts_with("/assets/site.") && l.ends_with(".css"))
        .expect("a fingerprinted stylesheet");
    assert_eq!(css.len(), "/assets/site.12345678.css".len(), "{css}");
    let res = site.get(&css).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&res, "content-type").starts_with("text/css"));
    let etag = header(&res, "etag");
    let body = res.text().await.unwrap();
    assert!(body.contains("@font-face") && body.contains(".woff2"));
    let font = body
        .split("url(")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap()
        .to_owned();
    let res = site.get(&font).await;
    assert_eq!(res.status(), 200, "{font}");
    assert_eq!(header(&res, "content-type"), "font/woff2");
    let res = site
        .client
        .get(site.url(&css))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    for path in [
        "/assets/site.css",
        "/assets/site.00000000.css",
        "/assets/../Cargo.toml",
        "/assets/",
    ] {
        assert_eq!(site.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn gzip_and_brotli_are_negotiated() {
    let site = start().await;
    for (accept, expected) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("br, gzip", "br"),
        ("identity", ""),
    ] {
        let res = site
            .client
            .get(site.url("/types/mopr-badge"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "content-encoding"),
            expected,
            "Accept-Encoding: {accept}"
        );
        assert!(
            header(&res, "vary")
                .to_lowercase()
                .contains("accept-encoding")
        );
    }
}

#[tokio::test]
async fn the_language_switch_sets_a_cookie_and_goes_back_to_the_same_page() {
    let site = start().await;
    let res = site.get("/lang/ru?next=%2Fru%2Ftypes%2Fmopr-badge").await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/ru/types/mopr-badge");
    let cookie = header(&res, "set-cookie");
    for part in [
        "lang=ru",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=31536000",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let res = site.get("/lang/en?next=/types/mopr-badge").await;
    assert_eq!(header(&res, "location"), "/types/mopr-badge");
    assert!(header(&res, "set-cookie").contains("lang=en"));
    assert_eq!(site.get("/lang/de?next=/").await.status(), 404);
    // The page links to its own switch.
    let html = site.page("/types/mopr-badge").await;
    assert!(html.contains("href=\"/lang/ru?next=%2Fru%2Ftypes%2Fmopr-badge\""));
}

#[tokio::test]
async fn the_language_switch_is_not_an_open_redirect() {
    let site = start().await;
    for next in [
        "//evil.example",
        "%2F%2Fevil.example",
        "https://evil.example",
        "https%3A%2F%2Fevil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "javascript:alert(1)",
        "%0D%0ALocation:%20https://evil.example",
    ] {
        let res = site.get(&format!("/lang/ru?next={next}")).await;
        assert_eq!(res.status(), 303, "{next}");
        assert_eq!(header(&res, "location"), "/", "{next}");
    }
}

#[tokio::test]
async fn the_home_page_remembers_russian_readers() {
    let site = start().await;
    let res = site
        .client
        .get(site.url("/"))
        .header("cookie", "lang=ru")
        .send()
        .await
        .unwrap();
    assert!(res.status() == 303 || res.status() == 302);
    assert_eq!(header(&res, "location"), "/ru/");
    assert!(header(&res, "vary").to_lowercase().contains("cookie"));
    let res = site
        .client
        .get(site.url("/"))
        .header("cookie", "x=1; lang=en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "vary").to_lowercase().contains("cookie"));
    // Pages themselves ignore the cookie.
    let res = site
        .client
        .get(site.url("/types/mopr-badge"))
        .header("cookie", "lang=ru")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<html lang=\"en\">"));
    assert_eq!(header(&site.get("/ru").await, "location"), "/ru/");
}

#[tokio::test]
async fn a_first_visit_from_a_russian_browser_is_offered_russian() {
    let site = start().await;
    let visit = |cookie: Option<&'static str>, accept: &'static str| {
        let mut req = site
            .client
            .get(site.url("/"))
            .header("accept-language", accept);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send()
    };
    let res = visit(None, "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7")
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/ru/");
    assert!(
        header(&res, "vary")
            .to_lowercase()
            .contains("accept-language")
    );
    // English first, or a language we do not speak: the English home page.
    for accept in ["en-GB,ru;q=0.5", "de-DE", "*", "q=;;;,,"] {
        let res = visit(None, accept).await.unwrap();
        assert_eq!(res.status(), 200, "{accept}");
    }
    // A reader who chose English keeps it, whatever the browser says.
    let res = visit(Some("lang=en"), "ru").await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn hostile_urls_get_a_styled_404_never_a_500() {
    let site = start().await;
    let long = "a".repeat(5000);
    let paths = [
        format!("/types/{long}"),
        format!("/ru/categories/{long}"),
        "/types/..%2F..%2Fetc%2Fpasswd".to_owned(),
        "/types/%2e%2e%2f".to_owned(),
        "/types/%FF%FE".to_owned(),
        "/types/%C0%AF".to_owned(),
        "/types/UPPER".to_owned(),
        "/types/a--b".to_owned(),
        "/types/%00".to_owned(),
        "/categories/%E2%80%AE".to_owned(),
        "/media/..%2F..%2FCargo.toml".to_owned(),
        "/media/demo/..%2F..%2FCargo.toml".to_owned(),
        "/media/%2Fetc%2Fpasswd".to_owned(),
        "/media/a%5Cb".to_owned(),
        "/media/a%00b.svg".to_owned(),
        "/media/demo/nope.svg".to_owned(),
        "/nothing/here".to_owned(),
        "/ru/nothing".to_owned(),
        "/types/".to_owned(),
        "/types/mopr-badge/extra".to_owned(),
    ];
    for path in &paths {
        let res = site.get(path).await;
        let status = res.status().as_u16();
        assert!(status == 404 || status == 400, "{path}: {status}");
        let body = res.text().await.unwrap();
        assert!(body.contains("<h1"), "{path}: the site's own error page");
    }
    let ru = site.get("/ru/types/nothing-here").await;
    assert_eq!(ru.status(), 404);
    let body = ru.text().await.unwrap();
    assert!(body.contains("<html lang=\"ru\">") && body.contains("Страница не найдена"));
    let en = site.get("/types/nothing-here").await.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Page not found"));
}

#[tokio::test]
async fn bad_page_numbers_are_a_400_and_pages_past_the_end_a_404() {
    let site = start().await;
    for q in [
        "page=0",
        "page=-1",
        "page=abc",
        "page=99999999999999999999999",
        "page=",
    ] {
        let res = site.get(&format!("/categories/mopr-badge?{q}")).await;
        assert_eq!(res.status(), 400, "{q}");
    }
    assert_eq!(
        site.get("/categories/mopr-badge?page=2").await.status(),
        404
    );
    assert_eq!(
        site.get("/categories/mopr-badge?page=1").await.status(),
        200
    );
}

#[tokio::test]
async fn markdown_descriptions_are_sanitised() {
    let site = start().await;
    let store = site.catalogue.store().clone();
    let mut t = store
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    t.description.en = "Intro <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n\
        [x](javascript:alert(1)) <a href=\"JAVASCRIPT:alert(2)\" onclick=\"alert(3)\">y</a>\n\n\
        <iframe src=\"https://evil.example\"></iframe>\n\n**kept**"
        .to_owned();
    site.catalogue.save_type(&t).await.unwrap();
    let html = site.page("/types/mopr-badge").await;
    let lower = html.to_lowercase();
    // The only scripts are our own, from /assets: the search box's and the photo viewer's.
    assert_eq!(lower.matches("<script").count(), 2, "script survived");
    assert!(lower.contains("<script src=\"/assets/search."));
    assert!(lower.contains("<script src=\"/assets/viewer."));
    assert!(!lower.contains("alert(1)</script>"), "script survived");
    assert!(!lower.contains("onerror"), "event handler survived");
    assert!(!lower.contains("onclick"), "event handler survived");
    assert!(!lower.contains("javascript:"), "javascript: URL survived");
    assert!(!lower.contains("<iframe"), "iframe survived");
    assert!(html.contains("<strong>kept</strong>"));
}

#[tokio::test]
async fn demo_media_are_served_with_a_strict_policy() {
    let site = start().await;
    let res = site.get("/media/demo/mopr-badge-obverse.svg").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/svg+xml");
    assert_eq!(
        header(&res, "content-security-policy"),
        "default-src 'none'; style-src 'unsafe-inline'"
    );
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert!(res.text().await.unwrap().starts_with("<svg"));
}

#[tokio::test]
async fn media_from_the_media_folder_are_served_and_nothing_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = common::demo_catalogue(&dir).await;
    let media = dir.path().join("media");
    std::fs::create_dir_all(media.join("photos")).unwrap();
    std::fs::write(media.join("photos/a.jpg"), b"\xFF\xD8\xFFjpeg").unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
    let site = common::start_with(catalogue, dir, None).await;
    let res = site.get("/media/photos/a.jpg").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/jpeg");
    assert_eq!(site.get("/media/photos").await.status(), 404);
    assert_eq!(site.get("/media/..%2Fsecret.txt").await.status(), 404);
    assert_eq!(
        site.get("/media/photos/..%2F..%2Fsecret.txt")
            .await
            .status(),
        404
    );
}

/// A media store in memory: not the media folder, so only the trait can reach it.
#[derive(Debug, Default)]
struct MemoryStore(std::sync::Mutex<std::collections::BTreeMap<String, bytes::Bytes>>);

#[async_trait::async_trait]
impl vitrina_media::MediaStore for MemoryStore {
    async fn put(&self, key: &str, bytes: bytes::Bytes) -> std::io::Result<()> {
        self.0.lock().unwrap().insert(key.to_owned(), bytes);
        Ok(())
    }
    async fn get(&self, key: &str) -> std::io::Result<Option<bytes::Bytes>> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
    async fn exists(&self, key: &str) -> std::io::Result<bool> {
        Ok(self.0.lock().unwrap().contains_key(key))
    }
    async fn delete(&self, key: &str) -> std::io::Result<()> {
        self.0.lock().unwrap().remove(key);
        Ok(())
    }
    async fn list(&self, prefix: &str) -> std::io::Result<Vec<String>> {
        let keys = self.0.lock().unwrap();
        Ok(keys
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect())
    }
}

#[tokio::test]
async fn media_are_served_through_the_media_store_with_their_hash_as_etag() {
    use vitrina_media::MediaStore;
    let dir = tempfile::tempdir().unwrap();
    let catalogue = common::demo_catalogue(&dir).await;
    let store = std::sync::Arc::new(MemoryStore::default());
    let hash = "ab".repeat(32);
    let thumb = format!("photos/{hash}/thumb.jpg");
    store
        .put(&thumb, bytes::Bytes::from_static(b"\xFF\xD8\xFFthumb"))
        .await
        .unwrap();
    store
        .put(
            &format!("originals/{hash}"),
            bytes::Bytes::from_static(b"gps"),
        )
        .await
        .unwrap();
    let media = vitrina_media::Pipeline::new(store, vitrina_media::Limits::default());
    // the media folder is empty: whatever is served came through the store
    let app = vitrina_web::App::with_media(
        catalogue,
        vitrina_web::WebSettings::new(dir.path().join("media")),
        media,
    )
    .unwrap();
    let (addr, _stop) = common::serve(app).await;
    let client = common::plain_client();
    let url = |p: &str| format!("http://{addr}{p}");
    let res = client
        .get(url(&format!("/media/{thumb}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/jpeg");
    assert_eq!(header(&res, "etag"), format!("\"{hash}-thumb.jpg\""));
    assert!(header(&res, "cache-control").contains("immutable"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"\xFF\xD8\xFFthumb");
    let again = client
        .get(url(&format!("/media/{thumb}")))
        .header("if-none-match", format!("\"{hash}-thumb.jpg\""))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    for hidden in [
        format!("/media/originals/{hash}"),
        format!("/media/photos/{hash}/display.jpg"),
        "/media/photos/..%2F..%2Foriginals".to_owned(),
    ] {
        let res = client.get(url(&hidden)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{hidden}");
    }
    // the demo illustrations are embedded and still served
    let res = client
        .get(url("/media/demo/mopr-badge-obverse.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let site = start().await;
    let res = site.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], "ok");
    site.catalogue.store().close().await;
    let res = site.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["database"], "unavailable");
}

#[tokio::test]
async fn a_broken_override_template_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = common::demo_catalogue(&dir).await;
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("home.html"),
        "{% extends \"base.html\" %}{% block main %}{{ oops",
    )
    .unwrap();
    let settings = vitrina_web::WebSettings {
        templates_dir: Some(templates.clone()),
        ..vitrina_web::WebSettings::new(dir.path().join("media"))
    };
    let err = vitrina_web::App::new(catalogue.clone(), settings.clone()).unwrap_err();
    assert!(err.to_string().contains("home.html"), "{err}");
    // A template naming a variable the page does not have is refused too, at the first
    // render of the error page at start-up.
    std::fs::write(templates.join("home.html"), "ok").unwrap();
    std::fs::write(templates.join("error.html"), "{{ layout.no_such_thing }}").unwrap();
    assert!(vitrina_web::App::new(catalogue.clone(), settings.clone()).is_err());
    // A good override replaces the embedded template.
    std::fs::write(
        templates.join("error.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>Custom {{ status }}</h1>{% endblock %}",
    )
    .unwrap();
    std::fs::write(
        templates.join("home.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>Custom home</h1>{% endblock %}",
    )
    .unwrap();
    let site = common::start_with(catalogue, tempfile::tempdir().unwrap(), Some(settings)).await;
    assert!(site.page("/").await.contains("Custom home"));
    assert!(
        site.get("/nope")
            .await
            .text()
            .await
            .unwrap()
            .contains("Custom 404")
    );
}
