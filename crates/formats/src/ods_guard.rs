//! A scan of an ODS file's `content.xml` before calamine reads it.
//!
//! ODS compresses twice: the zip, and the XML itself, where one element can say "this row,
//! 1,048,576 times" or "this cell, 16,384 times" or "a run of a billion spaces". calamine
//! expands those as it opens the file (every sheet at once, each into a dense rectangle of
//! values and formulas), so a 2 KB file could ask for many gigabytes. This scan walks the same
//! XML without expanding anything and computes upper bounds on what calamine would build; the
//! file is refused when they pass [`Limits`]. It also notes where error cells are, since
//! calamine hands them over as plain text.

use std::io::{BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};

use crate::limits::{LimitError, Limits};

/// calamine's caps on a sheet (it caps repeats to these).
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;
/// The most error cells noted per sheet.
const MAX_ERRORS: usize = 1_000;

/// What the scan found in each sheet.
#[derive(Debug, Default)]
pub(crate) struct OdsScan {
    /// Per sheet (by name): the 0-based (row, column) of error cells.
    pub errors: Vec<(String, Vec<(u32, u32)>)>,
}

/// Why the scan refused the file.
#[derive(Debug)]
pub(crate) enum ScanError {
    Limit(LimitError),
    Damaged(String),
}

#[derive(Default)]
struct Totals {
    /// Cells calamine stores while reading (before expanding repeated rows).
    stored: u64,
    /// Cells in the dense rectangles it builds.
    area: u64,
    /// Bytes of text it copies.
    text: u64,
}

/// Scans `content.xml` of the (already size-verified) ODS `bytes`.
pub(crate) fn scan(bytes: &[u8], limits: &Limits) -> Result<OdsScan, ScanError> {
    let damaged = |e: &dyn std::fmt::Display| ScanError::Damaged(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    let content = archive.by_name("content.xml").map_err(|e| damaged(&e))?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    reader.config_mut().expand_empty_elements = true;
    let mut scan = OdsScan::default();
    let mut totals = Totals::default();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e) if e.name().as_ref() == "table:table" => {
                let name = attr(&e, "table:name").unwrap_or_default();
                let errors = scan_table(&mut reader, &mut totals, limits)?;
                scan.errors.push((name, errors));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(scan)
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.into_owned())
}

fn number(e: &BytesStart<'_>, key: &str) -> u64 {
    attr(e, key)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

fn check(totals: &Totals, limits: &Limits) -> Result<(), ScanError> {
    let max_cells = limits.max_cells as u64;
    if totals.stored > max_cells || totals.area > max_cells {
        return Err(ScanError::Limit(LimitError::TooManyCells {
            limit: limits.max_cells,
        }));
    }
    if totals.text > limits.max_text_bytes as u64 {
        return Err(ScanError::Limit(LimitError::TooMuchText {
            limit: limits.max_text_bytes,
        }));
    }
    Ok(())
}

/// Scans one `table:table` up to its end tag. Returns its error cells.
fn scan_table<R: std::io::BufRead>(
    reader: &mut quick_xml::Reader<R>,
    totals: &mut Totals,
    limits: &Limits,
) -> Result<Vec<(u32, u32)>, ScanError> {
    let damaged = |e: &dyn std::fmt::Display| ScanError::Damaged(e.to_string());
    let mut buf = Vec::new();
    let mut errors = Vec::new();
    let mut row: u64 = 0;
    let mut first_filled: Option<u64> = None;
    let mut filled_end: u64 = 0;
    let mut width: u64 = 0;
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                let repeats =
                    number(&e, "table:number-rows-repeated").min(MAX_ROWS - row.min(MAX_ROWS));
                let (last_col, text) = scan_row(reader, row, &mut errors)?;
                if last_col > 0 {
                    first_filled.get_or_insert(row);
                    filled_end = row + repeats;
                    width = width.max(last_col);
                    totals.stored += last_col;
                    totals.text = totals
                        .text
                        .saturating_add(text.saturating_mul(repeats.max(1)));
                }
                row += repeats;
                check(totals, limits)?;
            }
            Event::End(e) if e.name().as_ref() == "table:table" => break,
            Event::Eof => return Err(damaged(&"content.xml ends inside a sheet")),
            _ => {}
        }
        buf.clear();
    }
    if let Some(first) = first_filled {
        // Values and formulas: two rectangles.
        totals.area = totals
            .area
            .saturating_add((filled_end - first).saturating_mul(width).saturating_mul(2));
        check(totals, limits)?;
    }
    Ok(errors)
}

/// Scans one row up to its end tag: returns the column just past its last filled cell and the
/// bytes of text its cells would hold (repeats counted).
fn scan_row<R: std::io::BufRead>(
    reader: &mut quick_xml::Reader<R>,
    row: u64,
    errors: &mut Vec<(u32, u32)>,
) -> Result<(u64, u64), ScanError> {
    let damaged = |e: &dyn std::fmt::Display| ScanError::Damaged(e.to_string());
    let mut buf = Vec::new();
    let mut col: u64 = 0;
    let mut last_col: u64 = 0;
    let mut text: u64 = 0;
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let repeats = number(&e, "table:number-columns-repeated")
                    .min(MAX_COLUMNS - col.min(MAX_COLUMNS));
                let mut filled = false;
                let mut is_error = false;
                let mut bytes: u64 = 0;
                for a in e.attributes().with_checks(false).flatten() {
                    match a.key.as_ref() {
                        "office:value-type"
                        | "office:value"
                        | "office:string-value"
                        | "office:date-value"
                        | "office:time-value"
                        | "office:boolean-value"
                        | "table:formula" => {
                            filled = true;
                            bytes += a.value.len() as u64;
                        }
                        "calcext:value-type" => is_error = a.value.as_ref() == "error",
                        _ => {}
                    }
                }
                let name = e.name().as_ref().to_owned();
                bytes = bytes.saturating_add(scan_cell_content(reader, &name)?);
                if filled && repeats > 0 {
                    last_col = col + repeats;
                    text = text.saturating_add(bytes.saturating_mul(repeats));
                    if is_error && errors.len() < MAX_ERRORS {
                        errors.push((row.min(u64::from(u32::MAX)) as u32, col as u32));
                    }
                }
                col += repeats;
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => break,
            Event::Eof => return Err(damaged(&"content.xml ends inside a row")),
            _ => {}
        }
        buf.clear();
    }
    Ok((last_col, text))
}

/// Reads a cell's content up to its end tag: an upper bound on the bytes of text calamine
/// would make of it (escaped text is never shorter than unescaped; `text:s` is a run of
/// spaces).
fn scan_cell_content<R: std::io::BufRead>(
    reader: &mut quick_xml::Reader<R>,
    cell_name: &str,
) -> Result<u64, ScanError> {
    let damaged = |e: &dyn std::fmt::Display| ScanError::Damaged(e.to_string());
    let mut buf = Vec::new();
    let mut bytes: u64 = 0;
    let mut depth = 0u32;
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e) => {
                if e.name().as_ref() == cell_name {
                    depth += 1;
                }
                bytes = bytes.saturating_add(if e.name().as_ref() == "text:s" {
                    number(&e, "text:c")
                } else {
                    1
                });
            }
            Event::End(e) if e.name().as_ref() == cell_name => {
                if depth == 0 {
                    return Ok(bytes);
                }
                depth -= 1;
            }
            Event::Text(t) => bytes = bytes.saturating_add(t.len() as u64),
            Event::CData(t) => bytes = bytes.saturating_add(t.len() as u64),
            Event::GeneralRef(_) => bytes = bytes.saturating_add(4),
            Event::Eof => return Err(damaged(&"content.xml ends inside a cell")),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn content_of(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        archive
            .by_name("content.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    fn ods(content: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(content.as_bytes()).unwrap();
        w.finish().unwrap().into_inner()
    }

    fn doc(rows: &str) -> String {
        format!(
            "<office:document-content><office:body><office:spreadsheet>\
             <table:table table:name=\"S\">{rows}</table:table>\
             </office:spreadsheet></office:body></office:document-content>"
        )
    }

    #[test]
    fn ordinary_sheets_pass_and_errors_are_noted() {
        let bytes = ods(&doc(
            "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>a</text:p></table:table-cell>\
             <table:table-cell table:number-columns-repeated=\"3\"/>\
             <table:table-cell office:value-type=\"string\" calcext:value-type=\"error\" table:formula=\"of:=1/0\"><text:p>#DIV/0!</text:p></table:table-cell></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>",
        ));
        assert!(content_of(&bytes).contains("#DIV/0!"));
        let scan = scan(&bytes, &Limits::default()).unwrap();
        assert_eq!(scan.errors, [("S".to_owned(), vec![(0, 4)])]);
    }

    #[test]
    fn repeated_rows_and_cells_are_bounded() {
        let bomb = ods(&doc(
            "<table:table-row table:number-rows-repeated=\"1048576\">\
             <table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>",
        ));
        assert!(bomb.len() < 1_000);
        assert!(matches!(
            scan(&bomb, &Limits::default()),
            Err(ScanError::Limit(_))
        ));
        // Without text to copy, the area alone refuses it.
        let empty_text = Limits {
            max_text_bytes: usize::MAX,
            ..Limits::default()
        };
        assert!(matches!(
            scan(&bomb, &empty_text),
            Err(ScanError::Limit(LimitError::TooManyCells { .. }))
        ));
    }

    #[test]
    fn a_run_of_spaces_is_bounded() {
        let bomb = ods(&doc(
            "<table:table-row><table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"4000000000\"/></text:p></table:table-cell></table:table-row>",
        ));
        assert!(matches!(
            scan(&bomb, &Limits::default()),
            Err(ScanError::Limit(LimitError::TooMuchText { .. }))
        ));
    }

    #[test]
    fn many_wide_rows_are_bounded_before_expansion() {
        let row = "<table:table-row><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>";
        let bomb = ods(&doc(&row.repeat(1_000)));
        assert!(matches!(
            scan(&bomb, &Limits::default()),
            Err(ScanError::Limit(LimitError::TooManyCells { .. }))
        ));
    }
}
