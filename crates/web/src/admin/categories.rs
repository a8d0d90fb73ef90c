//! `/admin/categories`: the list (drafts included), create, edit, publish or unpublish,
//! reorder, delete with confirmation. A category's types stay when it is deleted.

use crate::routes::{Access, Routes};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use vitrina_catalogue::{Category, Lang, Slug, Text};
use vitrina_storage::CategorySummary;

use super::forms::{self, CATEGORY_FIELDS, Fields, Form};
use super::lang::{root, tr, trf};
use super::{
    CompareRow, Confirm, Refusal, author, compare, confirm, fields, page_error, refusal, render,
    see_other,
};
use crate::auth::{Curator, Editor};
use crate::error::PageError;
use crate::state::App;

type FormBody = Result<axum::Form<Vec<(String, String)>>, FormRejection>;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/categories", Access::Curator, list)
        .get("/admin/categories/new", Access::Editor, new_form)
        .post("/admin/categories/new", Access::Editor, create)
        .get("/admin/categories/{slug}", Access::Curator, edit)
        .post("/admin/categories/{slug}", Access::Editor, save)
        .get(
            "/admin/categories/{slug}/delete",
            Access::Editor,
            delete_confirm,
        )
        .post("/admin/categories/{slug}/delete", Access::Editor, delete)
        .post(
            "/admin/categories/{slug}/move",
            Access::Editor,
            move_category,
        )
        .post("/admin/categories/{slug}/publish", Access::Editor, publish)
}

fn slug_of(raw: &str) -> Result<Slug, PageError> {
    Slug::parse(raw).map_err(|_| PageError::not_found(Lang::En))
}

fn blank() -> Category {
    Category {
        id: None,
        slug: Slug::parse("new-category").expect("a valid slug"),
        position: 0,
        title: Text::default(),
        introduction: Text::default(),
        published: false,
        version: 0,
    }
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

#[derive(Debug, Serialize)]
struct Row {
    slug: String,
    title: String,
    published: bool,
    type_count: u64,
    version: i64,
    /// Its place in collection order, for the up and down buttons.
    index: usize,
}

#[derive(Debug, Serialize)]
struct ListPage {
    title: &'static str,
    categories: Vec<Row>,
    notice: String,
}

async fn list(
    State(app): State<App>,
    curator: Curator,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let categories = app
        .catalogue()
        .curator_categories()
        .await
        .map_err(page_error)?
        .into_iter()
        .enumerate()
        .map(|(index, c): (usize, CategorySummary)| Row {
            index,
            slug: c.category.slug.to_string(),
            title: c.category.title.en.clone(),
            published: c.category.published,
            type_count: c.type_count,
            version: c.category.version,
        })
        .collect();
    let page = ListPage {
        title: tr(curator.workspace.lang, "Categories"),
        categories,
        notice: query.notice.chars().take(200).collect(),
    };
    render(
        &app,
        &curator,
        "admin_categories.html",
        page,
        StatusCode::OK,
    )
}

#[derive(Debug, Serialize)]
struct EditPage {
    title: String,
    /// The stored slug ("" for a new category).
    slug: String,
    is_new: bool,
    form: Form,
    notice: String,
    conflict: Option<String>,
    compare: Vec<CompareRow>,
    preview_en: String,
    preview_ru: String,
}

fn edit_page(
    app: &App,
    curator: &Curator,
    stored_slug: &str,
    form: Form,
    status: StatusCode,
    extra: impl FnOnce(&mut EditPage),
) -> Result<Response, PageError> {
    let mut page = EditPage {
        title: if stored_slug.is_empty() {
            tr(curator.workspace.lang, "New category").into()
        } else {
            trf(
                curator.workspace.lang,
                "Edit category {slug}",
                &[("slug", stored_slug)],
            )
        },
        slug: stored_slug.to_owned(),
        is_new: stored_slug.is_empty(),
        form,
        notice: String::new(),
        conflict: None,
        compare: Vec::new(),
        preview_en: String::new(),
        preview_ru: String::new(),
    };
    extra(&mut page);
    render(app, curator, "admin_category.html", page, status)
}

async fn new_form(State(app): State<App>, Editor(curator): Editor) -> Result<Response, PageError> {
    let mut form = forms::category_form(&blank());
    form.values.insert("slug".into(), String::new());
    edit_page(&app, &curator, "", form, StatusCode::OK, |_| {})
}

async fn edit(
    State(app): State<App>,
    curator: Curator,
    Path(slug): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let c = app
        .catalogue()
        .curator_category(&slug)
        .await
        .map_err(page_error)?;
    let notice: String = query.notice.chars().take(200).collect();
    edit_page(
        &app,
        &curator,
        slug.as_str(),
        forms::category_form(&c),
        StatusCode::OK,
        |p| p.notice = notice,
    )
}

async fn save_form(
    app: &App,
    curator: &Curator,
    stored: Category,
    stored_slug: &str,
    fields: Fields,
) -> Result<Response, PageError> {
    let mut form = Form::from_fields(&fields, CATEGORY_FIELDS);
    let mut c = stored.clone();
    forms::apply_category(&mut form, &mut c);
    if fields.has("preview") {
        let preview = (
            crate::markdown::to_html(form.get("introduction_en")),
            crate::markdown::to_html(form.get("introduction_ru")),
        );
        return edit_page(app, curator, stored_slug, form, StatusCode::OK, |p| {
            p.notice = tr(
                curator.workspace.lang,
                "Preview only: nothing was saved yet.",
            )
            .into();
            (p.preview_en, p.preview_ru) = preview;
        });
    }
    if !stored_slug.is_empty() && forms::version_of(&form) != stored.version {
        return conflict(app, curator, &stored, stored_slug, form, None);
    }
    if !form.errors.is_empty() {
        return edit_page(
            app,
            curator,
            stored_slug,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
            |_| {},
        );
    }
    match app.catalogue().save_category_by(&c, &author(curator)).await {
        Ok(saved) => Ok(see_other(&format!(
            "/admin/categories/{}?notice=Saved",
            saved.slug
        ))),
        Err(e) => match refusal(e) {
            Refusal::Invalid(errors) => {
                for e in &errors.0 {
                    let field = e.field.replace('.', "_");
                    forms::add(&mut form.errors, &field, e.message.clone());
                }
                edit_page(
                    app,
                    curator,
                    stored_slug,
                    form,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    |_| {},
                )
            }
            Refusal::Conflict(m) if stored_slug.is_empty() || c.slug != stored.slug => {
                // A taken slug.
                forms::add(&mut form.errors, "slug", m);
                edit_page(
                    app,
                    curator,
                    stored_slug,
                    form,
                    StatusCode::CONFLICT,
                    |_| {},
                )
            }
            Refusal::Conflict(m) => {
                let fresh = app
                    .catalogue()
                    .curator_category(&stored.slug)
                    .await
                    .map_err(page_error)?;
                conflict(app, curator, &fresh, stored_slug, form, Some(m))
            }
            Refusal::Page(p) => Err(p),
        },
    }
}

fn conflict(
    app: &App,
    curator: &Curator,
    stored: &Category,
    stored_slug: &str,
    mut form: Form,
    message: Option<String>,
) -> Result<Response, PageError> {
    let rows = compare(&form, &forms::category_form(stored));
    form.values
        .insert("version".into(), stored.version.to_string());
    let message = message.unwrap_or_else(|| {
        format!(
            "Someone else saved this category (now version {}) after you opened it. Your changes \
             are NOT saved: compare them with the stored record below; saving again replaces \
             the stored record with yours.",
            stored.version
        )
    });
    edit_page(app, curator, stored_slug, form, StatusCode::CONFLICT, |p| {
        p.conflict = Some(message);
        p.compare = rows;
    })
}

async fn create(
    State(app): State<App>,
    Editor(curator): Editor,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    save_form(&app, &curator, blank(), "", fields).await
}

async fn save(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    form: FormBody,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let fields = fields(form)?;
    let stored = app
        .catalogue()
        .curator_category(&slug)
        .await
        .map_err(page_error)?;
    save_form(&app, &curator, stored, slug.as_str(), fields).await
}

async fn delete_confirm(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let lang = curator.workspace.lang;
    let c = app
        .catalogue()
        .curator_category(&slug)
        .await
        .map_err(page_error)?;
    confirm(
        &app,
        &curator,
        Confirm {
            title: trf(lang, "Delete {what}?", &[("what", c.title.get(lang))]),
            message: trf(
                lang,
                "Delete the category “{name}”? Its types stay in the collection, outside it. It can be restored from its history.",
                &[("name", c.title.get(lang))],
            ),
            action: format!("{}/categories/{slug}/delete", root(lang)),
            hidden: vec![("version".into(), c.version.to_string())],
            back: format!("{}/categories/{slug}", root(lang)),
        },
    )
}

async fn delete(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    form: FormBody,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let fields = fields(form)?;
    let asked = fields.get("version").trim().parse::<i64>().ok();
    // The version is checked in the storage transaction: a save cannot slip in between.
    let deleted = match asked {
        Some(version) => {
            app.catalogue()
                .delete_category_at(&slug, version, &author(&curator))
                .await
        }
        None => Err(vitrina_storage::StorageError::Conflict("no version".into()).into()),
    };
    match deleted {
        Ok(()) => {}
        Err(vitrina_operations::Error::Storage(vitrina_storage::StorageError::Conflict(_))) => {
            let c = app
                .catalogue()
                .curator_category(&slug)
                .await
                .map_err(page_error)?;
            return conflict(
                &app,
                &curator,
                &c,
                slug.as_str(),
                forms::category_form(&c),
                Some(format!(
                    "This category changed (now version {}) since you asked to delete it; \
                     nothing was deleted. Review it and delete again if you still mean to.",
                    c.version
                )),
            );
        }
        Err(e) => return Err(page_error(e)),
    }
    Ok(see_other(&format!(
        "/admin/categories/{slug}/history?deleted=1"
    )))
}

async fn publish(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    form: FormBody,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let fields = fields(form)?;
    let mut c = app
        .catalogue()
        .curator_category(&slug)
        .await
        .map_err(page_error)?;
    if fields.get("version").trim().parse::<i64>().ok() != Some(c.version) {
        return Ok(see_other(
            "/admin/categories?notice=That+category+changed+since+you+opened+the+list%3B+nothing+was+changed",
        ));
    }
    c.published = fields.get("published") == "true";
    app.catalogue()
        .save_category_by(&c, &author(&curator))
        .await
        .map_err(page_error)?;
    Ok(see_other("/admin/categories?notice=Saved"))
}

async fn move_category(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    form: FormBody,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let fields = fields(form)?;
    let to = super::types::move_target(&fields)?;
    app.catalogue()
        .move_category(&slug, to, &author(&curator))
        .await
        .map_err(page_error)?;
    Ok(see_other("/admin/categories"))
}
