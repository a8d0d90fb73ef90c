//! `/admin/import`: a file brought in as a job. The upload form streams the file (within
//! [`crate::App::max_import_bytes`]) with its options into
//! [`Catalogue::upload_import`](vitrina_operations::Catalogue::upload_import), which keeps it
//! and plans it; the job's page shows the plan — what was detected, the mapping (each column's
//! field chosen from a list), the counts, every problem, the first records as they will be
//! stored — and offers to check again with other choices
//! ([`replan_import`](vitrina_operations::Catalogue::replan_import)) or to import
//! ([`run_import_job`](vitrina_operations::Catalogue::run_import_job)). While the job runs the
//! page shows its progress, refreshing itself (`assets/import.js` asks
//! `/admin/import/{id}/progress` instead when JavaScript is on); once it has ended, its report,
//! with the problems also as CSV (`/admin/import/{id}/report.csv`).

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use vitrina_catalogue::Lang;
use vitrina_operations::Error;
use vitrina_storage::{JobState, StorageError};

use super::intake::{self, Refused, Strictness};
use super::view::{self, InputDoc, JobDoc, job_view, when};
use crate::admin::lang::tr;
use crate::admin::{author, fields, render, see_other};
use crate::auth::{Curator, Editor};
use crate::error::PageError;
use crate::routes::{Access, Routes};
use crate::state::App;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/import", Access::Editor, start)
        // the handler bounds the file itself, by the app's import limit, while it streams in
        .method(
            Method::POST,
            "/admin/import",
            Access::Editor,
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .get("/admin/import/{id}", Access::Curator, job_page)
        .post("/admin/import/{id}", Access::Editor, check_again)
        .post("/admin/import/{id}/run", Access::Editor, run)
        .get("/admin/import/{id}/progress", Access::Curator, progress)
        .get("/admin/import/{id}/report.csv", Access::Curator, report_csv)
}

/// How many recent imports the upload page lists.
const RECENT: u64 = 20;
/// The most text the upload form's fields other than the file may hold together, in bytes.
const MAX_FIELDS: usize = 64 * 1024;

/// A job's id from the path; anything that is not a positive whole number names no job.
fn job_id(raw: &str, lang: Lang) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| PageError::not_found(lang))
}

#[derive(Debug, Serialize)]
struct JobRow {
    id: i64,
    file: String,
    state: &'static str,
    author: String,
    when: String,
    at: String,
    done: u64,
    total: u64,
}

#[derive(Debug, Serialize)]
struct StartPage {
    title: &'static str,
    jobs: Vec<JobRow>,
    presets: Vec<String>,
    encodings: Vec<&'static str>,
    max: String,
    refusal: String,
}

/// `GET /admin/import`: the upload form and the recent imports.
async fn start(State(app): State<App>, Editor(curator): Editor) -> Result<Response, PageError> {
    start_page(&app, &curator, None).await
}

async fn start_page(
    app: &App,
    curator: &Curator,
    refused: Option<&Refused>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let catalogue = app.catalogue();
    let jobs = catalogue
        .import_jobs(RECENT)
        .await
        .map_err(|e| PageError::from_operations(lang, e))?;
    let presets = catalogue
        .import_presets()
        .await
        .map_err(|e| PageError::from_operations(lang, e))?;
    let page = StartPage {
        title: tr(lang, "Import"),
        jobs: jobs
            .iter()
            .map(|j| {
                let (when, at) = when(lang, j.created_at);
                JobRow {
                    id: j.id,
                    file: InputDoc::of(j).name,
                    state: j.state.as_str(),
                    author: j.author.name.clone(),
                    when,
                    at,
                    done: j.done,
                    total: j.total,
                }
            })
            .collect(),
        presets: presets.into_iter().map(|p| p.name).collect(),
        encodings: view::encodings(),
        max: intake::megabytes(app.max_import_bytes()),
        refusal: refused.map(|r| r.message(lang)).unwrap_or_default(),
    };
    let status = refused.map_or(StatusCode::OK, |r| r.status);
    render(app, curator, "admin_import.html", page, status)
}

/// What the upload form sent.
struct Sent {
    name: String,
    bytes: Vec<u8>,
    pairs: Vec<(String, String)>,
}

async fn read_upload(
    app: &App,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Sent, Refused> {
    let limit = app.max_import_bytes();
    // The form's own fields are small: a body declared much larger than the file may be is
    // refused before it is read.
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(MAX_FIELDS as u64 * 2)) {
        return Err(intake::too_large(limit));
    }
    let mut multipart = multipart.map_err(|_| {
        Refused::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            "This is not an upload form: choose a file and send the form.",
        )
    })?;
    let mut file = None;
    let mut pairs = Vec::new();
    let mut text = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(Refused::new(
                    e.status(),
                    "malformed",
                    "The upload could not be read: {reason}",
                )
                .arg("reason", e.body_text()));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            if file.is_some() {
                return Err(Refused::new(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    "Send one file at a time.",
                ));
            }
            // A browser sends an empty part without a name when no file was chosen.
            let bytes = match intake::read_part(field, limit).await {
                Ok(bytes) => Some(bytes),
                Err(r) if r.code == intake::EMPTY => None,
                Err(r) => return Err(r),
            };
            file = Some((file_name, bytes));
            continue;
        }
        let value = intake::read_text(field, MAX_FIELDS.saturating_sub(text)).await?;
        text += name.len() + value.len();
        pairs.push((name, value));
    }
    match file {
        Some((name, Some(bytes))) => Ok(Sent { name, bytes, pairs }),
        Some((name, None)) if !name.is_empty() => Err(intake::empty()),
        _ => Err(choose_a_file()),
    }
}

fn choose_a_file() -> Refused {
    Refused::new(
        StatusCode::BAD_REQUEST,
        "malformed",
        "Choose a file to import.",
    )
}

/// `POST /admin/import` (multipart): keeps the file and plans it, then shows the plan.
async fn upload(
    State(app): State<App>,
    Editor(curator): Editor,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let sent = match read_upload(&app, &headers, multipart).await {
        Ok(sent) => sent,
        Err(refused) => return start_page(&app, &curator, Some(&refused)).await,
    };
    let options = match intake::options(
        sent.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        Strictness::Form,
    ) {
        Ok(o) => o,
        Err(refused) => return start_page(&app, &curator, Some(&refused)).await,
    };
    let job = app
        .catalogue()
        .upload_import(
            app.media(),
            &sent.name,
            sent.bytes,
            options,
            &author(&curator),
        )
        .await
        .map_err(|e| PageError::from_operations(lang, e))?;
    tracing::info!(job = job.id, user = %curator.user.name, "an import was uploaded");
    Ok(see_other(&format!("/admin/import/{}", job.id)))
}

#[derive(Debug, Default, Deserialize)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

async fn job_page(
    State(app): State<App>,
    curator: Curator,
    Path(raw): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let id = job_id(&raw, curator.workspace.lang)?;
    let notice: String = query.notice.chars().take(200).collect();
    show_job(&app, &curator, id, notice, None).await
}

async fn show_job(
    app: &App,
    curator: &Curator,
    id: i64,
    notice: String,
    refused: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let job = app
        .catalogue()
        .import_job(id)
        .await
        .map_err(|e| PageError::from_operations(lang, e))?;
    let presets = if job.state == JobState::Queued {
        app.catalogue()
            .import_presets()
            .await
            .map_err(|e| PageError::from_operations(lang, e))?
            .into_iter()
            .map(|p| p.name)
            .collect()
    } else {
        Vec::new()
    };
    let (status, refusal) = refused.unwrap_or((StatusCode::OK, String::new()));
    let page = job_view(&job, lang, notice, refusal, presets);
    render(app, curator, "admin_import_job.html", page, status)
}

/// `POST /admin/import/{id}`: plans the waiting import again with the form's choices.
async fn check_again(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(raw): Path<String>,
    form: Result<axum::Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let id = job_id(&raw, lang)?;
    let form = fields(form).map_err(|_| PageError::bad_request(lang))?;
    let options = match intake::options(
        form.0.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        Strictness::Form,
    ) {
        Ok(o) => o,
        Err(r) => {
            let refusal = Some((r.status, r.message(lang)));
            return show_job(&app, &curator, id, String::new(), refusal).await;
        }
    };
    match app
        .catalogue()
        .replan_import(app.media(), id, options)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/import/{id}#plan"))),
        Err(Error::Storage(StorageError::Conflict(_))) => {
            let refusal = tr(
                lang,
                "This import has been started: its plan can no longer be changed.",
            );
            let refused = Some((StatusCode::CONFLICT, refusal.to_owned()));
            show_job(&app, &curator, id, String::new(), refused).await
        }
        Err(e) => Err(PageError::from_operations(lang, e)),
    }
}

/// `POST /admin/import/{id}/run`: imports as planned, in the background.
async fn run(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let id = job_id(&raw, lang)?;
    match app
        .catalogue()
        .run_import_job(app.media(), id, &author(&curator))
        .await
    {
        Ok(_) => {
            tracing::info!(job = id, user = %curator.user.name, "an import was started");
            Ok(see_other(&format!("/admin/import/{id}")))
        }
        Err(Error::Storage(StorageError::Conflict(_))) => {
            let refusal = tr(
                lang,
                "This import has already been started: an import runs once. Upload the file again to import it again.",
            );
            let refused = Some((StatusCode::CONFLICT, refusal.to_owned()));
            show_job(&app, &curator, id, String::new(), refused).await
        }
        Err(e) => Err(PageError::from_operations(lang, e)),
    }
}

#[derive(Debug, Serialize)]
struct Progress {
    state: &'static str,
    done: u64,
    total: u64,
}

/// `GET /admin/import/{id}/progress`: where a job is, for the page's script.
async fn progress(
    State(app): State<App>,
    curator: Curator,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let id = job_id(&raw, lang)?;
    let job = app
        .catalogue()
        .import_job(id)
        .await
        .map_err(|e| PageError::from_operations(lang, e))?;
    let body = serde_json::to_vec(&Progress {
        state: job.state.as_str(),
        done: job.done,
        total: job.total,
    })
    .map_err(|e| PageError::internal(lang, e))?;
    let mut res = body.into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `GET /admin/import/{id}/report.csv`: the job's problems (or why it failed), one a row:
/// line, record, column, problem. Written by `vitrina_formats::write_csv`, so a cell a
/// spreadsheet would run as a formula is neutralised; with a byte-order mark, so that Excel
/// reads it as UTF-8.
async fn report_csv(
    State(app): State<App>,
    curator: Curator,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let id = job_id(&raw, lang)?;
    let job = app
        .catalogue()
        .import_job(id)
        .await
        .map_err(|e| PageError::from_operations(lang, e))?;
    let rows: Vec<Vec<String>> = match JobDoc::of(&job) {
        Some(JobDoc::Error { message, .. }) => vec![vec![
            String::new(),
            String::new(),
            String::new(),
            crate::admin::lang::message(lang, &message),
        ]],
        Some(doc) => doc
            .plan()
            .map(|p| {
                p.problems
                    .iter()
                    .map(|p| {
                        let v = view::problem(p, lang);
                        vec![v.line, v.record, v.column, v.message]
                    })
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let table = vitrina_formats::Table {
        headers: ["Line", "Record", "Column", "Problem"]
            .iter()
            .map(|h| tr(lang, h).to_owned())
            .collect(),
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, cells)| vitrina_formats::Row {
                line: i as u64 + 2,
                cells,
            })
            .collect(),
    };
    let options = vitrina_formats::CsvOptions {
        bom: true,
        ..vitrina_formats::CsvOptions::default()
    };
    let bytes =
        vitrina_formats::write_csv(&table, &options).map_err(|e| PageError::internal(lang, e))?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"vitrina-import-{id}-problems.csv\""
    )) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
