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
