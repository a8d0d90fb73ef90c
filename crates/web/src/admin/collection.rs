//! `/admin/collection`: the collection's own title and introduction (English and Russian, the
//! introduction in Markdown with a preview), saved through
//! [`vitrina_operations::Catalogue::put_collection_by`] so each change is in `/admin/history`.
//!
//! The collection has no version number, so its form carries a digest of what it was read
//! from (`stored`): a save made after someone else changed the collection is refused with the
//! curator's input kept and compared with what is stored, as on the other forms.

use crate::routes::{Access, Routes};
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use vitrina_catalogue::{Collection, Text};

use super::forms::{self, Fields, Form};
use super::{CompareRow, Refusal, author, compare, fields, page_error, refusal, render, see_other};
use crate::auth::{Curator, Editor};
use crate::error::PageError;
use crate::state::App;

type FormBody = Result<axum::Form<Vec<(String, String)>>, FormRejection>;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/collection", Access::Curator, edit)
        .post("/admin/collection", Access::Editor, save)
}

pub(crate) const COLLECTION_FIELDS: &[&str] = &[
    "stored",
    "title_en",
    "title_ru",
    "introduction_en",
    "introduction_ru",
];

/// What the form was read from, as a digest of the whole record.
fn digest(c: &Collection) -> String {
    vitrina_operations::secret::digest(&serde_json::to_string(c).unwrap_or_default())
}

fn collection_form(c: &Collection) -> Form {
    let mut form = Form::default();
    form.values.insert("stored".to_owned(), digest(c));
    for (name, value) in [
        ("title_en", &c.title.en),
        ("title_ru", &c.title.ru),
        ("introduction_en", &c.introduction.en),
        ("introduction_ru", &c.introduction.ru),
    ] {
        form.values.insert(name.to_owned(), value.clone());
    }
    form
}

fn apply(form: &Form) -> Collection {
    Collection {
        title: Text {
            en: form.get("title_en").trim().to_owned(),
            ru: form.get("title_ru").trim().to_owned(),
        },
        // Markdown: leading spaces can matter.
        introduction: Text {
            en: form.get("introduction_en").trim_end().to_owned(),
            ru: form.get("introduction_ru").trim_end().to_owned(),
        },
    }
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

#[derive(Debug, Serialize)]
struct EditPage {
    title: &'static str,
    form: Form,
    notice: String,
    conflict: Option<String>,
    compare: Vec<CompareRow>,
    preview_en: String,
    preview_ru: String,
}

fn page(
    app: &App,
    curator: &Curator,
    form: Form,
    status: StatusCode,
    extra: impl FnOnce(&mut EditPage),
) -> Result<Response, PageError> {
    let mut page = EditPage {
        title: super::lang::tr(curator.workspace.lang, "The collection"),
        form,
        notice: String::new(),
        conflict: None,
        compare: Vec::new(),
        preview_en: String::new(),
        preview_ru: String::new(),
    };
    extra(&mut page);
    render(app, curator, "admin_collection.html", page, status)
}

async fn edit(
    State(app): State<App>,
    curator: Curator,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let home = app.catalogue().home().await.map_err(page_error)?;
    let notice: String = query.notice.chars().take(200).collect();
    page(
        &app,
        &curator,
        collection_form(&home.collection),
        StatusCode::OK,
        |p| p.notice = notice,
    )
}

async fn save(
    State(app): State<App>,
    Editor(curator): Editor,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields: Fields = fields(form)?;
    let mut form = Form::from_fields(&fields, COLLECTION_FIELDS);
    if fields.has("preview") {
        let preview = (
            crate::markdown::to_html(form.get("introduction_en")),
            crate::markdown::to_html(form.get("introduction_ru")),
        );
        return page(&app, &curator, form, StatusCode::OK, |p| {
            p.notice = super::lang::tr(
                curator.workspace.lang,
                "Preview only: nothing was saved yet.",
            )
            .into();
            (p.preview_en, p.preview_ru) = preview;
        });
    }
    let stored = app.catalogue().home().await.map_err(page_error)?.collection;
    let now = digest(&stored);
    if form.get("stored") != now {
        let rows = compare(&form, &collection_form(&stored));
        form.values.insert("stored".to_owned(), now);
        return page(&app, &curator, form, StatusCode::CONFLICT, |p| {
            p.conflict = Some(
                "Someone else changed the collection after you opened this page. Your changes \
                 are NOT saved: compare them with the stored text below; saving again replaces \
                 the stored text with yours."
                    .to_owned(),
            );
            p.compare = rows;
        });
    }
    let collection = apply(&form);
    match app
        .catalogue()
        .put_collection_by(&collection, &author(&curator))
        .await
    {
        Ok(()) => Ok(see_other("/admin/collection?notice=Saved")),
        Err(e) => match refusal(e) {
            Refusal::Invalid(errors) => {
                for e in &errors.0 {
                    forms::add(
                        &mut form.errors,
                        &e.field.replace('.', "_"),
                        e.message.clone(),
                    );
                }
                page(
                    &app,
                    &curator,
                    form,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    |_| {},
                )
            }
            Refusal::Conflict(m) => {
                forms::add(&mut form.errors, "record", m);
                page(&app, &curator, form, StatusCode::CONFLICT, |_| {})
            }
            Refusal::Page(p) => Err(p),
        },
    }
}
