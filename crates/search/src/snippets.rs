//! Highlighted passages for hits: one field at a time, in the page's language where it has the
//! words (else the other language, said so), starting at a sentence or at least a word, ending
//! at a whole word, HTML-escaped with the matching words in `<mark>`.
//!
//! The stored texts are plain: descriptions are stripped of their Markdown when indexed
//! ([`crate::schema::plain_text`]), and each field is stored as its own value, so a passage
//! never glues the end of one field to the start of another.

use tantivy::Searcher;
use tantivy::query::Query as TantivyQuery;
use tantivy::snippet::SnippetGenerator;
use vitrina_catalogue::Lang;

use crate::error::SearchError;
use crate::index::SearchIndex;

/// The longest passage, in characters, before the word it ends at.
const SNIPPET_CHARS: usize = 200;
/// How far back from the first matching words a passage may reach to start at its sentence.
const SENTENCE_REACH: usize = 100;

/// A passage of a hit's texts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Passage {
    /// Escaped text with the matching words in `<mark>`; empty when the type has no text.
    pub html: String,
    /// The language the passage is in.
    pub lang: Option<Lang>,
}

/// The snippet generators of one search: stems and folded words of each language, and the
/// transliteration keys (which highlight Cyrillic words for a Latin query and back).
pub(crate) struct Snippets {
    en: Vec<SnippetGenerator>,
    ru: Vec<SnippetGenerator>,
}

impl Snippets {
    pub(crate) fn new(
        searcher: &Searcher,
        query: &dyn TantivyQuery,
        index: &SearchIndex,
    ) -> Result<Self, SearchError> {
        let g = index.fields.text;
        let make = |field| -> Result<SnippetGenerator, SearchError> {
            let mut s = SnippetGenerator::create(searcher, query, field)?;
            // Generous: the passage is cut to length here, after it is moved to its sentence.
            s.set_max_num_chars(SNIPPET_CHARS);
            Ok(s)
        };
        Ok(Self {
            en: vec![make(g.en)?, make(g.exact)?, make(g.translit)?],
            ru: vec![make(g.ru)?, make(g.exact)?, make(g.translit)?],
        })
    }

    /// The passage for a hit whose texts are `en` and `ru` (one entry per field), for a page
    /// in `lang`: the field with the most matching words in the page's language, else in the
    /// other one; with no match at all, the opening of the first text.
    pub(crate) fn passage(&self, lang: Lang, en: &[String], ru: &[String]) -> Passage {
        let by_lang = |l: Lang| match l {
            Lang::En => (en, &self.en),
            Lang::Ru => (ru, &self.ru),
        };
        let other = match lang {
            Lang::En => Lang::Ru,
            Lang::Ru => Lang::En,
        };
        for l in [lang, other] {
            let (texts, generators) = by_lang(l);
            let mut best: Option<Best> = None;
            for text in texts {
                for g in generators {
                    let s = g.snippet(text);
                    let marks = s.highlighted();
                    if marks.is_empty()
                        || best.as_ref().is_some_and(|b| b.marks.len() >= marks.len())
                    {
                        continue;
                    }
                    let Some(at) = text.find(s.fragment()) else {
                        continue;
                    };
                    let marks = marks
                        .iter()
                        .map(|r| (at + r.start, at + r.end))
                        .collect::<Vec<_>>();
                    best = Some(Best { text, at, marks });
                }
            }
            if let Some(Best { text, at, marks }) = best {
                return Passage {
                    html: cut(text, at, &marks),
                    lang: Some(l),
                };
            }
        }
        for l in [lang, other] {
            if let Some(text) = by_lang(l).0.iter().find(|t| !t.trim().is_empty()) {
                return Passage {
                    html: cut(text, 0, &[]),
                    lang: Some(l),
                };
            }
        }
        Passage::default()
    }
}

/// The field with the most marked words so far: where its fragment starts, and the marks.
struct Best<'t> {
    text: &'t str,
    at: usize,
    marks: Vec<(usize, usize)>,
}

/// The passage of `text` from about byte offset `from` (the start of a word, where the engine's
/// fragment starts) with `marks` (byte ranges of `text`, in order) highlighted. It starts at the
/// sentence of the first marked word when that is near, else a few words before it.
fn cut(text: &str, from: usize, marks: &[(usize, usize)]) -> String {
    let anchor = marks.first().map_or(from, |m| m.0);
    let start = sentence_start(text, anchor);
    // Long enough for the first matching words, however far back the sentence started.
    let first_end = marks.first().map_or(start, |m| m.1);
    let min_end = first_end.max(char_offset(text, start, SNIPPET_CHARS));
    let end = word_end(text, min_end);
    let mut html = String::with_capacity(end - start + 32);
    if start > 0 {
        html.push('…');
    }
    let mut at = start;
    for &(a, b) in marks {
        if a < at || b > end {
            continue;
        }
        push_plain(&mut html, &text[at..a]);
        html.push_str("<mark>");
        push_plain(&mut html, &text[a..b]);
        html.push_str("</mark>");
        at = b;
    }
    push_plain(&mut html, &text[at..end]);
    let html = html.trim_end().to_owned();
    if end < text.trim_end().len() {
        let head = html.trim_end_matches([',', ';', ':', ' ', '—', '–', '-']);
        format!("{head}…")
    } else {
        html
    }
}

/// Where the sentence holding byte `from` starts, if that is within [`SENTENCE_REACH`]
/// characters; else the start of a word a little before `from` (itself the start of a word).
fn sentence_start(text: &str, from: usize) -> usize {
    let head = &text[..from];
    let mut prev: Option<(usize, char)> = None;
    for (reach, (i, c)) in head.char_indices().rev().enumerate() {
        if reach > SENTENCE_REACH {
            return word_start_before(text, from, WORDS_REACH);
        }
        if c == '\n' {
            return prev.map_or(from, |(j, _)| j);
        }
        if matches!(c, '.' | '!' | '?' | '…') && prev.is_some_and(|(_, n)| n.is_whitespace()) {
            // The next non-space character starts the sentence.
            let rest = &text[i + c.len_utf8()..];
            let skip = rest.len() - rest.trim_start().len();
            return i + c.len_utf8() + skip;
        }
        prev = Some((i, c));
    }
    0
}

/// How far back from the first marked word a passage that cannot start at its sentence starts.
const WORDS_REACH: usize = 40;

/// The start of the first word that begins at most `chars` characters before `from`.
fn word_start_before(text: &str, from: usize, chars: usize) -> usize {
    let head = &text[..from];
    let back = head.char_indices().rev().nth(chars).map_or(0, |(i, _)| i);
    if back == 0 {
        return 0;
    }
    // On to the next word's start (after the first space from there).
    head[back..].find(char::is_whitespace).map_or(from, |i| {
        let after = &head[back + i..];
        back + i + (after.len() - after.trim_start().len())
    })
}

/// The byte offset `chars` characters after `from`, or the end.
fn char_offset(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| from + i)
}

/// The end of the word at or before byte `at`, so a passage never stops mid-word; `at`
/// itself at a word's end or the text's.
fn word_end(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let inside = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    if !inside(text[at..].chars().next()) {
        return at;
    }
    // Back to the space before the word cut in two; when the whole passage is one word, on to
    // its end instead.
    match text[..at].rfind(char::is_whitespace) {
        Some(i) if i > 0 => i,
        _ => text[at..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(text.len(), |i| at + i),
    }
}

/// Escaped text, whitespace (newlines between paragraphs) shown as single spaces.
fn push_plain(out: &mut String, s: &str) {
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{cut, sentence_start, word_end};

    #[test]
    fn a_passage_starts_at_its_sentence_when_that_is_near() {
        let text = "Issued in 1922. The badge of MOPR shows a hand behind bars.";
        let at = text.find("MOPR").unwrap();
        assert_eq!(&text[sentence_start(text, at)..at], "The badge of ");
        assert_eq!(
            cut(text, at, &[(at, at + 4)]),
            "…The badge of <mark>MOPR</mark> shows a hand behind bars."
        );
    }

    #[test]
    fn a_passage_far_into_a_long_sentence_starts_at_its_word() {
        let text = format!("{} MOPR end", "word ".repeat(60));
        let at = text.find("MOPR").unwrap();
        let start = sentence_start(&text, at);
        assert_eq!(
            text[start..at].trim_end(),
            "word word word word word word word"
        );
        assert!(cut(&text, 0, &[(at, at + 4)]).starts_with("…word word"));
    }

    #[test]
    fn a_passage_ends_at_a_whole_word_with_an_ellipsis() {
        let text = format!("MOPR {}", "silverish ".repeat(40));
        let html = cut(&text, 0, &[(0, 4)]);
        assert!(html.ends_with("silverish…"), "{html}");
        assert!(html.chars().count() <= 210, "{html}");
        let end = word_end("Gold-plated silver A h", 21);
        assert_eq!(end, 20);
    }

    #[test]
    fn passages_are_escaped_and_paragraph_breaks_read_as_spaces() {
        assert_eq!(
            cut("A <b> & \"c\"\n\nNext.", 0, &[]),
            "A &lt;b&gt; &amp; &quot;c&quot; Next."
        );
    }
}
