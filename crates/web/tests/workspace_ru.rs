//! The workspace in Russian (`/ru/admin/…`) against a real server on port 0: every page in
//! Russian with every link staying in the Russian workspace, a save and a sign-in that come
//! back to Russian, validation messages and field names in Russian, the history in Russian
//! words, and the English workspace as it was.

mod common;

use common::curators;
use reqwest::StatusCode;
use vitrina_catalogue::{Role, User};

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

async fn get(site: &common::Site, who: Option<&Who>, path: &str) -> (StatusCode, String, String) {
    let mut req = site.client.get(site.url(path));
    if let Some(who) = who {
        req = req.header("cookie", &who.cookie);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let location = curators::location(&res).to_owned();
    (status, location, res.text().await.unwrap())
}

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

/// Interface words of the English workspace that a Russian page must not show.
const ENGLISH: &[&str] = &[
    ">Save<",
    ">Sign out<",
    ">Types<",
    ">History<",
    ">Categories<",
    "Please correct these",
    "Preview",
    "Delete…",
    ">Draft<",
    ">Published<",
    "New type",
    "Vitrina curator",
    "Sign in",
];

/// Every workspace address a page links to or posts to stays in the Russian workspace.
fn assert_stays_russian(path: &str, html: &str) {
    let mut targets = common::links(html);
    let mut rest = html;
    while let Some(i) = rest.find("action=\"") {
        rest = &rest[i + 8..];
        targets.push(rest[..rest.find('"').unwrap()].to_owned());
    }
    // The language switch leads to the same page in English, as it should.
    let switch = html
        .split("class=\"admin-bar__lang\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|h| h.replace("&amp;", "&"));
    for t in targets {
        if Some(&t) == switch.as_ref() {
            continue;
        }
        let english = t == "/admin" || (t.starts_with("/admin/") && t != "/admin/admin.css");
        assert!(!english, "{path} leads to the English workspace: {t}");
    }
}

fn assert_russian(path: &str, html: &str) {
    assert!(html.contains("<html lang=\"ru\">"), "{path}: {html}");
    for word in ENGLISH {
        assert!(!html.contains(word), "{path} says {word:?} in English");
    }
    assert_stays_russian(path, html);
}

#[tokio::test]
async fn every_workspace_page_is_russian_under_ru_admin() {
    let site = common::start().await;
    let owner = sign_in(&site, "olga", Role::Owner).await;
    let pages = [
        "/ru/admin/types",
        "/ru/admin/types?q=mopr",
        "/ru/admin/types/new",
        "/ru/admin/types/mopr-badge",
        "/ru/admin/types/mopr-badge/history",
        "/ru/admin/types/mopr-badge/delete",
        "/ru/admin/categories",
        "/ru/admin/categories/new",
        "/ru/admin/categories/party-congress-badges",
        "/ru/admin/collection",
        "/ru/admin/history",
        "/ru/admin/users",
        "/ru/admin/tokens",
    ];
    for path in pages {
        let (status, _, html) = get(&site, Some(&owner), path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_russian(path, &html);
        // The way back to English is the same page.
        let english = path.strip_prefix("/ru").unwrap().replace('&', "&amp;");
        assert!(
            html.contains(&format!("href=\"{english}\"")),
            "{path} has no link to {english}"
        );
    }
    let (_, _, html) = get(&site, Some(&owner), "/ru/admin/types/mopr-badge").await;
    for word in ["Сохранить", "Выйти", "Варианты", "Лицевая сторона"]
    {
        assert!(html.contains(word), "the type page lacks {word:?}");
    }
    // Choices by their Russian labels.
    assert!(
        html.contains("Серебро") || html.contains("серебро"),
        "materials"
    );
}

#[tokio::test]
async fn the_english_workspace_is_as_it_was_and_offers_russian() {
    let site = common::start().await;
    let owner = sign_in(&site, "olga", Role::Owner).await;
    let (status, _, html) = get(&site, Some(&owner), "/admin/types?page=0").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains(">Types<") && html.contains(">Sign out<"));
    assert!(html.contains("href=\"/ru/admin/types?page=0\""), "{html}");
    assert!(
        !html.contains("href=\"/ru/admin/types/"),
        "English links stay English"
    );
}

#[tokio::test]
async fn signing_in_from_the_russian_workspace_comes_back_to_it() {
    let site = common::start().await;
    let (status, location, _) = get(&site, None, "/ru/admin/types?q=mopr").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/ru/admin/login?next="), "{location}");
    let (status, _, html) = get(&site, None, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert_russian(&location, &html);
    assert!(html.contains("Пароль"), "{html}");
    // A wrong password is refused in Russian, on the Russian page.
    let res = site
        .client
        .post(site.url("/ru/admin/login"))
        .form(&[
            ("name", "nobody"),
            ("password", "wrong password"),
            ("next", "/admin/types"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("Неверное имя или пароль."), "{html}");
    assert_russian("/ru/admin/login", &html);
}

#[tokio::test]
async fn a_save_in_russian_comes_back_in_russian_and_so_do_its_problems() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let form = [
        ("slug", "new-badge"),
        ("names_en", "New badge"),
        ("names_ru", "Новый знак"),
        ("established", "1938-13"),
        ("version", "0"),
    ];
    // A month that does not exist: the form again, in Russian, naming the field as labelled.
    let (status, _, html) = post(&site, &anna, "/ru/admin/types/new", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_russian("/ru/admin/types/new (422)", &html);
    assert!(html.contains("месяц должен быть от 1 до 12"), "{html}");
    assert!(
        html.contains("Учреждён: месяц"),
        "the summary names the field: {html}"
    );
    assert!(html.contains("value=\"1938-13\""), "the input is kept");

    // Mended: saved, and back on the Russian page with a Russian notice.
    let mut form = form.to_vec();
    form.retain(|(k, _)| *k != "established");
    form.push(("established", "1938"));
    let (status, location, _) = post(&site, &anna, "/ru/admin/types/new", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/ru/admin/types/new-badge"),
        "{location}"
    );
    let (status, _, html) = get(&site, Some(&anna), &location).await;
    assert_eq!(status, StatusCode::OK);
    assert_russian(&location, &html);
    assert!(html.contains("Сохранено"), "{html}");
    assert!(
        html.contains("Правка: Новый знак"),
        "the title uses the Russian name"
    );

    // The history says what happened in Russian words and dates.
    let v = site
        .catalogue
        .curator_type(&vitrina_catalogue::Slug::parse("new-badge").unwrap())
        .await
        .unwrap()
        .version
        .to_string();
    let mut form = form.clone();
    form.retain(|(k, _)| *k != "version" && *k != "names_en");
    form.push(("version", &v));
    form.push(("names_en", "Renamed badge"));
    let (status, _, _) = post(&site, &anna, "/ru/admin/types/new-badge", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = get(&site, Some(&anna), "/ru/admin/types/new-badge/history").await;
    assert_russian("history", &html);
    assert!(html.contains("Изменено: название по-английски"), "{html}");
    assert!(html.contains("«Renamed badge»"), "{html}");
    let year = time::OffsetDateTime::now_utc().year();
    assert!(
        html.contains(&format!("{year} г., ")),
        "a Russian date: {html}"
    );
}

#[tokio::test]
async fn error_pages_of_the_russian_workspace_are_russian() {
    let site = common::start().await;
    let anna = sign_in(&site, "anna", Role::Editor).await;
    let (status, _, html) = get(&site, Some(&anna), "/ru/admin/types/no-such-badge").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Страница не найдена"), "{html}");
}
