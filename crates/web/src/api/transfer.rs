//! Bringing a collection in and taking it out, for scripts: `POST /api/v1/imports` (the file
//! itself as the body, its options in the query), `GET /api/v1/imports/{id}` (a job, polled
//! until it ends) and `GET /api/v1/export`. The same use cases as the workspace's
//! `/admin/import` and `/admin/export`, whose [`intake`] reads the file and the options.
//!
//! An import that is not a dry run is kept as a job: when its plan has no problems (or
//! `partial` is set and some records can be written) it is started at once and answered 202;
//! a plan with problems is answered 422 with them, and the job is left waiting (`queued`) with
//! its file, so that a person can map its columns and import it in the workspace
//! (`/admin/import/{id}`). A file that cannot be read at all ends the job `failed` (422).

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;
use vitrina_operations::export::ExportFormat;
use vitrina_operations::import::ImportError;
use vitrina_storage::{Job, JobState};

use super::http::{Answer, CuratorReader, Writer};
use crate::admin::transfer::intake::{self, Strictness};
use crate::problem::{PROBLEM_JSON, Problem};
use crate::state::App;

/// Where an import is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportState {
    /// Waiting: to be confirmed (its plan is in `report`), or, for a plan with problems, for
    /// a person to map and import it in the workspace.
    Queued,
    Running,
    /// Written (or, for a file with nothing new, ended with nothing to write).
    Done,
    /// Not written: the file could not be read, or its records had problems.
    Failed,
    /// The server stopped while it ran: nothing of it was written.
    Interrupted,
}

impl From<JobState> for ImportState {
    fn from(s: JobState) -> Self {
        match s {
            JobState::Queued => ImportState::Queued,
            JobState::Running => ImportState::Running,
            JobState::Done => ImportState::Done,
            JobState::Failed => ImportState::Failed,
            JobState::Interrupted => ImportState::Interrupted,
        }
    }
}

/// An import job.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJob {
    pub id: i64,
    pub state: ImportState,
    /// Who sent the file.
    pub author: String,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// RFC 3339; a running job's is renewed as it goes.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Records written so far, of `total` (while it runs).
    pub done: u64,
    pub total: u64,
    /// The file's name, made safe.
    pub file: String,
    /// The file's size in bytes.
    pub size: u64,
    /// The options it was given.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    /// What it found or did: `{"plan": …}` while it waits or runs (see `ImportPlan`),
    /// `{"report": {"plan": …, "applied": …, "written": {…}}}` once it has ended, or
    /// `{"error": {"code": …, "message": …}}` when the file could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub report: Option<serde_json::Value>,
    /// This job in the API.
    pub api: String,
    /// This job in the curator's workspace.
    pub workspace: String,
}

impl ImportJob {
    fn of(job: Job) -> ImportJob {
        let input = job.input;
        ImportJob {
            id: job.id,
            state: job.state.into(),
            author: job.author.name,
            created_at: job.created_at.format(&Rfc3339).unwrap_or_default(),
            updated_at: job.updated_at.format(&Rfc3339).unwrap_or_default(),
            done: job.done,
            total: job.total,
            file: input["name"].as_str().unwrap_or_default().to_owned(),
            size: input["size"].as_u64().unwrap_or_default(),
            options: input.get("options").cloned().unwrap_or_default(),
            report: job.report,
            api: format!("/api/v1/imports/{}", job.id),
            workspace: format!("/admin/import/{}", job.id),
        }
    }
}

/// What an import would do (a dry run's answer, and a job's `plan`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // the schema of `vitrina_operations::import::Plan`, which serialises itself
pub struct ImportPlan {
    /// The file as read: `name`, `format`, `encoding` (and whether it was `encoding_guessed`),
    /// `delimiter`, a workbook's `sheets` and the `sheet` read, a ZIP's `bundle_sheet` and
    /// `bundle_pictures`.
    #[schema(value_type = Object)]
    source: serde_json::Value,
    /// Each column: its `header`, the `field` it is read into (or null), the field's
    /// `label_en` and `label_ru`, and `examples` from the first rows.
    #[schema(value_type = Vec<Object>)]
    columns: Vec<serde_json::Value>,
    /// `rows` read; records to `create`, `update`, left `unchanged`, `refused`; types to
    /// `delete` (replace mode); `categories` created; `photos` brought.
    #[schema(value_type = Object)]
    counts: serde_json::Value,
    /// Every problem: its `line`, `record`, `column`, `field`, `kind` (a stable code:
    /// `no-title`, `duplicate`, `unknown-value`, `invalid`, `too-long`, `disagrees`) and
    /// `message`.
    #[schema(value_type = Vec<Object>)]
    problems: Vec<serde_json::Value>,
    /// The first records as they will be stored.
    #[schema(value_type = Vec<Object>)]
    preview: Vec<serde_json::Value>,
    /// The categories the file creates.
    #[schema(value_type = Vec<Object>)]
    new_categories: Vec<serde_json::Value>,
    mode: String,
    partial: bool,
    /// Whether importing it would write anything.
    can_apply: bool,
}

/// An import refused: a problem document with the file's problems and, when one was kept,
/// the job.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRefusal {
    #[serde(flatten)]
    pub problem: Problem,
    /// The file's problems, as in `ImportPlan`.
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<ImportJob>,
}

impl IntoResponse for ImportRefusal {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (self.problem.status, body).into_response();
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

/// The file itself, as the request's body.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // the schema of a body the handler streams
pub struct ImportFile(Vec<u8>);

/// A file's bytes.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // the schema of an answer's body
pub struct FileBytes(Vec<u8>);

/// The values of the import's options, as the query sends them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // documentation: the handler reads the query itself
pub enum ImportMode {
    Create,
    Upsert,
    Replace,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ImportKey {
    Slug,
    Inventory,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ImportGrouping {
    Auto,
    ByTitle,
    EachRow,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum Delimiter {
    Comma,
    Semicolon,
    Tab,
    Bar,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ExportFormatName {
    Csv,
    Excel,
    Xlsx,
    Json,
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn refusal_status(code: &str) -> StatusCode {
    match code {
        "not-found" => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A code the job's report names, as the `&'static str` a problem carries.
fn known_code(code: &str) -> &'static str {
    match code {
        "not-found" => "not-found",
        "invalid" => "invalid",
        "unreadable" => "unreadable",
        _ => "import-failed",
    }
}

/// Imports a file.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "transfer",
    summary = "Import a file",
    description = "The body is the file itself, sent as it is (any content type but \
        multipart): CSV or TSV in UTF-8, UTF-16, Windows-1251 or KOI8-R, XLSX, ODS, JSON \
        (Vitrina's own export, or an array of flat records), or a ZIP holding one sheet and \
        the photos it names; at most 512 MB. Columns are recognised by their headers, in \
        English or Russian, or mapped by a saved `preset`. With `dry_run=true` the answer is \
        the plan and nothing is kept. Otherwise the file is kept as an import job: a plan \
        without problems (or with `partial=true`, one with records to write) is started at \
        once in the background and answered 202 with the job (poll `Location` until its \
        `state` is `done` or `failed`); a plan with problems is answered 422 with them, and \
        the job is left `queued` so that a curator can map its columns and import it in the \
        workspace (`workspace`). The import is all or nothing: one transaction.",
    params(
        ("name" = Option<String>, Query, description = "The file's name (its extension helps to tell CSV from TSV)."),
        ("mode" = Option<ImportMode>, Query, description = "What to do with records already there: `create` adds only new ones, `upsert` (the default) also updates those there, `replace` also deletes the types the file does not have."),
        ("key" = Option<ImportKey>, Query, description = "How a record finds the one it updates: by `slug` (the default; or its title's slug) or by a piece's `inventory` number."),
        ("partial" = Option<bool>, Query, description = "Import the records without problems and report the rest, instead of refusing the file."),
        ("drafts" = Option<bool>, Query, description = "New records are drafts unless the file says otherwise."),
        ("grouping" = Option<ImportGrouping>, Query, description = "How rows without a slug make types: `auto` (the default), `by-title`, `each-row`."),
        ("dry_run" = Option<bool>, Query, description = "Answer the plan and keep nothing."),
        ("encoding" = Option<String>, Query, description = "The text's encoding instead of the detected one: `UTF-8`, `Windows-1251`, `KOI8-R`, `UTF-16LE`, `UTF-16BE`."),
        ("delimiter" = Option<Delimiter>, Query, description = "The CSV delimiter instead of the detected one."),
        ("sheet" = Option<String>, Query, description = "The sheet of a workbook to read (the first by default)."),
        ("preset" = Option<String>, Query, description = "A column mapping saved in the workspace, applied by header."),
    ),
    request_body(content = ImportFile, content_type = "application/octet-stream",
        description = "The file itself."),
    responses(
        (status = 200, description = "The plan (`dry_run=true`); nothing was kept", body = ImportPlan),
        (status = 202, description = "Kept and started; `Location` is the job", body = ImportJob,
            headers(("Location" = String, description = "The job, to poll"))),
        (status = 400, description = "An option that is not one of its values", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such preset", body = ImportRefusal, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than 512 MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A multipart form: send the file itself", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is empty or cannot be read (the job failed), or its records have problems (the job waits; `problems` lists them)", body = ImportRefusal, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn create(
    State(app): State<App>,
    writer: Writer,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match import(&app, &writer, query.as_deref(), &headers, body).await {
        Ok(res) => res,
        Err(res) => res,
    }
}

async fn import(
    app: &App,
    writer: &Writer,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let pairs = query_pairs(query);
    let pairs = || pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let mut options =
        intake::options(pairs(), Strictness::Api).map_err(|r| r.problem().into_response())?;
    // The API's options are those its document lists.
    options.mapping = None;
    options.save_preset = None;
    let dry_run = pairs().any(|(k, v)| k == "dry_run" && v == "true");
    let name = pairs()
        .find(|(k, _)| *k == "name")
        .map(|(_, v)| v.to_owned())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "upload".to_owned());
    let multipart = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("multipart/"));
    if multipart {
        return Err(Problem::unsupported_media(
            "send the file itself as the body (application/octet-stream), not a multipart form",
        )
        .into_response());
    }
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = intake::read_body(body, declared, app.max_import_bytes())
        .await
        .map_err(|r| match r.status {
            // an empty file: refused as a file, like one that cannot be read
            StatusCode::UNPROCESSABLE_ENTITY => ImportRefusal {
                problem: r.problem(),
                problems: Vec::new(),
                job: None,
            }
            .into_response(),
            _ => r.problem().into_response(),
        })?;
    let catalogue = app.catalogue();
    if dry_run {
        return match catalogue.plan_import(&name, &bytes, &options).await {
            Ok(plan) => Ok(Answer::curator().json(headers, &plan)),
            Err(ImportError::Catalogue(e)) => Err(Problem::from_operations(e).into_response()),
            Err(e) => Err(ImportRefusal {
                problem: Problem::new(refusal_status(e.code()), known_code(e.code()))
                    .detail(e.to_string()),
                problems: Vec::new(),
                job: None,
            }
            .into_response()),
        };
    }
    let job = catalogue
        .upload_import(app.media(), &name, bytes, options, &writer.author())
        .await
        .map_err(|e| Problem::from_operations(e).into_response())?;
    let report = job.report.clone().unwrap_or_default();
    if job.state == JobState::Failed {
        let code = report
            .pointer("/error/code")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let message = report
            .pointer("/error/message")
            .and_then(|v| v.as_str())
            .unwrap_or("the file could not be imported");
        return Err(ImportRefusal {
            problem: Problem::new(refusal_status(code), known_code(code)).detail(message),
            problems: Vec::new(),
            job: Some(ImportJob::of(job)),
        }
        .into_response());
    }
    let can_apply = report.pointer("/plan/can_apply") == Some(&serde_json::Value::Bool(true));
    let problems: Vec<serde_json::Value> = report
        .pointer("/plan/problems")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    if !can_apply && !problems.is_empty() {
        let detail = format!(
            "the file has {} problem(s), listed in `problems`; nothing was imported. The import \
             waits at {} to be mapped and imported by a curator, or send the file again \
             corrected (or with partial=true)",
            problems.len(),
            format_args!("/admin/import/{}", job.id),
        );
        return Err(ImportRefusal {
            problem: Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "import-refused")
                .detail(detail),
            problems,
            job: Some(ImportJob::of(job)),
        }
        .into_response());
    }
    // Nothing to do is done at once: the job ends `done`, having written nothing.
    let started = catalogue
        .run_import_job(app.media(), job.id, &writer.author())
        .await
        .map_err(|e| Problem::from_operations(e).into_response())?;
    tracing::info!(job = started.id, user = %writer.0.user.name, "an import was started through the API");
    let location = format!("/api/v1/imports/{}", started.id);
    Ok(Answer::curator()
        .status(StatusCode::ACCEPTED)
        .location(location)
        .json(headers, &ImportJob::of(started)))
}

/// An import job.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}",
    tag = "transfer",
    summary = "An import job",
    description = "Where an import is (`state`, `done` of `total` while it runs), who sent it \
        and when, and what it found or did (`report`).",
    params(("id" = i64, Path, description = "The job's id.")),
    responses(
        (status = 200, description = "The job", body = ImportJob),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn job(
    State(app): State<App>,
    _curator: CuratorReader,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Problem::not_found(format!("there is no import {raw:?}")))?;
    let job = app.catalogue().import_job(id).await?;
    Ok(Answer::curator().json(&headers, &ImportJob::of(job)))
}

/// Exports the collection.
#[utoipa::path(
    get,
    path = "/api/v1/export",
    tag = "transfer",
    summary = "Export the collection",
    description = "Every type (drafts included, with a `published` column) and the \
        categories, as a file: `csv` (UTF-8, commas), `excel` (CSV with a byte-order mark and \
        semicolons, as a Russian Excel opens it), `xlsx`, or `json` (Vitrina's own: imports \
        back as it was). Public fields only, unless `private=true`, which only an owner may \
        ask for; the file name in `Content-Disposition` then ends in `-private`.",
    params(
        ("format" = Option<ExportFormatName>, Query, description = "The file's format (`csv` by default)."),
        ("private" = Option<bool>, Query, description = "Include the private fields (provenance, acquisition, price, storage place, private notes): owners only."),
    ),
    responses(
        (status = 200, description = "The file, as an attachment",
            content(
                (String = "text/csv"),
                (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (Object = "application/json"),
            ),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"vitrina-export-2026-12-07.csv\"`"))),
        (status = 400, description = "An unknown format, or `private` that is not true or false", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Private fields asked for by someone who is not an owner", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The collection cannot be written in this format (a cell too long for a spreadsheet)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn export(
    State(app): State<App>,
    curator: CuratorReader,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let mut format = ExportFormat::Csv;
    let mut private = false;
    for (k, v) in query_pairs(query.as_deref()) {
        match k.as_str() {
            "format" => {
                format = match v.as_str() {
                    "csv" => ExportFormat::Csv,
                    "excel" => ExportFormat::Excel,
                    "xlsx" => ExportFormat::Xlsx,
                    "json" => ExportFormat::Json,
                    other => {
                        return Err(Problem::bad_request(
                            "bad-query",
                            format!("the format must be csv, excel, xlsx or json, not {other:?}"),
                        ));
                    }
                }
            }
            "private" => {
                private = match v.as_str() {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(Problem::bad_request(
                            "bad-query",
                            format!("private must be true or false, not {other:?}"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if private && !curator.0.user.role.can_manage_users() {
        return Err(Problem::forbidden(
            "only an owner may export the private fields",
        ));
    }
    match app.catalogue().export(format, private).await {
        Ok(exported) => {
            tracing::info!(
                user = %curator.0.user.name,
                format = format.extension(),
                private,
                types = exported.types,
                "the collection was exported through the API"
            );
            Ok(crate::admin::transfer::download(exported))
        }
        Err(vitrina_operations::Error::Export(reason)) => {
            Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable").detail(reason))
        }
        Err(e) => Err(e.into()),
    }
}
