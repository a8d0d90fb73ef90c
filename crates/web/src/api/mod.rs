//! The REST API, `/api/v1`: a door onto the same operations the site and the workspace use.
//!
//! Public reads need no token and show what the public site shows (no drafts, no private
//! fields); curators, by bearer token or by session with its CSRF token, read everything and
//! write with the record's version in `If-Match`. Every error is a problem document
//! ([`crate::problem`]). The OpenAPI 3.1 description is generated from the handlers themselves
//! ([`ApiDoc`]) and served at `/api/v1/openapi.json`; `/api/v1/docs` is the same, readable.

// A problem is made at most once per refused request and goes straight into the response; boxing
// it would only add an allocation to every error path.
#![allow(clippy::result_large_err)]

mod categories;
mod history;
pub mod http;
mod limit;
pub mod shapes;
mod transfer;
mod types;

use crate::routes::{Access, Routes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use vitrina_catalogue::Lang;

pub use limit::{AuthFailures, WriteLimiter};

use crate::pages::Layout;
use crate::problem::Problem;
use crate::state::App;

/// The API's description, from the handlers' own annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vitrina",
        description = "The collection's records — the collection, its categories, badge types \
            with their variants, specimens and photos, and their history — for scripts and other \
            systems. Reads are public; writes need a curator's API token (`Authorization: Bearer \
            vt_…`, made under /admin/tokens or with `vitrina token create`) and the record's \
            version in `If-Match`. Errors are RFC 9457 problem documents with a stable `code`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    paths(
        crate::pages::search::api,
        categories::collection,
        categories::patch_collection,
        categories::list,
        categories::create,
        categories::get_one,
        categories::replace,
        categories::patch,
        categories::delete,
        categories::publish,
        categories::unpublish,
        types::list,
        types::create,
        types::get_one,
        types::replace,
        types::patch,
        types::delete,
        types::publish,
        types::unpublish,
        history::type_history,
        history::revision,
        history::restore,
        history::photos,
        history::upload_photos,
        history::photo,
        history::patch_photo,
        history::delete_photo,
        transfer::create,
        transfer::job,
        transfer::export,
    ),
    components(schemas(Problem)),
    modifiers(&Security),
    tags(
        (name = "collection", description = "The collection as a whole"),
        (name = "categories", description = "Sections of the collection"),
        (name = "types", description = "Badge types with their variants and specimens"),
        (name = "photos", description = "Photos of a type and their sizes"),
        (name = "history", description = "Every change, and undoing it (curators only)"),
        (name = "transfer", description = "Bringing a collection in from a file, and taking it out (curators only)"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI document as JSON, made once.
fn openapi_json() -> &'static [u8] {
    static DOC: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DOC.get_or_init(|| serde_json::to_vec_pretty(&document()).unwrap_or_default())
}

/// The document utoipa derives, with what it cannot say from the annotations alone:
/// - a record answered with fields beside it (`urls`, a category's `types`, a measurement's
///   `dimension`) is an `allOf` of schemas that each forbid other properties, which no value
///   could meet: each such `allOf` is merged into one object schema;
/// - `u32` fields are unsigned 32-bit, not `int32`;
/// - a type card under `fields` carries only the fields asked for, so none is required;
/// - an upload form's fields are plain form fields, never `null`;
/// - any operation may be answered 429 (too many wrong tokens from an address, or writes).
fn document() -> serde_json::Value {
    use serde_json::{Value, json};
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let schemas = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(Value::Null);
    merge_all_of(&mut doc, &schemas);
    unsigned_32(&mut doc);
    if let Some(card) = doc
        .pointer_mut("/components/schemas/TypeCard")
        .and_then(Value::as_object_mut)
    {
        card.remove("required");
    }
    if let Some(upload) = doc.pointer_mut("/components/schemas/PhotoUpload") {
        *upload = json!({
            "type": "object",
            "description": "One or more files, each after the `role` and `alt` that apply to it.",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                    "description": "A JPEG, PNG, WebP, TIFF or GIF photo; repeat the field for several (at most 24)."},
                "role": {"type": "string", "enum": ["obverse", "reverse", "marks", "detail", "document"],
                    "description": "The role of the files that follow (obverse by default)."},
                "alt": {"type": "string", "maxLength": 500,
                    "description": "The alt text of the files that follow; empty gives one made from the type's name and the role."},
                "specimen": {"type": "integer", "format": "int64", "minimum": 1,
                    "description": "One of the type's specimens, to attach the photos to it instead of the type."}
            }
        });
    }
    let too_many = json!({
        "description": "Too many wrong tokens from this address, or too many writes",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    });
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    responses.entry("429").or_insert_with(|| too_many.clone());
                }
            }
        }
    }
    doc
}

/// Replaces every `allOf` whose members are all object schemas (by `$ref` or inline) with one
/// object schema: their properties and required fields together, strict if any member is.
fn merge_all_of(v: &mut serde_json::Value, schemas: &serde_json::Value) {
    use serde_json::Value;
    fn resolve(member: &Value, schemas: &Value, depth: usize) -> Option<Value> {
        let mut member = match member.get("$ref").and_then(Value::as_str) {
            Some(r) => schemas
                .get(r.strip_prefix("#/components/schemas/")?)?
                .clone(),
            None => member.clone(),
        };
        if depth < 8 {
            merge_all_of_at(&mut member, schemas, depth + 1);
        }
        member.get("properties")?.as_object()?;
        Some(member)
    }
    fn merge_all_of_at(v: &mut Value, schemas: &Value, depth: usize) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Array(members)) = map.get("allOf") {
                    let resolved: Option<Vec<Value>> =
                        members.iter().map(|m| resolve(m, schemas, depth)).collect();
                    if let Some(resolved) = resolved {
                        let mut properties = serde_json::Map::new();
                        let mut required: Vec<Value> = Vec::new();
                        let mut strict = false;
                        for m in resolved {
                            if let Some(p) = m.get("properties").and_then(Value::as_object) {
                                properties.extend(p.clone());
                            }
                            for r in m
                                .get("required")
                                .and_then(Value::as_array)
                                .into_iter()
                                .flatten()
                            {
                                if !required.contains(r) {
                                    required.push(r.clone());
                                }
                            }
                            strict |= m.get("additionalProperties") == Some(&Value::Bool(false));
                        }
                        map.remove("allOf");
                        map.insert("type".into(), Value::from("object"));
                        map.insert("properties".into(), Value::Object(properties));
                        if !required.is_empty() {
                            map.insert("required".into(), Value::Array(required));
                        }
                        if strict {
                            map.insert("additionalProperties".into(), Value::Bool(false));
                        }
                    }
                }
                for child in map.values_mut() {
                    merge_all_of_at(child, schemas, depth);
                }
            }
            Value::Array(items) => items
                .iter_mut()
                .for_each(|i| merge_all_of_at(i, schemas, depth)),
            _ => {}
        }
    }
    merge_all_of_at(v, schemas, 0);
}

/// utoipa writes `u32` as `int32` with a minimum of 0; its values go up to 2³² − 1.
fn unsigned_32(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if map.get("format") == Some(&Value::from("int32"))
                && map.get("minimum").and_then(Value::as_f64) == Some(0.0)
            {
                map.insert("format".into(), Value::from("int64"));
                map.entry("maximum")
                    .or_insert(Value::from(u64::from(u32::MAX)));
            }
            map.values_mut().for_each(unsigned_32);
        }
        Value::Array(items) => items.iter_mut().for_each(unsigned_32),
        _ => {}
    }
}

async fn openapi(headers: HeaderMap) -> Response {
    let bytes = openapi_json();
    let etag = http::body_etag(bytes);
    let mut res = if headers
        .get(axum::http::header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        axum::http::StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes.to_vec().into_response()
    };
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(axum::http::header::ETAG, etag);
    res
}

/// One operation on the readable API page.
#[derive(Debug, Serialize)]
struct DocOperation {
    method: String,
    path: String,
    anchor: String,
    summary: String,
    description: String,
    needs_token: bool,
    parameters: Vec<DocParameter>,
    body: Option<String>,
    example: Option<String>,
    responses: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
struct DocParameter {
    name: String,
    place: String,
    description: String,
}

#[derive(Debug, Serialize)]
struct DocTag {
    name: String,
    description: String,
    operations: Vec<DocOperation>,
}

/// The operations grouped by tag, read back from the OpenAPI document, so the page and the
/// document cannot disagree.
fn doc_tags() -> Vec<DocTag> {
    let doc: serde_json::Value = serde_json::from_slice(openapi_json()).unwrap_or_default();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let mut tags: Vec<DocTag> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| DocTag {
            name: s(&t["name"]),
            description: s(&t["description"]),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            let op = &item[method];
            if !op.is_object() {
                continue;
            }
            let needs_token = op["security"].as_array().is_some_and(|a| {
                !a.iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.keys().next().cloned());
            let example = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|c| &c["example"])
                .filter(|e| !e.is_null())
                .or_else(|| {
                    op["responses"]["200"]["content"]["application/json"]
                        .get("example")
                        .filter(|e| !e.is_null())
                })
                .and_then(|e| serde_json::to_string_pretty(e).ok());
            let operation = DocOperation {
                method: method.to_uppercase(),
                anchor: format!(
                    "{method}-{}",
                    path.replace(['/', '{', '}'], "-").trim_matches('-')
                ),
                path: path.clone(),
                summary: s(&op["summary"]),
                description: s(&op["description"]),
                needs_token,
                parameters: op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| DocParameter {
                        name: s(&p["name"]),
                        place: s(&p["in"]),
                        description: s(&p["description"]),
                    })
                    .collect(),
                body,
                example,
                responses: op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(code, r)| (code.clone(), s(&r["description"])))
                    .collect(),
            };
            let tag = s(&op["tags"][0]);
            if let Some(t) = tags.iter_mut().find(|t| t.name == tag) {
                t.operations.push(operation);
            }
        }
    }
    tags
}

/// The readable API page: the site's own layout and stylesheet, nothing loaded from elsewhere.
async fn docs(State(app): State<App>) -> Result<Response, crate::error::PageError> {
    let lang = Lang::En;
    let layout = Layout::page(
        &app,
        lang,
        "The Vitrina API".to_owned(),
        "The collection's REST API: resources, parameters, examples and errors.".to_owned(),
        "/api/v1/docs",
        "",
    );
    let ctx = minijinja::context! {
        layout => minijinja::Value::from(minijinja::value::Serde(&layout)),
        tags => minijinja::Value::from(minijinja::value::Serde(doc_tags())),
    };
    let html = app
        .templates()
        .render("api.html", ctx)
        .map_err(|e| crate::error::PageError::internal(lang, format!("{e:#}")))?;
    let mut res = html.into_response();
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(res)
}

const CATEGORY: &str = "/api/v1/categories/{slug}";
const TYPE: &str = "/api/v1/types/{slug}";
const PHOTO: &str = "/api/v1/types/{slug}/photos/{id}";

/// The API's routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/openapi.json", Access::Public, openapi)
        .get("/api/v1/docs", Access::Public, docs)
        // The site's language switch leads here; the reference is in English only.
        .get("/ru/api/v1/docs", Access::Public, docs)
        .get("/api/v1/collection", Access::Public, categories::collection)
        .patch(
            "/api/v1/collection",
            Access::Editor,
            categories::patch_collection,
        )
        .get("/api/v1/categories", Access::Public, categories::list)
        .post("/api/v1/categories", Access::Editor, categories::create)
        .get(CATEGORY, Access::Public, categories::get_one)
        .put(CATEGORY, Access::Editor, categories::replace)
        .patch(CATEGORY, Access::Editor, categories::patch)
        .delete(CATEGORY, Access::Editor, categories::delete)
        .post(
            "/api/v1/categories/{slug}/publish",
            Access::Editor,
            categories::publish,
        )
        .post(
            "/api/v1/categories/{slug}/unpublish",
            Access::Editor,
            categories::unpublish,
        )
        .get("/api/v1/types", Access::Public, types::list)
        .post("/api/v1/types", Access::Editor, types::create)
        .get(TYPE, Access::Public, types::get_one)
        .put(TYPE, Access::Editor, types::replace)
        .patch(TYPE, Access::Editor, types::patch)
        .delete(TYPE, Access::Editor, types::delete)
        .post(
            "/api/v1/types/{slug}/publish",
            Access::Editor,
            types::publish,
        )
        .post(
            "/api/v1/types/{slug}/unpublish",
            Access::Editor,
            types::unpublish,
        )
        .get(
            "/api/v1/types/{slug}/history",
            Access::Curator,
            history::type_history,
        )
        .get(
            "/api/v1/types/{slug}/photos",
            Access::Public,
            history::photos,
        )
        // the upload bounds every file itself, by the configured limit, while it streams in
        .method(
            Method::POST,
            "/api/v1/types/{slug}/photos",
            Access::Editor,
            post(history::upload_photos).layer(DefaultBodyLimit::disable()),
        )
        .get(PHOTO, Access::Public, history::photo)
        .patch(PHOTO, Access::Editor, history::patch_photo)
        .delete(PHOTO, Access::Editor, history::delete_photo)
        .get("/api/v1/revisions/{id}", Access::Curator, history::revision)
        .post(
            "/api/v1/revisions/{id}/restore",
            Access::Editor,
            history::restore,
        )
        // the import bounds the file itself, by the app's import limit, while it streams in
        .method(
            Method::POST,
            "/api/v1/imports",
            Access::Editor,
            post(transfer::create).layer(DefaultBodyLimit::disable()),
        )
        .get("/api/v1/imports/{id}", Access::Curator, transfer::job)
        .get("/api/v1/export", Access::Curator, transfer::export)
}

/// What `/api/…` answers for anything the router does not know, or a method a resource does
/// not have: problem documents, never the site's HTML error page.
pub(crate) fn api_fallback(
    status: axum::http::StatusCode,
    allow: Option<&HeaderValue>,
) -> Response {
    use axum::http::StatusCode;
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            Problem::method_not_allowed(allow.and_then(|v| v.to_str().ok()).unwrap_or(""))
                .into_response()
        }
        StatusCode::NOT_FOUND => Problem::not_found("no such resource in the API").into_response(),
        other => Problem::new(other, "error").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_is_3_1_and_names_every_route() {
        let doc: serde_json::Value = serde_json::from_slice(openapi_json()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/api/v1/collection",
            "/api/v1/categories",
            "/api/v1/categories/{slug}",
            "/api/v1/types",
            "/api/v1/types/{slug}",
            "/api/v1/types/{slug}/photos",
            "/api/v1/types/{slug}/photos/{id}",
            "/api/v1/types/{slug}/history",
            "/api/v1/revisions/{id}",
        ] {
            assert!(paths.contains_key(p), "{p}");
        }
        // Every operation has an example somewhere (request or response) and a summary.
        let tags = doc_tags();
        let ops: Vec<&DocOperation> = tags.iter().flat_map(|t| t.operations.iter()).collect();
        assert!(ops.len() >= 25, "{}", ops.len());
        for op in ops {
            assert!(!op.summary.is_empty(), "{} {}", op.method, op.path);
        }
    }
}
