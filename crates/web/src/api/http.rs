//! What every API handler shares: who is asking ([`Reader`], [`Writer`]), the JSON body with
//! its limits and content types ([`JsonBody`], [`MergePatch`]), versions in `If-Match`, ETags
//! and `If-None-Match`, and writing a JSON answer.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, LOCATION, VARY,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use vitrina_catalogue::{Lang, Slug, TokenScope};
use vitrina_storage::Author;

use crate::auth::{AuthVia, Curator};
use crate::cache::{
    API_PUBLIC_CACHE as PUBLIC_CACHE, Kind, PageKey, RenderedPage, VARY_CREDENTIALS,
};
use crate::problem::Problem;
use crate::state::App;

/// The largest JSON body the API reads: a whole type with many variants and specimens is a few
/// hundred kilobytes at most.
pub const MAX_JSON_BODY: usize = 2 * 1024 * 1024;

const PRIVATE_CACHE: HeaderValue = HeaderValue::from_static("private, no-store");

/// Whoever reads: anonymous (the public view) or a signed-in curator (everything, drafts and
/// private fields included).
#[derive(Debug, Clone)]
pub struct Reader(pub Option<Curator>);

impl Reader {
    pub fn is_curator(&self) -> bool {
        self.0.is_some()
    }
}

impl FromRequestParts<App> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        // Credentials that were sent but are not valid are an error, not a quiet public view:
        // a script with a revoked token should learn so.
        let sent = parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION);
        let curator =
            <Curator as axum::extract::OptionalFromRequestParts<App>>::from_request_parts(
                parts, app,
            )
            .await
            .unwrap_or(None);
        if sent && curator.is_none() {
            return Err(Problem::unauthenticated().into_response());
        }
        Ok(Reader(curator))
    }
}

/// A curator who may change the catalogue (owner or editor, by session or write token).
#[derive(Debug, Clone)]
pub struct Writer(pub Curator);

impl Writer {
    pub fn author(&self) -> Author {
        Author::user(self.0.user_id(), self.0.user.name.clone())
    }
}

impl FromRequestParts<App> for Writer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let curator =
            <Curator as axum::extract::OptionalFromRequestParts<App>>::from_request_parts(
                parts, app,
            )
            .await
            .unwrap_or(None);
        let Some(curator) = curator else {
            return Err(Problem::unauthenticated().into_response());
        };
        if !curator.user.role.can_edit() {
            return Err(
                Problem::forbidden("this account may read the catalogue, not change it")
                    .into_response(),
            );
        }
        if curator.via
            == (AuthVia::Token {
                scope: TokenScope::Read,
            })
        {
            return Err(Problem::forbidden("this token is read-only").into_response());
        }
        if let Some(retry) = app.write_limiter().check(curator.user_id().get()) {
            return Err(Problem::rate_limited(retry).into_response());
        }
        Ok(Writer(curator))
    }
}

/// A curator who may read everything (any signed-in role), for history and the like.
#[derive(Debug, Clone)]
pub struct CuratorReader(pub Curator);

impl FromRequestParts<App> for CuratorReader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match <Curator as axum::extract::OptionalFromRequestParts<App>>::from_request_parts(
            parts, app,
        )
        .await
        .unwrap_or(None)
        {
            Some(c) => Ok(CuratorReader(c)),
            None => Err(Problem::unauthenticated().into_response()),
        }
    }
}

/// A slug from the path; anything that is not one cannot name a record.
pub fn slug(raw: &str) -> Result<Slug, Problem> {
    Slug::parse(raw).map_err(|_| Problem::not_found(format!("no record has the slug {raw:?}")))
}

fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

async fn read_body(req: Request, accepted: &[&str]) -> Result<Bytes, Problem> {
    let Some(mt) = media_type(req.headers()) else {
        return Err(Problem::unsupported_media(format!(
            "send the body as {}",
            accepted.join(" or ")
        )));
    };
    if !accepted.contains(&mt.as_str()) {
        return Err(Problem::unsupported_media(format!(
            "{mt} is not accepted here; send {}",
            accepted.join(" or ")
        )));
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_JSON_BODY as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(req.into_body(), MAX_JSON_BODY)
        .await
        .map_err(|_| too_large())
}

fn too_large() -> Problem {
    Problem::too_large(format!(
        "the body is larger than {} MiB",
        MAX_JSON_BODY / 1024 / 1024
    ))
}

/// Reads JSON as `T`: malformed JSON is a 400 (`malformed`), JSON of the wrong shape a 422
/// (`invalid`, naming the field serde stopped at).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Problem::bad_request("malformed", format!("the body is not valid JSON: {e}"))
    })?;
    from_value(value)
}

/// Reads a JSON value as `T`, with the path of the field that does not fit.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut errors = vitrina_catalogue::ValidationErrors::default();
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        errors.add(path, e.inner().to_string());
        Problem::invalid(&errors)
    })
}

/// A JSON body (`application/json`), at most [`MAX_JSON_BODY`].
#[derive(Debug)]
pub struct JsonBody(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Problem;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, &["application/json"]).await?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            Problem::bad_request("malformed", format!("the body is not valid JSON: {e}"))
        })
    }
}

/// An RFC 7396 merge patch (`application/merge-patch+json`; plain `application/json` is taken
/// too).
#[derive(Debug)]
pub struct MergePatch(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for MergePatch {
    type Rejection = Problem;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, &["application/merge-patch+json", "application/json"]).await?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Problem::bad_request("malformed", format!("the patch is not valid JSON: {e}"))
        })?;
        if !value.is_object() {
            return Err(Problem::bad_request(
                "malformed",
                "a merge patch is a JSON object",
            ));
        }
        Ok(MergePatch(value))
    }
}

/// The version a write was based on, from `If-Match` (the ETag of a read: `"v4"`, `W/"v4"`,
/// or the number alone). Without it a write is refused: nothing is overwritten blind.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get(IF_MATCH) else {
            return Err(
                Problem::new(StatusCode::PRECONDITION_REQUIRED, "precondition-required")
                    .detail("send the version you read in If-Match (the ETag of the record)"),
            );
        };
        raw.to_str()
            .ok()
            .and_then(parse_version)
            .map(IfMatch)
            .ok_or_else(|| {
                Problem::bad_request(
                    "bad-precondition",
                    "If-Match must hold one ETag of this record, such as \"v4\"",
                )
            })
    }
}

/// `"v4"`, `W/"v4"`, `"v4-p"` or `4`: the version 4.
pub fn parse_version(raw: &str) -> Option<i64> {
    let s = raw.trim();
    let s = s.strip_prefix("W/").unwrap_or(s);
    let s = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s);
    let s = s.strip_prefix('v').unwrap_or(s);
    let s = s.strip_suffix("-p").unwrap_or(s);
    s.parse::<i64>().ok().filter(|v| *v >= 0)
}

/// The ETag of a record at a version: the private view (curators) and the public view differ,
/// so they never share one.
pub fn version_etag(version: i64, public: bool) -> HeaderValue {
    let tag = if public {
        format!("\"v{version}-p\"")
    } else {
        format!("\"v{version}\"")
    };
    HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"v0\""))
}

/// The ETag of a body: its SHA-256, shortened.
pub fn body_etag(bytes: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(v) = headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let want = etag.to_str().unwrap_or("");
    v.split(',').any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == want
    })
}

/// How a JSON answer is sent.
#[derive(Debug, Default)]
pub struct Answer {
    pub status: Option<StatusCode>,
    /// The record's ETag; else one is made from the body.
    pub etag: Option<HeaderValue>,
    /// Public (cacheable) or a curator's (never stored).
    pub public: bool,
    pub location: Option<String>,
    pub link: Option<String>,
}

impl Answer {
    pub fn public() -> Self {
        Self {
            public: true,
            ..Self::default()
        }
    }

    pub fn for_reader(reader: &Reader) -> Self {
        Self {
            public: !reader.is_curator(),
            ..Self::default()
        }
    }

    pub fn curator() -> Self {
        Self::default()
    }

    pub fn etag(mut self, etag: HeaderValue) -> Self {
        self.etag = Some(etag);
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    pub fn location(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }

    pub fn link(mut self, link: Option<String>) -> Self {
        self.link = link;
        self
    }

    /// The response: 304 when the client's `If-None-Match` holds this ETag (for reads).
    pub fn json<T: Serialize>(self, request: &HeaderMap, body: &T) -> Response {
        match self.prepare(body) {
            Ok(prepared) => prepared.respond(request),
            Err(problem) => problem.into_response(),
        }
    }

    /// The answer made but not sent: the body serialised, the ETag settled.
    pub fn prepare<T: Serialize>(self, body: &T) -> Result<Prepared, Problem> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Problem::internal(format!("serialising an answer: {e}")))?;
        let etag = self.etag.clone().unwrap_or_else(|| body_etag(&bytes));
        Ok(Prepared {
            answer: self,
            bytes,
            etag,
        })
    }
}

/// A JSON answer made and not yet sent ([`Answer::prepare`]).
#[derive(Debug)]
pub struct Prepared {
    answer: Answer,
    bytes: Vec<u8>,
    etag: HeaderValue,
}

impl Prepared {
    /// The response: 304 when the client's `If-None-Match` holds this ETag (for reads).
    pub fn respond(self, request: &HeaderMap) -> Response {
        let Prepared {
            answer,
            bytes,
            etag,
        } = self;
        let status = answer.status.unwrap_or(StatusCode::OK);
        let mut res = if status == StatusCode::OK && none_match(request, &etag) {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            let mut r = Response::new(Body::from(bytes));
            *r.status_mut() = status;
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        };
        let h = res.headers_mut();
        h.insert(ETAG, etag);
        h.insert(
            CACHE_CONTROL,
            if answer.public {
                PUBLIC_CACHE
            } else {
                PRIVATE_CACHE
            },
        );
        h.insert(VARY, VARY_CREDENTIALS);
        if let Some(l) = answer.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            h.insert(LOCATION, l);
        }
        if let Some(l) = answer.link.and_then(|l| HeaderValue::from_str(&l).ok()) {
            h.insert(axum::http::header::LINK, l);
        }
        res
    }
}

/// Answers a read, from the response cache when the reader is anonymous. Every anonymous
/// reader sees the same answer at one generation of the catalogue, so it is made once per
/// generation and kept with the site's pages (compressed, within the same budget); a write
/// bumps the generation and the old answers are never served again. `path` is the request's
/// path and query, as sent. A curator's answers (drafts, private fields) are never kept, nor
/// are errors.
pub async fn read_through<F, Fut>(
    app: &App,
    reader: &Reader,
    path: String,
    request: &HeaderMap,
    make: F,
) -> Result<Response, Problem>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Prepared, Problem>>,
{
    if reader.is_curator() {
        return Ok(make().await?.respond(request));
    }
    // The generation is read first: an answer made while a write lands is kept under the old
    // generation, which is never asked for again.
    let key = PageKey {
        generation: app.catalogue().generation(),
        lang: Lang::En,
        path,
    };
    if let Some(res) = app.cache().get(&key).and_then(|page| page.respond(request)) {
        return Ok(res);
    }
    let prepared = make().await?;
    if prepared.answer.status.is_some_and(|s| s != StatusCode::OK) || !prepared.answer.public {
        return Ok(prepared.respond(request));
    }
    let page = RenderedPage {
        body: Bytes::from(prepared.bytes),
        etag: prepared.etag,
        kind: Kind::Json {
            link: prepared
                .answer
                .link
                .and_then(|l| HeaderValue::from_str(&l).ok()),
        },
    };
    app.cache().insert(key, &page);
    Ok(page.respond(request))
}

/// 204, for a delete.
pub fn no_content() -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(CACHE_CONTROL, PRIVATE_CACHE);
    res
}

/// A delete at a version: storage reports a stale version, checked inside its transaction, as a
/// conflict, which for this request is the failed precondition.
pub fn delete_precondition(e: vitrina_operations::Error) -> Problem {
    match e {
        vitrina_operations::Error::Storage(vitrina_storage::StorageError::Conflict(m)) => {
            Problem::new(StatusCode::PRECONDITION_FAILED, "precondition-failed").detail(m)
        }
        other => other.into(),
    }
}

/// A type as `reader` may see it: whole for curators, the public view for everyone else.
pub async fn read_type(
    app: &App,
    reader: &Reader,
    slug: &Slug,
) -> Result<vitrina_catalogue::BadgeType, Problem> {
    Ok(if reader.is_curator() {
        app.catalogue().curator_type(slug).await?
    } else {
        app.catalogue().public_type(slug).await?.badge_type
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_every_form_of_etag() {
        for (raw, want) in [
            ("\"v4\"", Some(4)),
            ("W/\"v4\"", Some(4)),
            ("\"v12-p\"", Some(12)),
            ("7", Some(7)),
            ("\"abc\"", None),
            ("\"v-1\"", None),
            ("", None),
        ] {
            assert_eq!(parse_version(raw), want, "{raw}");
        }
    }

    #[test]
    fn if_none_match_accepts_weak_and_lists() {
        let etag = HeaderValue::from_static("\"v3-p\"");
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"v3-p\""));
        assert!(none_match(&h, &etag));
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"v3\""));
        assert!(!none_match(&h, &etag));
    }
}
