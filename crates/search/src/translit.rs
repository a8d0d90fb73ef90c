//! Russian Cyrillic ⇄ Latin: the published romanisation systems, and the *skeleton* key that
//! makes every one of them meet.
//!
//! Two jobs live here.
//!
//! 1. [`romanize`] writes Russian in one of the systems collectors meet in catalogues, auction
//!    listings and passports ([`System`]), and [`iso9_to_cyrillic`] reverses ISO 9, the one
//!    system built to be reversible. The tables are ours: the crates on crates.io checked for
//!    this project get GOST 7.79 and ё wrong.
//! 2. [`skeleton`] folds a word, in *either* script and *any* of those spellings (plus the
//!    informal ones: й as y/j/i, х as kh/h/x, ц as ts/c/tz, я as ya/ja/ia, ю as yu/ju/iu, ё as
//!    yo/jo/e, ы as y/i, щ as shch/sch, the signs dropped or written ' and "), to one key. The
//!    search index stores keys for every word of the catalogue and looks up keys of every word
//!    of a query, so "МОПР", "MOPR" and "mopr" meet, and so do "значок", "znachok", "značok".
//!
//! The skeleton is deliberately lossy (и, й and ы share a key; so do ш+ч and щ). Both sides of
//! a search are folded by the same function, so a loss can only add a match, never lose one;
//! the index ranks exact and stemmed matches above skeleton matches to keep precision.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// A romanisation system for Russian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum System {
    /// GOST 7.79-2000 System B (ASCII only; Russian libraries, Internet addresses):
    /// щ → shh, х → x, ц → c before i/e/y/j and cz elsewhere, ы → y`, э → e`, ъ → ``, ь → `.
    GostB,
    /// ISO 9:1995, identical to GOST 7.79-2000 System A: one Latin letter per Cyrillic letter,
    /// with diacritics (щ → ŝ, ю → û, я → â, ъ → ʺ, ь → ʹ), and therefore reversible.
    Iso9,
    /// BGN/PCGN 1947 (British and US geographic names): е → ye and ё → yë at the start of a
    /// word and after a vowel, й, ъ or ь; й → y, ъ → ", ь → '. The optional middle dot
    /// (t·s for тс) is not written.
    BgnPcgn,
    /// English Wikipedia's simplified BGN/PCGN (WP:RUS): like BGN/PCGN, but ъ and ь are
    /// dropped, ё → yo (o after ж, ч, ш, щ), and the endings -ий and -ый → -y
    /// ("Dostoyevsky", "Voroshilovsky").
    Wikipedia,
    /// ICAO Doc 9303, 7th edition (Russian passports since 2013): ё → e, й → i, ц → ts,
    /// ъ → ie, ь dropped, ю → iu, я → ia. Passports print it in capitals; case is kept here.
    Icao,
    /// ALA-LC (Library of Congress): zh, kh, shch, й → ĭ, э → ė, ц → t͡s, ю → i͡u, я → i͡a
    /// (with the combining tie U+0361), ъ → ʺ, ь → ʹ.
    AlaLc,
    /// The scholarly or scientific transliteration of linguists and Slavists: č š ž, х → x,
    /// ц → c, щ → šč, ю → ju, я → ja, ъ → ʺ, ь → ʹ.
    Scholarly,
}

impl System {
    pub const ALL: [System; 7] = [
        System::GostB,
        System::Iso9,
        System::BgnPcgn,
        System::Wikipedia,
        System::Icao,
        System::AlaLc,
        System::Scholarly,
    ];
}

/// The 33 letters of the Russian alphabet, in order; tables below follow this order.
const ALPHABET: [char; 33] = [
    'а', 'б', 'в', 'г', 'д', 'е', 'ё', 'ж', 'з', 'и', 'й', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с',
    'т', 'у', 'ф', 'х', 'ц', 'ч', 'ш', 'щ', 'ъ', 'ы', 'ь', 'э', 'ю', 'я',
];

/// GOST 7.79-2000 System B, table 1 (ц is contextual: see [`romanize_letter`]).
const GOST_B: [&str; 33] = [
    "a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "j", "k", "l", "m", "n", "o", "p", "r",
    "s", "t", "u", "f", "x", "cz", "ch", "sh", "shh", "``", "y`", "`", "e`", "yu", "ya",
];

/// ISO 9:1995 = GOST 7.79-2000 System A.
const ISO9: [&str; 33] = [
    "a", "b", "v", "g", "d", "e", "ë", "ž", "z", "i", "j", "k", "l", "m", "n", "o", "p", "r", "s",
    "t", "u", "f", "h", "c", "č", "š", "ŝ", "ʺ", "y", "ʹ", "è", "û", "â",
];

/// BGN/PCGN 1947 (е and ё are contextual).
const BGN_PCGN: [&str; 33] = [
    "a", "b", "v", "g", "d", "e", "ë", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
    "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "\"", "y", "'", "e", "yu", "ya",
];

/// Wikipedia's simplified BGN/PCGN (е, ё and the endings -ий, -ый are contextual).
const WIKIPEDIA: [&str; 33] = [
    "a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
    "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
];

/// ICAO Doc 9303, 7th edition, part 3, section 6 (Cyrillic).
const ICAO: [&str; 33] = [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
    "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
];

/// ALA-LC romanisation tables, Russian (with the combining double inverted breve U+0361).
const ALA_LC: [&str; 33] = [
    "a",
    "b",
    "v",
    "g",
    "d",
    "e",
    "ë",
    "zh",
    "z",
    "i",
    "ĭ",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "r",
    "s",
    "t",
    "u",
    "f",
    "kh",
    "t\u{361}s",
    "ch",
    "sh",
    "shch",
    "ʺ",
    "y",
    "ʹ",
    "ė",
    "i\u{361}u",
    "i\u{361}a",
];

/// The scholarly (scientific) transliteration.
const SCHOLARLY: [&str; 33] = [
    "a", "b", "v", "g", "d", "e", "ë", "ž", "z", "i", "j", "k", "l", "m", "n", "o", "p", "r", "s",
    "t", "u", "f", "x", "c", "č", "š", "šč", "ʺ", "y", "ʹ", "è", "ju", "ja",
];

fn table(system: System) -> &'static [&'static str; 33] {
    match system {
        System::GostB => &GOST_B,
        System::Iso9 => &ISO9,
        System::BgnPcgn => &BGN_PCGN,
        System::Wikipedia => &WIKIPEDIA,
        System::Icao => &ICAO,
        System::AlaLc => &ALA_LC,
        System::Scholarly => &SCHOLARLY,
    }
}

/// The position of a lowercase Russian letter in [`ALPHABET`].
fn letter_index(lower: char) -> Option<usize> {
    ALPHABET.iter().position(|&c| c == lower)
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn is_russian_vowel(c: char) -> bool {
    matches!(
        lower(c),
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я'
    )
}

/// Where `ye`/`yë` is written in BGN/PCGN and Wikipedia style: at the start of a word and
/// after a vowel, й, ъ or ь.
fn iotated_position(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => {
            let p = lower(p);
            letter_index(p).is_none() || is_russian_vowel(p) || matches!(p, 'й' | 'ъ' | 'ь')
        }
    }
}

/// The romanisation of one lowercase letter, given its neighbours in the same text.
fn romanize_letter(
    system: System,
    index: usize,
    prev: Option<char>,
    next: Option<char>,
    next2: Option<char>,
) -> &'static str {
    let letter = ALPHABET[index];
    let next_is_letter = next.is_some_and(|n| letter_index(lower(n)).is_some());
    match (system, letter) {
        // GOST 7.79 B: "c" before the Latin letters i, e, y, j; "cz" everywhere else.
        (System::GostB, 'ц') => {
            let before_iejy = next
                .and_then(|n| letter_index(lower(n)))
                .map(|i| GOST_B[i].starts_with(['i', 'e', 'y', 'j']))
                .unwrap_or(false);
            if before_iejy { "c" } else { "cz" }
        }
        (System::BgnPcgn, 'е') if iotated_position(prev) => "ye",
        (System::BgnPcgn, 'ё') if iotated_position(prev) => "yë",
        (System::Wikipedia, 'е') if iotated_position(prev) => "ye",
        (System::Wikipedia, 'ё') if !iotated_position(prev) => {
            if prev.is_some_and(|p| matches!(lower(p), 'ж' | 'ч' | 'ш' | 'щ')) {
                "o"
            } else {
                "yo"
            }
        }
        // -ий and -ый at the end of a word are written -y: the ending's й is dropped and the
        // vowel written y.
        (System::Wikipedia, 'и' | 'ы')
            if next.is_some_and(|n| lower(n) == 'й')
                && next2.is_none_or(|n| letter_index(lower(n)).is_none()) =>
        {
            "y"
        }
        (System::Wikipedia, 'й')
            if prev.is_some_and(|p| matches!(lower(p), 'и' | 'ы')) && !next_is_letter =>
        {
            ""
        }
        _ => table(system)[index],
    }
}

/// Writes Russian text in a romanisation system. Letters that are not Russian pass through.
///
/// Capitals follow the source: a capital followed (or, at the end of a word, preceded) by
/// another capital is written all in capitals ("ЩУКА" → "SHCHUKA"); otherwise only the first
/// Latin letter is a capital ("Щука" → "Shchuka").
pub fn romanize(text: &str, system: System) -> String {
    let chars: Vec<char> = text.nfc().collect();
    let mut out = String::with_capacity(text.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        let lc = lower(c);
        let Some(index) = letter_index(lc) else {
            out.push(c);
            continue;
        };
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let next2 = chars.get(i + 2).copied();
        let latin = romanize_letter(system, index, prev, next, next2);
        if lc == c {
            out.push_str(latin);
            continue;
        }
        let is_upper_letter =
            |x: Option<char>| x.is_some_and(|x| x.is_alphabetic() && x.is_uppercase());
        let all_caps = if next.is_some_and(char::is_alphabetic) {
            is_upper_letter(next)
        } else {
            is_upper_letter(prev)
        };
        if all_caps {
            out.extend(latin.chars().flat_map(char::to_uppercase));
        } else {
            let mut it = latin.chars();
            if let Some(first) = it.next() {
                out.extend(first.to_uppercase());
                out.extend(it);
            }
        }
    }
    out
}

/// Reads ISO 9 (GOST 7.79 System A) back into Cyrillic. Characters that ISO 9 does not use
/// pass through, so `iso9_to_cyrillic(romanize(s, Iso9)) == s` for Russian text.
pub fn iso9_to_cyrillic(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.nfc() {
        let lc = lower(c);
        let found = ISO9.iter().position(|latin| {
            let mut it = latin.chars();
            it.next() == Some(lc) && it.next().is_none()
        });
        match found {
            Some(i) if c != lc => out.extend(ALPHABET[i].to_uppercase()),
            Some(i) => out.push(ALPHABET[i]),
            None => out.push(c),
        }
    }
    out
}

/// The marks that stand for the hard and soft signs, apostrophes inside words, and the
/// optional BGN/PCGN middle dot. Inside a word they join; the skeleton drops them.
pub fn is_word_joiner(c: char) -> bool {
    matches!(
        c,
        '\'' | '"'
            | '`'
            | '´'
            | '‘'
            | '’'
            | '“'
            | '”'
            | 'ʹ'
            | 'ʺ'
            | 'ʼ'
            | 'ˮ'
            | '′'
            | '″'
            | '·'
    )
}

/// The first step of the skeleton: every letter to plain lowercase Latin (Cyrillic through a
/// BGN-like table, diacritic letters of the other systems to their ASCII digraphs), with the
/// signs dropped. `yo_as_e` writes ё as e (the informal spelling) instead of yo.
fn to_latin(word: &str, yo_as_e: bool) -> String {
    let mut out = String::with_capacity(word.len() * 2);
    // The words of the index are NFKC already: skip normalising when the quick check says so.
    let nfc: Box<dyn Iterator<Item = char>> = if is_nfc_quick(word.chars()) == IsNormalized::Yes {
        Box::new(word.chars())
    } else {
        Box::new(word.nfc())
    };
    for c in nfc.flat_map(char::to_lowercase) {
        let s: &str = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ґ' => "g",
            'д' => "d",
            'е' | 'э' | 'є' => "e",
            'ё' if yo_as_e => "e",
            'ё' => "yo",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' => "i",
            'ї' => "yi",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' | 'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ў' | 'ү' => "u",
            'ф' => "f",
            'х' | 'һ' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            // The diacritic letters of ISO 9, ALA-LC and the scholarly system.
            'š' => "sh",
            'ž' => "zh",
            'č' => "ch",
            'ŝ' => "shch",
            'û' => "yu",
            'â' => "ya",
            'ë' => "yo",
            'ĭ' => "y",
            'ß' => "ss",
            c if is_word_joiner(c) => "",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            c => {
                // Any other accented Latin letter loses its accent (è, ė, é → e).
                for d in c.to_string().nfd().filter(|&d| !is_combining_mark(d)) {
                    out.push(d);
                }
                continue;
            }
        };
        out.push_str(s);
    }
    out
}

/// The ordered rewrites from plain Latin to the skeleton. Longer spellings come first so that
/// "shch" is not read as "sh" + "ch". Uppercase letters are free (input is lowercased) and
/// serve as one-letter keys: Q = щ, S = ш, C = ч, Z = ж.
const REWRITES: &[(&str, &str)] = &[
    ("shch", "Q"),
    ("shh", "Q"),
    ("sch", "Q"),
    ("sh", "S"),
    ("ch", "C"),
    ("zh", "Z"),
    ("kh", "h"),
    ("tz", "c"),
    ("ts", "c"),
    ("cz", "c"),
    ("x", "h"),
    ("w", "v"),
    ("j", "i"),
    ("y", "i"),
];

fn fold_latin(mut s: String) -> String {
    for (from, to) in REWRITES {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    // й, ы and и, written y, j or i, and the iotation of я/ю/ё/е all become runs of i; a run
    // is one i ("-skiy", "-skij", "-skii", "-sky" meet).
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == 'i' && out.ends_with('i') {
            continue;
        }
        out.push(c);
    }
    // The glide before e and o is written by some systems and not others ("Yevgeniy" and
    // "Evgenij"; "Khrushchyov" and "Khrushchov"): drop it. ICAO's ъ = "ie" then leaves "ee".
    let mut s = out.replace("ie", "e").replace("io", "o");
    while s.contains("ee") {
        s = s.replace("ee", "e");
    }
    s
}

/// The skeleton key of one word: the same for the Cyrillic word and for every romanisation of
/// it. Words in other scripts (Mongolian, Greek…) keep their letters, lowercased.
pub fn skeleton(word: &str) -> String {
    fold_latin(to_latin(word, false))
}

/// The skeleton keys of one word: one key, or two when the word holds ё (ё read as "yo" and as
/// "e", since both spellings are common).
pub fn skeletons(word: &str) -> Vec<String> {
    let main = skeleton(word);
    if word.chars().any(|c| matches!(c, 'ё' | 'Ё')) {
        let alt = fold_latin(to_latin(word, true));
        if alt != main {
            return vec![main, alt];
        }
    }
    vec![main]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pangram that the standards' own examples and most converters use.
    const PANGRAM: &str = "Съешь же ещё этих мягких французских булок, да выпей чаю";

    #[test]
    fn gost_7_79_b_samples() {
        let r = |s| romanize(s, System::GostB);
        assert_eq!(r("Щука"), "Shhuka");
        assert_eq!(r("Юрий"), "Yurij");
        assert_eq!(r("Ёлка"), "Yolka");
        assert_eq!(r("Цирк"), "Cirk");
        assert_eq!(r("Цапля"), "Czaplya");
        assert_eq!(r("Цыган"), "Cy`gan");
        assert_eq!(r("Объект"), "Ob``ekt");
        assert_eq!(r("Эхо"), "E`xo");
        assert_eq!(r("МОПР"), "MOPR");
        assert_eq!(
            r(PANGRAM),
            "S``esh` zhe eshhyo e`tix myagkix franczuzskix bulok, da vy`pej chayu"
        );
    }

    #[test]
    fn iso_9_samples_and_round_trip() {
        let r = |s| romanize(s, System::Iso9);
        assert_eq!(r("Щ"), "Ŝ");
        assert_eq!(r("Ё"), "Ë");
        assert_eq!(r("Ъ"), "ʺ");
        assert_eq!(r("Щука"), "Ŝuka");
        assert_eq!(r("Юрий"), "Ûrij");
        assert_eq!(r("Хрущёв"), "Hruŝëv");
        assert_eq!(
            r(PANGRAM),
            "Sʺešʹ že eŝë ètih mâgkih francuzskih bulok, da vypej čaû"
        );
        for s in [
            PANGRAM,
            "ЩУКА",
            "Орден Ленина",
            "Знак «Халхин-Гол» 1939 года",
            "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЫЭЮЯ абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ] {
            assert_eq!(iso9_to_cyrillic(&r(s)), s, "round trip of {s:?}");
        }
        // ʺ and ʹ have no capitals, so capital signs come back as small ones.
        assert_eq!(iso9_to_cyrillic(&r("ОБЪЕКТ")), "ОБъЕКТ");
        // NFD input reads the same as NFC.
        let nfd: String = "Ŝuka".nfd().collect();
        assert_eq!(iso9_to_cyrillic(&nfd), "Щука");
    }

    #[test]
    fn bgn_pcgn_samples() {
        let r = |s| romanize(s, System::BgnPcgn);
        assert_eq!(r("Щ"), "Shch");
        assert_eq!(r("Ы"), "Y");
        assert_eq!(r("Щука"), "Shchuka");
        assert_eq!(r("Ёлка"), "Yëlka");
        assert_eq!(r("Юрий"), "Yuriy");
        assert_eq!(r("Подъезд"), "Pod\"yezd");
        assert_eq!(r("Елена"), "Yelena");
        assert_eq!(r("Хрущёв"), "Khrushchëv");
        assert_eq!(
            r(PANGRAM),
            "S\"yesh' zhe yeshchë etikh myagkikh frantsuzskikh bulok, da vypey chayu"
        );
    }

    #[test]
    fn wikipedia_samples() {
        let r = |s| romanize(s, System::Wikipedia);
        assert_eq!(r("Юрий"), "Yury");
        assert_eq!(r("Достоевский"), "Dostoyevsky");
        assert_eq!(r("Ворошиловский стрелок"), "Voroshilovsky strelok");
        assert_eq!(r("Ёлка"), "Yolka");
        assert_eq!(r("Пётр"), "Pyotr");
        assert_eq!(r("Хрущёв"), "Khrushchov");
        assert_eq!(r("Ильич"), "Ilich");
        assert_eq!(
            r(PANGRAM),
            "Syesh zhe yeshcho etikh myagkikh frantsuzskikh bulok, da vypey chayu"
        );
    }

    #[test]
    fn icao_9303_samples() {
        let r = |s| romanize(s, System::Icao);
        assert_eq!(r("Ц"), "Ts");
        assert_eq!(r("ЦАРЬ"), "TSAR");
        assert_eq!(r("Й"), "I");
        assert_eq!(r("Ъ"), "Ie");
        assert_eq!(r("ЮРИЙ"), "IURII");
        assert_eq!(r("ЁЛКА"), "ELKA");
        assert_eq!(r("ОБЪЕКТ"), "OBIEEKT");
        assert_eq!(r("ЩУКА"), "SHCHUKA");
        assert_eq!(
            r(PANGRAM),
            "Sieesh zhe eshche etikh miagkikh frantsuzskikh bulok, da vypei chaiu"
        );
    }

    #[test]
    fn ala_lc_and_scholarly_samples() {
        let ala = |s| romanize(s, System::AlaLc);
        assert_eq!(ala("Юрий"), "I\u{361}uriĭ");
        assert_eq!(ala("Цирк"), "T\u{361}sirk");
        assert_eq!(ala("Эхо"), "Ėkho");
        assert_eq!(
            ala(PANGRAM),
            "Sʺeshʹ zhe eshchë ėtikh mi\u{361}agkikh frant\u{361}suzskikh bulok, da vypeĭ chai\u{361}u"
        );
        let sch = |s| romanize(s, System::Scholarly);
        assert_eq!(sch("Щука"), "Ščuka");
        assert_eq!(sch("Юрий"), "Jurij");
        assert_eq!(sch("Хрущёв"), "Xruščëv");
        assert_eq!(sch("значок"), "značok");
        assert_eq!(
            sch(PANGRAM),
            "Sʺešʹ že eščë ètix mjagkix francuzskix bulok, da vypej čaju"
        );
    }

    fn words(s: &str) -> Vec<&str> {
        s.split(|c: char| c.is_whitespace() || c == ',' || c == '-')
            .filter(|w| !w.is_empty())
            .collect()
    }

    /// Every system's spelling of a word shares a key with the Cyrillic word.
    fn meets(cyrillic_word: &str, latin_word: &str) -> bool {
        let keys = skeletons(cyrillic_word);
        keys.contains(&skeleton(latin_word))
    }

    #[test]
    fn every_system_folds_to_the_cyrillic_skeleton() {
        let samples = [
            PANGRAM,
            "Щука Юрий Ёлка Цирк Цапля Цыган Объект Эхо Подъезд Хрущёв Ильич",
            "Ворошиловский стрелок",
            "Орден Ленина значок МОПР НКВД Халхин Гол Врангеля",
            "Советский Союз Дмитриев Воробьёв знание новые Россия майор",
        ];
        for sample in samples {
            let cyr = words(sample);
            for system in System::ALL {
                let latin = romanize(sample, system);
                let lat = words(&latin);
                assert_eq!(cyr.len(), lat.len(), "{system:?}: {latin}");
                for (c, l) in cyr.iter().zip(&lat) {
                    assert!(
                        meets(c, l),
                        "{system:?}: {c} → {l}: {:?} vs {:?}",
                        skeletons(c),
                        skeleton(l)
                    );
                }
            }
        }
    }

    #[test]
    fn informal_spellings_meet_the_cyrillic() {
        let pairs = [
            ("МОПР", "MOPR"),
            ("МОПР", "mopr"),
            ("значок", "znachok"),
            ("значок", "značok"),
            ("Орден", "Orden"),
            ("Ленина", "Lenina"),
            ("Халхин", "Khalkhin"),
            ("Халхин", "Halhin"),
            ("Халхин", "Xalxin"),
            ("Гол", "Gol"),
            ("Ворошиловский", "Voroshilovsky"),
            ("Ворошиловский", "Voroshilovskiy"),
            ("Ворошиловский", "Voroshilovskij"),
            ("Ворошиловский", "Voroshilovskii"),
            ("Врангеля", "Vrangelya"),
            ("Врангеля", "Vrangelja"),
            ("Врангеля", "Vrangelia"),
            ("Юрий", "Yuri"),
            ("Юрий", "Juri"),
            ("Юрий", "Iurii"),
            ("Ёлка", "Yolka"),
            ("Ёлка", "Jolka"),
            ("Ёлка", "Elka"),
            ("Щука", "Shchuka"),
            ("Щука", "Schuka"),
            ("Щука", "Shhuka"),
            ("Царь", "Tsar"),
            ("Царь", "Tzar"),
            ("Царь", "Car'"),
            ("Царь", "Czar"),
            ("Подъезд", "Pod'ezd"),
            ("Подъезд", "Pod\"yezd"),
            ("Подъезд", "Podezd"),
            ("рыба", "ryba"),
            ("рыба", "riba"),
            ("Хрущёв", "Khrushchev"),
            ("Хрущёв", "Khrushchyov"),
            ("НКВД", "NKVD"),
            ("Ильич", "Ilyich"),
            ("Ильич", "Il'ich"),
        ];
        for (c, l) in pairs {
            assert!(
                meets(c, l),
                "{c} vs {l}: {:?} vs {:?}",
                skeletons(c),
                skeleton(l)
            );
        }
    }

    #[test]
    fn nfd_input_and_case_fold_alike() {
        let nfd: String = "Значок ЙОД Ёлка".nfd().collect();
        let nfc = "значок йод ёлка";
        assert_eq!(
            words(&nfd).iter().map(|w| skeleton(w)).collect::<Vec<_>>(),
            words(nfc).iter().map(|w| skeleton(w)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn different_words_keep_different_keys() {
        assert_ne!(skeleton("мопр"), skeleton("мир"));
        assert_ne!(skeleton("шаль"), skeleton("щель"));
        assert_ne!(skeleton("жук"), skeleton("зук"));
        assert_eq!(skeleton("1939"), "1939");
    }
}
