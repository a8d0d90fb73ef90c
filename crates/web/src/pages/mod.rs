//! The handlers, one module per resource, and what their pages share: the layout (language,
//! alternates, canonical link), image and link views, and the page cache around rendering.

pub mod assets;
pub mod badge_type;
pub mod category;
pub mod health;
pub mod home;
pub mod language;
pub mod media;
pub mod search;
mod viewer;

use std::future::Future;

use axum::http::HeaderMap;
use axum::response::Response;
use minijinja::Value;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use vitrina_catalogue::{Lang, Photo, Slug};

use crate::assets::Assets;
use crate::cache::{PageKey, RenderedPage};
use crate::error::PageError;
use crate::state::App;

/// What a query string value or path segment must escape: all but the unreserved characters
/// (and `/`, which a local path keeps).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

/// The path of a page in a language: `rest` is the English path (`/`, `/types/x`).
pub(crate) fn localized(lang: Lang, rest: &str) -> String {
    match lang {
        Lang::En => rest.to_owned(),
        Lang::Ru => format!("/ru{rest}"),
    }
}

pub(crate) fn other(lang: Lang) -> Lang {
    match lang {
        Lang::En => Lang::Ru,
        Lang::Ru => Lang::En,
    }
}

/// The link that switches to `to` and comes back to the same page in that language.
pub(crate) fn switch_href(to: Lang, target: &str) -> String {
    format!(
        "/lang/{}?next={}",
        to.code(),
        utf8_percent_encode(target, COMPONENT)
    )
}

#[derive(Debug, Serialize)]
pub(crate) struct Alternate {
    pub hreflang: &'static str,
    pub href: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct HeadLink {
    pub rel: &'static str,
    pub href: String,
}

/// What the base template needs on every page.
#[derive(Debug, Serialize)]
pub(crate) struct Layout {
    pub lang: &'static str,
    pub t: Value,
    /// The page's own title; the template adds the site's.
    pub title: String,
    pub description: String,
    pub canonical: Option<String>,
    pub alternates: Vec<Alternate>,
    pub head_links: Vec<HeadLink>,
    pub switch_href: String,
    pub switch_lang: &'static str,
    pub home: String,
    pub css: String,
    pub noindex: bool,
    /// The search box in the header.
    pub search: SearchBox,
}

/// The header's search form: a plain GET form, which `search.js` (when it runs) turns into a
/// combobox that lists results as the visitor types.
#[derive(Debug, Serialize)]
pub(crate) struct SearchBox {
    /// `/search` or `/ru/search`.
    pub action: String,
    /// The JSON endpoint the script asks.
    pub api: &'static str,
    /// The fingerprinted URL of `search.js`.
    pub script: String,
    /// On the search page, whose own form takes the place of the header's: one search
    /// landmark per page.
    pub here: bool,
}

impl SearchBox {
    pub fn new(lang: Lang, assets: &Assets) -> Self {
        Self {
            action: localized(lang, "/search"),
            api: "/api/v1/search",
            script: assets
                .url("search.js")
                .unwrap_or("/assets/search.js")
                .to_owned(),
            here: false,
        }
    }
}

impl Layout {
    /// `path` is the English path of the page, `query` its canonical query (`""` or `?page=2`).
    pub fn page(
        app: &App,
        lang: Lang,
        title: String,
        description: String,
        path: &str,
        query: &str,
    ) -> Self {
        let href = |l: Lang| format!("{}{query}", localized(l, path));
        let to = other(lang);
        Self {
            lang: lang.code(),
            t: app.strings(lang),
            title,
            description,
            canonical: Some(href(lang)),
            alternates: vec![
                Alternate {
                    hreflang: "en",
                    href: href(Lang::En),
                },
                Alternate {
                    hreflang: "ru",
                    href: href(Lang::Ru),
                },
                Alternate {
                    hreflang: "x-default",
                    href: href(Lang::En),
                },
            ],
            head_links: Vec::new(),
            switch_href: switch_href(to, &href(to)),
            switch_lang: to.code(),
            home: localized(lang, "/"),
            css: css_url(app.assets()),
            noindex: false,
            search: SearchBox::new(lang, app.assets()),
        }
    }

    /// The layout of an error page: not indexed, no alternates; the switch leads home.
    pub fn error(lang: Lang, t: Value, assets: &Assets, title: &str) -> Self {
        let to = other(lang);
        Self {
            lang: lang.code(),
            t,
            title: title.to_owned(),
            description: String::new(),
            canonical: None,
            alternates: Vec::new(),
            head_links: Vec::new(),
            switch_href: switch_href(to, &localized(to, "/")),
            switch_lang: to.code(),
            home: localized(lang, "/"),
            css: css_url(assets),
            noindex: true,
            search: SearchBox::new(lang, assets),
        }
    }
}

fn css_url(assets: &Assets) -> String {
    assets
        .url("site.css")
        .unwrap_or("/assets/site.css")
        .to_owned()
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Link {
    pub href: String,
    pub text: String,
}

/// The long edges of the derivatives the photo pipeline makes of an uploaded photo
/// (`photos/<hash>/{thumb,display,large}.{jpg,webp}`); a smaller original is not enlarged.
const THUMB_EDGE: u32 = 400;
const DISPLAY_EDGE: u32 = 1600;

/// An image as the templates show it, in every size they need.
///
/// This is the one place that knows how a photo's `file` becomes URLs. An uploaded photo
/// (`photos/<hash>`) has derivatives in three sizes, each as WebP and JPEG; the templates
/// offer them in a `<picture>` (WebP first, JPEG for the rest) with a `srcset`, and the viewer
/// zooms the large one. Anything else (the demo's SVG drawings, a single file) is one file,
/// used for every size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Image {
    /// The `src` of the `<img>` in a figure: the display size, or the file itself.
    pub src: String,
    /// The JPEG sizes for a figure's `srcset` (`… 400w, … 1600w`); `None` for a single file.
    pub srcset: Option<String>,
    /// The same sizes in WebP, for the `<source>` of the `<picture>`.
    pub webp_srcset: Option<String>,
    /// The small size for cards: the thumbnail, or the file itself.
    pub thumb: String,
    pub thumb_webp: Option<String>,
    /// The size the viewer zooms (and the link a figure leads to without JavaScript).
    pub large: String,
    pub large_webp: Option<String>,
    pub alt: String,
    /// The display size's dimensions, when the photo's are known (so the page does not shift
    /// as images arrive).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The thumbnail's dimensions, for cards.
    pub thumb_width: Option<u32>,
    pub thumb_height: Option<u32>,
    pub caption: String,
    pub credit: String,
    pub illustration: bool,
    /// Below the fold: let the browser load it late.
    pub lazy: bool,
}

impl Image {
    pub fn of(photo: &Photo, lang: Lang, lazy: bool) -> Self {
        let size = match (photo.width, photo.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Some((w, h)),
            _ => None,
        };
        let files = MediaFiles::of(&photo.file);
        let display = size.map(|s| fit(s, DISPLAY_EDGE));
        let thumb = size.map(|s| fit(s, THUMB_EDGE));
        let mut image = Self {
            src: files.url(Size::Display, Format::Jpeg),
            srcset: None,
            webp_srcset: None,
            thumb: files.url(Size::Thumb, Format::Jpeg),
            thumb_webp: None,
            large: files.url(Size::Large, Format::Jpeg),
            large_webp: None,
            alt: photo.alt.get(lang).to_owned(),
            width: display.map(|d| d.0),
            height: display.map(|d| d.1),
            thumb_width: thumb.map(|d| d.0),
            thumb_height: thumb.map(|d| d.1),
            caption: photo.caption.get(lang).to_owned(),
            credit: photo.credit.clone(),
            illustration: photo.illustration,
            lazy,
        };
        if let MediaFiles::Derived(_) = files {
            // The width descriptors: the real widths when the photo's size is known, the long
            // edges otherwise (the browser only uses them to choose).
            let tw = thumb.map_or(THUMB_EDGE, |d| d.0);
            let dw = display.map_or(DISPLAY_EDGE, |d| d.0);
            let set = |format| {
                if tw == dw {
                    format!("{} {dw}w", files.url(Size::Display, format))
                } else {
                    format!(
                        "{} {tw}w, {} {dw}w",
                        files.url(Size::Thumb, format),
                        files.url(Size::Display, format)
                    )
                }
            };
            image.srcset = Some(set(Format::Jpeg));
            image.webp_srcset = Some(set(Format::Webp));
            image.thumb_webp = Some(files.url(Size::Thumb, Format::Webp));
            image.large_webp = Some(files.url(Size::Large, Format::Webp));
        }
        image
    }
}

/// The derivative sizes of an uploaded photo.
#[derive(Debug, Clone, Copy)]
enum Size {
    Thumb,
    Display,
    Large,
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Jpeg,
    Webp,
}

/// What a media key stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum MediaFiles<'a> {
    /// An uploaded photo, `photos/<hash>`: its derivatives live under `photos/<hash>/`.
    Derived(&'a str),
    /// One file for every size.
    Single(&'a str),
}

impl<'a> MediaFiles<'a> {
    fn of(file: &'a str) -> Self {
        match file.strip_prefix("photos/") {
            Some(hash)
                if !hash.is_empty()
                    && hash
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                MediaFiles::Derived(hash)
            }
            _ => MediaFiles::Single(file),
        }
    }

    fn url(self, size: Size, format: Format) -> String {
        match self {
            MediaFiles::Single(file) => media_url(file),
            MediaFiles::Derived(hash) => {
                let size = match size {
                    Size::Thumb => "thumb",
                    Size::Display => "display",
                    Size::Large => "large",
                };
                let ext = match format {
                    Format::Jpeg => "jpg",
                    Format::Webp => "webp",
                };
                media_url(&format!("photos/{hash}/{size}.{ext}"))
            }
        }
    }
}

/// The URLs of a photo's thumbnail, display and zoom sizes, each as `(jpeg, webp)`; a single
/// file (the demo's drawings) is every size, with no WebP.
pub(crate) fn derivative_urls(file: &str) -> [(String, Option<String>); 3] {
    let files = MediaFiles::of(file);
    let webp = |size| match files {
        MediaFiles::Derived(_) => Some(files.url(size, Format::Webp)),
        MediaFiles::Single(_) => None,
    };
    [Size::Thumb, Size::Display, Size::Large]
        .map(|size| (files.url(size, Format::Jpeg), webp(size)))
}

/// The size of an image scaled down (never up) to a long edge of `edge` pixels.
fn fit((w, h): (u32, u32), edge: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= edge {
        return (w, h);
    }
    let scale = |v: u32| {
        ((u64::from(v) * u64::from(edge) + u64::from(long) / 2) / u64::from(long)).max(1) as u32
    };
    (scale(w), scale(h))
}

/// The URL of a media key (`demo/mopr-obverse.svg` → `/media/demo/mopr-obverse.svg`).
pub(crate) fn media_url(key: &str) -> String {
    format!("/media/{}", utf8_percent_encode(key, PATH))
}

/// A slug from a URL, or the 404 it deserves.
pub(crate) fn parse_slug(lang: Lang, raw: &str) -> Result<Slug, PageError> {
    Slug::parse(raw).map_err(|_| PageError::not_found(lang))
}

/// Answers from the page cache, or renders, caches and answers.
pub(crate) async fn cached<F, Fut>(
    app: &App,
    lang: Lang,
    path: String,
    request: &HeaderMap,
    render: F,
) -> Result<Response, PageError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, PageError>>,
{
    cached_when_settled(app, lang, path, request, || async {
        Ok((render().await?, true))
    })
    .await
}

/// Like [`cached`], but a page whose `render` says it is not final (it shows photos whose
/// derivatives are still being made, which may yet fail) is served without being kept, so
/// the next visit sees how they settled.
pub(crate) async fn cached_when_settled<F, Fut>(
    app: &App,
    lang: Lang,
    path: String,
    request: &HeaderMap,
    render: F,
) -> Result<Response, PageError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(String, bool), PageError>>,
{
    let key = PageKey {
        generation: app.catalogue().generation(),
        lang,
        path,
    };
    if let Some(res) = app.cache().get(&key).and_then(|page| page.respond(request)) {
        return Ok(res);
    }
    let (html, settled) = render().await?;
    let page = RenderedPage::new(html);
    if settled {
        app.cache().insert(key, &page);
    }
    Ok(page.respond(request))
}

/// Leaves out of a type the uploaded photos whose derivatives could not be made (a visitor
/// would see a broken image; the curator is told in the workspace). Returns whether every
/// photo left has settled, none still being made.
pub(crate) async fn without_failed_photos(
    app: &App,
    bt: &mut vitrina_catalogue::BadgeType,
) -> bool {
    async fn keep(app: &App, photos: &mut Vec<vitrina_catalogue::Photo>, settled: &mut bool) {
        let mut kept = Vec::with_capacity(photos.len());
        for p in photos.drain(..) {
            let Some(hash) = p.file.strip_prefix("photos/") else {
                kept.push(p);
                continue;
            };
            match app.media().status(hash).await {
                vitrina_media::PhotoStatus::Ready => kept.push(p),
                vitrina_media::PhotoStatus::Pending => {
                    *settled = false;
                    kept.push(p);
                }
                vitrina_media::PhotoStatus::Failed(_) => {}
            }
        }
        *photos = kept;
    }
    let mut settled = true;
    keep(app, &mut bt.photos, &mut settled).await;
    for v in &mut bt.variants {
        for s in &mut v.specimens {
            keep(app, &mut s.photos, &mut settled).await;
        }
    }
    settled
}

/// Renders a template, turning a template error into a logged 500.
pub(crate) fn render<S: Serialize>(
    app: &App,
    lang: Lang,
    name: &str,
    ctx: S,
) -> Result<String, PageError> {
    app.templates()
        .render(name, ctx)
        .map_err(|e| PageError::internal(lang, format!("rendering {name}: {e:#}")))
}

#[cfg(test)]
mod tests {
    use vitrina_catalogue::{PhotoRole, Text};

    use super::*;

    fn photo(file: &str, size: Option<(u32, u32)>) -> Photo {
        Photo {
            id: None,
            role: PhotoRole::Obverse,
            file: file.to_owned(),
            alt: Text {
                en: "A round badge".into(),
                ru: "Круглый знак".into(),
            },
            caption: Text::default(),
            illustration: false,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            credit: String::new(),
            original_name: String::new(),
        }
    }

    #[test]
    fn an_uploaded_photo_offers_its_derivatives_in_webp_and_jpeg() {
        let img = Image::of(&photo("photos/ab12cd", Some((4000, 3000))), Lang::En, true);
        let u = |s: &str| format!("/media/photos/ab12cd/{s}");
        assert_eq!(img.src, u("display.jpg"));
        assert_eq!(
            img.srcset.as_deref(),
            Some(format!("{} 400w, {} 1600w", u("thumb.jpg"), u("display.jpg")).as_str())
        );
        assert_eq!(
            img.webp_srcset.as_deref(),
            Some(format!("{} 400w, {} 1600w", u("thumb.webp"), u("display.webp")).as_str())
        );
        assert_eq!(img.thumb, u("thumb.jpg"));
        assert_eq!(img.thumb_webp.as_deref(), Some(u("thumb.webp").as_str()));
        assert_eq!(img.large, u("large.jpg"));
        assert_eq!(img.large_webp.as_deref(), Some(u("large.webp").as_str()));
        // The display size's own dimensions, so the aspect ratio is right before it loads.
        assert_eq!((img.width, img.height), (Some(1600), Some(1200)));
        assert_eq!((img.thumb_width, img.thumb_height), (Some(400), Some(300)));
        assert!(img.lazy);
    }

    #[test]
    fn a_portrait_photo_is_scaled_by_its_long_edge() {
        let img = Image::of(&photo("photos/p", Some((3000, 4000))), Lang::En, false);
        assert_eq!((img.width, img.height), (Some(1200), Some(1600)));
        assert_eq!((img.thumb_width, img.thumb_height), (Some(300), Some(400)));
        let set = img.srcset.unwrap();
        assert!(
            set.ends_with("thumb.jpg 300w, /media/photos/p/display.jpg 1200w"),
            "{set}"
        );
    }

    #[test]
    fn a_small_photo_is_not_enlarged_and_lists_one_size() {
        let img = Image::of(&photo("photos/s", Some((350, 200))), Lang::En, false);
        assert_eq!((img.width, img.height), (Some(350), Some(200)));
        assert_eq!(
            img.srcset.as_deref(),
            Some("/media/photos/s/display.jpg 350w")
        );
    }

    #[test]
    fn a_photo_of_unknown_size_has_no_dimensions_but_still_its_sizes() {
        let img = Image::of(&photo("photos/u", None), Lang::Ru, false);
        assert_eq!((img.width, img.height), (None, None));
        assert_eq!(img.alt, "Круглый знак");
        assert_eq!(
            img.srcset.as_deref(),
            Some("/media/photos/u/thumb.jpg 400w, /media/photos/u/display.jpg 1600w")
        );
    }

    #[test]
    fn a_single_file_is_every_size() {
        let img = Image::of(
            &photo("demo/mopr-obverse.svg", Some((400, 400))),
            Lang::En,
            false,
        );
        let u = "/media/demo/mopr-obverse.svg";
        assert_eq!(
            (img.src.as_str(), img.thumb.as_str(), img.large.as_str()),
            (u, u, u)
        );
        assert_eq!((img.srcset, img.webp_srcset), (None, None));
        assert_eq!((img.thumb_webp, img.large_webp), (None, None));
        assert_eq!((img.width, img.height), (Some(400), Some(400)));
    }

    #[test]
    fn only_a_plain_hash_under_photos_is_read_as_an_upload() {
        for single in [
            "photos/",
            "photos/a/b.jpg",
            "photos/a.jpg",
            "photos/../x",
            "other/photos/abc",
            "photosabc",
        ] {
            assert_eq!(
                MediaFiles::of(single),
                MediaFiles::Single(single),
                "{single}"
            );
        }
        assert_eq!(
            MediaFiles::of("photos/0f9A_-"),
            MediaFiles::Derived("0f9A_-")
        );
        // Escaped on the way into a URL like any key.
        assert_eq!(
            Image::of(&photo("demo/a b.svg", None), Lang::En, false).large,
            "/media/demo/a%20b.svg"
        );
    }

    #[test]
    fn fit_keeps_the_aspect_and_never_enlarges() {
        assert_eq!(fit((4000, 3000), 1600), (1600, 1200));
        assert_eq!(fit((1000, 10), 400), (400, 4));
        assert_eq!(fit((100_000, 1), 400), (400, 1));
        assert_eq!(fit((300, 300), 400), (300, 300));
        assert_eq!(fit((u32::MAX, u32::MAX), 1600), (1600, 1600));
    }
}
