//! The spreadsheet reader (zip checks, ODS scan, calamine) on any bytes: no panic, no hang, no
//! allocation past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrina_formats::{SpreadsheetOptions, Workbook};

fuzz_target!(|data: &[u8]| {
    let Ok(mut workbook) = Workbook::open(data, &SpreadsheetOptions::default()) else {
        return;
    };
    for name in workbook.sheet_names() {
        let _ = workbook.read_sheet(Some(&name));
    }
});
