//! `/admin/export`: the whole collection as a file — CSV, CSV for a Russian Excel, XLSX or
//! Vitrina's JSON — through [`Catalogue::export`](vitrina_operations::Catalogue::export).
//! Public fields for every curator; with the private ones (provenance, price, storage place,
//! private notes) for the owner only, whose file name then says `-private`.

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use vitrina_operations::Error;
use vitrina_operations::export::{ExportFormat, Exported};

use crate::admin::lang::tr;
use crate::admin::render;
use crate::auth::Curator;
use crate::error::PageError;
use crate::routes::{Access, Routes};
use crate::state::App;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/export", Access::Curator, page)
        .get("/admin/export/file", Access::Curator, file)
}

#[derive(Debug, Serialize)]
struct ExportPage {
    title: &'static str,
    may_include_private: bool,
    refusal: String,
}

/// `GET /admin/export`: the choices.
async fn page(State(app): State<App>, curator: Curator) -> Result<Response, PageError> {
    show(&app, &curator, StatusCode::OK, String::new())
}

fn show(
    app: &App,
    curator: &Curator,
    status: StatusCode,
    refusal: String,
) -> Result<Response, PageError> {
    let page = ExportPage {
        title: tr(curator.workspace.lang, "Export"),
        may_include_private: curator.user.role.can_manage_users(),
        refusal,
    };
    render(app, curator, "admin_export.html", page, status)
}

#[derive(Debug, Default, Deserialize)]
struct FileQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    private: String,
}

/// `GET /admin/export/file?format=csv|excel|xlsx|json&private=1`: the download. Private
/// fields are the owner's: anyone else asking for them is refused (403).
async fn file(
    State(app): State<App>,
    curator: Curator,
    query: Result<Query<FileQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let Ok(Query(query)) = query else {
        return Err(PageError::bad_request(lang));
    };
    let format = match query.format.as_str() {
        "" => ExportFormat::Csv,
        f => ExportFormat::parse(f).ok_or_else(|| PageError::bad_request(lang))?,
    };
    let private = matches!(query.private.as_str(), "1" | "on" | "true");
    if private && !curator.user.role.can_manage_users() {
        return Err(PageError::forbidden(lang));
    }
    match app.catalogue().export(format, private).await {
        Ok(exported) => {
            tracing::info!(
                user = %curator.user.name,
                format = format.extension(),
                private,
                types = exported.types,
                "the collection was exported"
            );
            Ok(download(exported))
        }
        Err(Error::Export(reason)) => show(
            &app,
            &curator,
            StatusCode::UNPROCESSABLE_ENTITY,
            crate::admin::lang::message(lang, &reason),
        ),
        Err(e) => Err(PageError::from_operations(lang, e)),
    }
}

/// An export as an attachment named by the operation (`vitrina-export-2026-12-07-private.csv`).
pub(crate) fn download(exported: Exported) -> Response {
    let Exported {
        bytes,
        file_name,
        content_type,
        ..
    } = exported;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The operation makes the name of ASCII letters, digits and hyphens.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
