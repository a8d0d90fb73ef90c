//! Rendered pages, kept in memory with a byte budget, keyed by the catalogue's generation, the
//! language and the path: an edit through the catalogue bumps the generation, so a stale page
//! is never served again and simply ages out.
//!
//! A cached page also carries its strong ETag, so a hot page costs a hash lookup and a
//! reference-count increment.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use vitrina_catalogue::Lang;

/// 64 MiB of HTML: several thousand type pages.
pub(crate) const DEFAULT_BUDGET: u64 = 64 * 1024 * 1024;

/// Pages change when curators edit: a minute fresh, then revalidated in the background.
pub(crate) const PAGE_CACHE_CONTROL: HeaderValue =
    HeaderValue::from_static("public, max-age=60, stale-while-revalidate=600");
const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const VARY_ENCODING: HeaderValue = HeaderValue::from_static("Accept-Encoding");

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub generation: u64,
    pub lang: Lang,
    /// The path with the page number, if any: `/types/mopr-badge`, `/categories/x?page=2`.
    pub path: String,
}

/// A rendered page and its validator.
#[derive(Debug)]
pub(crate) struct RenderedPage {
    pub body: Bytes,
    pub etag: HeaderValue,
}

impl RenderedPage {
    pub fn new(html: String) -> Self {
        let etag = etag_of(html.as_bytes());
        Self {
            body: Bytes::from(html),
            etag,
        }
    }

    /// The page as a response: `304` when the client already has it.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let fresh = request
            .get(IF_NONE_MATCH)
            .is_some_and(|v| etag_matches(v, &self.etag));
        let mut res = if fresh {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            let mut r = Response::new(Body::from(self.body.clone()));
            r.headers_mut().insert(CONTENT_TYPE, HTML);
            r
        };
        let h = res.headers_mut();
        h.insert(ETAG, self.etag.clone());
        h.insert(CACHE_CONTROL, PAGE_CACHE_CONTROL);
        h.insert(VARY, VARY_ENCODING);
        res
    }
}

/// A strong ETag from a hash of the body.
pub(crate) fn etag_of(body: &[u8]) -> HeaderValue {
    // SipHash with fixed keys: fast, and stable for the life of the binary, which is all a
    // validator needs (a new build may change it; browsers then fetch the page once more).
    let mut a = std::hash::DefaultHasher::new();
    body.hash(&mut a);
    let mut b = std::hash::DefaultHasher::new();
    0xA5u8.hash(&mut b);
    body.hash(&mut b);
    let tag = format!("\"{:016x}{:08x}\"", a.finish(), b.finish() as u32);
    HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// Does an `If-None-Match` header name this ETag? (`*`, lists, and weak comparison, as
/// RFC 9110 asks for `If-None-Match`.)
pub(crate) fn etag_matches(header: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(header) = header.to_str() else {
        return false;
    };
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    let etag = etag.trim_start_matches("W/");
    header
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

#[derive(Clone)]
pub(crate) struct PageCache {
    pages: moka::sync::Cache<PageKey, Arc<RenderedPage>>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("entries", &self.pages.entry_count())
            .finish()
    }
}

impl PageCache {
    pub fn new(budget_bytes: u64) -> Self {
        let pages = moka::sync::Cache::builder()
            .max_capacity(budget_bytes)
            .weigher(|k: &PageKey, v: &Arc<RenderedPage>| {
                let size = v.body.len() + k.path.len() + 128;
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .build();
        Self { pages }
    }

    pub fn get(&self, key: &PageKey) -> Option<Arc<RenderedPage>> {
        self.pages.get(key)
    }

    pub fn insert(&self, key: PageKey, page: Arc<RenderedPage>) {
        self.pages.insert(key, page);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let tag = HeaderValue::from_static("\"abc\"");
        for h in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            assert!(etag_matches(&HeaderValue::from_static(h), &tag), "{h}");
        }
        assert!(!etag_matches(&HeaderValue::from_static("\"abd\""), &tag));
    }

    #[test]
    fn etags_differ_with_the_body() {
        assert_ne!(etag_of(b"a"), etag_of(b"b"));
        assert_eq!(etag_of(b"a"), etag_of(b"a"));
    }
}
