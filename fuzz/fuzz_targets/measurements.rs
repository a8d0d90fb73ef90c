//! Measurements, ranges, prices and vocabularies as collectors write them: never a panic, and
//! an accepted quantity is positive and finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrina_catalogue::Unit;
use vitrina_transfer::values;

fuzz_target!(|text: &str| {
    if let Ok(q) = values::quantity(text, Unit::Mm) {
        let v = q.value.value();
        assert!(v.is_finite() && v > 0.0, "{text:?} → {v}");
    }
    let _ = values::dimensions(text, Unit::Mm);
    let _ = values::measurement(text);
    if let Ok(r) = values::range(text, true) {
        assert!(r.is_valid(), "{text:?} gave an invalid range");
    }
    let _ = values::serial_numbers(text);
    let _ = values::price(text, Some("RUB"));
    let _ = values::condition(text);
    let _ = values::materials(text.split([';', ',']));
    let _ = values::placement(text);
    let _ = values::yes_no(text);
});
