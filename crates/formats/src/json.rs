//! Flat JSON records (a museum's or another catalogue's export) to a [`Table`].
//!
//! The input is an array of objects, or an object holding one array of objects
//! (`{"records": [...], "count": 2}`). Each object is one row: scalar values become cells
//! (`null` an empty cell, booleans `true`/`false`, numbers in their shortest form), arrays of
//! scalars are joined with `"; "`, nested objects are flattened to `parent.child` columns and
//! arrays holding objects to `parent.1.child`. The headers are every key met, in first-seen
//! order, so fields we do not know still arrive and can be mapped or ignored later. Each row's
//! `line` is the line of the file where its record's `{` stands.
//!
//! serde_json's recursion limit (128 levels) stays on: JSON nested 100,000 deep is refused with
//! a clear error instead of overflowing the stack.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::decode::{self, DecodeError, Encoding};
use crate::limits::{LimitError, Limits};
use crate::lines::LineIndex;
use crate::table::{Row, Table};

/// How JSON records are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonOptions {
    /// The encoding, or `None` for UTF-8 (or what a byte-order mark says: UTF-16 is accepted).
    pub encoding: Option<Encoding>,
    /// Bounds on the table.
    pub limits: Limits,
}

/// Why JSON records could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// The bytes are not text in the chosen encoding.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Not valid JSON.
    #[error("The file is not valid JSON: line {line}, column {column}: {message}.")]
    Syntax {
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What the parser expected.
        message: String,
    },
    /// Nested deeper than any record export is.
    #[error(
        "The JSON nests values more than 128 levels deep (line {line}, column {column}); no export \
         of records does that, so the file is not read."
    )]
    TooDeep {
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
    },
    /// No array of records where one was expected.
    #[error(
        "The JSON holds no list of records: expected an array of objects, or an object with one \
         such array (like {{\"records\": [...]}})."
    )]
    NotRecords,
    /// An object with several arrays of records.
    #[error("The JSON holds several lists of records ({}); keep one of them.", keys.join(", "))]
    SeveralLists {
        /// The keys of the candidate arrays.
        keys: Vec<String>,
    },
    /// An element of the records array is not an object.
    #[error("Record {record} (line {line}) is not an object with named fields.")]
    NotAnObject {
        /// 1-based index of the record.
        record: usize,
        /// Its line.
        line: u64,
    },
    /// A bound of [`Limits`] was crossed.
    #[error(transparent)]
    Limit(#[from] LimitError),
}

/// A JSON value that keeps its object members in file order (serde_json's own `Value` sorts
/// them unless a crate-wide feature is turned on, which would change every other crate's JSON).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        // Shortest round-trip text; whole numbers without ".0".
        Ok(Json::Number(if n == 0.0 {
            "0".to_owned()
        } else {
            n.to_string()
        }))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            members.push((key, value));
        }
        Ok(Json::Object(members))
    }
}

/// Reads JSON records from `bytes` (see the module documentation).
pub fn read_json_records(bytes: &[u8], options: &JsonOptions) -> Result<Table, JsonError> {
    // JSON is UTF-8 (RFC 8259): without a byte-order mark or the user's choice, no legacy
    // encoding is guessed, so stray bytes are refused with their place.
    let detected = decode::detect(bytes);
    let encoding = options
        .encoding
        .unwrap_or(if detected.method == decode::DetectionMethod::Bom {
            detected.encoding
        } else {
            Encoding::Utf8
        });
    let text = decode::decode(bytes, encoding)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let root: Json = serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line() as u64, e.column() as u64);
        let message = e.to_string();
        if message.starts_with("recursion limit exceeded") {
            JsonError::TooDeep { line, column }
        } else {
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            JsonError::Syntax {
                line,
                column,
                message,
            }
        }
    })?;
    let (records, member) = match root {
        Json::Array(items) => (items, None),
        Json::Object(members) => pick_records(members)?,
        _ => return Err(JsonError::NotRecords),
    };
    let starts = record_starts(text.as_bytes(), member);
    // The scan and the parser agree on valid JSON; should they ever not, rows get their record
    // numbers instead of wrong lines.
    let aligned = starts.len() == records.len();
    let mut lines = LineIndex::new(text.as_bytes());
    let limits = &options.limits;
    let mut table = Table::default();
    let mut columns: HashMap<String, usize> = HashMap::new();
    let mut cells_total = 0usize;
    let mut text_total = 0usize;
    for (i, record) in records.into_iter().enumerate() {
        let number = i + 1;
        let line = match starts.get(i) {
            Some(&offset) if aligned => lines.line_of(offset),
            _ => number as u64,
        };
        let Json::Object(members) = record else {
            return Err(JsonError::NotAnObject {
                record: number,
                line,
            });
        };
        let mut fields = Vec::new();
        for (key, value) in &members {
            flatten(key.clone(), value, &mut fields);
        }
        let mut cells: Vec<String> = Vec::new();
        for (key, value) in fields {
            if value.len() > limits.max_cell_bytes {
                return Err(LimitError::CellTooLarge {
                    place: format!("record {number} (line {line}), field \"{key}\""),
                    bytes: value.len(),
                    limit: limits.max_cell_bytes,
                }
                .into());
            }
            let next = columns.len();
            let index = *columns.entry(key).or_insert(next);
            if index == next && next >= limits.max_columns {
                return Err(LimitError::TooManyColumns {
                    place: format!("record {number} (line {line})"),
                    columns: next + 1,
                    limit: limits.max_columns,
                }
                .into());
            }
            if cells.len() <= index {
                cells.resize(index + 1, String::new());
            }
            text_total += value.len();
            cells[index] = value;
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if table.rows.len() >= limits.max_rows {
            return Err(LimitError::TooManyRows {
                limit: limits.max_rows,
            }
            .into());
        }
        cells_total += cells.len();
        if cells_total > limits.max_cells {
            return Err(LimitError::TooManyCells {
                limit: limits.max_cells,
            }
            .into());
        }
        if text_total > limits.max_text_bytes {
            return Err(LimitError::TooMuchText {
                limit: limits.max_text_bytes,
            }
            .into());
        }
        table.rows.push(Row { line, cells });
    }
    let mut headers: Vec<(usize, String)> = columns.into_iter().map(|(k, i)| (i, k)).collect();
    headers.sort_unstable_by_key(|(i, _)| *i);
    table.headers = headers.into_iter().map(|(_, k)| k).collect();
    Ok(table)
}

/// The records array of a wrapping object, and the index of its member: the one member that
/// is a non-empty array of objects (or, failing that, the one empty array).
fn pick_records(members: Vec<(String, Json)>) -> Result<(Vec<Json>, Option<usize>), JsonError> {
    let is_records = |v: &Json| matches!(v, Json::Array(items) if items.iter().all(|i| matches!(i, Json::Object(_))));
    let full: Vec<usize> = (0..members.len())
        .filter(|&i| {
            is_records(&members[i].1) && !matches!(&members[i].1, Json::Array(a) if a.is_empty())
        })
        .collect();
    let empty: Vec<usize> = (0..members.len())
        .filter(|&i| matches!(&members[i].1, Json::Array(a) if a.is_empty()))
        .collect();
    let chosen = match (full.as_slice(), empty.as_slice()) {
        ([one], _) | ([], [one]) => *one,
        ([], []) => return Err(JsonError::NotRecords),
        (several, _) if several.len() > 1 => {
            return Err(JsonError::SeveralLists {
                keys: several.iter().map(|&i| members[i].0.clone()).collect(),
            });
        }
        (_, several) => {
            return Err(JsonError::SeveralLists {
                keys: several.iter().map(|&i| members[i].0.clone()).collect(),
            });
        }
    };
    let mut members = members;
    match members.swap_remove(chosen).1 {
        Json::Array(items) => Ok((items, Some(chosen))),
        _ => Err(JsonError::NotRecords),
    }
}

fn is_scalar(v: &Json) -> bool {
    !matches!(v, Json::Array(_) | Json::Object(_))
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::Bool(b) => b.to_string(),
        Json::Number(s) | Json::String(s) => s.clone(),
        Json::Array(_) | Json::Object(_) => String::new(),
    }
}

/// Appends `(column, text)` pairs for `value` under the column name `key`. Recursion is bounded
/// by the parser's depth limit.
fn flatten(key: String, value: &Json, out: &mut Vec<(String, String)>) {
    match value {
        Json::Array(items) if items.iter().all(is_scalar) => {
            let joined = items.iter().map(scalar_text).collect::<Vec<_>>().join("; ");
            out.push((key, joined));
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(format!("{key}.{}", i + 1), item, out);
            }
        }
        Json::Object(members) => {
            for (k, v) in members {
                flatten(format!("{key}.{k}"), v, out);
            }
        }
        scalar => out.push((key, scalar_text(scalar))),
    }
}

/// The byte offsets where the records start: the values directly inside the top-level array,
/// or inside the array that is member number `member` of the top-level object. The text has
/// already been parsed, so this scan only tracks strings, nesting and commas.
fn record_starts(text: &[u8], member: Option<usize>) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut depth = 0usize;
    // The depth of the records' own values, while inside the records array.
    let mut record_depth: Option<usize> = None;
    let mut expect_value = false;
    let mut colons_at_top = 0usize;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if expect_value && !b.is_ascii_whitespace() {
            expect_value = false;
            if b != b']' {
                starts.push(i);
            }
        }
        match b {
            b'"' => {
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => {
                let opens_records = b == b'['
                    && match member {
                        None => depth == 0,
                        Some(m) => depth == 1 && colons_at_top == m + 1,
                    };
                depth += 1;
                if opens_records {
                    record_depth = Some(depth);
                    expect_value = true;
                }
            }
            b'}' | b']' => {
                if record_depth == Some(depth) {
                    record_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if record_depth == Some(depth) => expect_value = true,
            b':' if depth == 1 => colons_at_top += 1,
            _ => {}
        }
        i += 1;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Table, JsonError> {
        read_json_records(text.as_bytes(), &JsonOptions::default())
    }

    fn row(line: u64, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn records_with_unknown_nested_and_listed_fields() {
        let text = r#"[
  {"title": "Знак ГТО", "year": 1933, "weight": 12.5, "on_display": true,
   "materials": ["silver", "enamel"], "size": {"w": 30, "h": 41}},
  {"year": null, "title": "Значок \"МОПР\"", "inventory": "КП-17",
   "photos": [{"file": "a.jpg"}, {"file": "b.jpg", "side": "reverse"}]},
  {}
]"#;
        let t = read(text).unwrap();
        assert_eq!(
            t.headers,
            [
                "title",
                "year",
                "weight",
                "on_display",
                "materials",
                "size.w",
                "size.h",
                "inventory",
                "photos.1.file",
                "photos.2.file",
                "photos.2.side"
            ]
        );
        assert_eq!(
            t.rows,
            [
                row(
                    2,
                    &[
                        "Знак ГТО",
                        "1933",
                        "12.5",
                        "true",
                        "silver; enamel",
                        "30",
                        "41"
                    ]
                ),
                row(
                    4,
                    &[
                        "Значок \"МОПР\"",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "КП-17",
                        "a.jpg",
                        "b.jpg",
                        "reverse"
                    ]
                ),
            ]
        );
    }

    #[test]
    fn an_object_holding_one_list() {
        let text = "{\"count\": 2, \"source\": {\"name\": \"x\", \"tags\": [\"[\"]},\n\"records\":\n[\n{\"a\": 1},\n  {\"a\": 2}]}";
        let t = read(text).unwrap();
        assert_eq!(t.headers, ["a"]);
        assert_eq!(t.rows, [row(4, &["1"]), row(5, &["2"])]);
        assert_eq!(
            read("{\"records\": [], \"n\": 0}").unwrap(),
            Table::default()
        );
        assert_eq!(
            read("{\"a\": [{}], \"b\": [{}]}"),
            Err(JsonError::SeveralLists {
                keys: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(read("{\"a\": 1}"), Err(JsonError::NotRecords));
        assert_eq!(read("\"text\""), Err(JsonError::NotRecords));
    }

    #[test]
    fn a_record_that_is_not_an_object() {
        assert_eq!(
            read("[{\"a\": 1},\n 2]"),
            Err(JsonError::NotAnObject { record: 2, line: 2 })
        );
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let err = read("[{\"a\": 1},\n {\"a\": }]").unwrap_err();
        assert!(matches!(err, JsonError::Syntax { line: 2, .. }), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(matches!(
            read(&deep),
            Err(JsonError::TooDeep { line: 1, .. })
        ));
        let deep_objects = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
        assert!(matches!(
            read(&deep_objects),
            Err(JsonError::TooDeep { .. })
        ));
    }

    #[test]
    fn limits() {
        let options = JsonOptions {
            limits: Limits {
                max_columns: 2,
                max_rows: 1,
                max_cell_bytes: 3,
                ..Limits::default()
            },
            ..JsonOptions::default()
        };
        let read = |t: &str| read_json_records(t.as_bytes(), &options);
        assert!(matches!(
            read("[{\"a\":1,\"b\":2,\"c\":3}]"),
            Err(JsonError::Limit(LimitError::TooManyColumns { .. }))
        ));
        assert!(matches!(
            read("[{\"a\":1},{\"a\":2}]"),
            Err(JsonError::Limit(LimitError::TooManyRows { .. }))
        ));
        assert!(matches!(
            read("[{\"a\":\"long\"}]"),
            Err(JsonError::Limit(LimitError::CellTooLarge { .. }))
        ));
    }

    #[test]
    fn utf16_json_with_a_bom() {
        let mut bytes = b"\xFF\xFE".to_vec();
        bytes.extend(
            "[{\"знак\": \"ГТО\"}]"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let t = read_json_records(&bytes, &JsonOptions::default()).unwrap();
        assert_eq!(t.headers, ["знак"]);
        assert_eq!(t.rows, [row(1, &["ГТО"])]);
    }
}
