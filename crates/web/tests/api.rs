//! The REST API against the real server on port 0: public reads, curators' writes with
//! versions, every error as a problem document, and the API's limits.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;
use vitrina_catalogue::{Role, TokenScope, User};
use vitrina_storage::{AccountStore, ApiToken};
use vitrina_web::WebSettings;

/// A token of `scope` for a new user with `role`.
async fn token(site: &common::Site, name: &str, role: Role, scope: TokenScope) -> String {
    let store: &dyn AccountStore = site.catalogue.store().as_ref();
    let user = store
        .create_user(&User::new(name, role), "$argon2id$not-a-real-hash")
        .await
        .unwrap();
    let secret = format!("vt_test{name}{}", "0".repeat(40));
    store
        .create_token(&ApiToken {
            id: None,
            user_id: user.id.unwrap(),
            label: "test".into(),
            scope,
            prefix: secret[..8].to_owned(),
            hash: vitrina_web::auth::secret::digest(&secret),
            created_at: OffsetDateTime::now_utc(),
            last_used_at: None,
        })
        .await
        .unwrap();
    secret
}

struct Api<'a> {
    site: &'a common::Site,
    token: Option<String>,
}

impl Api<'_> {
    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.site.client.request(method, self.site.url(path));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn json(&self, method: Method, path: &str) -> (StatusCode, Value) {
        let res = self.req(method, path).send().await.unwrap();
        let status = res.status();
        let v = res.json().await.unwrap_or(Value::Null);
        (status, v)
    }
}

fn etag(res: &reqwest::Response) -> String {
    res.headers()["etag"].to_str().unwrap().to_owned()
}

/// A problem document with this status and code.
async fn problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "{:?}", res.headers());
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/problem+json");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["type"], format!("/api/v1/problems#{code}"));
    v
}

#[tokio::test]
async fn public_reads_page_through_every_published_type_in_collection_order() {
    let site = common::start().await;
    let anon = Api {
        site: &site,
        token: None,
    };
    let (status, collection) = anon.json(Method::GET, "/api/v1/collection").await;
    assert_eq!(status, 200);
    assert_eq!(collection["title"]["en"], "Soviet Badges");
    assert_eq!(collection["types"], "/api/v1/types");

    let (_, categories) = anon.json(Method::GET, "/api/v1/categories").await;
    let items = categories["items"].as_array().unwrap();
    assert!(items.len() >= 5, "{categories}");
    assert!(items.iter().all(|c| c["version"].as_i64().unwrap() >= 1));

    // Two at a time, following next_cursor and the Link header.
    let (all, _) = site
        .catalogue
        .types(vitrina_storage::Page::new(0, 500))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut path = "/api/v1/types?limit=2".to_owned();
    loop {
        let res = anon.req(Method::GET, &path).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let link = res
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Value = res.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|t| t["slug"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => {
                let link = link.expect("a Link to the next page");
                assert!(link.contains(c), "{link}");
                assert!(link.ends_with("rel=\"next\""));
                path = format!("/api/v1/types?limit=2&cursor={c}");
            }
            None => break,
        }
    }
    let want: Vec<String> = all.iter().map(|s| s.slug.to_string()).collect();
    assert_eq!(seen, want);

    // One type whole, with its photos' URLs; its ETag revalidates.
    let res = anon
        .req(Method::GET, "/api/v1/types/mopr-badge")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("public")
    );
    let tag = etag(&res);
    assert!(tag.ends_with("-p\""), "{tag}");
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["slug"], "mopr-badge");
    assert_eq!(t["urls"]["html"], "/types/mopr-badge");
    let photos = t["urls"]["photos"].as_array().unwrap();
    assert!(!photos.is_empty());
    for p in photos {
        let url = p["display"]["jpeg"].as_str().unwrap();
        assert_eq!(site.get(url).await.status(), 200, "{url}");
    }
    let res = anon
        .req(Method::GET, "/api/v1/types/mopr-badge")
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    // Fields, and the search's filters.
    let (_, page) = anon
        .json(Method::GET, "/api/v1/types?fields=slug,names&limit=3")
        .await;
    let first = page["items"][0].as_object().unwrap();
    assert_eq!(first.keys().collect::<Vec<_>>(), ["names", "slug"]);
    let (_, found) = anon.json(Method::GET, "/api/v1/types?q=MOPR").await;
    assert_eq!(found["items"][0]["slug"], "mopr-badge", "{found}");
    assert!(found["total"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn a_curator_writes_with_versions_and_never_overwrites_blind() {
    let site = common::start().await;
    let secret = token(&site, "anna", Role::Editor, TokenScope::Write).await;
    let api = Api {
        site: &site,
        token: Some(secret),
    };
    let anon = Api {
        site: &site,
        token: None,
    };

    // Create a draft: the public does not see it, the curator does.
    let res = api
        .req(Method::POST, "/api/v1/types")
        .json(&json!({
            "slug": "osoaviakhim-badge",
            "published": false,
            "names": {"en": "Osoaviakhim badge", "ru": "Знак Осоавиахима"},
            "established": "1927",
            "variants": [{"name": {"en": "Silver"}, "materials": ["silver"], "specimens": [
                {"inventory_number": "V-1", "private": {"provenance": "bought from a dealer in Riga"}}
            ]}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    assert_eq!(res.headers()["location"], "/api/v1/types/osoaviakhim-badge");
    let v1 = etag(&res);
    assert_eq!(v1, "\"v1\"");
    let res = anon
        .req(Method::GET, "/api/v1/types/osoaviakhim-badge")
        .send()
        .await
        .unwrap();
    problem(res, 404, "not-found").await;
    let (status, full) = api
        .json(Method::GET, "/api/v1/types/osoaviakhim-badge")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        full["variants"][0]["specimens"][0]["private"]["provenance"],
        "bought from a dealer in Riga"
    );

    // Without If-Match: refused. With a stale one: 412 and the version now stored.
    let res = api
        .req(Method::PATCH, "/api/v1/types/osoaviakhim-badge")
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"established": "1928"}"#)
        .send()
        .await
        .unwrap();
    problem(res, 428, "precondition-required").await;
    let res = api
        .req(Method::PATCH, "/api/v1/types/osoaviakhim-badge")
        .header("content-type", "application/merge-patch+json")
        .header("if-match", &v1)
        .body(r#"{"established": "1928"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v2 = etag(&res);
    let patched: Value = res.json().await.unwrap();
    assert_eq!(patched["established"], "1928");
    assert_eq!(
        patched["names"]["ru"], "Знак Осоавиахима",
        "the rest is kept"
    );
    assert_eq!(
        patched["variants"][0]["specimens"][0]["private"]["provenance"],
        "bought from a dealer in Riga"
    );
    let res = api
        .req(Method::PUT, "/api/v1/types/osoaviakhim-badge")
        .header("if-match", &v1)
        .json(&full)
        .send()
        .await
        .unwrap();
    let p = problem(res, 412, "precondition-failed").await;
    assert_eq!(p["current_version"], 2);

    // A record read can be sent back whole (its `urls` are ignored).
    let (_, now) = api
        .json(Method::GET, "/api/v1/types/osoaviakhim-badge")
        .await;
    let res = api
        .req(Method::PUT, "/api/v1/types/osoaviakhim-badge")
        .header("if-match", &v2)
        .json(&now)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let v3 = etag(&res);

    // Publish: now the public sees it, without the private fields.
    let res = api
        .req(Method::POST, "/api/v1/types/osoaviakhim-badge/publish")
        .header("if-match", &v3)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v4 = etag(&res);
    let res = anon
        .req(Method::GET, "/api/v1/types/osoaviakhim-badge")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(!body.contains("Riga"), "{body}");

    // History lists every change; a revision shows what it changed.
    let (_, history) = api
        .json(Method::GET, "/api/v1/types/osoaviakhim-badge/history")
        .await;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{history}");
    assert_eq!(items[0]["author"], "anna");
    let patch_rev = items.iter().find(|r| r["op"] == "update").unwrap();
    let (_, detail) = api
        .json(Method::GET, patch_rev["api"].as_str().unwrap())
        .await;
    assert!(detail["changes"].is_array());

    // Delete at a stale version: refused; at the current one: gone; restore brings it back.
    let res = api
        .req(Method::DELETE, "/api/v1/types/osoaviakhim-badge")
        .header("if-match", &v1)
        .send()
        .await
        .unwrap();
    problem(res, 412, "precondition-failed").await;
    let res = api
        .req(Method::DELETE, "/api/v1/types/osoaviakhim-badge")
        .header("if-match", &v4)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, _) = api
        .json(Method::GET, "/api/v1/types/osoaviakhim-badge")
        .await;
    assert_eq!(status, 404);
    let (_, history) = api
        .json(Method::GET, "/api/v1/types/osoaviakhim-badge/history")
        .await;
    let before_delete = history["items"][1]["id"].as_i64().unwrap();
    let res = api
        .req(
            Method::POST,
            &format!("/api/v1/revisions/{before_delete}/restore"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["location"], "/api/v1/types/osoaviakhim-badge");
    let (status, _) = anon
        .json(Method::GET, "/api/v1/types/osoaviakhim-badge")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn who_may_do_what() {
    let site = common::start().await;
    let read = token(&site, "rita", Role::Editor, TokenScope::Read).await;
    let viewer = token(&site, "vera", Role::Viewer, TokenScope::Write).await;
    let body = json!({"slug": "x-badge", "names": {"en": "X"}});
    // Anonymous writes: 401 with a Bearer challenge.
    let res = site
        .client
        .post(site.url("/api/v1/types"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    problem(res, 401, "unauthenticated").await;
    // A read token and a viewer: 403.
    for t in [&read, &viewer] {
        let res = site
            .client
            .post(site.url("/api/v1/types"))
            .bearer_auth(t)
            .json(&body)
            .send()
            .await
            .unwrap();
        problem(res, 403, "forbidden").await;
    }
    // A revoked or made-up token: 401, not a quiet public answer.
    let res = site
        .client
        .get(site.url("/api/v1/types"))
        .bearer_auth("vt_0000")
        .send()
        .await
        .unwrap();
    problem(res, 401, "unauthenticated").await;
    // History is for curators.
    let res = site.get("/api/v1/types/mopr-badge/history").await;
    problem(res, 401, "unauthenticated").await;
    let res = site
        .client
        .get(site.url("/api/v1/types/mopr-badge/history"))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn bad_requests_get_clear_problems_and_change_nothing() {
    let site = common::start().await;
    let secret = token(&site, "anna", Role::Owner, TokenScope::Write).await;
    let api = Api {
        site: &site,
        token: Some(secret),
    };
    let before = site
        .catalogue
        .types(vitrina_storage::Page::new(0, 500))
        .await
        .unwrap();

    let res = api
        .req(Method::POST, "/api/v1/types")
        .header("content-type", "application/json")
        .body("{\"slug\": ")
        .send()
        .await
        .unwrap();
    problem(res, 400, "malformed").await;
    let res = api
        .req(Method::POST, "/api/v1/types")
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(res, 415, "unsupported-media").await;
    let res = api
        .req(Method::POST, "/api/v1/types")
        .header("content-type", "application/json")
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    problem(res, 413, "too-large").await;
    // Invalid: the field path of the problem.
    let res = api
        .req(Method::POST, "/api/v1/types")
        .json(&json!({"slug": "Not A Slug", "names": {"en": "X"}}))
        .send()
        .await
        .unwrap();
    let p = problem(res, 422, "invalid").await;
    assert_eq!(p["errors"][0]["path"], "slug", "{p}");
    let res = api
        .req(Method::POST, "/api/v1/types")
        .json(&json!({"slug": "y-badge", "names": {"en": ""}}))
        .send()
        .await
        .unwrap();
    let p = problem(res, 422, "invalid").await;
    assert!(
        p["errors"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with("names"),
        "{p}"
    );
    let res = api
        .req(Method::POST, "/api/v1/types")
        .json(&json!({"slug": "mopr-badge", "names": {"en": "Again"}}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "conflict").await;
    let res = api
        .req(Method::PUT, "/api/v1/types/mopr-badge")
        .header("if-match", "yesterday")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(res, 400, "bad-precondition").await;
    // Methods and paths the API does not have.
    let res = api
        .req(Method::DELETE, "/api/v1/collection")
        .send()
        .await
        .unwrap();
    problem(res, 405, "method-not-allowed").await;
    let res = api
        .req(Method::GET, "/api/v1/nothing-here")
        .send()
        .await
        .unwrap();
    problem(res, 404, "not-found").await;
    for q in [
        "limit=0",
        "limit=1000",
        "cursor=%%%",
        "cursor=eyJ4IjoxfQ",
        "fields=price",
        "page=2",
        "year_min=abc",
    ] {
        let res = api
            .req(Method::GET, &format!("/api/v1/types?{q}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{q}");
    }

    let after = site
        .catalogue
        .types(vitrina_storage::Page::new(0, 500))
        .await
        .unwrap();
    assert_eq!(before, after, "nothing was written");
}

#[tokio::test]
async fn writes_are_rate_limited_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = common::demo_catalogue(&dir).await;
    let settings = WebSettings {
        api_writes_per_minute: 1,
        api_write_burst: 2,
        ..WebSettings::new(dir.path().join("media"))
    };
    let site = common::start_with(catalogue, dir, Some(settings)).await;
    let secret = token(&site, "anna", Role::Editor, TokenScope::Write).await;
    let api = Api {
        site: &site,
        token: Some(secret),
    };
    let patch = |v: &str| {
        api.req(Method::PATCH, "/api/v1/collection")
            .header("content-type", "application/merge-patch+json")
            .body(format!(r#"{{"title": {{"en": "{v}"}}}}"#))
    };
    assert_eq!(patch("One").send().await.unwrap().status(), 200);
    assert_eq!(patch("Two").send().await.unwrap().status(), 200);
    let res = patch("Three").send().await.unwrap();
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    problem(res, 429, "rate-limited").await;
    let (_, c) = api.json(Method::GET, "/api/v1/collection").await;
    assert_eq!(c["title"]["en"], "Two");
}

#[tokio::test]
async fn the_openapi_document_and_its_readable_page() {
    let site = common::start().await;
    let res = site.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["components"]["schemas"]["BadgeType"].is_object());
    let res = site.get("/api/v1/docs").await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"));
    let html = res.text().await.unwrap();
    assert!(html.contains("PATCH /api/v1/types/{slug}"), "{html}");
    for link in common::links(&html) {
        assert!(
            link.starts_with('/') || link.starts_with('#'),
            "the page loads nothing from elsewhere: {link}"
        );
    }
}

fn hopper_jpeg() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/images/formats/hopper.jpg"),
    )
    .unwrap()
}

#[tokio::test]
async fn photos_are_uploaded_as_multipart_and_listed_with_their_urls() {
    use reqwest::multipart::{Form, Part};
    let site = common::start().await;
    let secret = token(&site, "anna", Role::Editor, TokenScope::Write).await;
    let api = Api {
        site: &site,
        token: Some(secret),
    };
    let count = |v: &Value| v.as_array().map(Vec::len).unwrap_or(0);
    let (_, before) = api
        .json(Method::GET, "/api/v1/types/mopr-badge/photos")
        .await;

    let form = Form::new()
        .text("role", "reverse")
        .text("alt", "The reverse, with the maker's mark")
        .part(
            "file",
            Part::bytes(hopper_jpeg())
                .file_name("hopper.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let res = api
        .req(Method::POST, "/api/v1/types/mopr-badge/photos")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let made: Value = res.json().await.unwrap();
    assert_eq!(count(&made), 1, "{made}");
    let photo = &made[0];
    assert_eq!(photo["role"], "reverse");
    assert_eq!(photo["alt"]["en"], "The reverse, with the maker's mark");
    assert_eq!(photo["width"], 128, "{photo}");
    let id = photo["id"].as_i64().expect("the new photo has an id");
    assert_eq!(location, format!("/api/v1/types/mopr-badge/photos/{id}"));
    assert!(
        photo["urls"].as_object().is_some_and(|u| !u.is_empty()),
        "{photo}"
    );
    let (status, one) = api.json(Method::GET, &location).await;
    assert_eq!(status, 200);
    assert_eq!(one["id"], id);
    let (_, after) = api
        .json(Method::GET, "/api/v1/types/mopr-badge/photos")
        .await;
    assert_eq!(count(&after), count(&before) + 1);

    // Refusals, each a problem, none of which adds a photo.
    let res = api
        .req(Method::POST, "/api/v1/types/mopr-badge/photos")
        .json(&json!({"file": "not a form"}))
        .send()
        .await
        .unwrap();
    problem(res, 415, "unsupported-media").await;
    let not_a_photo = Form::new().part(
        "file",
        Part::bytes(b"#!/bin/sh\necho hello\n".to_vec()).file_name("photo.jpg"),
    );
    let res = api
        .req(Method::POST, "/api/v1/types/mopr-badge/photos")
        .multipart(not_a_photo)
        .send()
        .await
        .unwrap();
    problem(res, 415, "unsupported-media").await;
    let bad_role = Form::new()
        .text("role", "<script>")
        .part("file", Part::bytes(hopper_jpeg()).file_name("a.jpg"));
    let res = api
        .req(Method::POST, "/api/v1/types/mopr-badge/photos")
        .multipart(bad_role)
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid").await;
    let res = api
        .req(Method::POST, "/api/v1/types/mopr-badge/photos")
        .multipart(Form::new().text("role", "obverse"))
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid").await;
    let res = api
        .req(Method::POST, "/api/v1/types/no-such-badge/photos")
        .multipart(Form::new().part("file", Part::bytes(hopper_jpeg()).file_name("a.jpg")))
        .send()
        .await
        .unwrap();
    problem(res, 404, "not-found").await;
    let res = site
        .client
        .post(site.url("/api/v1/types/mopr-badge/photos"))
        .multipart(Form::new().part("file", Part::bytes(hopper_jpeg()).file_name("a.jpg")))
        .send()
        .await
        .unwrap();
    problem(res, 401, "unauthenticated").await;
    let (_, last) = api
        .json(Method::GET, "/api/v1/types/mopr-badge/photos")
        .await;
    assert_eq!(count(&last), count(&after));
}

#[tokio::test]
async fn method_not_allowed_names_the_allowed_methods() {
    let site = common::start().await;
    let res = site
        .client
        .request(Method::PUT, site.url("/api/v1/types"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, HEAD, POST");
    problem(res, 405, "method-not-allowed").await;
}

#[tokio::test]
async fn guessing_tokens_is_slowed_per_address_before_any_token_is_looked_up() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = common::demo_catalogue(&dir).await;
    let settings = WebSettings {
        auth_failures_per_minute: 3,
        ..WebSettings::new(dir.path().join("media"))
    };
    let site = common::start_with(catalogue, dir, Some(settings)).await;
    let good = token(&site, "anna", Role::Editor, TokenScope::Read).await;
    let with = |t: &str| {
        site.client
            .get(site.url("/api/v1/types"))
            .bearer_auth(t)
            .send()
    };
    // A good token does not count against the address.
    assert_eq!(with(&good).await.unwrap().status(), 200);
    for i in 0..3 {
        let res = with(&format!("vt_guess{i}")).await.unwrap();
        problem(res, 401, "unauthenticated").await;
    }
    let res = with("vt_guess3").await.unwrap();
    assert!(res.headers().contains_key("retry-after"));
    problem(res, 429, "rate-limited").await;
    // Now even the right token waits: nothing is looked up for this address.
    let res = with(&good).await.unwrap();
    problem(res, 429, "rate-limited").await;
    // Anonymous reading is not held up.
    assert_eq!(site.get("/api/v1/types").await.status(), 200);
}

/// Public reads are answered from the response cache: the same bytes and headers as the first
/// answer, a curator's answer (drafts, private fields) never kept for the public, and a write
/// seen by the very next read.
#[tokio::test]
async fn public_reads_are_cached_until_a_write_and_never_share_a_curators_answer() {
    let site = common::start().await;
    let secret = token(&site, "cato", Role::Editor, TokenScope::Write).await;
    let api = Api {
        site: &site,
        token: Some(secret),
    };
    let anon = Api {
        site: &site,
        token: None,
    };
    let res = api
        .req(Method::POST, "/api/v1/types")
        .json(&json!({
            "slug": "dosaaf-badge",
            "published": true,
            "names": {"en": "DOSAAF badge", "ru": "Знак ДОСААФ"},
            "variants": [{"name": {"en": "Brass"}, "specimens": [
                {"inventory_number": "D-1", "private": {"provenance": "a flea market in Tallinn"}}
            ]}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);

    // The curator reads first, private fields and all; the public's answer is its own.
    let (_, full) = api.json(Method::GET, "/api/v1/types/dosaaf-badge").await;
    assert_eq!(
        full["variants"][0]["specimens"][0]["private"]["provenance"],
        "a flea market in Tallinn"
    );
    let mut answers = Vec::new();
    for path in [
        "/api/v1/types/dosaaf-badge",
        "/api/v1/types?limit=3",
        "/api/v1/categories",
        "/api/v1/collection",
    ] {
        for _ in 0..2 {
            let res = anon.req(Method::GET, path).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let mut headers: Vec<(String, String)> = res
                .headers()
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "date" | "content-length" | "x-request-id"))
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            headers.sort();
            let body = res.text().await.unwrap();
            assert!(!body.contains("Tallinn"), "{path}: {body}");
            answers.push((path, headers, body));
        }
        let (second, first) = (answers.pop().unwrap(), answers.pop().unwrap());
        assert_eq!(
            first, second,
            "{path}: the cached answer differs from the first"
        );
        let names: Vec<&str> = first.1.iter().map(|(k, _)| k.as_str()).collect();
        for h in ["cache-control", "content-type", "etag", "vary"] {
            assert!(names.contains(&h), "{path}: no {h} in {names:?}");
        }
        answers.push(first);
    }
    let list = &answers[1];
    assert!(
        list.1.iter().any(|(k, _)| k == "link"),
        "a listing's Link header is kept with it: {:?}",
        list.1
    );

    // The answers do come from the cache: a change written to storage behind the catalogue's
    // back is not seen until the catalogue moves on (a write through it, or a follower's
    // catch-up of the change log).
    let slug = vitrina_catalogue::Slug::parse("dosaaf-badge").unwrap();
    let mut behind = site.catalogue.curator_type(&slug).await.unwrap();
    behind.names.en = "Changed behind the catalogue's back".into();
    site.catalogue
        .store()
        .save_type_by(&behind, &vitrina_storage::Author::system())
        .await
        .unwrap();
    let (_, cached) = anon.json(Method::GET, "/api/v1/types/dosaaf-badge").await;
    assert_eq!(
        cached["names"]["en"], "DOSAAF badge",
        "served from the cache"
    );
    let v1 = format!("\"v{}\"", behind.version + 1);

    // A write is seen by the next public read, and the old ETag no longer matches.
    let old_tag = etag(
        &anon
            .req(Method::GET, "/api/v1/types/dosaaf-badge")
            .send()
            .await
            .unwrap(),
    );
    let res = api
        .req(Method::PATCH, "/api/v1/types/dosaaf-badge")
        .header("content-type", "application/merge-patch+json")
        .header("if-match", &v1)
        .body(r#"{"established": "1951"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = anon
        .req(Method::GET, "/api/v1/types/dosaaf-badge")
        .header("if-none-match", &old_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the old version is not current any more");
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["established"], "1951");
    let (_, found) = anon
        .json(
            Method::GET,
            "/api/v1/types?fields=slug,established&limit=100",
        )
        .await;
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["slug"] == "dosaaf-badge"),
        "{found}"
    );

    // Unpublished: gone for the public at once.
    let v2 = format!("\"v{}\"", t["version"]);
    let res = api
        .req(Method::POST, "/api/v1/types/dosaaf-badge/unpublish")
        .header("if-match", &v2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let res = anon
        .req(Method::GET, "/api/v1/types/dosaaf-badge")
        .send()
        .await
        .unwrap();
    problem(res, 404, "not-found").await;
}
