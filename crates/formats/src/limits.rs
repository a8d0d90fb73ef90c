//! Bounds that keep a hostile or broken file from exhausting memory, shared by every reader.

use crate::table::{Row, Table};

/// How much of a file any reader accepts. Each bound, when crossed, is a clear error rather
/// than a truncated table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest cell, in bytes of UTF-8. Default 4 MiB: far above any real description
    /// (the domain layer refuses long text with its own, friendlier message), far below harm.
    pub max_cell_bytes: usize,
    /// The most columns a row may have (empty cells past the last filled one do not count).
    /// Default 1,000.
    pub max_columns: usize,
    /// The most data rows. Default 1,000,000.
    pub max_rows: usize,
    /// The most cells in the whole table, empty cells inside rows included. Default 10,000,000
    /// (a few hundred MB at worst).
    pub max_cells: usize,
    /// The most text in the whole table, in bytes. Default 512 MiB.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cell_bytes: 4 << 20,
            max_columns: 1_000,
            max_rows: 1_000_000,
            max_cells: 10_000_000,
            max_text_bytes: 512 << 20,
        }
    }
}

/// A bound of [`Limits`] was crossed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// One cell is larger than `max_cell_bytes`.
    #[error(
        "At {place} a cell holds {} of text; cells larger than {} are not read. \
         Is the file what it should be?",
        human_bytes(*bytes as u64),
        human_bytes(*limit as u64)
    )]
    CellTooLarge {
        /// Where the cell is, as the user would look for it ("line 12, column 3", "cell C5").
        place: String,
        /// The cell's size in bytes.
        bytes: usize,
        /// The bound.
        limit: usize,
    },
    /// A row has more than `max_columns` filled columns.
    #[error("The row at {place} has {columns} columns; at most {limit} are read.")]
    TooManyColumns {
        /// Where the row is.
        place: String,
        /// How many columns it has (up to its last filled cell).
        columns: usize,
        /// The bound.
        limit: usize,
    },
    /// More than `max_rows` data rows.
    #[error("The file has more than {limit} rows; split it into smaller files.")]
    TooManyRows {
        /// The bound.
        limit: usize,
    },
    /// More than `max_cells` cells in all.
    #[error("The file has more than {limit} cells; split it into smaller files.")]
    TooManyCells {
        /// The bound.
        limit: usize,
    },
    /// More than `max_text_bytes` of text in all.
    #[error("The file holds more than {} of text; split it into smaller files.", human_bytes(*limit as u64))]
    TooMuchText {
        /// The bound.
        limit: usize,
    },
}

/// "4 MiB", "1.5 KiB", "17 bytes".
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if (value.fract() * 10.0).round() == 0.0 || value >= 100.0 {
        format!("{:.0} {}", value, UNITS[unit])
    } else {
        format!("{:.1} {}", value, UNITS[unit])
    }
}

/// Builds a [`Table`] row by row within [`Limits`]: the first row with any text becomes the
/// headers (trimmed), rows with no text at all are skipped.
#[derive(Debug)]
pub(crate) struct TableBuilder<'l> {
    limits: &'l Limits,
    table: Table,
    has_headers: bool,
    cells: usize,
    text: usize,
}

impl<'l> TableBuilder<'l> {
    pub fn new(limits: &'l Limits) -> Self {
        TableBuilder {
            limits,
            table: Table::default(),
            has_headers: false,
            cells: 0,
            text: 0,
        }
    }

    /// Checks a row's shape before its cells are copied: `lengths` are the cells' sizes in
    /// bytes, `place(column)` names a 1-based column of the row for an error message, and
    /// `row_place` names the row. Returns how many cells to keep: empty cells past the column
    /// limit are dropped rather than refused.
    pub fn check(
        &self,
        lengths: impl Iterator<Item = usize>,
        place: impl Fn(usize) -> String,
        row_place: impl Fn() -> String,
    ) -> Result<usize, LimitError> {
        let limits = self.limits;
        let mut len = 0;
        let mut last_filled = 0;
        let mut bytes = 0usize;
        for (i, size) in lengths.enumerate() {
            len = i + 1;
            if size > limits.max_cell_bytes {
                return Err(LimitError::CellTooLarge {
                    place: place(i + 1),
                    bytes: size,
                    limit: limits.max_cell_bytes,
                });
            }
            if size > 0 {
                last_filled = i + 1;
            }
            bytes += size;
        }
        if last_filled > limits.max_columns {
            return Err(LimitError::TooManyColumns {
                place: row_place(),
                columns: last_filled,
                limit: limits.max_columns,
            });
        }
        if last_filled == 0 {
            return Ok(0);
        }
        if self.table.rows.len() >= limits.max_rows && self.has_headers {
            return Err(LimitError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        if self.text + bytes > limits.max_text_bytes {
            return Err(LimitError::TooMuchText {
                limit: limits.max_text_bytes,
            });
        }
        Ok(len.min(limits.max_columns))
    }

    /// Adds a row whose cells passed [`TableBuilder::check`] (with `keep` its answer).
    pub fn push(
        &mut self,
        line: u64,
        mut cells: Vec<String>,
        keep: usize,
    ) -> Result<(), LimitError> {
        if keep == 0 {
            return Ok(());
        }
        // Headers are trimmed, so a first row of nothing but spaces would be a header of empty
        // names: it is no header, and skipped like an empty row.
        if !self.has_headers && cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        cells.truncate(keep);
        self.cells += cells.len();
        if self.cells > self.limits.max_cells {
            return Err(LimitError::TooManyCells {
                limit: self.limits.max_cells,
            });
        }
        self.text += cells.iter().map(String::len).sum::<usize>();
        if self.has_headers {
            self.table.rows.push(Row { line, cells });
        } else {
            self.has_headers = true;
            self.table.headers = cells.into_iter().map(trim_owned).collect();
        }
        Ok(())
    }

    /// Checks and adds a row in one step.
    #[cfg(test)]
    pub fn add(
        &mut self,
        line: u64,
        cells: Vec<String>,
        place: impl Fn(usize) -> String,
        row_place: impl Fn() -> String,
    ) -> Result<(), LimitError> {
        let keep = self.check(cells.iter().map(String::len), place, row_place)?;
        self.push(line, cells, keep)
    }

    pub fn finish(self) -> Table {
        self.table
    }
}

fn trim_owned(s: String) -> String {
    let trimmed = s.trim();
    if trimmed.len() == s.len() {
        s
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(c: usize) -> String {
        format!("column {c}")
    }
    fn row() -> String {
        "line 1".into()
    }
    fn cells(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn header_first_then_rows_and_empty_rows_skipped() {
        let limits = Limits::default();
        let mut b = TableBuilder::new(&limits);
        b.add(1, cells(&["", ""]), place, row).unwrap();
        b.add(2, cells(&[" ", "\t"]), place, row).unwrap();
        b.add(2, cells(&[" Name ", "Year"]), place, row).unwrap();
        b.add(3, cells(&["", ""]), place, row).unwrap();
        b.add(4, cells(&[" a ", ""]), place, row).unwrap();
        let t = b.finish();
        assert_eq!(t.headers, ["Name", "Year"]);
        assert_eq!(
            t.rows,
            [Row {
                line: 4,
                cells: cells(&[" a ", ""])
            }]
        );
    }

    #[test]
    fn bounds() {
        let limits = Limits {
            max_cell_bytes: 3,
            max_columns: 2,
            max_rows: 1,
            max_cells: 100,
            max_text_bytes: 100,
        };
        let mut b = TableBuilder::new(&limits);
        assert!(matches!(
            b.add(1, cells(&["abcd"]), place, row),
            Err(LimitError::CellTooLarge {
                bytes: 4,
                limit: 3,
                ..
            })
        ));
        assert!(matches!(
            b.add(1, cells(&["a", "b", "c"]), place, row),
            Err(LimitError::TooManyColumns {
                columns: 3,
                limit: 2,
                ..
            })
        ));
        // Empty cells past the limit are dropped, not refused.
        b.add(1, cells(&["a", "b", "", ""]), place, row).unwrap();
        assert_eq!(b.table.headers, ["a", "b"]);
        b.add(2, cells(&["a"]), place, row).unwrap();
        assert_eq!(
            b.add(3, cells(&["a"]), place, row),
            Err(LimitError::TooManyRows { limit: 1 })
        );
        // Empty rows never count.
        b.add(4, cells(&["", ""]), place, row).unwrap();
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(17), "17 bytes");
        assert_eq!(human_bytes(4 << 20), "4 MiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        let e = LimitError::CellTooLarge {
            place: "line 2, column 1".into(),
            bytes: 5 << 20,
            limit: 4 << 20,
        };
        assert_eq!(
            e.to_string(),
            "At line 2, column 1 a cell holds 5 MiB of text; cells larger than 4 MiB are not read. \
             Is the file what it should be?"
        );
    }
}
