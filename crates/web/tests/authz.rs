//! The role matrix: every curator route, called as anonymous, viewer, editor and owner.
//!
//! [`ROUTES`] is the one table of curator routes. Whoever adds a curator route adds a row:
//! the method, the path (`{user}` stands for an existing user's id, `{token}` for an existing
//! API token's id, `{type}` for an existing type's slug, `{category}` for an existing category's
//! slug) and what it needs. A row is checked four times: anonymous callers are sent to the
//! sign-in page, a role below the need gets 403, a role that meets it gets anything but
//! 401/403 or a trip to the sign-in page (a 404 or 422 for the test's minimal form is fine:
//! the role check let it through).

mod common;

use common::curators;
use reqwest::{Method, StatusCode};
use vitrina_catalogue::{Role, User};
use vitrina_storage::ApiToken;
use vitrina_web::auth::secret;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Any signed-in user (viewer, editor, owner).
    Signed,
    /// Owners and editors. (The editing routes' rows use it.)
    #[allow(dead_code)]
    Edit,
    /// Owners only.
    Owner,
}

const ROUTES: &[(Method, &str, Need)] = &[
    (Method::GET, "/admin", Need::Signed),
    (Method::GET, "/admin/tokens", Need::Signed),
    (Method::POST, "/admin/tokens", Need::Signed),
    (Method::POST, "/admin/tokens/{token}/revoke", Need::Signed),
    (Method::GET, "/admin/users", Need::Owner),
    (Method::POST, "/admin/users", Need::Owner),
    (Method::POST, "/admin/users/{user}/role", Need::Owner),
    (Method::POST, "/admin/users/{user}/disabled", Need::Owner),
    (Method::POST, "/admin/users/{user}/password", Need::Owner),
    (Method::POST, "/admin/types/{type}/upload", Need::Edit),
    // The catalogue (crates/web/src/admin): reads for every role, writes for editors.
    (Method::GET, "/admin/types", Need::Signed),
    (Method::GET, "/admin/types/new", Need::Edit),
    (Method::POST, "/admin/types/new", Need::Edit),
    (Method::GET, "/admin/types/{type}", Need::Signed),
    (Method::POST, "/admin/types/{type}", Need::Edit),
    (Method::GET, "/admin/types/{type}/delete", Need::Edit),
    (Method::POST, "/admin/types/{type}/delete", Need::Edit),
    (Method::POST, "/admin/types/{type}/duplicate", Need::Edit),
    (Method::POST, "/admin/types/{type}/move", Need::Edit),
    (Method::POST, "/admin/types/{type}/variants", Need::Edit),
    (Method::POST, "/admin/types/{type}/variants/0", Need::Edit),
    (
        Method::GET,
        "/admin/types/{type}/variants/0/delete",
        Need::Edit,
    ),
    (
        Method::POST,
        "/admin/types/{type}/variants/0/specimens",
        Need::Edit,
    ),
    (
        Method::POST,
        "/admin/types/{type}/variants/0/specimens/0",
        Need::Edit,
    ),
    (
        Method::GET,
        "/admin/types/{type}/variants/0/specimens/0/delete",
        Need::Edit,
    ),
    (Method::POST, "/admin/types/{type}/photos/0", Need::Edit),
    (
        Method::GET,
        "/admin/types/{type}/photos/0/delete",
        Need::Edit,
    ),
    (
        Method::POST,
        "/admin/types/{type}/variants/0/specimens/0/photos/0",
        Need::Edit,
    ),
    (
        Method::GET,
        "/admin/types/{type}/variants/0/specimens/0/photos/0/delete",
        Need::Edit,
    ),
    (Method::GET, "/admin/types/{type}/history", Need::Signed),
    (Method::GET, "/admin/categories", Need::Signed),
    (Method::GET, "/admin/categories/new", Need::Edit),
    (Method::POST, "/admin/categories/new", Need::Edit),
    (Method::GET, "/admin/categories/{category}", Need::Signed),
    (Method::POST, "/admin/categories/{category}", Need::Edit),
    (
        Method::GET,
        "/admin/categories/{category}/delete",
        Need::Edit,
    ),
    (
        Method::POST,
        "/admin/categories/{category}/delete",
        Need::Edit,
    ),
    (
        Method::POST,
        "/admin/categories/{category}/move",
        Need::Edit,
    ),
    (
        Method::POST,
        "/admin/categories/{category}/publish",
        Need::Edit,
    ),
    (
        Method::GET,
        "/admin/categories/{category}/history",
        Need::Signed,
    ),
    (Method::GET, "/admin/history", Need::Signed),
    (Method::GET, "/admin/collection", Need::Signed),
    (Method::POST, "/admin/collection", Need::Edit),
    (Method::POST, "/admin/history/1/restore", Need::Edit),
    (Method::POST, "/admin/preview", Need::Signed),
    // These end the caller's session(s): keep them last.
    (Method::POST, "/admin/logout-everywhere", Need::Signed),
    (Method::POST, "/admin/logout", Need::Signed),
];

/// A form that is plausible for every route above (fields a route does not know are ignored).
const FORM: &[(&str, &str)] = &[
    ("role", "viewer"),
    ("disabled", "false"),
    ("password", "a perfectly fine password"),
    ("label", "matrix"),
    ("scope", "read"),
    ("name", "matrix-user"),
];

fn meets(role: Role, need: Need) -> bool {
    match need {
        Need::Signed => true,
        Need::Edit => role.can_edit(),
        Need::Owner => role.can_manage_users(),
    }
}

#[tokio::test]
async fn every_curator_route_checks_the_role() {
    let site = common::start().await;
    let store = curators::accounts(&site.catalogue);
    let mut users = Vec::new();
    for role in Role::ALL {
        let user = store
            .create_user(&User::new(format!("the-{role}"), role), "$argon2id$unused")
            .await
            .unwrap();
        users.push(user);
    }
    let target = store
        .create_user(&User::new("target", Role::Viewer), "$argon2id$unused")
        .await
        .unwrap();
    let slugs = site.catalogue.store().type_slugs().await.unwrap();
    let type_slug = slugs.first().map(|s| s.to_string()).unwrap_or_default();
    let category = site
        .catalogue
        .store()
        .categories()
        .await
        .unwrap()
        .first()
        .map(|c| c.category.slug.to_string())
        .unwrap_or_default();

    for (method, pattern, need) in ROUTES {
        let mut path = pattern
            .replace("{user}", &target.id.unwrap().to_string())
            .replace("{type}", &type_slug)
            .replace("{category}", &category);
        let call = |path: String, cookie: Option<(String, String)>| {
            let mut req = site.client.request(method.clone(), site.url(&path));
            if let Some((cookie, csrf)) = cookie {
                req = req.header("cookie", cookie).header("x-csrf-token", csrf);
            }
            if *method != Method::GET {
                req = req.form(FORM);
            }
            req.send()
        };

        // Anonymous: to the sign-in page.
        let res = call(path.replace("{token}", "1"), None).await.unwrap();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(
            res.status() == StatusCode::SEE_OTHER && location.starts_with("/admin/login?next="),
            "{method} {pattern} as anonymous: {} {location}",
            res.status()
        );

        for user in &users {
            let role = user.role;
            if pattern.contains("{token}") {
                let t = store
                    .create_token(&ApiToken {
                        id: None,
                        user_id: user.id.unwrap(),
                        label: "matrix".into(),
                        scope: vitrina_catalogue::TokenScope::Read,
                        prefix: "vt_".into(),
                        hash: secret::random_hex().unwrap(),
                        created_at: time::OffsetDateTime::now_utc(),
                        last_used_at: None,
                    })
                    .await
                    .unwrap();
                path = pattern
                    .replace("{user}", &target.id.unwrap().to_string())
                    .replace("{token}", &t.id.unwrap().to_string());
            }
            let res = call(path.clone(), Some(curators::session_for(store, user).await))
                .await
                .unwrap();
            let status = res.status();
            let location = curators::location(&res).to_owned();
            if meets(role, *need) {
                assert!(
                    status != StatusCode::FORBIDDEN
                        && status != StatusCode::UNAUTHORIZED
                        && !status.is_server_error()
                        && !location.starts_with("/admin/login?"),
                    "{method} {pattern} as {role}: {status} {location}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {pattern} as {role}"
                );
            }
            assert_eq!(
                res.headers()
                    .get("cache-control")
                    .map(|v| v.to_str().unwrap()),
                Some("no-store"),
                "{method} {pattern} as {role}"
            );
        }
    }
}
