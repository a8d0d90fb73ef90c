//! The one shape every reader produces and every writer takes.

/// A sheet of text: a header row and data rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The header row's cells, as written (trimmed of surrounding whitespace only).
    pub headers: Vec<String>,
    /// The data rows, in file order. A row may have fewer or more cells than the header.
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Where the row starts, 1-based, as the user sees it: the physical line of a CSV file (a
    /// quoted field with newlines makes a row span several lines), the row number of a
    /// spreadsheet, the line where a JSON record opens.
    pub line: u64,
    /// The row's cells in column order, as text.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell of column `i`, empty when the row is short.
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", String::as_str)
    }
}
