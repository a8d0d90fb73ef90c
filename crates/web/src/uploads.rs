//! Photo uploads from the curator's workspace: `POST /admin/types/{slug}/upload`.
//!
//! One multipart form carries one or more photos, each after its own `role` and `alt` fields
//! (a row of the plain form, or a file the drag-and-drop script added), and optionally the
//! `specimen` the photos belong to. The handler:
//!
//! 1. reads every part, streaming each file chunk by chunk into a temporary file in the media
//!    store's temp area ([`vitrina_media::Staging`]: hashed as it streams, refused the moment
//!    it passes the configured size), at most `MAX_FILES` files, so memory stays bounded
//!    whatever the number and size of the files;
//! 2. inspects every file from its head ([`vitrina_media::inspect_file`]: format from the
//!    bytes, dimensions from the header, the pixel limit) before storing any, so one bad file
//!    refuses the upload and nothing is left behind (temporary files are deleted on drop);
//! 3. calls one operation, [`vitrina_operations::photos::attach`]: it ingests each file, appends
//!    the photo records and saves the type as the signed-in curator (retrying on a conflict),
//!    removing the originals it stored when the save fails.
//!
//! It answers before any decoding: the derivatives are made by [`vitrina_media::Pipeline`]'s
//! worker. A request that asks for JSON (`Accept: application/json`, the drag-and-drop script)
//! gets JSON; the plain form gets a redirect back to the type's page in the workspace.

use crate::routes::{Access, Routes};
use axum::Json;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::header::{ACCEPT, LOCATION};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;
use vitrina_catalogue::{PhotoRole, Slug, SpecimenId};
use vitrina_media::{MediaError, Pipeline, Staged};
use vitrina_operations::photos::{self, NewPhoto, PhotoError};
use vitrina_storage::StorageError;

use crate::admin::forms::{key_of, parse_key};
use crate::auth::{Curator, Editor};
use crate::problem::Problem;
use crate::state::App;

/// The most photos one request may carry.
pub const MAX_FILES: usize = 24;
/// The longest alt text kept, in characters.
const MAX_ALT: usize = 500;
/// Text fields (role, alt, specimen) are small: anything longer is refused.
const MAX_FIELD: usize = 4096;

pub fn routes() -> Routes {
    // the handler bounds every file itself, by the configured limit, while it streams in
    Routes::new().method(
        Method::POST,
        "/admin/types/{slug}/upload",
        Access::Editor,
        post(upload).layer(DefaultBodyLimit::disable()),
    )
}

/// What the form said.
#[derive(Debug, Default)]
struct Form {
    specimen: Option<SpecimenId>,
    files: Vec<NewPhoto>,
    /// Every other text field, in order (the type page's own fields).
    other: Vec<(String, String)>,
}

/// The names of a form's photo parts: the upload form's (`role`, `alt`, `file`) or the type
/// page's (`new_photo_role`…), where they sit among the record's own fields.
#[derive(Debug, Clone, Copy)]
struct PartNames {
    role: &'static str,
    alt: &'static str,
    file: &'static str,
    /// The most text the form's other fields may hold together, in bytes.
    other_limit: usize,
}

const UPLOAD_FORM: PartNames = PartNames {
    role: "role",
    alt: "alt",
    file: "file",
    other_limit: MAX_FIELD,
};

/// The type page sent as `multipart/form-data` (when it carries new photos): the record's
/// fields as a form would send them, and the photos with their roles and alt texts, streamed
/// into staged files within the same limits as an upload. A refusal (a file too large or not a
/// picture) is shown on the upload error page.
pub(crate) async fn read_type_page(
    app: &App,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(Vec<(String, String)>, Vec<NewPhoto>), Refusal> {
    const TYPE_PAGE: PartNames = PartNames {
        role: "new_photo_role",
        alt: "new_photo_alt",
        file: "new_photo_file",
        other_limit: crate::auth::csrf::MAX_FORM_BODY,
    };
    let mut multipart = multipart.map_err(|e| Refusal::bad(format!("this is not a form: {e}")))?;
    let form = read_form(app.media(), &mut multipart, TYPE_PAGE).await?;
    Ok((form.other, form.files))
}

/// Why an upload was refused, shown to the curator as it is.
#[derive(Debug)]
pub struct Refusal {
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

    /// The stable code a JSON caller matches on.
    fn code(&self) -> &'static str {
        match self.status {
            StatusCode::PAYLOAD_TOO_LARGE => "too-large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media",
            StatusCode::NOT_FOUND => "not-found",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::CONFLICT => "conflict",
            s if s.is_server_error() => "internal",
            _ => "invalid",
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

    /// The refusal as the API's problem document.
    pub(crate) fn problem(self) -> Problem {
        let code = self.code();
        Problem::new(self.status, code).detail(self.message)
    }

    pub(crate) fn respond(self, app: &App, curator: &Curator, slug: &str, json: bool) -> Response {
        if json {
            return self.problem().into_response();
        }
        let root = curator.workspace.root();
        let back = Slug::parse(slug)
            .map(|s| format!("{root}/types/{s}#photos"))
            .unwrap_or_else(|_| format!("{root}/types"));
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
        Ok(done) if json => (StatusCode::CREATED, Json(summary(&done))).into_response(),
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

/// Reads an upload form and attaches its photos to the type `slug` as `curator`: the one
/// path of the workspace's uploads and the API's `POST /api/v1/types/{slug}/photos`.
pub(crate) async fn receive(
    app: &App,
    curator: &Curator,
    slug: &str,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<photos::Attachment, Refusal> {
    let slug =
        Slug::parse(slug).map_err(|_| Refusal::new(StatusCode::NOT_FOUND, "no such type"))?;
    let mut multipart =
        multipart.map_err(|e| Refusal::bad(format!("this is not an upload form: {e}")))?;
    let form = read_form(app.media(), &mut multipart, UPLOAD_FORM).await?;
    if form.files.is_empty() {
        return Err(Refusal::bad("choose at least one photo to upload"));
    }
    let request = photos::Attach {
        slug: slug.clone(),
        specimen: form.specimen,
        photos: form.files,
    };
    let author = crate::admin::author(curator);
    let attached = photos::attach(app.catalogue(), app.media(), request, &author, |r| {
        key_of(r)
    })
    .await
    .map_err(|e| match e {
        PhotoError::Catalogue(e) => operations_refusal(&e),
        PhotoError::Media { name, error } => Refusal::media(&name, &error),
        PhotoError::NotASpecimen => Refusal::bad(e.to_string()),
    })?;
    tracing::info!(type_slug = %slug, photos = attached.attached.len(), user = %curator.user.name, "photos uploaded");
    Ok(attached)
}

/// What the workspace's uploader is told about the photos it sent.
fn summary(attachment: &photos::Attachment) -> serde_json::Value {
    let done: Vec<Uploaded> = attachment
        .attached
        .iter()
        .map(|a| {
            let (width, height) = a.ingested.inspection.upright_size();
            Uploaded {
                file: a.ingested.file.clone(),
                role: a.role,
                width,
                height,
                duplicate: a.ingested.duplicate,
            }
        })
        .collect();
    serde_json::json!({ "photos": done })
}

/// Reads the parts in order; each file takes the role and alt text last given before it.
async fn read_form(
    media: &Pipeline,
    multipart: &mut Multipart,
    names: PartNames,
) -> Result<Form, Refusal> {
    let mut form = Form::default();
    let mut role = PhotoRole::Obverse;
    let mut alt = String::new();
    let mut other_bytes = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_refusal(&e)),
        };
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            n if n == names.file => {
                let file_name = field.file_name().unwrap_or("").to_owned();
                let Some(staged) = stream_to_file(media, field, &file_name).await? else {
                    // a row of the plain form left empty
                    continue;
                };
                if form.files.len() == MAX_FILES {
                    return Err(Refusal::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("at most {MAX_FILES} photos can be uploaded at once"),
                    ));
                }
                form.files.push(NewPhoto {
                    name: file_name,
                    role,
                    alt: alt.clone(),
                    staged,
                });
            }
            n if n == names.role => {
                let value = read_text(field, MAX_FIELD).await?;
                role = parse_key::<PhotoRole>(value.trim()).ok_or_else(|| {
                    Refusal::bad(format!(
                        "{:?} is not a photo role (obverse, reverse, marks, detail, document)",
                        truncate(&value, 40)
                    ))
                })?;
            }
            n if n == names.alt => {
                let value = read_text(field, MAX_FIELD).await?;
                if value.chars().count() > MAX_ALT {
                    return Err(Refusal::bad(format!(
                        "alt text is limited to {MAX_ALT} characters"
                    )));
                }
                alt = value.chars().filter(|c| !c.is_control()).collect();
            }
            "specimen" if names.file == UPLOAD_FORM.file => {
                let value = read_text(field, MAX_FIELD).await?;
                let value = value.trim();
                form.specimen = if value.is_empty() {
                    None
                } else {
                    Some(SpecimenId::new(value.parse::<i64>().map_err(|_| {
                        Refusal::bad("the chosen specimen is not one of this type's")
                    })?))
                };
            }
            // the CSRF token may come as a field too; the rest are the page's own fields
            _ => {
                let value = read_text(field, names.other_limit - other_bytes).await?;
                other_bytes += name.len() + value.len();
                if other_bytes > names.other_limit {
                    return Err(Refusal::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "the form is too large",
                    ));
                }
                if names.file != UPLOAD_FORM.file {
                    form.other.push((name, value));
                }
            }
        }
    }
    Ok(form)
}

/// Streams a file part into a temporary file, chunk by chunk, within the size limit, and
/// inspects it; `None` for an empty part without a name (a row of the form left empty).
async fn stream_to_file(
    media: &Pipeline,
    mut field: Field<'_>,
    name: &str,
) -> Result<Option<Staged>, Refusal> {
    let mut staging = media.stage().await.map_err(|e| Refusal::media(name, &e))?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => staging.write(&chunk).await.map_err(|e| match e {
                MediaError::TooLarge { limit, .. } => Refusal::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "{} is larger than the limit of {} MB",
                        display_name(name),
                        limit / 1_000_000
                    ),
                ),
                e => Refusal::media(name, &e),
            })?,
            Ok(None) => break,
            Err(e) => return Err(multipart_refusal(&e)),
        }
    }
    if staging.is_empty() && name.is_empty() {
        return Ok(None);
    }
    staging
        .finish()
        .await
        .map(Some)
        .map_err(|e| Refusal::media(name, &e))
}

async fn read_text(mut field: Field<'_>, max: usize) -> Result<String, Refusal> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_refusal(&e))? {
        if buf.len() + chunk.len() > max {
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
