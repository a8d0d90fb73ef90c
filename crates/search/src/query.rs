//! Searching: a [`Query`] from the visitor becomes a tantivy query built word by word, never
//! through tantivy's query parser, so that no operator or syntax error in user text can reach
//! the visitor.
//!
//! Ranking. Each word of the query must match (stop words may, and when another word is
//! required their score is added to the best candidates only, with the phrase bonus), in any
//! of the groups and ways of [`crate::schema`]. Boosts multiply a group weight (name 3 > issuer 2 > text 1) by a way
//! weight (exact 4 > stemmed 3 > transliterated 2 > prefix 1.5 > fuzzy 1). A word that matches
//! exactly also matches its stem and its skeleton, so the ways add up in that order. A phrase
//! match of the whole query adds a bonus.
//!
//! Quoted phrases. Words in double quotes (`"…"`, `«…»`, `„…“`, `“…”`) must stand adjacent and
//! in that order, in the folded words or in the transliteration keys of one field (so
//! `"Orden Lenina"` finds "Орден Ленина" but not "Ленина орден"); no stems, typos or prefixes
//! inside them. A quote left open is read as plain words.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use tantivy::collector::sort_key::{SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::EnableScoring;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery,
    Query as TantivyQuery, QueryClone, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, Order, Searcher, SeekDangerResult, TantivyDocument, Term};

use vitrina_catalogue::{Lang, Text};

use crate::analyzers::{self, terms};
use crate::docsets::{CachedDocs, CachedIntersection, DocSetCache};
use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::schema::{FacetKind, Group, NAMES_SEPARATOR};
use crate::snippets::{Passage, Snippets};
use crate::translit::skeletons;

/// The longest query text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most words a query may have.
pub const MAX_QUERY_WORDS: usize = 32;
/// The most facet filters a query may have.
pub const MAX_FILTERS: usize = 64;
/// The largest page.
pub const MAX_LIMIT: usize = 100;
/// The deepest page start.
pub const MAX_OFFSET: usize = 10_000;

const NAME_WEIGHT: f32 = 3.0;
const ISSUER_WEIGHT: f32 = 2.0;
const TEXT_WEIGHT: f32 = 1.0;
const EXACT_WEIGHT: f32 = 4.0;
const STEM_WEIGHT: f32 = 3.0;
const TRANSLIT_WEIGHT: f32 = 2.0;
const PREFIX_WEIGHT: f32 = 1.5;
const FUZZY_WEIGHT: f32 = 1.0;
const PHRASE_WEIGHT: f32 = 2.0;
const YEAR_WEIGHT: f32 = 2.0;

/// A word is also looked up with typos only while fewer types than this hold it as written
/// (or transliterated): a common word is rarely a typo, and the edits of a common word match
/// other common words, which costs much and ranks below the exact matches anyway.
const FUZZY_BELOW_TYPES: u64 = 50;

/// A facet filter: values of one kind are alternatives (OR), kinds combine (AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub kind: FacetKind,
    pub value: String,
}

impl Filter {
    pub fn new(kind: FacetKind, value: impl Into<String>) -> Self {
        Self {
            kind,
            value: value.into(),
        }
    }
}

/// An inclusive range; an open end is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds<T> {
    pub min: Option<T>,
    pub max: Option<T>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first; an empty query lists the collection in its own order.
    #[default]
    Relevance,
    /// Earliest year established first; types without a year last, ties by name then slug.
    Year,
    /// Latest year established first; types without a year still last, ties by name then slug.
    YearDesc,
    /// By English name.
    Name,
}

/// What a visitor asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub text: String,
    pub filters: Vec<Filter>,
    pub year: Bounds<i64>,
    pub size_mm: Bounds<f64>,
    pub weight_g: Bounds<f64>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Search as you type: the last word also matches as a prefix (unless the text ends with a
    /// space, the sign that the word is complete).
    pub as_you_type: bool,
    /// The language of the page asking: passages are cut from its texts first.
    pub lang: Lang,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            text: String::new(),
            filters: Vec::new(),
            year: Bounds::default(),
            size_mm: Bounds::default(),
            weight_g: Bounds::default(),
            sort: Sort::Relevance,
            offset: 0,
            limit: 20,
            as_you_type: true,
            lang: Lang::En,
        }
    }
}

impl Query {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

/// One found type.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub slug: String,
    /// The relevance score; `None` when sorted by year or name.
    pub score: Option<f32>,
    pub name_en: String,
    pub name_ru: String,
    /// A passage of one of the type's texts with the matching words in `<mark>`, in the
    /// query's language where it can be; HTML-escaped, safe to insert as is. Empty when the
    /// type has no text.
    pub snippet: Passage,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    /// How many types match in all.
    pub total: usize,
    pub hits: Vec<Hit>,
    /// For each facet kind, its values among the matching types, most frequent first.
    pub facets: BTreeMap<FacetKind, Vec<(String, u64)>>,
    /// For each issuer facet value, how English and Russian pages name it (the Latin and the
    /// Cyrillic acronym, else the full names).
    pub issuer_names: BTreeMap<String, Text>,
}

/// One analysed word of the query.
struct Word {
    exact: String,
    en: Option<String>,
    ru: Option<String>,
    keys: Vec<String>,
    /// A stop word in English or Russian, or a single letter: optional rather than required.
    stop: bool,
    number: bool,
    prefix: bool,
    /// Also matched with typos ([`typo_distance`] edits of its keys).
    fuzzy: bool,
}

struct Analyzers {
    en: TextAnalyzer,
    ru: TextAnalyzer,
}

impl Analyzers {
    fn new() -> Self {
        Self {
            en: analyzers::english(),
            ru: analyzers::russian(),
        }
    }

    fn word(&mut self, exact: String, prefix: bool) -> Word {
        let en = terms(&mut self.en, &exact).into_iter().next();
        let ru = terms(&mut self.ru, &exact).into_iter().next();
        let number = exact.chars().all(|c| c.is_ascii_digit());
        // A single letter (an initial, a stray "b" of pasted HTML) is as optional as a stop word.
        let stop = en.is_none() || ru.is_none() || (!number && exact.chars().count() == 1);
        Word {
            keys: skeletons(&exact),
            en,
            ru,
            stop,
            number,
            prefix,
            fuzzy: true,
            exact,
        }
    }
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn TantivyQuery> {
    let q = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(q), boost))
}

/// Edits allowed for a typo: one from 5 letters, two from 9.
fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The clauses of one word in one group of fields.
///
/// With a `cache`, the prefix clauses of a word typed so far take their matches from it: tantivy
/// collects a prefix's matches into a bit set on every search otherwise.
fn word_clauses(
    w: &Word,
    g: Group,
    weight: f32,
    cache: Option<&Arc<DocSetCache>>,
    out: &mut Vec<(Occur, Box<dyn TantivyQuery>)>,
) {
    let should = |q| (Occur::Should, q);
    out.push(should(term_query(g.exact, &w.exact, weight * EXACT_WEIGHT)));
    if w.number {
        return;
    }
    if let Some(en) = &w.en {
        out.push(should(term_query(g.en, en, weight * STEM_WEIGHT)));
    }
    if let Some(ru) = &w.ru {
        out.push(should(term_query(g.ru, ru, weight * STEM_WEIGHT)));
    }
    for key in &w.keys {
        out.push(should(term_query(
            g.translit,
            key,
            weight * TRANSLIT_WEIGHT,
        )));
    }
    let distance = typo_distance(&w.exact);
    if distance > 0 && w.fuzzy {
        for key in &w.keys {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(g.translit, key), distance, true);
            out.push(should(Box::new(BoostQuery::new(
                Box::new(fuzzy),
                weight * FUZZY_WEIGHT,
            ))));
        }
    }
    if w.prefix && w.exact.chars().count() >= 2 {
        for (field, text) in [(g.exact, &w.exact), (g.translit, &w.keys[0])] {
            let prefix = FuzzyTermQuery::new_prefix(Term::from_field_text(field, text), 0, true);
            let score = weight * PREFIX_WEIGHT;
            out.push(should(match cache {
                // tantivy scores a prefix's matches alike, with the boost
                Some(cache) => Box::new(CachedDocs::new(Box::new(prefix), score, cache.clone())),
                None => Box::new(BoostQuery::new(Box::new(prefix), score)),
            }));
        }
    }
}

/// A year range written in the query ("1922–1932", "1922-1932"): the words at `i` and `i + 1`.
fn year_range(words: &[Word], i: usize, text_between: &str) -> Option<(i64, i64)> {
    let a = words.get(i)?;
    let b = words.get(i + 1)?;
    if !(a.number && b.number && a.exact.len() == 4 && b.exact.len() == 4) {
        return None;
    }
    let joiner = text_between.trim();
    if !matches!(joiner, "-" | "–" | "—" | "‒" | "..") {
        return None;
    }
    let (from, to) = (a.exact.parse().ok()?, b.exact.parse().ok()?);
    (from < to && to - from <= 200).then_some((from, to))
}

fn is_year(w: &Word) -> Option<i64> {
    let y: i64 = w
        .exact
        .parse()
        .ok()
        .filter(|_| w.number && w.exact.len() == 4)?;
    (1700..=2100).contains(&y).then_some(y)
}

/// The clause of a word that is a year: the types tied to that year ([`crate::schema::Fields::years`]).
fn year_clause(years: Field, w: &Word) -> Option<(Occur, Box<dyn TantivyQuery>)> {
    let y = is_year(w)?;
    let q = TermQuery::new(Term::from_field_i64(years, y), IndexRecordOption::Basic);
    Some((
        Occur::Should,
        Box::new(BoostQuery::new(Box::new(q), YEAR_WEIGHT)),
    ))
}

/// The closing quote of an opening one.
fn closing_quotes(open: char) -> Option<&'static [char]> {
    match open {
        '"' => Some(&['"']),
        '«' => Some(&['»']),
        '„' => Some(&['“', '”']),
        '“' => Some(&['”', '"']),
        _ => None,
    }
}

/// The byte ranges inside quotes in a query text: an opening quote after the start or a
/// non-letter, up to the first closing quote followed by the end or a non-letter (so that the
/// `"` of a romanised hard sign inside a word, `Pod"yezd`, is not read as a quote).
pub(crate) fn quoted_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let letter = |i: usize| chars.get(i).is_some_and(|&(_, c)| c.is_alphanumeric());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let opens = closing_quotes(c).filter(|_| i == 0 || !letter(i - 1));
        let Some(closers) = opens else {
            i += 1;
            continue;
        };
        let close = (i + 1..chars.len()).find(|&j| closers.contains(&chars[j].1) && !letter(j + 1));
        match close {
            Some(j) => {
                out.push((start + c.len_utf8(), chars[j].0));
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// The clause of a quoted phrase: its words adjacent and in order, in one field of any group,
/// as folded words or as transliteration keys.
fn phrase_clause(words: &[&Word], groups: &[(Group, f32)]) -> Box<dyn TantivyQuery> {
    let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
    for &(g, weight) in groups {
        let ways = [
            (
                g.exact,
                EXACT_WEIGHT,
                words.iter().map(|w| w.exact.as_str()).collect::<Vec<_>>(),
            ),
            (
                g.translit,
                TRANSLIT_WEIGHT,
                words.iter().map(|w| w.keys[0].as_str()).collect(),
            ),
        ];
        for (field, way, texts) in ways {
            let boost = weight * way * PHRASE_WEIGHT;
            let q: Box<dyn TantivyQuery> = if texts.len() == 1 {
                term_query(field, texts[0], boost)
            } else {
                let terms = texts
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect();
                Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), boost))
            };
            clauses.push((Occur::Should, q));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// How English and Russian pages name these issuer facet values, read from the index's
/// issuer-names terms (the first spelling found wins when types disagree).
fn issuer_names(
    searcher: &Searcher,
    field: Field,
    values: &[(String, u64)],
) -> Result<BTreeMap<String, Text>, SearchError> {
    let mut out = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        for (value, _) in values {
            if out.contains_key(value) {
                continue;
            }
            let from = format!("{value}{NAMES_SEPARATOR}");
            // The separator is U+001F; U+0020 is the next character.
            let to = format!("{value}\u{20}");
            let mut stream = inverted
                .terms()
                .range()
                .ge(from.as_bytes())
                .lt(to.as_bytes())
                .into_stream()?;
            if stream.advance() {
                let key = String::from_utf8_lossy(stream.key()).into_owned();
                let mut parts = key.split(NAMES_SEPARATOR).skip(1);
                let en = parts.next().unwrap_or(value).to_owned();
                let ru = parts.next().unwrap_or(value).to_owned();
                out.insert(value.clone(), Text { en, ru });
            }
        }
        if out.len() == values.len() {
            break;
        }
    }
    Ok(out)
}

/// The text part of a query: what must match, scored, and the phrase bonus of the whole text,
/// added to the score of the best candidates.
struct TextQuery {
    words: Box<dyn TantivyQuery>,
    /// Clauses that each add their score to a candidate they match.
    bonus: Vec<Box<dyn TantivyQuery>>,
}

/// How many of the best matches by their words are scored again with the phrase bonus (at
/// least the page and those before it). A type further down would need a bonus larger than
/// the lead of all these over it to reach the page.
const RERANKED: usize = 400;

/// Adds the scores of the bonus clauses to each candidate they match, and orders them again
/// (best first, ties by address, as tantivy orders them). Each clause is only asked whether
/// it matches each candidate ([`DocSet::seek_danger`]): seeking a phrase to a candidate it
/// does not match would read the positions of every type after it that holds all the words,
/// up to the next one that matches the phrase, which for common words is most of the index.
fn rerank(
    searcher: &Searcher,
    bonus: &[Box<dyn TantivyQuery>],
    mut found: Vec<(f32, DocAddress)>,
) -> Result<Vec<(f32, DocAddress)>, SearchError> {
    found.sort_by_key(|&(_, a)| a);
    for clause in bonus {
        let weight = clause.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut i = 0;
        while i < found.len() {
            let segment = found[i].1.segment_ord;
            let reader = searcher.segment_reader(segment);
            let mut scorer = weight.scorer(reader, 1.0)?;
            // After a miss the scorer stands nowhere valid, only below `lower` is known not to
            // match, and it may only be asked again with a later candidate. The candidates of
            // a segment are distinct and ascending.
            let mut valid = true;
            let mut lower = 0;
            while i < found.len() && found[i].1.segment_ord == segment {
                let doc = found[i].1.doc_id;
                let hit = if valid && scorer.doc() >= doc {
                    scorer.doc() == doc
                } else if !valid && doc < lower {
                    false
                } else {
                    match scorer.seek_danger(doc) {
                        SeekDangerResult::Found => {
                            valid = true;
                            true
                        }
                        SeekDangerResult::SeekLowerBound(bound) => {
                            valid = false;
                            lower = bound;
                            false
                        }
                    }
                };
                if hit {
                    found[i].0 += scorer.score();
                }
                i += 1;
            }
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(found)
}

/// Whether at least [`FUZZY_BELOW_TYPES`] types hold the word, as written or transliterated,
/// in one group of fields (the transliteration keys of a text include those of its words as
/// written).
fn is_common(
    searcher: &Searcher,
    f: &crate::schema::Fields,
    w: &Word,
) -> Result<bool, SearchError> {
    for g in [f.name, f.issuer, f.text] {
        for key in &w.keys {
            let term = Term::from_field_text(g.translit, key);
            if searcher.doc_freq(&term)? >= FUZZY_BELOW_TYPES {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// A word is broad in a group of fields when at least this share of the types hold it there
/// (and at least [`BROAD_MIN_TYPES`]): "back", "pin", "screw" in the variants of nearly every
/// type. Its matches there come from the [`DocSetCache`] and do not score; its scores there
/// are added to the best candidates only ([`RERANKED`]), as the phrase bonus is. BM25 gives
/// such a word little weight anyway: a word in a twentieth of the types weighs about a third
/// of one in a ten-thousandth.
const BROAD_SHARE: u64 = 20;
/// Prefixes of up to this many letters are cached whatever their word ([`word_clauses`]).
const CACHED_PREFIX_CHARS: usize = 3;
/// Below this many types a word is never broad: scoring all its matches costs little.
pub(crate) const BROAD_MIN_TYPES: u64 = 20_000;

/// Whether the word is broad in the group ([`BROAD_SHARE`]): the largest of the document
/// frequencies of its ways there (a word's skeleton key holds wherever the word does as
/// written, and its stems wherever a form of it does).
fn is_broad(searcher: &Searcher, g: Group, w: &Word, min: u64) -> Result<bool, SearchError> {
    let types = searcher.num_docs();
    if types < min {
        return Ok(false);
    }
    let mut terms: Vec<Term> = w
        .keys
        .iter()
        .map(|k| Term::from_field_text(g.translit, k))
        .collect();
    terms.extend(w.en.iter().map(|t| Term::from_field_text(g.en, t)));
    terms.extend(w.ru.iter().map(|t| Term::from_field_text(g.ru, t)));
    for term in terms {
        let df = searcher.doc_freq(&term)?;
        if df >= min && df * BROAD_SHARE >= types {
            return Ok(true);
        }
    }
    Ok(false)
}

impl SearchIndex {
    /// Builds the text part of a query; `None` for a text with no words (show everything).
    fn text_query(
        &self,
        searcher: &Searcher,
        text: &str,
        as_you_type: bool,
    ) -> Result<Option<TextQuery>, SearchError> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong {
                max: MAX_QUERY_CHARS,
            });
        }
        let spans = analyzers::words(text);
        if spans.is_empty() {
            return Ok(None);
        }
        if spans.len() > MAX_QUERY_WORDS {
            return Err(SearchError::TooManyWords {
                max: MAX_QUERY_WORDS,
            });
        }
        let ends_open = as_you_type && !text.ends_with(|c: char| !c.is_alphanumeric());
        let mut a = Analyzers::new();
        let last = spans.len() - 1;
        let f = &self.fields;
        let mut words: Vec<Word> = spans
            .iter()
            .enumerate()
            .map(|(i, (_, _, w))| a.word(w.clone(), ends_open && i == last))
            .collect();
        for w in &mut words {
            w.fuzzy = typo_distance(&w.exact) > 0 && !is_common(searcher, f, w)?;
        }
        // Which quoted phrase, if any, each word stands in.
        let quoted = quoted_spans(text);
        let phrase_of: Vec<Option<usize>> = spans
            .iter()
            .map(|&(from, to, _)| quoted.iter().position(|&(a, b)| a <= from && to <= b))
            .collect();
        let groups = [
            (f.name, NAME_WEIGHT),
            (f.issuer, ISSUER_WEIGHT),
            (f.text, TEXT_WEIGHT),
        ];
        let mut top: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        // The clauses of stop words, which are optional and only add to the score.
        let mut stops: Vec<Vec<(Occur, Box<dyn TantivyQuery>)>> = Vec::new();
        // Broad words ([`is_broad`]): the match sets of each (from the cache), the clauses
        // that score their every match, and those that score the best candidates only.
        let mut cached: Vec<CachedDocs> = Vec::new();
        let mut scoring: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let mut broad: Vec<Box<dyn TantivyQuery>> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            if let Some(p) = phrase_of[i] {
                let n = phrase_of[i..].iter().take_while(|&&q| q == Some(p)).count();
                let phrase: Vec<&Word> = words[i..i + n].iter().collect();
                top.push((Occur::Must, phrase_clause(&phrase, &groups)));
                i += n;
                continue;
            }
            let between = spans
                .get(i + 1)
                .map_or("", |next| &text[spans[i].1..next.0]);
            let free_pair = phrase_of.get(i + 1).is_some_and(Option::is_none);
            if let Some((from, to)) = year_range(&words, i, between).filter(|_| free_pair) {
                // A range of years: the types tied to any year in it, the exact numbers first.
                let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
                let range = RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.years, from)),
                    Bound::Included(Term::from_field_i64(f.years, to)),
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(range), YEAR_WEIGHT)),
                ));
                for w in &words[i..=i + 1] {
                    word_clauses(w, f.text, TEXT_WEIGHT, None, &mut clauses);
                    word_clauses(w, f.name, NAME_WEIGHT, None, &mut clauses);
                }
                top.push((Occur::Must, Box::new(BooleanQuery::new(clauses))));
                i += 2;
                continue;
            }
            let w = &words[i];
            let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
            // Per group: whether the word is broad there, and whether its prefix (if typed so
            // far) is cached there. Only the prefixes that match many types are kept: short
            // ones, and those of stop words and of broad words where they are broad.
            let mut broad_at = [false; 3];
            let mut cache_at = [None; 3];
            let short = w.exact.chars().count() <= CACHED_PREFIX_CHARS;
            for (k, (g, weight)) in groups.into_iter().enumerate() {
                broad_at[k] = !w.stop && is_broad(searcher, g, w, self.broad_min_types)?;
                cache_at[k] = (broad_at[k] || w.stop || short).then_some(&self.docsets);
                word_clauses(w, g, weight, cache_at[k], &mut clauses);
            }
            clauses.extend(year_clause(f.years, w));
            if w.stop {
                stops.push(clauses);
                i += 1;
                continue;
            }
            let clause = BooleanQuery::new(clauses);
            if !broad_at.contains(&true) {
                top.push((Occur::Must, Box::new(clause)));
            } else {
                // A broad word: its matches come from the cache, its clauses in the groups
                // where it is not broad score every match, and those where it is score the
                // best candidates only.
                cached.push(CachedDocs::new(Box::new(clause), 0.0, self.docsets.clone()));
                for (k, (g, weight)) in groups.into_iter().enumerate() {
                    // (a prefix scores its matches alike: where cached, it is the set the
                    // match set above was made from)
                    let mut scored = Vec::new();
                    word_clauses(w, g, weight, cache_at[k], &mut scored);
                    if broad_at[k] {
                        broad.extend(scored.into_iter().map(|(_, q)| q));
                    } else {
                        scoring.push((Occur::Should, Box::new(BooleanQuery::new(scored))));
                    }
                }
                scoring.extend(year_clause(f.years, w));
            }
            i += 1;
        }
        if !cached.is_empty() {
            top.push((Occur::Must, Box::new(CachedIntersection::new(cached))));
            top.extend(scoring);
        }
        // The bonus of the whole query as a phrase: scored for the best candidates only
        // ([`SearchIndex::search`]). Its terms are the words' own exact and key terms, so it
        // never changes which types match.
        let mut bonus: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        if words.len() >= 2 {
            for (field, weight) in [(f.name.exact, NAME_WEIGHT), (f.text.exact, TEXT_WEIGHT)] {
                let terms = words
                    .iter()
                    .map(|w| Term::from_field_text(field, &w.exact))
                    .collect();
                let phrase = PhraseQuery::new(terms);
                bonus.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(phrase), weight * PHRASE_WEIGHT)),
                ));
            }
            let terms = words
                .iter()
                .map(|w| Term::from_field_text(f.name.translit, &w.keys[0]))
                .collect();
            bonus.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(PhraseQuery::new(terms)),
                    NAME_WEIGHT * PHRASE_WEIGHT / 2.0,
                )),
            ));
        }
        // A stop word ("the", "of") holds in nearly every type; scoring it for every match of
        // the other words was the largest cost of queries such as "bears the". When some
        // other word is required, its score is added with the phrase bonus to the best
        // candidates only; a query of stop words alone still needs one of them to match.
        // The bonus is a list of single terms, phrases and prefixes, not of unions: the bonus
        // of a candidate is asked of each clause with a seek, which a term answers from its
        // skip list, while a union reads on through every posting of every term up to it.
        if top.is_empty() {
            top.extend(
                stops
                    .into_iter()
                    .map(|c| (Occur::Should, Box::new(BooleanQuery::new(c)) as Box<_>)),
            );
        } else {
            bonus.extend(stops.into_iter().flatten());
        }
        bonus.extend(broad.into_iter().map(|q| (Occur::Should, q)));
        let bonus = bonus.into_iter().map(|(_, q)| q).collect();
        Ok(Some(TextQuery {
            words: Box::new(BooleanQuery::new(top)),
            bonus,
        }))
    }

    fn filter_query(&self, q: &Query) -> Result<Vec<Box<dyn TantivyQuery>>, SearchError> {
        if q.filters.len() > MAX_FILTERS {
            return Err(SearchError::TooManyFilters { max: MAX_FILTERS });
        }
        let f = &self.fields;
        let mut out: Vec<Box<dyn TantivyQuery>> = Vec::new();
        for kind in FacetKind::ALL {
            let values: Vec<&Filter> = q.filters.iter().filter(|x| x.kind == kind).collect();
            if values.is_empty() {
                continue;
            }
            let mut alternatives: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
            for v in values {
                if v.value.is_empty() || v.value.chars().count() > 200 || v.value.contains('/') {
                    return Err(SearchError::InvalidFilter(format!(
                        "{}: {:?}",
                        kind.key(),
                        v.value
                    )));
                }
                let term = Term::from_facet(f.facets, &kind.facet(&v.value));
                alternatives.push((
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
            out.push(Box::new(BooleanQuery::new(alternatives)));
        }
        let i64_range = |field: Field, b: Bounds<i64>| -> Option<Box<dyn TantivyQuery>> {
            if b.min.is_none() && b.max.is_none() {
                return None;
            }
            let bound = |v: Option<i64>| {
                v.map_or(Bound::Unbounded, |v| {
                    Bound::Included(Term::from_field_i64(field, v))
                })
            };
            Some(Box::new(RangeQuery::new(bound(b.min), bound(b.max))))
        };
        let f64_range =
            |field: Field, b: Bounds<f64>| -> Result<Option<Box<dyn TantivyQuery>>, SearchError> {
                if b.min.is_none() && b.max.is_none() {
                    return Ok(None);
                }
                if b.min.is_some_and(|v| !v.is_finite()) || b.max.is_some_and(|v| !v.is_finite()) {
                    return Err(SearchError::InvalidFilter(
                        "a range bound is not a number".into(),
                    ));
                }
                let bound = |v: Option<f64>| {
                    v.map_or(Bound::Unbounded, |v| {
                        Bound::Included(Term::from_field_f64(field, v))
                    })
                };
                Ok(Some(Box::new(RangeQuery::new(bound(b.min), bound(b.max)))))
            };
        out.extend(i64_range(f.year, q.year));
        out.extend(f64_range(f.size_mm, q.size_mm)?);
        out.extend(f64_range(f.weight_g, q.weight_g)?);
        Ok(out)
    }

    /// Searches the index. Malformed, hostile or very long input gives an empty result or a
    /// query error ([`SearchError::is_bad_query`]), never a panic.
    pub fn search(&self, q: &Query) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let text = self.text_query(&searcher, &q.text, q.as_you_type)?;
        let filters = self.filter_query(q)?;
        let has_text = text.is_some();
        let (words, bonus) = match text {
            Some(t) => (t.words, t.bonus),
            None => (Box::new(AllQuery) as Box<dyn TantivyQuery>, Vec::new()),
        };
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        clauses.push((Occur::Must, words));
        for filter in filters {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        let query = BooleanQuery::new(clauses);

        let facet_collector = self.facet_cache.collector(&searcher)?;
        // One pass over the matches collects the count, the facets and the page.
        let limit = q.limit.clamp(1, MAX_LIMIT);
        let offset = q.offset.min(MAX_OFFSET);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let all = (Count, facet_collector);
        let ((total, facet_counts), found): (_, Vec<(Option<f32>, DocAddress)>) =
            match (q.sort, has_text) {
                (Sort::Relevance, true) => match bonus.as_slice() {
                    [] => {
                        let (all, page) = searcher.search(&query, &(all, top.order_by_score()))?;
                        (all, page.into_iter().map(|(s, a)| (Some(s), a)).collect())
                    }
                    bonus => {
                        let candidates = TopDocs::with_limit((offset + limit).max(RERANKED));
                        let (all, found) =
                            searcher.search(&query, &(all, candidates.order_by_score()))?;
                        let page = rerank(&searcher, bonus, found)?;
                        let page = page.into_iter().skip(offset).take(limit);
                        (all, page.map(|(s, a)| (Some(s), a)).collect())
                    }
                },
                (Sort::Relevance, false) => {
                    let by = top.order_by_fast_field::<i64>("position", Order::Asc);
                    let (all, page) = searcher.search(&query, &(all, by))?;
                    (all, page.into_iter().map(|(_, a)| (None, a)).collect())
                }
                (Sort::Year | Sort::YearDesc, _) => {
                    // Types without a year come last either way (tantivy orders a missing
                    // value last in both directions); ties by name, then slug.
                    let order = if q.sort == Sort::Year {
                        Order::Asc
                    } else {
                        Order::Desc
                    };
                    let by = top.order_by((
                        (SortByStaticFastValue::<i64>::for_field("year"), order),
                        (
                            (SortByString::for_field("name_sort"), Order::Asc),
                            (SortByString::for_field("slug"), Order::Asc),
                        ),
                    ));
                    let (all, page) = searcher.search(&query, &(all, by))?;
                    (all, page.into_iter().map(|(_, a)| (None, a)).collect())
                }
                (Sort::Name, _) => {
                    let by = top.order_by((
                        (SortByString::for_field("name_sort"), Order::Asc),
                        (SortByString::for_field("slug"), Order::Asc),
                    ));
                    let (all, page) = searcher.search(&query, &(all, by))?;
                    (all, page.into_iter().map(|(_, a)| (None, a)).collect())
                }
            };

        // Highlight the words of the bonus too: the stop words moved there.
        let mut marked: Vec<(Occur, Box<dyn TantivyQuery>)> =
            vec![(Occur::Must, query.box_clone())];
        marked.extend(bonus.iter().map(|b| (Occur::Should, b.box_clone())));
        let marked = BooleanQuery::new(marked);
        let snippets = Snippets::new(&searcher, &marked, self)?;
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let first = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            let all = |field: Field| {
                doc.get_all(field)
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            };
            let (text_en, text_ru) = (all(self.fields.text.en), all(self.fields.text.ru));
            hits.push(Hit {
                slug: first(self.fields.slug),
                score,
                name_en: first(self.fields.name.en),
                name_ru: first(self.fields.name.ru),
                snippet: snippets.passage(q.lang, &text_en, &text_ru),
            });
        }

        let facets = facet_counts;
        let issuer_names = match facets.get(&FacetKind::Issuer) {
            Some(values) => issuer_names(&searcher, self.fields.issuer_names, values)?,
            None => BTreeMap::new(),
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
            issuer_names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::quoted_spans;
    use crate::{FacetKind, Filter, Query, SearchIndex, SearchResults};

    fn quoted(text: &str) -> Vec<&str> {
        quoted_spans(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn quotes_of_every_kind_delimit_phrases() {
        assert_eq!(quoted("\"Orden Lenina\""), ["Orden Lenina"]);
        assert_eq!(quoted("«Орден Ленина» 1939"), ["Орден Ленина"]);
        assert_eq!(quoted("„Орден Ленина“"), ["Орден Ленина"]);
        assert_eq!(quoted("“Order of Lenin”"), ["Order of Lenin"]);
        assert_eq!(quoted("\"a b\" x «c d»"), ["a b", "c d"]);
        assert_eq!(quoted("\"Orden Lenina.\""), ["Orden Lenina."]);
        // A hard sign written as a quote inside a word is no quote.
        assert_eq!(quoted("\"Pod\"yezd znak\""), ["Pod\"yezd znak"]);
        assert!(quoted("Pod\"yezd").is_empty());
        // Left open: no phrase.
        assert!(quoted("\"Orden Lenina").is_empty());
        assert!(quoted("«Orden Lenina\"").is_empty());
    }

    /// 300 types, all with a pin-back or screw-back variant; a few with "pin" in the name.
    fn fitted(broad_min_types: u64) -> SearchIndex {
        let types = (0..300).map(|i| {
            let fitting = if i % 3 == 0 { "screw-back" } else { "pin-back" };
            let name = if i % 50 == 7 {
                "Pin of the back office"
            } else {
                "Jubilee badge"
            };
            let material = ["silver", "bronze", "brass"][i % 3];
            let back = "back ".repeat(i % 4);
            let text = format!(
                r#"
                slug = "type-{i}"
                position = {i}
                names = {{ en = "{name} {i}", ru = "Знак {i}" }}
                description = {{ en = "Issued in {year}. {back}", ru = "" }}
                established = {year}
                [[variants]]
                name = {{ en = "{fitting}, {material}" }}
                materials = ["{material}"]
                "#,
                year = 1930 + i % 40,
            );
            toml::from_str::<vitrina_catalogue::BadgeType>(&text).unwrap()
        });
        let mut index = SearchIndex::in_memory().unwrap();
        index.broad_min_types = broad_min_types;
        index.rebuild(types).unwrap();
        index
    }

    fn all(index: &SearchIndex, text: &str, as_you_type: bool, filter: bool) -> SearchResults {
        let mut q = Query::text(text);
        q.limit = 100;
        q.as_you_type = as_you_type;
        if filter {
            q.filters = vec![Filter::new(FacetKind::Material, "bronze")];
        }
        index.search(&q).unwrap()
    }

    fn sorted_slugs(r: &SearchResults) -> Vec<String> {
        let mut s: Vec<String> = r.hits.iter().map(|h| h.slug.clone()).collect();
        s.sort();
        s
    }

    #[test]
    fn broad_words_match_and_count_as_when_every_match_is_scored() {
        let broad = fitted(10);
        let scored = fitted(u64::MAX);
        for (text, as_you_type) in [
            ("pin back", false),
            ("back", false),
            ("screw-back", false),
            ("pin", false),
            ("back 1931", false),
            ("pin ba", true),
            ("back", true),
            ("the back", false),
            ("bronze back", false),
        ] {
            for filter in [false, true] {
                let (a, b) = (
                    all(&broad, text, as_you_type, filter),
                    all(&scored, text, as_you_type, filter),
                );
                assert!(filter || a.total > 0, "{text:?}");
                assert_eq!(a.total, b.total, "{text:?}");
                assert_eq!(a.facets, b.facets, "{text:?}");
                if a.total <= 100 {
                    assert_eq!(sorted_slugs(&a), sorted_slugs(&b), "{text:?}");
                }
            }
        }
        assert!(
            broad.docsets.len() > 0,
            "the broad words' match sets are cached"
        );
        // Again, from the cache: the same answer.
        let again = all(&broad, "pin back", false, false);
        assert_eq!(again, all(&broad, "pin back", false, false));
        assert_eq!(again.total, all(&scored, "pin back", false, false).total);
    }

    #[test]
    fn broad_words_still_rank_names_first() {
        let broad = fitted(10);
        // "pin" is in every type's variant; the six types named "Pin of the back office"
        // come first, the same six as when every match is scored (in an order that may differ
        // where their scores tie but for rounding).
        let r = all(&broad, "pin", false, false);
        let named: Vec<&str> = r.hits[..6].iter().map(|h| h.name_en.as_str()).collect();
        assert!(
            named
                .iter()
                .all(|n| n.starts_with("Pin of the back office")),
            "{named:?}"
        );
        let scored = all(&fitted(u64::MAX), "pin", false, false);
        let six = |r: &SearchResults| {
            let mut s: Vec<String> = r.hits[..6].iter().map(|h| h.slug.clone()).collect();
            s.sort();
            s
        };
        assert_eq!(six(&r), six(&scored));
        // The text scores of a broad word still order the candidates: more "back", higher.
        let r = all(&broad, "back", false, false);
        assert!(
            r.hits[0].name_en.starts_with("Pin of the back office"),
            "{:?}",
            r.hits[0]
        );
    }
}
