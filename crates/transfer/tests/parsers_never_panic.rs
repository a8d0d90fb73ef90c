//! The cell parsers take any text: they return a value or an error, and never panic (the
//! public ones are fuzzed too). Arbitrary strings, and strings made of the characters that
//! matter to them.

use proptest::prelude::*;
use vitrina_catalogue::Unit;
use vitrina_transfer::values;

const ALPHABET: &[&str] = &[
    "0",
    "1",
    "9",
    "19",
    "1938",
    "193",
    "X",
    "x",
    "х",
    "×",
    "s",
    "-",
    "–",
    "—",
    "/",
    ".",
    ",",
    ";",
    " ",
    "~",
    "?",
    "≈",
    "c.",
    "ca",
    "около",
    "г.",
    "гг.",
    "-е",
    "-х",
    "апреля",
    "April",
    "mm",
    "мм",
    "in",
    "\"",
    "″",
    "g",
    "г",
    "oz",
    "1/8",
    "1 1/2",
    "№",
    "$",
    "€",
    "руб.",
    "USD",
    "since ",
    "с ",
    " по ",
    "..",
    "present",
    "|",
    ":",
    "\\",
    "\n",
    "é",
    "\u{0}",
    "𝟙",
    "٣",
];

fn stressed() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..12).prop_map(|v| v.concat())
}

fn all_parsers(s: &str) {
    let _ = values::date(s);
    let _ = values::period(s);
    let _ = values::quantity(s, Unit::Mm);
    let _ = values::quantity(s, Unit::G);
    let _ = values::dimensions(s, Unit::Mm);
    let _ = values::measurement(s);
    let _ = values::range(s, true);
    let _ = values::range(s, false);
    let _ = values::serial_numbers(s);
    let _ = values::price(s, None);
    let _ = values::price(s, Some(s));
    let _ = values::condition(s);
    let _ = values::rarity(s);
    let _ = values::material(s);
    let _ = values::materials([s, s]);
    let _ = values::plating(s);
    let _ = values::fitting(s);
    let _ = values::fitting_in(s);
    let _ = values::hallmark_kind(s);
    let _ = values::photo_role(s);
    let _ = values::placement(s);
    let _ = values::script(s);
    let _ = values::yes_no(s);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_string(s in any::<String>()) {
        all_parsers(&s);
    }

    #[test]
    fn strings_of_what_the_parsers_look_for(s in stressed()) {
        all_parsers(&s);
    }

    /// What a parser accepts, it accepts again in its canonical form.
    #[test]
    fn accepted_dates_and_periods_read_back_from_their_text_form(s in stressed()) {
        if let Ok(d) = values::date(&s) {
            prop_assert_eq!(values::date(&d.to_string()).unwrap(), d);
        }
        if let Ok(p) = values::period(&s) {
            let text = match p.to {
                Some(to) => format!("{}–{}", p.from, to),
                None => format!("{}–", p.from),
            };
            prop_assert_eq!(values::period(&text).unwrap(), p);
        }
    }
}
