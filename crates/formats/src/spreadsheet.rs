//! Spreadsheets (XLSX, ODS) to a [`Table`], with calamine.
//!
//! Before calamine inflates anything, the file's zip is checked ([`crate::bundle`]) and, for
//! ODS, its XML is scanned for repeat counts that would expand into gigabytes
//! ([`crate::ods_guard`]). XLSX sheets are read cell by cell (calamine's streaming reader), not
//! through its dense ranges, whose size a sheet's two far-apart cells would decide.
//!
//! Old binary workbooks (.xls, .xlsb) are refused with advice to save as .xlsx: calamine reads
//! every sheet of an .xls into a dense range sized by the file's own dimension records when it
//! opens it, which no check here could bound without parsing BIFF ourselves.
//!
//! Cells become text: strings as they are; whole numbers without `.0`; other numbers in their
//! shortest round-trip form (`0.1`, not `0.1000000000000000055`); dates as `YYYY-MM-DD`,
//! date-times as `YYYY-MM-DDTHH:MM:SS`, times and durations as `HH:MM:SS`; booleans as
//! `TRUE`/`FALSE`; error cells as the error's text (`#DIV/0!`), each also listed in
//! [`Sheet::error_cells`] so the caller can point at it.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Ods, Reader, SheetType, SheetVisible, Xlsx};

use crate::bundle::{self, ZipError, ZipLimits};
use crate::cell_text::{bool_text, datetime_text, duration_iso_text, float_text, reference};
use crate::limits::{LimitError, Limits, TableBuilder};
use crate::ods_guard::{self, OdsScan, ScanError};
use crate::table::Table;

/// The spreadsheet formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpreadsheetFormat {
    /// Office Open XML (Excel 2007 and later).
    Xlsx,
    /// OpenDocument (LibreOffice, OpenOffice).
    Ods,
}

/// Bounds on a spreadsheet: its zip, and the table read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpreadsheetOptions {
    /// Bounds on the table.
    pub limits: Limits,
    /// Bounds on the zip the workbook is stored in.
    pub zip: ZipLimits,
}

/// One sheet read into a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// Its rows; each row's `line` is the spreadsheet's row number.
    pub table: Table,
    /// Cells that hold a formula error (`#DIV/0!`, `#N/A`…), in sheet order.
    pub error_cells: Vec<ErrorCell>,
}

/// A cell holding a formula error rather than a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCell {
    /// The cell's reference, as the spreadsheet shows it (`C5`).
    pub reference: String,
    /// Its 1-based row.
    pub row: u64,
    /// Its 1-based column.
    pub column: u32,
    /// The error's text (`#DIV/0!`).
    pub error: String,
}

/// Why a spreadsheet could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpreadsheetError {
    /// Neither XLSX nor ODS.
    #[error("The file is not an XLSX or ODS spreadsheet.")]
    UnknownFormat,
    /// An .xls or .xlsb workbook.
    #[error(
        "This is an {0} workbook, which is not read. Open it in Excel or LibreOffice and save it \
         as .xlsx (Excel Workbook), or export the sheet as CSV."
    )]
    OldExcel(&'static str),
    /// A password-protected workbook.
    #[error(
        "The workbook is protected by a password; save a copy without the password and try again."
    )]
    Encrypted,
    /// The zip inside the file was refused.
    #[error(transparent)]
    Zip(#[from] ZipError),
    /// A bound of [`Limits`] was crossed.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// The workbook has no sheet of that name.
    #[error("The workbook has no sheet named \"{name}\"; its sheets are: {}.", available.join(", "))]
    NoSuchSheet {
        /// The name asked for.
        name: String,
        /// The sheets it has.
        available: Vec<String>,
    },
    /// The workbook has no worksheet at all.
    #[error("The workbook has no sheets.")]
    NoSheets,
    /// calamine could not read it.
    #[error("The spreadsheet is damaged or not understood ({0}).")]
    Damaged(String),
}

impl From<ScanError> for SpreadsheetError {
    fn from(e: ScanError) -> Self {
        match e {
            ScanError::Limit(e) => SpreadsheetError::Limit(e),
            ScanError::Damaged(m) => SpreadsheetError::Damaged(m),
        }
    }
}

/// What kind of spreadsheet `bytes` are, if any we read. Refusals (.xls, .xlsb, a password)
/// are errors with advice.
pub fn sniff_spreadsheet(bytes: &[u8]) -> Result<SpreadsheetFormat, SpreadsheetError> {
    const CFB: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.starts_with(CFB) {
        // An encrypted XLSX is stored in the same container as an .xls.
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(marker.len()).any(|w| w == marker) {
            return Err(SpreadsheetError::Encrypted);
        }
        return Err(SpreadsheetError::OldExcel("Excel 97–2003 (.xls)"));
    }
    if !bytes.starts_with(b"PK") {
        return Err(SpreadsheetError::UnknownFormat);
    }
    let archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| SpreadsheetError::UnknownFormat)?;
    let has = |name: &str| archive.index_for_name(name).is_some();
    if has("xl/workbook.xml") {
        Ok(SpreadsheetFormat::Xlsx)
    } else if has("xl/workbook.bin") {
        Err(SpreadsheetError::OldExcel("Excel binary (.xlsb)"))
    } else if has("content.xml") && is_ods_mimetype(bytes) {
        Ok(SpreadsheetFormat::Ods)
    } else {
        Err(SpreadsheetError::UnknownFormat)
    }
}

/// Whether the archive's `mimetype` entry names an OpenDocument spreadsheet (read within a
/// small bound).
fn is_ods_mimetype(bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let Ok(file) = archive.by_name("mimetype") else {
        // A few writers leave it out; content.xml is enough to try.
        return true;
    };
    let mut head = Vec::new();
    if file.take(100).read_to_end(&mut head).is_err() {
        return false;
    }
    head.starts_with(b"application/vnd.oasis.opendocument.spreadsheet")
}

/// An opened, checked workbook.
pub struct Workbook<'a> {
    inner: Inner<'a>,
    limits: Limits,
}

enum Inner<'a> {
    Xlsx(Box<Xlsx<Cursor<&'a [u8]>>>),
    Ods(Box<Ods<Cursor<&'a [u8]>>>, OdsScan),
}

impl std::fmt::Debug for Workbook<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook")
            .field("format", &self.format())
            .field("sheets", &self.sheet_names())
            .finish_non_exhaustive()
    }
}

impl<'a> Workbook<'a> {
    /// Checks and opens a workbook. The zip is verified (directory and real sizes) before
    /// calamine reads anything; an ODS is also scanned for expanding repeats.
    pub fn open(bytes: &'a [u8], options: &SpreadsheetOptions) -> Result<Self, SpreadsheetError> {
        let format = sniff_spreadsheet(bytes)?;
        bundle::verify_archive(bytes, &options.zip)?;
        let damaged = |e: &dyn std::fmt::Display| SpreadsheetError::Damaged(e.to_string());
        let inner = match format {
            SpreadsheetFormat::Xlsx => Inner::Xlsx(Box::new(
                calamine::open_workbook_from_rs(Cursor::new(bytes))
                    .map_err(|e: calamine::XlsxError| damaged(&e))?,
            )),
            SpreadsheetFormat::Ods => {
                let scan = ods_guard::scan(bytes, &options.limits)?;
                let ods = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(
                    |e: calamine::OdsError| {
                        if matches!(e, calamine::OdsError::Password) {
                            SpreadsheetError::Encrypted
                        } else {
                            damaged(&e)
                        }
                    },
                )?;
                Inner::Ods(Box::new(ods), scan)
            }
        };
        Ok(Workbook {
            inner,
            limits: options.limits,
        })
    }

    /// The workbook's format.
    pub fn format(&self) -> SpreadsheetFormat {
        match self.inner {
            Inner::Xlsx(_) => SpreadsheetFormat::Xlsx,
            Inner::Ods(..) => SpreadsheetFormat::Ods,
        }
    }

    fn metadata(&self) -> &[calamine::Sheet] {
        match &self.inner {
            Inner::Xlsx(x) => x.sheets_metadata(),
            Inner::Ods(o, _) => o.sheets_metadata(),
        }
    }

    /// The names of the worksheets (not chart sheets), in workbook order, hidden ones included.
    pub fn sheet_names(&self) -> Vec<String> {
        self.metadata()
            .iter()
            .filter(|s| s.typ == SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .collect()
    }

    /// The sheet read by default: the first visible worksheet, else the first worksheet.
    pub fn default_sheet(&self) -> Option<String> {
        let sheets = self
            .metadata()
            .iter()
            .filter(|s| s.typ == SheetType::WorkSheet);
        sheets
            .clone()
            .find(|s| s.visible == SheetVisible::Visible)
            .or_else(|| sheets.clone().next())
            .map(|s| s.name.clone())
    }

    /// Reads the sheet named `name` (or the [default](Workbook::default_sheet) one).
    pub fn read_sheet(&mut self, name: Option<&str>) -> Result<Sheet, SpreadsheetError> {
        let name = match name {
            Some(n) if self.sheet_names().iter().any(|s| s == n) => n.to_owned(),
            Some(n) => {
                return Err(SpreadsheetError::NoSuchSheet {
                    name: n.to_owned(),
                    available: self.sheet_names(),
                });
            }
            None => self.default_sheet().ok_or(SpreadsheetError::NoSheets)?,
        };
        let limits = self.limits;
        let (table, error_cells) = match &mut self.inner {
            Inner::Xlsx(x) => read_xlsx_sheet(x, &name, &limits)?,
            Inner::Ods(o, scan) => read_ods_sheet(o, scan, &name, &limits)?,
        };
        Ok(Sheet {
            name,
            table,
            error_cells,
        })
    }
}

/// Opens `bytes` and lists its worksheets.
pub fn sheet_names(
    bytes: &[u8],
    options: &SpreadsheetOptions,
) -> Result<Vec<String>, SpreadsheetError> {
    Ok(Workbook::open(bytes, options)?.sheet_names())
}

/// Opens `bytes` and reads one sheet (by default the first visible one).
pub fn read_sheet(
    bytes: &[u8],
    sheet: Option<&str>,
    options: &SpreadsheetOptions,
) -> Result<Sheet, SpreadsheetError> {
    Workbook::open(bytes, options)?.read_sheet(sheet)
}

/// Cells of one sheet by row, each row's cells as (0-based column, text).
type SparseRows = BTreeMap<u32, Vec<(u32, String)>>;

fn read_xlsx_sheet(
    xlsx: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<(Table, Vec<ErrorCell>), SpreadsheetError> {
    let damaged = |e: calamine::XlsxError| SpreadsheetError::Damaged(e.to_string());
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(damaged)?;
    let mut rows = SparseRows::new();
    let mut errors = Vec::new();
    let mut cells = 0usize;
    let mut text = 0usize;
    while let Some(cell) = reader.next_cell().map_err(damaged)? {
        let (row, col) = cell.get_position();
        let value = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s)
                if s.is_empty() =>
            {
                continue;
            }
            DataRef::SharedString("") => continue,
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) => float_text(*f),
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => {
                // Refuse before copying: one shared string may be referenced by every cell.
                check_cell(s.len(), row, col, limits)?;
                (*s).to_owned()
            }
            DataRef::Bool(b) => bool_text(*b),
            DataRef::DateTime(dt) => datetime_text(dt),
            DataRef::DateTimeIso(s) => s.clone(),
            DataRef::DurationIso(s) => duration_iso_text(s),
            DataRef::Error(e) => {
                let error = e.to_string();
                errors.push(error_cell(row, col, &error));
                error
            }
        };
        check_cell(value.len(), row, col, limits)?;
        cells += 1;
        text += value.len();
        if cells > limits.max_cells {
            return Err(LimitError::TooManyCells {
                limit: limits.max_cells,
            }
            .into());
        }
        if text > limits.max_text_bytes {
            return Err(LimitError::TooMuchText {
                limit: limits.max_text_bytes,
            }
            .into());
        }
        rows.entry(row).or_default().push((col, value));
    }
    errors.sort_by_key(|e| (e.row, e.column));
    Ok((build(rows, limits)?, errors))
}

fn read_ods_sheet(
    ods: &mut Ods<Cursor<&[u8]>>,
    scan: &OdsScan,
    name: &str,
    limits: &Limits,
) -> Result<(Table, Vec<ErrorCell>), SpreadsheetError> {
    let range = ods
        .worksheet_range(name)
        .map_err(|e| SpreadsheetError::Damaged(e.to_string()))?;
    let Some((row0, col0)) = range.start() else {
        return Ok((Table::default(), Vec::new()));
    };
    let mut rows = SparseRows::new();
    for (i, cells) in range.rows().enumerate() {
        let row = row0 + i as u32;
        for (j, value) in cells.iter().enumerate() {
            let col = col0 + j as u32;
            let text = match value {
                Data::Empty => continue,
                Data::Int(i) => i.to_string(),
                Data::Float(f) => float_text(*f),
                Data::String(s) | Data::DateTimeIso(s) => s.clone(),
                Data::DurationIso(s) => duration_iso_text(s),
                Data::Bool(b) => bool_text(*b),
                Data::DateTime(dt) => datetime_text(dt),
                Data::Error(e) => e.to_string(),
            };
            if text.is_empty() {
                continue;
            }
            check_cell(text.len(), row, col, limits)?;
            rows.entry(row).or_default().push((col, text));
        }
    }
    let mut errors = Vec::new();
    if let Some((_, positions)) = scan.errors.iter().find(|(n, _)| n == name) {
        for &(row, col) in positions {
            let text = range
                .get_value((row, col))
                .map(|v| v.to_string())
                .unwrap_or_default();
            errors.push(error_cell(row, col, &text));
        }
    }
    Ok((build(rows, limits)?, errors))
}

fn check_cell(len: usize, row: u32, col: u32, limits: &Limits) -> Result<(), LimitError> {
    if len > limits.max_cell_bytes {
        return Err(LimitError::CellTooLarge {
            place: format!("cell {}", reference(row, col)),
            bytes: len,
            limit: limits.max_cell_bytes,
        });
    }
    Ok(())
}

/// Lays sparse cells out as rows, from the leftmost filled column of the sheet to each row's
/// last filled cell.
fn build(rows: SparseRows, limits: &Limits) -> Result<Table, LimitError> {
    let first_col = rows.values().flatten().map(|(c, _)| *c).min().unwrap_or(0);
    let mut builder = TableBuilder::new(limits);
    for (row, mut cells) in rows {
        // Streamed cells are normally in order; a later duplicate wins.
        cells.sort_by_key(|(c, _)| *c);
        let last = cells.last().map_or(0, |(c, _)| *c);
        let width = (last - first_col) as usize + 1;
        if width > limits.max_columns {
            return Err(LimitError::TooManyColumns {
                place: format!("row {}", u64::from(row) + 1),
                columns: width,
                limit: limits.max_columns,
            });
        }
        let mut out = vec![String::new(); width];
        for (c, text) in cells {
            out[(c - first_col) as usize] = text;
        }
        let line = u64::from(row) + 1;
        let keep = builder.check(
            out.iter().map(String::len),
            |c| format!("cell {}", reference(row, first_col + c as u32 - 1)),
            || format!("row {line}"),
        )?;
        builder.push(line, out, keep)?;
    }
    Ok(builder.finish())
}

fn error_cell(row: u32, col: u32, error: &str) -> ErrorCell {
    ErrorCell {
        reference: reference(row, col),
        row: u64::from(row) + 1,
        column: col + 1,
        error: error.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_apart_cells_make_a_column_error_not_a_huge_table() {
        let mut rows = SparseRows::new();
        rows.insert(0, vec![(0, "a".into())]);
        rows.insert(1_048_575, vec![(16_383, "b".into())]);
        assert!(matches!(
            build(rows, &Limits::default()),
            Err(LimitError::TooManyColumns {
                columns: 16_384,
                ..
            })
        ));
    }

    #[test]
    fn sniffing_refusals() {
        assert_eq!(
            sniff_spreadsheet(b"a,b\n"),
            Err(SpreadsheetError::UnknownFormat)
        );
        let xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest";
        assert!(matches!(
            sniff_spreadsheet(xls),
            Err(SpreadsheetError::OldExcel(_))
        ));
        let mut encrypted = xls.to_vec();
        encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            sniff_spreadsheet(&encrypted),
            Err(SpreadsheetError::Encrypted)
        );
    }
}
