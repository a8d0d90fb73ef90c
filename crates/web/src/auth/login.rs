//! Signing in and out, and the one-time set-up link that creates the first owner. The rules
//! (throttling per account and address with growing delays, the same "wrong name or password"
//! whether the name exists or not) are in [`vitrina_operations::accounts`]; these handlers read
//! the form, call one operation and answer.

use crate::routes::{Access, Routes};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, RETRY_AFTER, SET_COOKIE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use vitrina_catalogue::Lang;
use vitrina_operations::AccountError;

use super::{
    Curator, MaybeCurator, SESSION_COOKIE, admin_css, cookie, is_https, page_error,
    render_anonymous, see_other, session_cookie,
};
use crate::admin::lang::{Workspace, message, tr, trf};
use crate::error::PageError;
use crate::problem::Problem;
use crate::state::App;

const WRONG: &str = "Wrong name or password.";

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/login", Access::Public, login_page)
        .post("/admin/login", Access::Public, login)
        .post("/admin/logout", Access::Curator, logout)
        .post(
            "/admin/logout-everywhere",
            Access::Curator,
            logout_everywhere,
        )
        .get("/admin/setup/{token}", Access::Public, setup_page)
        .post("/admin/setup/{token}", Access::Public, setup)
        .get("/admin/admin.css", Access::Public, stylesheet)
}

#[derive(Debug, Default, Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Default, Deserialize)]
struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Serialize)]
struct LoginPage<'a> {
    admin_css: String,
    title: &'static str,
    name: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

/// A local path to go to after signing in; anything else (another site, `//host`) becomes
/// `/admin`.
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if local && next.len() <= 2000 {
        next
    } else {
        "/admin"
    }
}

fn render_login(
    app: &App,
    ws: &Workspace,
    status: StatusCode,
    name: &str,
    next: &str,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let page = LoginPage {
        admin_css: admin_css(app),
        title: tr(ws.lang, "Sign in"),
        name,
        next: safe_next(next),
        error,
    };
    render_anonymous(app, ws, "login.html", page, status)
}

async fn login_page(
    State(app): State<App>,
    ws: Workspace,
    MaybeCurator(curator): MaybeCurator,
    query: Result<axum::extract::Query<NextQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let next = query.map(|q| q.0.next).unwrap_or_default();
    if curator.is_some() {
        return Ok(see_other(safe_next(&next)));
    }
    render_login(&app, &ws, StatusCode::OK, "", &next, None)
}

/// Whether the client asked for JSON (a script), so refusals are problem details.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") || v.contains("application/problem+json"))
}

async fn login(
    State(app): State<App>,
    ws: Workspace,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return render_login(
            &app,
            &ws,
            StatusCode::BAD_REQUEST,
            "",
            "",
            Some(tr(ws.lang, WRONG)),
        );
    };
    let client = super::client_addr(&app, &ext, &headers);
    let name: String = form.name.chars().take(100).collect();
    let json = wants_json(&headers);
    match app
        .catalogue()
        .accounts()
        .sign_in(&form.name, &form.password, client)
        .await
    {
        Ok(signed) => {
            let mut res = see_other(safe_next(&form.next));
            res.headers_mut().append(
                SET_COOKIE,
                session_cookie(Some(&signed.session_id), is_https(&headers)),
            );
            Ok(res)
        }
        Err(AccountError::RateLimited { retry_after }) if json => {
            Ok(Problem::rate_limited(retry_after).into_response())
        }
        Err(AccountError::RateLimited { retry_after }) => {
            let message = throttled_message(ws.lang, retry_after);
            let mut res = render_login(
                &app,
                &ws,
                StatusCode::TOO_MANY_REQUESTS,
                &name,
                &form.next,
                Some(&message),
            )?;
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(res)
        }
        Err(AccountError::Unauthenticated) if json => {
            Ok(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated")
                .detail(WRONG)
                .into_response())
        }
        Err(AccountError::Unauthenticated) => render_login(
            &app,
            &ws,
            StatusCode::UNAUTHORIZED,
            &name,
            &form.next,
            Some(tr(ws.lang, WRONG)),
        ),
        Err(e) => Err(page_error(e)),
    }
}

/// What the form says while sign-in is throttled.
fn throttled_message(lang: Lang, retry_after: u64) -> String {
    let wait = if retry_after < 120 {
        trf(lang, "{n} seconds", &[("n", &retry_after.to_string())])
    } else {
        trf(
            lang,
            "{n} minutes",
            &[("n", &retry_after.div_ceil(60).to_string())],
        )
    };
    trf(
        lang,
        "Too many failed sign-ins. Wait {wait} before trying again, or ask the owner to reset your password.",
        &[("wait", &wait)],
    )
}

async fn logout(
    State(app): State<App>,
    headers: HeaderMap,
    _curator: Curator,
) -> Result<Response, PageError> {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        app.catalogue()
            .accounts()
            .sign_out(id)
            .await
            .map_err(page_error)?;
    }
    Ok(signed_out(&headers))
}

async fn logout_everywhere(
    State(app): State<App>,
    headers: HeaderMap,
    curator: Curator,
) -> Result<Response, PageError> {
    let n = app
        .catalogue()
        .accounts()
        .sign_out_everywhere(curator.user_id())
        .await
        .map_err(page_error)?;
    tracing::info!(user = %curator.user.name, sessions = n, "signed out everywhere");
    Ok(signed_out(&headers))
}

fn signed_out(headers: &HeaderMap) -> Response {
    let mut res = see_other("/admin/login");
    res.headers_mut()
        .append(SET_COOKIE, session_cookie(None, is_https(headers)));
    res
}

#[derive(Debug, Default, Deserialize)]
struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Debug, Serialize)]
struct SetupPage<'a> {
    admin_css: String,
    title: &'static str,
    action: String,
    name: &'a str,
    errors: Vec<(String, String)>,
}

fn render_setup(
    app: &App,
    ws: &Workspace,
    status: StatusCode,
    token: &str,
    name: &str,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let page = SetupPage {
        admin_css: admin_css(app),
        title: tr(ws.lang, "Create the owner"),
        action: format!("{}/setup/{token}", ws.root()),
        name,
        errors,
    };
    render_anonymous(app, ws, "setup.html", page, status)
}

async fn setup_page(
    State(app): State<App>,
    ws: Workspace,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let valid = app
        .catalogue()
        .accounts()
        .setup_link_valid(&token)
        .await
        .map_err(page_error)?;
    if !valid {
        return Err(PageError::not_found(Lang::En));
    }
    render_setup(&app, &ws, StatusCode::OK, &token, "", Vec::new())
}

async fn setup(
    State(app): State<App>,
    ws: Workspace,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<SetupForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    match app
        .catalogue()
        .accounts()
        .redeem_setup_link(&token, &form.name, &form.password, &form.password_again)
        .await
    {
        Ok(signed) => {
            let mut res = see_other("/admin");
            res.headers_mut().append(
                SET_COOKIE,
                session_cookie(Some(&signed.session_id), is_https(&headers)),
            );
            Ok(res)
        }
        Err(AccountError::Invalid(errors)) => {
            let name: String = form.name.chars().take(100).collect();
            let errors: Vec<(String, String)> =
                errors.0.into_iter().map(|e| (e.field, e.message)).collect();
            let errors = errors
                .into_iter()
                .map(|(f, m): (String, String)| (f, message(ws.lang, &m)))
                .collect();
            render_setup(
                &app,
                &ws,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                &name,
                errors,
            )
        }
        Err(e) => Err(page_error(e)),
    }
}

/// The curator stylesheet under a plain name, for templates rendered without `admin_css`.
async fn stylesheet(State(app): State<App>, headers: HeaderMap) -> Response {
    let url = admin_css(&app);
    let Some(asset) = url
        .strip_prefix("/assets/")
        .and_then(|n| app.assets().get(n))
    else {
        return PageError::not_found(Lang::En).into_response();
    };
    let etag = HeaderValue::from_str(&asset.etag).unwrap_or(HeaderValue::from_static("\"0\""));
    if headers
        .get(IF_NONE_MATCH)
        .is_some_and(|v| crate::cache::etag_matches(v, &etag))
    {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(ETAG, etag);
        return res;
    }
    let mut res = asset.body.clone().into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res.headers_mut().insert(ETAG, etag);
    res
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/admin/types?x=1"), "/admin/types?x=1");
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "admin",
        ] {
            assert_eq!(safe_next(bad), "/admin", "{bad:?}");
        }
    }
}
