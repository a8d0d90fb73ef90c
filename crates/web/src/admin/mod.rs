//! The curator's workspace for the catalogue itself: forms that create, edit, reorder,
//! duplicate, publish and delete categories and types (with their variants, specimens and photo
//! metadata — a specimen's engravings, hallmarks and measurements and a variant's marks are
//! repeating rows inside their form, see [`rows`]), the collection's own title and
//! introduction (`/admin/collection`), the Markdown preview, and the history of every record
//! with restore.
//!
//! Every handler takes a [`Curator`]: any signed-in role reads (a viewer sees private fields and
//! changes nothing), writes take an [`Editor`](crate::auth::Editor). Every form carries the record's
//! `version`; a stale save never overwrites — it re-renders with the curator's input, a clear
//! message and a side-by-side compare with what is stored. Invalid input re-renders the form
//! from exactly what was typed, with each message beside its field. Nothing here talks to
//! storage: writes go through [`vitrina_operations::Catalogue`], which records history, keeps
//! the search index current and bumps the generation the public page cache keys on.
//!
//! Sign-in, CSRF and `Cache-Control: no-store` are the auth guard's; every form here sends the
//! session's `csrf` field.

mod categories;
mod children;
mod collection;
pub(crate) mod forms;
mod history;
mod history_words;
pub(crate) mod labels;
pub(crate) mod lang;
mod rows;
mod ru_templates;
pub(crate) mod transfer;
pub(crate) mod types;
mod whole;

use crate::routes::{Access, Routes};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use vitrina_catalogue::{Lang, ValidationErrors};
use vitrina_operations::{Author, Error};
use vitrina_storage::StorageError;

use crate::auth::{Curator, render_status};
use crate::error::PageError;
use crate::state::App;

/// Every curator route of the catalogue.
pub fn routes() -> Routes {
    Routes::new()
        .merge(types::routes())
        .merge(children::routes())
        .merge(categories::routes())
        .merge(history::routes())
        .merge(collection::routes())
        .merge(transfer::routes())
        .post("/admin/preview", Access::Curator, preview)
}

/// Who the history says made a change.
pub(crate) fn author(curator: &Curator) -> Author {
    Author::user(curator.user_id(), curator.user.name.clone())
}

/// The submitted form as pairs (repeated names kept); a body that is not a form is a 400.
pub(crate) fn fields(
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<forms::Fields, PageError> {
    match form {
        Ok(Form(pairs)) => Ok(forms::Fields(pairs)),
        Err(_) => Err(PageError::bad_request(Lang::En)),
    }
}

/// What a failed write means for the form that made it.
pub(crate) enum Refusal {
    /// Field by field (re-render with the input, 422).
    Invalid(ValidationErrors),
    /// Someone else saved first (re-render with a compare, 409).
    Conflict(String),
    /// Anything else: an error page.
    Page(PageError),
}

pub(crate) fn refusal(err: Error) -> Refusal {
    match err {
        Error::Invalid(e) | Error::Storage(StorageError::Invalid(e)) => Refusal::Invalid(e),
        Error::Storage(StorageError::Conflict(m)) => Refusal::Conflict(m),
        other => Refusal::Page(PageError::from_operations(Lang::En, other)),
    }
}

pub(crate) fn page_error(err: Error) -> PageError {
    PageError::from_operations(Lang::En, err)
}

/// Renders a curator page with the session's CSRF token and the curator.
pub(crate) fn render<S: Serialize>(
    app: &App,
    curator: &Curator,
    template: &str,
    page: S,
    status: StatusCode,
) -> Result<Response, PageError> {
    render_status(app, curator, template, page, status)
}

/// A redirect after a successful write (the browser then GETs the page).
pub(crate) fn see_other(location: &str) -> Response {
    crate::auth::see_other(location)
}

/// One row of a side-by-side compare.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CompareRow {
    pub field: String,
    pub theirs: String,
    pub stored: String,
}

/// The fields where the curator's form and the stored record's form differ.
pub(crate) fn compare(theirs: &forms::Form, stored: &forms::Form) -> Vec<CompareRow> {
    let mut rows = Vec::new();
    for (field, value) in &theirs.values {
        // Bookkeeping, not content: the version and the collection's digest.
        if field == "version" || field == "stored" {
            continue;
        }
        let s = stored.get(field);
        if value.trim() != s.trim() {
            rows.push(CompareRow {
                field: field.clone(),
                theirs: value.clone(),
                stored: s.to_owned(),
            });
        }
    }
    rows
}

/// A confirmation page for a destructive action: a GET shows it, its form POSTs.
#[derive(Debug, Serialize)]
pub(crate) struct Confirm {
    pub title: String,
    pub message: String,
    pub action: String,
    /// Hidden fields the POST carries (`version`, `action`).
    pub hidden: Vec<(String, String)>,
    pub back: String,
}

pub(crate) fn confirm(app: &App, curator: &Curator, page: Confirm) -> Result<Response, PageError> {
    render(app, curator, "admin_confirm.html", page, StatusCode::OK)
}

#[derive(Debug, Serialize)]
struct PreviewPage {
    title: &'static str,
    html: String,
}

/// `POST /admin/preview`: a Markdown text (`markdown`) as the public site would show it,
/// sanitised. Answers the fragment alone to scripts that ask for it (`fragment=1`), else a page.
async fn preview(
    axum::extract::State(app): axum::extract::State<App>,
    curator: Curator,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    let html = crate::markdown::to_html(fields.get("markdown"));
    if fields.get("fragment") == "1" {
        let mut res = (StatusCode::OK, html).into_response();
        res.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return Ok(res);
    }
    render(
        &app,
        &curator,
        "admin_preview.html",
        PreviewPage {
            title: "Preview",
            html,
        },
        StatusCode::OK,
    )
}
