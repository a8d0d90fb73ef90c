//! The rendered HTML of representative pages, frozen: a change to a template or to the
//! formatting shows up as a reviewed diff (`cargo insta review`).

mod common;

#[tokio::test]
async fn rendered_pages_match_their_snapshots() {
    let site = common::start().await;
    for (name, path) in [
        ("home_en", "/"),
        ("home_ru", "/ru/"),
        ("category_mopr_en", "/categories/mopr-badge"),
        ("type_mopr_en", "/types/mopr-badge"),
        ("type_mopr_ru", "/ru/types/mopr-badge"),
    ] {
        let html = site.page(path).await;
        insta::assert_snapshot!(name, html);
    }
    let res = site.get("/types/no-such-badge").await;
    assert_eq!(res.status(), 404);
    insta::assert_snapshot!("not_found_en", res.text().await.unwrap());
    let res = site.get("/ru/types/no-such-badge").await;
    assert_eq!(res.status(), 404);
    insta::assert_snapshot!("not_found_ru", res.text().await.unwrap());
}

/// The curator's workspace, in both languages: the type's one-form page, a new type, the
/// list, a history told in words. What changes from run to run (the session's CSRF token,
/// the times of the revisions) is masked.
#[tokio::test]
async fn workspace_pages_match_their_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let options = common::curators::Options {
        demo: true,
        ..Default::default()
    };
    let site = common::curators::start(&dir, options).await;
    let (cookie, csrf) = site.curator("olga", vitrina_catalogue::Role::Owner).await;
    // A change, so the history tells one in words.
    let slug = vitrina_catalogue::Slug::parse("mopr-badge").unwrap();
    let mut mopr = site.catalogue.curator_type(&slug).await.unwrap();
    mopr.names.en = "MOPR badge (silver)".into();
    mopr.variants[0].specimens[0].rarity = Some(vitrina_catalogue::Rarity::VeryRare);
    let author = vitrina_storage::Author {
        user: None,
        name: "olga".into(),
    };
    site.catalogue.save_type_by(&mopr, &author).await.unwrap();
    for (name, path) in [
        ("workspace_type_mopr_en", "/admin/types/mopr-badge"),
        ("workspace_type_mopr_ru", "/ru/admin/types/mopr-badge"),
        ("workspace_new_type_en", "/admin/types/new"),
        ("workspace_types_ru", "/ru/admin/types"),
        ("workspace_history_en", "/admin/history"),
        ("workspace_history_ru", "/ru/admin/history"),
    ] {
        let res = site.get(path, &cookie).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap().replace(&csrf, "[csrf]");
        insta::assert_snapshot!(name, masked_times(&html));
    }
}

/// The history's times (`<time datetime="…" data-local>…</time>`) as `[time]`.
fn masked_times(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<time datetime=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after.find("</time>").expect("a closed <time>") + "</time>".len();
        out.push_str("<time datetime=\"[time]\" data-local>[time]</time>");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
