//! `/admin/types`: the list (drafts included), create, edit, duplicate as a template, reorder,
//! delete with confirmation, and the type's page that shows every form of the aggregate (the
//! forms of its variants, specimens and photos post to [`super::children`]).
//!
//! Every form on a type's page carries the type's `version`: a save made while someone else
//! saved the type is a conflict, answered with the curator's input kept and compared with what
//! is stored.

use crate::routes::{Access, Routes};
use std::collections::BTreeMap;

use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Multipart, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use vitrina_catalogue::{
    Area, BadgeType, Condition, Dimension, Fitting, Lang, MarkKind, Material, Names, Photo,
    PhotoRole, Rarity, Script, Side, Slug, Text, Unit,
};
use vitrina_storage::{Page, TypeSummary};

use super::forms::{self, Errors, Fields, Form, Slot, TYPE_FIELDS};
use super::lang::{message, root, tr, trf};
use super::whole;
use super::{
    CompareRow, Confirm, Refusal, author, compare, confirm, fields, page_error, refusal, render,
    see_other,
};
use crate::auth::{Curator, Editor};
use crate::error::PageError;
use crate::i18n::{self, capitalised};
use crate::state::App;
use vitrina_operations::Error as OpError;
use vitrina_operations::photos::{self, NewPhoto, PhotoError};

pub(super) type FormBody = Result<axum::Form<Vec<(String, String)>>, FormRejection>;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/admin/types", Access::Curator, list)
        .get("/admin/types/new", Access::Editor, new_form)
        // The page may carry photos: each file is bounded while it streams in (see
        // `uploads::read_type_page`), a URL-encoded page by `MAX_PAGE_FORM`.
        .method(
            Method::POST,
            "/admin/types/new",
            Access::Editor,
            post(create).layer(DefaultBodyLimit::disable()),
        )
        .get("/admin/types/{slug}", Access::Curator, edit)
        .method(
            Method::POST,
            "/admin/types/{slug}",
            Access::Editor,
            post(save).layer(DefaultBodyLimit::disable()),
        )
        .get("/admin/types/{slug}/delete", Access::Editor, delete_confirm)
        .post("/admin/types/{slug}/delete", Access::Editor, delete)
        .post("/admin/types/{slug}/duplicate", Access::Editor, duplicate)
        .post("/admin/types/{slug}/move", Access::Editor, move_type)
}

pub(super) fn slug_of(raw: &str) -> Result<Slug, PageError> {
    Slug::parse(raw).map_err(|_| PageError::not_found(Lang::En))
}

/// A new type as the workspace starts it: a draft, with nothing filled in.
pub(crate) fn blank_type() -> BadgeType {
    BadgeType {
        id: None,
        slug: Slug::parse("new-type").expect("a valid slug"),
        position: 0,
        version: 0,
        published: false,
        categories: Vec::new(),
        names: Names::default(),
        issuer: None,
        established: None,
        period: None,
        event: None,
        description: Text::default(),
        references: Vec::new(),
        variants: Vec::new(),
        photos: Vec::new(),
    }
}

// The list.

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: u64,
    #[serde(default)]
    notice: String,
}

/// A row of the list: the type and its place in collection order (what its up and down buttons
/// send, see [`move_target`]).
#[derive(Debug, Serialize)]
struct Row {
    #[serde(flatten)]
    summary: TypeSummary,
    index: u64,
}

#[derive(Debug, Serialize)]
struct ListPage {
    title: &'static str,
    q: String,
    types: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    notice: String,
}

const PER_PAGE: u64 = 100;

async fn list(
    State(app): State<App>,
    curator: Curator,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let q = query.q.trim().to_lowercase();
    let (types, total) = if q.is_empty() {
        let first = query.page * PER_PAGE;
        let (types, total) = app
            .catalogue()
            .curator_types(Page::new(first, PER_PAGE))
            .await
            .map_err(page_error)?;
        let rows = types
            .into_iter()
            .zip(first..)
            .map(|(summary, index)| Row { summary, index })
            .collect();
        (rows, total)
    } else {
        // A plain filter over the whole list: drafts are not in the search index.
        let (all, _) = app
            .catalogue()
            .curator_types(Page::new(0, Page::MAX_LIMIT))
            .await
            .map_err(page_error)?;
        let found: Vec<Row> = all
            .into_iter()
            .zip(0..)
            .filter(|(t, _)| {
                t.slug.as_str().contains(&q)
                    || t.names.en.to_lowercase().contains(&q)
                    || t.names.ru.to_lowercase().contains(&q)
            })
            .map(|(summary, index)| Row { summary, index })
            .collect();
        let n = found.len() as u64;
        (found, n)
    };
    let page = ListPage {
        title: tr(curator.workspace.lang, "Types"),
        q: query.q.chars().take(200).collect(),
        types,
        total,
        page: query.page,
        pages: total.div_ceil(PER_PAGE),
        notice: query.notice.chars().take(200).collect(),
    };
    render(&app, &curator, "admin_types.html", page, StatusCode::OK)
}

// The edit page.

#[derive(Debug, Serialize)]
struct CategoryOption {
    slug: String,
    title: String,
    checked: bool,
    published: bool,
}

#[derive(Debug, Serialize)]
struct PhotoView {
    index: usize,
    /// Where its form posts.
    action: String,
    file: String,
    /// The name the file had when it was uploaded (sanitised), when known.
    original_name: String,
    illustration: bool,
    form: Form,
    /// A small picture of it for the curator, once there is one.
    thumb: Option<String>,
    /// An uploaded photo's web sizes: "ready", "pending" (being made) or "failed".
    state: &'static str,
    /// Why its web sizes could not be made.
    problem: String,
}

/// Where an uploaded photo's derivatives stand, and the thumbnail to show when they are made.
/// Anything not uploaded (the demo's drawings) is served as it is.
async fn photo_state(app: &App, view: &mut PhotoView) {
    let Some(hash) = view.file.strip_prefix("photos/") else {
        view.thumb = Some(format!("/media/{}", view.file));
        return;
    };
    match app.media().status(hash).await {
        vitrina_media::PhotoStatus::Ready => {
            let key = vitrina_media::derivative_key(
                hash,
                vitrina_media::Size::Thumb,
                vitrina_media::OutFormat::Jpeg,
            );
            view.thumb = Some(format!("/media/{key}"));
        }
        vitrina_media::PhotoStatus::Pending => view.state = "pending",
        vitrina_media::PhotoStatus::Failed(reason) => {
            view.state = "failed";
            view.problem = reason;
        }
    }
}

#[derive(Debug, Serialize)]
struct SpecimenView {
    index: usize,
    action: String,
    form: Form,
    photos: Vec<PhotoView>,
}

#[derive(Debug, Serialize)]
struct VariantView {
    index: usize,
    action: String,
    form: Form,
    specimens: Vec<SpecimenView>,
    new_specimen: Form,
}

/// A message for the page's summary, naming its field as the form labels it.
fn problem(lang: Lang, (field, said): (&String, &String)) -> String {
    format!(
        "{}: {}",
        super::labels::field_label(lang, field),
        message(lang, said)
    )
}

/// One option of a choice: the stored key and the words a curator reads.
#[derive(Debug, Serialize)]
pub(crate) struct Choice {
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Choices {
    scripts: Vec<Choice>,
    materials: Vec<Choice>,
    fittings: Vec<Choice>,
    conditions: Vec<Choice>,
    rarities: Vec<Choice>,
    roles: Vec<Choice>,
    sides: Vec<Choice>,
    areas: Vec<Choice>,
    mark_kinds: Vec<Choice>,
    dimensions: Vec<Choice>,
    units: Vec<Choice>,
}

/// The options of every choice on a type's page, shown by their labels in `lang`.
pub(crate) fn choices(lang: Lang) -> Choices {
    fn of<T: Serialize + Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<Choice> {
        all.iter()
            .map(|v| Choice {
                value: forms::key_of(v),
                label: capitalised(label(*v)),
            })
            .collect()
    }
    Choices {
        scripts: of(
            &[
                Script::Cyrillic,
                Script::Latin,
                Script::Mongolian,
                Script::Other,
            ],
            |s| i18n::script(lang, s),
        ),
        materials: of(
            &[
                Material::Gold,
                Material::Silver,
                Material::Platinum,
                Material::Bronze,
                Material::Brass,
                Material::Copper,
                Material::Tombac,
                Material::Aluminium,
                Material::Steel,
                Material::Enamel,
            ],
            |m| i18n::material(lang, m),
        ),
        fittings: of(
            &[
                Fitting::ScrewBack,
                Fitting::Pin,
                Fitting::Brooch,
                Fitting::Suspension,
            ],
            |f| i18n::fitting(lang, f),
        ),
        conditions: of(
            &[
                Condition::Mint,
                Condition::Excellent,
                Condition::VeryFine,
                Condition::Fine,
                Condition::Good,
                Condition::Fair,
                Condition::Poor,
            ],
            |c| i18n::condition(lang, c),
        ),
        rarities: of(
            &[
                Rarity::Common,
                Rarity::Uncommon,
                Rarity::Scarce,
                Rarity::Rare,
                Rarity::VeryRare,
                Rarity::ExtremelyRare,
            ],
            |r| i18n::rarity(lang, r),
        ),
        roles: of(
            &[
                PhotoRole::Obverse,
                PhotoRole::Reverse,
                PhotoRole::Marks,
                PhotoRole::Detail,
                PhotoRole::Document,
            ],
            |r| i18n::photo_role(lang, r),
        ),
        sides: of(&[Side::Obverse, Side::Reverse, Side::Edge], |s| {
            i18n::side(lang, s)
        }),
        areas: of(
            &[
                Area::Top,
                Area::Bottom,
                Area::Left,
                Area::Right,
                Area::Centre,
                Area::TopLeft,
                Area::TopRight,
                Area::BottomLeft,
                Area::BottomRight,
            ],
            |a| i18n::area(lang, a),
        ),
        mark_kinds: of(
            &[
                MarkKind::SilverProof,
                MarkKind::GoldProof,
                MarkKind::Silversmith,
                MarkKind::Mint,
                MarkKind::Other,
            ],
            |k| i18n::mark_kind(lang, k),
        ),
        dimensions: of(
            &[
                Dimension::Height,
                Dimension::Width,
                Dimension::Diameter,
                Dimension::Thickness,
                Dimension::Weight,
            ],
            |d| i18n::dimension(lang, d),
        ),
        units: of(
            &[Unit::Mm, Unit::Cm, Unit::Inch, Unit::G, Unit::Oz],
            |u| match (lang, u) {
                (Lang::En, Unit::Mm) => "millimetres (mm)",
                (Lang::En, Unit::Cm) => "centimetres (cm)",
                (Lang::En, Unit::Inch) => "inches (in)",
                (Lang::En, Unit::G) => "grams (g)",
                (Lang::En, Unit::Oz) => "ounces (oz)",
                (Lang::Ru, Unit::Mm) => "миллиметры (мм)",
                (Lang::Ru, Unit::Cm) => "сантиметры (см)",
                (Lang::Ru, Unit::Inch) => "дюймы (in)",
                (Lang::Ru, Unit::G) => "граммы (г)",
                (Lang::Ru, Unit::Oz) => "унции (oz)",
            },
        ),
    }
}

#[derive(Debug, Serialize)]
struct TypePage {
    title: String,
    /// The stored slug, for the page's URLs ("" for a new type).
    slug: String,
    is_new: bool,
    version: i64,
    main: Form,
    categories: Vec<CategoryOption>,
    variants: Vec<VariantView>,
    new_variant: Form,
    new_variant_specimen: Form,
    photos: Vec<PhotoView>,
    notice: String,
    /// Every message on the page, for the summary at its top.
    problems: Vec<String>,
    conflict: Option<String>,
    compare: Vec<CompareRow>,
    preview_en: String,
    preview_ru: String,
    choices: Choices,
    /// The pieces photos can be uploaded for, besides the type itself.
    upload_specimens: Vec<UploadTarget>,
    /// The configured upload size limit, for the upload form's hint and its script.
    max_upload_mb: u64,
}

/// A specimen in the upload form's "Photos of" list.
#[derive(Debug, Serialize)]
struct UploadTarget {
    id: i64,
    label: String,
}

/// How the page differs from the stored record: a form with what was typed, errors, a notice.
#[derive(Debug, Default)]
pub(super) struct Shown {
    /// Forms that show submitted values instead of the record's.
    pub forms: BTreeMap<Target, Form>,
    pub errors: BTreeMap<Target, Errors>,
    /// The categories ticked on the main form, when it was submitted.
    pub categories: Option<Vec<String>>,
    pub notice: String,
    pub conflict: Option<String>,
    pub compare: Vec<CompareRow>,
    pub preview: Option<(String, String)>,
}

/// A form on the type page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Target {
    Existing(Slot),
    NewVariant,
    NewSpecimen(usize),
    /// The first piece of the new variant.
    NewVariantSpecimen,
}

/// Where a form's fields sit in the type page's one form: the prefix of their names.
pub(super) fn prefix_of(target: Target) -> String {
    match target {
        Target::Existing(Slot::Main) => String::new(),
        Target::Existing(Slot::Variant(v)) => format!("v{v}."),
        Target::Existing(Slot::Specimen(v, s)) => format!("v{v}.s{s}."),
        Target::Existing(Slot::TypePhoto(p)) => format!("p{p}."),
        Target::Existing(Slot::SpecimenPhoto(v, s, p)) => format!("v{v}.s{s}.p{p}."),
        Target::NewVariant => "vnew.".into(),
        Target::NewSpecimen(v) => format!("v{v}.snew."),
        Target::NewVariantSpecimen => "vnew.snew.".into(),
    }
}

fn base(lang: Lang, slug: &str) -> String {
    format!("{}/types/{slug}", super::lang::root(lang))
}

pub(super) async fn edit_page(
    app: &App,
    curator: &Curator,
    t: &BadgeType,
    stored_slug: &str,
    mut shown: Shown,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mut take = |target: Target, default: Form| -> Form {
        let mut form = shown.forms.remove(&target).unwrap_or(default);
        form.prefix = prefix_of(target);
        if let Some(errors) = shown.errors.remove(&target) {
            for (k, v) in errors {
                forms::add(&mut form.errors, &k, v);
            }
        }
        form
    };
    let lang = curator.workspace.lang;
    let base = base(lang, stored_slug);
    let main = take(Target::Existing(Slot::Main), forms::type_form(t));
    let photo_view = |take: &mut dyn FnMut(Target, Form) -> Form,
                      slot: Slot,
                      action: String,
                      index: usize,
                      p: &Photo| PhotoView {
        index,
        action,
        file: p.file.clone(),
        original_name: p.original_name.clone(),
        illustration: p.illustration,
        form: take(Target::Existing(slot), forms::photo_form(p)),
        thumb: None,
        state: "ready",
        problem: String::new(),
    };
    let mut variants = Vec::new();
    for (vi, v) in t.variants.iter().enumerate() {
        let vaction = format!("{base}/variants/{vi}");
        let mut specimens = Vec::new();
        for (si, s) in v.specimens.iter().enumerate() {
            let saction = format!("{vaction}/specimens/{si}");
            let photos = s
                .photos
                .iter()
                .enumerate()
                .map(|(pi, p)| {
                    photo_view(
                        &mut take,
                        Slot::SpecimenPhoto(vi, si, pi),
                        format!("{saction}/photos/{pi}"),
                        pi,
                        p,
                    )
                })
                .collect();
            specimens.push(SpecimenView {
                index: si,
                action: saction,
                form: take(
                    Target::Existing(Slot::Specimen(vi, si)),
                    forms::specimen_form(s),
                ),
                photos,
            });
        }
        variants.push(VariantView {
            index: vi,
            action: vaction,
            form: take(Target::Existing(Slot::Variant(vi)), forms::variant_form(v)),
            specimens,
            new_specimen: take(
                Target::NewSpecimen(vi),
                forms::specimen_form(&forms::new_specimen()),
            ),
        });
    }
    let new_variant = take(
        Target::NewVariant,
        forms::variant_form(&forms::new_variant()),
    );
    let new_variant_specimen = take(
        Target::NewVariantSpecimen,
        forms::specimen_form(&forms::new_specimen()),
    );
    let mut photos: Vec<PhotoView> = t
        .photos
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            photo_view(
                &mut take,
                Slot::TypePhoto(pi),
                format!("{base}/photos/{pi}"),
                pi,
                p,
            )
        })
        .collect();
    for p in photos.iter_mut() {
        photo_state(app, p).await;
    }
    for v in variants.iter_mut() {
        for sp in v.specimens.iter_mut() {
            for p in sp.photos.iter_mut() {
                photo_state(app, p).await;
            }
        }
    }
    // Errors for forms no longer on the page still reach the curator.
    let mut problems: Vec<String> = shown
        .errors
        .values()
        .flat_map(|e| e.iter().map(|p| problem(lang, p)))
        .collect();
    let mut collect = |f: &Form| {
        problems.extend(f.errors.iter().map(|p| problem(lang, p)));
    };
    collect(&main);
    collect(&new_variant);
    collect(&new_variant_specimen);
    for v in &variants {
        collect(&v.form);
        collect(&v.new_specimen);
        for s in &v.specimens {
            collect(&s.form);
            s.photos.iter().for_each(|p| collect(&p.form));
        }
    }
    photos.iter().for_each(|p: &PhotoView| collect(&p.form));

    let ticked: Vec<String> = shown
        .categories
        .take()
        .unwrap_or_else(|| t.categories.iter().map(|c| c.to_string()).collect());
    let categories = app
        .catalogue()
        .curator_categories()
        .await
        .map_err(page_error)?
        .into_iter()
        .map(|c| CategoryOption {
            checked: ticked.iter().any(|s| s == c.category.slug.as_str()),
            slug: c.category.slug.to_string(),
            title: c.category.title.get(lang).to_owned(),
            published: c.category.published,
        })
        .collect();
    let (preview_en, preview_ru) = shown.preview.take().unwrap_or_default();
    let is_new = stored_slug.is_empty();
    let page = TypePage {
        title: if is_new {
            tr(lang, "New type").to_owned()
        } else {
            trf(lang, "Edit {name}", &[("name", t.names.get(lang))])
        },
        slug: stored_slug.to_owned(),
        is_new,
        version: t.version,
        main,
        categories,
        variants,
        new_variant,
        new_variant_specimen,
        photos,
        notice: shown.notice,
        problems,
        conflict: shown.conflict,
        compare: shown.compare,
        preview_en,
        preview_ru,
        choices: choices(lang),
        upload_specimens: upload_targets(lang, t),
        max_upload_mb: app.media().limits().max_bytes / 1_000_000,
    };
    render(app, curator, "admin_type.html", page, status)
}

/// Every stored specimen, labelled by its variant and inventory number.
fn upload_targets(lang: Lang, t: &BadgeType) -> Vec<UploadTarget> {
    let mut out = Vec::new();
    for (vi, v) in t.variants.iter().enumerate() {
        for (si, s) in v.specimens.iter().enumerate() {
            let Some(id) = s.id else { continue };
            let variant = if v.name.en.trim().is_empty() {
                trf(lang, "variant {n}", &[("n", &(vi + 1).to_string())])
            } else {
                v.name.get(lang).to_owned()
            };
            let piece = if s.inventory_number.trim().is_empty() {
                trf(lang, "piece {n}", &[("n", &(si + 1).to_string())])
            } else {
                trf(lang, "No. {n}", &[("n", &s.inventory_number)])
            };
            out.push(UploadTarget {
                id: id.get(),
                label: format!("{variant}, {piece}"),
            });
        }
    }
    out
}

#[derive(Debug, Deserialize)]
struct EditQuery {
    #[serde(default)]
    notice: String,
}

async fn edit(
    State(app): State<App>,
    curator: Curator,
    Path(slug): Path<String>,
    Query(query): Query<EditQuery>,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let t = app
        .catalogue()
        .curator_type(&slug)
        .await
        .map_err(page_error)?;
    let shown = Shown {
        notice: query.notice.chars().take(200).collect(),
        ..Shown::default()
    };
    edit_page(&app, &curator, &t, slug.as_str(), shown, StatusCode::OK).await
}

async fn new_form(State(app): State<App>, Editor(curator): Editor) -> Result<Response, PageError> {
    let mut shown = Shown::default();
    let mut form = forms::type_form(&blank_type());
    form.values.insert("slug".into(), String::new());
    shown.forms.insert(Target::Existing(Slot::Main), form);
    edit_page(&app, &curator, &blank_type(), "", shown, StatusCode::OK).await
}

fn preview_of(form: &Form) -> (String, String) {
    (
        crate::markdown::to_html(form.get("description_en")),
        crate::markdown::to_html(form.get("description_ru")),
    )
}

/// Saves the main form onto `stored` (a new type when `stored_slug` is empty).
async fn save_main(
    app: &App,
    curator: &Curator,
    stored: BadgeType,
    stored_slug: &str,
    body: PageBody,
) -> Result<Response, PageError> {
    let PageBody { fields, photos } = body;
    let mut form = Form::from_fields(&fields, TYPE_FIELDS);
    let ticked = fields.all("categories");
    let mut t = stored.clone();
    forms::apply_type(&mut form, &ticked, &mut t);
    // Everything else on the page: variants, pieces, photos' details, new ones; then a move.
    let sections = whole::apply(&fields, &mut t);
    let op = fields.get("op");
    if !op.is_empty() && !whole::apply_op(op, &mut t) {
        return Err(PageError::bad_request(Lang::En));
    }
    let sections_invalid = sections.iter().any(|(_, f)| !f.errors.is_empty());
    let mut shown = Shown {
        categories: Some(ticked),
        forms: sections.into_iter().collect(),
        ..Shown::default()
    };
    if fields.has("preview") {
        shown.preview = Some(preview_of(&form));
        shown.notice = tr(
            curator.workspace.lang,
            "Preview only: nothing was saved yet.",
        )
        .into();
        shown.forms.insert(Target::Existing(Slot::Main), form);
        return edit_page(app, curator, &stored, stored_slug, shown, StatusCode::OK).await;
    }
    if !stored_slug.is_empty() && forms::version_of(&form) != stored.version {
        return conflict_main(app, curator, &stored, stored_slug, form, shown, None).await;
    }
    if !form.errors.is_empty() || sections_invalid {
        shown.forms.insert(Target::Existing(Slot::Main), form);
        return edit_page(
            app,
            curator,
            &stored,
            stored_slug,
            shown,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let saved = if photos.is_empty() {
        app.catalogue().save_type_by(&t, &author(curator)).await
    } else {
        let lang = curator.workspace.lang;
        photos::save_with_photos(
            app.catalogue(),
            app.media(),
            t,
            photos,
            &author(curator),
            forms::key_of,
        )
        .await
        .map(|done| done.saved)
        .map_err(|e| match e {
            PhotoError::Catalogue(e) => e,
            PhotoError::Media { .. } | PhotoError::NotASpecimen => OpError::Invalid({
                let mut errors = vitrina_catalogue::ValidationErrors::default();
                errors.add("photos", message(lang, &e.to_string()));
                errors
            }),
        })
    };
    match saved {
        Ok(saved) => Ok(see_other(&format!(
            "/admin/types/{}?notice=Saved",
            saved.slug
        ))),
        Err(e) => match refusal(e) {
            Refusal::Invalid(errors) => {
                for (slot, errs) in forms::route_errors(&errors) {
                    shown.errors.insert(whole::target_of(slot, &stored), errs);
                }
                shown.forms.insert(Target::Existing(Slot::Main), form);
                edit_page(
                    app,
                    curator,
                    &stored,
                    stored_slug,
                    shown,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Refusal::Conflict(m) if stored_slug.is_empty() => {
                forms::add(&mut form.errors, "slug", m);
                shown.forms.insert(Target::Existing(Slot::Main), form);
                edit_page(app, curator, &stored, "", shown, StatusCode::CONFLICT).await
            }
            Refusal::Conflict(m) => {
                let fresh = app
                    .catalogue()
                    .curator_type(&stored.slug)
                    .await
                    .map_err(page_error)?;
                conflict_main(app, curator, &fresh, stored_slug, form, shown, Some(m)).await
            }
            Refusal::Page(p) => Err(p),
        },
    }
}

/// The main form was read at an older version: show the stored record, the curator's input
/// in the form (now at the stored version, so saving again is a deliberate overwrite) and
/// the fields where the two differ.
async fn conflict_main(
    app: &App,
    curator: &Curator,
    stored: &BadgeType,
    stored_slug: &str,
    mut form: Form,
    mut shown: Shown,
    message: Option<String>,
) -> Result<Response, PageError> {
    let stored_form = forms::type_form(stored);
    shown.compare = compare(&form, &stored_form);
    shown.conflict = Some(message.unwrap_or_else(|| {
        format!(
            "Someone else saved this type (now version {}) after you opened it. Your changes \
             are NOT saved: compare them with the stored record below; saving again replaces \
             the stored record with yours.",
            stored.version
        )
    }));
    form.values
        .insert("version".into(), stored.version.to_string());
    shown.forms.insert(Target::Existing(Slot::Main), form);
    edit_page(
        app,
        curator,
        stored,
        stored_slug,
        shown,
        StatusCode::CONFLICT,
    )
    .await
}

/// The type page as sent: a URL-encoded form, or (when it carries new photos) a multipart one
/// whose files are streamed into staged files as they arrive.
pub(super) struct PageBody {
    fields: Fields,
    photos: Vec<NewPhoto>,
}

/// The most a URL-encoded type page may hold (the route lifts axum's body limit for the
/// photos of a multipart one).
const MAX_PAGE_FORM: usize = crate::auth::csrf::MAX_FORM_BODY;

impl PageBody {
    async fn read(
        app: &App,
        curator: &Curator,
        slug: &str,
        req: axum::extract::Request,
    ) -> Result<Self, Response> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
        if multipart {
            let parts = Multipart::from_request(req, app).await;
            return match crate::uploads::read_type_page(app, parts).await {
                Ok((fields, photos)) => Ok(PageBody {
                    fields: Fields(fields),
                    photos,
                }),
                Err(refusal) => Err(refusal.respond(app, curator, slug, false)),
            };
        }
        let body = axum::body::to_bytes(req.into_body(), MAX_PAGE_FORM)
            .await
            .map_err(|_| PageError::bad_request(curator.workspace.lang).into_response())?;
        let pairs = form_urlencoded::parse(&body).into_owned().collect();
        Ok(PageBody {
            fields: Fields(pairs),
            photos: Vec::new(),
        })
    }
}

async fn create(
    State(app): State<App>,
    Editor(curator): Editor,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let body = match PageBody::read(&app, &curator, "", req).await {
        Ok(b) => b,
        Err(res) => return Ok(res),
    };
    save_main(&app, &curator, blank_type(), "", body).await
}

async fn save(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let body = match PageBody::read(&app, &curator, slug.as_str(), req).await {
        Ok(b) => b,
        Err(res) => return Ok(res),
    };
    let stored = app
        .catalogue()
        .curator_type(&slug)
        .await
        .map_err(page_error)?;
    save_main(&app, &curator, stored, slug.as_str(), body).await
}

// Deleting, duplicating, reordering whole types.

async fn delete_confirm(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let lang = curator.workspace.lang;
    let t = app
        .catalogue()
        .curator_type(&slug)
        .await
        .map_err(page_error)?;
    confirm(
        &app,
        &curator,
        Confirm {
            title: trf(lang, "Delete {what}?", &[("what", t.names.get(lang))]),
            message: trf(
                lang,
                "Delete the type “{name}” with its {variants} variants and {specimens} specimens? It can be restored from its history.",
                &[
                    ("name", t.names.get(lang)),
                    ("variants", &t.variants.len().to_string()),
                    ("specimens", &t.specimens().count().to_string()),
                ],
            ),
            action: format!("{}/types/{slug}/delete", root(lang)),
            hidden: vec![("version".into(), t.version.to_string())],
            back: format!("{}/types/{slug}", root(lang)),
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
                .delete_type_at(&slug, version, &author(&curator))
                .await
        }
        None => Err(vitrina_storage::StorageError::Conflict("no version".into()).into()),
    };
    match deleted {
        Ok(()) => {}
        Err(OpError::Storage(vitrina_storage::StorageError::Conflict(_))) => {
            let t = app
                .catalogue()
                .curator_type(&slug)
                .await
                .map_err(page_error)?;
            let shown = Shown {
                conflict: Some(format!(
                    "This type changed (now version {}) since you asked to delete it; nothing \
                     was deleted. Review it and delete again if you still mean to.",
                    t.version
                )),
                ..Shown::default()
            };
            return edit_page(
                &app,
                &curator,
                &t,
                slug.as_str(),
                shown,
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(page_error(e)),
    }
    Ok(see_other(&format!("/admin/types/{slug}/history?deleted=1")))
}

/// A free slug based on `slug`: `slug-copy`, `slug-copy-2`…
async fn free_slug(app: &App, slug: &Slug) -> Result<Slug, PageError> {
    for n in 1..100 {
        let candidate = if n == 1 {
            format!("{slug}-copy")
        } else {
            format!("{slug}-copy-{n}")
        };
        let Ok(candidate) = Slug::parse(&candidate) else {
            break;
        };
        match app.catalogue().curator_type(&candidate).await {
            Err(e) if e.is_not_found() => return Ok(candidate),
            Err(e) => return Err(page_error(e)),
            Ok(_) => {}
        }
    }
    Err(PageError::bad_request(Lang::En))
}

async fn duplicate(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let t = app
        .catalogue()
        .curator_type(&slug)
        .await
        .map_err(page_error)?;
    let copy = duplicate_type(&t, free_slug(&app, &slug).await?);
    let saved = app
        .catalogue()
        .save_type_by(&copy, &author(&curator))
        .await
        .map_err(page_error)?;
    Ok(see_other(&format!(
        "/admin/types/{}?notice=A+draft+copy%3A+edit+it+and+publish+it+when+ready",
        saved.slug
    )))
}

/// A type as a template for another: the design and its variants, as a new draft — without
/// the collector's specimens or the photos, which belong to the original.
pub(crate) fn duplicate_type(t: &BadgeType, slug: Slug) -> BadgeType {
    let mut copy = t.clone();
    copy.id = None;
    copy.version = 0;
    copy.slug = slug;
    copy.published = false;
    // Short enough for the name's limit (300 characters) whatever the original's length.
    let name: String = t.names.en.chars().take(290).collect();
    copy.names.en = format!("{name} (copy)");
    copy.photos.clear();
    for v in &mut copy.variants {
        v.id = None;
        v.specimens.clear();
    }
    copy
}

async fn move_type(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    form: FormBody,
) -> Result<Response, PageError> {
    let slug = slug_of(&slug)?;
    let fields = fields(form)?;
    let to = move_target(&fields)?;
    app.catalogue()
        .move_type(&slug, to, &author(&curator))
        .await
        .map_err(page_error)?;
    Ok(see_other("/admin/types"))
}

/// Where an up or down button sends its row: one place before or after the `index` the list
/// showed it at (0-based, in collection order). Storage moves it there in one transaction;
/// up from the top and down from the bottom change nothing.
pub(super) fn move_target(fields: &Fields) -> Result<u64, PageError> {
    let index: u64 = fields
        .get("index")
        .trim()
        .parse()
        .map_err(|_| PageError::bad_request(Lang::En))?;
    match fields.get("dir") {
        "up" => Ok(index.saturating_sub(1)),
        "down" => Ok(index.saturating_add(1)),
        _ => Err(PageError::bad_request(Lang::En)),
    }
}
