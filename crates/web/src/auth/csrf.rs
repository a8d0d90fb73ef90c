//! Cross-site request forgery: every state-changing request (POST, PUT, PATCH, DELETE) made
//! with a session cookie must prove it came from one of our pages, by sending the session's
//! CSRF token in the `X-CSRF-Token` header, a `csrf` query parameter (for multipart uploads) or
//! a `csrf` field of a URL-encoded form. Requests made with an API token carry no ambient
//! credentials and skip the token check; a read-scoped token's state-changing requests are
//! refused here, whatever the route.
//!
//! Independently of the token, a state-changing request that a browser labels as coming from
//! another site (`Sec-Fetch-Site: cross-site` or `same-site`, or an `Origin` that is not this
//! host) is refused, signed in or not: this also protects the sign-in form itself.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use vitrina_catalogue::{Lang, TokenScope};

use super::{AuthVia, Resolved, secret};
use crate::error::PageError;

/// The header a script sends the token in.
pub const HEADER: &str = "x-csrf-token";
/// The form field and query parameter.
pub const FIELD: &str = "csrf";
/// The largest URL-encoded body read to find the token; curator forms are far smaller. A
/// larger form body is refused (413) rather than passed on unchecked.
pub const MAX_FORM_BODY: usize = 256 * 1024;

fn state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Checks a request; gives it back (its body intact) when it may go on.
pub(super) async fn check(req: Request, resolved: &Resolved) -> Result<Request, Response> {
    if !state_changing(req.method()) {
        return Ok(req);
    }
    let session_csrf = match resolved {
        // A read-scoped token may read anything its user may, and change nothing.
        Resolved::Curator(c)
            if c.via
                == (AuthVia::Token {
                    scope: TokenScope::Read,
                }) =>
        {
            return Err(PageError::forbidden(Lang::En).into_response());
        }
        Resolved::Curator(c) if matches!(c.via, AuthVia::Token { .. }) => return Ok(req),
        Resolved::Curator(c) => Some(c.csrf_token.clone()),
        _ => None,
    };
    if cross_site(req.headers()) {
        tracing::info!(uri = %req.uri(), "refused a cross-site state-changing request");
        return Err(PageError::forbidden(Lang::En).into_response());
    }
    let Some(expected) = session_csrf else {
        // Not signed in: nothing ambient to forge. The handler's extractor answers 401 or
        // redirects to the sign-in page.
        return Ok(req);
    };
    if let Some(sent) = req.headers().get(HEADER).and_then(|v| v.to_str().ok())
        && secret::same(sent, &expected)
    {
        return Ok(req);
    }
    if let Some(sent) = query_token(req.uri().query())
        && secret::same(&sent, &expected)
    {
        return Ok(req);
    }
    if !is_form(req.headers()) {
        return Err(refuse(&req));
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_FORM_BODY) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_FORM_BODY).await {
        Ok(b) => b,
        Err(_) => return Err(too_large()),
    };
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    let req = Request::from_parts(parts, Body::from(bytes));
    match sent {
        Some(sent) if secret::same(&sent, &expected) => Ok(req),
        _ => Err(refuse(&req)),
    }
}

fn refuse(req: &Request) -> Response {
    tracing::info!(uri = %req.uri(), "refused a state-changing request without a valid CSRF token");
    PageError::forbidden(Lang::En).into_response()
}

fn too_large() -> Response {
    (
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "The form is too large.",
    )
        .into_response()
}

fn query_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Whether the browser says the request comes from another site.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && matches!(site, "cross-site" | "same-site")
    {
        return true;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    if origin == "null" {
        return true;
    }
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    !origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        assert!(!cross_site(&headers(&[("host", "a.example")])));
        assert!(!cross_site(&headers(&[
            ("host", "a.example"),
            ("origin", "https://a.example"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(cross_site(&headers(&[
            ("host", "a.example"),
            ("origin", "https://evil.example"),
        ])));
        assert!(cross_site(&headers(&[
            ("host", "a.example"),
            ("origin", "null")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "a.example"),
            ("sec-fetch-site", "cross-site"),
        ])));
        assert!(cross_site(&headers(&[
            ("host", "a.example:8080"),
            ("origin", "http://a.example"),
        ])));
    }

    #[test]
    fn the_query_token_is_found() {
        assert_eq!(query_token(Some("a=1&csrf=xyz")), Some("xyz".into()));
        assert_eq!(query_token(Some("a=1")), None);
        assert_eq!(query_token(None), None);
    }
}
