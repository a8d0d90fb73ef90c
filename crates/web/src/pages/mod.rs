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

use std::future::Future;
use std::sync::Arc;

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

/// An image as the templates show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Image {
    pub src: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub caption: String,
    pub credit: String,
    pub illustration: bool,
    /// Below the fold: let the browser load it late.
    pub lazy: bool,
}

impl Image {
    pub fn of(photo: &Photo, lang: Lang, lazy: bool) -> Self {
        let (width, height) = match (photo.width, photo.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
            _ => (600, 600),
        };
        Self {
            src: media_url(&photo.file),
            alt: photo.alt.get(lang).to_owned(),
            width,
            height,
            caption: photo.caption.get(lang).to_owned(),
            credit: photo.credit.clone(),
            illustration: photo.illustration,
            lazy,
        }
    }
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
    let key = PageKey {
        generation: app.catalogue().generation(),
        lang,
        path,
    };
    if let Some(page) = app.cache().get(&key) {
        return Ok(page.respond(request));
    }
    let html = render().await?;
    let page = Arc::new(RenderedPage::new(html));
    let res = page.respond(request);
    app.cache().insert(key, page);
    Ok(res)
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
