//! What we export comes back unchanged: every string through CSV (formula neutralisation
//! included), and text through XLSX.

mod common;

use common::{row, table};
use proptest::prelude::*;
use vitrina_formats::{
    CsvOptions, CsvReadOptions, DELIMITERS, SpreadsheetOptions, Table, read_csv, read_sheet,
    write_csv, write_xlsx,
};

/// What the reader is expected to give back: rows with no text at all are skipped.
fn without_empty_rows(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .cloned()
        .collect()
}

fn csv_roundtrip(rows: &[Vec<String>], options: &CsvOptions) -> Vec<Vec<String>> {
    let written = Table {
        headers: vec!["a".into(), "b".into(), "c".into()],
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| vitrina_formats::Row {
                line: i as u64 + 2,
                cells: cells.clone(),
            })
            .collect(),
    };
    let bytes = write_csv(&written, options).unwrap();
    let read = read_csv(&bytes, &CsvReadOptions::default()).unwrap();
    assert_eq!(read.delimiter, options.delimiter);
    assert_eq!(read.table.headers, written.headers);
    read.table.rows.into_iter().map(|r| r.cells).collect()
}

/// Any string, with formula starts, apostrophes, quotes, delimiters and line breaks common.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "['=+@\\-\t\r＝＋－＠]{0,3}[\"',;|\t\r\n a-zа-я\u{FEFF}]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_string_survives_csv_export_and_import(
        rows in prop::collection::vec(prop::collection::vec(cell(), 1..4), 0..8),
        delimiter in prop::sample::select(DELIMITERS.to_vec()),
        bom in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let options = CsvOptions { delimiter, bom, crlf, neutralise_formulas: true };
        prop_assert_eq!(csv_roundtrip(&rows, &options), without_empty_rows(&rows));
    }
}

#[test]
fn formula_payloads_are_neutralised_on_export_and_restored_on_import() {
    let payloads = [
        "=HYPERLINK(\"http://evil.example\",\"Click\")",
        "=cmd|' /C calc'!A0",
        "+7 (495) 123-45-67",
        "-5",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
        "＝1+1",
        "＋1",
        "－1",
        "＠x",
        "'=already quoted",
        "''+twice",
        "'",
        "'plain",
    ];
    let rows: Vec<Vec<String>> = payloads.iter().map(|p| vec![(*p).to_owned()]).collect();
    let bytes = write_csv(
        &Table {
            headers: vec!["a".into()],
            rows: rows
                .iter()
                .map(|c| vitrina_formats::Row {
                    line: 0,
                    cells: c.clone(),
                })
                .collect(),
        },
        &CsvOptions::default(),
    )
    .unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // Nothing a spreadsheet would run starts a field.
    for line in text.lines().skip(1) {
        let field = line.trim_start_matches('"');
        assert!(
            field.is_empty() || !"=+-@＝＋－＠\t".contains(field.chars().next().unwrap()),
            "{line:?}"
        );
    }
    let read = read_csv(&bytes, &CsvReadOptions::default()).unwrap();
    let back: Vec<Vec<String>> = read.table.rows.into_iter().map(|r| r.cells).collect();
    assert_eq!(back, rows);
}

#[test]
fn xlsx_written_here_is_read_back() {
    let nasty = [
        "Знак \"ГТО\"",
        "=1+2",
        "  spaced  ",
        "two\nlines",
        "tab\there",
        "cr\rhere",
        "_x0041_ stays",
        "1934",
        "0012",
        "e\u{301}",
        "'apostrophe",
    ];
    let written = table(
        &["Название", "Значение"],
        nasty
            .iter()
            .enumerate()
            .map(|(i, s)| row(i as u64 + 2, &[&format!("r{i}"), s]))
            .collect(),
    );
    let bytes = write_xlsx(&written, "Коллекция").unwrap();
    let sheet = read_sheet(&bytes, None, &SpreadsheetOptions::default()).unwrap();
    assert_eq!(sheet.name, "Коллекция");
    assert_eq!(sheet.table, written);
    assert!(sheet.error_cells.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn text_survives_xlsx(cells in prop::collection::vec("[a-zа-яё \"'=+\\-@_x0-9A-F\t\n\r&<>]{1,12}", 1..6)) {
        let written = Table {
            headers: vec!["h".into()],
            rows: cells.iter().enumerate().map(|(i, c)| vitrina_formats::Row { line: i as u64 + 2, cells: vec![c.clone()] }).collect(),
        };
        let bytes = write_xlsx(&written, "s").unwrap();
        let sheet = read_sheet(&bytes, None, &SpreadsheetOptions::default()).unwrap();
        let expected: Vec<vitrina_formats::Row> = written.rows.iter().filter(|r| !r.cells[0].is_empty()).cloned().collect();
        prop_assert_eq!(sheet.table.rows, expected);
    }
}
