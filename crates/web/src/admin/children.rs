//! The forms of a type's children on its page: variants, specimens (private fields in their
//! own fieldset) and photo metadata — save, add, delete (after a confirmation page), reorder,
//! duplicate. Each changes the loaded type and saves it whole, at the version the page was read
//! at, so a child form is refused with a compare like the type's own form when someone else
//! saved the type in between.

use crate::routes::{Access, Routes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vitrina_catalogue::{BadgeType, Lang, Photo};

use super::forms::{self, Fields, Form, PHOTO_FIELDS, SPECIMEN_FIELDS, Slot, VARIANT_FIELDS};
use super::lang::{root, trf};
use super::rows;
use super::types::{FormBody, Shown, Target, edit_page, slug_of};
use super::{Confirm, Refusal, author, compare, confirm, fields, page_error, refusal, see_other};
use crate::auth::{Curator, Editor};
use crate::error::PageError;
use crate::state::App;

pub(super) fn routes() -> Routes {
    const SPECIMEN: &str = "/admin/types/{slug}/variants/{v}/specimens/{s}";
    Routes::new()
        .post("/admin/types/{slug}/variants", Access::Editor, add_variant)
        .post("/admin/types/{slug}/variants/{v}", Access::Editor, variant)
        .get(
            "/admin/types/{slug}/variants/{v}/delete",
            Access::Editor,
            variant_confirm,
        )
        .post(
            "/admin/types/{slug}/variants/{v}/specimens",
            Access::Editor,
            add_specimen,
        )
        .post(SPECIMEN, Access::Editor, specimen)
        .get(
            "/admin/types/{slug}/variants/{v}/specimens/{s}/delete",
            Access::Editor,
            specimen_confirm,
        )
        .post("/admin/types/{slug}/photos/{p}", Access::Editor, type_photo)
        .get(
            "/admin/types/{slug}/photos/{p}/delete",
            Access::Editor,
            type_photo_confirm,
        )
        .post(
            "/admin/types/{slug}/variants/{v}/specimens/{s}/photos/{p}",
            Access::Editor,
            specimen_photo,
        )
        .get(
            "/admin/types/{slug}/variants/{v}/specimens/{s}/photos/{p}/delete",
            Access::Editor,
            specimen_photo_confirm,
        )
}

// Variants, specimens and photos: each a form that changes the type and saves it whole.

/// What a child form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Save,
    Delete,
    Up,
    Down,
    Duplicate,
}

fn action_of(fields: &Fields) -> Result<Action, PageError> {
    Ok(match fields.get("action") {
        "" | "save" => Action::Save,
        "delete" => Action::Delete,
        "up" => Action::Up,
        "down" => Action::Down,
        "duplicate" => Action::Duplicate,
        _ => return Err(PageError::bad_request(Lang::En)),
    })
}

/// Moves, removes or copies item `i` of a list; `false` when there is no item `i`.
pub(super) fn rearrange<T: Clone>(
    items: &mut Vec<T>,
    i: usize,
    action: Action,
    copy: impl Fn(&T) -> T,
) -> bool {
    if i >= items.len() {
        return false;
    }
    match action {
        Action::Delete => {
            items.remove(i);
        }
        Action::Up if i > 0 => items.swap(i, i - 1),
        Action::Down if i + 1 < items.len() => items.swap(i, i + 1),
        Action::Duplicate => {
            let c = copy(&items[i]);
            items.insert(i + 1, c);
        }
        _ => {}
    }
    true
}

/// One change to a child record: loads the type, checks the form's version, applies `change`
/// (which reads its form and may add errors to it) and saves the type whole. Errors and
/// conflicts re-render the page with the form as typed.
async fn change_child(
    app: &App,
    curator: &Curator,
    slug: &str,
    fields: Fields,
    (target, names, lists): (Target, &[&str], &[rows::List]),
    current: impl Fn(&BadgeType) -> Option<Form>,
    change: impl FnOnce(&mut BadgeType, &mut Form) -> bool,
) -> Result<Response, PageError> {
    let slug = slug_of(slug)?;
    let stored = app
        .catalogue()
        .curator_type(&slug)
        .await
        .map_err(page_error)?;
    let mut form = Form::from_fields(&fields, names);
    rows::read(&fields, &mut form, lists);
    let mut shown = Shown::default();
    if forms::version_of(&Form::from_fields(&fields, &["version"])) != stored.version {
        return conflict_child(app, curator, &stored, target, form, current, None).await;
    }
    let mut t = stored.clone();
    if !change(&mut t, &mut form) {
        return Err(PageError::not_found(Lang::En));
    }
    if !form.errors.is_empty() {
        shown.forms.insert(target, form);
        return edit_page(
            app,
            curator,
            &stored,
            slug.as_str(),
            shown,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match app.catalogue().save_type_by(&t, &author(curator)).await {
        Ok(saved) => Ok(see_other(&format!(
            "/admin/types/{}?notice=Saved",
            saved.slug
        ))),
        Err(e) => match refusal(e) {
            Refusal::Invalid(errors) => {
                for (slot, errs) in forms::route_errors(&errors) {
                    // A new child's errors belong to the form that adds it.
                    let at = match (target, slot) {
                        (Target::NewVariant, Slot::Variant(_)) => Target::NewVariant,
                        (Target::NewSpecimen(v), Slot::Specimen(..)) => Target::NewSpecimen(v),
                        _ => Target::Existing(slot),
                    };
                    shown.errors.insert(at, errs);
                }
                shown.forms.insert(target, form);
                edit_page(
                    app,
                    curator,
                    &stored,
                    slug.as_str(),
                    shown,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Refusal::Conflict(m) => {
                let fresh = app
                    .catalogue()
                    .curator_type(&slug)
                    .await
                    .map_err(page_error)?;
                conflict_child(app, curator, &fresh, target, form, current, Some(m)).await
            }
            Refusal::Page(p) => Err(p),
        },
    }
}

async fn conflict_child(
    app: &App,
    curator: &Curator,
    stored: &BadgeType,
    target: Target,
    form: Form,
    current: impl Fn(&BadgeType) -> Option<Form>,
    message: Option<String>,
) -> Result<Response, PageError> {
    let mut shown = Shown {
        compare: match current(stored) {
            Some(stored_form) => compare(&form, &stored_form),
            None => Vec::new(),
        },
        conflict: Some(message.unwrap_or_else(|| {
            format!(
                "Someone else saved this type (now version {}) after you opened it. Your \
                 changes are NOT saved: they are kept in the form below; compare them with the \
                 stored values and save again.",
                stored.version
            )
        })),
        ..Shown::default()
    };
    // Only a form that still exists can show the input again.
    if current(stored).is_some() || matches!(target, Target::NewVariant | Target::NewSpecimen(_)) {
        shown.forms.insert(target, form);
    }
    edit_page(
        app,
        curator,
        stored,
        stored.slug.as_str(),
        shown,
        StatusCode::CONFLICT,
    )
    .await
}

async fn add_variant(
    State(app): State<App>,
    Editor(curator): Editor,
    Path(slug): Path<String>,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    change_child(
        &app,
        &curator,
        &slug,
        fields,
        (Target::NewVariant, VARIANT_FIELDS, rows::VARIANT_LISTS),
        |_| Some(forms::variant_form(&forms::new_variant())),
        |t, form| {
            let mut v = forms::new_variant();
            forms::apply_variant(form, &mut v);
            t.variants.push(v);
            true
        },
    )
    .await
}

async fn variant(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, vi)): Path<(String, usize)>,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    let action = action_of(&fields)?;
    change_child(
        &app,
        &curator,
        &slug,
        fields,
        (
            Target::Existing(Slot::Variant(vi)),
            VARIANT_FIELDS,
            rows::VARIANT_LISTS,
        ),
        |t| t.variants.get(vi).map(forms::variant_form),
        |t, form| match action {
            Action::Save => match t.variants.get_mut(vi) {
                Some(v) => {
                    forms::apply_variant(form, v);
                    true
                }
                None => false,
            },
            _ => rearrange(&mut t.variants, vi, action, |v| {
                let mut c = v.clone();
                c.id = None;
                c.specimens.clear();
                c
            }),
        },
    )
    .await
}

async fn add_specimen(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, vi)): Path<(String, usize)>,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    change_child(
        &app,
        &curator,
        &slug,
        fields,
        (
            Target::NewSpecimen(vi),
            SPECIMEN_FIELDS,
            rows::SPECIMEN_LISTS,
        ),
        |_| Some(forms::specimen_form(&forms::new_specimen())),
        |t, form| match t.variants.get_mut(vi) {
            Some(v) => {
                let mut s = forms::new_specimen();
                forms::apply_specimen(form, &mut s);
                v.specimens.push(s);
                true
            }
            None => false,
        },
    )
    .await
}

async fn specimen(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, vi, si)): Path<(String, usize, usize)>,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    let action = action_of(&fields)?;
    change_child(
        &app,
        &curator,
        &slug,
        fields,
        (
            Target::Existing(Slot::Specimen(vi, si)),
            SPECIMEN_FIELDS,
            rows::SPECIMEN_LISTS,
        ),
        |t| {
            t.variants
                .get(vi)
                .and_then(|v| v.specimens.get(si))
                .map(forms::specimen_form)
        },
        |t, form| {
            let Some(v) = t.variants.get_mut(vi) else {
                return false;
            };
            match action {
                Action::Save => match v.specimens.get_mut(si) {
                    Some(s) => {
                        forms::apply_specimen(form, s);
                        true
                    }
                    None => false,
                },
                _ => rearrange(&mut v.specimens, si, action, |s| {
                    // A template for another piece: its description, not its identity.
                    let mut c = s.clone();
                    c.id = None;
                    c.inventory_number.clear();
                    c.photos.clear();
                    c.private = None;
                    c
                }),
            }
        },
    )
    .await
}

/// Where a photo sits in the aggregate.
#[derive(Debug, Clone, Copy)]
enum PhotoAt {
    Type(usize),
    Specimen(usize, usize, usize),
}

impl PhotoAt {
    fn list(self, t: &mut BadgeType) -> Option<(&mut Vec<Photo>, usize)> {
        match self {
            PhotoAt::Type(p) => Some((&mut t.photos, p)),
            PhotoAt::Specimen(v, s, p) => t
                .variants
                .get_mut(v)?
                .specimens
                .get_mut(s)
                .map(|s| (&mut s.photos, p)),
        }
    }

    fn get(self, t: &BadgeType) -> Option<&Photo> {
        match self {
            PhotoAt::Type(p) => t.photos.get(p),
            PhotoAt::Specimen(v, s, p) => t.variants.get(v)?.specimens.get(s)?.photos.get(p),
        }
    }

    fn slot(self) -> Slot {
        match self {
            PhotoAt::Type(p) => Slot::TypePhoto(p),
            PhotoAt::Specimen(v, s, p) => Slot::SpecimenPhoto(v, s, p),
        }
    }
}

async fn photo(
    app: &App,
    curator: &Curator,
    slug: &str,
    at: PhotoAt,
    fields: Fields,
) -> Result<Response, PageError> {
    let action = action_of(&fields)?;
    if action == Action::Duplicate {
        return Err(PageError::bad_request(Lang::En));
    }
    change_child(
        app,
        curator,
        slug,
        fields,
        (Target::Existing(at.slot()), PHOTO_FIELDS, &[]),
        |t| at.get(t).map(forms::photo_form),
        |t, form| {
            let Some((photos, i)) = at.list(t) else {
                return false;
            };
            match action {
                Action::Save => match photos.get_mut(i) {
                    Some(p) => {
                        forms::apply_photo(form, p);
                        true
                    }
                    None => false,
                },
                _ => rearrange(photos, i, action, Clone::clone),
            }
        },
    )
    .await
}

async fn type_photo(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, p)): Path<(String, usize)>,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    photo(&app, &curator, &slug, PhotoAt::Type(p), fields).await
}

async fn specimen_photo(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, v, s, p)): Path<(String, usize, usize, usize)>,
    form: FormBody,
) -> Result<Response, PageError> {
    let fields = fields(form)?;
    photo(&app, &curator, &slug, PhotoAt::Specimen(v, s, p), fields).await
}

/// The confirmation page before deleting a child record.
async fn child_confirm(
    app: &App,
    curator: &Curator,
    slug: &str,
    what: impl Fn(Lang, &BadgeType) -> Option<String>,
    action: String,
) -> Result<Response, PageError> {
    let slug = slug_of(slug)?;
    let t = app
        .catalogue()
        .curator_type(&slug)
        .await
        .map_err(page_error)?;
    let lang = curator.workspace.lang;
    let Some(what) = what(lang, &t) else {
        return Err(PageError::not_found(lang));
    };
    confirm(
        app,
        curator,
        Confirm {
            title: trf(lang, "Delete {what}?", &[("what", &what)]),
            message: trf(
                lang,
                "Delete {what} from “{name}”? The type's history keeps it: restoring the version before this one brings it back.",
                &[("what", &what), ("name", t.names.get(lang))],
            ),
            action: format!("{}/types/{slug}{action}", root(lang)),
            hidden: vec![
                ("version".into(), t.version.to_string()),
                ("action".into(), "delete".into()),
            ],
            back: format!("{}/types/{slug}", root(lang)),
        },
    )
}

async fn variant_confirm(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, vi)): Path<(String, usize)>,
) -> Result<Response, PageError> {
    child_confirm(
        &app,
        &curator,
        &slug,
        |lang, t| {
            t.variants
                .get(vi)
                .map(|v| trf(lang, "the variant “{name}”", &[("name", v.name.get(lang))]))
        },
        format!("/variants/{vi}"),
    )
    .await
}

async fn specimen_confirm(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, vi, si)): Path<(String, usize, usize)>,
) -> Result<Response, PageError> {
    child_confirm(
        &app,
        &curator,
        &slug,
        |lang, t| {
            t.variants
                .get(vi)
                .and_then(|v| v.specimens.get(si))
                .map(|s| {
                    let n = if s.inventory_number.is_empty() {
                        trf(lang, "no. {n}", &[("n", &(si + 1).to_string())])
                    } else {
                        s.inventory_number.clone()
                    };
                    trf(lang, "the specimen {n}", &[("n", &n)])
                })
        },
        format!("/variants/{vi}/specimens/{si}"),
    )
    .await
}

async fn type_photo_confirm(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, p)): Path<(String, usize)>,
) -> Result<Response, PageError> {
    child_confirm(
        &app,
        &curator,
        &slug,
        |lang, t| {
            t.photos
                .get(p)
                .map(|p| trf(lang, "the photo {file}", &[("file", &p.file)]))
        },
        format!("/photos/{p}"),
    )
    .await
}

async fn specimen_photo_confirm(
    State(app): State<App>,
    Editor(curator): Editor,
    Path((slug, v, s, p)): Path<(String, usize, usize, usize)>,
) -> Result<Response, PageError> {
    child_confirm(
        &app,
        &curator,
        &slug,
        |lang, t| {
            PhotoAt::Specimen(v, s, p)
                .get(t)
                .map(|p| trf(lang, "the photo {file}", &[("file", &p.file)]))
        },
        format!("/variants/{v}/specimens/{s}/photos/{p}"),
    )
    .await
}
