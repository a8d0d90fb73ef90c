//! Accounts and access: who is signed in, what they may do, and the pages that sign people in
//! and manage users and API tokens.
//!
//! A request is a curator's when it carries either the `vitrina_session` cookie of a live
//! server-side session or an `Authorization: Bearer vt_…` API token. [`guard`] (one middleware
//! on the whole site) resolves that once per request, renews sliding sessions, marks curator
//! responses `no-store` and enforces CSRF ([`csrf`]); handlers then ask for a [`Curator`] (or a
//! [`MaybeCurator`]); a handler for editors or owners only takes an [`Editor`] or an [`Owner`]
//! instead, so its permission is in its signature.
//!
//! Anonymous HTML requests for a curator page are sent to `/admin/login?next=…`; anonymous
//! `/api/…` requests get a 401 in JSON.

mod client;
pub mod csrf;
mod login;
mod tokens;
mod users;

pub use client::TrustedProxies;
pub use vitrina_operations::accounts::SESSION_IDLE;
/// The secrets live with the account use cases; re-exported for the pages and tests.
pub use vitrina_operations::secret;

use crate::routes::{Access, Routes};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::ser::SerializeMap;
use vitrina_catalogue::{Lang, TokenScope, User};
use vitrina_operations::AccountError;

use crate::error::PageError;
use crate::state::App;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vitrina_session";

/// How a curator's request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    /// The session cookie of a signed-in browser.
    Session,
    /// An API token of this scope.
    Token { scope: TokenScope },
}

/// A signed-in user, as an extractor: handlers that take one are curator-only.
///
/// Serialized (for templates) as `{name, role, can_edit, can_manage_users}`.
#[derive(Debug, Clone)]
pub struct Curator {
    /// The user, with its id.
    pub user: User,
    /// The CSRF token forms of this session must send (field `csrf`, header `X-CSRF-Token` or
    /// query parameter `csrf`); empty for API tokens, which need none.
    pub csrf_token: String,
    pub via: AuthVia,
    /// The workspace's language and this page's address (`/ru/admin/…` is Russian).
    pub workspace: crate::admin::lang::Workspace,
}

impl Curator {
    /// Whether this request may change the catalogue: an owner or editor, and not through a
    /// read-only token.
    pub fn can_edit(&self) -> bool {
        self.user.role.can_edit() && self.may_write()
    }

    /// Whether private fields (provenance, price…) may be shown: every signed-in role.
    pub fn sees_private(&self) -> bool {
        self.user.role.sees_private()
    }

    /// The user's id (always set for a signed-in user).
    pub fn user_id(&self) -> vitrina_catalogue::UserId {
        self.user.id.unwrap_or(vitrina_catalogue::UserId::new(0))
    }

    fn may_write(&self) -> bool {
        match self.via {
            AuthVia::Session => true,
            AuthVia::Token { scope } => scope == TokenScope::Write,
        }
    }
}

impl Serialize for Curator {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("name", &self.user.name)?;
        m.serialize_entry("role", self.user.role.as_str())?;
        m.serialize_entry("can_edit", &self.can_edit())?;
        m.serialize_entry("can_manage_users", &self.user.role.can_manage_users())?;
        m.end()
    }
}

/// A curator who may change the catalogue (an owner or editor, not through a read-only
/// token), as an extractor: a handler that takes one is for editors, by its signature.
/// Anonymous callers are answered as for [`Curator`]; other curators get a 403 (the error page,
/// or a problem for `/api/` and bearer clients).
#[derive(Debug, Clone)]
pub struct Editor(pub Curator);

/// An owner, as an extractor: a handler that takes one is the owner's, by its signature. (A
/// read-scoped token of an owner may read the owner's pages; the guard refuses every
/// state-changing request made with it.)
#[derive(Debug, Clone)]
pub struct Owner(pub Curator);

impl FromRequestParts<App> for Editor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let curator = <Curator as FromRequestParts<App>>::from_request_parts(parts, app).await?;
        if curator.can_edit() {
            Ok(Editor(curator))
        } else {
            Err(forbidden(parts, "you may not change the catalogue"))
        }
    }
}

impl FromRequestParts<App> for Owner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let curator = <Curator as FromRequestParts<App>>::from_request_parts(parts, app).await?;
        if curator.user.role.can_manage_users() {
            Ok(Owner(curator))
        } else {
            Err(forbidden(parts, "only an owner may do this"))
        }
    }
}

/// The answer to a signed-in curator whose role does not allow the route: a problem for the
/// API and scripts, the error page otherwise.
fn forbidden(parts: &Parts, detail: &str) -> Response {
    let path = parts.uri.path();
    let mut res =
        if parts.headers.contains_key(AUTHORIZATION) || path == "/api" || path.starts_with("/api/")
        {
            crate::problem::Problem::forbidden(detail).into_response()
        } else {
            PageError::forbidden(Lang::En).into_response()
        };
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A signed-in user if there is one, for pages that show more to curators.
#[derive(Debug, Clone)]
pub struct MaybeCurator(pub Option<Curator>);

/// What the guard found out about a request, left in its extensions.
#[derive(Debug, Clone)]
enum Resolved {
    Curator(Curator),
    /// Credentials were sent but are not valid (expired session, revoked token, disabled user).
    Invalid,
    Anonymous,
}

impl FromRequestParts<App> for Curator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match resolved(parts, app).await {
            Resolved::Curator(c) => Ok(c),
            Resolved::Invalid | Resolved::Anonymous => Err(unauthenticated(parts)),
        }
    }
}

impl FromRequestParts<App> for MaybeCurator {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(MaybeCurator(match resolved(parts, app).await {
            Resolved::Curator(c) => Some(c),
            _ => None,
        }))
    }
}

impl OptionalFromRequestParts<App> for Curator {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &App,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(match resolved(parts, app).await {
            Resolved::Curator(c) => Some(c),
            _ => None,
        })
    }
}

/// The guard's answer when it ran, else resolves the credentials now.
async fn resolved(parts: &mut Parts, app: &App) -> Resolved {
    let r = match parts.extensions.get::<Resolved>() {
        Some(r) => r.clone(),
        None => {
            let (r, _) = resolve(&parts.headers, app).await;
            parts.extensions.insert(r.clone());
            r
        }
    };
    match r {
        Resolved::Curator(mut c) => {
            c.workspace = crate::admin::lang::of(parts);
            Resolved::Curator(c)
        }
        other => other,
    }
}

/// The answer to a request that needs a curator and has none: a 401 in JSON for the API, a
/// redirect to the sign-in page (coming back here afterwards) for pages.
fn unauthenticated(parts: &Parts) -> Response {
    let path = parts.uri.path();
    let script = parts.headers.contains_key(AUTHORIZATION);
    if script || path == "/api" || path.starts_with("/api/") {
        return crate::problem::Problem::unauthenticated().into_response();
    }
    let next = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/admin");
    let location = format!(
        "/admin/login?next={}",
        utf8_percent_encode(next, NON_ALPHANUMERIC)
    );
    see_other(&location)
}

/// A 303 to a local path.
pub(crate) fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(LOCATION, v);
    }
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The value of cookie `name`, if the request sent it.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request came over HTTPS (directly or through a proxy that says so).
pub(crate) fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').next().unwrap_or("").trim() == "https")
}

/// The `Set-Cookie` value of a session cookie (or, with `None`, of its removal).
pub(crate) fn session_cookie(id: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = match id {
        Some(id) => format!(
            "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            SESSION_IDLE.whole_seconds()
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static(""))
}

/// What the credentials of a request are worth, and (for a session due for renewal) the
/// session id whose cookie should be sent again.
async fn resolve(headers: &HeaderMap, app: &App) -> (Resolved, Option<String>) {
    let accounts = app.catalogue().accounts();
    if let Some(auth) = headers.get(AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return (Resolved::Invalid, None);
        };
        return match accounts.bearer(token).await {
            Ok(Some((user, scope))) => (
                Resolved::Curator(Curator {
                    user,
                    csrf_token: String::new(),
                    via: AuthVia::Token { scope },
                    workspace: Default::default(),
                }),
                None,
            ),
            Ok(None) => (Resolved::Invalid, None),
            Err(e) => {
                tracing::warn!(error = %e, "could not check an API token");
                (Resolved::Invalid, None)
            }
        };
    }
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return (Resolved::Anonymous, None);
    };
    match accounts.session(id).await {
        Ok(Some(found)) => (
            Resolved::Curator(Curator {
                user: found.user,
                csrf_token: secret::csrf_token(id),
                via: AuthVia::Session,
                workspace: Default::default(),
            }),
            found.renewed.then(|| id.to_owned()),
        ),
        Ok(None) if id.len() != 64 => (Resolved::Anonymous, None),
        Ok(None) => (Resolved::Invalid, None),
        Err(e) => {
            tracing::warn!(error = %e, "could not check a session");
            (Resolved::Invalid, None)
        }
    }
}

/// The middleware in front of every route: resolves credentials once, enforces CSRF on
/// state-changing requests, renews sliding sessions and keeps curator responses out of every
/// cache.
pub async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/assets/") {
        return next.run(req).await;
    }
    let admin = path == "/admin" || path.starts_with("/admin/");
    let api = path.starts_with("/api/");
    let bearer = req.headers().contains_key(AUTHORIZATION);
    let has_credentials = bearer || cookie(req.headers(), SESSION_COOKIE).is_some();
    // Guessing tokens: an address that failed too often waits before any token is looked up.
    let client = bearer
        .then(|| client_addr(&app, req.extensions(), req.headers()))
        .flatten();
    if let Some(addr) = client
        && let Some(retry) = app.auth_failures().waiting(addr)
    {
        return crate::problem::Problem::rate_limited(retry).into_response();
    }
    let (resolved, renew) = if has_credentials {
        resolve(req.headers(), &app).await
    } else {
        (Resolved::Anonymous, None)
    };
    if let (Some(addr), Resolved::Invalid) = (client, &resolved)
        && let Some(retry) = app.auth_failures().failed(addr)
    {
        tracing::warn!(client = %addr, "too many failed authentications; the address waits");
        return crate::problem::Problem::rate_limited(retry).into_response();
    }
    let secure = is_https(req.headers());
    let curator = matches!(resolved, Resolved::Curator(_));
    let req = match csrf::check(req, &resolved).await {
        Ok(req) => req,
        Err(res) => return res,
    };
    let mut req = req;
    req.extensions_mut().insert(resolved);
    let mut res = next.run(req).await;
    if let Some(id) = renew
        && !res.headers().contains_key(SET_COOKIE)
    {
        res.headers_mut()
            .append(SET_COOKIE, session_cookie(Some(&id), secure));
    }
    if admin || curator {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // The API's ETags are the records' versions, which a curator's write sends back in
        // If-Match; the pages' are only for caches, which curator pages never enter.
        if !api {
            res.headers_mut().remove(axum::http::header::ETAG);
        }
    }
    res
}

/// The client's address, when the server was started with connection info: the peer's, or the
/// one a trusted proxy names in `X-Forwarded-For` ([`TrustedProxies`]).
pub(crate) fn client_addr(
    app: &App,
    ext: &axum::http::Extensions,
    headers: &HeaderMap,
) -> Option<std::net::IpAddr> {
    let peer = ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())?;
    Some(app.settings().trusted_proxies.client(peer, headers))
}

/// Renders a curator page: `template` (which extends `admin_base.html`) with `page`'s fields
/// plus `csrf`, `curator` and `admin_css`, sent `no-store`.
pub fn render_admin<S: Serialize>(
    app: &App,
    curator: &Curator,
    template: &str,
    page: S,
) -> Result<Response, PageError> {
    render_status(app, curator, template, page, StatusCode::OK)
}

pub(crate) fn render_status<S: Serialize>(
    app: &App,
    curator: &Curator,
    template: &str,
    page: S,
    status: StatusCode,
) -> Result<Response, PageError> {
    let ctx = minijinja::value::merge_maps([
        minijinja::context! {
            csrf => curator.csrf_token.clone(),
            curator => minijinja::Value::from(minijinja::value::Serde(curator)),
            admin_css => admin_css(app),
        },
        minijinja::Value::from(minijinja::value::Serde(&page)),
        minijinja::Value::from(minijinja::value::Serde(curator.workspace.context())),
    ]);
    let html = app
        .templates()
        .render(template, ctx)
        .map_err(|e| PageError::internal(Lang::En, format!("{e:#}")))?;
    Ok(html_response(status, html))
}

/// Renders a workspace page nobody is signed in to (sign-in, set-up) in the request's
/// language.
pub(crate) fn render_anonymous<S: Serialize>(
    app: &App,
    workspace: &crate::admin::lang::Workspace,
    template: &str,
    page: S,
    status: StatusCode,
) -> Result<Response, PageError> {
    let ctx = minijinja::value::merge_maps([
        minijinja::Value::from(minijinja::value::Serde(&page)),
        minijinja::Value::from(minijinja::value::Serde(workspace.context())),
    ]);
    let html = app
        .templates()
        .render(template, ctx)
        .map_err(|e| PageError::internal(workspace.lang, format!("{e:#}")))?;
    Ok(html_response(status, html))
}

/// The fingerprinted URL of the curator stylesheet.
pub(crate) fn admin_css(app: &App) -> String {
    app.assets()
        .url("admin.css")
        .unwrap_or("/admin/admin.css")
        .to_owned()
}

pub(crate) fn html_response(status: StatusCode, html: String) -> Response {
    let mut res = (status, html).into_response();
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The sign-in, set-up, users and tokens pages; `/admin` itself leads to the types.
pub fn routes() -> Routes {
    Routes::new()
        .get("/admin", Access::Curator, |_: Curator| async {
            see_other("/admin/types")
        })
        .merge(login::routes())
        .merge(users::routes())
        .merge(tokens::routes())
}

/// An account use case's error as a page: unknown records are 404s, refusals 403s, and
/// anything else a server error (logged, never shown).
pub(crate) fn page_error(e: AccountError) -> PageError {
    match e {
        AccountError::NotFound(_) => PageError::not_found(Lang::En),
        AccountError::Forbidden(_) => PageError::forbidden(Lang::En),
        AccountError::Invalid(_) | AccountError::Conflict(_) => PageError::bad_request(Lang::En),
        e => PageError::internal(Lang::En, e),
    }
}
