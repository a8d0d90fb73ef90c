//! Inputs the fuzzers (crates/formats/fuzz) found to break a property, each named after what
//! broke, kept so it stays fixed.

mod common;

use common::{row, table};
use vitrina_formats::{CsvOptions, CsvReadOptions, read_csv, write_csv};

/// `sep=|` followed by a bare LF was not taken for Excel's delimiter line (the check wanted
/// two bytes after the delimiter), and a table whose first header is `sep=` was written as
/// such a line, so it came back without its header.
#[test]
fn excel_sep_line_with_one_byte_line_ending_and_a_header_named_sep() {
    let read = read_csv(b"sep=|\n", &CsvReadOptions::default()).unwrap();
    assert_eq!(read.delimiter, b'|');
    assert_eq!(read.table, table(&[], vec![]));

    let written = table(&["sep=", ""], vec![row(2, &["1", "2"])]);
    let options = CsvOptions {
        delimiter: b'|',
        ..CsvOptions::default()
    };
    let bytes = write_csv(&written, &options).unwrap();
    let back = read_csv(&bytes, &CsvReadOptions::default()).unwrap();
    assert_eq!(back.delimiter, b'|');
    assert_eq!(back.table, written);
}

/// A file holding one tab was read with a header of one empty name (the tab, trimmed), which
/// a writer cannot give back: a first row of nothing but spaces is no header.
#[test]
fn a_first_row_of_only_whitespace_is_not_a_header() {
    let read = read_csv(b"\t", &CsvReadOptions::default()).unwrap();
    assert_eq!(read.table, table(&[], vec![]));
    let read = read_csv(b" ; \r\nName;Year\r\n \t;\r\n", &CsvReadOptions::default()).unwrap();
    assert_eq!(
        read.table,
        table(&["Name", "Year"], vec![row(3, &[" \t", ""])])
    );
}

/// A U+FEFF that begins the first cell (not the file) was dropped twice on the way back: once
/// as the byte-order mark the writer put before it, once more as if it were one itself.
#[test]
fn a_first_cell_starting_with_feff_survives_export_and_import() {
    let read = read_csv(b"\n\xEF\xBB\xBFa|b\n1|2\n", &CsvReadOptions::default()).unwrap();
    assert_eq!(
        read.table,
        table(&["\u{FEFF}a", "b"], vec![row(3, &["1", "2"])])
    );
    let bytes = write_csv(
        &read.table,
        &CsvOptions {
            delimiter: b'|',
            ..CsvOptions::default()
        },
    )
    .unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\xEF\xBB\xBFa|b"));
    let back = read_csv(&bytes, &CsvReadOptions::default()).unwrap();
    assert_eq!(back.table.headers, read.table.headers);
}
