//! `/api/v1/categories` and `/api/v1/collection`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use vitrina_catalogue::{Category, Collection};
use vitrina_operations::Publication;
use vitrina_storage::CategorySummary;

use super::http::{
    Answer, IfMatch, JsonBody, MergePatch, Reader, Writer, from_value, no_content, read_through,
    slug, version_etag,
};
use super::shapes::{CategoryList, CategoryRecord, CollectionRecord};
use crate::problem::Problem;
use crate::state::App;

/// The collection's title and introduction.
#[utoipa::path(
    get,
    path = "/api/v1/collection",
    tag = "collection",
    summary = "Read the collection",
    description = "The collection's title and introduction (Markdown, English and Russian), and \
        where the API's lists are.",
    responses(
        (status = 200, description = "The collection", body = CollectionRecord,
            example = json!({"title": {"en": "Soviet Badges", "ru": "Советские знаки"}, "introduction": {"en": "…"}, "categories": "/api/v1/categories", "types": "/api/v1/types", "search": "/api/v1/search", "openapi": "/api/v1/openapi.json"})),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Credentials sent are not valid", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("token" = []))
)]
pub async fn collection(
    State(app): State<App>,
    reader: Reader,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    read_through(
        &app,
        &reader,
        "/api/v1/collection".into(),
        &headers,
        || async {
            let collection = app.catalogue().collection().await?;
            Answer::for_reader(&reader).prepare(&CollectionRecord::of(collection))
        },
    )
    .await
}

/// Changes the collection's title or introduction.
#[utoipa::path(
    patch,
    path = "/api/v1/collection",
    tag = "collection",
    summary = "Change the collection",
    description = "A JSON Merge Patch of the title and introduction.",
    request_body(content = Object, content_type = "application/merge-patch+json",
        example = json!({"title": {"en": "Soviet Badges and Medals"}})),
    responses(
        (status = 200, description = "Saved", body = CollectionRecord),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a merge patch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn patch_collection(
    State(app): State<App>,
    writer: Writer,
    headers: HeaderMap,
    MergePatch(patch): MergePatch,
) -> Result<Response, Problem> {
    let collection: Collection = app
        .catalogue()
        .patch_collection(&patch, &writer.author())
        .await?;
    Ok(Answer::curator().json(&headers, &CollectionRecord::of(collection)))
}

/// The categories in order.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "categories",
    summary = "List categories",
    description = "The categories in collection order with how many types each holds. \
        Anonymous readers see published categories and their published types; curators see all.",
    responses(
        (status = 200, description = "The categories", body = CategoryList,
            example = json!({"items": [{"slug": "mopr", "position": 1, "title": {"en": "MOPR", "ru": "МОПР"}, "introduction": {"en": "…"}, "version": 2, "type_count": 1, "html": "/categories/mopr", "types": "/api/v1/types?category=mopr"}]})),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Credentials sent are not valid", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("token" = []))
)]
pub async fn list(
    State(app): State<App>,
    reader: Reader,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    read_through(
        &app,
        &reader,
        "/api/v1/categories".into(),
        &headers,
        || async {
            let categories: Vec<CategorySummary> = if reader.is_curator() {
                app.catalogue().curator_categories().await?
            } else {
                app.catalogue().home().await?.categories
            };
            let list = CategoryList {
                items: categories.into_iter().map(CategoryRecord::of).collect(),
            };
            Answer::for_reader(&reader).prepare(&list)
        },
    )
    .await
}

async fn record_of(
    app: &App,
    reader: &Reader,
    category: Category,
) -> Result<CategoryRecord, Problem> {
    // The counts come with the list; one category's are found there too.
    let all = if reader.is_curator() {
        app.catalogue().curator_categories().await?
    } else {
        app.catalogue().home().await?.categories
    };
    let summary = all
        .into_iter()
        .find(|s| s.category.slug == category.slug)
        .unwrap_or(CategorySummary {
            category,
            type_count: 0,
            thumbnail: None,
        });
    Ok(CategoryRecord::of(summary))
}

/// One category.
#[utoipa::path(
    get,
    path = "/api/v1/categories/{slug}",
    tag = "categories",
    summary = "Read a category",
    description = "A category; a draft only for curators. Its types: `/api/v1/types?category={slug}`.",
    params(("slug" = String, Path, description = "The category's slug.", example = "mopr")),
    responses(
        (status = 200, description = "The category", body = CategoryRecord),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Credentials sent are not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such (published) category", body = Problem, content_type = "application/problem+json"),
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
    let path = format!("/api/v1/categories/{slug}");
    read_through(&app, &reader, path, &headers, || async {
        let category = app.catalogue().curator_category(&slug).await?;
        if !category.published && !reader.is_curator() {
            return Err(Problem::not_found(format!("no category {slug}")));
        }
        let etag = version_etag(category.version, !reader.is_curator());
        let record = record_of(&app, &reader, category).await?;
        Answer::for_reader(&reader).etag(etag).prepare(&record)
    })
    .await
}

fn saved(record: CategoryRecord, status: StatusCode, headers: &HeaderMap) -> Response {
    let mut answer = Answer::curator()
        .etag(version_etag(record.version, false))
        .status(status);
    if status == StatusCode::CREATED {
        answer = answer.location(format!("/api/v1/categories/{}", record.category.slug));
    }
    answer.json(headers, &record)
}

fn category_body(mut body: Value) -> Result<Category, Problem> {
    if let Value::Object(m) = &mut body {
        // What a read adds beside the record.
        for k in ["version", "type_count", "thumbnail", "html", "types"] {
            m.remove(k);
        }
    }
    from_value(body)
}

/// Creates a category.
#[utoipa::path(
    post,
    path = "/api/v1/categories",
    tag = "categories",
    summary = "Create a category",
    request_body(content = Category, content_type = "application/json",
        example = json!({"slug": "osoaviakhim", "title": {"en": "Osoaviakhim", "ru": "Осоавиахим"}, "published": false})),
    responses(
        (status = 201, description = "Created", body = CategoryRecord),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn create(
    State(app): State<App>,
    writer: Writer,
    reader: Reader,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let category = category_body(body)?;
    let saved_category = app
        .catalogue()
        .create_category(category, &writer.author())
        .await?;
    let record = record_of(&app, &reader, saved_category).await?;
    Ok(saved(record, StatusCode::CREATED, &headers))
}

/// Replaces a category.
#[utoipa::path(
    put,
    path = "/api/v1/categories/{slug}",
    tag = "categories",
    summary = "Replace a category",
    description = "Replaces the category (a new slug renames it and updates its types). \
        `If-Match` must hold the version read.",
    params(
        ("slug" = String, Path, description = "The category's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v2\""),
    ),
    request_body(content = Category, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = CategoryRecord),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn replace(
    State(app): State<App>,
    writer: Writer,
    reader: Reader,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let category = category_body(body)?;
    let saved_category = app
        .catalogue()
        .replace_category(&slug, version, category, &writer.author())
        .await?;
    let record = record_of(&app, &reader, saved_category).await?;
    Ok(saved(record, StatusCode::OK, &headers))
}

/// Patches a category.
#[utoipa::path(
    patch,
    path = "/api/v1/categories/{slug}",
    tag = "categories",
    summary = "Change part of a category",
    description = "A JSON Merge Patch (RFC 7396) at the version in `If-Match`.",
    params(
        ("slug" = String, Path, description = "The category's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v2\""),
    ),
    request_body(content = Object, content_type = "application/merge-patch+json",
        example = json!({"title": {"ru": "МОПР"}})),
    responses(
        (status = 200, description = "Saved", body = CategoryRecord),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a merge patch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn patch(
    State(app): State<App>,
    writer: Writer,
    reader: Reader,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
    MergePatch(patch): MergePatch,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let saved_category = app
        .catalogue()
        .patch_category(&slug, version, &patch, &writer.author())
        .await?;
    let record = record_of(&app, &reader, saved_category).await?;
    Ok(saved(record, StatusCode::OK, &headers))
}

/// Deletes a category.
#[utoipa::path(
    delete,
    path = "/api/v1/categories/{slug}",
    tag = "categories",
    summary = "Delete a category",
    description = "Deletes the category at the version in `If-Match`; its types stay, outside it.",
    params(
        ("slug" = String, Path, description = "The category's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v2\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
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
        .delete_category_at(&slug, version, &writer.author())
        .await
        .map_err(super::http::delete_precondition)?;
    Ok(no_content())
}

/// Publishes or withdraws a category.
#[utoipa::path(
    post,
    path = "/api/v1/categories/{slug}/publish",
    tag = "categories",
    summary = "Publish a category",
    params(
        ("slug" = String, Path, description = "The category's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v2\""),
    ),
    responses(
        (status = 200, description = "Published", body = CategoryRecord),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn publish(
    State(app): State<App>,
    writer: Writer,
    reader: Reader,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let c = app
        .catalogue()
        .publish_category(&slug, version, Publication::Publish, &writer.author())
        .await?;
    Ok(saved(
        record_of(&app, &reader, c).await?,
        StatusCode::OK,
        &headers,
    ))
}

/// Withdraws a category.
#[utoipa::path(
    post,
    path = "/api/v1/categories/{slug}/unpublish",
    tag = "categories",
    summary = "Unpublish a category",
    params(
        ("slug" = String, Path, description = "The category's slug."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The version read.", example = "\"v2\""),
    ),
    responses(
        (status = 200, description = "Now a draft", body = CategoryRecord),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn unpublish(
    State(app): State<App>,
    writer: Writer,
    reader: Reader,
    Path(raw): Path<String>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let c = app
        .catalogue()
        .publish_category(&slug, version, Publication::Unpublish, &writer.author())
        .await?;
    Ok(saved(
        record_of(&app, &reader, c).await?,
        StatusCode::OK,
        &headers,
    ))
}
