//! A badge type's page: its names in every script, the facts, the variants side by side, the
//! pieces in the collection with their engravings, marks and measurements, the images grouped
//! by role, the description and references, and the way to the types before and after it.
//!
//! Only the public aggregate is read, and no specimen's `private` field is ever looked at.
//!
//! Every image links to its large size; `assets/viewer.js` (loaded only here) turns those links
//! into a photo viewer, reading what it needs from the gallery's `data-*` attributes (see
//! [`super::viewer`]).

use crate::routes::{Access, Routes};
use std::collections::BTreeMap;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use vitrina_catalogue::{BadgeType, Lang, Photo, PhotoRole, Specimen, Unit, Variant};
use vitrina_operations::TypeView;

use super::viewer::{self, Owner};
use super::{
    Image, Layout, Link, cached_when_settled, localized, parse_slug, render, without_failed_photos,
};
use crate::assets::Assets;
use crate::error::PageError;
use crate::i18n::{self, capitalised, t};
use crate::markdown;
use crate::state::App;

pub fn routes() -> Routes {
    Routes::new()
        .get("/types/{slug}", Access::Public, english)
        .get("/ru/types/{slug}", Access::Public, russian)
        .get("/types/{slug}/photos/{n}", Access::Public, english_photo)
        .get("/ru/types/{slug}/photos/{n}", Access::Public, russian_photo)
}

async fn english_photo(
    State(app): State<App>,
    at: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    show_photo(app, Lang::En, at, headers).await
}

async fn russian_photo(
    State(app): State<App>,
    at: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    show_photo(app, Lang::Ru, at, headers).await
}

/// One image of a type on a page of its own, large, with its caption: where a figure leads
/// without JavaScript (with it, the viewer opens instead). `n` counts from 1 in the gallery's
/// order.
async fn show_photo(
    app: App,
    lang: Lang,
    at: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Ok(Path((raw, n))) = at else {
        return Err(PageError::not_found(lang));
    };
    let slug = parse_slug(lang, &raw)?;
    // Only plain positive numbers: no signs, no leading zeros, nothing past the gallery.
    let n = match n.parse::<usize>() {
        Ok(v) if v >= 1 && v.to_string() == n => v,
        _ => return Err(PageError::not_found(lang)),
    };
    let path = format!("/types/{slug}/photos/{n}");
    cached_when_settled(&app, lang, path.clone(), &headers, || async {
        let mut view = app
            .catalogue()
            .public_type(&slug)
            .await
            .map_err(|e| PageError::from_operations(lang, e))?;
        let settled = without_failed_photos(&app, &mut view.badge_type).await;
        let page = TypePage::of(&view, lang, app.assets());
        let items: Vec<&GalleryItem> = page.photo_groups.iter().flat_map(|g| &g.photos).collect();
        let Some(item) = items.get(n - 1) else {
            return Err(PageError::not_found(lang));
        };
        let type_href = localized(lang, &format!("/types/{slug}"));
        let photo_href = |i: usize| localized(lang, &format!("/types/{slug}/photos/{i}"));
        #[derive(Serialize)]
        struct Ctx<'a> {
            layout: Layout,
            title: &'a str,
            heading: String,
            image: Image,
            back: Link,
            previous: Option<String>,
            next: Option<String>,
            position: String,
        }
        let heading = format!("{} · {}", page.title, item.label);
        let layout = Layout::page(
            &app,
            lang,
            heading.clone(),
            item.image.alt.clone(),
            &path,
            "",
        );
        let ctx = Ctx {
            layout,
            title: &page.title,
            heading,
            image: Image {
                lazy: false,
                ..item.image.clone()
            },
            back: Link {
                href: type_href,
                text: page.title.clone(),
            },
            previous: (n > 1).then(|| photo_href(n - 1)),
            next: (n < items.len()).then(|| photo_href(n + 1)),
            position: i18n::t(lang, "photo_of")
                .replace("{n}", &n.to_string())
                .replace("{count}", &items.len().to_string()),
        };
        Ok((render(&app, lang, "photo.html", ctx)?, settled))
    })
    .await
}

async fn english(
    State(app): State<App>,
    slug: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    show(app, Lang::En, slug, headers).await
}

async fn russian(
    State(app): State<App>,
    slug: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    show(app, Lang::Ru, slug, headers).await
}

async fn show(
    app: App,
    lang: Lang,
    slug: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Ok(Path(raw)) = slug else {
        return Err(PageError::not_found(lang));
    };
    let slug = parse_slug(lang, &raw)?;
    let path = format!("/types/{slug}");
    cached_when_settled(&app, lang, path.clone(), &headers, || async {
        let mut view = app
            .catalogue()
            .public_type(&slug)
            .await
            .map_err(|e| PageError::from_operations(lang, e))?;
        let settled = without_failed_photos(&app, &mut view.badge_type).await;
        let page = TypePage::of(&view, lang, app.assets());
        let description = super::home::first_line(view.badge_type.description.get(lang));
        let layout = Layout::page(&app, lang, page.title.clone(), description, &path, "");
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            page: TypePage,
        }
        Ok((
            render(&app, lang, "badge_type.html", Ctx { layout, page })?,
            settled,
        ))
    })
    .await
}

/// One row of a definition list.
#[derive(Debug, Serialize)]
pub(crate) struct Fact {
    label: String,
    value: String,
    /// The `lang` attribute of the value, when it is not in the page's language.
    lang: Option<String>,
    /// A second, quieter line: a full name, a script, a place.
    detail: Option<String>,
    /// Set the value in the vertical Mongolian script.
    vertical: bool,
}

impl Fact {
    fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
            lang: None,
            detail: None,
            vertical: false,
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Self {
        let d = detail.into();
        self.detail = (!d.is_empty()).then_some(d);
        self
    }

    fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }
}

#[derive(Debug, Serialize)]
struct PhotoGroup {
    label: &'static str,
    photos: Vec<GalleryItem>,
}

/// One image of the gallery, and what the viewer needs to know of it.
#[derive(Debug, Serialize)]
struct GalleryItem {
    image: Image,
    /// Its place in the viewer's sequence (the page's order).
    index: usize,
    /// The index of its other side, when there is one to flip to.
    pair: Option<usize>,
    /// Its name in the viewer ("Reverse · Silver, No. 9").
    label: String,
    /// Its own page, where the figure leads without JavaScript.
    page: String,
}

/// The photo viewer's script and strings.
#[derive(Debug, Serialize)]
struct ViewerView {
    /// The fingerprinted URL of `viewer.js`.
    script: String,
    /// `label-<key>` → text, written as `data-*` attributes.
    labels: BTreeMap<String, &'static str>,
}

#[derive(Debug, Serialize)]
struct VariantView {
    name: String,
    rows: Vec<Fact>,
}

#[derive(Debug, Serialize)]
struct Engraving {
    text: String,
    description: String,
    position: String,
}

#[derive(Debug, Serialize)]
struct Hallmark {
    kind: &'static str,
    present: bool,
    position: String,
    description: String,
}

#[derive(Debug, Serialize)]
struct SpecimenView {
    heading: String,
    engravings: Vec<Engraving>,
    hallmarks: Vec<Hallmark>,
    measurements: Vec<Fact>,
    condition: Option<&'static str>,
    rarity: Option<&'static str>,
    notes: String,
}

#[derive(Debug, Serialize)]
struct Reference {
    citation: String,
    url: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TypePage {
    title: String,
    names: Vec<Fact>,
    facts: Vec<Fact>,
    categories: Vec<Link>,
    photo_groups: Vec<PhotoGroup>,
    viewer: ViewerView,
    variants: Vec<VariantView>,
    specimens: Vec<SpecimenView>,
    description: String,
    references: Vec<Reference>,
    previous: Option<Link>,
    next: Option<Link>,
}

const ROLES: [PhotoRole; 5] = [
    PhotoRole::Obverse,
    PhotoRole::Reverse,
    PhotoRole::Marks,
    PhotoRole::Detail,
    PhotoRole::Document,
];

impl TypePage {
    pub fn of(view: &TypeView, lang: Lang, assets: &Assets) -> Self {
        let bt = &view.badge_type;
        let link = |s: &vitrina_storage::TypeSummary| Link {
            href: localized(lang, &format!("/types/{}", s.slug)),
            text: s.names.get(lang).to_owned(),
        };
        Self {
            title: bt.names.get(lang).to_owned(),
            names: names(bt, lang),
            facts: facts(bt, lang),
            categories: view
                .categories
                .iter()
                .map(|c| Link {
                    href: localized(lang, &format!("/categories/{}", c.slug)),
                    text: c.title.get(lang).to_owned(),
                })
                .collect(),
            photo_groups: photo_groups(bt, lang),
            viewer: ViewerView {
                script: assets
                    .url("viewer.js")
                    .unwrap_or("/assets/viewer.js")
                    .to_owned(),
                labels: viewer::labels(lang),
            },
            variants: bt.variants.iter().map(|v| variant(v, lang)).collect(),
            specimens: specimens(bt, lang),
            description: markdown::to_html(bt.description.get(lang)),
            references: bt
                .references
                .iter()
                .map(|r| Reference {
                    citation: r.citation.clone(),
                    url: r
                        .url
                        .as_ref()
                        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                        .cloned(),
                })
                .collect(),
            previous: view.neighbours.previous.as_ref().map(link),
            next: view.neighbours.next.as_ref().map(link),
        }
    }
}

/// The names the title does not already give: the name in the other language and the
/// inscription in its own script. Of an inscription whose text was not recorded, the script
/// and language it is in: visitors read what the badge carries, not what the catalogue lacks.
fn names(bt: &BadgeType, lang: Lang) -> Vec<Fact> {
    let mut out = Vec::with_capacity(2);
    let title = bt.names.get(lang);
    let (other, code, label) = match lang {
        Lang::En => (&bt.names.ru, "ru", "name_ru"),
        Lang::Ru => (&bt.names.en, "en", "name_en"),
    };
    if !other.trim().is_empty() && other != title {
        out.push(Fact::new(t(lang, label), other).lang(code));
    }
    if let Some(original) = &bt.names.original {
        let script = i18n::script(lang, original.script);
        let language = i18n::language_name(lang, &original.language);
        let about = format!("{script}, {language}");
        let text = original.text.trim();
        if text.is_empty() {
            out.push(Fact::new(t(lang, "inscription"), about));
        } else if text != other.trim() && text != title {
            let tag = match i18n::script_subtag(original.script) {
                Some(s) => format!("{}-{s}", original.language),
                None => original.language.clone(),
            };
            let mut f = Fact::new(t(lang, "inscription"), text)
                .lang(tag)
                .detail(about);
            f.vertical = original.script == vitrina_catalogue::Script::Mongolian;
            out.push(f);
        }
    }
    out
}

fn facts(bt: &BadgeType, lang: Lang) -> Vec<Fact> {
    let mut out = Vec::new();
    if let Some(d) = &bt.established {
        out.push(Fact::new(t(lang, "established"), i18n::date(lang, d)));
    }
    if let Some(p) = &bt.period {
        out.push(Fact::new(t(lang, "period"), i18n::period(lang, p)));
    }
    if let Some(issuer) = &bt.issuer {
        let name = issuer.name.get(lang);
        let abbr = match (
            issuer.abbreviation.as_str(),
            issuer.abbreviation_latin.as_str(),
        ) {
            ("", "") => String::new(),
            (a, "") | ("", a) => a.to_owned(),
            (a, l) if a == l => a.to_owned(),
            (a, l) => format!("{a} ({l})"),
        };
        out.push(if abbr.is_empty() {
            Fact::new(t(lang, "issuer"), name)
        } else {
            Fact::new(t(lang, "issuer"), abbr).detail(name)
        });
    }
    if let Some(e) = &bt.event {
        let mut detail = Vec::new();
        if let Some(d) = &e.date {
            detail.push(i18n::date(lang, d));
        }
        if !e.place.is_empty() {
            detail.push(e.place.get(lang).to_owned());
        }
        out.push(Fact::new(t(lang, "event"), e.name.get(lang)).detail(detail.join(", ")));
    }
    let mut materials: Vec<String> = Vec::new();
    for v in &bt.variants {
        let phrase = i18n::materials_phrase(lang, &v.materials, v.plating);
        if !phrase.is_empty() && !materials.contains(&phrase) {
            materials.push(phrase);
        }
    }
    if !materials.is_empty() {
        out.push(Fact::new(t(lang, "materials"), materials.join("; ")));
    }
    out
}

fn variant(v: &Variant, lang: Lang) -> VariantView {
    let mut rows = Vec::new();
    let materials = i18n::materials_phrase(lang, &v.materials, v.plating);
    if !materials.is_empty() {
        rows.push(Fact::new(t(lang, "materials"), materials));
    }
    if let Some(p) = v.plating {
        rows.push(Fact::new(t(lang, "plating"), i18n::plating(lang, p)));
    }
    if let Some(f) = v.fitting {
        rows.push(Fact::new(t(lang, "fitting"), i18n::fitting(lang, f)));
    }
    if !v.maker.is_empty() {
        rows.push(Fact::new(t(lang, "maker"), &v.maker));
    }
    if !v.marks.is_empty() {
        let marks: Vec<&str> = v.marks.iter().map(|m| m.get(lang)).collect();
        rows.push(Fact::new(t(lang, "marks"), marks.join("; ")));
    }
    if !v.enamel.is_empty() {
        rows.push(Fact::new(t(lang, "enamel"), v.enamel.get(lang)));
    }
    if let Some(r) = &v.size_mm {
        rows.push(Fact::new(
            t(lang, "size"),
            i18n::range(lang, r.min, r.max, Unit::Mm),
        ));
    }
    if let Some(r) = &v.weight_g {
        rows.push(Fact::new(
            t(lang, "weight"),
            i18n::range(lang, r.min, r.max, Unit::G),
        ));
    }
    if let Some(s) = &v.serial_numbers {
        rows.push(Fact::new(
            t(lang, "serial_numbers"),
            i18n::serial(lang, s.from, s.to),
        ));
    }
    if !v.notes.is_empty() {
        rows.push(Fact::new(t(lang, "notes"), v.notes.get(lang)));
    }
    VariantView {
        name: variant_name(v, lang),
        rows,
    }
}

fn specimens(bt: &BadgeType, lang: Lang) -> Vec<SpecimenView> {
    let names = piece_names(bt, lang);
    let mut out = Vec::new();
    for v in &bt.variants {
        for s in &v.specimens {
            out.push(specimen(s, names[out.len()].clone(), lang));
        }
    }
    out
}

/// What a variant is called on the page: its name, else its materials ("Silver"), else just
/// "Variant" — never a number, which is the catalogue's bookkeeping, not a visitor's word.
fn variant_name(v: &Variant, lang: Lang) -> String {
    let name = v.name.get(lang).trim();
    if !name.is_empty() {
        return name.to_owned();
    }
    let materials = i18n::materials_phrase(lang, &v.materials, v.plating);
    if materials.is_empty() {
        t(lang, "variant").to_owned()
    } else {
        capitalised(&materials)
    }
}

/// The name of each piece, in page order: its variant's name with its inventory number, or
/// with what is engraved on it; pieces that would still share a name are told apart by
/// (2), (3)…
fn piece_names(bt: &BadgeType, lang: Lang) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for v in &bt.variants {
        let base = variant_name(v, lang);
        for s in &v.specimens {
            let engraved = s.engravings.iter().find(|e| !e.text.trim().is_empty());
            let name = if !s.inventory_number.trim().is_empty() {
                format!("{base}, {}", s.inventory_number.trim())
            } else if let Some(e) = engraved {
                let (open, close) = if lang == Lang::Ru {
                    ("«", "»")
                } else {
                    ("“", "”")
                };
                format!("{base}, {open}{}{close}", e.text.trim())
            } else {
                base.clone()
            };
            names.push(name);
        }
    }
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let same = names.iter().filter(|n| *n == name).count();
        if same > 1 {
            let k = names[..=i].iter().filter(|n| *n == name).count();
            out.push(format!("{name} ({k})"));
        } else {
            out.push(name.clone());
        }
    }
    out
}

/// A piece, from its public fields only.
fn specimen(s: &Specimen, heading: String, lang: Lang) -> SpecimenView {
    let place = |p: &Option<vitrina_catalogue::Placement>| {
        p.as_ref()
            .map(|p| i18n::placement(lang, p))
            .unwrap_or_default()
    };
    SpecimenView {
        heading,
        engravings: s
            .engravings
            .iter()
            .map(|e| Engraving {
                text: e.text.clone(),
                description: e.description.get(lang).to_owned(),
                position: place(&e.position),
            })
            .collect(),
        hallmarks: s
            .hallmarks
            .iter()
            .map(|h| {
                let kind = i18n::mark_kind(lang, h.kind);
                Hallmark {
                    kind,
                    present: h.present,
                    position: place(&h.position),
                    description: adds_to(h.description.get(lang), kind),
                }
            })
            .collect(),
        measurements: s
            .measurements
            .iter()
            .map(|m| Fact::new(i18n::dimension(lang, m.dimension), i18n::quantity(lang, m)))
            .collect(),
        condition: s.condition.map(|c| i18n::condition(lang, c)),
        rarity: s.rarity.map(|r| i18n::rarity(lang, r)),
        notes: markdown::to_html(s.notes.get(lang)),
    }
}

/// A description, unless it only repeats the label in other words ("Silver proof marks" under
/// "silver proof mark", "Пробирные клейма серебра" under "пробирное клеймо серебра").
fn adds_to(description: &str, label: &str) -> String {
    fn stems(s: &str) -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !matches!(*w, "the" | "a" | "an" | "s"))
            .map(|w| w.chars().take(5).collect())
            .collect()
    }
    let (d, l) = (stems(description), stems(label));
    let within = |a: &[String], b: &[String]| a.iter().all(|w| b.contains(w));
    if d.is_empty() || within(&d, &l) || (within(&l, &d) && d.len() <= l.len() + 1) {
        String::new()
    } else {
        description.to_owned()
    }
}

/// The type's and its pieces' images, grouped by role; all but the first load lazily. Each knows
/// its place in the viewer's sequence and its other side.
fn photo_groups(bt: &BadgeType, lang: Lang) -> Vec<PhotoGroup> {
    let pieces = piece_names(bt, lang);
    let mut all: Vec<(&Photo, Owner)> = bt.photos.iter().map(|p| (p, Owner::Type)).collect();
    for (n, s) in bt.specimens().enumerate() {
        all.extend(s.photos.iter().map(|p| (p, Owner::Piece(n + 1))));
    }
    // The page's order: by role, and within a role the type's before its pieces' (stable).
    all.sort_by_key(|(p, _)| ROLES.iter().position(|r| *r == p.role));
    let keys: Vec<(PhotoRole, Owner)> = all.iter().map(|(p, o)| (p.role, *o)).collect();
    let pairs = viewer::partners(&keys);
    let mut groups: Vec<PhotoGroup> = Vec::new();
    for (index, ((photo, owner), pair)) in all.into_iter().zip(pairs).enumerate() {
        let item = GalleryItem {
            image: Image::of(photo, lang, index >= 1),
            index,
            pair,
            page: localized(lang, &format!("/types/{}/photos/{}", bt.slug, index + 1)),
            label: viewer::label(
                lang,
                photo.role,
                match owner {
                    Owner::Type => None,
                    Owner::Piece(n) => pieces.get(n - 1).map(String::as_str),
                },
            ),
        };
        let label = i18n::photo_role(lang, photo.role);
        match groups.last_mut() {
            Some(g) if g.label == label => g.photos.push(item),
            _ => groups.push(PhotoGroup {
                label,
                photos: vec![item],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use vitrina_catalogue::Lang;
    use vitrina_operations::{Catalogue, TypeView, open_store};

    use super::*;
    use crate::state::{App, WebSettings};

    async fn demo_app(dir: &tempfile::TempDir) -> (Catalogue, App) {
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let catalogue = Catalogue::new(open_store(&url).await.unwrap());
        catalogue.load_demo().await.unwrap();
        let app = App::new(catalogue.clone(), WebSettings::new(dir.path())).unwrap();
        (catalogue, app)
    }

    fn render_page(app: &App, view: &TypeView, lang: Lang) -> String {
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            page: TypePage,
        }
        let page = TypePage::of(view, lang, app.assets());
        let layout = Layout::page(app, lang, page.title.clone(), String::new(), "/t", "");
        render(app, lang, "badge_type.html", Ctx { layout, page }).unwrap()
    }

    #[tokio::test]
    async fn an_uploaded_photo_is_a_picture_linking_to_its_large_size() {
        let dir = tempfile::tempdir().unwrap();
        let (catalogue, app) = demo_app(&dir).await;
        let slug = vitrina_catalogue::Slug::parse("mopr-badge").unwrap();
        let mut view = catalogue.public_type(&slug).await.unwrap();
        let hash = "0f".repeat(32);
        let photo = &mut view.badge_type.photos[0];
        photo.file = format!("photos/{hash}");
        photo.illustration = false;
        (photo.width, photo.height) = (Some(4000), Some(3000));
        let html = render_page(&app, &view, Lang::En);
        let u = |s: &str| format!("/media/photos/{hash}/{s}");

        let start = html.find("<a class=\"figure__zoom\"").unwrap();
        let figure = &html[start..start + html[start..].find("</a>").unwrap() + 4];
        let sizes = "(min-width: 56rem) 24rem, 92vw";
        let expected = format!(
            "<a class=\"figure__zoom\" href=\"/types/mopr-badge/photos/1\" data-large=\"{large}\" \
             data-index=\"0\" data-pair=\"1\" \
             data-label=\"Obverse\" data-large-webp=\"{large_webp}\"><picture>\
             <source type=\"image/webp\" srcset=\"{tw} 400w, {dw} 1600w\" sizes=\"{sizes}\">\
             <img src=\"{dj}\" srcset=\"{tj} 400w, {dj} 1600w\" sizes=\"{sizes}\" alt=\"",
            large = u("large.jpg"),
            large_webp = u("large.webp"),
            tw = u("thumb.webp"),
            dw = u("display.webp"),
            tj = u("thumb.jpg"),
            dj = u("display.jpg"),
        );
        assert!(figure.starts_with(&expected), "{figure}");
        // The display size's dimensions; the first image is not lazy.
        assert!(
            figure.ends_with("width=\"1600\" height=\"1200\" decoding=\"async\"></picture></a>"),
            "{figure}"
        );
        // The reverse, still a single SVG file, is a plain image, lazy, linking to its page;
        // the viewer names the piece it shows by its name on the page.
        let reverse = "<a class=\"figure__zoom\" href=\"/types/mopr-badge/photos/2\" \
            data-large=\"/media/demo/mopr-badge-reverse.svg\" \
            data-index=\"1\" data-pair=\"0\" data-label=\"Reverse · Solid silver\">\
            <img src=\"/media/demo/mopr-badge-reverse.svg\" alt=\"";
        assert!(html.contains(reverse), "{html}");
        assert!(
            html.contains("width=\"400\" height=\"400\" loading=\"lazy\" decoding=\"async\"></a>")
        );
    }

    #[tokio::test]
    async fn the_viewer_gets_its_script_and_strings_in_the_page_language() {
        let dir = tempfile::tempdir().unwrap();
        let (catalogue, app) = demo_app(&dir).await;
        let mopr = vitrina_catalogue::Slug::parse("mopr-badge").unwrap();
        let view = catalogue.public_type(&mopr).await.unwrap();
        let script = app.assets().url("viewer.js").unwrap().to_owned();
        assert!(script.starts_with("/assets/viewer.") && script.ends_with(".js"));
        let ru = render_page(&app, &view, Lang::Ru);
        assert!(ru.contains(&format!("<script src=\"{script}\" defer></script>")));
        assert!(ru.contains(" data-viewer data-title=\"Знак МОПР\""));
        assert!(ru.contains(" data-label-flip=\"Перевернуть\""));
        assert!(ru.contains(" data-label=\"Оборотная сторона · Цельное серебро\""));
        let en = render_page(&app, &view, Lang::En);
        assert!(en.contains(" data-label-flip=\"Flip\""));

        // A type without images loads no viewer.
        let mut bare = view;
        bare.badge_type.photos.clear();
        for v in &mut bare.badge_type.variants {
            for s in &mut v.specimens {
                s.photos.clear();
            }
        }
        let html = render_page(&app, &bare, Lang::En);
        assert!(!html.contains("viewer."), "{html}");
        assert!(!html.contains("data-viewer"));
    }

    /// Not an assertion: prints what a type page costs, for the record (`--ignored --nocapture`).
    #[tokio::test]
    #[ignore]
    async fn render_time_of_a_type_page() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let catalogue = Catalogue::new(open_store(&url).await.unwrap());
        catalogue.load_demo().await.unwrap();
        let app = App::new(catalogue.clone(), WebSettings::new(dir.path())).unwrap();
        let slug = vitrina_catalogue::Slug::parse("mopr-badge").unwrap();
        let n = 2000;
        let start = Instant::now();
        let mut view = None;
        for _ in 0..n {
            view = Some(catalogue.public_type(&slug).await.unwrap());
        }
        let load = start.elapsed() / n;
        let view = view.unwrap();
        let start = Instant::now();
        let mut bytes = 0;
        for _ in 0..n {
            let page = TypePage::of(&view, Lang::Ru, app.assets());
            let layout = Layout::page(
                &app,
                Lang::Ru,
                page.title.clone(),
                String::new(),
                "/types/mopr-badge",
                "",
            );
            #[derive(Serialize)]
            struct Ctx {
                layout: Layout,
                page: TypePage,
            }
            bytes = render(&app, Lang::Ru, "badge_type.html", Ctx { layout, page })
                .unwrap()
                .len();
        }
        let render_time = start.elapsed() / n;
        println!("type page: load {load:?}, view + render {render_time:?}, {bytes} bytes");
    }
}
