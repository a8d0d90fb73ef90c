//! The curator's editing workspace against a real server on port 0: drafts and publishing,
//! validation that keeps the input, two editors in conflict, delete and restore, history diffs,
//! escaping of hostile text in every field, and hostile input answered with a 4xx.

mod common;

use common::curators;
use reqwest::StatusCode;
use vitrina_catalogue::{Access, Role, Slug, User};

/// A signed-in user: the session cookie and its CSRF token.
#[derive(Debug, Clone)]
struct Who {
    cookie: String,
    csrf: String,
}

async fn sign_in(site: &common::Site, name: &str, role: Role) -> Who {
    let store = curators::accounts(&site.catalogue);
    let user = store
        .create_user(&User::new(name, role), "$argon2id$unused")
        .await
        .unwrap();
    let (cookie, csrf) = curators::session_for(store, &user).await;
    Who { cookie, csrf }
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
    let location = curators::location(&res).to_owned();
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
    // The summary names the field as the form labels it, not by its code.
    assert!(body.contains("<li>Established: "), "{body}");
    assert!(!body.contains("<li>established:"), "{body}");
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
    assert!(body.contains(r#"id="err-vnew.weight_g""#), "{body}");
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
    // In words, with a date a person reads.
    assert!(
        body.contains(r#"Changed the English name from <del class="diff__before">“Before”</del> to <ins class="diff__after">“After”</ins>"#),
        "{body}"
    );
    let year = time::OffsetDateTime::now_utc().year().to_string();
    assert!(
        body.contains(&format!(" {year}, ")) && body.contains(" UTC</time>"),
        "{body}"
    );
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

// The repeating parts of a record (engravings, hallmarks, measurements, marks) and the
// collection's own page.

/// Undoes the template engine's HTML escaping.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in the tag `tag` (`<input type="text" name="x" …>`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// What a browser would submit for the form whose opening tag contains `marker`: its inputs
/// (checkboxes only when ticked), textareas and selected options, buttons left out.
fn form_fields(html: &str, marker: &str) -> Vec<(String, String)> {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let start = html[..at].rfind("<form").unwrap();
    let end = html[start..].find("</form>").unwrap() + start;
    let form = &html[start..end];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let close = rest.find('>').unwrap();
        let tag = &rest[..=close];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            let name = attr(tag, "name").unwrap_or_default();
            if kind == "checkbox" {
                if tag.contains(" checked") {
                    out.push((name, attr(tag, "value").unwrap_or_default()));
                }
            } else if kind != "submit" && kind != "file" && !name.is_empty() {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let name = attr(tag, "name").unwrap_or_default();
            let body_end = rest.find("</textarea>").unwrap();
            out.push((name, unescape(&rest[close + 1..body_end])));
        } else if tag.starts_with("<select") {
            let name = attr(tag, "name").unwrap_or_default();
            let body_end = rest.find("</select>").unwrap();
            let body = &rest[close + 1..body_end];
            let mut value = String::new();
            for option in body.split("<option").skip(1) {
                let head = &option[..option.find('>').unwrap()];
                if head.contains(" selected") {
                    value = attr(&format!(" {head}"), "value").unwrap_or_default();
                }
            }
            out.push((name, value));
        }
        rest = &rest[1..];
    }
    out
}

/// What the type page's one form sends for one section (`v0.`, `v0.s0.`), its prefix
/// dropped, with the form's CSRF token and version: what that section's own form route reads.
fn section_fields(html: &str, prefix: &str) -> Vec<(String, String)> {
    form_fields(html, "id=\"type-form\"")
        .into_iter()
        .filter_map(|(k, v)| match k.as_str() {
            "csrf" | "version" => Some((k, v)),
            _ => k.strip_prefix(prefix).map(|k| (k.to_owned(), v)),
        })
        .collect()
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some((_, v)) => *v = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// POSTs fields as a browser sends them (the form's own CSRF field included).
async fn post_fields(
    site: &common::Site,
    who: &Who,
    path: &str,
    fields: &[(String, String)],
) -> (StatusCode, String) {
    let mut fields = fields.to_vec();
    set(&mut fields, "csrf", &who.csrf);
    let res = site
        .client
        .post(site.url(path))
        .header("cookie", &who.cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn mopr(site: &common::Site) -> vitrina_catalogue::BadgeType {
    site.catalogue
        .curator_type(&Slug::parse("mopr-badge").unwrap())
        .await
        .unwrap()
}

const MOPR_SPECIMEN: &str = "/admin/types/mopr-badge/variants/0/specimens/0";

#[tokio::test]
async fn a_specimens_engravings_hallmarks_and_measurements_show_survive_and_change() {
    use vitrina_catalogue::{Dimension, MarkKind, Side, Unit};
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let before = mopr(&site).await;
    let stored = &before.variants[0].specimens[0];
    assert_eq!(stored.engravings.len(), 1);
    assert_eq!(stored.hallmarks.len(), 2);

    // Everything stored is in the form, with one empty row per list for a new item.
    let (status, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    assert_eq!(status, 200);
    let form = section_fields(&page, "v0.s0.");
    assert_eq!(value(&form, "engravings_0_side"), "reverse");
    assert_eq!(value(&form, "engravings_0_area"), "");
    assert!(value(&form, "engravings_0_description_en").starts_with("The recipient's name"));
    assert!(value(&form, "engravings_0_description_ru").starts_with("Имя награждённого"));
    assert_eq!(value(&form, "hallmarks_0_kind"), "silver_proof");
    assert_eq!(value(&form, "hallmarks_0_side"), "reverse");
    assert_eq!(value(&form, "hallmarks_0_area"), "bottom-left");
    assert_eq!(value(&form, "hallmarks_0_absent"), "");
    assert_eq!(value(&form, "hallmarks_1_kind"), "silversmith");
    assert_eq!(value(&form, "hallmarks_1_area"), "bottom-left");
    assert_eq!(value(&form, "measurements_0_dimension"), "thickness");
    assert_eq!(value(&form, "measurements_0_amount"), "1/8");
    assert_eq!(value(&form, "measurements_0_unit"), "inch");
    assert_eq!(value(&form, "measurements_0_approximate"), "on");
    for empty in [
        "engravings_1_text",
        "hallmarks_2_kind",
        "measurements_1_amount",
    ] {
        assert!(
            form.iter().any(|(k, v)| k == empty && v.is_empty()),
            "{empty}"
        );
    }

    // Saved as shown: nothing changes.
    let mut save = form.clone();
    save.push(("action".into(), "save".into()));
    let (status, body) = post_fields(&site, &anna, MOPR_SPECIMEN, &save).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = mopr(&site).await;
    let kept = &after.variants[0].specimens[0];
    assert_eq!(kept.engravings, stored.engravings);
    assert_eq!(kept.hallmarks, stored.hallmarks);
    assert_eq!(kept.measurements, stored.measurements);
    assert_eq!(kept.notes, stored.notes);
    assert_eq!(kept.private, stored.private);
    assert_eq!(kept.photos, stored.photos);
    assert_eq!(after.version, before.version + 1);

    // Changed: the engraving's text, a new measurement, the silversmith's mark absent.
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let mut edit = section_fields(&page, "v0.s0.");
    set(&mut edit, "engravings_0_text", "Ivanov I. I.");
    set(&mut edit, "measurements_1_dimension", "diameter");
    set(&mut edit, "measurements_1_amount", "24.5");
    set(&mut edit, "measurements_1_unit", "mm");
    set(&mut edit, "hallmarks_1_absent", "on");
    edit.push(("action".into(), "save".into()));
    let (status, body) = post_fields(&site, &anna, MOPR_SPECIMEN, &edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let t = mopr(&site).await;
    let s = &t.variants[0].specimens[0];
    assert_eq!(s.engravings[0].text, "Ivanov I. I.");
    assert_eq!(s.engravings[0].position.unwrap().side, Side::Reverse);
    assert_eq!(s.measurements.len(), 2);
    assert_eq!(
        s.measurements[0], stored.measurements[0],
        "the 1/8 inch is kept"
    );
    assert_eq!(s.measurements[1].dimension, Dimension::Diameter);
    assert_eq!(s.measurements[1].quantity.value.as_str(), "24.5");
    assert_eq!(s.measurements[1].quantity.unit, Unit::Mm);
    assert!(s.hallmarks[0].present);
    assert_eq!(s.hallmarks[1].kind, MarkKind::Silversmith);
    assert!(!s.hallmarks[1].present);

    // The public page shows the change.
    let public = site.page("/types/mopr-badge").await;
    assert!(public.contains("Ivanov I. I."), "{public}");
    assert!(public.contains("24.5"), "{public}");
    assert!(public.contains(r#"class="absent""#), "{public}");

    // Removing a row and keeping the order of the rest.
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let mut edit = section_fields(&page, "v0.s0.");
    set(&mut edit, "hallmarks_0_remove", "on");
    edit.push(("action".into(), "save".into()));
    let (status, body) = post_fields(&site, &anna, MOPR_SPECIMEN, &edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let s = mopr(&site).await.variants[0].specimens[0].clone();
    assert_eq!(s.hallmarks.len(), 1);
    assert_eq!(s.hallmarks[0].kind, MarkKind::Silversmith);
    assert_eq!(s.measurements.len(), 2);
}

#[tokio::test]
async fn a_new_specimen_is_added_with_its_rows() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let v = mopr(&site).await.version.to_string();
    let (status, _, body) = post(
        &site,
        &anna,
        "/admin/types/mopr-badge/variants/0/specimens",
        &[
            ("version", &v),
            ("inventory_number", "M-2"),
            ("engravings_0_text", "No. 9"),
            ("engravings_0_side", "reverse"),
            ("engravings_0_area", "centre"),
            ("hallmarks_0_kind", "mint"),
            ("hallmarks_0_absent", "on"),
            ("measurements_0_dimension", "weight"),
            ("measurements_0_amount", "1 1/2"),
            ("measurements_0_unit", "oz"),
            ("measurements_1_dimension", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let t = mopr(&site).await;
    let s = &t.variants[0].specimens[1];
    assert_eq!(s.inventory_number, "M-2");
    assert_eq!(s.engravings[0].text, "No. 9");
    assert!(!s.hallmarks[0].present);
    assert_eq!(s.measurements.len(), 1, "an empty row is ignored");
    assert_eq!(s.measurements[0].quantity.value.as_str(), "1 1/2");
}

#[tokio::test]
async fn a_variants_marks_and_serial_numbers_are_edited() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let form = section_fields(&page, "v0.");
    assert_eq!(value(&form, "name_en"), "Solid silver");
    assert!(form.iter().any(|(k, _)| k == "marks_0_en"));
    assert!(form.iter().any(|(k, _)| k == "serial_numbers_from"));

    // Backwards and unreadable serial numbers: kept, explained, nothing saved.
    let before = mopr(&site).await;
    let mut bad = form.clone();
    set(&mut bad, "serial_numbers_from", "500");
    set(&mut bad, "serial_numbers_to", "20");
    set(&mut bad, "marks_0_en", "Hammer and sickle");
    bad.push(("action".into(), "save".into()));
    let path = "/admin/types/mopr-badge/variants/0";
    let (status, body) = post_fields(&site, &anna, path, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains(r#"id="err-v0.serial_numbers""#), "{body}");
    assert!(body.contains(r#"value="500""#) && body.contains(r#"value="Hammer and sickle""#));
    set(&mut bad, "serial_numbers_from", "-3");
    let (status, body) = post_fields(&site, &anna, path, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#"value="-3""#) && body.contains(r#"id="err-v0.serial_numbers""#));
    assert_eq!(mopr(&site).await.version, before.version, "nothing saved");

    let mut good = form.clone();
    set(&mut good, "serial_numbers_from", "20");
    set(&mut good, "serial_numbers_to", "500");
    set(&mut good, "marks_0_en", "Hammer and sickle");
    set(&mut good, "marks_0_ru", "Серп и молот");
    good.push(("action".into(), "save".into()));
    let (status, body) = post_fields(&site, &anna, path, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let v = &mopr(&site).await.variants[0];
    assert_eq!(v.marks.len(), 1);
    assert_eq!(v.marks[0].ru, "Серп и молот");
    let serial = v.serial_numbers.unwrap();
    assert_eq!((serial.from, serial.to), (20, 500));
    assert_eq!(v.specimens.len(), 1, "the variant's specimens are kept");

    // The new mark is in the form with an empty row after it; removing it empties the list.
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let mut form = section_fields(&page, "v0.");
    assert_eq!(value(&form, "marks_0_en"), "Hammer and sickle");
    assert_eq!(value(&form, "marks_1_en"), "");
    set(&mut form, "marks_0_remove", "on");
    form.push(("action".into(), "save".into()));
    let (status, _) = post_fields(&site, &anna, path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(mopr(&site).await.variants[0].marks.is_empty());
}

#[tokio::test]
async fn hostile_rows_are_refused_beside_their_field_and_escaped() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let form = section_fields(&page, "v0.s0.");
    let before = mopr(&site).await;

    // Each is unreadable: the input is kept, the message is beside its field, nothing is saved.
    let huge = "x".repeat(3000);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("measurements_1_amount", "1//8", "measurements_1_amount"),
        ("measurements_1_unit", "furlong", "measurements_1_unit"),
        ("hallmarks_2_kind", "forged", "hallmarks_2_kind"),
        ("engravings_0_side", "inside", "engravings_0_side"),
        ("engravings_0_area", "middle-ish", "engravings_0_area"),
        ("engravings_0_text", &huge, "engravings_0_text"),
        (
            "engravings_0_description_en",
            "bell \u{7} here",
            "engravings_0_description_en",
        ),
        (
            "hallmarks_0_description_ru",
            "nul \u{0} here",
            "hallmarks_0_description_ru",
        ),
        ("measurements_0_unit", "g", "measurements_0_unit"),
        ("measurements_0_amount", "0", "measurements_0_amount"),
        ("measurements_0_amount", "1e9", "measurements_0_amount"),
        ("measurements_0_amount", "1/0", "measurements_0_amount"),
    ];
    for (field, input, error_at) in cases {
        let mut bad = form.clone();
        set(&mut bad, field, input);
        if field.starts_with("measurements_1") {
            // A whole new row, with one bad field.
            set(&mut bad, "measurements_1_dimension", "height");
            set(&mut bad, "measurements_1_amount", "2");
            set(&mut bad, "measurements_1_unit", "mm");
            set(&mut bad, field, input);
        }
        bad.push(("action".into(), "save".into()));
        let (status, body) = post_fields(&site, &anna, MOPR_SPECIMEN, &bad).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={input:?}"
        );
        assert!(
            body.contains(&format!(r#"id="err-v0.s0.{error_at}""#)),
            "{field}={input:?}: no message beside {error_at}"
        );
        let shown = section_fields(&body, "v0.s0.");
        assert_eq!(
            value(&shown, field),
            input,
            "{field}={input:?}: the input is not kept"
        );
    }
    // An engraving with a place but no text nor description: the row's own message.
    let mut bad = form.clone();
    set(&mut bad, "engravings_0_description_en", "");
    set(&mut bad, "engravings_0_description_ru", "");
    bad.push(("action".into(), "save".into()));
    let (status, body) = post_fields(&site, &anna, MOPR_SPECIMEN, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#"id="err-v0.s0.engravings_0""#), "{body}");
    // Row numbers too big to be rows are ignored; too many rows are refused.
    let mut bad = form.clone();
    bad.push(("engravings_99999999999_text".into(), "ignored".into()));
    bad.push(("engravings_x_text".into(), "ignored".into()));
    bad.push(("action".into(), "save".into()));
    let (status, _) = post_fields(&site, &anna, MOPR_SPECIMEN, &bad).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let t = mopr(&site).await;
    assert_eq!(t.variants[0].specimens[0].engravings.len(), 1);
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let mut bad = section_fields(&page, "v0.s0.");
    for i in 10..300 {
        bad.push((format!("marks_{i}_en"), "m".into()));
        bad.push((format!("engravings_{i}_text"), format!("E{i}")));
    }
    bad.push(("action".into(), "save".into()));
    let (status, body) = post_fields(&site, &anna, MOPR_SPECIMEN, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#"id="err-v0.s0.engravings""#));
    assert_eq!(mopr(&site).await.version, t.version, "nothing saved");
    let _ = before;

    // Markup is text: escaped in the workspace and on the public page.
    let xss = r#"<script>alert(1)</script><img src=x onerror=alert(2)>"#;
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let mut edit = section_fields(&page, "v0.s0.");
    set(&mut edit, "engravings_0_text", xss);
    set(&mut edit, "hallmarks_0_description_en", xss);
    edit.push(("action".into(), "save".into()));
    let (status, body) = post_fields(&site, &anna, MOPR_SPECIMEN, &edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let public = site.page("/types/mopr-badge").await;
    for html in [&page, &public] {
        assert!(!html.contains("<script>alert(1)"), "unescaped");
        assert!(!html.contains("<img src=x"), "unescaped");
        assert!(
            html.contains("&lt;script&gt;alert(1)"),
            "escaped text missing"
        );
    }
}

#[tokio::test]
async fn a_viewer_cannot_change_rows_or_the_collection() {
    let site = common::start().await;
    let vera = sign_in(&site, "vera", Role::Viewer).await;
    let (status, page) = get(&site, &vera, "/admin/types/mopr-badge").await;
    assert_eq!(status, 200);
    let mut form = section_fields(&page, "v0.s0.");
    assert_eq!(
        value(&form, "measurements_0_amount"),
        "1/8",
        "a viewer reads the rows"
    );
    set(&mut form, "engravings_0_text", "changed");
    let before = mopr(&site).await.version;
    let (status, _) = post_fields(&site, &vera, MOPR_SPECIMEN, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post(
        &site,
        &vera,
        "/admin/types/mopr-badge/variants/0",
        &[
            ("version", &before.to_string()),
            ("marks_0_en", "x"),
            ("name_en", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(mopr(&site).await.version, before);

    let (status, page) = get(&site, &vera, "/admin/collection").await;
    assert_eq!(status, 200);
    assert!(!page.contains(">Save<"), "a viewer gets no save button");
    let (status, _, _) = post(
        &site,
        &vera,
        "/admin/collection",
        &[("title_en", "Taken over")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!site.page("/").await.contains("Taken over"));
}

#[tokio::test]
async fn the_collection_is_edited_previewed_and_in_the_history() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (status, page) = get(&site, &anna, "/admin/collection").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"href="/admin/collection""#), "in the nav");
    let form = form_fields(&page, r#"id="collection-form""#);
    let title = value(&form, "title_en").to_owned();
    assert!(!title.is_empty());
    assert!(site.page("/").await.contains(&title));

    // A preview saves nothing.
    let mut preview = form.clone();
    set(&mut preview, "introduction_en", "An *emphasised* word.");
    preview.push(("preview".into(), "1".into()));
    let (status, body) = post_fields(&site, &anna, "/admin/collection", &preview).await;
    assert_eq!(status, 200);
    assert!(body.contains("<em>emphasised</em>"), "{body}");
    assert!(!site.page("/").await.contains("emphasised"));

    // Invalid: kept and explained.
    let mut bad = form.clone();
    set(&mut bad, "title_en", "");
    set(&mut bad, "title_ru", "Только по-русски");
    let (status, body) = post_fields(&site, &anna, "/admin/collection", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#"id="err-title_en""#), "{body}");
    assert!(body.contains("Только по-русски"));
    let huge = "y".repeat(400);
    set(&mut bad, "title_en", &huge);
    let (status, body) = post_fields(&site, &anna, "/admin/collection", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(&huge));
    set(&mut bad, "title_en", "bell \u{7}");
    let (status, _) = post_fields(&site, &anna, "/admin/collection", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Saved: public at once, escaped, and in the history with its author.
    let mut good = form.clone();
    set(&mut good, "title_en", "Anna's <b>badges</b>");
    set(
        &mut good,
        "introduction_en",
        "Badges *collected* over forty years.\n\n<script>alert(1)</script>",
    );
    let (status, body) = post_fields(&site, &anna, "/admin/collection", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let home = site.page("/").await;
    assert!(home.contains("&lt;b&gt;badges&lt;"), "{home}");
    assert!(!home.contains("<b>badges"));
    assert!(home.contains("<em>collected</em>"));
    assert!(!home.contains("<script>alert(1)"));
    let (_, history) = get(&site, &anna, "/admin/history").await;
    assert!(history.contains("collection"), "{history}");
    let first = &history[history.find("revision__op").unwrap()..];
    let first = &first[..first.find("</li>").unwrap()];
    assert!(
        first.contains("anna") && first.contains("/admin/collection"),
        "{first}"
    );
}

#[tokio::test]
async fn two_curators_editing_the_collection_conflict_and_compare() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let olga = sign_in(&site, "olga", Role::Owner).await;
    let (_, page) = get(&site, &anna, "/admin/collection").await;
    let annas = form_fields(&page, r#"id="collection-form""#);
    let (_, page) = get(&site, &olga, "/admin/collection").await;
    let mut olgas = form_fields(&page, r#"id="collection-form""#);

    set(&mut olgas, "title_en", "Olga's title");
    let (status, _) = post_fields(&site, &olga, "/admin/collection", &olgas).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Anna's form was read before Olga's save: refused, her input kept, the two compared.
    let mut mine = annas.clone();
    set(&mut mine, "introduction_en", "Anna's introduction");
    let (status, body) = post_fields(&site, &anna, "/admin/collection", &mine).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains(r#"id="conflict""#));
    let shown = form_fields(&body, r#"id="collection-form""#);
    assert_eq!(value(&shown, "introduction_en"), "Anna's introduction");
    assert!(body.contains("compare__stored"), "{body}");
    assert!(site.page("/").await.contains("Olga"), "Olga's save stands");

    // Saving the re-shown form again is a deliberate overwrite.
    let again = form_fields(&body, r#"id="collection-form""#);
    let (status, _) = post_fields(&site, &anna, "/admin/collection", &again).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let home = site.page("/").await;
    assert!(!home.contains("Olga"), "Anna's form had the old title");

    // A form without its digest is never taken for a fresh one.
    let (status, _, _) = post(
        &site,
        &anna,
        "/admin/collection",
        &[("title_en", "No digest")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_move_buttons_reorder_in_one_step_and_a_stale_delete_deletes_nothing() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let order = |site: &common::Site| {
        let catalogue = site.catalogue.clone();
        async move {
            let (all, _) = catalogue
                .curator_types(vitrina_storage::Page::new(0, 500))
                .await
                .unwrap();
            all.iter().map(|t| t.slug.to_string()).collect::<Vec<_>>()
        }
    };
    let before = order(&site).await;
    assert!(before.len() >= 2);
    // The list tells each row's buttons where the row is.
    let (_, body) = get(&site, &anna, "/admin/types").await;
    assert!(body.contains(r#"name="index" value="1""#), "{body}");
    let second = before[1].clone();
    let (status, location, _) = post(
        &site,
        &anna,
        &format!("/admin/types/{second}/move"),
        &[("index", "1"), ("dir", "up")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/admin/types");
    let mut expected = before.clone();
    expected.swap(0, 1);
    assert_eq!(order(&site).await, expected);
    // Without its place the request is refused and nothing moves.
    let (status, _, _) = post(
        &site,
        &anna,
        &format!("/admin/types/{second}/move"),
        &[("dir", "down")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(order(&site).await, expected);

    // A delete at a version that is no longer stored: a conflict, and the type stays.
    let v = version(&site, &second).await;
    let stale = (v.parse::<i64>().unwrap() - 1).to_string();
    let (status, _, body) = post(
        &site,
        &anna,
        &format!("/admin/types/{second}/delete"),
        &[("version", &stale)],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("nothing"), "{body}");
    assert_eq!(version(&site, &second).await, v);
}

#[tokio::test]
async fn saving_a_form_as_a_browser_sends_it_with_crlf_records_no_phantom_change() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let before = mopr(&site).await;
    assert!(
        before.description.en.contains('\n'),
        "the demo has paragraphs"
    );
    let (_, html) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let mut form = form_fields(&html, "id=\"type-form\"");
    // Browsers send a textarea's line breaks as CRLF, and an NFD name is the same name.
    for (k, v) in &mut form {
        if k.starts_with("description_") {
            *v = v.replace('\n', "\r\n");
        }
    }
    set(&mut form, "names_ru", &format!("{}\u{20}", before.names.ru));
    let (status, body) = post_fields(&site, &anna, "/admin/types/mopr-badge", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = mopr(&site).await;
    assert_eq!(after.description, before.description);
    assert_eq!(after.names, before.names);
    let history = site
        .catalogue
        .record_history(vitrina_operations::RecordKind::Type, "mopr-badge")
        .await
        .unwrap();
    let record = |i: usize| {
        let mut r = history[i].record.clone();
        r.as_object_mut().unwrap().remove("version");
        r
    };
    assert_eq!(record(0), record(1), "a save that changed nothing");
}

#[tokio::test]
async fn choices_showed_raw_codes_like_silver_proof_and_bottom_left() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (_, html) = get(&site, &anna, "/admin/types/mopr-badge").await;
    assert!(
        html.contains(r#"<option value="silver_proof" selected>Silver proof mark</option>"#),
        "a choice reads as words"
    );
    assert!(html.contains(r#"<option value="bottom-left" selected>Bottom left</option>"#));
    for raw in [
        ">silver_proof<",
        ">bottom-left<",
        ">screw_back<",
        ">very_fine<",
    ] {
        assert!(!html.contains(raw), "{raw} shown raw");
    }
    // Materials are ticked from the vocabulary, and a save keeps them.
    assert!(html.contains(
        r#"<input type="checkbox" name="v0.materials" value="silver" checked> Silver</label>"#
    ));
    assert!(!html.contains("Materials, comma-separated"));
    let before = mopr(&site).await;
    let mut form = section_fields(&html, "v0.");
    form.push(("materials".into(), "bronze".into()));
    form.push(("action".into(), "save".into()));
    let (status, body) =
        post_fields(&site, &anna, "/admin/types/mopr-badge/variants/0", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = mopr(&site).await;
    let mut expected = before.variants[0].materials.clone();
    expected.push(vitrina_catalogue::Material::Bronze);
    assert_eq!(after.variants[0].materials, expected);
}

#[tokio::test]
async fn editing_two_sections_and_pressing_one_save_lost_the_other_edit() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let before = mopr(&site).await;
    let (_, html) = get(&site, &anna, "/admin/types/mopr-badge").await;
    // One form for the record (besides signing out and uploading photos), one Save.
    assert_eq!(
        count_of(&html, "<form method=\"post\""),
        2,
        "the type's and sign-out"
    );
    assert_eq!(count_of(&html, "class=\"savebar__save\""), 1);
    assert!(
        html.contains("/assets/workspace."),
        "the unsaved-changes script"
    );
    let mut form = form_fields(&html, "id=\"type-form\"");
    // Three sections edited: the type, the variant, the piece (a new engraving row).
    set(&mut form, "names_en", "MOPR badge (edited)");
    set(&mut form, "v0.maker", "Moscow mint");
    set(&mut form, "v0.s0.inventory_number", "INV-12");
    set(&mut form, "v0.s0.engravings_1_text", "No. 9");
    set(&mut form, "v0.s0.engravings_1_side", "reverse");
    let (status, body) = post_fields(&site, &anna, "/admin/types/mopr-badge", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = mopr(&site).await;
    assert_eq!(after.names.en, "MOPR badge (edited)");
    assert_eq!(after.variants[0].maker, "Moscow mint");
    let piece = &after.variants[0].specimens[0];
    assert_eq!(piece.inventory_number, "INV-12");
    assert_eq!(
        piece.engravings.len(),
        before.variants[0].specimens[0].engravings.len() + 1
    );
    assert_eq!(
        piece.private, before.variants[0].specimens[0].private,
        "private fields kept"
    );
    assert_eq!(piece.photos, before.variants[0].specimens[0].photos);
    assert_eq!(after.photos, before.photos);
    assert_eq!(after.version, before.version + 1, "one save");
    let history = site
        .catalogue
        .record_history(vitrina_operations::RecordKind::Type, "mopr-badge")
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "one revision for the three edits");

    // A mistake in one section keeps every section as typed, and saves nothing.
    let (_, html) = get(&site, &anna, "/admin/types/mopr-badge").await;
    let mut form = form_fields(&html, "id=\"type-form\"");
    set(&mut form, "names_ru", "Знак МОПР (правка)");
    set(&mut form, "v0.weight_g_min", "heavy");
    let (status, body) = post_fields(&site, &anna, "/admin/types/mopr-badge", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains(r#"value="Знак МОПР (правка)""#),
        "the other edit is kept"
    );
    assert!(
        body.contains(r#"name="v0.weight_g_min" value="heavy""#),
        "{body}"
    );
    assert!(
        body.contains(r#"id="err-v0.weight_g_min""#) || body.contains(r#"id="err-v0.weight_g""#),
        "{body}"
    );
    assert_eq!(mopr(&site).await.version, after.version, "nothing saved");

    // A move button saves everything and moves; "remove when saving" removes.
    let (_, html) = get(&site, &anna, "/admin/types/nkvd-fireman-badge").await;
    let nkvd = |site: &common::Site| {
        let c = site.catalogue.clone();
        async move {
            c.curator_type(&Slug::parse("nkvd-fireman-badge").unwrap())
                .await
                .unwrap()
        }
    };
    let stored = nkvd(&site).await;
    assert!(stored.variants.len() >= 2);
    let mut form = form_fields(&html, "id=\"type-form\"");
    set(&mut form, "v1.notes_en", "Moved and noted");
    form.push(("op".into(), "v1.up".into()));
    let (status, body) = post_fields(&site, &anna, "/admin/types/nkvd-fireman-badge", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let moved = nkvd(&site).await;
    assert_eq!(moved.variants[0].id, stored.variants[1].id);
    assert_eq!(moved.variants[0].notes.en, "Moved and noted");
    let (_, html) = get(&site, &anna, "/admin/types/nkvd-fireman-badge").await;
    let mut form = form_fields(&html, "id=\"type-form\"");
    form.push(("v0.remove".into(), "on".into()));
    let (status, _) = post_fields(&site, &anna, "/admin/types/nkvd-fireman-badge", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let left = nkvd(&site).await;
    assert_eq!(left.variants.len(), stored.variants.len() - 1);
    assert_eq!(left.variants[0].id, stored.variants[0].id);
    // An unknown move is a clear 400 and changes nothing.
    let (_, html) = get(&site, &anna, "/admin/types/nkvd-fireman-badge").await;
    let mut form = form_fields(&html, "id=\"type-form\"");
    form.push(("op".into(), "v99.sideways".into()));
    let (status, _) = post_fields(&site, &anna, "/admin/types/nkvd-fireman-badge", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(nkvd(&site).await.version, left.version);
}

fn count_of(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[tokio::test]
async fn a_complete_mopr_like_record_is_entered_on_one_page_with_one_save() {
    use vitrina_catalogue::{Dimension, MarkKind, Side, Unit};
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (status, html) = get(&site, &anna, "/admin/types/new").await;
    assert_eq!(status, 200);
    let mut form = form_fields(&html, "id=\"type-form\"");
    for (k, v) in [
        ("slug", "mopr-like"),
        ("names_en", "MOPR-like badge"),
        ("names_ru", "Знак вроде МОПР"),
        ("established", "1922"),
        ("vnew.name_en", "Solid silver"),
        ("vnew.snew.inventory_number", "INV-1"),
        ("vnew.snew.engravings_0_text", "No. 9"),
        ("vnew.snew.engravings_0_side", "reverse"),
        ("vnew.snew.hallmarks_0_kind", "silver_proof"),
        ("vnew.snew.hallmarks_0_side", "reverse"),
        ("vnew.snew.hallmarks_0_area", "bottom-left"),
        ("vnew.snew.hallmarks_1_kind", "silversmith"),
        ("vnew.snew.hallmarks_1_side", "reverse"),
        ("vnew.snew.hallmarks_1_area", "bottom-left"),
        ("vnew.snew.measurements_0_dimension", "thickness"),
        ("vnew.snew.measurements_0_amount", "1/8"),
        ("vnew.snew.measurements_0_unit", "inch"),
        ("vnew.snew.private_price_amount", "120"),
        ("vnew.snew.private_price_currency", "EUR"),
    ] {
        set(&mut form, k, v);
    }
    // The second hallmark row only appears once the first is filled: a browser with the page's
    // script adds it; without, the curator saves and adds it next time. Both rows are sent.
    form.push(("vnew.materials".into(), "silver".into()));
    let (status, body) = post_fields(&site, &anna, "/admin/types/new", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let t = site
        .catalogue
        .curator_type(&Slug::parse("mopr-like").unwrap())
        .await
        .unwrap();
    assert_eq!(t.names.ru, "Знак вроде МОПР");
    assert_eq!(t.variants.len(), 1);
    let v = &t.variants[0];
    assert_eq!(v.name.en, "Solid silver");
    assert_eq!(v.materials, [vitrina_catalogue::Material::Silver]);
    let s = &v.specimens[0];
    assert_eq!(s.inventory_number, "INV-1");
    assert_eq!(s.engravings[0].text, "No. 9");
    assert_eq!(
        s.engravings[0].position.as_ref().unwrap().side,
        Side::Reverse
    );
    assert_eq!(s.hallmarks.len(), 2);
    assert_eq!(s.hallmarks[0].kind, MarkKind::SilverProof);
    assert_eq!(s.hallmarks[1].kind, MarkKind::Silversmith);
    assert_eq!(s.measurements[0].dimension, Dimension::Thickness);
    assert_eq!(s.measurements[0].quantity.unit, Unit::Inch);
    assert!(s.private.as_ref().unwrap().price.is_some());
    let history = site
        .catalogue
        .record_history(vitrina_operations::RecordKind::Type, "mopr-like")
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "one save");
}
