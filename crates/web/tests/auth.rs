//! Accounts and access against the real server on port 0: signing in and out, throttling,
//! sessions that outlive the process, CSRF, API tokens and the one-time set-up link.

mod common;

use common::curators::{self, Options, PASSWORD, Server, location, session_cookie};
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;
use tempfile::TempDir;
use vitrina_catalogue::Role;
use vitrina_operations::accounts::ManualClock;
use vitrina_web::auth::secret;

/// A server over the SQLite database in `dir` (no demo: accounts do not need one). Dropping it
/// stops the server and leaves the database.
async fn start(dir: &TempDir) -> Server {
    curators::start(dir, Options::default()).await
}

#[tokio::test]
async fn signing_in_with_the_right_password_and_not_with_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir).await;
    s.add_user("anna", Role::Editor).await;

    // Anonymous: sent to the sign-in page, coming back afterwards.
    let res = s.client.get(s.url("/admin/tokens")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/login?next=%2Fadmin%2Ftokens");
    let page = s.client.get(s.url("/admin/login")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");

    // A wrong password and an unknown name get the same answer.
    for (name, password) in [("anna", "wrong password!"), ("nobody", PASSWORD)] {
        let res = s.login(name, password).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert!(session_cookie(res.headers()).is_none());
        let html = res.text().await.unwrap();
        assert!(html.contains("Wrong name or password."), "{name}");
    }

    let res = s.login("anna", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/tokens");
    let set = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let cookie = session_cookie(res.headers()).unwrap();
    let page = s.get("/admin/tokens", &cookie).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("anna") && html.contains("editor"));

    // Behind an HTTPS proxy the cookie is Secure.
    let res = s
        .client
        .post(s.url("/admin/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("name", "anna"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );

    // Only local paths are followed after signing in.
    let res = s
        .client
        .post(s.url("/admin/login"))
        .form(&[
            ("name", "anna"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/admin");

    // A disabled user cannot sign in, and their session stops working.
    let mut anna = s.accounts().user_by_name("anna").await.unwrap();
    anna.disabled = true;
    s.accounts().update_user(&anna).await.unwrap();
    assert_eq!(s.login("anna", PASSWORD).await.status(), 401);
    assert_eq!(s.get("/admin/tokens", &cookie).await.status(), 303);
}

/// A server behind a trusted proxy (the test client, 127.0.0.1) on a clock that moves only
/// when told: each request says which address it comes from in `X-Forwarded-For`.
async fn behind_proxy(dir: &TempDir) -> (Server, ManualClock) {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let s = curators::start(
        dir,
        Options {
            clock: Some(clock.clone()),
            trusted_proxies: vec!["127.0.0.1", "::1"],
            ..Options::default()
        },
    )
    .await;
    (s, clock)
}

/// Posts the sign-in form as if from `from` (through the trusted proxy).
async fn login_from(s: &Server, from: &str, name: &str, password: &str) -> reqwest::Response {
    s.client
        .post(s.url("/admin/login"))
        .header("x-forwarded-for", from)
        .form(&[
            ("name", name),
            ("password", password),
            ("next", "/admin/tokens"),
        ])
        .send()
        .await
        .unwrap()
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

const OWNER_HOME: &str = "198.51.100.7";

#[tokio::test]
async fn many_wrong_guesses_from_elsewhere_do_not_keep_the_owner_out() {
    let dir = tempfile::tempdir().unwrap();
    let (s, clock) = behind_proxy(&dir).await;
    s.add_user("anna", Role::Owner).await;
    // 60 guesses at anna's password from 20 addresses.
    for i in 0..60 {
        let from = format!("203.0.113.{}", i % 20);
        let res = login_from(&s, &from, "anna", "not the password").await;
        assert!(
            res.status() == 401 || res.status() == 429,
            "guess {i}: {}",
            res.status()
        );
    }
    // The owner, from home, gets in at once: the account's failures only slow it, boundedly.
    let before = clock.slept();
    let res = login_from(&s, OWNER_HOME, "anna", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let slowed = clock.slept() - before;
    assert!(
        slowed > std::time::Duration::ZERO && slowed <= std::time::Duration::from_secs(2),
        "{slowed:?}"
    );
}

#[tokio::test]
async fn delays_grow_and_refused_attempts_are_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (s, clock) = behind_proxy(&dir).await;
    s.add_user("anna", Role::Editor).await;
    let from = "203.0.113.1";
    for _ in 0..3 {
        assert_eq!(
            login_from(&s, from, "anna", "wrong guess!").await.status(),
            401
        );
    }
    // After three free failures: 1 s, and the form says why.
    let res = login_from(&s, from, "anna", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&res), 1);
    assert!(session_cookie(res.headers()).is_none());
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins")
    );
    // Refused attempts do not count: the wait stays 1 s however often it is tried…
    for _ in 0..10 {
        let res = login_from(&s, from, "ANNA", "wrong guess!").await;
        assert_eq!(
            res.status(),
            429,
            "the name's case does not escape the count"
        );
        assert_eq!(retry_after(&res), 1);
    }
    // …and grows with each counted failure: 2 s, 4 s, 8 s.
    for expected in [2, 4, 8] {
        clock.advance(time::Duration::seconds(expected / 2));
        assert_eq!(
            login_from(&s, from, "anna", "wrong guess!").await.status(),
            401
        );
        let res = login_from(&s, from, "anna", PASSWORD).await;
        assert_eq!(res.status(), 429);
        assert_eq!(retry_after(&res), expected as u64);
    }
    // A script asking for JSON gets a problem with the same Retry-After.
    let res = s
        .client
        .post(s.url("/admin/login"))
        .header("x-forwarded-for", from)
        .header("accept", "application/json")
        .form(&[("name", "anna"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(retry_after(&res), 8);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "rate-limited");
    // Once waited out, the right password gets in, and clears the pair.
    clock.advance(time::Duration::seconds(8));
    assert_eq!(login_from(&s, from, "anna", PASSWORD).await.status(), 303);
    for _ in 0..3 {
        assert_eq!(
            login_from(&s, from, "anna", "wrong guess!").await.status(),
            401
        );
    }
    assert_eq!(
        retry_after(&login_from(&s, from, "anna", PASSWORD).await),
        1
    );
    // Other addresses were never affected.
    assert_eq!(
        login_from(&s, OWNER_HOME, "anna", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn a_password_reset_clears_the_accounts_throttling() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _clock) = behind_proxy(&dir).await;
    s.add_user("anna", Role::Owner).await;
    let boris = s.add_user("boris", Role::Editor).await;
    for from in ["203.0.113.1", "203.0.113.2"] {
        for _ in 0..6 {
            login_from(&s, from, "boris", "wrong guess!").await;
        }
        assert_eq!(login_from(&s, from, "boris", PASSWORD).await.status(), 429);
    }
    // The owner resets boris's password in /admin/users…
    let cookie = s.session("anna").await;
    let csrf = s.csrf(&cookie).await;
    let res = s
        .post_form(
            &format!("/admin/users/{}/password", boris.id.unwrap()),
            &cookie,
            &[("password", "a brand new password"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 303);
    // …and boris signs in at once, from either address.
    for from in ["203.0.113.1", "203.0.113.2"] {
        let res = login_from(&s, from, "boris", "a brand new password").await;
        assert_eq!(res.status(), 303, "{from}");
    }
    // The CLI's reset is the same operation.
    for _ in 0..6 {
        login_from(&s, "203.0.113.1", "boris", "wrong guess!").await;
    }
    s.catalogue
        .accounts()
        .set_password(boris.id.unwrap(), PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        login_from(&s, "203.0.113.1", "boris", PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn curators_behind_one_proxy_are_not_locked_out_by_one_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _clock) = behind_proxy(&dir).await;
    for name in ["anna", "boris", "carl", "dora"] {
        s.add_user(name, Role::Editor).await;
    }
    // One curator's machine guesses a lot, at many accounts.
    let noisy = "10.1.0.66";
    let mut refused = 0;
    for i in 0..40 {
        let res = login_from(&s, noisy, &format!("guess{i}"), "wrong guess!").await;
        if res.status() == 429 {
            refused += 1;
        }
    }
    assert!(refused > 0, "one address across accounts is throttled too");
    // The others, behind the same proxy, sign in.
    for (i, name) in ["anna", "boris", "carl", "dora"].iter().enumerate() {
        let from = format!("10.1.0.{}", 10 + i);
        assert_eq!(
            login_from(&s, &from, name, PASSWORD).await.status(),
            303,
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_untrusted_peers_forwarded_for_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    // No trusted proxies: the header is anyone's to send, so it must not pick the address.
    let s = curators::start(
        &dir,
        Options {
            clock: Some(clock.clone()),
            ..Options::default()
        },
    )
    .await;
    s.add_user("anna", Role::Editor).await;
    for i in 0..3 {
        let from = format!("203.0.113.{i}");
        assert_eq!(
            login_from(&s, &from, "anna", "wrong guess!").await.status(),
            401
        );
    }
    // A fresh X-Forwarded-For does not escape the count of the real peer.
    let res = login_from(&s, "192.0.2.99", "anna", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert_eq!(retry_after(&res), 1);
}

#[tokio::test]
async fn a_session_survives_a_restart_on_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let cookie = {
        let s = start(&dir).await;
        s.add_user("anna", Role::Editor).await;
        let cookie = s.session("anna").await;
        s.catalogue.store().close().await;
        cookie
    };
    let s = start(&dir).await;
    let res = s.get("/admin/tokens", &cookie).await;
    assert_eq!(res.status(), 200, "the session outlived the first server");
}

#[tokio::test]
async fn signing_out_ends_one_session_and_everywhere_ends_all() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir).await;
    s.add_user("anna", Role::Viewer).await;
    let phone = s.session("anna").await;
    let laptop = s.session("anna").await;
    let desk = s.session("anna").await;
    assert_ne!(phone, laptop);

    let csrf = s.csrf(&phone).await;
    let res = s
        .post_form("/admin/logout", &phone, &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/admin/login");
    assert!(
        res.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(s.get("/admin/tokens", &phone).await.status(), 303);
    assert_eq!(s.get("/admin/tokens", &laptop).await.status(), 200);

    let csrf = s.csrf(&laptop).await;
    let res = s
        .post_form("/admin/logout-everywhere", &laptop, &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(s.get("/admin/tokens", &laptop).await.status(), 303);
    assert_eq!(s.get("/admin/tokens", &desk).await.status(), 303);
}

#[tokio::test]
async fn state_changing_requests_need_the_sessions_csrf_token_and_our_origin() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir).await;
    s.add_user("anna", Role::Editor).await;
    s.add_user("boris", Role::Editor).await;
    let cookie = s.session("anna").await;
    let csrf = s.csrf(&cookie).await;
    let other_csrf = s.csrf(&s.session("boris").await).await;
    assert_ne!(csrf, other_csrf, "tokens are per session");
    let form = |token: &'static str| vec![("label", "script"), ("scope", "read"), ("csrf", token)];
    let tokens = || async {
        s.accounts()
            .tokens(s.accounts().user_by_name("anna").await.unwrap().id.unwrap())
            .await
            .unwrap()
            .len()
    };

    // Missing and wrong tokens are refused with a page that says so; nothing is created.
    let res = s
        .post_form(
            "/admin/tokens",
            &cookie,
            &[("label", "script"), ("scope", "read")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("reload the page"));
    let res = s.post_form("/admin/tokens", &cookie, &form("0000")).await;
    assert_eq!(res.status(), 403);
    let res = s
        .post_form(
            "/admin/tokens",
            &cookie,
            &[
                ("label", "script"),
                ("scope", "read"),
                ("csrf", &other_csrf),
            ],
        )
        .await;
    assert_eq!(res.status(), 403, "another session's token");
    assert_eq!(tokens().await, 0);

    // The right token in the form, in the header or in the query is accepted.
    let ok = [
        ("label", "script"),
        ("scope", "read"),
        ("csrf", csrf.as_str()),
    ];
    assert_eq!(
        s.post_form("/admin/tokens", &cookie, &ok).await.status(),
        200
    );
    let res = s
        .client
        .post(s.url("/admin/tokens"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .form(&[("label", "script 2"), ("scope", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = s
        .client
        .post(s.url(&format!("/admin/tokens?csrf={csrf}")))
        .header("cookie", &cookie)
        .form(&[("label", "script 3"), ("scope", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(tokens().await, 3);

    // Cross-site requests are refused even with the right token.
    for (header, value) in [
        ("origin", "https://evil.example".to_owned()),
        ("origin", "null".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
    ] {
        let res = s
            .client
            .post(s.url("/admin/tokens"))
            .header("cookie", &cookie)
            .header(header, value.clone())
            .form(&ok)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{header}: {value}");
    }
    let same_origin = format!("http://{}", s.addr);
    let res = s
        .client
        .post(s.url("/admin/tokens"))
        .header("cookie", &cookie)
        .header("origin", same_origin)
        .header("sec-fetch-site", "same-origin")
        .form(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(tokens().await, 4);

    // The sign-in form is protected from other sites too.
    let res = s
        .client
        .post(s.url("/admin/login"))
        .header("origin", "https://evil.example")
        .form(&[("name", "anna"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// Creates a token through the page and returns it (shown once).
async fn new_token(s: &Server, cookie: &str, scope: &str) -> String {
    let csrf = s.csrf(cookie).await;
    let res = s
        .post_form(
            "/admin/tokens",
            cookie,
            &[("label", "backup"), ("scope", scope), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let marker = "class=\"admin-token\">";
    let at = html.find(marker).expect("the new token on the page") + marker.len();
    let token: String = html[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(token.len(), 67, "{token}");
    token
}

#[tokio::test]
async fn api_tokens_read_or_write_as_their_scope_says() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir).await;
    s.add_user("anna", Role::Owner).await;
    let cookie = s.session("anna").await;
    let read = new_token(&s, &cookie, "read").await;
    let write = new_token(&s, &cookie, "write").await;

    // Shown once, stored hashed.
    let listed = s.get("/admin/tokens", &cookie).await.text().await.unwrap();
    assert!(!listed.contains(&read) && !listed.contains(&write));
    let anna = s.accounts().user_by_name("anna").await.unwrap();
    let stored = s.accounts().tokens(anna.id.unwrap()).await.unwrap();
    assert!(stored.iter().all(|t| t.hash != read && t.hash.len() == 64));

    let bearer = |t: &str| format!("Bearer {t}");
    let get = |t: String| {
        s.client
            .get(s.url("/admin/users"))
            .header("authorization", bearer(&t))
            .send()
    };
    assert_eq!(get(read.clone()).await.unwrap().status(), 200);
    assert_eq!(get(write.clone()).await.unwrap().status(), 200);
    let add = |t: &str, name: &str| {
        s.client
            .post(s.url("/admin/users"))
            .header("authorization", bearer(t))
            .form(&[("name", name), ("role", "viewer"), ("password", PASSWORD)])
            .send()
    };
    // A read token changes nothing; a write token needs no CSRF token.
    assert_eq!(add(&read, "carl").await.unwrap().status(), 403);
    assert_eq!(add(&write, "dora").await.unwrap().status(), 303);
    assert!(s.accounts().user_by_name("carl").await.is_err());
    assert!(s.accounts().user_by_name("dora").await.is_ok());

    // Tokens cannot manage tokens.
    let res = s
        .client
        .get(s.url("/admin/tokens"))
        .header("authorization", bearer(&write))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // A wrong or revoked token is a 401 for a script, not a redirect to a form.
    let res = s
        .client
        .get(s.url("/admin/users"))
        .header("authorization", "Bearer vt_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let id = stored
        .iter()
        .find(|t| t.scope == vitrina_catalogue::TokenScope::Read)
        .unwrap()
        .id
        .unwrap();
    let csrf = s.csrf(&cookie).await;
    let res = s
        .post_form(
            &format!("/admin/tokens/{id}/revoke"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(get(read).await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_setup_link_creates_the_first_owner_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir).await;
    let token = s
        .catalogue
        .accounts()
        .setup_link_if_no_users()
        .await
        .unwrap()
        .unwrap();
    let path = format!("/admin/setup/{token}");
    assert_eq!(
        s.client.get(s.url(&path)).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        s.client
            .get(s.url(&format!("/admin/setup/{}", "0".repeat(64))))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let res = s
        .client
        .post(s.url(&path))
        .form(&[
            ("name", "anna"),
            ("password", PASSWORD),
            ("password_again", "something else"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("the two passwords differ")
    );

    let res = s
        .client
        .post(s.url(&path))
        .form(&[
            ("name", "anna"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = session_cookie(res.headers()).expect("signed in");
    assert_eq!(
        s.get("/admin/users", &cookie).await.status(),
        200,
        "an owner"
    );

    // Spent.
    assert_eq!(
        s.client.get(s.url(&path)).send().await.unwrap().status(),
        404
    );
    let res = s
        .client
        .post(s.url(&path))
        .form(&[
            ("name", "eve"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(s.accounts().user_count().await.unwrap(), 1);
    assert!(
        s.catalogue
            .accounts()
            .setup_link_if_no_users()
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn hostile_input_gets_a_clear_refusal_never_a_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir).await;
    s.add_user("anna", Role::Owner).await;
    let long = "я".repeat(20_000);
    let huge = "x".repeat(200_000);
    for (name, password) in [
        (long.as_str(), PASSWORD),
        ("anna", huge.as_str()),
        ("an\u{0}na", PASSWORD),
        ("", ""),
    ] {
        let res = s.login(name, password).await;
        assert_eq!(res.status(), 401, "{}", name.len());
    }
    // Fields missing, or not a form at all.
    let res = s
        .client
        .post(s.url("/admin/login"))
        .form(&[("name", "anna")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = s
        .client
        .post(s.url("/admin/login"))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    let cookie = s.session("anna").await;
    let csrf = s.csrf(&cookie).await;
    // Bad user records are refused field by field, and escaped when echoed.
    for (name, password) in [
        (long.as_str(), PASSWORD),
        ("<script>alert(1)</script>\n", PASSWORD),
        ("carl", "short"),
        ("carl", huge.as_str()),
    ] {
        let res = s
            .post_form(
                "/admin/users",
                &cookie,
                &[
                    ("name", name),
                    ("role", "viewer"),
                    ("password", password),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{}", &name[..name.len().min(20)]);
        let html = res.text().await.unwrap();
        assert!(!html.contains("<script>alert"), "escaped");
    }
    let res = s
        .post_form(
            "/admin/users",
            &cookie,
            &[
                ("name", "carl"),
                ("role", "emperor"),
                ("password", PASSWORD),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = s
        .post_form("/admin/users", &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(s.accounts().user_count().await.unwrap(), 1);

    // An oversized form is refused before anyone reads it whole.
    let big = "a".repeat(1_000_000);
    let res = s
        .post_form(
            "/admin/tokens",
            &cookie,
            &[("label", &big), ("scope", "read")],
        )
        .await;
    assert_eq!(res.status(), 413);
    let res = s
        .post_form(
            "/admin/tokens",
            &cookie,
            &[("label", &big), ("scope", "read"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 413);

    // Unknown ids are 404s; malformed ones are refused.
    let res = s
        .post_form(
            "/admin/users/999999/role",
            &cookie,
            &[("role", "viewer"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = s
        .post_form(
            "/admin/users/abc/role",
            &cookie,
            &[("role", "viewer"), ("csrf", &csrf)],
        )
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());

    // The last owner cannot be demoted or disabled.
    let anna = s.accounts().user_by_name("anna").await.unwrap().id.unwrap();
    let res = s
        .post_form(
            &format!("/admin/users/{anna}/role"),
            &cookie,
            &[("role", "viewer"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 409);
    let res = s
        .post_form(
            &format!("/admin/users/{anna}/disabled"),
            &cookie,
            &[("disabled", "true"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(s.accounts().user(anna).await.unwrap().role, Role::Owner);
}

#[tokio::test]
async fn sessions_slide_forward_when_used_and_end_when_they_expire() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir).await;
    let anna = s.add_user("anna", Role::Viewer).await;
    let now = time::OffsetDateTime::now_utc();
    let make = async |expires_at| {
        let id = secret::random_hex().unwrap();
        s.accounts()
            .create_session(&vitrina_storage::Session {
                id_hash: secret::digest(&id),
                user_id: anna.id.unwrap(),
                created_at: now - time::Duration::days(13),
                expires_at,
            })
            .await
            .unwrap();
        id
    };
    let fresh = make(now + vitrina_web::auth::SESSION_IDLE).await;
    let old = make(now + time::Duration::days(1)).await;
    let gone = make(now - time::Duration::minutes(1)).await;

    // A session used lately is not rewritten on every request.
    let res = s
        .get("/admin/tokens", &format!("vitrina_session={fresh}"))
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get(SET_COOKIE).is_none());

    // One last renewed long ago slides forward, in the database and in the browser.
    let res = s
        .get("/admin/tokens", &format!("vitrina_session={old}"))
        .await;
    assert_eq!(res.status(), 200);
    let set = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.starts_with(&format!("vitrina_session={old};")), "{set}");
    assert!(set.contains("Max-Age=1209600"), "{set}");
    let (stored, _) = s
        .accounts()
        .session(&secret::digest(&old), now)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.expires_at > now + time::Duration::days(13));

    // An expired session is no session.
    let res = s
        .get("/admin/tokens", &format!("vitrina_session={gone}"))
        .await;
    assert_eq!(res.status(), 303);
    // Nor is a cookie that was never issued, of any shape.
    for cookie in [
        "vitrina_session=",
        "vitrina_session=abc",
        &format!("vitrina_session={}", "0".repeat(64)),
        &format!("vitrina_session={}", "я".repeat(5000)),
    ] {
        let res = s.get("/admin/tokens", cookie).await;
        assert_eq!(res.status(), 303, "{}", &cookie[..cookie.len().min(40)]);
    }
}
