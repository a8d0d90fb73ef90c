//! Keeping spreadsheets from running cells as formulas ("CSV injection").
//!
//! Excel, LibreOffice and Google Sheets run a CSV cell that starts with `=`, `+`, `-` or `@`
//! (and, in some versions, a tab or carriage return, or the full-width forms of those signs) as
//! a formula. An exported catalogue must never carry a working `=HYPERLINK(..)` or `=cmd|..`
//! that a visitor typed into a description, so [`neutralise`] puts an apostrophe in front of
//! such a cell, the way a person would in a spreadsheet. To stay reversible, a cell that already
//! starts with apostrophes before such a character gets one more; [`restore`] removes exactly
//! one, so `restore(neutralise(s)) == s` for every string.

/// Whether a spreadsheet could take a cell starting with `c` for a formula.
fn triggers(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
    )
}

/// Whether `cell` is apostrophes followed by a trigger (`'=`, `''+`…), counting at least
/// `min_quotes` apostrophes.
fn quoted_trigger(cell: &str, min_quotes: usize) -> bool {
    let rest = cell.trim_start_matches('\'');
    cell.len() - rest.len() >= min_quotes && rest.chars().next().is_some_and(triggers)
}

/// The cell as it is safe to write into a CSV file: with one more leading apostrophe when a
/// spreadsheet could run it as a formula, or when it already starts with apostrophes before
/// such a character. Every other cell is returned unchanged (borrowed).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if quoted_trigger(cell, 0) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Undoes [`neutralise`]: drops one leading apostrophe from a cell that is apostrophes followed
/// by a formula character. Every other cell is returned unchanged.
pub fn restore(cell: &str) -> &str {
    if quoted_trigger(cell, 1) {
        &cell[1..]
    } else {
        cell
    }
}

/// [`restore`] in place, without copying a cell that does not change.
pub(crate) fn restore_owned(cell: &mut String) {
    if quoted_trigger(cell, 1) {
        cell.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_get_an_apostrophe() {
        for (plain, safe) in [
            ("=1+2", "'=1+2"),
            ("+7 999", "'+7 999"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("＝1", "'＝1"),
            ("＋1", "'＋1"),
            ("－1", "'－1"),
            ("＠x", "'＠x"),
            ("'=1", "''=1"),
            ("''-x", "'''-x"),
            ("'", "'"),
            ("'x", "'x"),
            ("x=1", "x=1"),
            ("", ""),
            (" =1", " =1"),
        ] {
            assert_eq!(neutralise(plain), safe, "{plain:?}");
            assert_eq!(restore(safe), plain, "{safe:?}");
        }
    }

    #[test]
    fn restore_leaves_plain_apostrophes() {
        assert_eq!(restore("'Знак"), "'Знак");
        assert_eq!(restore("''"), "''");
        let mut s = String::from("'＝x");
        restore_owned(&mut s);
        assert_eq!(s, "＝x");
    }

    proptest! {
        #[test]
        fn restore_undoes_neutralise(s in "['=+@\\-\t\r＝＋－＠a ]{0,6}|\\PC*") {
            let safe = neutralise(&s);
            prop_assert_eq!(restore(&safe), s.as_str());
            // What is written never starts with a trigger.
            prop_assert!(!safe.chars().next().is_some_and(triggers));
        }
    }
}
