//! The home page: the collection's title and introduction and its sections.
//!
//! `GET /` remembers a visitor's language: with the `lang=ru` cookie it redirects to `/ru/`.
//! A first visit (no cookie) whose browser prefers Russian to English (`Accept-Language`) is
//! offered Russian the same way; choosing English sets `lang=en`, which then wins. Only this
//! one URL reads the cookie and the header (and says so with `Vary`); every page itself is the
//! same for everyone, so it can be cached.

use crate::routes::{Access, Routes};
use axum::extract::State;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use vitrina_catalogue::Lang;

use super::{Image, Layout, Link, cached, localized, render};
use crate::error::PageError;
use crate::i18n;
use crate::markdown;
use crate::state::App;

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Access::Public, english)
        .get("/ru/", Access::Public, russian)
        .get("/ru", Access::Public, || async { redirect("/ru/") })
}

pub(crate) fn redirect(to: &'static str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, HeaderValue::from_static(to))],
    )
        .into_response()
}

/// The language a `lang` cookie asks for, if any.
pub(crate) fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, value)| Lang::from_code(value.trim()))
}

/// The first of our languages the browser asks for, by its `Accept-Language` preferences.
pub(crate) fn browser_lang(headers: &HeaderMap) -> Option<Lang> {
    let header = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    accept_language::parse(header).iter().find_map(|tag| {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        Lang::from_code(&primary.to_ascii_lowercase())
    })
}

async fn english(State(app): State<App>, headers: HeaderMap) -> Result<Response, PageError> {
    let vary = HeaderValue::from_static("Accept-Encoding, Cookie, Accept-Language");
    let wanted = cookie_lang(&headers).or_else(|| browser_lang(&headers));
    if wanted == Some(Lang::Ru) {
        let mut res = redirect("/ru/");
        res.headers_mut().insert(VARY, vary);
        return Ok(res);
    }
    let mut res = page(&app, Lang::En, &headers).await?;
    res.headers_mut().insert(VARY, vary);
    Ok(res)
}

async fn russian(State(app): State<App>, headers: HeaderMap) -> Result<Response, PageError> {
    page(&app, Lang::Ru, &headers).await
}

#[derive(Serialize)]
struct Ctx {
    layout: Layout,
    title: String,
    introduction: String,
    categories: Vec<CategoryCard>,
}

#[derive(Serialize)]
struct CategoryCard {
    link: Link,
    count: String,
    image: Option<Image>,
}

async fn page(app: &App, lang: Lang, headers: &HeaderMap) -> Result<Response, PageError> {
    cached(app, lang, "/".to_owned(), headers, || async {
        let home = app
            .catalogue()
            .home()
            .await
            .map_err(|e| PageError::from_operations(lang, e))?;
        let title = home.collection.title.get(lang).to_owned();
        let cards: Vec<CategoryCard> = home
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| CategoryCard {
                link: Link {
                    href: localized(lang, &format!("/categories/{}", c.category.slug)),
                    text: c.category.title.get(lang).to_owned(),
                },
                count: i18n::count_types(lang, c.type_count),
                image: c.thumbnail.as_ref().map(|p| Image::of(p, lang, i >= 4)),
            })
            .collect();
        let layout = Layout::page(
            app,
            lang,
            title.clone(),
            first_line(home.collection.introduction.get(lang)),
            "/",
            "",
        );
        render(
            app,
            lang,
            "home.html",
            Ctx {
                layout,
                title,
                introduction: markdown::to_html(home.collection.introduction.get(lang)),
                categories: cards,
            },
        )
    })
    .await
}

/// A plain-text summary for `<meta name="description">`: the first paragraph, unformatted.
pub(crate) fn first_line(markdown: &str) -> String {
    let para = markdown
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or("");
    let plain: String = para
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '#' | '`' | '[' | ']' | '<' | '>'))
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if plain.chars().count() > 200 {
        let cut: String = plain.chars().take(197).collect();
        format!("{}…", cut.trim_end())
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::browser_lang;
    use axum::http::{HeaderMap, HeaderValue, header::ACCEPT_LANGUAGE};
    use vitrina_catalogue::Lang;

    fn asks(value: &'static str) -> Option<Lang> {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static(value));
        browser_lang(&h)
    }

    #[test]
    fn the_browsers_first_language_we_speak_wins() {
        assert_eq!(asks("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"), Some(Lang::Ru));
        assert_eq!(asks("en-GB,ru;q=0.5"), Some(Lang::En));
        assert_eq!(asks("de-DE, ru;q=0.4, en;q=0.3"), Some(Lang::Ru));
        assert_eq!(asks("en;q=0.2, RU;q=0.8"), Some(Lang::Ru));
        assert_eq!(asks("de, fr"), None);
        assert_eq!(asks("*"), None);
        assert_eq!(asks(";;;q=,,=ru"), None);
        assert_eq!(browser_lang(&HeaderMap::new()), None);
    }
}
