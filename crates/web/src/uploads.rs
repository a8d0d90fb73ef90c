//! Photo uploads from the curator's workspace: `POST /admin/types/{slug}/upload`.
//!
//! One multipart form carries one or more photos, each after its own `role` and `alt` fields
//! (a row of the plain form, or a file the drag-and-drop script added), and optionally the
//! `specimen` the photos belong to. The handler:
//!
//! 1. reads every part, refusing a file over the configured size while it streams in and the
//!    whole request over `MAX_FILES` files' worth;
//! 2. inspects every file ([`vitrina_media::inspect`]: format from the bytes, dimensions from
//!    the header, the pixel limit) before storing any, so one bad file refuses the upload and
//!    nothing is left behind;
//! 3. ingests each (the original is stored privately under its content hash, identical uploads
//!    once, and the derivatives are queued for the background worker);
//! 4. appends the photo records to the type or specimen and saves the type as the signed-in
//!    curator, so the upload is in the history and can be undone. A save that fails removes
//!    the originals this request stored.
//!
//! It answers before any decoding: the derivatives are made by [`vitrina_media::Pipeline`]'s
//! worker. A request that asks for JSON (`Accept: application/json`, the drag-and-drop script)
//! gets JSON; the plain form gets a redirect back to the type's page in the workspace.

use axum::Json;
use axum::Router;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::header::{ACCEPT, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::{Bytes, BytesMut};
use serde::Serialize;
use vitrina_catalogue::{Photo, PhotoRole, Slug, SpecimenId, Text};
use vitrina_media::{Ingested, MediaError};
use vitrina_storage::StorageError;

use crate::admin::forms::{key_of, parse_key};
use crate::auth::{Curator, Editor};
use crate::state::App;

/// The most photos one request may carry.
pub const MAX_FILES: usize = 24;
/// The longest alt text kept, in characters.
const MAX_ALT: usize = 500;
/// Text fields (role, alt, specimen) are small: anything longer is refused.
const MAX_FIELD: usize = 4096;
/// Saving the type is retried this often when another save got in between.
const SAVE_ATTEMPTS: usize = 3;

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/types/{slug}/upload", post(upload))
        // the handler bounds every file itself, by the configured limit, while it streams in
        .layer(DefaultBodyLimit::disable())
}

/// One file of the form, with the role and alt text given before it.
#[derive(Debug)]
struct Upload {
    name: String,
    role: PhotoRole,
    alt: String,
    bytes: Bytes,
}

/// What the form said.
#[derive(Debug, Default)]
struct Form {
    specimen: Option<SpecimenId>,
    files: Vec<Upload>,
}

/// Why an upload was refused, shown to the curator as it is.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn media(name: &str, err: &MediaError) -> Self {
        let status = match err {
            MediaError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            MediaError::Unsupported { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            MediaError::NotFound(_) => StatusCode::NOT_FOUND,
            e if e.is_client_error() => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(file = name, error = %err, "photo upload failed");
            return Self::new(status, "the photo could not be stored; please try again");
        }
        Self::new(status, format!("{}: {err}", display_name(name)))
    }

    fn respond(self, app: &App, curator: &Curator, slug: &str, json: bool) -> Response {
        if json {
            return (
                self.status,
                Json(serde_json::json!({ "error": self.message })),
            )
                .into_response();
        }
        let back = Slug::parse(slug)
            .map(|s| format!("/admin/types/{s}#photos"))
            .unwrap_or_else(|_| "/admin/types".to_owned());
        let page = serde_json::json!({ "message": self.message, "back": back });
        match crate::auth::render_admin(app, curator, "admin_upload_error.html", page) {
            Ok(mut res) => {
                *res.status_mut() = self.status;
                res
            }
            Err(e) => e.into_response(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Uploaded {
    file: String,
    role: PhotoRole,
    width: u32,
    height: u32,
    duplicate: bool,
}

async fn upload(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let json = wants_json(&headers);
    match receive(&app, &curator, &slug, multipart).await {
        Ok(done) if json => (StatusCode::CREATED, Json(done)).into_response(),
        Ok(_) => {
            let mut res = StatusCode::SEE_OTHER.into_response();
            let to = format!("/admin/types/{slug}#photos");
            if let Ok(v) = HeaderValue::from_str(&to) {
                res.headers_mut().insert(LOCATION, v);
            }
            res
        }
        Err(refusal) => refusal.respond(&app, &curator, &slug, json),
    }
}

async fn receive(
    app: &App,
    curator: &Curator,
    slug: &str,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<serde_json::Value, Refusal> {
    let slug =
        Slug::parse(slug).map_err(|_| Refusal::new(StatusCode::NOT_FOUND, "no such type"))?;
    let catalogue = app.catalogue();
    // the type must exist before a byte is stored; this read is also the first save's base
    let mut badge_type = catalogue
        .curator_type(&slug)
        .await
        .map_err(|e| operations_refusal(&e))?;
    let mut multipart =
        multipart.map_err(|e| Refusal::bad(format!("this is not an upload form: {e}")))?;
    let pipeline = app.media();
    let max_bytes = pipeline.limits().max_bytes;
    let form = read_form(&mut multipart, max_bytes).await?;
    if form.files.is_empty() {
        return Err(Refusal::bad("choose at least one photo to upload"));
    }

    if let Some(id) = form.specimen
        && !badge_type.specimens().any(|s| s.id == Some(id))
    {
        return Err(Refusal::bad(
            "the chosen specimen is not one of this type's",
        ));
    }

    // every file is checked before any is stored: one bad file refuses the whole upload
    let limits = pipeline.limits().clone();
    for file in &form.files {
        let (bytes, limits) = (file.bytes.clone(), limits.clone());
        tokio::task::spawn_blocking(move || vitrina_media::inspect(&bytes, &limits))
            .await
            .map_err(|e| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
            .map_err(|e| Refusal::media(&file.name, &e))?;
    }

    let mut ingested: Vec<(Ingested, &Upload)> = Vec::with_capacity(form.files.len());
    for file in &form.files {
        match pipeline.ingest(file.bytes.clone()).await {
            Ok(done) => ingested.push((done, file)),
            Err(e) => {
                forget(app, &ingested).await;
                return Err(Refusal::media(&file.name, &e));
            }
        }
    }

    let author = crate::admin::author(curator);
    let mut attempt = 0;
    loop {
        attempt += 1;
        if attempt > 1 {
            // another save got in between: append to what is stored now
            badge_type = match catalogue.curator_type(&slug).await {
                Ok(t) => t,
                Err(e) => {
                    forget(app, &ingested).await;
                    return Err(operations_refusal(&e));
                }
            };
        }
        let names = badge_type.names.clone();
        let photos: Vec<Photo> = ingested
            .iter()
            .map(|(done, file)| photo_record(done, file, &names.en))
            .collect();
        let target = match form.specimen {
            None => &mut badge_type.photos,
            Some(id) => match badge_type
                .variants
                .iter_mut()
                .flat_map(|v| v.specimens.iter_mut())
                .find(|s| s.id == Some(id))
            {
                Some(specimen) => &mut specimen.photos,
                None => {
                    forget(app, &ingested).await;
                    return Err(Refusal::bad(
                        "the chosen specimen is not one of this type's",
                    ));
                }
            },
        };
        // the same picture twice on one record is one photo
        for photo in photos {
            if !target.iter().any(|p| p.file == photo.file) {
                target.push(photo);
            }
        }
        match catalogue.save_type_by(&badge_type, &author).await {
            Ok(_) => break,
            Err(vitrina_operations::Error::Storage(StorageError::Conflict(_)))
                if attempt < SAVE_ATTEMPTS =>
            {
                continue;
            }
            Err(e) => {
                forget(app, &ingested).await;
                return Err(operations_refusal(&e));
            }
        }
    }
    let done: Vec<Uploaded> = ingested
        .iter()
        .map(|(d, f)| {
            let (width, height) = d.inspection.upright_size();
            Uploaded {
                file: d.file.clone(),
                role: f.role,
                width,
                height,
                duplicate: d.duplicate,
            }
        })
        .collect();
    tracing::info!(type_slug = %slug, photos = done.len(), user = %curator.user.name, "photos uploaded");
    Ok(serde_json::json!({ "photos": done }))
}

/// Removes what this request stored (originals that were new), after a failure.
async fn forget(app: &App, ingested: &[(Ingested, &Upload)]) {
    for (done, _) in ingested {
        if !done.duplicate
            && let Err(e) = app.media().remove(&done.hash).await
        {
            tracing::error!(hash = %done.hash, error = %e, "could not remove an unsaved upload");
        }
    }
}

fn photo_record(done: &Ingested, file: &Upload, type_name: &str) -> Photo {
    let (width, height) = done.inspection.upright_size();
    let alt = if file.alt.trim().is_empty() {
        format!("{type_name}, {}", key_of(&file.role))
    } else {
        file.alt.trim().to_owned()
    };
    Photo {
        id: None,
        role: file.role,
        file: done.file.clone(),
        alt: Text {
            en: alt,
            ru: String::new(),
        },
        caption: Text::default(),
        illustration: false,
        width: Some(width),
        height: Some(height),
        credit: String::new(),
    }
}

/// Reads the parts in order; each file takes the role and alt text last given before it.
async fn read_form(multipart: &mut Multipart, max_bytes: u64) -> Result<Form, Refusal> {
    let mut form = Form::default();
    let mut role = PhotoRole::Obverse;
    let mut alt = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_refusal(&e)),
        };
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("").to_owned();
                let bytes = read_limited(field, max_bytes, &file_name).await?;
                if bytes.is_empty() && file_name.is_empty() {
                    // a row of the plain form left empty
                    continue;
                }
                if form.files.len() == MAX_FILES {
                    return Err(Refusal::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("at most {MAX_FILES} photos can be uploaded at once"),
                    ));
                }
                form.files.push(Upload {
                    name: file_name,
                    role,
                    alt: alt.clone(),
                    bytes,
                });
            }
            "role" => {
                let value = read_text(field).await?;
                role = parse_key::<PhotoRole>(value.trim()).ok_or_else(|| {
                    Refusal::bad(format!(
                        "{:?} is not a photo role (obverse, reverse, marks, detail, document)",
                        truncate(&value, 40)
                    ))
                })?;
            }
            "alt" => {
                let value = read_text(field).await?;
                if value.chars().count() > MAX_ALT {
                    return Err(Refusal::bad(format!(
                        "alt text is limited to {MAX_ALT} characters"
                    )));
                }
                alt = value.chars().filter(|c| !c.is_control()).collect();
            }
            "specimen" => {
                let value = read_text(field).await?;
                let value = value.trim();
                form.specimen = if value.is_empty() {
                    None
                } else {
                    Some(SpecimenId::new(value.parse::<i64>().map_err(|_| {
                        Refusal::bad("the chosen specimen is not one of this type's")
                    })?))
                };
            }
            // the CSRF token may come as a field too; anything else is ignored
            _ => {
                let _ = read_text(field).await?;
            }
        }
    }
    Ok(form)
}

async fn read_limited(mut field: Field<'_>, max_bytes: u64, name: &str) -> Result<Bytes, Refusal> {
    let mut buf = BytesMut::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if (buf.len() + chunk.len()) as u64 > max_bytes {
                    return Err(Refusal::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "{} is larger than the limit of {} MB",
                            display_name(name),
                            max_bytes / 1_000_000
                        ),
                    ));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(buf.freeze()),
            Err(e) => return Err(multipart_refusal(&e)),
        }
    }
}

async fn read_text(mut field: Field<'_>) -> Result<String, Refusal> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_refusal(&e))? {
        if buf.len() + chunk.len() > MAX_FIELD {
            return Err(Refusal::bad("a form field is too long"));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| Refusal::bad("a form field is not valid UTF-8"))
}

fn multipart_refusal(e: &MultipartError) -> Refusal {
    Refusal::new(
        e.status(),
        format!("the upload could not be read: {}", e.body_text()),
    )
}

fn operations_refusal(e: &vitrina_operations::Error) -> Refusal {
    if e.is_not_found() {
        return Refusal::new(StatusCode::NOT_FOUND, "no such type");
    }
    match e {
        vitrina_operations::Error::Storage(StorageError::Conflict(_)) => Refusal::new(
            StatusCode::CONFLICT,
            "the type was changed by someone else while the photos were uploading; please try again",
        ),
        vitrina_operations::Error::Invalid(errors)
        | vitrina_operations::Error::Storage(StorageError::Invalid(errors)) => {
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, errors.to_string())
        }
        other => {
            tracing::error!(error = %other, "saving uploaded photos failed");
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the photos could not be saved; please try again",
            )
        }
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn display_name(name: &str) -> String {
    if name.is_empty() {
        "the file".to_owned()
    } else {
        format!("“{}”", truncate(name, 80))
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_the_five_the_catalogue_knows() {
        for (s, r) in [
            ("obverse", PhotoRole::Obverse),
            ("reverse", PhotoRole::Reverse),
            ("marks", PhotoRole::Marks),
            ("detail", PhotoRole::Detail),
            ("document", PhotoRole::Document),
        ] {
            assert_eq!(parse_key::<PhotoRole>(s), Some(r));
            assert_eq!(key_of(&r), s);
        }
        assert_eq!(parse_key::<PhotoRole>("<script>"), None);
        assert_eq!(parse_key::<PhotoRole>(""), None);
    }

    #[test]
    fn file_names_are_shown_short_and_without_control_characters() {
        assert_eq!(display_name(""), "the file");
        assert_eq!(display_name("a\u{7}b.jpg"), "“ab.jpg”");
        assert_eq!(display_name(&"x".repeat(500)).chars().count(), 82);
    }
}
