//! `/api/v1/types`: list (cursor pages, the search's filters and sorts, a `fields` choice), one
//! type whole, create, replace, merge-patch, delete, publish and unpublish.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrina_catalogue::{BadgeType, Slug};
use vitrina_operations::Publication;
use vitrina_search::Sort;
use vitrina_storage::TypeCursor;
use vitrina_storage::TypeFilter;

use super::http::{
    Answer, IfMatch, JsonBody, MergePatch, Prepared, Reader, Writer, delete_precondition,
    from_value, no_content, read_through, read_type, slug, version_etag,
};
use super::shapes::{TypePage, TypeRecord};
use crate::problem::Problem;
use crate::state::App;

/// The most types one page holds.
pub const MAX_LIMIT: u64 = 100;
const DEFAULT_LIMIT: u64 = 20;

/// The fields of a type card a client may choose with `fields`.
const CARD_FIELDS: [&str; 12] = [
    "slug",
    "names",
    "established",
    "issuer",
    "materials",
    "categories",
    "variant_count",
    "specimen_count",
    "thumbnail",
    "published",
    "html",
    "api",
];

/// Where a page starts: after a type (a plain listing, in collection order, found by an index
/// seek however deep), or at an offset into a search's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Cursor {
    #[serde(rename = "k")]
    After { p: i64, n: String, i: i64 },
    #[serde(rename = "o")]
    Offset(u64),
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(raw: &str) -> Option<Self> {
        if raw.len() > 1024 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// The list's own parameters; the rest are the search's (`q`, facets, ranges, `sort`).
#[derive(Debug, Default)]
struct ListParams {
    cursor: Option<Cursor>,
    limit: u64,
    fields: Option<Vec<String>>,
}

fn list_params(raw: Option<&str>) -> Result<ListParams, Problem> {
    let mut p = ListParams {
        limit: DEFAULT_LIMIT,
        ..ListParams::default()
    };
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        // An empty parameter is as if it were not sent.
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "cursor" => {
                p.cursor = Some(Cursor::decode(&v).ok_or_else(|| {
                    Problem::bad_request("bad-cursor", "the cursor is not one this API gave out")
                })?)
            }
            "limit" => {
                p.limit = v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Problem::bad_request(
                            "bad-query",
                            format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                        )
                    })?
            }
            "fields" => {
                let fields: Vec<String> = v
                    .split(',')
                    .map(|f| f.trim().to_owned())
                    .filter(|f| !f.is_empty())
                    .collect();
                if let Some(bad) = fields.iter().find(|f| !CARD_FIELDS.contains(&f.as_str())) {
                    return Err(Problem::bad_request(
                        "bad-query",
                        format!(
                            "unknown field {bad:?}; choose among {}",
                            CARD_FIELDS.join(", ")
                        ),
                    ));
                }
                p.fields = Some(fields);
            }
            "page" | "per_page" => {
                return Err(Problem::bad_request(
                    "bad-query",
                    "this list pages with `cursor` and `limit`",
                ));
            }
            _ => {}
        }
    }
    Ok(p)
}

fn choose(card: super::shapes::TypeCard, fields: Option<&[String]>) -> Value {
    let v = serde_json::to_value(card).unwrap_or(Value::Null);
    match (fields, v) {
        (Some(fields), Value::Object(mut m)) => {
            m.retain(|k, _| fields.iter().any(|f| f == k));
            Value::Object(m)
        }
        (_, v) => v,
    }
}

/// Types, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/types",
    tag = "types",
    summary = "List types",
    description = "Types in collection order, a page at a time: pass `next_cursor` back as \
        `cursor`. The search's parameters (`q`, `category`, `issuer`, `material`, `decade`, \
        `condition`, `rarity`, `photos`, `year_min`…`weight_max`, `sort`) narrow and order the \
        list as on the search page; then the search answers and `total` counts the matches. \
        Anonymous readers see published types; curators see drafts too in a plain listing. \
        The `Link` header carries `rel=\"next\"`.",
    params(
        ("cursor" = Option<String>, Query, description = "Where the page starts (from `next_cursor`)."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Types per page (20 by default)."),
        ("fields" = Option<String>, Query, description = "The card fields to include, comma-separated (all by default).", example = "slug,names"),
        ("q" = Option<String>, Query, description = "Search words, in any script.", example = "MOPR"),
        ("category" = Option<String>, Query, description = "Only types in this category."),
        ("sort" = Option<crate::pages::search::SortParam>, Query, description = "The order (a search's; a plain listing is in collection order)."),
    ),
    responses(
        (status = 200, description = "A page of types", body = TypePage,
            example = json!({"items": [{"slug": "mopr-badge", "names": {"en": "MOPR badge", "ru": "Знак МОПР"}, "materials": ["silver"], "categories": ["mopr"], "variant_count": 1, "specimen_count": 1, "published": true, "html": "/types/mopr-badge", "api": "/api/v1/types/mopr-badge"}], "next_cursor": "eyJvIjoyMH0"})),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Credentials sent are not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category (in `category`)", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("token" = []))
)]
pub async fn list(
    State(app): State<App>,
    reader: Reader,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let path = match &raw {
        Some(q) => format!("/api/v1/types?{q}"),
        None => "/api/v1/types".to_owned(),
    };
    read_through(&app, &reader, path, &headers, || {
        list_page(&app, &reader, raw.as_deref())
    })
    .await
}

/// A page of the listing (or of a search), as [`list`] answers it.
async fn list_page(app: &App, reader: &Reader, raw: Option<&str>) -> Result<Prepared, Problem> {
    let p = list_params(raw)?;
    let (search, bad) = crate::pages::search::parse(raw, true);
    if let Some(bad) = bad {
        return Err(Problem::bad_request("bad-query", bad.message_en()));
    }
    let category = search
        .filters
        .iter()
        .find(|f| f.kind == vitrina_search::FacetKind::Category)
        .and_then(|f| Slug::parse(&f.value).ok());
    let only_category = search.filters.len() == usize::from(category.is_some());
    let plain = search.q.is_empty()
        && only_category
        && !search.has_narrowing_beyond_filters()
        && search.sort == Sort::Relevance;
    let fields = p.fields.as_deref();
    let page = if plain {
        let after = match &p.cursor {
            None => None,
            Some(Cursor::After { p, n, i }) => Some(TypeCursor {
                position: *p,
                name_en: n.clone(),
                id: *i,
            }),
            Some(Cursor::Offset(_)) => {
                return Err(Problem::bad_request(
                    "bad-cursor",
                    "the cursor belongs to another listing",
                ));
            }
        };
        let filter = TypeFilter {
            category,
            drafts: reader.is_curator(),
        };
        let mut types = app
            .catalogue()
            .types_after(&filter, after.as_ref(), p.limit + 1)
            .await?;
        let more = types.len() as u64 > p.limit;
        types.truncate(p.limit as usize);
        let next_cursor = more.then(|| types.last()).flatten().map(|last| {
            let c = TypeCursor::of(last);
            Cursor::After {
                p: c.position,
                n: c.name_en,
                i: c.id,
            }
            .encode()
        });
        TypePage {
            items: types
                .into_iter()
                .map(|s| choose(super::shapes::TypeCard::of(s), fields))
                .collect(),
            next_cursor,
            total: None,
        }
    } else {
        let offset = match &p.cursor {
            None => 0,
            Some(Cursor::Offset(o)) => *o,
            Some(Cursor::After { .. }) => {
                return Err(Problem::bad_request(
                    "bad-cursor",
                    "the cursor belongs to another listing",
                ));
            }
        };
        let mut query = search.query();
        query.offset = usize::try_from(offset).unwrap_or(usize::MAX);
        query.limit = p.limit as usize;
        let results = app.catalogue().search(query).await?;
        let slugs: Vec<Slug> = results
            .hits
            .iter()
            .filter_map(|h| Slug::parse(&h.slug).ok())
            .collect();
        let summaries = app.catalogue().summaries(&slugs, false).await?;
        let end = offset + results.hits.len() as u64;
        TypePage {
            items: summaries
                .into_iter()
                .map(|s| choose(super::shapes::TypeCard::of(s), fields))
                .collect(),
            next_cursor: (end < results.total as u64 && !results.hits.is_empty())
                .then(|| Cursor::Offset(end).encode()),
            total: Some(results.total as u64),
        }
    };
    let link = page.next_cursor.as_ref().map(|c| {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.push(("cursor".into(), c.clone()));
        let qs = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("</api/v1/types?{qs}>; rel=\"next\"")
    });
    Answer::for_reader(reader).link(link).prepare(&page)
}

/// One type whole.
#[utoipa::path(
    get,
    path = "/api/v1/types/{slug}",
    tag = "types",
    summary = "Read a type",
    description = "The type with its variants, specimens and photos, and every photo's URLs. \
        Anonymous readers get published types without private fields; curators get drafts and \
        private fields (provenance, price, storage place) too. The ETag is the version to send \
        back in `If-Match`.",
    params(("slug" = String, Path, description = "The type's slug.", example = "mopr-badge")),
    responses(
        (status = 200, description = "The type", body = TypeRecord,
            example = json!({"slug": "mopr-badge", "version": 3, "categories": ["mopr"], "names": {"en": "MOPR badge", "ru": "Знак МОПР"}, "established": "1932", "description": {"en": "…"}, "variants": [], "photos": [], "urls": {"html": "/types/mopr-badge", "html_ru": "/ru/types/mopr-badge", "api": "/api/v1/types/mopr-badge", "photos": []}})),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 401, description = "Credentials sent are not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such (published) type", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("token" = []))
)]
pub async fn get_one(
    State(app): State<App>,
    reader: Reader,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let path = format!("/api/v1/types/{slug}");
    read_through(&app, &reader, path, &headers, || async {
        let record = read_type(&app, &reader, &slug).await?;
        let etag = version_etag(record.version, !reader.is_curator());
        Answer::for_reader(&reader)
            .etag(etag)
            .prepare(&TypeRecord::of(record))
    })
    .await
}

/// A type from a request body: a record as read (its `urls` are ignored) or written fresh.
fn type_body(mut body: Value) -> Result<BadgeType, Problem> {
    if let Value::Object(m) = &mut body {
        m.remove("urls");
    }
    from_value(body)
}

fn saved(record: BadgeType, status: StatusCode, headers: &HeaderMap) -> Response {
    let etag = version_etag(record.version, false);
    let location = format!("/api/v1/types/{}", record.slug);
    let mut answer = Answer::curator().etag(etag).status(status);
    if status == StatusCode::CREATED {
        answer = answer.location(location);
    }
    answer.json(headers, &TypeRecord::of(record))
}

/// Creates a type.
#[utoipa::path(
    post,
    path = "/api/v1/types",
    tag = "types",
    summary = "Create a type",
    description = "Creates a type from a whole record (ids and versions in it are ignored). \
        Validated as the workspace's form is; every problem comes back by path.",
    request_body(content = BadgeType, content_type = "application/json",
        example = json!({"slug": "osoaviakhim-badge", "published": false, "names": {"en": "Osoaviakhim badge", "ru": "Знак Осоавиахима"}, "established": "1927"})),
    responses(
        (status = 201, description = "Created", body = TypeRecord),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid type", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn create(
    State(app): State<App>,
    writer: Writer,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let record = type_body(body)?;
    let saved_type = app
        .catalogue()
        .create_type(record, &writer.author())
        .await?;
    Ok(saved(saved_type, StatusCode::CREATED, &headers))
}

/// Replaces a type.
#[utoipa::path(
    put,
    path = "/api/v1/types/{slug}",
    tag = "types",
    summary = "Replace a type",
    description = "Replaces the type with the record sent (which may rename it). `If-Match` \
        must hold the version read; if someone saved the type since, the answer is 412 with the \
        version now stored, and nothing changes. Children with ids keep them; children left \
        out are removed; a specimen sent without `private` keeps its private fields.",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read: the ETag of the GET.", example = "\"v3\""),
    ),
    request_body(content = BadgeType, content_type = "application/json",
        example = json!({"slug": "mopr-badge", "names": {"en": "MOPR badge", "ru": "Знак МОПР"}, "established": "1932"})),
    responses(
        (status = 200, description = "Saved", body = TypeRecord),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current_version` says to what", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid type", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn replace(
    State(app): State<App>,
    writer: Writer,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let record = type_body(body)?;
    let saved_type = app
        .catalogue()
        .replace_type(&slug, version, record, &writer.author())
        .await?;
    Ok(saved(saved_type, StatusCode::OK, &headers))
}

/// Patches a type.
#[utoipa::path(
    patch,
    path = "/api/v1/types/{slug}",
    tag = "types",
    summary = "Change part of a type",
    description = "Applies a JSON Merge Patch (RFC 7396): the fields sent replace the stored \
        ones, `null` removes one, arrays are replaced whole. `If-Match` as for PUT.",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v3\""),
    ),
    request_body(content = Object, content_type = "application/merge-patch+json",
        example = json!({"established": "1933", "description": {"ru": "Знак члена МОПР."}})),
    responses(
        (status = 200, description = "Saved", body = TypeRecord),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a merge patch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The patched type is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn patch(
    State(app): State<App>,
    writer: Writer,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
    MergePatch(patch): MergePatch,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let saved_type = app
        .catalogue()
        .patch_type(&slug, version, &patch, &writer.author())
        .await?;
    Ok(saved(saved_type, StatusCode::OK, &headers))
}

/// Deletes a type.
#[utoipa::path(
    delete,
    path = "/api/v1/types/{slug}",
    tag = "types",
    summary = "Delete a type",
    description = "Deletes the type with its variants, specimens and photos, if it is still at \
        the version in `If-Match`. Its history keeps it: a revision can restore it.",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v3\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn delete(
    State(app): State<App>,
    writer: Writer,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    app.catalogue()
        .delete_type_at(&slug, version, &writer.author())
        .await
        .map_err(delete_precondition)?;
    Ok(no_content())
}

async fn publication(
    app: &App,
    writer: &Writer,
    raw: &str,
    version: i64,
    headers: &HeaderMap,
    publication: Publication,
) -> Result<Response, Problem> {
    let slug = slug(raw)?;
    let saved_type = app
        .catalogue()
        .publish_type(&slug, version, publication, &writer.author())
        .await?;
    Ok(saved(saved_type, StatusCode::OK, headers))
}

/// Publishes a type.
#[utoipa::path(
    post,
    path = "/api/v1/types/{slug}/publish",
    tag = "types",
    summary = "Publish a type",
    description = "Makes a draft public: on the site, in search and in the public API.",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v3\""),
    ),
    responses(
        (status = 200, description = "Published", body = TypeRecord),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn publish(
    State(app): State<App>,
    writer: Writer,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    publication(&app, &writer, &raw, version, &headers, Publication::Publish).await
}

/// Withdraws a type.
#[utoipa::path(
    post,
    path = "/api/v1/types/{slug}/unpublish",
    tag = "types",
    summary = "Unpublish a type",
    description = "Makes a type a draft again: it leaves the site, search and the public API at once.",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v3\""),
    ),
    responses(
        (status = 200, description = "Now a draft", body = TypeRecord),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn unpublish(
    State(app): State<App>,
    writer: Writer,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    publication(
        &app,
        &writer,
        &raw,
        version,
        &headers,
        Publication::Unpublish,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_we_did_not_give() {
        for c in [
            Cursor::After {
                p: 3,
                n: "Знак «МОПР»".into(),
                i: 42,
            },
            Cursor::Offset(40),
        ] {
            assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
        assert_eq!(Cursor::decode("not base64!"), None);
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode(b"{\"x\":1}")), None);
        assert_eq!(Cursor::decode(&"A".repeat(5000)), None);
    }

    #[test]
    fn list_parameters_are_checked() {
        assert!(list_params(Some("limit=0")).is_err());
        assert!(list_params(Some("limit=101")).is_err());
        assert!(list_params(Some("limit=abc")).is_err());
        assert!(list_params(Some("fields=slug,price")).is_err());
        assert!(list_params(Some("page=2")).is_err());
        let p = list_params(Some("limit=5&fields=slug,names&q=x")).unwrap();
        assert_eq!(p.limit, 5);
        assert_eq!(p.fields.unwrap(), ["slug", "names"]);
    }
}
