//! `GET /media/{*key}`: the demo illustrations (embedded) and the collection's own media (from
//! `media_dir`). Keys are checked before they touch the file system: no `..`, no absolute
//! paths, no backslashes, no NUL. SVG is served with a policy that forbids scripts in it.

use std::path::{Component, Path as FsPath, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use vitrina_catalogue::Lang;

use vitrina_media::is_private_key;

use crate::assets::content_type;
use crate::cache::{etag_matches, etag_of};
use crate::error::PageError;
use crate::state::App;

const MEDIA_CSP: HeaderValue =
    HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'");

pub fn router() -> Router<App> {
    Router::new().route("/media/{*key}", get(media))
}

/// The path of a media key under `root`, if the key is a plain relative path.
pub(crate) fn safe_join(root: &FsPath, key: &str) -> Option<PathBuf> {
    if key.is_empty()
        || key.len() > 1024
        || key.contains('\\')
        || key.contains('\0')
        || key.starts_with('/')
        || key
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return None;
    }
    let rel = FsPath::new(key);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
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
    if is_private_key(&key) {
        return Err(not_found());
    }
    let Some(path) = safe_join(&app.settings().media_dir, &key) else {
        return Err(not_found());
    };
    let body: Bytes = if let Some(data) = vitrina_operations::demo::media(&key) {
        match data {
            std::borrow::Cow::Borrowed(b) => Bytes::from_static(b),
            std::borrow::Cow::Owned(v) => Bytes::from(v),
        }
    } else {
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => {}
            _ => return Err(not_found()),
        }
        match tokio::fs::read(&path).await {
            Ok(v) => Bytes::from(v),
            Err(_) => return Err(not_found()),
        }
    };
    let etag = etag_of(&body);
    let fresh = headers
        .get(IF_NONE_MATCH)
        .is_some_and(|v| etag_matches(v, &etag));
    let mut res = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::from(body))
    };
    let h = res.headers_mut();
    if !fresh {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&key)));
    }
    h.insert(ETAG, etag);
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    h.insert(CONTENT_SECURITY_POLICY, MEDIA_CSP);
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn originals_queue_and_hidden_files_are_never_served() {
        for private in [
            "originals/ab12",
            "queue/ab12",
            "failed/ab12",
            "photos/ab12/.tmp-thumb.jpg",
            ".hidden",
        ] {
            assert!(is_private_key(private), "{private}");
        }
        for public in ["photos/ab12/thumb.jpg", "demo/mopr-obverse.svg"] {
            assert!(!is_private_key(public), "{public}");
        }
    }

    #[test]
    fn keys_that_could_leave_the_media_folder_are_refused() {
        let root = FsPath::new("/srv/media");
        assert_eq!(
            safe_join(root, "a/b.jpg"),
            Some(PathBuf::from("/srv/media/a/b.jpg"))
        );
        for bad in [
            "",
            "../etc/passwd",
            "a/../../b",
            "/etc/passwd",
            "a\\b",
            "a\0b",
            "a//b",
            "./a",
            "a/.",
        ] {
            assert_eq!(safe_join(root, bad), None, "{bad:?}");
        }
    }
}
