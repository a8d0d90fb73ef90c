//! The whole site: each resource's `router()` merged, a 404 for everything else, and the
//! layers every response passes through (request id, tracing, compression, security headers,
//! error pages, panic catching).

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use vitrina_catalogue::Lang;

use crate::error::{ErrorMarker, PageError};
use crate::state::App;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Pages load only their own stylesheet, fonts, images and script files of ours (the search box
/// `assets/search.js`, the photo viewer `assets/viewer.js`, the curator's uploader
/// `assets/upload.js`), which may ask only this site: no inline script, no `eval`.
const PAGE_CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self'; \
     style-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'",
);

pub fn router(app: App) -> Router {
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, RequestIds::default()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get(X_REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = id)
        }))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(CompressionLayer::new().gzip(true).br(true).no_deflate().no_zstd())
        .layer(SetResponseHeaderLayer::if_not_present(CONTENT_SECURITY_POLICY, PAGE_CSP))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(middleware::from_fn_with_state(app.clone(), error_pages))
        .layer(CatchPanicLayer::custom(|_panic| {
            PageError::internal(Lang::En, "a handler panicked").into_response()
        }));
    let (routes, _) = crate::routes::all().into_parts();
    let routes = routes
        .fallback(not_found)
        // Credentials, CSRF and no-store for curator responses, in front of every route.
        .layer(middleware::from_fn_with_state(
            app.clone(),
            crate::auth::guard,
        ))
        .with_state(app);
    // `/ru/admin/…` is the workspace in Russian: its path is rewritten before routing, so
    // this wraps the router rather than being one of its layers (those run after routing).
    // The layers above stay outside it, seeing the address as the browser sent it.
    let localised = ServiceBuilder::new()
        .layer(middleware::from_fn(crate::admin::lang::language))
        .service(routes);
    Router::new().fallback_service(localised).layer(layers)
}

/// The language of a URL by its prefix.
pub(crate) fn lang_of(uri: &Uri) -> Lang {
    let p = uri.path();
    if p == "/ru" || p.starts_with("/ru/") {
        Lang::Ru
    } else {
        Lang::En
    }
}

async fn not_found(uri: Uri) -> PageError {
    PageError::not_found(lang_of(&uri))
}

/// Replaces the body of an error response with the site's error page in its language.
async fn error_pages(State(app): State<App>, req: Request, next: Next) -> Response {
    let lang = lang_of(req.uri());
    let api = req
        .uri()
        .path()
        .starts_with("/api/")
        .then(|| req.uri().path().to_owned());
    let res = next.run(req).await;
    if let Some(path) = api {
        return api_problems(&path, res);
    }
    let marker = res.extensions().get::<ErrorMarker>().copied();
    let Some(ErrorMarker {
        failure,
        lang: marker_lang,
    }) = marker
    else {
        return res;
    };
    // A handler that did not know the language (assets, media, panics) says English; the URL
    // knows better.
    let lang = if marker_lang == Lang::En {
        lang
    } else {
        marker_lang
    };
    let (mut parts, _) = res.into_parts();
    // The router (a service inside these layers) has sized the body it answered with.
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, Body::from(app.templates().error_page(lang, failure)))
}

/// Under `/api/`, an error that is not yet a problem document (an error page's marker, axum's
/// bare 405 or 413) becomes one.
fn api_problems(path: &str, res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return res;
    }
    if let Some(ErrorMarker { failure, .. }) = res.extensions().get::<ErrorMarker>().copied() {
        let code = match failure {
            crate::error::Failure::NotFound => "not-found",
            crate::error::Failure::BadRequest => "bad-request",
            crate::error::Failure::Forbidden => "forbidden",
            crate::error::Failure::Unavailable => "unavailable",
            crate::error::Failure::Internal => "internal",
        };
        return crate::problem::Problem::new(failure.status(), code).into_response();
    }
    // The route table knows the methods a path answers, whatever axum's 405 carries.
    let allow = crate::routes::allowed(path)
        .and_then(|a| HeaderValue::from_str(&a).ok())
        .or_else(|| res.headers().get(axum::http::header::ALLOW).cloned());
    match status {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            crate::problem::Problem::too_large("the body is too large").into_response()
        }
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            crate::problem::Problem::unsupported_media("this content type is not accepted here")
                .into_response()
        }
        _ => crate::api::api_fallback(status, allow.as_ref()),
    }
}

/// Request ids: a per-process random prefix and a counter, cheaper than a UUID per request
/// and still unique across restarts in the logs.
#[derive(Clone, Debug)]
struct RequestIds {
    prefix: u32,
    counter: std::sync::Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let prefix = (nanos as u32) ^ std::process::id().rotate_left(16);
        Self {
            prefix,
            counter: std::sync::Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:08x}-{n:x}", self.prefix);
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}
