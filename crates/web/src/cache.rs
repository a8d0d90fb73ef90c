//! Rendered pages, kept in memory with a byte budget, keyed by the catalogue's generation, the
//! language and the path: an edit through the catalogue bumps the generation, so a stale page
//! is never served again and simply ages out.
//!
//! A cached page also carries its strong ETag, so a hot page costs a hash lookup and a
//! reference-count increment.
//!
//! The API's public reads (`/api/v1/...` for anonymous readers) are kept here too, under their
//! path and query, with the headers a JSON answer carries ([`Kind::Json`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LINK, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use vitrina_catalogue::Lang;

/// 128 MiB of compressed HTML: over a hundred thousand type pages.
pub const DEFAULT_BUDGET_MB: u64 = 128;

/// Pages change when curators edit: a minute fresh, then revalidated in the background.
pub(crate) const PAGE_CACHE_CONTROL: HeaderValue =
    HeaderValue::from_static("public, max-age=60, stale-while-revalidate=600");
const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const VARY_ENCODING: HeaderValue = HeaderValue::from_static("Accept-Encoding");
const JSON: HeaderValue = HeaderValue::from_static("application/json");
/// Public API answers may be cached briefly and must be revalidated after that.
pub(crate) const API_PUBLIC_CACHE: HeaderValue =
    HeaderValue::from_static("public, max-age=60, must-revalidate");
/// A curator's API answer differs from the public one: caches must key on the credentials.
pub(crate) const VARY_CREDENTIALS: HeaderValue =
    HeaderValue::from_static("Authorization, Cookie, Accept-Encoding");

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub generation: u64,
    pub lang: Lang,
    /// The path with the page number, if any: `/types/mopr-badge`, `/categories/x?page=2`.
    pub path: String,
}

/// What a cached answer is, which decides the headers it is sent with.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// A page of the exhibition site.
    Html,
    /// A public answer of the JSON API, with its `Link` header, if any.
    Json { link: Option<HeaderValue> },
}

/// A rendered page (or a public API answer) and its validator.
#[derive(Debug)]
pub(crate) struct RenderedPage {
    pub body: Bytes,
    pub etag: HeaderValue,
    pub kind: Kind,
}

impl RenderedPage {
    pub fn new(html: String) -> Self {
        let etag = etag_of(html.as_bytes());
        Self {
            body: Bytes::from(html),
            etag,
            kind: Kind::Html,
        }
    }

    /// The page as a response: `304` when the client already has it.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let mut res = if fresh_for(request, &self.etag) {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            let mut r = Response::new(Body::from(self.body.clone()));
            r.headers_mut().insert(
                CONTENT_TYPE,
                match self.kind {
                    Kind::Html => HTML,
                    Kind::Json { .. } => JSON,
                },
            );
            r
        };
        let h = res.headers_mut();
        h.insert(ETAG, self.etag.clone());
        match &self.kind {
            Kind::Html => {
                h.insert(CACHE_CONTROL, PAGE_CACHE_CONTROL);
                h.insert(VARY, VARY_ENCODING);
            }
            Kind::Json { link } => {
                h.insert(CACHE_CONTROL, API_PUBLIC_CACHE);
                h.insert(VARY, VARY_CREDENTIALS);
                if let Some(link) = link {
                    h.insert(LINK, link.clone());
                }
            }
        }
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

/// A page as the cache keeps it: LZ4-compressed against a dictionary shared by every page of
/// its kind and language (the first such page rendered), so the layout, header and footer that
/// every type page repeats cost almost nothing. A 7 KB type page keeps in under 1 KB, and comes
/// back out in a few microseconds.
struct PackedPage {
    packed: Box<[u8]>,
    len: usize,
    dictionary: Arc<[u8]>,
    etag: HeaderValue,
    kind: Kind,
}

impl PackedPage {
    fn unpack(&self) -> Option<Bytes> {
        let body =
            lz4_flex::block::decompress_with_dict(&self.packed, self.len, &self.dictionary).ok()?;
        (body.len() == self.len).then(|| Bytes::from(body))
    }
}

/// A cached page, ready to answer: unpacked only when the client does not already have it.
pub(crate) struct CachedPage(Arc<PackedPage>);

impl CachedPage {
    /// The page as a response: `304` when the client already has it, `None` if the stored copy
    /// cannot be unpacked (then the caller renders the page afresh).
    pub fn respond(&self, request: &HeaderMap) -> Option<Response> {
        let page = RenderedPage {
            body: if fresh_for(request, &self.0.etag) {
                Bytes::new()
            } else {
                self.0.unpack()?
            },
            etag: self.0.etag.clone(),
            kind: self.0.kind.clone(),
        };
        Some(page.respond(request))
    }
}

fn fresh_for(request: &HeaderMap, etag: &HeaderValue) -> bool {
    request
        .get(IF_NONE_MATCH)
        .is_some_and(|v| etag_matches(v, etag))
}

/// The largest dictionary LZ4 can look back into.
const MAX_DICTIONARY: usize = 64 * 1024;
/// Pages that make up a dictionary: four type pages compress a fifth a fifth better than one.
const DICTIONARY_SAMPLES: usize = 4;

/// What a page costs the budget: its packed bytes, its path, and the cache's bookkeeping.
#[derive(Debug, Clone, Copy)]
struct PageWeight;

impl quick_cache::Weighter<PageKey, Arc<PackedPage>> for PageWeight {
    fn weight(&self, key: &PageKey, page: &Arc<PackedPage>) -> u64 {
        (page.packed.len() + key.path.len() + 192) as u64
    }
}

#[derive(Clone)]
struct Dictionary {
    bytes: Arc<[u8]>,
    samples: usize,
}

/// Pages of the same kind (the first segment of the path) in the same language share a
/// dictionary.
type DictionaryKey = (Lang, String);

/// Rendered pages in memory, within a byte budget (quick_cache: a sharded table with CLOCK-Pro
/// eviction, a lookup costing little more than a hash map's).
///
/// The catalogue's generation is part of every key, and the first lookup at a new generation
/// drops every page of the old ones at once, so stale pages neither answer nor crowd out fresh
/// ones.
#[derive(Clone)]
pub(crate) struct PageCache {
    pages: Arc<quick_cache::sync::Cache<PageKey, Arc<PackedPage>, PageWeight>>,
    dictionaries: Arc<RwLock<HashMap<DictionaryKey, Dictionary>>>,
    generation: Arc<AtomicU64>,
    budget: u64,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("entries", &self.pages.len())
            .field("bytes", &self.pages.weight())
            .field("budget", &self.budget)
            .finish()
    }
}

impl PageCache {
    pub fn new(budget_bytes: u64) -> Self {
        // a guess at how many pages fit, for sizing the table: about 1 KB each
        let pages = quick_cache::sync::Cache::with_weighter(
            usize::try_from(budget_bytes / 1024)
                .unwrap_or(usize::MAX)
                .max(16),
            budget_bytes.max(1),
            PageWeight,
        );
        Self {
            pages: Arc::new(pages),
            dictionaries: Arc::default(),
            generation: Arc::new(AtomicU64::new(0)),
            budget: budget_bytes,
        }
    }

    /// Forgets every page when the catalogue has moved on since the last lookup.
    fn observe(&self, generation: u64) {
        let seen = self.generation.fetch_max(generation, Ordering::AcqRel);
        if seen < generation {
            self.pages.clear();
        }
    }

    pub fn get(&self, key: &PageKey) -> Option<CachedPage> {
        self.observe(key.generation);
        self.pages.get(key).map(CachedPage)
    }

    pub fn contains(&self, key: &PageKey) -> bool {
        self.observe(key.generation);
        self.pages.contains_key(key)
    }

    pub fn insert(&self, key: PageKey, page: &RenderedPage) {
        if self.budget == 0 {
            return;
        }
        self.observe(key.generation);
        // rendered from a catalogue that has since changed: it would never be asked for again
        if key.generation < self.generation.load(Ordering::Acquire) {
            return;
        }
        let dictionary = self.dictionary_for(&key, &page.body);
        let mut buffer = vec![0; lz4_flex::block::get_maximum_output_size(page.body.len())];
        let Ok(n) = lz4_flex::block::compress_into_with_dict(&page.body, &mut buffer, &dictionary)
        else {
            return;
        };
        let packed = PackedPage {
            // an exact-size copy: the long-lived allocation does not keep the slack
            packed: Box::from(&buffer[..n]),
            len: page.body.len(),
            dictionary,
            etag: page.etag.clone(),
            kind: page.kind.clone(),
        };
        self.pages.insert(key, Arc::new(packed));
    }

    /// The dictionary of the page's kind: the first few pages of that kind, put together.
    fn dictionary_for(&self, key: &PageKey, body: &[u8]) -> Arc<[u8]> {
        let kind = key
            .path
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let id = (key.lang, kind);
        if let Some(d) = self
            .dictionaries
            .read()
            .ok()
            .and_then(|m| m.get(&id).cloned())
            && d.samples >= DICTIONARY_SAMPLES
        {
            return d.bytes;
        }
        let Ok(mut map) = self.dictionaries.write() else {
            return Arc::from(&[][..]);
        };
        let d = map.entry(id).or_insert_with(|| Dictionary {
            bytes: Arc::from(&[][..]),
            samples: 0,
        });
        if d.samples < DICTIONARY_SAMPLES && d.bytes.len() + body.len() <= MAX_DICTIONARY {
            let mut bytes = Vec::with_capacity(d.bytes.len() + body.len());
            bytes.extend_from_slice(&d.bytes);
            bytes.extend_from_slice(body);
            d.bytes = bytes.into();
            d.samples += 1;
        } else {
            d.samples = DICTIONARY_SAMPLES;
        }
        d.bytes.clone()
    }

    /// The bytes the cached pages take, as the budget counts them.
    pub fn weighted_size(&self) -> u64 {
        self.pages.weight()
    }

    pub fn budget(&self) -> u64 {
        self.budget
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

    fn key(generation: u64, lang: Lang, path: &str) -> PageKey {
        PageKey {
            generation,
            lang,
            path: path.to_owned(),
        }
    }

    /// A type page's worth of HTML: the same layout around a different name and description.
    fn page(n: usize) -> RenderedPage {
        let mut html = String::from("<!doctype html><html lang=\"en\"><head><title>");
        html.push_str(&format!("Badge {n} · Vitrina</title></head><body>"));
        for i in 0..40 {
            html.push_str(&format!(
                "<div class=\"names__row\"><dt>Label {i}</dt><dd>{}</dd></div>\n",
                if i % 7 == 0 {
                    format!("value {n}-{i}")
                } else {
                    "shared".into()
                }
            ));
        }
        html.push_str(&"<footer>Vitrina, a collection of Soviet badges</footer>".repeat(20));
        html.push_str("</body></html>");
        RenderedPage::new(html)
    }

    fn body_of(res: Response) -> Bytes {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(axum::body::to_bytes(res.into_body(), usize::MAX))
            .unwrap()
    }

    #[test]
    fn a_cached_page_comes_back_byte_for_byte_with_its_etag() {
        let cache = PageCache::new(1 << 20);
        let pages: Vec<RenderedPage> = (0..10).map(page).collect();
        for (i, p) in pages.iter().enumerate() {
            cache.insert(key(1, Lang::En, &format!("/types/t{i}")), p);
        }
        for (i, p) in pages.iter().enumerate() {
            let cached = cache
                .get(&key(1, Lang::En, &format!("/types/t{i}")))
                .unwrap();
            let res = cached.respond(&HeaderMap::new()).unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()[ETAG], p.etag);
            assert_eq!(body_of(res), p.body, "page {i}");
        }
        // the dictionary (the first pages) makes the later ones far smaller than the page
        let packed = cache.pages.get(&key(1, Lang::En, "/types/t9")).unwrap();
        assert!(
            packed.packed.len() * 5 < pages[9].body.len(),
            "{}",
            packed.packed.len()
        );
        // the other language and the other kinds of page are cached apart
        assert!(cache.get(&key(1, Lang::Ru, "/types/t1")).is_none());
        assert!(cache.get(&key(1, Lang::En, "/categories/t1")).is_none());
    }

    #[test]
    fn a_client_with_the_page_gets_a_304_without_unpacking_it() {
        let cache = PageCache::new(1 << 20);
        let p = page(1);
        cache.insert(key(1, Lang::En, "/"), &p);
        let mut request = HeaderMap::new();
        request.insert(IF_NONE_MATCH, p.etag.clone());
        let res = cache
            .get(&key(1, Lang::En, "/"))
            .unwrap()
            .respond(&request)
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert!(body_of(res).is_empty());
    }

    #[test]
    fn a_new_generation_drops_every_older_page() {
        let cache = PageCache::new(1 << 20);
        cache.insert(key(1, Lang::En, "/types/a"), &page(1));
        cache.insert(key(1, Lang::Ru, "/types/a"), &page(2));
        assert!(cache.contains(&key(1, Lang::En, "/types/a")));
        assert!(cache.get(&key(2, Lang::En, "/types/a")).is_none());
        assert_eq!(cache.pages.len(), 0);
        // a lookup with an older generation (a request that began before the change) does not
        // bring old pages back or drop new ones
        cache.insert(key(2, Lang::En, "/types/a"), &page(3));
        assert!(cache.get(&key(1, Lang::En, "/types/a")).is_none());
        assert!(cache.get(&key(2, Lang::En, "/types/a")).is_some());
        // nor is a page rendered from the old catalogue stored once the new one has been seen
        cache.insert(key(1, Lang::En, "/types/b"), &page(4));
        assert_eq!(cache.pages.len(), 1);
    }

    #[test]
    fn the_budget_bounds_the_cache_and_zero_turns_it_off() {
        let off = PageCache::new(0);
        off.insert(key(1, Lang::En, "/"), &page(1));
        assert!(off.get(&key(1, Lang::En, "/")).is_none());

        let small = PageCache::new(20_000);
        for i in 0..500 {
            small.insert(key(1, Lang::En, &format!("/types/t{i}")), &page(i));
        }
        assert!(small.weighted_size() <= 20_000, "{}", small.weighted_size());
        assert!(small.pages.len() > 5);
        // the most recent page is the one kept
        assert!(small.get(&key(1, Lang::En, "/types/t499")).is_some());
    }

    #[test]
    fn etags_differ_with_the_body() {
        assert_ne!(etag_of(b"a"), etag_of(b"b"));
        assert_eq!(etag_of(b"a"), etag_of(b"a"));
    }
}
