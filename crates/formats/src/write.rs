//! A [`Table`] to CSV or XLSX bytes.
//!
//! CSV cells that a spreadsheet would run as formulas are neutralised (see [`crate::formula`]);
//! the CSV reader undoes it, so text survives an export and an import unchanged. XLSX cells are
//! all written as strings, never formulas, so nothing there needs neutralising.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::formula::neutralise;
use crate::table::Table;

/// How a CSV file is written. Always UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field delimiter.
    pub delimiter: u8,
    /// Start with a UTF-8 byte-order mark (Excel on Windows needs it to see UTF-8).
    pub bom: bool,
    /// End lines with CRLF (RFC 4180, Windows) rather than LF.
    pub crlf: bool,
    /// Put an apostrophe before cells a spreadsheet would run as formulas. On by default.
    pub neutralise_formulas: bool,
}

impl Default for CsvOptions {
    /// RFC 4180: commas and CRLF, no byte-order mark, formulas neutralised.
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            bom: false,
            crlf: true,
            neutralise_formulas: true,
        }
    }
}

impl CsvOptions {
    /// What a Russian Excel opens by double-click: semicolons (its list separator, since the
    /// comma is the decimal sign), a byte-order mark, CRLF.
    pub fn excel_russian() -> Self {
        CsvOptions {
            delimiter: b';',
            bom: true,
            ..CsvOptions::default()
        }
    }
}

/// Why a table could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The CSV delimiter cannot separate fields.
    #[error("{0:?} cannot separate fields; use a comma, semicolon, tab or vertical bar.")]
    BadDelimiter(char),
    /// A cell is longer than a spreadsheet cell may be.
    #[error(
        "Row {row}, column {column} holds {chars} characters; an Excel cell holds at most 32,767. \
         Export as CSV instead."
    )]
    CellTooLong {
        /// The 1-based spreadsheet row (the header is row 1).
        row: u64,
        /// The 1-based column.
        column: usize,
        /// The cell's length in UTF-16 units, as Excel counts.
        chars: usize,
    },
    /// More rows or columns than a worksheet has.
    #[error("The table has more rows or columns than an Excel sheet holds; export as CSV instead.")]
    TooLargeForExcel,
    /// Something else went wrong inside the XLSX writer.
    #[error("The spreadsheet could not be written: {0}")]
    Xlsx(String),
    /// Something went wrong inside the CSV writer (not expected when writing to memory).
    #[error("The CSV file could not be written: {0}")]
    Csv(String),
}

/// Writes `table` as CSV: the header row (if any), then the rows, each cell quoted only when
/// it must be.
pub fn write_csv(table: &Table, options: &CsvOptions) -> Result<Vec<u8>, WriteError> {
    let d = options.delimiter;
    if matches!(d, b'"' | b'\r' | b'\n') || !d.is_ascii() {
        return Err(WriteError::BadDelimiter(char::from(d)));
    }
    let mut out = Vec::new();
    // A reader drops one leading U+FEFF as a byte-order mark; a first cell that starts with
    // one of its own would lose it, unless a real mark goes first.
    let first_cell_has_feff = table
        .headers
        .first()
        .or_else(|| table.rows.first().and_then(|r| r.cells.first()))
        .is_some_and(|c| c.starts_with('\u{FEFF}'));
    if options.bom || first_cell_has_feff {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let terminator = if options.crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let writer = |out: Vec<u8>, quote: csv::QuoteStyle| {
        csv::WriterBuilder::new()
            .delimiter(d)
            .terminator(terminator)
            .quote_style(quote)
            .double_quote(true)
            .flexible(true)
            .from_writer(out)
    };
    let csv_error = |e: csv::Error| WriteError::Csv(e.to_string());
    let finish = |w: csv::Writer<Vec<u8>>| {
        w.into_inner()
            .map_err(|e| WriteError::Csv(e.error().to_string()))
    };
    let cell = |c: &str| -> String {
        if options.neutralise_formulas {
            neutralise(c).into_owned()
        } else {
            c.to_owned()
        }
    };
    let mut records = (!table.headers.is_empty())
        .then_some(&table.headers)
        .into_iter()
        .chain(table.rows.iter().map(|r| &r.cells));
    if let Some(first) = records.next() {
        // A first line `sep=;` is Excel's way of naming the delimiter, and a reader takes it
        // for that: a first cell starting so is written quoted.
        let quote = if first.first().is_some_and(|c| c.starts_with("sep=")) {
            csv::QuoteStyle::Always
        } else {
            csv::QuoteStyle::Necessary
        };
        let mut w = writer(out, quote);
        w.write_record(first.iter().map(|c| cell(c)))
            .map_err(csv_error)?;
        out = finish(w)?;
    }
    let mut w = writer(out, csv::QuoteStyle::Necessary);
    for record in records {
        w.write_record(record.iter().map(|c| cell(c)))
            .map_err(csv_error)?;
    }
    finish(w)
}

/// The widest a column is made, in characters, however long its text.
const MAX_COLUMN_WIDTH: usize = 60;
/// How many rows are measured to choose column widths.
const WIDTH_SAMPLE_ROWS: usize = 1_000;
/// Excel's largest cell, in UTF-16 units.
const MAX_EXCEL_CELL: usize = 32_767;

/// Writes `table` as an XLSX workbook with one sheet: the header row bold and frozen, every
/// cell a string (never a formula), columns wide enough for their text (within reason).
/// `sheet_name` is made acceptable to Excel (at most 31 characters, none of `[]:*?/\`).
pub fn write_xlsx(table: &Table, sheet_name: &str) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(excel_sheet_name(sheet_name))
        .map_err(xlsx_error)?;
    let bold = Format::new().set_bold();
    let columns = table
        .rows
        .iter()
        .map(|r| r.cells.len())
        .chain([table.headers.len()])
        .max()
        .unwrap_or(0);
    if columns > 16_384 || table.rows.len() >= 1_048_576 {
        return Err(WriteError::TooLargeForExcel);
    }
    let mut widths = vec![0usize; columns];
    let mut next_row: u32 = 0;
    if !table.headers.is_empty() {
        for (c, h) in table.headers.iter().enumerate() {
            check_length(h, 1, c)?;
            sheet
                .write_string_with_format(0, c as u16, h.as_str(), &bold)
                .map_err(xlsx_error)?;
            widths[c] = display_width(h);
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        next_row = 1;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = next_row + i as u32;
        for (c, cell) in row.cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            check_length(cell, u64::from(r) + 1, c)?;
            sheet
                .write_string(r, c as u16, cell.as_str())
                .map_err(xlsx_error)?;
            if i < WIDTH_SAMPLE_ROWS {
                widths[c] = widths[c].max(display_width(cell));
            }
        }
    }
    for (c, w) in widths.into_iter().enumerate() {
        let width = (w + 2).clamp(8, MAX_COLUMN_WIDTH + 2);
        sheet
            .set_column_width(c as u16, width as f64)
            .map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

fn xlsx_error(e: XlsxError) -> WriteError {
    match e {
        XlsxError::RowColumnLimitError => WriteError::TooLargeForExcel,
        e => WriteError::Xlsx(e.to_string()),
    }
}

fn check_length(cell: &str, row: u64, column: usize) -> Result<(), WriteError> {
    // A cheap bound first: UTF-16 units never exceed UTF-8 bytes.
    if cell.len() > MAX_EXCEL_CELL {
        let chars = cell.encode_utf16().count();
        if chars > MAX_EXCEL_CELL {
            return Err(WriteError::CellTooLong {
                row,
                column: column + 1,
                chars,
            });
        }
    }
    Ok(())
}

/// The width of a cell's longest line, in characters.
fn display_width(cell: &str) -> usize {
    cell.lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_COLUMN_WIDTH)
}

/// A sheet name Excel accepts: forbidden characters replaced, at most 31 UTF-16 units, not
/// starting or ending with an apostrophe, not empty.
fn excel_sheet_name(name: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for ch in name.trim().chars() {
        let ch = if matches!(ch, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || ch.is_control() {
            '_'
        } else {
            ch
        };
        units += ch.len_utf16();
        if units > 31 {
            break;
        }
        out.push(ch);
    }
    let out = out.trim_matches('\'').to_owned();
    if out.is_empty() {
        "Sheet1".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Row;

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    line: i as u64 + 2,
                    cells: r.iter().map(|c| (*c).to_owned()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn csv_quotes_only_what_it_must_and_neutralises_formulas() {
        let t = table(
            &["name", "note"],
            &[
                &["a,b", "say \"hi\""],
                &["=1+2", "line\nbreak"],
                &["-5", ""],
            ],
        );
        let out = write_csv(&t, &CsvOptions::default()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,note\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n'=1+2,\"line\nbreak\"\r\n'-5,\r\n"
        );
    }

    #[test]
    fn csv_options() {
        let t = table(&["a", "b"], &[&["1;2", "3"]]);
        let out = write_csv(&t, &CsvOptions::excel_russian()).unwrap();
        assert_eq!(out, b"\xEF\xBB\xBFa;b\r\n\"1;2\";3\r\n");
        let lf = CsvOptions {
            crlf: false,
            neutralise_formulas: false,
            ..CsvOptions::default()
        };
        let t = table(&["a"], &[&["=x"]]);
        assert_eq!(write_csv(&t, &lf).unwrap(), b"a\n=x\n");
        let bad = CsvOptions {
            delimiter: b'\n',
            ..CsvOptions::default()
        };
        assert_eq!(write_csv(&t, &bad), Err(WriteError::BadDelimiter('\n')));
    }

    #[test]
    fn a_first_cell_starting_with_feff_gets_a_real_bom_before_it() {
        let t = table(&["\u{FEFF}a"], &[]);
        assert_eq!(
            write_csv(&t, &CsvOptions::default()).unwrap(),
            "\u{FEFF}\u{FEFF}a\r\n".as_bytes()
        );
    }

    #[test]
    fn a_first_cell_that_looks_like_excels_sep_line_is_quoted() {
        // Found by fuzzing: the header "sep=" with `|` came back as Excel's delimiter line.
        let t = table(&["sep=", ""], &[&["a", "b"]]);
        let options = CsvOptions {
            delimiter: b'|',
            crlf: false,
            ..CsvOptions::default()
        };
        assert_eq!(write_csv(&t, &options).unwrap(), b"\"sep=\"|\"\"\na|b\n");
    }

    #[test]
    fn xlsx_header_is_bold_and_frozen_and_columns_fit_their_text() {
        use std::io::Read;
        let t = table(
            &["Название", "Год"],
            &[
                &["Знак «Ворошиловский стрелок» II ступени", "1934"],
                &["=1+2", ""],
            ],
        );
        let bytes = write_xlsx(&t, "Знаки").unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = |name: &str| {
            let mut s = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        let sheet = xml("xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{sheet}"
        );
        // Every cell is a (shared) string, none a formula.
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert_eq!(sheet.matches(r#" t="s""#).count(), 5);
        // The long name's column is wider than the year's, which keeps the minimum.
        assert!(
            sheet.contains(r#"<col min="1" max="1" width="41.7109375" customWidth="1"/>"#),
            "{sheet}"
        );
        assert!(
            sheet.contains(r#"<col min="2" max="2" width="8.7109375" customWidth="1"/>"#),
            "{sheet}"
        );
        let styles = xml("xl/styles.xml");
        assert!(styles.contains("<b/>"), "{styles}");
        assert!(sheet.contains(r#"<c r="A1" s="1" t="s">"#), "{sheet}");
    }

    #[test]
    fn sheet_names() {
        assert_eq!(excel_sheet_name("Коллекция"), "Коллекция");
        assert_eq!(excel_sheet_name("a/b:c[1]"), "a_b_c_1_");
        assert_eq!(excel_sheet_name("'quoted'"), "quoted");
        assert_eq!(excel_sheet_name("  "), "Sheet1");
        assert_eq!(excel_sheet_name(&"я".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn xlsx_refuses_a_cell_longer_than_excel_allows() {
        let long = "x".repeat(MAX_EXCEL_CELL + 1);
        let t = table(&["a"], &[&[&long]]);
        assert_eq!(
            write_xlsx(&t, "s"),
            Err(WriteError::CellTooLong {
                row: 2,
                column: 1,
                chars: MAX_EXCEL_CELL + 1
            })
        );
        let fits = "я".repeat(MAX_EXCEL_CELL);
        assert!(write_xlsx(&table(&["a"], &[&[&fits]]), "s").is_ok());
    }
}
