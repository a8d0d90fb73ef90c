//! A section of the collection: its introduction and its badge types as cards, 48 to a page.

use crate::routes::{Access, Routes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use vitrina_catalogue::Lang;
use vitrina_storage::{Page, TypeSummary};

use super::{HeadLink, Image, Layout, Link, cached, localized, other, parse_slug, render};
use crate::error::PageError;
use crate::i18n;
use crate::markdown;
use crate::state::App;

pub const PER_PAGE: u64 = 48;
/// Far beyond any real collection; a larger number is a malformed request.
const MAX_PAGE: u64 = 1_000_000;

pub fn routes() -> Routes {
    Routes::new()
        .get("/categories/{slug}", Access::Public, english)
        .get("/ru/categories/{slug}", Access::Public, russian)
}

async fn english(
    State(app): State<App>,
    slug: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    show(app, Lang::En, slug, query, headers).await
}

async fn russian(
    State(app): State<App>,
    slug: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    show(app, Lang::Ru, slug, query, headers).await
}

/// The page number a query asks for: none means 1; anything but a number from 1 is a 400.
pub(crate) fn page_number(query: Option<&str>) -> Result<u64, ()> {
    let Some(query) = query else { return Ok(1) };
    let mut page = 1;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name == "page" {
            if value.is_empty() || value.len() > 7 || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(());
            }
            page = value.parse::<u64>().map_err(|_| ())?;
            if page == 0 || page > MAX_PAGE {
                return Err(());
            }
        }
    }
    Ok(page)
}

#[derive(Serialize)]
pub(crate) struct TypeCard {
    link: Link,
    /// The name in the other language, when it differs.
    other_name: Option<String>,
    other_lang: &'static str,
    established: Option<String>,
    issuer: Option<String>,
    materials: String,
    image: Option<Image>,
}

impl TypeCard {
    pub fn of(t: &TypeSummary, lang: Lang, lazy: bool) -> Self {
        let name = t.names.get(lang).to_owned();
        let other_name = t.names.get(other(lang));
        let issuer = t.issuer.as_ref().map(|i| {
            if !i.abbreviation.is_empty() {
                i.abbreviation.clone()
            } else {
                i.name.get(lang).to_owned()
            }
        });
        Self {
            link: Link {
                href: localized(lang, &format!("/types/{}", t.slug)),
                text: name.clone(),
            },
            other_name: (other_name != name).then(|| other_name.to_owned()),
            other_lang: other(lang).code(),
            established: t.established.as_ref().map(|d| i18n::date(lang, d)),
            issuer,
            materials: i18n::materials_list(lang, &t.materials),
            image: t.thumbnail.as_ref().map(|p| Image::of(p, lang, lazy)),
        }
    }
}

#[derive(Serialize)]
struct Ctx {
    layout: Layout,
    title: String,
    introduction: String,
    count: String,
    types: Vec<TypeCard>,
    pagination: Option<Pagination>,
}

#[derive(Serialize)]
struct Pagination {
    label: String,
    previous: Option<String>,
    next: Option<String>,
}

async fn show(
    app: App,
    lang: Lang,
    slug: Result<Path<String>, PathRejection>,
    query: Option<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Ok(Path(raw)) = slug else {
        return Err(PageError::not_found(lang));
    };
    let slug = parse_slug(lang, &raw)?;
    let number = page_number(query.as_deref()).map_err(|_| PageError::bad_request(lang))?;
    let path = format!("/categories/{slug}");
    let query = if number == 1 {
        String::new()
    } else {
        format!("?page={number}")
    };
    let key = format!("{path}{query}");
    cached(&app, lang, key, &headers, || async {
        let window = Page::new((number - 1) * PER_PAGE, PER_PAGE);
        let view = app
            .catalogue()
            .category(&slug, window)
            .await
            .map_err(|e| PageError::from_operations(lang, e))?;
        let pages = view.total.div_ceil(PER_PAGE).max(1);
        if number > pages {
            return Err(PageError::not_found(lang));
        }
        let title = view.category.title.get(lang).to_owned();
        let intro = view.category.introduction.get(lang);
        let mut layout = Layout::page(
            &app,
            lang,
            title.clone(),
            super::home::first_line(intro),
            &path,
            &query,
        );
        let here = localized(lang, &path);
        let page_href = |n: u64| {
            if n == 1 {
                here.clone()
            } else {
                format!("{here}?page={n}")
            }
        };
        let previous = (number > 1).then(|| page_href(number - 1));
        let next = (number < pages).then(|| page_href(number + 1));
        if let Some(href) = &previous {
            layout.head_links.push(HeadLink {
                rel: "prev",
                href: href.clone(),
            });
        }
        if let Some(href) = &next {
            layout.head_links.push(HeadLink {
                rel: "next",
                href: href.clone(),
            });
        }
        let pagination = (pages > 1).then(|| Pagination {
            label: i18n::t(lang, "page_of")
                .replace("{page}", &number.to_string())
                .replace("{pages}", &pages.to_string()),
            previous,
            next,
        });
        let cards: Vec<TypeCard> = view
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| TypeCard::of(t, lang, i >= 6))
            .collect();
        render(
            &app,
            lang,
            "category.html",
            Ctx {
                layout,
                title,
                introduction: markdown::to_html(intro),
                count: i18n::count_types(lang, view.total),
                types: cards,
                pagination,
            },
        )
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_positive_integers_or_a_bad_request() {
        assert_eq!(page_number(None), Ok(1));
        assert_eq!(page_number(Some("")), Ok(1));
        assert_eq!(page_number(Some("page=3")), Ok(3));
        assert_eq!(page_number(Some("utm=x&page=2")), Ok(2));
        for bad in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=",
            "page=99999999999999999999",
            "page=1e3",
        ] {
            assert_eq!(page_number(Some(bad)), Err(()), "{bad}");
        }
    }
}
