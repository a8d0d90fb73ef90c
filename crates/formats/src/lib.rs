//! Tables in and out of files. A [`Table`] is what every reader produces and every writer
//! takes: a header row and data rows of text cells, each row knowing the physical line (or
//! spreadsheet row) it came from, so that a problem found later can be reported where the
//! user will look for it. This crate knows nothing of badges: mapping columns to fields and
//! cells to values is `vitrina-transfer`'s job.
//!
//! Every reader refuses rather than guesses: bytes that are not text in the chosen encoding,
//! a quote that never closes, a zip bomb or a cell of a gigabyte are errors that say where and
//! why, in words a collector understands. [`Limits`] bound what any reader keeps.

mod bundle;
mod cell_text;
mod decode;
mod delimited;
pub mod formula;
mod json;
mod limits;
mod lines;
mod ods_guard;
mod spreadsheet;
mod table;
mod write;

pub use bundle::{Bundle, BundleEntry, ZipError, ZipLimits};
pub use decode::{
    DecodeError, Detection, DetectionMethod, Encoding, decode, decode_detected, detect,
};
pub use delimited::{
    CsvError, CsvRead, CsvReadOptions, DELIMITERS, read_csv, read_csv_text, sniff_delimiter,
};
pub use json::{JsonError, JsonOptions, read_json_records};
pub use limits::{LimitError, Limits};
pub use spreadsheet::{
    ErrorCell, Sheet, SpreadsheetError, SpreadsheetFormat, SpreadsheetOptions, Workbook,
    read_sheet, sheet_names, sniff_spreadsheet,
};
pub use table::{Row, Table};
pub use write::{CsvOptions, WriteError, write_csv, write_xlsx};
