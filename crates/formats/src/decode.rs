//! Bytes to text, refusing rather than guessing wrong.
//!
//! [`detect`] proposes an encoding: a byte-order mark decides; otherwise bytes that are valid
//! UTF-8 are UTF-8; otherwise chardetng (the detector Firefox uses) guesses, and its guess is
//! mapped onto the two legacy encodings Russian collectors' files come in, Windows-1251 and
//! KOI8-R. The caller shows the user what was detected and may choose another encoding.
//!
//! [`decode`] never replaces: a byte sequence that is not valid in the chosen encoding is an
//! error naming the line and column where it sits, so no U+FFFD and no mojibake can reach a
//! catalogue. (Windows-1251 and KOI8-R give every byte a meaning, so choosing the wrong one of
//! them cannot be caught here; that is why the detection is shown to the user.)

use std::fmt;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};

use crate::lines::{LineCounter, Place};

/// The text encodings a file may be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark (LibreOffice, Google Sheets, a Mac's Excel).
    Utf8,
    /// UTF-16, little-endian (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// Windows-1251, the Cyrillic code page of a Russian Windows and its Excel.
    Windows1251,
    /// KOI8-R, older Russian Unix and e-mail text.
    Koi8R,
}

impl Encoding {
    /// Every encoding, in the order a user would be offered them.
    pub const ALL: [Encoding; 5] = [
        Encoding::Utf8,
        Encoding::Windows1251,
        Encoding::Koi8R,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
    ];

    /// The encoding's usual name, as shown to the user ("Windows-1251").
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Windows1251 => "Windows-1251",
            Encoding::Koi8R => "KOI8-R",
        }
    }

    /// Reads a name or common label ("cp1251", "utf-8", "koi8-r"), ignoring case.
    pub fn from_label(label: &str) -> Option<Encoding> {
        let wanted = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
        Encoding::ALL
            .into_iter()
            .find(|e| e.to_encoding_rs() == wanted)
    }

    /// The byte-order mark of this encoding.
    pub fn bom(self) -> Option<&'static [u8]> {
        match self {
            Encoding::Utf8 => Some(b"\xEF\xBB\xBF"),
            Encoding::Utf16Le => Some(b"\xFF\xFE"),
            Encoding::Utf16Be => Some(b"\xFE\xFF"),
            Encoding::Windows1251 | Encoding::Koi8R => None,
        }
    }

    fn to_encoding_rs(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Windows1251 => encoding_rs::WINDOWS_1251,
            Encoding::Koi8R => encoding_rs::KOI8_R,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`detect`] concluded, and how sure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The proposed encoding.
    pub encoding: Encoding,
    /// Whether the bytes start with that encoding's byte-order mark.
    pub bom: bool,
    /// How the encoding was found.
    pub method: DetectionMethod,
}

impl Detection {
    /// Whether the encoding was guessed from letter statistics, so the user should look.
    pub fn is_guess(&self) -> bool {
        self.method == DetectionMethod::Statistics
    }
}

/// How [`detect`] found the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectionMethod {
    /// A byte-order mark names it: certain.
    Bom,
    /// The bytes are valid UTF-8 (pure ASCII included): as good as certain, since legacy
    /// Cyrillic text is practically never valid UTF-8 by accident.
    ValidUtf8,
    /// Guessed from the statistics of the letters: usually right on real Russian text, but a
    /// guess.
    Statistics,
    /// The bytes are UTF-8 text but for a few damaged places, so decoding them as UTF-8 will
    /// fail there and name the place (the user may still choose another encoding).
    DamagedUtf8,
    /// Not detected: the caller chose it.
    Chosen,
}

/// A byte sequence that is not valid in the chosen encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The file is not valid {encoding} text: line {line}, column {column} (byte {offset}) holds bytes \
     that mean nothing in {encoding}. Choose another encoding, or save the file again as UTF-8."
)]
pub struct DecodeError {
    /// The encoding the bytes were read in.
    pub encoding: Encoding,
    /// The 1-based line of the first bad byte.
    pub line: u64,
    /// The 1-based column (in characters) of the first bad byte.
    pub column: u64,
    /// The 0-based byte offset of the first bad byte in the input (byte-order mark included).
    pub offset: usize,
}

/// How much of a file chardetng sees, counted from its first non-ASCII byte: enough for
/// thousands of words, and it keeps detection fast on large files.
const STATISTICS_SAMPLE: usize = 1 << 20;

/// Proposes the encoding of `bytes`. See the module documentation for the order of the rules.
pub fn detect(bytes: &[u8]) -> Detection {
    if let Some(encoding) = bom_encoding(bytes) {
        return Detection {
            encoding,
            bom: true,
            method: DetectionMethod::Bom,
        };
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Detection {
            encoding: Encoding::Utf8,
            bom: false,
            method: DetectionMethod::ValidUtf8,
        };
    }
    if mostly_utf8(bytes) {
        return Detection {
            encoding: Encoding::Utf8,
            bom: false,
            method: DetectionMethod::DamagedUtf8,
        };
    }
    Detection {
        encoding: guess_legacy(bytes),
        bom: false,
        method: DetectionMethod::Statistics,
    }
}

/// Whether bytes that are not valid UTF-8 are still UTF-8 text with a few damaged places (a
/// truncated copy, one bad byte): many well-formed multi-byte characters, few bad sequences.
/// Legacy Cyrillic text is the opposite: nearly every letter is a bad sequence. Such a file is
/// proposed as UTF-8 so that decoding it fails at the damage, naming the line, instead of
/// turning every letter into the wrong one.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        bad += usize::from(!chunk.invalid().is_empty());
    }
    // Two or more well-formed Cyrillic (or other) characters outnumbering the damage: legacy
    // Cyrillic text almost never forms a valid UTF-8 pair (in Windows-1251 it would be an
    // upper-case Р or С followed by a symbol such as Ђ or ‚), so even a short file of a few
    // letters and a few bad bytes is damaged UTF-8, not Windows-1251 to be read as «Р—РЅР°Рє».
    good >= 2 && good > bad
}

/// The encoding whose byte-order mark starts `bytes`.
fn bom_encoding(bytes: &[u8]) -> Option<Encoding> {
    [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be]
        .into_iter()
        .find(|e| e.bom().is_some_and(|bom| bytes.starts_with(bom)))
}

/// Windows-1251 or KOI8-R, for bytes that are not UTF-8.
fn guess_legacy(bytes: &[u8]) -> Encoding {
    let first_non_ascii = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    // Start at the beginning of that line so the detector sees whole words.
    let start = bytes[..first_non_ascii]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes
        .len()
        .min(first_non_ascii.saturating_add(STATISTICS_SAMPLE));
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(&bytes[start..end], true);
    // The `ru` domain tells chardetng that Cyrillic is expected.
    let guess = detector.guess(Some(b"ru"), Utf8Detection::Deny);
    if guess == encoding_rs::WINDOWS_1251 {
        Encoding::Windows1251
    } else if guess == encoding_rs::KOI8_U || guess == encoding_rs::KOI8_R {
        Encoding::Koi8R
    } else {
        by_letter_case(&bytes[start..end])
    }
}

/// The fallback when chardetng names an encoding we do not offer (a Western code page, IBM866,
/// ISO-8859-5): running text is mostly lower case, and lower-case Cyrillic is 0xE0–0xFF in
/// Windows-1251 but 0xC0–0xDF in KOI8-R.
fn by_letter_case(bytes: &[u8]) -> Encoding {
    let (low, high) = bytes
        .iter()
        .fold((0usize, 0usize), |(low, high), &b| match b {
            0xC0..=0xDF => (low + 1, high),
            0xE0..=0xFF => (low, high + 1),
            _ => (low, high),
        });
    if low > high {
        Encoding::Koi8R
    } else {
        Encoding::Windows1251
    }
}

/// Decodes `bytes` as `encoding`, dropping that encoding's byte-order mark if present, and
/// refusing any byte sequence the encoding does not define.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, DecodeError> {
    let skip = encoding
        .bom()
        .filter(|bom| bytes.starts_with(bom))
        .map_or(0, <[u8]>::len);
    let body = &bytes[skip..];
    let at = |valid: &str, bad: usize| {
        let Place { line, column } = LineCounter::place_after(valid);
        DecodeError {
            encoding,
            line,
            column,
            offset: skip + bad,
        }
    };
    if encoding == Encoding::Utf8 {
        // The standard library's validator is the fastest path, and reports where it failed.
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(text.to_owned()),
            Err(e) => {
                let valid = e.valid_up_to();
                let prefix = std::str::from_utf8(&body[..valid]).unwrap_or_default();
                Err(at(prefix, valid))
            }
        };
    }
    let mut decoder = encoding.to_encoding_rs().new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len());
    let mut text = String::with_capacity(capacity);
    let mut read = 0;
    loop {
        let (result, n) =
            decoder.decode_to_string_without_replacement(&body[read..], &mut text, true);
        read += n;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return Ok(text),
            encoding_rs::DecoderResult::OutputFull => {
                text.reserve(body.len() - read + 16);
            }
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                // `read` counts the malformed bytes and the `after` bytes that followed them.
                let bad_start = read - usize::from(after) - usize::from(bad);
                return Err(at(&text, bad_start));
            }
        }
    }
}

/// Detects the encoding of `bytes` (unless `chosen` overrides it) and decodes them.
pub fn decode_detected(
    bytes: &[u8],
    chosen: Option<Encoding>,
) -> Result<(Detection, String), DecodeError> {
    if chosen.is_none() && bom_encoding(bytes).is_none() {
        // Valid UTF-8 is the common case: validate once, for detecting and decoding both.
        if let Ok(text) = std::str::from_utf8(bytes) {
            let detection = Detection {
                encoding: Encoding::Utf8,
                bom: false,
                method: DetectionMethod::ValidUtf8,
            };
            return Ok((detection, text.to_owned()));
        }
    }
    let detection = match chosen {
        Some(encoding) => Detection {
            encoding,
            bom: encoding.bom().is_some_and(|bom| bytes.starts_with(bom)),
            method: DetectionMethod::Chosen,
        },
        None => detect(bytes),
    };
    let text = decode(bytes, detection.encoding)?;
    Ok((detection, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUSSIAN: &str = "Название;Год;Металл;Состояние\r\n\
        Знак \"Ворошиловский стрелок\" II ступени;1934;латунь, эмаль;хорошее\r\n\
        Знак ГТО первой ступени;1933;серебро, эмаль, позолота;отличное\r\n\
        Членский знак общества Осоавиахим;1927;бронза;потёртости на эмали\r\n";

    fn encode(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn a_bom_decides() {
        for (bytes, encoding) in [
            (&b"\xEF\xBB\xBFa"[..], Encoding::Utf8),
            (&b"\xFF\xFEa\0"[..], Encoding::Utf16Le),
            (&b"\xFE\xFF\0a"[..], Encoding::Utf16Be),
        ] {
            let d = detect(bytes);
            assert_eq!(
                (d.encoding, d.bom, d.method),
                (encoding, true, DetectionMethod::Bom)
            );
            assert_eq!(decode(bytes, encoding).unwrap(), "a");
        }
    }

    #[test]
    fn valid_utf8_is_utf8() {
        let d = detect(RUSSIAN.as_bytes());
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(!d.bom);
        assert!(!d.is_guess());
        assert_eq!(detect(b"").encoding, Encoding::Utf8);
    }

    #[test]
    fn windows_1251_and_koi8_r_are_told_apart_on_russian_text() {
        let cp1251 = encode(RUSSIAN, encoding_rs::WINDOWS_1251);
        let koi8 = encode(RUSSIAN, encoding_rs::KOI8_R);
        assert_eq!(detect(&cp1251).encoding, Encoding::Windows1251);
        assert_eq!(detect(&koi8).encoding, Encoding::Koi8R);
        assert!(detect(&koi8).is_guess());
        assert_eq!(decode(&cp1251, Encoding::Windows1251).unwrap(), RUSSIAN);
        assert_eq!(decode(&koi8, Encoding::Koi8R).unwrap(), RUSSIAN);
    }

    #[test]
    fn a_single_short_word_is_told_apart_too() {
        for word in ["Бронза", "серебро", "Знак"] {
            let cp1251 = encode(word, encoding_rs::WINDOWS_1251);
            let koi8 = encode(word, encoding_rs::KOI8_R);
            assert_eq!(detect(&cp1251).encoding, Encoding::Windows1251, "{word}");
            assert_eq!(detect(&koi8).encoding, Encoding::Koi8R, "{word}");
        }
    }

    #[test]
    fn letter_case_fallback() {
        assert_eq!(
            by_letter_case(&encode("привет", encoding_rs::WINDOWS_1251)),
            Encoding::Windows1251
        );
        assert_eq!(
            by_letter_case(&encode("привет", encoding_rs::KOI8_R)),
            Encoding::Koi8R
        );
    }

    #[test]
    fn invalid_utf8_is_refused_with_its_place() {
        let bytes = b"name\r\nok\r\nab\xC3(x\n";
        let e = decode(bytes, Encoding::Utf8).unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (3, 3, 12));
        assert!(e.to_string().contains("line 3, column 3"), "{e}");
    }

    #[test]
    fn damaged_utf8_is_still_proposed_as_utf8() {
        let mut bytes = RUSSIAN.as_bytes().to_vec();
        bytes.insert(RUSSIAN.find("1934").unwrap(), 0xFF);
        let d = detect(&bytes);
        assert_eq!(
            (d.encoding, d.method),
            (Encoding::Utf8, DetectionMethod::DamagedUtf8)
        );
        let e = decode_detected(&bytes, None).unwrap_err();
        assert_eq!(e.line, 2);
        // Legacy text is not mistaken for damaged UTF-8, even with letters that pair up.
        let cp1251 = encode("Ёж, ПЁС, Знак;1934", encoding_rs::WINDOWS_1251);
        assert_eq!(detect(&cp1251).method, DetectionMethod::Statistics);
    }

    #[test]
    fn the_bom_counts_in_the_offset_but_not_the_column() {
        let e = decode(b"\xEF\xBB\xBFab\xFF", Encoding::Utf8).unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (1, 3, 5));
    }

    #[test]
    fn columns_count_characters() {
        let e = decode(
            "Знак\nЁж\u{0}"
                .as_bytes()
                .iter()
                .chain(b"\x80")
                .copied()
                .collect::<Vec<_>>()
                .as_slice(),
            Encoding::Utf8,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (2, 4));
    }

    #[test]
    fn an_unpaired_surrogate_is_refused() {
        // "ab", then a lone high surrogate, then "c", in UTF-16LE.
        let bytes = b"\xFF\xFEa\0\n\0b\0\x00\xD8c\0";
        let e = decode(bytes, Encoding::Utf16Le).unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (2, 2, 8));
        let e = decode(b"\xFE\xFF\0a\0", Encoding::Utf16Be).unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (1, 2, 4));
    }

    #[test]
    fn utf16_decodes_both_ways() {
        let text = "Знак;1934\r\nГТО;1933\r\n";
        let mut le = b"\xFF\xFE".to_vec();
        let mut be = b"\xFE\xFF".to_vec();
        for unit in text.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(decode(&le, Encoding::Utf16Le).unwrap(), text);
        assert_eq!(decode(&be, Encoding::Utf16Be).unwrap(), text);
        assert_eq!(decode_detected(&be, None).unwrap().1, text);
    }

    #[test]
    fn the_caller_may_override() {
        let cp1251 = encode(RUSSIAN, encoding_rs::WINDOWS_1251);
        let (d, text) = decode_detected(&cp1251, Some(Encoding::Koi8R)).unwrap();
        assert_eq!(
            (d.encoding, d.method),
            (Encoding::Koi8R, DetectionMethod::Chosen)
        );
        assert_ne!(text, RUSSIAN);
        // A UTF-8 override on legacy bytes is refused, not patched up.
        assert!(decode_detected(&cp1251, Some(Encoding::Utf8)).is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(Encoding::from_label("cp1251"), Some(Encoding::Windows1251));
        assert_eq!(Encoding::from_label("KOI8-R"), Some(Encoding::Koi8R));
        assert_eq!(Encoding::from_label(" utf-8 "), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_label("latin1"), None);
        for e in Encoding::ALL {
            assert_eq!(Encoding::from_label(e.name()), Some(e));
        }
    }
}
