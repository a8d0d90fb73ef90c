//! `GET /assets/{name}`: the embedded CSS and fonts, under fingerprinted names, cached for a
//! year.

use crate::routes::{Access, Routes};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use vitrina_catalogue::Lang;

use crate::cache::etag_matches;
use crate::error::PageError;
use crate::state::App;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

pub fn routes() -> Routes {
    Routes::new().get("/assets/{*name}", Access::Public, asset)
}

async fn asset(
    State(app): State<App>,
    name: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Ok(Path(name)) = name else {
        return Err(PageError::not_found(Lang::En));
    };
    let Some(asset) = app.assets().get(&name) else {
        return Err(PageError::not_found(Lang::En));
    };
    let etag = HeaderValue::from_str(&asset.etag).map_err(|e| PageError::internal(Lang::En, e))?;
    let fresh = headers
        .get(IF_NONE_MATCH)
        .is_some_and(|v| etag_matches(v, &etag));
    let mut res = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(asset.body.clone()));
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        r
    };
    res.headers_mut().insert(ETAG, etag);
    res.headers_mut().insert(CACHE_CONTROL, IMMUTABLE);
    Ok(res)
}
