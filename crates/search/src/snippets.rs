//! Highlighted passages for hits: the matching words of the description in `<mark>`, cut
//! from the stored English or Russian text and HTML-escaped.

use tantivy::Searcher;
use tantivy::query::Query as TantivyQuery;
use tantivy::snippet::{Snippet, SnippetGenerator};

use crate::error::SearchError;
use crate::index::SearchIndex;

/// The snippet generators of one search: stems and folded words of each language, and the
/// transliteration keys (which highlight Cyrillic words for a Latin query and back).
pub(crate) struct Snippets {
    en: Vec<SnippetGenerator>,
    ru: Vec<SnippetGenerator>,
    either: Vec<SnippetGenerator>,
}

const SNIPPET_CHARS: usize = 200;

impl Snippets {
    pub(crate) fn new(
        searcher: &Searcher,
        query: &dyn TantivyQuery,
        index: &SearchIndex,
    ) -> Result<Self, SearchError> {
        let g = index.fields.text;
        let make = |field| -> Result<SnippetGenerator, SearchError> {
            let mut s = SnippetGenerator::create(searcher, query, field)?;
            s.set_max_num_chars(SNIPPET_CHARS);
            Ok(s)
        };
        Ok(Self {
            en: vec![make(g.en)?],
            ru: vec![make(g.ru)?],
            either: vec![make(g.exact)?, make(g.translit)?],
        })
    }

    pub(crate) fn html(&self, text_en: &str, text_ru: &str) -> String {
        let candidates = self
            .en
            .iter()
            .map(|g| g.snippet(text_en))
            .chain(self.ru.iter().map(|g| g.snippet(text_ru)))
            .chain(self.either.iter().map(|g| g.snippet(text_en)))
            .chain(self.either.iter().map(|g| g.snippet(text_ru)));
        for mut s in candidates {
            if !s.is_empty() {
                return mark(&mut s);
            }
        }
        // Nothing to highlight (a match in the name only): the opening of the text.
        let text = if text_en.trim().is_empty() {
            text_ru
        } else {
            text_en
        };
        let opening: String = text.chars().take(SNIPPET_CHARS).collect();
        escape(opening.trim())
    }
}

fn mark(s: &mut Snippet) -> String {
    s.set_snippet_prefix_postfix("<mark>", "</mark>");
    s.to_html()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}
