//! The curator's editing workspace against a real server on port 0: drafts and publishing,
//! validation that keeps the input, two editors in conflict, delete and restore, history diffs,
//! escaping of hostile text in every field, and hostile input answered with a 4xx.

mod common;

use reqwest::StatusCode;
use vitrina_catalogue::{Access, Role, Slug, User};
use vitrina_storage::{AccountStore, Session};
use vitrina_web::auth::secret;

/// A signed-in user: the session cookie and its CSRF token.
#[derive(Debug, Clone)]
struct Who {
    cookie: String,
    csrf: String,
}

async fn sign_in(site: &common::Site, name: &str, role: Role) -> Who {
    let store: &dyn vitrina_storage::Store = site.catalogue.store().as_ref();
    let store: &dyn AccountStore = store;
    let user = store
        .create_user(&User::new(name, role), "$argon2id$unused")
        .await
        .unwrap();
    let id = secret::random_hex().unwrap();
    let now = time::OffsetDateTime::now_utc();
    store
        .create_session(&Session {
            id_hash: secret::digest(&id),
            user_id: user.id.unwrap(),
            created_at: now,
            expires_at: now + time::Duration::hours(1),
        })
        .await
        .unwrap();
    Who {
        cookie: format!("vitrina_session={id}"),
        csrf: secret::csrf_token(&id),
    }
}

async fn get(site: &common::Site, who: &Who, path: &str) -> (StatusCode, String) {
    let res = site
        .client
        .get(site.url(path))
        .header("cookie", &who.cookie)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "GET {path}"
    );
    (status, res.text().await.unwrap())
}

/// POSTs a form (with the CSRF field); returns the status, the Location and the body.
async fn post(
    site: &common::Site,
    who: &Who,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut fields: Vec<(&str, &str)> = vec![("csrf", who.csrf.as_str())];
    fields.extend_from_slice(form);
    let res = site
        .client
        .post(site.url(path))
        .header("cookie", &who.cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, location, res.text().await.unwrap())
}

/// The fields of a new type's form.
fn new_type<'a>(slug: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", slug),
        ("names_en", name),
        ("names_ru", "Знак"),
        ("established", "1938"),
        ("description_en", "A *new* badge."),
        ("version", "0"),
    ]
}

async fn version(site: &common::Site, slug: &str) -> String {
    site.catalogue
        .curator_type(&Slug::parse(slug).unwrap())
        .await
        .unwrap()
        .version
        .to_string()
}

#[tokio::test]
async fn a_draft_is_not_public_until_published() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (status, location, _) = post(
        &site,
        &anna,
        "/admin/types/new",
        &new_type("new-badge", "New badge"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/admin/types/new-badge"), "{location}");

    // A draft: curators see it, the public does not — page, list, search.
    let (status, body) = get(&site, &anna, "/admin/types").await;
    assert_eq!(status, 200);
    assert!(body.contains("new-badge") && body.contains("Draft"));
    assert_eq!(site.get("/types/new-badge").await.status(), 404);
    let search = site.page("/api/v1/search?q=new+badge").await;
    assert!(!search.contains("new-badge"), "{search}");

    // Published: public at once (the page cache keys on the catalogue's generation).
    let v = version(&site, "new-badge").await;
    let mut form = new_type("new-badge", "New badge");
    form.push(("published", "on"));
    form.retain(|(k, _)| *k != "version");
    form.push(("version", &v));
    let (status, _, body) = post(&site, &anna, "/admin/types/new-badge", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let page = site.page("/types/new-badge").await;
    assert!(page.contains("New badge"));
    let search = site.page("/api/v1/search?q=new+badge").await;
    assert!(search.contains("new-badge"), "{search}");

    // And a draft again: gone from the public site at once.
    let v = version(&site, "new-badge").await;
    form.retain(|(k, _)| *k != "published" && *k != "version");
    form.push(("version", &v));
    let (status, _, _) = post(&site, &anna, "/admin/types/new-badge", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/types/new-badge").await.status(), 404);
    let search = site.page("/api/v1/search?q=new+badge").await;
    assert!(!search.contains("new-badge"), "{search}");
}

#[tokio::test]
async fn a_viewer_sees_private_fields_and_changes_nothing() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let vera = sign_in(&site, "vera", Role::Viewer).await;
    post(&site, &anna, "/admin/types/new", &new_type("kept", "Kept")).await;
    let v = version(&site, "kept").await;
    post(
        &site,
        &anna,
        "/admin/types/kept/variants",
        &[("version", &v), ("name_en", "Silver")],
    )
    .await;
    let v = version(&site, "kept").await;
    let (status, _, body) = post(
        &site,
        &anna,
        "/admin/types/kept/variants/0/specimens",
        &[
            ("version", &v),
            ("inventory_number", "INV-1"),
            ("private_provenance", "Bought from a dealer in Riga"),
            ("private_price_amount", "120.50"),
            ("private_price_currency", "eur"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) = get(&site, &vera, "/admin/types/kept").await;
    assert_eq!(status, 200);
    assert!(body.contains("Bought from a dealer in Riga"));
    assert!(body.contains(r#"value="EUR""#));
    assert!(body.contains("Private"));
    assert!(
        !body.contains("Save specimen"),
        "a viewer gets no save buttons"
    );
    let v = version(&site, "kept").await;
    let (status, _, _) = post(
        &site,
        &vera,
        "/admin/types/kept/variants/0/specimens/0",
        &[("version", &v), ("private_provenance", "changed")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let t = site
        .catalogue
        .curator_type(&Slug::parse("kept").unwrap())
        .await
        .unwrap();
    let private = t.variants[0].specimens[0].private.clone().unwrap();
    assert_eq!(private.provenance, "Bought from a dealer in Riga");

    // Reordering and duplicating children, and deleting one after its confirmation page.
    let v = version(&site, "kept").await;
    let (status, _, _) = post(
        &site,
        &anna,
        "/admin/types/kept/variants/0",
        &[("version", &v), ("action", "duplicate")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let t = site
        .catalogue
        .curator_type(&Slug::parse("kept").unwrap())
        .await
        .unwrap();
    assert_eq!(t.variants.len(), 2);
    assert!(
        t.variants[1].specimens.is_empty(),
        "a template has no pieces"
    );
    let (status, body) = get(&site, &anna, "/admin/types/kept/variants/1/delete").await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"name="action" value="delete""#));
    let v = t.version.to_string();
    let (status, _, _) = post(
        &site,
        &anna,
        "/admin/types/kept/variants/1",
        &[("version", &v), ("action", "delete")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let t = site
        .catalogue
        .curator_type(&Slug::parse("kept").unwrap())
        .await
        .unwrap();
    assert_eq!(t.variants.len(), 1);
    assert_eq!(t.variants[0].specimens.len(), 1);
}

#[tokio::test]
async fn a_validation_error_keeps_the_input_beside_the_field() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let mut form = new_type("kept-badge", "Kept input 1938");
    form.retain(|(k, _)| *k != "established");
    form.push(("established", "1938-13-45"));
    form.push(("issuer_name_en", "Issuer I typed"));
    let (status, _, body) = post(&site, &anna, "/admin/types/new", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains(r#"value="1938-13-45""#),
        "the bad date is kept"
    );
    assert!(body.contains(r#"value="Issuer I typed""#));
    assert!(body.contains(r#"value="Kept input 1938""#));
    assert!(
        body.contains(r#"id="err-established""#),
        "the message is beside the field"
    );
    assert!(
        site.catalogue
            .curator_type(&Slug::parse("kept-badge").unwrap())
            .await
            .is_err(),
        "nothing saved"
    );

    // A domain error on a child form: the weight range is backwards.
    let slug = site.catalogue.store().type_slugs().await.unwrap()[0].clone();
    let v = version(&site, slug.as_str()).await;
    let path = format!("/admin/types/{slug}/variants");
    let (status, _, body) = post(
        &site,
        &anna,
        &path,
        &[
            ("version", &v),
            ("name_en", "Heavy variant"),
            ("weight_g_min", "20"),
            ("weight_g_max", "3"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains(r#"value="Heavy variant""#));
    assert!(body.contains(r#"id="err-weight_g""#), "{body}");
}

#[tokio::test]
async fn two_editors_saving_the_same_type_conflict_and_compare() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let boris = sign_in(&site, "boris", Role::Owner).await;
    let (_, _, _) = post(
        &site,
        &anna,
        "/admin/types/new",
        &new_type("shared", "Shared"),
    )
    .await;
    let v = version(&site, "shared").await;
    let path = "/admin/types/shared";
    let mut first = new_type("shared", "Anna's name");
    first.retain(|(k, _)| *k != "version");
    first.push(("version", &v));
    let (status, _, _) = post(&site, &anna, path, &first).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Boris read the same version and saves after Anna: refused, his input kept, compared.
    let mut second = new_type("shared", "Boris's name");
    second.retain(|(k, _)| *k != "version");
    second.push(("version", &v));
    let (status, _, body) = post(&site, &boris, path, &second).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Conflict"));
    assert!(body.contains("Boris&#39;s name"), "his input is kept");
    assert!(
        body.contains(r#"class="compare__stored">Anna&#39;s name"#),
        "{body}"
    );
    let stored = site
        .catalogue
        .curator_type(&Slug::parse("shared").unwrap())
        .await
        .unwrap();
    assert_eq!(stored.names.en, "Anna's name", "never a silent overwrite");

    // A stale child form is refused the same way.
    let (status, _, body) = post(
        &site,
        &boris,
        "/admin/types/shared/variants",
        &[("version", &v), ("name_en", "Late variant")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Late variant"));
}

#[tokio::test]
async fn a_deleted_type_is_restored_from_its_history() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let slug = site.catalogue.store().type_slugs().await.unwrap()[0].to_string();
    let before = site
        .catalogue
        .curator_type(&Slug::parse(&slug).unwrap())
        .await
        .unwrap();
    let (status, body) = get(&site, &anna, &format!("/admin/types/{slug}/delete")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Delete"));
    let v = before.version.to_string();
    let (status, location, _) = post(
        &site,
        &anna,
        &format!("/admin/types/{slug}/delete"),
        &[("version", &v)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(site.get(&format!("/types/{slug}")).await.status(), 404);
    let name = before
        .names
        .en
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    let search = site.page(&format!("/api/v1/search?q={name}")).await;
    assert!(!search.contains(&format!("\"{slug}\"")), "{search}");

    let (status, body) = get(&site, &anna, &location).await;
    assert_eq!(status, 200);
    let marker = "/admin/history/";
    let at = body.find(marker).expect("a restore button");
    let id: String = body[at + marker.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (status, location, _) =
        post(&site, &anna, &format!("/admin/history/{id}/restore"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with(&format!("/admin/types/{slug}")));
    let after = site
        .catalogue
        .curator_type(&Slug::parse(&slug).unwrap())
        .await
        .unwrap();
    assert_eq!(after.id, before.id);
    assert_eq!(after.names, before.names);
    assert_eq!(after.variants.len(), before.variants.len());
    assert_eq!(site.get(&format!("/types/{slug}")).await.status(), 200);
    // Back in the search index too.
    let name = before
        .names
        .en
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    let search = site.page(&format!("/api/v1/search?q={name}")).await;
    assert!(search.contains(&slug), "{search}");
    let (_, body) = get(&site, &anna, &format!("/admin/types/{slug}/history")).await;
    assert!(body.contains("restore") && body.contains("delete"));
}

#[tokio::test]
async fn the_history_shows_who_changed_which_field() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna-historian", Role::Editor).await;
    post(
        &site,
        &anna,
        "/admin/types/new",
        &new_type("diffed", "Before"),
    )
    .await;
    let v = version(&site, "diffed").await;
    let mut form = new_type("diffed", "After");
    form.retain(|(k, _)| *k != "version");
    form.push(("version", &v));
    post(&site, &anna, "/admin/types/diffed", &form).await;
    let (status, body) = get(&site, &anna, "/admin/types/diffed/history").await;
    assert_eq!(status, 200);
    assert!(body.contains("anna-historian"));
    assert!(body.contains("<code>names.en</code>"), "{body}");
    assert!(body.contains(r#"class="diff__before">Before"#));
    assert!(body.contains(r#"class="diff__after">After"#));
    let (status, body) = get(&site, &anna, "/admin/history").await;
    assert_eq!(status, 200);
    assert!(body.contains("diffed"));

    // A viewer reads history but cannot restore.
    let vera = sign_in(&site, "vera", Role::Viewer).await;
    let (status, body) = get(&site, &vera, "/admin/types/diffed/history").await;
    assert_eq!(status, 200);
    assert!(!body.contains("/restore"));
    let (status, _, _) = post(&site, &vera, "/admin/history/1/restore", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

const XSS: &str = r#"<script>alert(1)</script><img src=x onerror=alert(2)>"#;
/// For fields limited to a few characters.
const SHORT_XSS: &str = "<script>alert(1)</script>";

#[tokio::test]
async fn hostile_text_in_every_field_comes_back_escaped() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let text_fields = [
        "names_en",
        "names_ru",
        "names_original_text",
        "issuer_abbreviation",
        "issuer_abbreviation_latin",
        "issuer_name_en",
        "issuer_name_ru",
        "event_name_en",
        "event_name_ru",
        "event_place_en",
        "event_place_ru",
        "description_en",
        "description_ru",
        "references",
    ];
    let mut form: Vec<(&str, &str)> = vec![
        ("slug", "hostile"),
        ("version", "0"),
        ("names_original_script", "latin"),
        ("names_original_language", "en"),
        ("published", "on"),
    ];
    for f in text_fields {
        form.push((
            f,
            if f.starts_with("issuer_abbreviation") {
                SHORT_XSS
            } else {
                XSS
            },
        ));
    }
    let (status, _, body) = post(&site, &anna, "/admin/types/new", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let v = version(&site, "hostile").await;
    let mut variant: Vec<(&str, &str)> = vec![("version", &v)];
    for f in [
        "name_en",
        "name_ru",
        "maker",
        "enamel_en",
        "enamel_ru",
        "notes_en",
        "notes_ru",
    ] {
        variant.push((f, XSS));
    }
    let (status, _, body) = post(&site, &anna, "/admin/types/hostile/variants", &variant).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let v = version(&site, "hostile").await;
    let mut specimen: Vec<(&str, &str)> = vec![("version", &v)];
    for f in [
        "inventory_number",
        "notes_en",
        "notes_ru",
        "private_provenance",
        "private_storage_location",
        "private_notes",
    ] {
        specimen.push((
            f,
            if f == "inventory_number" {
                SHORT_XSS
            } else {
                XSS
            },
        ));
    }
    let (status, _, body) = post(
        &site,
        &anna,
        "/admin/types/hostile/variants/0/specimens",
        &specimen,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Preview with the description's Markdown: sanitised.
    let mut preview = form.clone();
    preview.retain(|(k, _)| *k != "version");
    let v = version(&site, "hostile").await;
    preview.push(("version", &v));
    preview.push(("preview", "1"));
    let (_, _, preview_body) = post(&site, &anna, "/admin/types/hostile", &preview).await;
    let (_, standalone, body2) = post(
        &site,
        &anna,
        "/admin/preview",
        &[(
            "markdown",
            "[x](javascript:alert(1)) <a href=\"javascript:alert(2)\" onclick=\"x()\">y</a>",
        )],
    )
    .await;
    assert!(standalone.is_empty());
    assert!(
        !body2.contains("javascript:") && !body2.contains("onclick"),
        "{body2}"
    );

    for path in [
        "/admin/types/hostile",
        "/admin/types",
        "/admin/types/hostile/history",
        "/admin/history",
    ] {
        let (status, body) = get(&site, &anna, path).await;
        assert_eq!(status, 200, "{path}");
        for page in [&body, &preview_body] {
            assert!(!page.contains("<script>alert"), "{path}");
            assert!(!page.contains("<img src=x"), "{path}");
        }
    }
    let (_, body) = get(&site, &anna, "/admin/types/hostile").await;
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let public = site.page("/types/hostile").await;
    assert!(!public.contains("<script>alert") && !public.contains("<img src=x"));
    // Private fields never reach the public page.
    let t = site
        .catalogue
        .store()
        .badge_type(&Slug::parse("hostile").unwrap(), Access::Private)
        .await
        .unwrap();
    assert!(t.variants[0].specimens[0].private.is_some());
    assert!(!public.contains("storage_location"));
}

#[tokio::test]
async fn hostile_input_is_refused_with_a_clear_4xx() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let huge = "x".repeat(200_000);
    let control = "bad\u{7}bell";
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("huge name", vec![("names_en", huge.as_str())]),
        ("control characters", vec![("names_en", control)]),
        ("bad date", vec![("established", "1938-02-30")]),
        (
            "bad period",
            vec![("period_from", "1950"), ("period_to", "1940")],
        ),
        ("unknown category", vec![("categories", "no-such-category")]),
        ("bad slug", vec![("slug", "../../etc")]),
        ("bad script", vec![("names_original_script", "klingon")]),
        ("bad position", vec![("position", "1e999")]),
    ];
    for (what, extra) in cases {
        let mut form: Vec<(&str, &str)> = vec![
            ("slug", "hostile-input"),
            ("names_en", "Fine"),
            ("version", "0"),
        ];
        for (k, v) in &extra {
            form.retain(|(f, _)| f != k);
            form.push((k, v));
        }
        let (status, _, body) = post(&site, &anna, "/admin/types/new", &form).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {status} {}",
            &body[..body.len().min(500)]
        );
        assert!(body.contains("Please correct these"), "{what}");
    }
    assert!(
        site.catalogue
            .curator_type(&Slug::parse("hostile-input").unwrap())
            .await
            .is_err()
    );
    // Not a form at all, and indexes that do not exist.
    let res = site
        .client
        .post(site.url("/admin/types/new"))
        .header("cookie", &anna.cookie)
        .header("x-csrf-token", &anna.csrf)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x80])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    let slug = site.catalogue.store().type_slugs().await.unwrap()[0].to_string();
    let v = version(&site, &slug).await;
    let (status, _, _) = post(
        &site,
        &anna,
        &format!("/admin/types/{slug}/variants/999"),
        &[("version", &v), ("name_en", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn categories_are_created_as_drafts_published_and_restored() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (status, _, body) = post(
        &site,
        &anna,
        "/admin/categories/new",
        &[
            ("slug", "new-section"),
            ("title_en", "New section"),
            ("title_ru", XSS),
            ("introduction_en", XSS),
            ("version", "0"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    for path in ["/admin/categories/new-section", "/admin/categories"] {
        let (_, body) = get(&site, &anna, path).await;
        assert!(!body.contains("<script>alert") && !body.contains("<img src=x"));
    }
    // A bad slug keeps the input.
    let (status, _, body) = post(
        &site,
        &anna,
        "/admin/categories/new",
        &[
            ("slug", "Bad Slug"),
            ("title_en", "Typed title"),
            ("version", "0"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#"value="Typed title""#) && body.contains(r#"id="err-slug""#));
    assert_eq!(site.get("/categories/new-section").await.status(), 404);
    let (_, body) = get(&site, &anna, "/admin/categories").await;
    assert!(body.contains("new-section") && body.contains("Draft"));
    let (status, _, _) = post(
        &site,
        &anna,
        "/admin/categories/new-section/publish",
        &[("version", "1"), ("published", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/categories/new-section").await.status(), 200);

    // Delete (confirmed) and restore.
    let (status, _, _) = post(
        &site,
        &anna,
        "/admin/categories/new-section/delete",
        &[("version", "2")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/categories/new-section").await.status(), 404);
    let history = site
        .catalogue
        .record_history(vitrina_operations::RecordKind::Category, "new-section")
        .await
        .unwrap();
    let (status, _, _) = post(
        &site,
        &anna,
        &format!("/admin/history/{}/restore", history[0].id),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/categories/new-section").await.status(), 200);
}
