//! History (curators only: revisions hold private fields) and photos' metadata.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use time::format_description::well_known::Rfc3339;
use vitrina_catalogue::PhotoId;
use vitrina_operations::{PhotoChange, RecordKind, Restored, Revision};

use super::http::{
    Answer, CuratorReader, IfMatch, JsonBody, Reader, Writer, from_value, slug, version_etag,
};
use super::shapes::{
    Change, History, PhotoPatch, PhotoRecord, RevisionDetail, RevisionEntry, TypeRecord,
};
use crate::problem::Problem;
use crate::state::App;

/// A record's id from the path; anything that is not a positive whole number names no record.
fn record_id(raw: &str, what: &str) -> Result<i64, Problem> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Problem::not_found(format!("there is no {what} {raw:?}")))
}

fn entry(r: &Revision) -> RevisionEntry {
    RevisionEntry {
        id: r.id,
        op: r.op.as_str().to_owned(),
        author: r.author.name.clone(),
        at: r.at.format(&Rfc3339).unwrap_or_default(),
        key: r.key.clone(),
        api: format!("/api/v1/revisions/{}", r.id),
    }
}

/// A type's history.
#[utoipa::path(
    get,
    path = "/api/v1/types/{slug}/history",
    tag = "history",
    summary = "A type's history",
    description = "Every revision of the type (under any slug it ever had), newest first.",
    params(("slug" = String, Path, description = "The type's slug, now or before.")),
    responses(
        (status = 200, description = "The revisions", body = History,
            example = json!({"items": [{"id": 41, "op": "update", "author": "anna", "at": "2026-11-30T18:02:11Z", "key": "mopr-badge", "api": "/api/v1/revisions/41"}]})),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No record ever had this slug", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn type_history(
    State(app): State<App>,
    _curator: CuratorReader,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let revisions = app
        .catalogue()
        .record_history(RecordKind::Type, slug.as_str())
        .await?;
    if revisions.is_empty() {
        return Err(Problem::not_found(format!(
            "no type ever had the slug {slug}"
        )));
    }
    let history = History {
        items: revisions.iter().map(entry).collect(),
    };
    Ok(Answer::curator().json(&headers, &history))
}

/// One revision with what it changed.
#[utoipa::path(
    get,
    path = "/api/v1/revisions/{id}",
    tag = "history",
    summary = "A revision and its changes",
    description = "The record as it stood after the change (for a delete: before it), and the \
        field-by-field difference from the revision before.",
    params(("id" = i64, Path, description = "The revision's id.")),
    responses(
        (status = 200, description = "The revision", body = RevisionDetail,
            example = json!({"id": 41, "op": "update", "author": "anna", "at": "2026-11-30T18:02:11Z", "key": "mopr-badge", "api": "/api/v1/revisions/41", "kind": "type", "record": {}, "changes": [{"path": "established", "before": "1932", "after": "1933"}]})),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such revision", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn revision(
    State(app): State<App>,
    _curator: CuratorReader,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let id = record_id(&id, "revision")?;
    let revision = app.catalogue().revision(id).await?;
    let changes = app.catalogue().revision_diff(&revision).await?;
    let detail = RevisionDetail {
        entry: entry(&revision),
        kind: revision.kind.as_str().to_owned(),
        changes: changes
            .into_iter()
            .map(|c| Change {
                path: c.path,
                before: c.before,
                after: c.after,
            })
            .collect(),
        record: revision.record,
    };
    Ok(Answer::curator().json(&headers, &detail))
}

/// Writes a revision back.
#[utoipa::path(
    post,
    path = "/api/v1/revisions/{id}/restore",
    tag = "history",
    summary = "Restore a revision",
    description = "Writes the revision's record back as a new version (a deleted record comes \
        back with its old id) and answers with the record's location.",
    params(("id" = i64, Path, description = "The revision's id.")),
    responses(
        (status = 200, description = "Restored; `Location` names the record", body = RevisionEntry),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such revision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record's slug is taken now", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn restore(
    State(app): State<App>,
    writer: Writer,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let id = record_id(&id, "revision")?;
    let restored = app
        .catalogue()
        .restore_revision(id, &writer.author())
        .await?;
    let location = match &restored {
        Restored::Type(t) => format!("/api/v1/types/{}", t.slug),
        Restored::Category(c) => format!("/api/v1/categories/{}", c.slug),
        Restored::Collection(_) => "/api/v1/collection".to_owned(),
    };
    let revision = app.catalogue().revision(id).await?;
    Ok(Answer::curator()
        .location(location)
        .json(&headers, &entry(&revision)))
}

/// A type's photos.
#[utoipa::path(
    get,
    path = "/api/v1/types/{slug}/photos",
    tag = "photos",
    summary = "A type's photos",
    description = "The type's own photos in order, each with its derivatives' URLs (specimens' \
        photos are in the type's record).",
    params(("slug" = String, Path, description = "The type's slug.")),
    responses(
        (status = 200, description = "The photos", body = Vec<PhotoRecord>),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Credentials sent are not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such (published) type", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("token" = []))
)]
pub async fn photos(
    State(app): State<App>,
    reader: Reader,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let record = super::http::read_type(&app, &reader, &slug).await?;
    let etag = version_etag(record.version, !reader.is_curator());
    let photos: Vec<PhotoRecord> = record.photos.into_iter().map(PhotoRecord::of).collect();
    Ok(Answer::for_reader(&reader)
        .etag(etag)
        .json(&headers, &photos))
}

fn find_photo(record: &vitrina_catalogue::BadgeType, id: i64) -> Option<vitrina_catalogue::Photo> {
    let id = PhotoId::new(id);
    record
        .photos
        .iter()
        .chain(record.specimens().flat_map(|s| s.photos.iter()))
        .find(|p| p.id == Some(id))
        .cloned()
}

/// One photo.
#[utoipa::path(
    get,
    path = "/api/v1/types/{slug}/photos/{id}",
    tag = "photos",
    summary = "A photo",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("id" = i64, Path, description = "The photo's id."),
    ),
    responses(
        (status = 200, description = "The photo", body = PhotoRecord),
        (status = 304, description = "Not modified"),
        (status = 401, description = "Credentials sent are not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("token" = []))
)]
pub async fn photo(
    State(app): State<App>,
    reader: Reader,
    Path((raw, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let id = record_id(&id, "photo")?;
    let record = super::http::read_type(&app, &reader, &slug).await?;
    let etag = version_etag(record.version, !reader.is_curator());
    let photo = find_photo(&record, id)
        .ok_or_else(|| Problem::not_found(format!("type {slug} has no photo {id}")))?;
    Ok(Answer::for_reader(&reader)
        .etag(etag)
        .json(&headers, &PhotoRecord::of(photo)))
}

/// Changes a photo's metadata.
#[utoipa::path(
    patch,
    path = "/api/v1/types/{slug}/photos/{id}",
    tag = "photos",
    summary = "Change a photo's metadata",
    description = "Role, alt text, caption, credit and place among the photos. `If-Match` holds \
        the type's version; the answer is the type.",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("id" = i64, Path, description = "The photo's id."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The type's version.", example = "\"v3\""),
    ),
    request_body(content = PhotoPatch, content_type = "application/json",
        example = json!({"role": "reverse", "alt": {"en": "The reverse, with the maker's mark", "ru": "Оборот с клеймом"}})),
    responses(
        (status = 200, description = "Saved", body = TypeRecord),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn patch_photo(
    State(app): State<App>,
    writer: Writer,
    Path((raw, id)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let id = record_id(&id, "photo")?;
    let patch: PhotoPatch = from_value(body)?;
    let change = PhotoChange {
        role: patch.role,
        alt: patch.alt,
        caption: patch.caption,
        credit: patch.credit,
        position: patch.position.map(|p| p as usize),
    };
    let saved = app
        .catalogue()
        .change_photo(&slug, version, PhotoId::new(id), change, &writer.author())
        .await?;
    Ok(Answer::curator()
        .etag(version_etag(saved.version, false))
        .json(&headers, &TypeRecord::of(saved)))
}

/// Removes a photo.
#[utoipa::path(
    delete,
    path = "/api/v1/types/{slug}/photos/{id}",
    tag = "photos",
    summary = "Remove a photo",
    description = "Removes the photo from the type (history can bring it back). `If-Match` \
        holds the type's version; the answer is the type.",
    params(
        ("slug" = String, Path, description = "The type's slug."),
        ("id" = i64, Path, description = "The photo's id."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("v?[0-9]{1,18}(-p)?"|v?[0-9]{1,18}(-p)?)$"#, description = "The type's version.", example = "\"v3\""),
    ),
    responses(
        (status = 200, description = "Removed", body = TypeRecord),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn delete_photo(
    State(app): State<App>,
    writer: Writer,
    Path((raw, id)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let slug = slug(&raw)?;
    let id = record_id(&id, "photo")?;
    let saved = app
        .catalogue()
        .remove_photo(&slug, version, PhotoId::new(id), &writer.author())
        .await?;
    Ok(Answer::curator()
        .status(StatusCode::OK)
        .etag(version_etag(saved.version, false))
        .json(&headers, &TypeRecord::of(saved)))
}

/// The form of a photo upload (`multipart/form-data`): one or more files, each after the
/// `role` and `alt` that apply to it.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // the schema of a form the handler reads part by part
pub struct PhotoUpload {
    /// A JPEG, PNG, WebP, TIFF or HEIF photo; repeat the field for several (at most 24).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The role of the files that follow.
    #[schema(value_type = Option<vitrina_catalogue::PhotoRole>)]
    role: Option<String>,
    /// The alt text of the files that follow (at most 500 characters); empty gives one made
    /// from the type's name and the role.
    alt: Option<String>,
    /// The id of one of the type's specimens, to attach the photos to it instead of the type.
    specimen: Option<i64>,
}

/// Uploads photos.
#[utoipa::path(
    post,
    path = "/api/v1/types/{slug}/photos",
    tag = "photos",
    summary = "Upload photos",
    description = "Attaches the uploaded photos to the type (or one of its specimens). Each file \
        is streamed to disk, checked from its bytes (format, dimensions, size) before any is \
        stored, and its derivatives are made in the background. Photos are appended, so no \
        `If-Match` is needed. The answer lists the new photos with their ids and URLs.",
    params(("slug" = String, Path, description = "The type's slug.")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Attached", body = Vec<PhotoRecord>),
        (status = 400, description = "Not an upload form, or a bad field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The type kept changing while saving", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "A file or the form is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file that is not a photo", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A photo that cannot be used", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn upload_photos(
    State(app): State<App>,
    writer: Writer,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, Problem> {
    let multipart_sent = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart_sent {
        return Err(Problem::unsupported_media(
            "photos are uploaded as multipart/form-data",
        ));
    }
    let attachment = crate::uploads::receive(&app, &writer.0, &raw, multipart)
        .await
        .map_err(crate::uploads::Refusal::problem)?;
    let photos: Vec<PhotoRecord> = attachment
        .photos()
        .into_iter()
        .cloned()
        .map(PhotoRecord::of)
        .collect();
    let slug = &attachment.saved.slug;
    let mut answer = Answer::curator()
        .status(StatusCode::CREATED)
        .etag(version_etag(attachment.saved.version, false));
    if let Some(id) = photos.first().and_then(|p| p.photo.id) {
        answer = answer.location(format!("/api/v1/types/{slug}/photos/{id}"));
    }
    Ok(answer.json(&headers, &photos))
}
