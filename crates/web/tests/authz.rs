//! The role matrix: every route of the router's own table (`vitrina_web::routes::table()`),
//! called as anonymous, then with a session of each role, then with a read and a write token of
//! each role. A route cannot be added without an access decision; this test proves each
//! decision is what the handler enforces:
//! - anonymous callers of a curator route are sent to the sign-in page (the site) or get a 401
//!   problem (the API); public routes answer them;
//! - a role or token below the need gets 403; one that meets it gets anything but 401/403, a
//!   trip to the sign-in page or a server error (a 404, 422 or 428 for the test's minimal
//!   request is fine: the permission check let it through);
//! - every curator answer is `Cache-Control: no-store`.
//!
//! Path parameters are filled from [`fill`]; a new parameter name fails the test until it
//! has a value there.

mod common;

use common::curators;
use reqwest::{Method, StatusCode};
use vitrina_catalogue::{Role, TokenScope, User};
use vitrina_storage::{AccountStore, ApiToken};
use vitrina_web::auth::secret;
use vitrina_web::routes::{Access, Route};

/// Values for the routes' path parameters.
struct Fixtures {
    user: String,
    type_slug: String,
    category: String,
}

/// The route's path with every parameter filled; `token` is an API token id of the caller.
fn fill(route: &Route, f: &Fixtures, token: &str) -> String {
    let is_category = route.path.contains("/categories/");
    let segments: Vec<&str> = route.path.split('/').collect();
    let filled: Vec<String> = segments
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            let previous = if i > 0 { segments[i - 1] } else { "" };
            match *seg {
                "{slug}" if is_category => f.category.clone(),
                "{slug}" => f.type_slug.clone(),
                "{id}" if previous == "users" => f.user.clone(),
                "{id}" if previous == "tokens" => token.to_owned(),
                "{id}" if previous == "history" || previous == "revisions" => "1".to_owned(),
                "{id}" if previous == "photos" => "1".to_owned(),
                "{id}" if previous == "import" || previous == "imports" => "1".to_owned(),
                "{n}" if previous == "photos" => "1".to_owned(),
                "{v}" | "{s}" | "{p}" => "0".to_owned(),
                "{token}" => "0".repeat(64),
                "{code}" => "ru".to_owned(),
                "{*key}" => "no/such-file.jpg".to_owned(),
                "{*name}" => "site.css".to_owned(),
                s if s.starts_with('{') => panic!(
                    "{} {}: tests/authz.rs has no value for {s} after {previous:?}; add one to fill()",
                    route.method, route.path
                ),
                s => s.to_owned(),
            }
        })
        .collect();
    filled.join("/")
}

/// A form that is plausible for every route above (fields a route does not know are ignored).
const FORM: &[(&str, &str)] = &[
    ("role", "viewer"),
    ("disabled", "false"),
    ("password", "a perfectly fine password"),
    ("label", "matrix"),
    ("scope", "read"),
    ("name", "matrix-user"),
];

/// Whether a caller of `role` through `via` may call `route`.
fn meets(route: &Route, role: Role, via: Via) -> bool {
    let role_ok = match route.access {
        Access::Public | Access::Curator | Access::Session => true,
        Access::Editor => role.can_edit(),
        Access::Owner => role.can_manage_users(),
    };
    let scope_ok = match via {
        Via::Token(_) if route.access == Access::Session => false,
        Via::Session | Via::Token(TokenScope::Write) => true,
        // A read token reads; an editor's route needs writing even to show its form.
        Via::Token(TokenScope::Read) => {
            route.method == Method::GET && route.access != Access::Editor
        }
    };
    role_ok && (route.access == Access::Public || scope_ok)
}

#[derive(Debug, Clone, Copy)]
enum Via {
    Session,
    Token(TokenScope),
}

async fn new_token(store: &dyn AccountStore, user: &User, scope: TokenScope) -> (String, String) {
    let secret = format!("vt_{}", secret::random_hex().unwrap());
    let t = store
        .create_token(&ApiToken {
            id: None,
            user_id: user.id.unwrap(),
            label: "matrix".into(),
            scope,
            prefix: secret[..8].to_owned(),
            hash: secret::digest(&secret),
            created_at: time::OffsetDateTime::now_utc(),
            last_used_at: None,
        })
        .await
        .unwrap();
    (secret, t.id.unwrap().to_string())
}

fn is_api(route: &Route) -> bool {
    route.path.starts_with("/api/")
}

#[tokio::test]
async fn every_route_enforces_its_access_decision() {
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
    let fixtures = Fixtures {
        user: target.id.unwrap().to_string(),
        type_slug: site.catalogue.store().type_slugs().await.unwrap()[0].to_string(),
        category: site.catalogue.store().categories().await.unwrap()[0]
            .category
            .slug
            .to_string(),
    };

    let mut routes: Vec<&Route> = vitrina_web::routes::table().iter().collect();
    // These end the caller's sessions: last.
    routes.sort_by_key(|r| r.path.contains("logout"));
    let mut checked = 0;
    for route in routes {
        let method = &route.method;
        let pattern = route.path;
        let call = |path: String, auth: Option<(Via, String, String)>| {
            let mut req = site.client.request(method.clone(), site.url(&path));
            match auth {
                Some((Via::Session, cookie, csrf)) => {
                    req = req.header("cookie", cookie).header("x-csrf-token", csrf);
                }
                Some((Via::Token(_), secret, _)) => {
                    req = req.bearer_auth(secret);
                }
                None => {}
            }
            if *method != Method::GET {
                req = if is_api(route) {
                    req.json(&serde_json::json!({}))
                } else {
                    req.form(FORM)
                };
            }
            req.send()
        };

        // Anonymous.
        let res = call(fill(route, &fixtures, "1"), None).await.unwrap();
        let status = res.status();
        let location = curators::location(&res).to_owned();
        let to_sign_in =
            status == StatusCode::SEE_OTHER && location.starts_with("/admin/login?next=");
        match route.access {
            // (a sign-in with a wrong password is a 401: the form's own answer)
            Access::Public => assert!(
                (status != StatusCode::UNAUTHORIZED || pattern == "/admin/login")
                    && status != StatusCode::FORBIDDEN
                    && !status.is_server_error()
                    && !to_sign_in,
                "{method} {pattern} as anonymous: {status} {location}"
            ),
            _ if is_api(route) => {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {pattern} as anonymous"
                );
                assert_eq!(
                    res.headers().get("content-type").unwrap(),
                    "application/problem+json",
                    "{method} {pattern} as anonymous"
                );
            }
            _ => assert!(
                to_sign_in,
                "{method} {pattern} as anonymous: {status} {location}"
            ),
        }
        // Signing in is public and throttled: the anonymous call is enough.
        if route.access == Access::Public && *method != Method::GET {
            checked += 1;
            continue;
        }

        for user in &users {
            let role = user.role;
            for via in [
                Via::Session,
                Via::Token(TokenScope::Read),
                Via::Token(TokenScope::Write),
            ] {
                // Every caller revokes a token of its own.
                let (read_secret, token_id) = new_token(store, user, TokenScope::Read).await;
                let auth = match via {
                    Via::Session => {
                        let (cookie, csrf) = curators::session_for(store, user).await;
                        (via, cookie, csrf)
                    }
                    Via::Token(TokenScope::Read) => (via, read_secret, String::new()),
                    Via::Token(scope) => {
                        (via, new_token(store, user, scope).await.0, String::new())
                    }
                };
                let res = call(fill(route, &fixtures, &token_id), Some(auth))
                    .await
                    .unwrap();
                let status = res.status();
                let location = curators::location(&res).to_owned();
                if meets(route, role, via) {
                    assert!(
                        status != StatusCode::FORBIDDEN
                            && status != StatusCode::UNAUTHORIZED
                            && !status.is_server_error()
                            && !location.starts_with("/admin/login?"),
                        "{method} {pattern} as {role} by {via:?}: {status} {location}"
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{method} {pattern} as {role} by {via:?}"
                    );
                }
                if route.access != Access::Public {
                    let cache = res
                        .headers()
                        .get("cache-control")
                        .map(|v| v.to_str().unwrap().to_owned());
                    assert!(
                        cache.as_deref().is_some_and(|c| c.contains("no-store")),
                        "{method} {pattern} as {role} by {via:?}: Cache-Control {cache:?}"
                    );
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, vitrina_web::routes::table().len());
}

#[test]
fn every_parameter_of_the_table_has_a_value() {
    let f = Fixtures {
        user: "7".into(),
        type_slug: "t".into(),
        category: "c".into(),
    };
    for route in vitrina_web::routes::table() {
        let path = fill(route, &f, "9");
        assert!(!path.contains('{'), "{path}");
        assert!(path.starts_with('/') && !path.starts_with("//"), "{path}");
    }
}
