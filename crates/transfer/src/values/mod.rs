//! Cell values as collectors write them: dates with their precision, measurements with units
//! and decimal commas, vocabularies in English and Russian, prices with currencies.
//!
//! Every parser takes any text and returns a value or a [`ValueError`] whose message names the
//! value and says what is accepted; none of them panics, whatever the input (they are fuzzed).
//! Callers trim cells and skip empty ones; the parsers trim again.

mod date;
mod price;
mod quantity;
mod vocab;

pub use date::{date, period};
pub use price::price;
pub use quantity::{dimensions, measurement, quantity, range, serial_numbers};
pub use vocab::{
    condition, fitting, fitting_in, hallmark_kind, material, materials, photo_role, placement,
    plating, rarity, script, yes_no,
};

/// Why a cell could not be read, in words for the collector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl ValueError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// A value as vocabularies compare it: lower case, `ё` as `е`, every run of anything but
/// letters and digits as one space.
pub(crate) fn words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    words_into(s, &mut out);
    out
}

/// [`words`], handed to `f` from a buffer kept for the thread: vocabularies are looked up for
/// most cells of a sheet, and a new string for each would cost more than the lookup.
pub(crate) fn with_words<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    BUFFER.with(|b| match b.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            words_into(s, &mut buffer);
            f(&buffer)
        }
        // Called again from inside `f`: a string of its own.
        Err(_) => f(&words(s)),
    })
}

fn words_into(s: &str, out: &mut String) {
    let mut space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(if c == 'ё' { 'е' } else { c });
        } else {
            space = true;
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            push(c.to_ascii_lowercase(), out);
        } else {
            for l in c.to_lowercase() {
                push(l, out);
            }
        }
    }
}

/// Quotes a cell's value in a message, cut short when long.
pub(crate) fn quoted(s: &str) -> String {
    let s = s.trim();
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("“{out}”")
}
