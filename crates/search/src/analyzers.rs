//! The text analyzers of the index, registered under our own names.
//!
//! All four share one tokenizer, [`WordTokenizer`], which does the folding a collector expects
//! without thinking about it: Unicode normalisation (NFKC, so NFC and NFD input, ligatures and
//! "№" read alike), case folding, ё → е, apostrophes and the marks that stand for the hard and
//! soft signs joined into the word ("fireman's" → "firemans", "Pod\"yezd" → "podyezd"),
//! quotes, hyphens and dashes splitting ("Халхин-Гол" → "халхин", "гол"), and a split between
//! digits and letters ("1939г" → "1939", "г"). A compound of letters joined by hyphens is also
//! emitted joined, at the position of its first part ("Халхин-Гол" → "халхин" + "халхингол",
//! "гол"), so "Халхингол" finds it. [`words`], which reads queries, does not join.
//!
//! - [`EXACT`]: the folded words, nothing removed: for exact matches, phrases and numbers.
//! - [`ENGLISH`]: English stop words and the Snowball English stemmer.
//! - [`RUSSIAN`]: Russian stop words and the Snowball Russian stemmer.
//! - [`TRANSLIT`]: the skeleton key of each word ([`crate::translit::skeleton`]), so that a
//!   Latin query meets Cyrillic text and the other way round. A word with ё yields two keys at
//!   the same position.

use std::collections::HashMap;

use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
    TokenizerManager,
};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::translit::{is_word_joiner, skeletons};

/// Folded words, no stemming, no stop words.
pub const EXACT: &str = "vitrina_exact";
/// English: stop words and the Snowball English stemmer.
pub const ENGLISH: &str = "vitrina_en";
/// Russian: stop words and the Snowball Russian stemmer.
pub const RUSSIAN: &str = "vitrina_ru";
/// Transliteration skeleton keys.
pub const TRANSLIT: &str = "vitrina_translit";

/// Words longer than this (in characters) are not indexed: they are noise, not words, and a
/// hostile query must not build huge automata from them.
pub const MAX_WORD_CHARS: usize = 64;

/// Registers the four analyzers with an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    manager.register(EXACT, exact());
    manager.register(ENGLISH, english());
    manager.register(RUSSIAN, russian());
    manager.register(TRANSLIT, translit());
}

pub fn exact() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::new(Output::Word))
}

pub fn english() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::new(Output::Stem(Language::English)))
}

pub fn russian() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::new(Output::Stem(Language::Russian)))
}

pub fn translit() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::new(Output::Skeleton))
}

/// Tantivy's stop words and Snowball stemmer of a language, applied to one word at a time.
fn stemmer(language: Language) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(RawTokenizer::default());
    match StopWordFilter::new(language) {
        Some(stop) => builder.filter(stop).filter(Stemmer::new(language)).build(),
        None => builder.filter(Stemmer::new(language)).build(),
    }
}

/// The terms an analyzer makes of a text, in order.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// What a [`WordTokenizer`] emits for each word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The folded word.
    Word,
    /// The Snowball stem of the folded word, nothing for a stop word (tantivy's lists and
    /// stemmers).
    Stem(Language),
    /// The skeleton key(s) of the folded word.
    Skeleton,
}

/// Splits text into folded words (see the module documentation). Offsets point into the
/// original text, so highlighting works on what was stored.
///
/// A catalogue repeats its words many times over, and a stem or a skeleton key costs several
/// passes and allocations: each tokenizer keeps those of the words it met lately. Every
/// indexing thread has its own copy of the tokenizer, so the cache needs no lock.
#[derive(Clone)]
pub struct WordTokenizer {
    output: Output,
    /// The stop words and stemmer of [`Output::Stem`].
    stemmer: Option<TextAnalyzer>,
    /// What the output of a word was lately: its stem or keys (none for a stop word).
    cache: HashMap<String, Outputs>,
}

impl std::fmt::Debug for WordTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordTokenizer")
            .field("output", &self.output)
            .finish_non_exhaustive()
    }
}

/// What one word becomes: no stem (a stop word), one stem or key, or two keys (ё).
type Outputs = Vec<String>;

/// The most words a tokenizer's cache holds before it starts afresh.
const CACHE_WORDS: usize = 100_000;

impl WordTokenizer {
    pub fn new(output: Output) -> Self {
        let stemmer = match output {
            Output::Stem(language) => Some(stemmer(language)),
            Output::Word | Output::Skeleton => None,
        };
        Self {
            output,
            stemmer,
            cache: HashMap::new(),
        }
    }

    /// The stem or keys of a word, from the cache when it was met lately.
    fn outputs(&mut self, word: &str) -> &Outputs {
        if !self.cache.contains_key(word) {
            if self.cache.len() >= CACHE_WORDS {
                self.cache.clear();
            }
            let made = match (&mut self.stemmer, self.output) {
                (Some(stemmer), _) => terms(stemmer, word),
                (None, _) => skeletons(word),
            };
            self.cache.insert(word.to_owned(), made);
        }
        &self.cache[word]
    }
}

/// The tokens of one text, computed at once: texts are short (a description, a query) and
/// the eager form keeps the folding rules in one readable function.
#[derive(Debug)]
pub struct WordTokenStream {
    tokens: Vec<Token>,
    next: usize,
    /// What `token()` shows before the first `advance()`.
    none: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream {
        let mut tokens = Vec::new();
        // The skeleton reads ё in two ways, so it is kept for it.
        let fold_yo = self.output != Output::Skeleton;
        let mut words = words_folding(text, fold_yo);
        let mut emit = |from, to, position, word: String| match self.output {
            // A number is its own stem and key (and would only crowd the cache out: inventory
            // numbers are all different).
            Output::Word => tokens.push(token(from, to, position, word)),
            _ if word.bytes().all(|b| b.is_ascii_digit()) => {
                tokens.push(token(from, to, position, word))
            }
            Output::Stem(_) | Output::Skeleton => {
                for out in self.outputs(&word) {
                    tokens.push(token(from, to, position, out.clone()));
                }
            }
        };
        let mut position = 0;
        while position < words.len() {
            // A hyphenated compound ("Халхин-Гол") is also one word, at its first part's
            // position: "Халхингол" and "Halhingol" meet it, and phrases over the parts still
            // see them adjacent.
            let last = compound_end(text, &words, position);
            let joined = (last > position)
                .then(|| {
                    words[position..=last]
                        .iter()
                        .map(|w| w.2.as_str())
                        .collect::<String>()
                })
                .filter(|joined| joined.chars().count() <= MAX_WORD_CHARS);
            let (from, to) = (words[position].0, words[position].1);
            emit(from, to, position, std::mem::take(&mut words[position].2));
            if let Some(joined) = joined {
                emit(from, words[last].1, position, joined);
            }
            for (i, (from, to, word)) in words
                .iter_mut()
                .enumerate()
                .take(last + 1)
                .skip(position + 1)
            {
                emit(*from, *to, i, std::mem::take(word));
            }
            position = last + 1;
        }
        WordTokenStream {
            tokens,
            next: 0,
            none: Token::default(),
        }
    }
}

/// Whether a character joins the parts of a compound word: the hyphen-minus and the Unicode
/// hyphens (not the dashes, which stand between numbers of a range or between clauses).
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// The last word of the hyphenated compound that starts at word `i` (letters joined by single
/// hyphens, no spaces), or `i` when none does.
fn compound_end(text: &str, words: &[(usize, usize, String)], i: usize) -> usize {
    let is_letters = |w: &str| w.chars().next().is_some_and(char::is_alphabetic);
    let mut last = i;
    if !is_letters(&words[i].2) {
        return i;
    }
    while let Some(next) = words.get(last + 1) {
        let between = &text[words[last].1..next.0];
        let mut chars = between.chars();
        let single_hyphen = chars.next().is_some_and(is_hyphen) && chars.next().is_none();
        if !(single_hyphen && is_letters(&next.2)) {
            break;
        }
        last += 1;
    }
    last
}

fn token(offset_from: usize, offset_to: usize, position: usize, text: String) -> Token {
    Token {
        offset_from,
        offset_to,
        position,
        text,
        position_length: 1,
    }
}

impl TokenStream for WordTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.next.checked_sub(1) {
            Some(i) => &self.tokens[i],
            None => &self.none,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) => &mut self.tokens[i],
            None => &mut self.none,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Joiner,
    Separator,
}

fn class(c: char) -> Class {
    // Fast paths: ASCII, and the basic Russian letters (neither digits, joiners nor marks),
    // without the Unicode table lookups below. Same answers as the general rules.
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Class::Letter
        } else if c.is_ascii_digit() {
            Class::Digit
        } else if is_word_joiner(c) {
            Class::Joiner
        } else {
            Class::Separator
        };
    }
    if matches!(c, 'А'..='я' | 'Ё' | 'ё') {
        return Class::Letter;
    }
    if c.is_numeric() {
        Class::Digit
    } else if c.is_alphabetic() || is_combining_mark(c) || c == '№' {
        // № is kept as a word: NFKC reads it as "No", as collectors write it.
        if is_word_joiner(c) {
            Class::Joiner
        } else {
            Class::Letter
        }
    } else if is_word_joiner(c) {
        Class::Joiner
    } else {
        Class::Separator
    }
}

/// The words of a text: (byte offset from, byte offset to, folded word).
pub fn words(text: &str) -> Vec<(usize, usize, String)> {
    words_folding(text, true)
}

/// [`words`], with ё kept when `fold_yo` is false (the skeleton reads ё in two ways).
fn words_folding(text: &str, fold_yo: bool) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(from, first)) = chars.peek() {
        let kind = class(first);
        if !matches!(kind, Class::Letter | Class::Digit) {
            chars.next();
            continue;
        }
        let mut raw = String::new();
        let mut current = kind;
        let mut to = text.len();
        while let Some(&(at, c)) = chars.peek() {
            match class(c) {
                Class::Separator => {
                    to = at;
                    break;
                }
                Class::Joiner => {
                    // A joiner joins only between two letters; otherwise it is a quote.
                    let mut ahead = chars.clone();
                    ahead.next();
                    let next_is_letter = ahead
                        .peek()
                        .is_some_and(|&(_, n)| class(n) == Class::Letter);
                    if current == Class::Letter && next_is_letter {
                        chars.next();
                        continue;
                    }
                    to = at;
                    break;
                }
                k => {
                    // Combining marks stay with their letter whatever follows.
                    if k != current && !is_combining_mark(c) {
                        to = at;
                        break;
                    }
                    current = k;
                    raw.push(c);
                    chars.next();
                }
            }
        }
        let word = fold(raw, fold_yo);
        if !word.is_empty() && word.chars().count() <= MAX_WORD_CHARS {
            out.push((from, to, word));
        }
    }
    out
}

/// NFKC, lowercase, ё → е.
fn fold(mut raw: String, fold_yo: bool) -> String {
    // Fast paths with the same result: ASCII is its own NFKC, and most words (Latin or
    // Cyrillic) already are NFKC, which the quick check tells without normalising.
    if raw.is_ascii() {
        raw.make_ascii_lowercase();
        return raw;
    }
    let yo = |c| if fold_yo && c == 'ё' { 'е' } else { c };
    if is_nfkc_quick(raw.chars()) == IsNormalized::Yes {
        return raw.chars().flat_map(char::to_lowercase).map(yo).collect();
    }
    raw.nfkc().flat_map(char::to_lowercase).map(yo).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mut a: TextAnalyzer, s: &str) -> Vec<String> {
        terms(&mut a, s)
    }

    #[test]
    fn exact_folds_case_normalisation_yo_quotes_and_hyphens() {
        assert_eq!(run(exact(), "Халхин-Гол"), ["халхин", "халхингол", "гол"]);
        assert_eq!(run(exact(), "Халхин Гол"), ["халхин", "гол"]);
        assert_eq!(run(exact(), "«ЁЛКА»"), ["елка"]);
        assert_eq!(run(exact(), "“MOPR” badge"), ["mopr", "badge"]);
        assert_eq!(
            run(exact(), "fireman's fireman’s"),
            ["firemans", "firemans"]
        );
        assert_eq!(run(exact(), "1922–1932"), ["1922", "1932"]);
        assert_eq!(run(exact(), "No. 9 / № 9"), ["no", "9", "no", "9"]);
        assert_eq!(run(exact(), "1939г."), ["1939", "г"]);
        assert_eq!(run(exact(), "ﬁnest"), ["finest"]);
        let nfd: String = "Значок Йод Ёж".nfd().collect();
        assert_eq!(run(exact(), &nfd), run(exact(), "значок йод еж"));
        assert!(run(exact(), "\u{0}\u{7}<script>").contains(&"script".to_string()));
        assert!(run(exact(), &"a".repeat(100)).is_empty());
    }

    fn positions(mut a: TextAnalyzer, s: &str) -> Vec<(usize, String)> {
        let mut stream = a.token_stream(s);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.position, t.text.clone()));
        }
        out
    }

    #[test]
    fn hyphenated_compounds_are_also_one_word_at_the_first_position() {
        let p = |n: usize, s: &str| (n, s.to_owned());
        assert_eq!(
            positions(exact(), "Знак Халхин-Гол 1939"),
            [
                p(0, "знак"),
                p(1, "халхин"),
                p(1, "халхингол"),
                p(2, "гол"),
                p(3, "1939")
            ]
        );
        assert_eq!(
            positions(exact(), "Komsomolsk-na-Amure"),
            [
                p(0, "komsomolsk"),
                p(0, "komsomolsknaamure"),
                p(1, "na"),
                p(2, "amure")
            ]
        );
        // Ranges, spaced hyphens and dashes do not join.
        assert_eq!(run(exact(), "1922-1932"), ["1922", "1932"]);
        assert_eq!(run(exact(), "Ил-2"), ["ил", "2"]);
        assert_eq!(run(exact(), "Халхин - Гол"), ["халхин", "гол"]);
        assert_eq!(run(exact(), "Халхин–Гол"), ["халхин", "гол"]);
        assert_eq!(
            run(translit(), "Khalkhin-Gol")[1],
            run(translit(), "Халхингол")[0]
        );
        assert_eq!(run(translit(), "Halhingol"), run(translit(), "Халхингол"));
        // Queries are read without joining.
        assert_eq!(words("Халхин-Гол").len(), 2);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Знак «Халхин-Гол»";
        let mut a = exact();
        let mut stream = a.token_stream(text);
        let mut spans = Vec::new();
        while let Some(t) = stream.next() {
            spans.push(&text[t.offset_from..t.offset_to]);
        }
        assert_eq!(spans, ["Знак", "Халхин", "Халхин-Гол", "Гол"]);
    }

    #[test]
    fn english_stems_and_drops_stop_words() {
        assert_eq!(
            run(english(), "The badges of the fireman"),
            ["badg", "fireman"]
        );
        assert_eq!(run(english(), "badge"), run(english(), "badges"));
        assert_eq!(
            run(english(), "commemorates"),
            run(english(), "commemorating")
        );
    }

    #[test]
    fn russian_stems_and_drops_stop_words() {
        assert_eq!(run(russian(), "знак"), run(russian(), "знаками"));
        assert_eq!(run(russian(), "Врангеля"), run(russian(), "Врангель"));
        assert_eq!(
            run(russian(), "остров Врангеля и знак"),
            {
                let mut v = run(russian(), "остров Врангеля");
                v.extend(run(russian(), "знак"));
                v
            }
        );
        // ё folds before stemming.
        assert_eq!(run(russian(), "тяжёлая"), run(russian(), "тяжелая"));
    }

    #[test]
    fn translit_meets_across_scripts() {
        assert_eq!(run(translit(), "МОПР"), run(translit(), "mopr"));
        assert_eq!(run(translit(), "значок"), run(translit(), "značok"));
        assert_eq!(run(translit(), "значок"), run(translit(), "znachok"));
        assert_eq!(
            run(translit(), "Орден Ленина"),
            run(translit(), "Orden Lenina")
        );
        assert_eq!(run(translit(), "Халхин-Гол"), run(translit(), "halhin-gol"));
        assert_eq!(
            run(translit(), "Халхин Гол"),
            run(translit(), "Khalkhin Gol")
        );
        assert_eq!(
            run(translit(), "Халхин-Гол"),
            run(translit(), "Khalkhin-Gol")
        );
        assert_eq!(
            run(translit(), "Ворошиловский стрелок"),
            run(translit(), "Voroshilovsky strelok")
        );
        assert_eq!(run(translit(), "Подъезд"), run(translit(), "Pod\"yezd"));
        // ё gives two keys at one position.
        let mut a = translit();
        let mut stream = a.token_stream("ёлка");
        let mut seen = Vec::new();
        while let Some(t) = stream.next() {
            seen.push((t.position, t.text.clone()));
        }
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0, seen[1].0);
    }
}
