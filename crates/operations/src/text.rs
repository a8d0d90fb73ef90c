//! Text as it is kept, whichever door it came in by (forms, the API, imports, the CLI): every
//! string in Unicode NFC, line endings as LF, one-line strings trimmed. Browsers send a
//! textarea's line breaks as CRLF; without this a save would record every untouched
//! description as changed.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// One string as kept.
pub fn normalized(s: &str) -> String {
    let lf = if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_owned()
    };
    let nfc = match is_nfc_quick(lf.chars()) {
        unicode_normalization::IsNormalized::Yes => lf,
        _ => lf.nfc().collect(),
    };
    if nfc.contains('\n') {
        nfc.trim_end().to_owned()
    } else if nfc.trim().len() != nfc.len() {
        nfc.trim().to_owned()
    } else {
        nfc
    }
}

/// A record with every string in it [`normalized`]. A record that does not go through JSON
/// (a non-finite number) is returned as it is, for validation to refuse.
pub(crate) fn normalized_record<T: Serialize + DeserializeOwned + Clone>(record: &T) -> T {
    let Ok(mut value) = serde_json::to_value(record) else {
        return record.clone();
    };
    if !normalize_value(&mut value) {
        return record.clone();
    }
    serde_json::from_value(value).unwrap_or_else(|_| record.clone())
}

/// Normalises the strings of `value` in place; whether any changed.
fn normalize_value(value: &mut Value) -> bool {
    match value {
        Value::String(s) => {
            let n = normalized(s);
            let changed = n != *s;
            *s = n;
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| normalize_value(v) | c),
        Value::Object(map) => map.values_mut().fold(false, |c, v| normalize_value(v) | c),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrina_catalogue::BadgeType;

    #[test]
    fn line_endings_become_lf_and_one_line_strings_are_trimmed() {
        assert_eq!(normalized("a\r\nb\rc\n\n"), "a\nb\nc");
        assert_eq!(normalized("  MOPR badge \t"), "MOPR badge");
        // Two spaces before a line break are Markdown; the inside of a text is kept.
        assert_eq!(normalized("  one  \ntwo"), "  one  \ntwo");
    }

    #[test]
    fn decomposed_letters_are_composed() {
        // й as и + combining breve, ё as е + combining diaeresis.
        let decomposed = "Знак и\u{306} е\u{308}";
        assert_eq!(normalized(decomposed), "Знак й ё");
    }

    #[test]
    fn a_record_keeps_everything_but_its_spelling() {
        let t: BadgeType = serde_json::from_value(serde_json::json!({
            "slug": "mopr-badge",
            "version": 7,
            "names": {"en": "MOPR badge ", "ru": "Знак МОПР"},
            "description": {"en": "Line one\r\nLine two\r\n", "ru": "Строка\r\n"},
        }))
        .unwrap();
        let n = normalized_record(&t);
        assert_eq!(n.names.en, "MOPR badge");
        assert_eq!(n.description.en, "Line one\nLine two");
        assert_eq!(n.description.ru, "Строка");
        assert_eq!(n.version, 7);
        assert_eq!(n.slug, t.slug);
    }
}
