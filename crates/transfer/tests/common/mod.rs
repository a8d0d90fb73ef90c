//! What the integration tests share: a small CSV reader (RFC 4180, comma-separated, UTF-8),
//! standing in for `vitrina-formats`' so that these tests depend only on its `Table`.

#![allow(dead_code)]

use vitrina_formats::{Row, Table};

/// Reads CSV text into a table; each row's line is the physical line it starts on.
pub fn csv(text: &str) -> Table {
    let mut records: Vec<(u64, Vec<String>)> = Vec::new();
    let mut field = String::new();
    let mut fields = Vec::new();
    let mut quoted = false;
    let mut line = 1u64;
    let mut start = 1u64;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            (false, '\r') => {}
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start, fields));
    }
    let mut it = records.into_iter();
    let headers = it.next().map(|(_, h)| h).unwrap_or_default();
    Table {
        headers,
        rows: it.map(|(line, cells)| Row { line, cells }).collect(),
    }
}
