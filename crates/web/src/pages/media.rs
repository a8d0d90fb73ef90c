//! `GET /media/{*key}`: the demo illustrations (embedded) and the collection's own public media,
//! served through the [`vitrina_media::MediaStore`] (a local folder or any other store) as a
//! stream, never read whole. Which keys are public is the media crate's rule
//! ([`vitrina_media::is_public_key`]: never originals, the queue, failure notes, hidden files or
//! `..`). A content-addressed key (`photos/<sha256>/<name>`) is its own ETag and is cached for
//! good, so nothing is hashed per request. SVG is served with a policy that forbids scripts.

use crate::routes::{Access, Routes};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use vitrina_catalogue::Lang;
use vitrina_media::{content_hash_of_key, is_public_key};

use crate::assets::content_type;
use crate::cache::{etag_matches, etag_of};
use crate::error::PageError;
use crate::state::App;

const MEDIA_CSP: HeaderValue =
    HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'");
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const A_DAY: HeaderValue = HeaderValue::from_static("public, max-age=86400");

pub fn routes() -> Routes {
    Routes::new().get("/media/{*key}", Access::Public, media)
}

async fn media(
    State(app): State<App>,
    key: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let not_found = || PageError::not_found(Lang::En);
    let Ok(Path(key)) = key else {
        return Err(not_found());
    };
    if !is_public_key(&key) {
        return Err(not_found());
    }
    if let Some(data) = vitrina_operations::demo::media(&key) {
        let body = match data {
            std::borrow::Cow::Borrowed(b) => Bytes::from_static(b),
            std::borrow::Cow::Owned(v) => Bytes::from(v),
        };
        // embedded and small: hashed once per request is cheap, and they change with releases
        let etag = etag_of(&body);
        return Ok(answer(&key, Some(etag), A_DAY, &headers, || {
            (Body::from(body.clone()), Some(body.len() as u64))
        }));
    }
    // content-addressed: the key names the bytes, so it is the ETag and never goes stale
    let (etag, cache) = match content_hash_of_key(&key) {
        Some(hash) => {
            let name = key.rsplit('/').next().unwrap_or_default();
            (
                HeaderValue::from_str(&format!("\"{hash}-{name}\"")).ok(),
                IMMUTABLE,
            )
        }
        None => (None, A_DAY),
    };
    if let Some(etag) = &etag
        && headers
            .get(IF_NONE_MATCH)
            .is_some_and(|v| etag_matches(v, etag))
    {
        return Ok(answer(&key, Some(etag.clone()), cache, &headers, || {
            (Body::empty(), None)
        }));
    }
    let object = match app.media().store().open(&key).await {
        Ok(Some(object)) => object,
        Ok(None) => return Err(not_found()),
        Err(e) => {
            tracing::warn!(%key, error = %e, "could not open a media object");
            return Err(not_found());
        }
    };
    let len = object.len;
    let stream = tokio_util::io::ReaderStream::new(object.reader);
    Ok(answer(&key, etag, cache, &headers, move || {
        (Body::from_stream(stream), Some(len))
    }))
}

/// The response: 304 when `If-None-Match` matches `etag`, else the body `body` makes.
fn answer(
    key: &str,
    etag: Option<HeaderValue>,
    cache: HeaderValue,
    headers: &HeaderMap,
    body: impl FnOnce() -> (Body, Option<u64>),
) -> Response {
    let fresh = etag.as_ref().is_some_and(|etag| {
        headers
            .get(IF_NONE_MATCH)
            .is_some_and(|v| etag_matches(v, etag))
    });
    let mut res = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let (body, len) = body();
        let mut r = Response::new(body);
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type(key)));
        if let Some(len) = len {
            r.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(len));
        }
        r
    };
    let h = res.headers_mut();
    if let Some(etag) = etag {
        h.insert(ETAG, etag);
    }
    h.insert(CACHE_CONTROL, cache);
    h.insert(CONTENT_SECURITY_POLICY, MEDIA_CSP);
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn originals_queue_hidden_files_and_escapes_are_never_served() {
        for private in [
            "originals/ab12",
            "queue/ab12",
            "failed/ab12",
            "photos/ab12/.tmp-thumb.jpg",
            ".hidden",
            "../etc/passwd",
            "a/../../b",
            "/etc/passwd",
            "a\\b",
            "a\0b",
            "a//b",
            "./a",
            "a/.",
            "",
            // anything outside the public prefixes: imports waiting, backups, what comes next
            "imports/1/catalogue.csv",
            "backups/latest.zip",
            "photosx/a.jpg",
        ] {
            assert!(!is_public_key(private), "{private:?}");
        }
        for public in ["photos/ab12/thumb.jpg", "demo/mopr-obverse.svg"] {
            assert!(is_public_key(public), "{public}");
        }
    }

    #[test]
    fn only_content_addressed_keys_carry_their_hash() {
        let h = "a".repeat(64);
        assert_eq!(
            content_hash_of_key(&format!("photos/{h}/thumb.jpg")),
            Some(h.as_str())
        );
        assert_eq!(content_hash_of_key("photos/a.jpg"), None);
        assert_eq!(content_hash_of_key("demo/x.svg"), None);
        assert_eq!(content_hash_of_key(&format!("photos/{h}/a/b.jpg")), None);
    }
}
