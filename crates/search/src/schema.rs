//! The schema of the index, and what a badge type becomes in it.
//!
//! Every text is indexed in one of three *groups* (the name, the issuer, everything else) and
//! each group in four ways: folded words, English stems, Russian stems and transliteration
//! keys. The search ranks the groups and the ways differently ([`crate::query`]).

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use vitrina_catalogue::{BadgeType, Condition, Rarity, Text};

use crate::analyzers::{self, ENGLISH, EXACT, RUSSIAN, TRANSLIT};

/// The version of the schema, of the analyzers *and* of what documents store (descriptions are
/// stored stripped of Markdown, since version 4): bump it whenever any of them changes, so that
/// an index written by an older build is detected and rebuilt (terms written by other analyzers
/// would silently stop matching).
pub const SCHEMA_VERSION: u32 = 4;

/// The four ways a group of text is indexed.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub exact: Field,
    pub en: Field,
    pub ru: Field,
    pub translit: Field,
}

#[derive(Debug, Clone)]
pub struct Fields {
    pub slug: Field,
    pub name: Group,
    pub issuer: Group,
    pub text: Group,
    /// Every year the type is tied to: established, the period of award (each year of it), the
    /// event. For "1939" and "1922–1932".
    pub years: Field,
    /// The year established (else the first year of the period): for range filters and sort.
    pub year: Field,
    /// The smallest size (mm) and weight (g) of the variants, for range filters.
    pub size_mm: Field,
    pub weight_g: Field,
    /// The order of the collection, for an empty query.
    pub position: Field,
    /// The folded English name, for sorting by name.
    pub name_sort: Field,
    pub facets: Field,
    /// One term per type with an issuer: the issuer's facet value and its English and Russian
    /// names ([`issuer_names_term`]), so that pages in either language can label the facet.
    pub issuer_names: Field,
}

/// Positions are kept only where phrases are matched (the folded words and the
/// transliteration keys); the stemmed fields answer single terms and need frequencies only.
fn text(analyzer: &str, stored: bool, positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(record);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn group(builder: &mut tantivy::schema::SchemaBuilder, prefix: &str, stored: bool) -> Group {
    Group {
        exact: builder.add_text_field(&format!("{prefix}_exact"), text(EXACT, false, true)),
        en: builder.add_text_field(&format!("{prefix}_en"), text(ENGLISH, stored, false)),
        ru: builder.add_text_field(&format!("{prefix}_ru"), text(RUSSIAN, stored, false)),
        translit: builder
            .add_text_field(&format!("{prefix}_translit"), text(TRANSLIT, false, true)),
    }
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        // Fast: the last tie-break of the year and name sorts.
        slug: b.add_text_field("slug", STRING | STORED | FAST),
        // The English and Russian names and texts are stored: hits show the names, and
        // snippets are cut from the texts.
        name: group(&mut b, "name", true),
        issuer: group(&mut b, "issuer", false),
        text: group(&mut b, "text", true),
        years: b.add_i64_field("years", INDEXED),
        year: b.add_i64_field("year", INDEXED | FAST | STORED),
        size_mm: b.add_f64_field("size_mm", INDEXED | FAST),
        weight_g: b.add_f64_field("weight_g", INDEXED | FAST),
        position: b.add_i64_field("position", FAST),
        name_sort: b.add_text_field("name_sort", STRING | FAST),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        issuer_names: b.add_text_field("issuer_names", STRING),
    };
    (b.build(), fields)
}

/// The kinds of facet, each a top-level path of the facet field: `/category/mopr-badge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FacetKind {
    Category,
    Issuer,
    Material,
    Decade,
    Condition,
    Rarity,
    Photos,
}

impl FacetKind {
    pub const ALL: [FacetKind; 7] = [
        FacetKind::Category,
        FacetKind::Issuer,
        FacetKind::Material,
        FacetKind::Decade,
        FacetKind::Condition,
        FacetKind::Rarity,
        FacetKind::Photos,
    ];

    /// The name used in facet paths and URLs.
    pub fn key(self) -> &'static str {
        match self {
            FacetKind::Category => "category",
            FacetKind::Issuer => "issuer",
            FacetKind::Material => "material",
            FacetKind::Decade => "decade",
            FacetKind::Condition => "condition",
            FacetKind::Rarity => "rarity",
            FacetKind::Photos => "photos",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn facet(self, value: &str) -> Facet {
        Facet::from_path([self.key(), value])
    }
}

pub fn condition_key(c: Condition) -> &'static str {
    match c {
        Condition::Mint => "mint",
        Condition::Excellent => "excellent",
        Condition::VeryFine => "very_fine",
        Condition::Fine => "fine",
        Condition::Good => "good",
        Condition::Fair => "fair",
        Condition::Poor => "poor",
    }
}

pub fn rarity_key(r: Rarity) -> &'static str {
    match r {
        Rarity::Common => "common",
        Rarity::Uncommon => "uncommon",
        Rarity::Scarce => "scarce",
        Rarity::Rare => "rare",
        Rarity::VeryRare => "very_rare",
        Rarity::ExtremelyRare => "extremely_rare",
    }
}

/// The facet value of an issuer: its Latin acronym, else its English name.
fn issuer_value(t: &BadgeType) -> Option<String> {
    let issuer = t.issuer.as_ref()?;
    let value = if !issuer.abbreviation_latin.trim().is_empty() {
        issuer.abbreviation_latin.trim()
    } else {
        issuer.name.en.trim()
    };
    (!value.is_empty()).then(|| value.to_owned())
}

/// Separates the parts of an [`issuer_names_term`]; a control character, which no name holds.
pub const NAMES_SEPARATOR: char = '\u{1f}';

/// The issuer's facet value and how each language names it, as one term: the value is what
/// English pages show (the Latin acronym, else the English name); Russian pages show the
/// Cyrillic acronym, else the Russian name, else the value.
fn issuer_names_term(t: &BadgeType) -> Option<String> {
    let value = issuer_value(t)?;
    let issuer = t.issuer.as_ref()?;
    let clean = |s: &str| s.trim().replace(NAMES_SEPARATOR, " ");
    let ru = [&issuer.abbreviation, &issuer.name.ru]
        .into_iter()
        .map(|s| clean(s))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| value.clone());
    let value = clean(&value);
    Some(format!(
        "{value}{NAMES_SEPARATOR}{value}{NAMES_SEPARATOR}{ru}"
    ))
}

/// Texts of one group, by language; `any` holds texts in no particular language (an
/// engraving, a maker's name), indexed with the English ones.
#[derive(Default)]
struct Texts {
    en: Vec<String>,
    ru: Vec<String>,
}

impl Texts {
    fn push(&mut self, t: &Text) {
        self.push_en(&t.en);
        self.push_ru(&t.ru);
    }
    fn push_en(&mut self, s: &str) {
        if !s.trim().is_empty() {
            self.en.push(s.to_owned());
        }
    }
    fn push_ru(&mut self, s: &str) {
        if !s.trim().is_empty() {
            self.ru.push(s.to_owned());
        }
    }
    fn add_to(&self, doc: &mut TantivyDocument, g: Group) {
        for s in &self.en {
            doc.add_text(g.exact, s);
            doc.add_text(g.en, s);
            doc.add_text(g.translit, s);
        }
        for s in &self.ru {
            doc.add_text(g.exact, s);
            doc.add_text(g.ru, s);
            doc.add_text(g.translit, s);
        }
    }
}

/// The document of a badge type. The type must already be public ([`BadgeType::into_public`]);
/// [`crate::SearchIndex::index_type`] makes sure of it, and nothing here reads
/// `Specimen::private`.
pub fn document(fields: &Fields, t: &BadgeType) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.slug, t.slug.as_str());

    let mut name = Texts::default();
    name.push_en(&t.names.en);
    name.push_ru(&t.names.ru);
    name.add_to(&mut doc, fields.name);
    if let Some(original) = &t.names.original
        && !original.text.trim().is_empty()
    {
        doc.add_text(fields.name.exact, &original.text);
        doc.add_text(fields.name.translit, &original.text);
    }

    if let Some(issuer) = &t.issuer {
        let mut texts = Texts::default();
        texts.push(&issuer.name);
        texts.push_en(&issuer.abbreviation_latin);
        texts.push_ru(&issuer.abbreviation);
        texts.add_to(&mut doc, fields.issuer);
    }

    let mut body = Texts::default();
    body.push_en(&plain_text(&t.description.en));
    body.push_ru(&plain_text(&t.description.ru));
    if let Some(event) = &t.event {
        body.push(&event.name);
        body.push(&event.place);
    }
    for r in &t.references {
        body.push_en(&r.citation);
    }
    for v in &t.variants {
        body.push(&v.name);
        body.push_en(&v.maker);
        for m in &v.marks {
            body.push(m);
        }
        body.push(&v.enamel);
        body.push(&v.notes);
        for s in &v.specimens {
            body.push_en(&s.inventory_number);
            for e in &s.engravings {
                body.push_en(&e.text);
                body.push(&e.description);
            }
            for h in &s.hallmarks {
                body.push(&h.description);
            }
            body.push(&s.notes);
            for p in &s.photos {
                body.push(&p.caption);
            }
        }
    }
    for p in &t.photos {
        body.push(&p.caption);
    }
    body.add_to(&mut doc, fields.text);

    // Years: established, each year of the period (bounded), the event's.
    let mut years = Vec::new();
    if let Some(d) = t.established {
        years.push(d.year);
    }
    if let Some(p) = t.period {
        let to = p.to.map_or(p.from.year, |d| d.last_year());
        years.extend((p.from.year..=to).take(200));
    }
    if let Some(d) = t.event.as_ref().and_then(|e| e.date) {
        years.push(d.year);
    }
    years.sort_unstable();
    years.dedup();
    for y in &years {
        doc.add_i64(fields.years, i64::from(*y));
    }
    let year = t.established.or(t.period.map(|p| p.from)).map(|d| d.year);
    if let Some(y) = year {
        doc.add_i64(fields.year, i64::from(y));
        let decade = (y / 10 * 10).to_string();
        doc.add_facet(fields.facets, FacetKind::Decade.facet(&decade));
    }

    let min = |f: fn(&vitrina_catalogue::Variant) -> Option<f64>| {
        t.variants
            .iter()
            .filter_map(f)
            .filter(|x| x.is_finite())
            .reduce(f64::min)
    };
    if let Some(s) = min(|v| v.size_mm.map(|r| r.min)) {
        doc.add_f64(fields.size_mm, s);
    }
    if let Some(w) = min(|v| v.weight_g.map(|r| r.min)) {
        doc.add_f64(fields.weight_g, w);
    }
    doc.add_i64(fields.position, t.position);
    doc.add_text(
        fields.name_sort,
        analyzers::words(&t.names.en)
            .into_iter()
            .map(|w| w.2)
            .collect::<Vec<_>>()
            .join(" "),
    );

    for c in &t.categories {
        doc.add_facet(fields.facets, FacetKind::Category.facet(c.as_str()));
    }
    if let Some(i) = issuer_value(t) {
        doc.add_facet(fields.facets, FacetKind::Issuer.facet(&i));
    }
    if let Some(names) = issuer_names_term(t) {
        doc.add_text(fields.issuer_names, names);
    }
    for m in t.materials() {
        doc.add_facet(fields.facets, FacetKind::Material.facet(m.key()));
    }
    let mut conditions: Vec<_> = t.specimens().filter_map(|s| s.condition).collect();
    conditions.sort();
    conditions.dedup();
    for c in conditions {
        doc.add_facet(fields.facets, FacetKind::Condition.facet(condition_key(c)));
    }
    let mut rarities: Vec<_> = t.specimens().filter_map(|s| s.rarity).collect();
    rarities.sort();
    rarities.dedup();
    for r in rarities {
        doc.add_facet(fields.facets, FacetKind::Rarity.facet(rarity_key(r)));
    }
    let has_photos = t.thumbnail().is_some();
    doc.add_facet(
        fields.facets,
        FacetKind::Photos.facet(if has_photos { "yes" } else { "no" }),
    );
    doc
}

/// The words of a Markdown text as a visitor reads them: no `*`, `#` or link targets;
/// paragraphs, headings and list items on lines of their own, so a passage can start at one.
pub(crate) fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            // Raw HTML is not text a visitor reads.
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod plain_text_tests {
    use super::plain_text;

    #[test]
    fn markdown_is_stripped_for_snippets() {
        assert_eq!(
            plain_text(
                "# History\n\nThe *rare* [MOPR](https://x.invalid) badge,\nin `silver`.\n\n- one\n- two"
            ),
            "History\nThe rare MOPR badge, in silver.\none\ntwo"
        );
    }
}
