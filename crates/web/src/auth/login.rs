//! Signing in and out, and the one-time set-up link that creates the first owner.
//!
//! Sign-in failures are counted in storage per account and per client address; after
//! [`MAX_FAILURES_PER_ACCOUNT`] (or [`MAX_FAILURES_PER_ADDRESS`]) within
//! [`THROTTLE_WINDOW`] the form answers 429 until the window has passed. Every refusal says the
//! same "wrong name or password", whether the name exists or not.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use vitrina_catalogue::{Lang, Role, User, check_user_name};
use vitrina_storage::{Session, StorageError};

use super::secret::{self, MAX_PASSWORD};
use super::{
    Curator, MaybeCurator, SESSION_COOKIE, SESSION_IDLE, accounts, admin_css, cookie,
    html_response, is_https, see_other, session_cookie,
};
use crate::error::PageError;
use crate::state::App;

/// Failed sign-ins per account, and per client address, within [`THROTTLE_WINDOW`], after
/// which sign-in is refused for the rest of the window.
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// How long a set-up link stays valid.
pub const SETUP_VALID_FOR: Duration = Duration::hours(24);

const WRONG: &str = "Wrong name or password.";
const THROTTLED: &str = "Too many failed sign-ins. Wait 15 minutes before trying again, or ask the owner to reset your password.";

pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/logout-everywhere", post(logout_everywhere))
        .route("/admin/setup/{token}", get(setup_page).post(setup))
        .route("/admin/admin.css", get(stylesheet))
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
    error: Option<&'static str>,
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
    status: StatusCode,
    name: &str,
    next: &str,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let page = LoginPage {
        admin_css: admin_css(app),
        title: "Sign in",
        name,
        next: safe_next(next),
        error,
    };
    let html = app
        .templates()
        .render("login.html", page)
        .map_err(|e| PageError::internal(Lang::En, format!("{e:#}")))?;
    Ok(html_response(status, html))
}

async fn login_page(
    State(app): State<App>,
    MaybeCurator(curator): MaybeCurator,
    query: Result<axum::extract::Query<NextQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let next = query.map(|q| q.0.next).unwrap_or_default();
    if curator.is_some() {
        return Ok(see_other(safe_next(&next)));
    }
    render_login(&app, StatusCode::OK, "", &next, None)
}

async fn login(
    State(app): State<App>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return render_login(&app, StatusCode::BAD_REQUEST, "", "", Some(WRONG));
    };
    let store = accounts(&app);
    let now = OffsetDateTime::now_utc();
    let since = now - THROTTLE_WINDOW;
    // Keep what is echoed back and used as a key small, whatever was sent.
    let name: String = form.name.chars().take(100).collect();
    let account_key = format!("user:{}", name.to_lowercase());
    let address_key = super::client_addr(&ext).map(|ip| format!("addr:{ip}"));
    let storage = |e: StorageError| PageError::internal(Lang::En, e);

    let mut throttled = store
        .login_failures(&account_key, since)
        .await
        .map_err(storage)?
        >= MAX_FAILURES_PER_ACCOUNT;
    if let Some(key) = &address_key {
        throttled |=
            store.login_failures(key, since).await.map_err(storage)? >= MAX_FAILURES_PER_ADDRESS;
    }
    if throttled {
        tracing::warn!(account = %name, "sign-in refused: too many failures");
        return render_login(
            &app,
            StatusCode::TOO_MANY_REQUESTS,
            &name,
            &form.next,
            Some(THROTTLED),
        );
    }

    let plausible = check_user_name(&form.name).is_ok()
        && !form.password.is_empty()
        && form.password.len() <= MAX_PASSWORD;
    let user = if plausible {
        match store.user_by_name(&form.name).await {
            Ok(u) => Some(u),
            Err(StorageError::NotFound { .. }) => None,
            Err(e) => return Err(storage(e)),
        }
    } else {
        None
    };
    let hash = match &user {
        Some(u) => match u.id {
            Some(id) => Some(store.password_hash(id).await.map_err(storage)?),
            None => None,
        },
        None => None,
    };
    let ok = plausible && secret::verify_password(form.password.clone(), hash).await;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            store
                .record_login_failure(&account_key, now)
                .await
                .map_err(storage)?;
            if let Some(key) = &address_key {
                store
                    .record_login_failure(key, now)
                    .await
                    .map_err(storage)?;
            }
            tracing::info!(account = %name, "sign-in failed");
            return render_login(
                &app,
                StatusCode::UNAUTHORIZED,
                &name,
                &form.next,
                Some(WRONG),
            );
        }
    };
    store
        .clear_login_failures(&account_key)
        .await
        .map_err(storage)?;
    // Housekeeping at a quiet moment: sessions that ran out are of no use to anyone.
    if let Err(e) = store.delete_expired_sessions(now).await {
        tracing::warn!(error = %e, "could not delete expired sessions");
    }
    let id = start_session(&app, &user, now).await?;
    tracing::info!(user = %user.name, "signed in");
    let mut res = see_other(safe_next(&form.next));
    res.headers_mut()
        .append(SET_COOKIE, session_cookie(Some(&id), is_https(&headers)));
    Ok(res)
}

/// Creates a session for `user`; returns its id (for the cookie).
async fn start_session(app: &App, user: &User, now: OffsetDateTime) -> Result<String, PageError> {
    let user_id = user
        .id
        .ok_or_else(|| PageError::internal(Lang::En, "a stored user without an id"))?;
    let id = secret::random_hex().map_err(|e| PageError::internal(Lang::En, e))?;
    let session = Session {
        id_hash: secret::digest(&id),
        user_id,
        created_at: now,
        expires_at: now + SESSION_IDLE,
    };
    accounts(app)
        .create_session(&session)
        .await
        .map_err(|e| PageError::internal(Lang::En, e))?;
    Ok(id)
}

async fn logout(
    State(app): State<App>,
    headers: HeaderMap,
    _curator: Curator,
) -> Result<Response, PageError> {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        accounts(&app)
            .delete_session(&secret::digest(id))
            .await
            .map_err(|e| PageError::internal(Lang::En, e))?;
    }
    Ok(signed_out(&headers))
}

async fn logout_everywhere(
    State(app): State<App>,
    headers: HeaderMap,
    curator: Curator,
) -> Result<Response, PageError> {
    let n = accounts(&app)
        .delete_user_sessions(curator.user_id())
        .await
        .map_err(|e| PageError::internal(Lang::En, e))?;
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
    errors: Vec<(&'static str, &'static str)>,
}

fn render_setup(
    app: &App,
    status: StatusCode,
    token: &str,
    name: &str,
    errors: Vec<(&'static str, &'static str)>,
) -> Result<Response, PageError> {
    let page = SetupPage {
        admin_css: admin_css(app),
        title: "Create the owner",
        action: format!("/admin/setup/{token}"),
        name,
        errors,
    };
    let html = app
        .templates()
        .render("setup.html", page)
        .map_err(|e| PageError::internal(Lang::En, format!("{e:#}")))?;
    Ok(html_response(status, html))
}

fn plausible_setup_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn setup_page(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let valid = plausible_setup_token(&token)
        && accounts(&app)
            .setup_token_valid(&secret::digest(&token), OffsetDateTime::now_utc())
            .await
            .map_err(|e| PageError::internal(Lang::En, e))?;
    if !valid {
        return Err(PageError::not_found(Lang::En));
    }
    render_setup(&app, StatusCode::OK, &token, "", Vec::new())
}

async fn setup(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<SetupForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    if !plausible_setup_token(&token) {
        return Err(PageError::not_found(Lang::En));
    }
    let Ok(Form(form)) = form else {
        return Err(PageError::bad_request(Lang::En));
    };
    let mut errors = Vec::new();
    if let Err(m) = check_user_name(&form.name) {
        errors.push(("name", m));
    }
    if let Err(m) = secret::check_new_password(&form.password) {
        errors.push(("password", m));
    } else if form.password != form.password_again {
        errors.push(("password_again", "the two passwords differ"));
    }
    let name: String = form.name.chars().take(100).collect();
    if !errors.is_empty() {
        return render_setup(
            &app,
            StatusCode::UNPROCESSABLE_ENTITY,
            &token,
            &name,
            errors,
        );
    }
    let hash = secret::hash_password(form.password)
        .await
        .map_err(|e| PageError::internal(Lang::En, e))?;
    let now = OffsetDateTime::now_utc();
    let user = User::new(form.name, Role::Owner);
    let user = match accounts(&app)
        .redeem_setup_token(&secret::digest(&token), now, &user, &hash)
        .await
    {
        Ok(u) => u,
        Err(StorageError::NotFound { .. } | StorageError::Conflict(_)) => {
            return Err(PageError::not_found(Lang::En));
        }
        Err(e) => return Err(PageError::internal(Lang::En, e)),
    };
    tracing::warn!(user = %user.name, "the first owner was created through the set-up link");
    let id = start_session(&app, &user, now).await?;
    let mut res = see_other("/admin");
    res.headers_mut()
        .append(SET_COOKIE, session_cookie(Some(&id), is_https(&headers)));
    Ok(res)
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

/// Creates a set-up token when the instance has no users; returns it (for the log).
pub async fn setup_token_if_no_users(
    store: &dyn vitrina_storage::AccountStore,
) -> Result<Option<String>, StorageError> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let token = secret::random_hex().map_err(|e| StorageError::Backend(Box::new(e)))?;
    store
        .put_setup_token(
            &secret::digest(&token),
            OffsetDateTime::now_utc() + SETUP_VALID_FOR,
        )
        .await?;
    Ok(Some(token))
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
