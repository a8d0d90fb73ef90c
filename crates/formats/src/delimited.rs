//! Delimited text (CSV, TSV, semicolon-separated Excel exports) to a [`Table`].
//!
//! RFC 4180 as the `csv` crate reads it: quoted fields, doubled quotes, line breaks inside
//! quotes, CRLF, LF or a lone CR. On top of it this module adds what the crate leaves out: the
//! delimiter is sniffed (among `,` `;` tab `|`) unless given, Excel's `sep=;` first line is
//! honoured, each row knows the physical line where it starts, an unterminated quote is an
//! error naming the line where it opened (the crate would silently read to the end of the
//! file), and [`Limits`] bound what is kept.

use crate::decode::{self, DecodeError, Detection, Encoding};
use crate::formula::restore_owned;
use crate::limits::{LimitError, Limits, TableBuilder};
use crate::lines::LineIndex;
use crate::table::Table;

/// The delimiters [`sniff_delimiter`] chooses among, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How records are read from delimited text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvReadOptions {
    /// The field delimiter, or `None` to sniff it.
    pub delimiter: Option<u8>,
    /// The encoding, or `None` to detect it (see [`decode::detect`]).
    pub encoding: Option<Encoding>,
    /// Undo [`crate::formula::neutralise`] (drop the apostrophe our CSV export put before a
    /// formula-like cell). On by default, so that exported text comes back unchanged.
    pub restore_formulas: bool,
    /// Bounds on what is read.
    pub limits: Limits,
}

impl Default for CsvReadOptions {
    fn default() -> Self {
        CsvReadOptions {
            delimiter: None,
            encoding: None,
            restore_formulas: true,
            limits: Limits::default(),
        }
    }
}

/// A table read from delimited text, with what was found out on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRead {
    /// The rows.
    pub table: Table,
    /// The encoding the file was read in, and how it was found.
    pub detection: Detection,
    /// The delimiter used (given, from a `sep=` line, or sniffed).
    pub delimiter: u8,
}

/// Why delimited text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The bytes are not text in the chosen encoding.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A quoted field never ends.
    #[error(
        "A quotation mark opened on line {line} is never closed, so everything after it would \
         be read as one cell. Check that line for a stray or missing \"."
    )]
    UnterminatedQuote {
        /// The 1-based line of the opening quotation mark.
        line: u64,
    },
    /// The delimiter asked for cannot separate fields.
    #[error("{0:?} cannot separate fields; use a comma, semicolon, tab or vertical bar.")]
    BadDelimiter(char),
    /// A bound of [`Limits`] was crossed.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// The parser gave up (not expected with text input; kept so nothing panics).
    #[error("Line {line} could not be read as CSV: {message}")]
    Malformed {
        /// The 1-based line.
        line: u64,
        /// The parser's words.
        message: String,
    },
}

/// Detects (or takes) the encoding of `bytes`, decodes them, and reads them as delimited text.
pub fn read_csv(bytes: &[u8], options: &CsvReadOptions) -> Result<CsvRead, CsvError> {
    let (detection, text) = decode::decode_detected(bytes, options.encoding)?;
    // Decoding dropped the byte-order mark; a U+FEFF still there belongs to the first cell.
    let (table, delimiter) = read_decoded(&text, options)?;
    Ok(CsvRead {
        table,
        detection,
        delimiter,
    })
}

/// Reads already decoded delimited text (a leading U+FEFF is dropped). Returns the table and
/// the delimiter used. `options.encoding` is ignored.
pub fn read_csv_text(text: &str, options: &CsvReadOptions) -> Result<(Table, u8), CsvError> {
    read_decoded(text.strip_prefix('\u{FEFF}').unwrap_or(text), options)
}

/// Reads decoded text whose byte-order mark, if it had one, is gone.
fn read_decoded(text: &str, options: &CsvReadOptions) -> Result<(Table, u8), CsvError> {
    let (skip, declared) = match excel_sep_line(text) {
        Some((len, d)) => (len, Some(d)),
        None => (0, None),
    };
    let delimiter = match options.delimiter.or(declared) {
        Some(d) if matches!(d, b'"' | b'\r' | b'\n') || !d.is_ascii() => {
            return Err(CsvError::BadDelimiter(char::from(d)));
        }
        Some(d) => d,
        None => sniff_delimiter(&text[skip..]),
    };
    let bytes = text.as_bytes();
    let mut body = &bytes[skip..];
    // The csv crate drops a U+FEFF at the very start of its input as a byte-order mark. Ours is
    // gone already, so one still there belongs to the first cell: a blank line put before it
    // (which the parser skips) keeps it.
    let shifted;
    let shift = usize::from(body.starts_with("\u{FEFF}".as_bytes()));
    if shift == 1 {
        shifted = [b"\n", body].concat();
        body = &shifted;
    }
    let mut reader = reader(delimiter, body);
    let mut record = csv::StringRecord::new();
    let mut lines = LineIndex::new(bytes);
    let mut builder = TableBuilder::new(&options.limits);
    let mut last_start = skip;
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| CsvError::Malformed {
                line: e.position().map_or(0, csv::Position::line),
                message: e.to_string(),
            })?;
        if !more {
            break;
        }
        // The parser places a record after the previous one's last field, before its line
        // ending and any blank lines; the record itself starts after them.
        let after_previous = (skip + record.position().map_or(0, |p| p.byte() as usize))
            .saturating_sub(shift)
            .max(skip);
        let start = after_previous
            + bytes[after_previous..]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        last_start = start;
        let line = lines.line_of(start);
        let checked = builder.check(
            record.iter().map(str::len),
            |column| format!("line {line}, column {column}"),
            || format!("line {line}"),
        );
        let keep = match checked {
            Ok(keep) => keep,
            // A cell or row too large is most often a quote that never closes: say that.
            Err(e) => {
                return Err(match unterminated_quote(&bytes[start..], delimiter) {
                    Some(open) => CsvError::UnterminatedQuote {
                        line: lines.line_of(start + open),
                    },
                    None => e.into(),
                });
            }
        };
        if keep == 0 {
            continue;
        }
        let cells = record
            .iter()
            .take(keep)
            .map(|field| {
                let mut cell = field.to_owned();
                if options.restore_formulas {
                    restore_owned(&mut cell);
                }
                cell
            })
            .collect();
        builder.push(line, cells, keep)?;
    }
    if let Some(open) = unterminated_quote(&bytes[last_start..], delimiter) {
        return Err(CsvError::UnterminatedQuote {
            line: lines.line_of(last_start + open),
        });
    }
    Ok((builder.finish(), delimiter))
}

fn reader(delimiter: u8, body: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quoting(true)
        .double_quote(true)
        .escape(None)
        .comment(None)
        .trim(csv::Trim::None)
        .terminator(csv::Terminator::CRLF)
        .from_reader(body)
}

/// Excel's `sep=;` first line, which names the delimiter: its length (line ending included) and
/// the delimiter.
fn excel_sep_line(text: &str) -> Option<(usize, u8)> {
    let rest = text.strip_prefix("sep=")?.as_bytes();
    let (&d, after) = rest.split_first()?;
    let ending = match after {
        [] => 0,
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => return None,
    };
    (d.is_ascii() && !matches!(d, b'"' | b'\r' | b'\n')).then_some((4 + 1 + ending, d))
}

/// How many records [`sniff_delimiter`] looks at.
const SNIFF_RECORDS: usize = 100;

/// Guesses the delimiter of `text` among [`DELIMITERS`]: the one that splits the header into
/// several fields and then splits the most rows into the same number of fields. A Russian
/// Excel's `;` file with decimal commas (`12,5`) is thus read as `;`. Falls back to `,`.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', (false, 0usize, 0usize));
    for d in DELIMITERS {
        let counts = field_counts(text.as_bytes(), d);
        let Some((&header, rest)) = counts.split_first() else {
            continue;
        };
        let consistent = if rest.is_empty() {
            SNIFF_RECORDS
        } else {
            rest.iter().filter(|&&n| n == header).count() * SNIFF_RECORDS / rest.len()
        };
        // A delimiter that does not split the header says nothing by being "consistent".
        let score = (header > 1, if header > 1 { consistent } else { 0 }, header);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

/// The number of fields in each of the first records that hold any text.
fn field_counts(text: &[u8], delimiter: u8) -> Vec<usize> {
    let mut reader = reader(delimiter, text);
    let mut record = csv::ByteRecord::new();
    let mut counts = Vec::new();
    while counts.len() < SNIFF_RECORDS {
        match reader.read_byte_record(&mut record) {
            Ok(true) if record.iter().any(|f| !f.is_empty()) => counts.push(record.len()),
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
    }
    counts
}

/// If the record starting at `bytes[0]` never ends because a quoted field is still open at the
/// end of the input, the offset of that field's opening quote. The states mirror `csv-core`'s.
fn unterminated_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        StartField,
        InField,
        InQuoted,
        QuoteInQuoted,
    }
    let mut state = State::StartField;
    let mut open = 0;
    // Blank lines before a record are skipped by the parser: they end nothing.
    let mut started = false;
    for (i, &b) in bytes.iter().enumerate() {
        let ends_record = b == b'\r' || b == b'\n';
        started |= !ends_record;
        state = match state {
            State::StartField | State::InField | State::QuoteInQuoted if ends_record => {
                if started {
                    return None;
                }
                State::StartField
            }
            State::StartField if b == b'"' => {
                open = i;
                State::InQuoted
            }
            State::StartField | State::InField | State::QuoteInQuoted if b == delimiter => {
                State::StartField
            }
            State::StartField | State::InField => State::InField,
            State::InQuoted if b == b'"' => State::QuoteInQuoted,
            State::InQuoted => State::InQuoted,
            State::QuoteInQuoted if b == b'"' => State::InQuoted,
            State::QuoteInQuoted => State::InField,
        };
    }
    (state == State::InQuoted).then_some(open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Row;

    fn read(text: &str) -> Result<(Table, u8), CsvError> {
        read_csv_text(text, &CsvReadOptions::default())
    }

    fn row(line: u64, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn quotes_doubled_quotes_and_line_breaks_inside_quotes() {
        let text = "name,notes\r\n\"Знак, бронза\",\"He said \"\"yes\"\"\"\r\n\
                    b,\"two\r\nlines\nand three\"\r\nc,after\r\n";
        let (t, d) = read(text).unwrap();
        assert_eq!(d, b',');
        assert_eq!(t.headers, ["name", "notes"]);
        assert_eq!(
            t.rows,
            [
                row(2, &["Знак, бронза", "He said \"yes\""]),
                row(3, &["b", "two\r\nlines\nand three"]),
                row(6, &["c", "after"]),
            ]
        );
    }

    #[test]
    fn blank_and_empty_rows_are_skipped_and_lines_still_count() {
        let text = "\r\n\na;b\r\n;;\r\n\r\n1;2\r\n\"\";\"\"\r\n3;\n";
        let (t, _) = read(text).unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(t.rows, [row(6, &["1", "2"]), row(8, &["3", ""])]);
    }

    #[test]
    fn lone_cr_line_endings() {
        let (t, _) = read("a,b\r1,2\r\r3,4").unwrap();
        assert_eq!(t.rows, [row(2, &["1", "2"]), row(4, &["3", "4"])]);
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            sniff_delimiter("Название;Вес\nЗнак;12,5\nМедаль;3,25\n"),
            b';'
        );
        assert_eq!(
            sniff_delimiter("Название\tОписание\nЗнак\tбронза, эмаль\n"),
            b'\t'
        );
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n"), b'|');
        assert_eq!(sniff_delimiter("a,b\n1,2\n"), b',');
        assert_eq!(sniff_delimiter("\"x;y\",b\n\"1;2\",3\n"), b',');
        assert_eq!(sniff_delimiter("only\none\n"), b',');
        assert_eq!(sniff_delimiter(""), b',');
    }

    #[test]
    fn excel_sep_line_names_the_delimiter_and_is_not_a_row() {
        let (t, d) = read("sep=|\r\na|b,c\r\n1|2\r\n").unwrap();
        assert_eq!(d, b'|');
        assert_eq!(t.headers, ["a", "b,c"]);
        assert_eq!(t.rows, [row(3, &["1", "2"])]);
        assert_eq!(excel_sep_line("sep=;"), Some((5, b';')));
        // Found by fuzzing: a sep line with a one-byte line ending after it.
        assert_eq!(excel_sep_line("sep=|\n"), Some((6, b'|')));
        assert_eq!(excel_sep_line("sep=|\r\nx"), Some((7, b'|')));
        assert_eq!(excel_sep_line("sep=;;\n"), None);
    }

    #[test]
    fn a_given_delimiter_wins() {
        let options = CsvReadOptions {
            delimiter: Some(b';'),
            ..CsvReadOptions::default()
        };
        let (t, d) = read_csv_text("a,b;c\n", &options).unwrap();
        assert_eq!(
            (d, t.headers.as_slice()),
            (b';', &["a,b".to_owned(), "c".to_owned()][..])
        );
        let bad = CsvReadOptions {
            delimiter: Some(b'"'),
            ..CsvReadOptions::default()
        };
        assert_eq!(read_csv_text("a", &bad), Err(CsvError::BadDelimiter('"')));
    }

    #[test]
    fn unterminated_quote_names_the_line_where_it_opened() {
        let text = "a,b\n1,2\n3,\"oops\n4,5\n6,7\n";
        assert_eq!(read(text), Err(CsvError::UnterminatedQuote { line: 3 }));
        // Closed quotes later in the file do not hide it.
        let text = "a,b\n1,\"x\"\n3,\"oops\n\"\"4\"\",5\n";
        assert_eq!(read(text), Err(CsvError::UnterminatedQuote { line: 3 }));
        // Inside an unquoted field a quote is a plain character.
        let (t, _) = read("a,b\n1,x\"y\n").unwrap();
        assert_eq!(t.rows, [row(2, &["1", "x\"y"])]);
        // After a closed quote, a quote re-opens nothing.
        let (t, _) = read("a,b\n1,\"x\"y\"z\n").unwrap();
        assert_eq!(t.rows, [row(2, &["1", "xy\"z"])]);
    }

    #[test]
    fn unterminated_quote_is_named_even_when_it_makes_a_cell_too_large() {
        let mut text = String::from("a,b\n1,\"never closed\n");
        text.push_str(&"x,y\n".repeat(300));
        let options = CsvReadOptions {
            limits: Limits {
                max_cell_bytes: 100,
                ..Limits::default()
            },
            ..CsvReadOptions::default()
        };
        assert_eq!(
            read_csv_text(&text, &options),
            Err(CsvError::UnterminatedQuote { line: 2 })
        );
    }

    #[test]
    fn limits_are_errors() {
        let options = CsvReadOptions {
            limits: Limits {
                max_cell_bytes: 5,
                max_columns: 3,
                max_rows: 2,
                ..Limits::default()
            },
            ..CsvReadOptions::default()
        };
        let err = read_csv_text("a,b\n1,\"123456\"\n", &options).unwrap_err();
        assert_eq!(
            err,
            CsvError::Limit(LimitError::CellTooLarge {
                place: "line 2, column 2".into(),
                bytes: 6,
                limit: 5
            })
        );
        let err = read_csv_text("a,b\n1,2,3,4\n", &options).unwrap_err();
        assert!(matches!(
            err,
            CsvError::Limit(LimitError::TooManyColumns { columns: 4, .. })
        ));
        let err = read_csv_text("a\n1\n2\n3\n", &options).unwrap_err();
        assert_eq!(err, CsvError::Limit(LimitError::TooManyRows { limit: 2 }));
        // Trailing empty fields past the limit are dropped, not refused.
        let (t, _) = read_csv_text("a,b\n1,2,,,,,\n", &options).unwrap();
        assert_eq!(t.rows, [row(2, &["1", "2", ""])]);
    }

    #[test]
    fn a_bom_is_dropped_and_cells_are_kept_as_written() {
        let (t, _) = read("\u{FEFF} Name ,Year\n  spaced  ,\u{65}\u{301}\n").unwrap();
        assert_eq!(t.headers, ["Name", "Year"]);
        assert_eq!(t.rows, [row(2, &["  spaced  ", "e\u{301}"])]);
    }

    #[test]
    fn formulas_are_restored_unless_asked_not_to() {
        let text = "a,b\n'=1+2,''@x\n'plain,-3\n";
        let (t, _) = read(text).unwrap();
        assert_eq!(t.rows[0].cells, ["=1+2", "'@x"]);
        assert_eq!(t.rows[1].cells, ["'plain", "-3"]);
        let raw = CsvReadOptions {
            restore_formulas: false,
            ..CsvReadOptions::default()
        };
        let (t, _) = read_csv_text(text, &raw).unwrap();
        assert_eq!(t.rows[0].cells, ["'=1+2", "''@x"]);
    }

    #[test]
    fn empty_input_is_an_empty_table() {
        assert_eq!(read("").unwrap().0, Table::default());
        assert_eq!(read("\r\n\r\n").unwrap().0, Table::default());
    }

    #[test]
    fn bytes_are_decoded_first() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Название;Год\r\nЗнак;1934\r\n");
        let read = read_csv(&bytes, &CsvReadOptions::default()).unwrap();
        assert_eq!(read.detection.encoding, Encoding::Windows1251);
        assert_eq!(read.delimiter, b';');
        assert_eq!(read.table.headers, ["Название", "Год"]);
        assert_eq!(read.table.rows, [row(2, &["Знак", "1934"])]);
        assert!(matches!(
            read_csv(
                b"a\n\xFF",
                &CsvReadOptions {
                    encoding: Some(Encoding::Utf8),
                    ..CsvReadOptions::default()
                }
            ),
            Err(CsvError::Decode(DecodeError {
                line: 2,
                column: 1,
                ..
            }))
        ));
    }
}
