//! The JSON records reader on any bytes: no panic, no stack overflow, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrina_formats::{JsonOptions, read_json_records};

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = read_json_records(data, &JsonOptions::default()) {
        for row in &table.rows {
            assert!(row.cells.len() <= table.headers.len());
            assert!(row.line >= 1);
        }
    }
});
