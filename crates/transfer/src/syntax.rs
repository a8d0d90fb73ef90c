//! The syntax of cells that hold several values, shared by import and export.
//!
//! A list cell holds **items** separated by `;` or a line break: `silver; enamel`. An item with
//! details holds **parts** separated by `|`: the first part is the item itself, the others are
//! `label: value` (`No. 9 | on: reverse | en: The number 9 | ru: Номер 9`), or a bare flag
//! (`illustration`). Inside an item, a backslash escapes what would otherwise separate:
//! `\;` `\|` `\\`, and `\n` `\r` stand for line breaks. Vitrina's export writes exactly that;
//! a collector's cell (`silver, bronze`, one value per line) reads the same way, and a
//! backslash followed by anything else is kept as written.
//!
//! Single-valued text cells (a title, a description) are never escaped: they are literal.

/// Splits a cell into raw items (still escaped), trimmed, empty ones dropped. With `commas`, a
/// comma separates items too (vocabulary lists such as materials, never free text).
pub(crate) fn items(cell: &str, commas: bool) -> impl Iterator<Item = &str> {
    Split {
        rest: Some(cell),
        separator: move |c| c == ';' || c == '\n' || c == '\r' || (commas && c == ','),
    }
    .map(str::trim)
    .filter(|s| !s.is_empty())
}

/// Splits a raw item into its raw parts at unescaped `|`, each trimmed.
pub(crate) fn parts(item: &str) -> Vec<&str> {
    Split {
        rest: Some(item),
        separator: |c| c == '|',
    }
    .map(str::trim)
    .collect()
}

/// The pieces of a text between unescaped separators; a backslash protects the character
/// after it.
struct Split<'a, F> {
    rest: Option<&'a str>,
    separator: F,
}

impl<'a, F: Fn(char) -> bool> Iterator for Split<'a, F> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let mut escaped = false;
        for (i, c) in s.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if (self.separator)(c) {
                self.rest = Some(&s[i + c.len_utf8()..]);
                return Some(&s[..i]);
            }
        }
        self.rest = None;
        Some(s)
    }
}

/// Undoes the escapes of a raw item or part.
pub(crate) fn unescape(s: &str) -> String {
    unescaped(s).into_owned()
}

/// Undoes the escapes of a raw item or part, borrowing it when it has none.
pub(crate) fn unescaped(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\\') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(e @ ('\\' | ';' | '|' | ',')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Escapes a text to stand as one item or part.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A raw part read as `label: value`, when its label is one of `labels` (case-insensitive).
/// Returns the label as listed and the raw value.
pub(crate) fn labelled<'a>(
    part: &'a str,
    labels: &[&'static str],
) -> Option<(&'static str, &'a str)> {
    let (label, value) = part.split_once(':')?;
    let label = label.trim();
    labels
        .iter()
        .find(|l| l.eq_ignore_ascii_case(label))
        .map(|l| (*l, value.trim()))
}

/// Joins written items into one cell.
pub(crate) fn join(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join("; ")
}

/// Builds one item: its first part, then `label: value` parts for the non-empty values.
#[derive(Debug, Default)]
pub(crate) struct Item(String);

impl Item {
    pub(crate) fn new(first: &str) -> Self {
        Self(escape(first))
    }

    /// The first part as already written (for values that need no escaping, such as keys).
    pub(crate) fn raw(first: String) -> Self {
        Self(first)
    }

    pub(crate) fn part(mut self, label: &str, value: &str) -> Self {
        if !value.is_empty() {
            self.0.push_str(" | ");
            self.0.push_str(label);
            self.0.push_str(": ");
            self.0.push_str(&escape(value));
        }
        self
    }

    pub(crate) fn flag(mut self, label: &str, on: bool) -> Self {
        if on {
            self.0.push_str(" | ");
            self.0.push_str(label);
        }
        self
    }

    pub(crate) fn done(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(cell: &str, commas: bool) -> Vec<&str> {
        super::items(cell, commas).collect()
    }

    #[test]
    fn items_split_at_semicolons_and_line_breaks_and_commas_only_when_asked() {
        assert_eq!(items("silver; bronze", false), ["silver", "bronze"]);
        assert_eq!(items("silver,\n bronze", false), ["silver,", "bronze"]);
        assert_eq!(items("silver, enamel", true), ["silver", "enamel"]);
        assert_eq!(items(" ; a;;\r\nb ;", false), ["a", "b"]);
        assert!(items("", false).is_empty());
    }

    #[test]
    fn escaped_separators_stay_inside_an_item() {
        let cell = r"a\; b; c\|d | en: x\\y; e\nf";
        let raw = items(cell, false);
        assert_eq!(raw, [r"a\; b", r"c\|d | en: x\\y", r"e\nf"]);
        assert_eq!(unescape(raw[0]), "a; b");
        let p = parts(raw[1]);
        assert_eq!(p, [r"c\|d", r"en: x\\y"]);
        assert_eq!(unescape(p[0]), "c|d");
        assert_eq!(labelled(p[1], &["en", "ru"]), Some(("en", r"x\\y")));
        assert_eq!(unescape(r"x\\y"), r"x\y");
        assert_eq!(unescape(raw[2]), "e\nf");
    }

    #[test]
    fn a_foreign_backslash_is_kept() {
        assert_eq!(unescape(r"C:\Temp\x"), r"C:\Temp\x");
        assert_eq!(unescape("end\\"), "end\\");
    }

    #[test]
    fn escaping_round_trips_any_text() {
        for s in [
            "plain",
            "a;b|c\\d\ne\rf",
            "\\n is not a line break",
            "=SUM(A1)",
            "ends with \\",
            "Знак «МОПР»; №9",
        ] {
            let cell = join([escape(s), escape("second")]);
            let raw = items(&cell, false);
            assert_eq!(raw.len(), 2, "{cell}");
            assert_eq!(unescape(raw[0]), s);
            assert_eq!(parts(raw[0]).len(), 1);
        }
    }

    #[test]
    fn items_are_built_with_labelled_parts() {
        let item = Item::new("No. 9")
            .part("on", "reverse")
            .part("en", "")
            .part("ru", "Номер; 9")
            .flag("illustration", true)
            .done();
        assert_eq!(item, r"No. 9 | on: reverse | ru: Номер\; 9 | illustration");
    }
}
