//! Dates and periods as collectors write them: never a panic, and an accepted date reads back
//! from its canonical form as the same date.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrina_catalogue::PartialDate;
use vitrina_transfer::values;

fuzz_target!(|text: &str| {
    if let Ok(d) = values::date(text) {
        let again = PartialDate::parse(&d.to_string()).expect("a canonical date parses");
        assert_eq!(again, d, "{text:?} → {d}");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<PartialDate>(&json).unwrap(), d);
    }
    if let Ok(p) = values::period(text) {
        assert!(p.is_ordered(), "{text:?} gave a period that ends before it starts");
    }
    let _ = PartialDate::parse(text);
});
