//! Search: the results page (`/search`, `/ru/search`) and the JSON API (`/api/v1/search`).
//!
//! Both read the same parameters, so a search is one URL that can be bookmarked and shared:
//!
//! - `q`: the text (at most [`MAX_QUERY_CHARS`] characters; control characters become spaces);
//! - `category`, `issuer`, `material`, `decade`, `condition`, `rarity`, `photos`: facet filters,
//!   repeatable; values of one facet are alternatives, facets combine;
//! - `year_min`, `year_max`, `size_min`, `size_max` (mm), `weight_min`, `weight_max` (g);
//! - `sort`: `relevance` (the default), `year` (earliest first), `year_desc` (latest first) or
//!   `name`; types without a year come last in both year sorts, ties go by name, then slug;
//! - `page` (from 1); the API also takes `per_page` (1–100), `lang` (`en`, `ru`) and
//!   `as_you_type` (`1`: the last word also matches as a prefix).
//!
//! Hostile input never reaches the engine as anything but words: a malformed parameter (a year
//! that is not a number, `page=-1`, a page beyond [`MAX_OFFSET`], an unknown sort, a filter
//! value with a `/`) is a 400 — the results page with the form filled in and a message, or
//! `{"code":"bad-query"}` — and a query longer than [`MAX_QUERY_CHARS`] too (it is not
//! truncated silently: the visitor sees the limit and the box holds the first 500 characters).
//! Unknown facet values simply match nothing. Unknown parameters (`utm_*`) are ignored.
//!
//! Facet counts on the page are "disjunctive": for a facet with a value selected, the counts
//! of its other values are those the visitor would get by adding them (the search run again
//! without that facet's filter), so a selection can be widened. The API returns the engine's
//! counts over the matching types (one search per request, for speed).

use crate::routes::{Access, Routes};
use std::collections::{BTreeMap, HashMap};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{percent_decode_str, utf8_percent_encode};
use serde::Serialize;
use vitrina_catalogue::{Condition, Lang, Material, Rarity, Slug, Text};
use vitrina_operations::Error as OpError;
use vitrina_search::{
    Bounds, FacetKind, Filter, MAX_FILTERS, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, Query,
    SearchResults, Sort,
};
use vitrina_storage::TypeSummary;

use super::{COMPONENT, Image, Layout, Link, localized, other, render};
use crate::cache::{PageKey, RenderedPage, etag_matches, etag_of};
use crate::error::PageError;
use crate::i18n::{self, capitalised, t};
use crate::state::App;

/// Results on a page of the HTML search.
pub const PER_PAGE: u64 = 20;
/// A query string longer than this is not read at all (a plain 400).
const MAX_RAW_QUERY: usize = 16 * 1024;
/// The longest facet value accepted.
const MAX_FILTER_VALUE: usize = 100;
/// The deepest page of `/api/v1/search`, whatever `per_page`: MAX_OFFSET / MAX_LIMIT + 1.
const API_MAX_PAGE: u64 = (MAX_OFFSET / MAX_LIMIT) as u64 + 1;
/// How many values of one facet the page lists (selected ones always show).
const MAX_FACET_VALUES: usize = 12;
/// API answers: fresh for a short while, then revalidated with the ETag.
const API_CACHE_CONTROL: HeaderValue = HeaderValue::from_static("public, max-age=30");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

pub fn routes() -> Routes {
    Routes::new()
        .get("/search", Access::Public, english)
        .get("/ru/search", Access::Public, russian)
        .get("/api/v1/search", Access::Public, api)
}

/// Why a search's parameters cannot be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadParam {
    /// The whole query string is absurdly long: answered without echoing anything.
    TooLarge,
    QueryTooLong,
    TooManyWords,
    Year,
    Number,
    Page,
    Sort,
    Filter,
    Lang,
}

impl BadParam {
    /// The i18n key of the visitor's message.
    fn key(self) -> &'static str {
        match self {
            BadParam::TooLarge => "error_bad_text",
            BadParam::QueryTooLong => "error_query_too_long",
            BadParam::TooManyWords => "error_too_many_words",
            BadParam::Year => "error_bad_year",
            BadParam::Number => "error_bad_number",
            BadParam::Page => "error_bad_page",
            BadParam::Sort => "error_bad_sort",
            BadParam::Filter | BadParam::Lang => "error_bad_filter",
        }
    }

    fn message(self, lang: Lang) -> &'static str {
        if self == BadParam::Lang {
            return "lang must be en or ru.";
        }
        t(lang, self.key())
    }

    /// The message in English, for the API.
    pub(crate) fn message_en(self) -> &'static str {
        self.message(Lang::En)
    }

    /// The engine's query errors, by their message (the operations layer keeps only the text).
    fn of_engine(message: &str) -> Self {
        if message.contains("too long") {
            BadParam::QueryTooLong
        } else if message.contains("too many words") {
            BadParam::TooManyWords
        } else {
            BadParam::Filter
        }
    }
}

/// A search as the URL asks for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Params {
    pub q: String,
    pub filters: Vec<Filter>,
    pub year: Bounds<i64>,
    pub size_mm: Bounds<f64>,
    pub weight_g: Bounds<f64>,
    pub sort: Sort,
    pub page: u64,
    pub per_page: u64,
    pub lang: Option<Lang>,
    pub as_you_type: bool,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            q: String::new(),
            filters: Vec::new(),
            year: Bounds::default(),
            size_mm: Bounds::default(),
            weight_g: Bounds::default(),
            sort: Sort::Relevance,
            page: 1,
            per_page: PER_PAGE,
            lang: None,
            as_you_type: false,
        }
    }
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

/// Control characters (NUL, escapes, line breaks, bidi overrides) become spaces.
fn clean_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn parse_year(v: &str) -> Result<Option<i64>, BadParam> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadParam::Year);
    }
    v.parse().map(Some).map_err(|_| BadParam::Year)
}

fn parse_number(v: &str) -> Result<Option<f64>, BadParam> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.len() <= 12
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',');
    let n: f64 = if ok {
        v.replace(',', ".").parse().map_err(|_| BadParam::Number)?
    } else {
        return Err(BadParam::Number);
    };
    if n.is_finite() {
        Ok(Some(n))
    } else {
        Err(BadParam::Number)
    }
}

fn parse_positive(v: &str, max: u64) -> Result<u64, BadParam> {
    if v.is_empty() || v.len() > 7 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadParam::Page);
    }
    let n: u64 = v.parse().map_err(|_| BadParam::Page)?;
    if n == 0 || n > max {
        return Err(BadParam::Page);
    }
    Ok(n)
}

fn sort_key(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "relevance",
        Sort::Year => "year",
        Sort::YearDesc => "year_desc",
        Sort::Name => "name",
    }
}

/// Reads a query string. Always returns what it could read (to fill the form in again) and
/// the first problem, if any.
pub(crate) fn parse(raw: Option<&str>, api: bool) -> (Params, Option<BadParam>) {
    let mut p = Params::default();
    let Some(raw) = raw else {
        return (p, None);
    };
    if raw.len() > MAX_RAW_QUERY {
        return (p, Some(BadParam::TooLarge));
    }
    let mut bad = None;
    let mut note = |b: BadParam| {
        bad.get_or_insert(b);
    };
    let mut page = None;
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(k);
        let value = decode(v);
        // An empty field (a form's unset filter, `?lang=`) is as if it were not sent.
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "q" => {
                let q = clean_text(&value);
                if q.chars().count() > MAX_QUERY_CHARS {
                    note(BadParam::QueryTooLong);
                    p.q = q.chars().take(MAX_QUERY_CHARS).collect();
                } else {
                    p.q = q;
                }
            }
            "year_min" => {
                p.year.min = parse_year(&value).unwrap_or_else(|e| {
                    note(e);
                    None
                })
            }
            "year_max" => {
                p.year.max = parse_year(&value).unwrap_or_else(|e| {
                    note(e);
                    None
                })
            }
            "size_min" => {
                p.size_mm.min = parse_number(&value).unwrap_or_else(|e| {
                    note(e);
                    None
                })
            }
            "size_max" => {
                p.size_mm.max = parse_number(&value).unwrap_or_else(|e| {
                    note(e);
                    None
                })
            }
            "weight_min" => {
                p.weight_g.min = parse_number(&value).unwrap_or_else(|e| {
                    note(e);
                    None
                })
            }
            "weight_max" => {
                p.weight_g.max = parse_number(&value).unwrap_or_else(|e| {
                    note(e);
                    None
                })
            }
            "sort" => match value.as_str() {
                "" | "relevance" => p.sort = Sort::Relevance,
                "year" => p.sort = Sort::Year,
                "year_desc" => p.sort = Sort::YearDesc,
                "name" => p.sort = Sort::Name,
                _ => note(BadParam::Sort),
            },
            "page" => match parse_positive(&value, u64::MAX) {
                Ok(n) => page = Some(n),
                Err(e) => note(e),
            },
            "per_page" if api => match parse_positive(&value, MAX_LIMIT as u64) {
                Ok(n) => p.per_page = n,
                Err(e) => note(e),
            },
            "lang" if api => match Lang::from_code(&value) {
                Some(l) => p.lang = Some(l),
                None => note(BadParam::Lang),
            },
            "as_you_type" => p.as_you_type = matches!(value.as_str(), "1" | "true" | "yes" | "on"),
            other => {
                let Some(kind) = FacetKind::from_key(other) else {
                    continue; // utm_source and friends
                };
                let value = value.trim();
                if value.is_empty() {
                    continue; // an empty form field
                }
                if value.chars().count() > MAX_FILTER_VALUE
                    || value.contains('/')
                    || value.chars().any(char::is_control)
                {
                    note(BadParam::Filter);
                    continue;
                }
                let f = Filter::new(kind, value);
                if !p.filters.contains(&f) {
                    p.filters.push(f);
                }
            }
        }
    }
    if p.filters.len() > MAX_FILTERS {
        note(BadParam::Filter);
        p.filters.truncate(MAX_FILTERS);
    }
    if let Some(n) = page {
        // The API documents one bound for every page size; the site goes as deep as results do.
        if (n - 1).saturating_mul(p.per_page) > MAX_OFFSET as u64 || (api && n > API_MAX_PAGE) {
            note(BadParam::Page);
        } else {
            p.page = n;
        }
    }
    (p, bad)
}

impl Params {
    pub fn query(&self) -> Query {
        Query {
            text: self.q.clone(),
            filters: self.filters.clone(),
            year: self.year,
            size_mm: self.size_mm,
            weight_g: self.weight_g,
            sort: self.sort,
            offset: ((self.page - 1) * self.per_page) as usize,
            limit: self.per_page as usize,
            as_you_type: self.as_you_type,
            lang: self.lang.unwrap_or(Lang::En),
        }
    }

    /// Whether a year, size or weight range narrows the search.
    pub(crate) fn has_narrowing_beyond_filters(&self) -> bool {
        self.year != Bounds::default()
            || self.size_mm != Bounds::default()
            || self.weight_g != Bounds::default()
    }

    fn has_narrowing(&self) -> bool {
        !self.filters.is_empty()
            || self.year != Bounds::default()
            || self.size_mm != Bounds::default()
            || self.weight_g != Bounds::default()
    }

    fn range_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut push = |k, v: Option<String>| {
            if let Some(v) = v {
                out.push((k, v));
            }
        };
        push("year_min", self.year.min.map(|v| v.to_string()));
        push("year_max", self.year.max.map(|v| v.to_string()));
        push("size_min", self.size_mm.min.map(|v| v.to_string()));
        push("size_max", self.size_mm.max.map(|v| v.to_string()));
        push("weight_min", self.weight_g.min.map(|v| v.to_string()));
        push("weight_max", self.weight_g.max.map(|v| v.to_string()));
        out
    }

    /// The canonical query string (`?q=…&category=…`), or `""`; the page number only past 1.
    pub fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        for kind in FacetKind::ALL {
            for f in self.filters.iter().filter(|f| f.kind == kind) {
                pairs.push((kind.key(), f.value.clone()));
            }
        }
        pairs.extend(self.range_pairs());
        if self.sort != Sort::Relevance {
            pairs.push(("sort", sort_key(self.sort).to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        let joined = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, COMPONENT)))
            .collect::<Vec<_>>()
            .join("&");
        format!("?{joined}")
    }

    fn with(&self, change: impl FnOnce(&mut Params)) -> Params {
        let mut p = self.clone();
        p.page = 1;
        change(&mut p);
        p
    }

    fn toggled(&self, kind: FacetKind, value: &str) -> Params {
        self.with(|p| {
            let f = Filter::new(kind, value);
            if let Some(i) = p.filters.iter().position(|x| *x == f) {
                p.filters.remove(i);
            } else {
                p.filters.push(f);
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Labels of facet values

fn enum_of<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(key.to_owned())).ok()
}

/// A facet value as a visitor reads it: a section's title, "MOPR" / "МОПР", "silver" /
/// "серебро", "1930s".
fn facet_label(
    lang: Lang,
    kind: FacetKind,
    value: &str,
    titles: &HashMap<String, String>,
    issuers: &BTreeMap<String, Text>,
) -> String {
    match kind {
        FacetKind::Category => titles
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_owned()),
        FacetKind::Issuer => issuers
            .get(value)
            .map(|names| names.get(lang))
            .filter(|name| !name.is_empty())
            .unwrap_or(value)
            .to_owned(),
        FacetKind::Material => enum_of::<Material>(value)
            .map(|m| capitalised(i18n::material(lang, m)))
            .unwrap_or_else(|| value.to_owned()),
        FacetKind::Decade => format!("{value}{}", t(lang, "decade_suffix")),
        FacetKind::Condition => enum_of::<Condition>(value)
            .map(|c| capitalised(i18n::condition(lang, c)))
            .unwrap_or_else(|| value.to_owned()),
        FacetKind::Rarity => enum_of::<Rarity>(value)
            .map(|r| capitalised(i18n::rarity(lang, r)))
            .unwrap_or_else(|| value.to_owned()),
        FacetKind::Photos => match value {
            "yes" => t(lang, "photos_yes").to_owned(),
            "no" => t(lang, "photos_no").to_owned(),
            v => v.to_owned(),
        },
    }
}

/// The order of a facet's values on the page: decades by time, conditions and rarities on
/// their scale, the rest by count (as the engine gives them).
fn facet_order(kind: FacetKind, values: &mut [(String, u64)]) {
    match kind {
        FacetKind::Decade => values.sort_by(|a, b| {
            let n = |s: &str| s.parse::<i64>().unwrap_or(i64::MAX);
            n(&a.0).cmp(&n(&b.0))
        }),
        FacetKind::Condition => values.sort_by_key(|v| enum_of::<Condition>(&v.0)),
        FacetKind::Rarity => values.sort_by_key(|v| enum_of::<Rarity>(&v.0)),
        _ => {}
    }
}

async fn category_titles(app: &App, lang: Lang) -> Result<Vec<(String, String)>, PageError> {
    // read once per generation by the catalogue: listing the categories counts each one's types
    let categories = app
        .catalogue()
        .categories_by_slug()
        .await
        .map_err(|e| PageError::from_operations(lang, e))?;
    let mut ordered: Vec<_> = categories.values().collect();
    ordered.sort_by(|a, b| (a.position, &a.slug).cmp(&(b.position, &b.slug)));
    Ok(ordered
        .into_iter()
        .map(|c| (c.slug.to_string(), c.title.get(lang).to_owned()))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The HTML page

async fn english(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    page(app, Lang::En, raw, headers).await
}

async fn russian(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    page(app, Lang::Ru, raw, headers).await
}

#[derive(Serialize)]
struct Hidden {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct RangeField {
    name: &'static str,
    label: &'static str,
    value: String,
    step: &'static str,
}

#[derive(Serialize)]
struct RangeRow {
    label: &'static str,
    from: RangeField,
    to: RangeField,
}

#[derive(Serialize)]
struct FacetValueView {
    label: String,
    count: u64,
    href: String,
    selected: bool,
}

#[derive(Serialize)]
struct FacetView {
    key: &'static str,
    label: &'static str,
    values: Vec<FacetValueView>,
}

#[derive(Serialize)]
struct SortLink {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct HitView {
    link: Link,
    other_name: Option<String>,
    other_lang: &'static str,
    snippet: String,
    /// The snippet's language where it is not the page's (it fell back to the other texts).
    snippet_lang: Option<&'static str>,
    established: Option<String>,
    issuer: Option<String>,
    image: Option<Image>,
}

#[derive(Serialize, Default)]
struct Empty {
    did_you_mean: Vec<Link>,
    without_filters: Option<Link>,
    categories: Vec<Link>,
}

#[derive(Serialize)]
struct Pagination {
    label: String,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
struct Ctx {
    layout: Layout,
    heading: String,
    q: String,
    action: String,
    max_chars: usize,
    hidden: Vec<Hidden>,
    ranges: Vec<RangeRow>,
    error: Option<String>,
    summary: String,
    sorts: Vec<SortLink>,
    facets: Vec<FacetView>,
    clear_href: Option<String>,
    hits: Vec<HitView>,
    pagination: Option<Pagination>,
    empty: Option<Empty>,
}

fn hidden_fields(p: &Params) -> Vec<Hidden> {
    let mut out: Vec<Hidden> = p
        .filters
        .iter()
        .map(|f| Hidden {
            name: f.kind.key(),
            value: f.value.clone(),
        })
        .collect();
    if p.sort != Sort::Relevance {
        out.push(Hidden {
            name: "sort",
            value: sort_key(p.sort).to_owned(),
        });
    }
    out
}

fn range_rows(lang: Lang, p: &Params) -> Vec<RangeRow> {
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let year = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let field = |name, label, value, step| RangeField {
        name,
        label: t(lang, label),
        value,
        step,
    };
    vec![
        RangeRow {
            label: t(lang, "year_established"),
            from: field("year_min", "range_from", year(p.year.min), "1"),
            to: field("year_max", "range_to", year(p.year.max), "1"),
        },
        RangeRow {
            label: t(lang, "size_mm"),
            from: field("size_min", "range_from", num(p.size_mm.min), "any"),
            to: field("size_max", "range_to", num(p.size_mm.max), "any"),
        },
        RangeRow {
            label: t(lang, "weight_g"),
            from: field("weight_min", "range_from", num(p.weight_g.min), "any"),
            to: field("weight_max", "range_to", num(p.weight_g.max), "any"),
        },
    ]
}

fn heading(lang: Lang, p: &Params) -> String {
    if p.q.is_empty() {
        t(lang, "search_everything").to_owned()
    } else {
        t(lang, "search_results_for").replace("{q}", &p.q)
    }
}

fn layout(app: &App, lang: Lang, p: &Params, title: String) -> Layout {
    let mut layout = Layout::page(
        app,
        lang,
        title,
        String::new(),
        "/search",
        &p.query_string(),
    );
    // Result lists are for visitors, not for search engines' indexes.
    layout.noindex = true;
    layout.search.here = true;
    layout
}

/// The page with the form filled in and a message: a 400 that helps.
fn bad_request_page(
    app: &App,
    lang: Lang,
    p: &Params,
    bad: BadParam,
) -> Result<Response, PageError> {
    if bad == BadParam::TooLarge {
        return Err(PageError::bad_request(lang));
    }
    let title = t(lang, "search_error_title").to_owned();
    let ctx = Ctx {
        layout: layout(app, lang, p, title.clone()),
        heading: title,
        q: p.q.clone(),
        action: localized(lang, "/search"),
        max_chars: MAX_QUERY_CHARS,
        hidden: hidden_fields(p),
        ranges: range_rows(lang, p),
        error: Some(bad.message(lang).to_owned()),
        summary: String::new(),
        sorts: Vec::new(),
        facets: Vec::new(),
        clear_href: None,
        hits: Vec::new(),
        pagination: None,
        empty: None,
    };
    let html = render(app, lang, "search.html", ctx)?;
    Ok((
        StatusCode::BAD_REQUEST,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        html,
    )
        .into_response())
}

/// Runs a search; `Err(Ok(bad))` for a query the engine refuses, `Err(Err(page))` for a failure.
async fn run(
    app: &App,
    lang: Lang,
    mut q: Query,
) -> Result<SearchResults, Result<BadParam, PageError>> {
    q.lang = lang;
    match app.catalogue().search(q).await {
        Ok(r) => Ok(r),
        Err(OpError::BadQuery(m)) => Err(Ok(BadParam::of_engine(&m))),
        Err(e) => Err(Err(PageError::from_operations(lang, e))),
    }
}

async fn page(
    app: App,
    lang: Lang,
    raw: Option<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (p, bad) = parse(raw.as_deref(), false);
    if let Some(bad) = bad {
        return bad_request_page(&app, lang, &p, bad);
    }
    let key = PageKey {
        generation: app.catalogue().generation(),
        lang,
        path: format!("/search{}", p.query_string()),
    };
    if let Some(res) = app
        .cache()
        .get(&key)
        .and_then(|page| page.respond(&headers))
    {
        return Ok(res);
    }
    let results = match run(&app, lang, p.query()).await {
        Ok(r) => r,
        Err(Ok(bad)) => return bad_request_page(&app, lang, &p, bad),
        Err(Err(e)) => return Err(e),
    };
    let pages = (results.total as u64).div_ceil(p.per_page).max(1);
    if p.page > pages {
        return Err(PageError::not_found(lang));
    }
    let html = render_results(&app, lang, &p, results, pages).await?;
    let page = RenderedPage::new(html);
    app.cache().insert(key, &page);
    Ok(page.respond(&headers))
}

async fn render_results(
    app: &App,
    lang: Lang,
    p: &Params,
    results: SearchResults,
    pages: u64,
) -> Result<String, PageError> {
    let titles_list = category_titles(app, lang).await?;
    let titles: HashMap<String, String> = titles_list.iter().cloned().collect();
    let here = localized(lang, "/search");
    let href = |q: &Params| format!("{here}{}", q.query_string());

    // Facets: for a facet with a selection, the counts without that facet's filter.
    let mut issuers = results.issuer_names.clone();
    let mut facets = Vec::new();
    for kind in FacetKind::ALL {
        let selected: Vec<&Filter> = p.filters.iter().filter(|f| f.kind == kind).collect();
        let mut values: Vec<(String, u64)> = if selected.is_empty() {
            results.facets.get(&kind).cloned().unwrap_or_default()
        } else {
            let mut wider = p.with(|w| w.filters.retain(|f| f.kind != kind)).query();
            wider.limit = 1;
            wider.offset = 0;
            match run(app, lang, wider).await {
                Ok(mut r) => {
                    issuers.append(&mut r.issuer_names);
                    r.facets.remove(&kind).unwrap_or_default()
                }
                Err(Err(e)) => return Err(e),
                Err(Ok(_)) => Vec::new(),
            }
        };
        values.truncate(MAX_FACET_VALUES);
        for f in &selected {
            if !values.iter().any(|(v, _)| *v == f.value) {
                values.push((f.value.clone(), 0));
            }
        }
        facet_order(kind, &mut values);
        // A facet whose one value every result has narrows nothing.
        let narrows_nothing = selected.is_empty()
            && matches!(values.as_slice(), [(_, n)] if *n as usize == results.total);
        if values.is_empty() || narrows_nothing {
            continue;
        }
        facets.push(FacetView {
            key: kind.key(),
            label: t(lang, &format!("facet_{}", kind.key())),
            values: values
                .into_iter()
                .map(|(value, count)| FacetValueView {
                    label: facet_label(lang, kind, &value, &titles, &issuers),
                    count,
                    href: href(&p.toggled(kind, &value)),
                    selected: selected.iter().any(|f| f.value == value),
                })
                .collect(),
        });
    }

    // The hits' facts and pictures: their summaries, in one query. A type the index still
    // names but storage no longer holds (or holds as a draft) is shown by name only.
    let slugs: Vec<Slug> = results
        .hits
        .iter()
        .filter_map(|h| Slug::parse(&h.slug).ok())
        .collect();
    let stored: HashMap<String, TypeSummary> = app
        .catalogue()
        .summaries(&slugs, false)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.slug.to_string(), s))
        .collect();
    let hits: Vec<HitView> = results
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| hit_view(lang, h, stored.get(&h.slug), i >= 4))
        .collect();

    let empty = if results.total == 0 {
        Some(empty_state(app, lang, p, &titles_list).await)
    } else {
        None
    };

    let pagination = (pages > 1).then(|| {
        let page_href = |n: u64| {
            let mut q = p.clone();
            q.page = n;
            href(&q)
        };
        Pagination {
            label: t(lang, "page_of")
                .replace("{page}", &p.page.to_string())
                .replace("{pages}", &pages.to_string()),
            previous: (p.page > 1).then(|| page_href(p.page - 1)),
            next: (p.page < pages && p.page * p.per_page <= MAX_OFFSET as u64)
                .then(|| page_href(p.page + 1)),
        }
    });
    let sorts = [Sort::Relevance, Sort::Year, Sort::Name]
        .into_iter()
        .filter(|_| results.total > 1)
        .map(|s| SortLink {
            label: t(lang, &format!("sort_{}", sort_key(s))),
            href: href(&p.with(|q| q.sort = s)),
            current: s == p.sort,
        })
        .collect();
    let clear_href = p.has_narrowing().then(|| {
        href(&p.with(|q| {
            q.filters.clear();
            q.year = Bounds::default();
            q.size_mm = Bounds::default();
            q.weight_g = Bounds::default();
        }))
    });
    let heading = heading(lang, p);
    let title = if p.q.is_empty() {
        t(lang, "search").to_owned()
    } else {
        format!("{heading} · {}", t(lang, "search"))
    };
    let ctx = Ctx {
        layout: layout(app, lang, p, title),
        heading,
        q: p.q.clone(),
        action: here.clone(),
        max_chars: MAX_QUERY_CHARS,
        hidden: hidden_fields(p),
        ranges: range_rows(lang, p),
        error: None,
        summary: i18n::count_results(lang, results.total as u64),
        sorts,
        facets,
        clear_href,
        hits,
        pagination,
        empty,
    };
    render(app, lang, "search.html", ctx)
}

fn hit_view(
    lang: Lang,
    h: &vitrina_search::Hit,
    stored: Option<&TypeSummary>,
    lazy: bool,
) -> HitView {
    let names = vitrina_catalogue::Names {
        en: h.name_en.clone(),
        ru: h.name_ru.clone(),
        original: None,
    };
    let name = names.get(lang).to_owned();
    let other_name = names.get(other(lang)).to_owned();
    let (established, issuer, image) = match stored {
        Some(t) => (
            t.established.as_ref().map(|d| i18n::date(lang, d)),
            t.issuer.as_ref().map(|i| {
                if i.abbreviation.is_empty() {
                    i.name.get(lang).to_owned()
                } else {
                    i.abbreviation.clone()
                }
            }),
            t.thumbnail.as_ref().map(|ph| Image::of(ph, lang, lazy)),
        ),
        None => (None, None, None),
    };
    HitView {
        link: Link {
            href: localized(lang, &format!("/types/{}", h.slug)),
            text: name.clone(),
        },
        other_name: (!other_name.is_empty() && other_name != name).then_some(other_name),
        other_lang: other(lang).code(),
        snippet: h.snippet.html.clone(),
        snippet_lang: h.snippet.lang.filter(|l| *l != lang).map(Lang::code),
        established,
        issuer,
        image,
    }
}

/// What to offer when nothing matched: the search without its filters, a shorter or completed
/// query ("did you mean"), and the sections of the collection. Costs a few more searches, only
/// on an empty result.
async fn empty_state(app: &App, lang: Lang, p: &Params, categories: &[(String, String)]) -> Empty {
    let here = localized(lang, "/search");
    let mut empty = Empty {
        categories: categories
            .iter()
            .map(|(slug, title)| Link {
                href: localized(lang, &format!("/categories/{slug}")),
                text: title.clone(),
            })
            .collect(),
        ..Empty::default()
    };
    let count = |q: Query| async move { app.catalogue().search(q).await.unwrap_or_default() };
    let bare = Params {
        q: p.q.clone(),
        ..Params::default()
    };
    if p.has_narrowing() && !p.q.is_empty() {
        let mut q = bare.query();
        q.limit = 1;
        let r = count(q).await;
        if r.total > 0 {
            empty.without_filters = Some(Link {
                href: format!("{here}{}", bare.query_string()),
                text: format!(
                    "{} ({})",
                    t(lang, "without_filters"),
                    i18n::count_results(lang, r.total as u64)
                ),
            });
        }
    }
    if p.q.is_empty() {
        return empty;
    }
    // The words so far as the start of longer ones, and fuzzier: the names of what that finds.
    let mut q = bare.query();
    q.as_you_type = true;
    q.limit = 3;
    let r = count(q).await;
    for h in &r.hits {
        let name = if lang == Lang::Ru && !h.name_ru.is_empty() {
            &h.name_ru
        } else {
            &h.name_en
        };
        empty.did_you_mean.push(Link {
            href: localized(lang, &format!("/types/{}", h.slug)),
            text: name.clone(),
        });
    }
    // One word fewer: the shorter query that finds the most.
    let words: Vec<&str> = p.q.split_whitespace().collect();
    if empty.did_you_mean.is_empty() && (2..=6).contains(&words.len()) {
        let mut best: Option<(usize, String)> = None;
        for skip in 0..words.len() {
            let shorter: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, w)| *w)
                .collect();
            let text = shorter.join(" ");
            let mut q = Query::text(text.clone());
            q.limit = 1;
            q.as_you_type = false;
            let total = count(q).await.total;
            if total > 0 && best.as_ref().is_none_or(|(n, _)| total > *n) {
                best = Some((total, text));
            }
        }
        if let Some((_, text)) = best {
            let shorter = Params {
                q: text.clone(),
                ..Params::default()
            };
            empty.did_you_mean.push(Link {
                href: format!("{here}{}", shorter.query_string()),
                text,
            });
        }
    }
    empty
}

// ---------------------------------------------------------------------------------------------
// The JSON API

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ApiNames {
    en: String,
    ru: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ApiHit {
    slug: String,
    url: String,
    names: ApiNames,
    /// A passage of one of the type's texts, escaped, the matching words in `<mark>`; from the
    /// texts in `lang` where they have the words.
    snippet_html: String,
    /// The language of the passage: `lang`, or the other one when only its texts matched.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet_lang: Option<Lang>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ApiFacetValue {
    value: String,
    label: String,
    count: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ApiResults {
    total: usize,
    page: u64,
    per_page: u64,
    hits: Vec<ApiHit>,
    /// For each facet (`category`, `issuer`, `material`, `decade`, `condition`, `rarity`,
    /// `photos`), its values among the matches with their labels and counts.
    #[schema(value_type = std::collections::BTreeMap<String, Vec<ApiFacetValue>>)]
    facets: BTreeMap<&'static str, Vec<ApiFacetValue>>,
}

fn json_error(status: StatusCode, code: &'static str, message: &str) -> Response {
    crate::problem::Problem::new(status, code)
        .detail(message)
        .into_response()
}

/// `lang`, as the API's reference documents it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // read by `parse`; the type only documents it
pub(crate) enum LangParam {
    En,
    Ru,
}

/// `sort`, as the API's reference documents it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // read by `parse`; the type only documents it
pub(crate) enum SortParam {
    Relevance,
    Year,
    YearDesc,
    Name,
}

/// Searches the public catalogue.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "types",
    summary = "Search",
    description = "The search page's results as JSON: words in any script and romanisation \
        (MOPR finds МОПР), typos forgiven, with facet counts. Drafts are never found.",
    params(
        ("q" = Option<String>, Query, description = "Search words.", example = "MOPR"),
        ("lang" = Option<LangParam>, Query, description = "The language of labels and URLs."),
        ("category" = Option<String>, Query, pattern = r"^[^/\u0000-\u001f\u007f-\u009f]{0,100}$", description = "A facet filter; `issuer`, `material`, `decade`, `condition`, `rarity`, `photos` work the same."),
        ("year_min" = Option<i64>, Query, minimum = -99999, maximum = 99999, description = "Established in or after."),
        ("year_max" = Option<i64>, Query, minimum = -99999, maximum = 99999, description = "Established in or before."),
        ("sort" = Option<SortParam>, Query, description = "The order of the results."),
        // 101: API_MAX_PAGE (a test checks)
        ("page" = Option<u64>, Query, minimum = 1, maximum = 101, description = "The page, from 1 to 101 (results go 10,000 deep)."),
        ("per_page" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Results per page."),
    ),
    responses(
        (status = 200, description = "The results", body = ApiResults,
            example = json!({"total": 1, "page": 1, "per_page": 20, "hits": [{"slug": "mopr-badge", "url": "/types/mopr-badge", "names": {"en": "MOPR badge", "ru": "Знак МОПР"}, "snippet_html": "<mark>MOPR</mark> …", "snippet_lang": "en"}], "facets": {"material": [{"value": "silver", "label": "Silver", "count": 1}]}})),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
pub(crate) async fn api(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (p, bad) = parse(raw.as_deref(), true);
    let lang = p.lang.unwrap_or(Lang::En);
    if let Some(bad) = bad {
        return json_error(StatusCode::BAD_REQUEST, "bad-query", bad.message(lang));
    }
    let results = match app.catalogue().search(p.query()).await {
        Ok(r) => r,
        Err(OpError::BadQuery(m)) => {
            let bad = BadParam::of_engine(&m);
            return json_error(StatusCode::BAD_REQUEST, "bad-query", bad.message(lang));
        }
        Err(e) => {
            tracing::error!(error = %e, "search failed");
            let failure = PageError::from_operations(lang, e).failure;
            let text = t(lang, &format!("{}_text", failure.key()));
            return json_error(failure.status(), "unavailable", text);
        }
    };
    let titles: HashMap<String, String> = match category_titles(&app, lang).await {
        Ok(t) => t.into_iter().collect(),
        Err(_) => HashMap::new(),
    };
    let body = ApiResults {
        total: results.total,
        page: p.page,
        per_page: p.per_page,
        hits: results
            .hits
            .into_iter()
            .map(|h| ApiHit {
                url: localized(lang, &format!("/types/{}", h.slug)),
                slug: h.slug,
                names: ApiNames {
                    en: h.name_en,
                    ru: h.name_ru,
                },
                snippet_html: h.snippet.html,
                snippet_lang: h.snippet.lang,
            })
            .collect(),
        facets: results
            .facets
            .into_iter()
            .map(|(kind, values)| {
                let values = values
                    .into_iter()
                    .map(|(value, count)| ApiFacetValue {
                        label: facet_label(lang, kind, &value, &titles, &results.issuer_names),
                        value,
                        count,
                    })
                    .collect();
                (kind.key(), values)
            })
            .collect(),
    };
    let bytes = match serde_json::to_vec(&body) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "serialising search results");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "");
        }
    };
    let etag = etag_of(&bytes);
    let fresh = headers
        .get(IF_NONE_MATCH)
        .is_some_and(|v| etag_matches(v, &etag));
    let mut res = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(bytes));
        r.headers_mut().insert(CONTENT_TYPE, JSON);
        r
    };
    let h = res.headers_mut();
    h.insert(ETAG, etag);
    h.insert(CACHE_CONTROL, API_CACHE_CONTROL);
    h.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_round_trip_through_the_canonical_query_string() {
        let raw = "q=%D0%9C%D0%9E%D0%9F%D0%A0+badge&material=silver&category=mopr-badge\
                   &year_min=1920&year_max=1939&size_min=22,5&sort=year&page=2&utm_source=x";
        let (p, bad) = parse(Some(raw), false);
        assert_eq!(bad, None);
        assert_eq!(p.q, "МОПР badge");
        assert_eq!(p.filters.len(), 2);
        assert_eq!(p.year.min, Some(1920));
        assert_eq!(p.size_mm.min, Some(22.5));
        assert_eq!(p.sort, Sort::Year);
        assert_eq!(p.page, 2);
        let qs = p.query_string();
        assert_eq!(
            qs,
            "?q=%D0%9C%D0%9E%D0%9F%D0%A0%20badge&category=mopr-badge&material=silver\
             &year_min=1920&year_max=1939&size_min=22.5&sort=year&page=2"
        );
        let (again, bad) = parse(Some(&qs[1..]), false);
        assert_eq!(bad, None);
        assert_eq!(again.query_string(), qs);
    }

    #[test]
    fn the_documented_deepest_page_is_reached_at_every_page_size() {
        // the API reference says `page` ≤ 101 for any `per_page` ≤ MAX_LIMIT
        assert_eq!(API_MAX_PAGE, 101);
        assert_eq!(parse(Some("page=101&per_page=100"), true).1, None);
        assert_eq!(parse(Some("page=102"), true).1, Some(BadParam::Page));
        assert_eq!(parse(Some("page=102"), false).1, None);
    }

    #[test]
    fn hostile_parameters_are_named_not_run() {
        let cases = [
            ("page=-1", BadParam::Page),
            ("page=0", BadParam::Page),
            ("page=999999999999", BadParam::Page),
            ("page=9999", BadParam::Page),
            ("year_min=abc", BadParam::Year),
            ("year_max=1e9", BadParam::Year),
            ("size_min=NaN", BadParam::Number),
            ("weight_max=inf", BadParam::Number),
            ("sort=random", BadParam::Sort),
            ("category=a%2Fb", BadParam::Filter),
            ("material=%00", BadParam::Filter),
        ];
        for (raw, want) in cases {
            assert_eq!(parse(Some(raw), false).1, Some(want), "{raw}");
        }
        let long = format!("q={}", "a".repeat(501));
        let (p, bad) = parse(Some(&long), false);
        assert_eq!(bad, Some(BadParam::QueryTooLong));
        assert_eq!(p.q.chars().count(), 500);
        assert_eq!(
            parse(Some(&"x".repeat(20_000)), false).1,
            Some(BadParam::TooLarge)
        );
        assert_eq!(parse(Some("lang=fr"), true).1, Some(BadParam::Lang));
        assert_eq!(parse(Some("per_page=101"), true).1, Some(BadParam::Page));
        // Control characters become spaces; empty filter fields are ignored.
        let (p, bad) = parse(Some("q=mo%00pr%1B%0A&category="), false);
        assert_eq!(bad, None);
        assert_eq!(p.q, "mo pr");
        assert!(p.filters.is_empty());
    }

    #[test]
    fn facet_values_read_in_both_languages() {
        let titles = HashMap::new();
        let issuers = BTreeMap::from([(
            "MOPR".to_owned(),
            Text {
                en: "MOPR".into(),
                ru: "МОПР".into(),
            },
        )]);
        assert_eq!(
            facet_label(Lang::En, FacetKind::Issuer, "MOPR", &titles, &issuers),
            "MOPR"
        );
        assert_eq!(
            facet_label(Lang::Ru, FacetKind::Issuer, "MOPR", &titles, &issuers),
            "МОПР"
        );
        assert_eq!(
            facet_label(Lang::Ru, FacetKind::Issuer, "NKVD", &titles, &issuers),
            "NKVD"
        );
        assert_eq!(
            facet_label(Lang::En, FacetKind::Material, "silver", &titles, &issuers),
            "Silver"
        );
        assert_eq!(
            facet_label(Lang::Ru, FacetKind::Material, "silver", &titles, &issuers),
            "Серебро"
        );
        assert_eq!(
            facet_label(Lang::En, FacetKind::Decade, "1930", &titles, &issuers),
            "1930s"
        );
        assert_eq!(
            facet_label(Lang::Ru, FacetKind::Decade, "1930", &titles, &issuers),
            "1930-е"
        );
        assert_eq!(
            facet_label(
                Lang::Ru,
                FacetKind::Condition,
                "very_fine",
                &titles,
                &issuers
            ),
            "Очень хорошее"
        );
        assert_eq!(
            facet_label(Lang::En, FacetKind::Rarity, "very_rare", &titles, &issuers),
            "Very rare"
        );
        assert_eq!(
            facet_label(Lang::Ru, FacetKind::Photos, "yes", &titles, &issuers),
            "С изображениями"
        );
    }
}
