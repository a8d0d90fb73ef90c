//! History pages: the whole collection's (`/admin/history`, paged) and each record's
//! (`/admin/types/{slug}/history`, `/admin/categories/{slug}/history`) — who, when, what, and
//! the field-by-field difference — with a Restore button per revision (`POST
//! /admin/history/{id}/restore`, editors and owners), which writes that revision's record back
//! as a new version, a deleted record included.

use crate::routes::{Access, Routes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use vitrina_operations::{RecordKind, Restored, Revision, changes_made};
use vitrina_storage::Page;

use super::history_words::{Said, created, in_words};
use super::lang::{root, tr, trf};
use super::{author, page_error, render, see_other};
use crate::auth::{Curator, Editor};
use crate::error::PageError;
use crate::state::App;
use vitrina_catalogue::Lang;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/history", Access::Curator, collection)
        .get("/admin/types/{slug}/history", Access::Curator, type_history)
        .get(
            "/admin/categories/{slug}/history",
            Access::Curator,
            category_history,
        )
        .post("/admin/history/{id}/restore", Access::Editor, restore)
}

/// A value as the diff shows it: strings as they are, anything else as compact JSON.
fn shown(v: Option<&serde_json::Value>) -> String {
    match v {
        None => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[derive(Debug, Serialize)]
struct Change {
    path: String,
    before: String,
    after: String,
}

/// When, as a curator reads it: "3 December 2026, 12:57 UTC", "3 декабря 2026 г., 12:57 UTC"
/// (the browser rewrites it in the curator's own time zone, see `assets/workspace.js`).
pub(crate) fn human_time(lang: Lang, at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let mut day = vitrina_catalogue::PartialDate::year(at.year());
    day.month = Some(u8::from(at.month()));
    day.day = Some(at.day());
    format!(
        "{}, {:02}:{:02} UTC",
        crate::i18n::date(lang, &day),
        at.hour(),
        at.minute()
    )
}

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    kind: &'static str,
    key: String,
    /// Where the record is edited.
    link: String,
    version: i64,
    op: &'static str,
    author: String,
    /// RFC 3339, for `<time datetime>`.
    at: String,
    /// The same, in words.
    when: String,
    /// The changes in words.
    said: Vec<Said>,
    /// The same changes field by field, for the exact values.
    changes: Vec<Change>,
}

fn row(lang: Lang, previous: Option<&Revision>, r: &Revision) -> Row {
    let made = changes_made(previous, r);
    let said = words(lang, r, &made, previous.map(|p| &p.record));
    let changes = made
        .into_iter()
        .map(|c| Change {
            path: c.path,
            before: shown(c.before.as_ref()),
            after: shown(c.after.as_ref()),
        })
        .collect();
    let link = match r.kind {
        RecordKind::Type => format!("{}/types/{}", root(lang), r.key),
        RecordKind::Category => format!("{}/categories/{}", root(lang), r.key),
        RecordKind::Collection => format!("{}/collection", root(lang)),
    };
    Row {
        id: r.id,
        kind: r.kind.as_str(),
        key: r.key.clone(),
        link,
        version: r.version,
        op: r.op.as_str(),
        author: r.author.name.clone(),
        at: r
            .at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        when: human_time(lang, r.at),
        said,
        changes,
    }
}

/// A revision in words: a record created is one sentence naming it (its fields are in the
/// table beneath), any other change is told change by change.
fn words(
    lang: Lang,
    r: &Revision,
    changes: &[vitrina_storage::FieldChange],
    previous: Option<&serde_json::Value>,
) -> Vec<Said> {
    if r.op == vitrina_storage::HistoryOp::Create {
        return vec![created(lang, r.kind.as_str(), &r.record)];
    }
    in_words(lang, changes, &r.record, previous)
}

#[derive(Debug, Serialize)]
struct HistoryPage {
    title: String,
    /// The record's edit page, for a record's history.
    record: String,
    rows: Vec<Row>,
    page: u64,
    more: bool,
    notice: String,
}

#[derive(Debug, Deserialize)]
struct HistoryQuery {
    #[serde(default)]
    page: u64,
    #[serde(default)]
    deleted: u8,
}

const PER_PAGE: u64 = 50;

async fn collection(
    State(app): State<App>,
    curator: Curator,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let revisions = app
        .catalogue()
        .collection_history(Page::new(query.page * PER_PAGE, PER_PAGE + 1))
        .await
        .map_err(page_error)?;
    let more = revisions.len() as u64 > PER_PAGE;
    let mut rows = Vec::new();
    for r in revisions.iter().take(PER_PAGE as usize) {
        let diff = app.catalogue().revision_diff(r).await.map_err(page_error)?;
        let mut row = row(lang, None, r);
        row.said = words(lang, r, &diff, None);
        row.changes = diff
            .into_iter()
            .map(|c| Change {
                path: c.path,
                before: shown(c.before.as_ref()),
                after: shown(c.after.as_ref()),
            })
            .collect();
        rows.push(row);
    }
    let page = HistoryPage {
        title: tr(lang, "History").into(),
        record: String::new(),
        rows,
        page: query.page,
        more,
        notice: String::new(),
    };
    render(&app, &curator, "admin_history.html", page, StatusCode::OK)
}

async fn record(
    app: &App,
    curator: &Curator,
    kind: RecordKind,
    slug: &str,
    deleted: bool,
) -> Result<Response, PageError> {
    let lang = curator.workspace.lang;
    let revisions = app
        .catalogue()
        .record_history(kind, slug)
        .await
        .map_err(page_error)?;
    if revisions.is_empty() {
        return Err(PageError::not_found(vitrina_catalogue::Lang::En));
    }
    // Newest first: each revision is compared with the next one in the list.
    let rows = revisions
        .iter()
        .enumerate()
        .map(|(i, r)| row(lang, revisions.get(i + 1), r))
        .collect();
    let (title, edit) = match kind {
        RecordKind::Type => (
            "History of the type {slug}",
            format!("{}/types/{}", root(lang), revisions[0].key),
        ),
        RecordKind::Category => (
            "History of the category {slug}",
            format!("{}/categories/{}", root(lang), revisions[0].key),
        ),
        RecordKind::Collection => ("History of the collection {slug}", String::new()),
    };
    let page = HistoryPage {
        title: trf(lang, title, &[("slug", slug)]),
        record: edit,
        rows,
        page: 0,
        more: false,
        notice: if deleted {
            tr(
                lang,
                "Deleted. To undo, restore the version you want below.",
            )
            .into()
        } else {
            String::new()
        },
    };
    render(app, curator, "admin_history.html", page, StatusCode::OK)
}

async fn type_history(
    State(app): State<App>,
    curator: Curator,
    Path(slug): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    record(&app, &curator, RecordKind::Type, &slug, query.deleted == 1).await
}

async fn category_history(
    State(app): State<App>,
    curator: Curator,
    Path(slug): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    record(
        &app,
        &curator,
        RecordKind::Category,
        &slug,
        query.deleted == 1,
    )
    .await
}

async fn restore(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    match app
        .catalogue()
        .restore_revision(id, &author(&curator))
        .await
    {
        Ok(Restored::Type(t)) => Ok(see_other(&format!(
            "/admin/types/{}?notice=Restored+as+version+{}",
            t.slug, t.version
        ))),
        Ok(Restored::Category(c)) => Ok(see_other(&format!(
            "/admin/categories/{}?notice=Restored",
            c.slug
        ))),
        Ok(Restored::Collection(_)) => Ok(see_other("/admin/history")),
        Err(e)
            if matches!(
                &e,
                vitrina_operations::Error::Storage(vitrina_storage::StorageError::Conflict(_))
            ) =>
        {
            // The slug is taken by another record now: say so rather than fail.
            Ok(see_other(
                "/admin/types?notice=That+version+cannot+be+restored%3A+its+slug+is+taken+by+another+record",
            ))
        }
        Err(e) => Err(page_error(e)),
    }
}
