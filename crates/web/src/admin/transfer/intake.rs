//! What an import is sent, read the same way by the workspace's form and the API: the file,
//! chunk by chunk into memory and refused the moment it passes the limit
//! ([`crate::App::max_import_bytes`], 512 MiB unless told), and its options from name–value
//! pairs (the form's fields, the API's query).
//!
//! Messages are English sentences with `{holes}`, so that the workspace can say them in its
//! language (`admin::lang`) and the API as they are.

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;
use http_body_util::BodyExt;
use vitrina_catalogue::Lang;
use vitrina_operations::import::{ColumnChoice, Grouping, ImportOptions, Key, Mode};

use crate::admin::lang::trf;
use crate::problem::Problem;

/// Why what was sent cannot be imported.
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    pub status: StatusCode,
    /// The API's stable code.
    pub code: &'static str,
    /// An English sentence, with `{holes}` filled from `args`.
    text: &'static str,
    args: Vec<(&'static str, String)>,
}

impl Refused {
    pub(crate) fn new(status: StatusCode, code: &'static str, text: &'static str) -> Self {
        Refused {
            status,
            code,
            text,
            args: Vec::new(),
        }
    }

    pub(crate) fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    fn bad(text: &'static str) -> Self {
        Refused::new(StatusCode::BAD_REQUEST, "bad-query", text)
    }

    /// What went wrong, in `lang`.
    pub(crate) fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        trf(lang, self.text, &args)
    }

    /// The refusal as the API's problem document.
    pub(crate) fn problem(&self) -> Problem {
        Problem::new(self.status, self.code).detail(self.message(Lang::En))
    }
}

/// `512 MB` (or `64 KB`): a limit as people read it.
pub(crate) fn megabytes(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes.div_ceil(1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

pub(crate) fn too_large(limit: u64) -> Refused {
    Refused::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "The file is larger than {size}, the most an import may send. Split it, or leave the photos out of the ZIP.",
    )
    .arg("size", megabytes(limit))
}

/// The code of an empty file's refusal.
pub(crate) const EMPTY: &str = "empty";

/// An empty file is not malformed, only empty: 422, like any file with nothing to import.
pub(crate) fn empty() -> Refused {
    Refused::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        EMPTY,
        "The file is empty: there is nothing to import.",
    )
}

fn unreadable_form(e: &MultipartError) -> Refused {
    Refused::new(
        e.status(),
        "malformed",
        "The upload could not be read: {reason}",
    )
    .arg("reason", e.body_text())
}

/// Collects bytes up to `limit`.
struct Collector {
    bytes: Vec<u8>,
    limit: u64,
}

impl Collector {
    fn new(limit: u64, expected: Option<u64>) -> Self {
        // A declared length (within the limit) saves regrowing; an undeclared one grows.
        let capacity = expected.unwrap_or(0).min(limit).min(64 << 20);
        Collector {
            bytes: Vec::with_capacity(usize::try_from(capacity).unwrap_or(0)),
            limit,
        }
    }

    fn push(&mut self, chunk: &[u8]) -> Result<(), Refused> {
        if (self.bytes.len() + chunk.len()) as u64 > self.limit {
            return Err(too_large(self.limit));
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    fn finish(self) -> Result<Vec<u8>, Refused> {
        if self.bytes.is_empty() {
            return Err(empty());
        }
        Ok(self.bytes)
    }
}

/// A form's file part, read within `limit`.
pub(crate) async fn read_part(mut field: Field<'_>, limit: u64) -> Result<Vec<u8>, Refused> {
    let mut collector = Collector::new(limit, None);
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => collector.push(&chunk)?,
            Ok(None) => break,
            Err(e) => return Err(unreadable_form(&e)),
        }
    }
    collector.finish()
}

/// A request's body, read within `limit`; a declared length over the limit is refused before
/// anything is read.
pub(crate) async fn read_body(
    mut body: Body,
    declared: Option<u64>,
    limit: u64,
) -> Result<Vec<u8>, Refused> {
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let mut collector = Collector::new(limit, declared);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Refused::new(
                StatusCode::BAD_REQUEST,
                "malformed",
                "The file could not be read: {reason}",
            )
            .arg("reason", e.to_string())
        })?;
        if let Ok(data) = frame.into_data() {
            collector.push(&data)?;
        }
    }
    collector.finish()
}

/// A text field of a form, at most `max` bytes.
pub(crate) async fn read_text(mut field: Field<'_>, max: usize) -> Result<String, Refused> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| unreadable_form(&e))? {
        if buf.len() + chunk.len() > max {
            return Err(Refused::bad("A form field is too long."));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| Refused::bad("A form field is not valid UTF-8."))
}

/// How strictly values are read: a form sends `""` for "detect" and `on` for a ticked box;
/// the API takes only what its OpenAPI document lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    Form,
    Api,
}

fn flag(value: &str, strict: Strictness) -> Option<bool> {
    match (value, strict) {
        ("true", _) => Some(true),
        ("false", _) => Some(false),
        ("1" | "on" | "yes", Strictness::Form) => Some(true),
        ("" | "0" | "off" | "no", Strictness::Form) => Some(false),
        _ => None,
    }
}

/// A delimiter by its name, as the forms and the API name them.
pub(crate) fn delimiter(name: &str) -> Option<char> {
    Some(match name {
        "comma" => ',',
        "semicolon" => ';',
        "tab" => '\t',
        "bar" => '|',
        _ => return None,
    })
}

/// A delimiter's name ([`delimiter`]'s inverse).
pub(crate) fn delimiter_name(c: char) -> &'static str {
    match c {
        ',' => "comma",
        ';' => "semicolon",
        '\t' => "tab",
        '|' => "bar",
        _ => "",
    }
}

pub(crate) fn grouping_name(g: Grouping) -> &'static str {
    match g {
        Grouping::Auto => "auto",
        Grouping::ByTitle => "by-title",
        Grouping::EachRow => "each-row",
    }
}

fn grouping(name: &str) -> Option<Grouping> {
    Some(match name {
        "auto" => Grouping::Auto,
        "by-title" => Grouping::ByTitle,
        "each-row" => Grouping::EachRow,
        _ => return None,
    })
}

/// At most this many columns are mapped by a form.
const MAX_COLUMNS: usize = 1_000;

/// Options from name–value pairs: `mode`, `key`, `partial`, `drafts`, `grouping`, `encoding`,
/// `delimiter`, `sheet`, `preset`, `save_preset`, and a form's mapping (`header.N` with
/// `map.N`, the field's key or empty to ignore the column). Names it does not know are left
/// alone (the CSRF token, the API's `name`). A `preset` replaces the form's mapping.
pub(crate) fn options<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    strict: Strictness,
) -> Result<ImportOptions, Refused> {
    let mut o = ImportOptions::default();
    let mut headers: Vec<(usize, String)> = Vec::new();
    let mut fields: Vec<(usize, String)> = Vec::new();
    let given = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
    for (name, value) in pairs {
        let blank_ok = strict == Strictness::Form && value.is_empty();
        match name {
            "mode" if blank_ok => {}
            "mode" => {
                o.mode = Mode::parse(value).ok_or_else(|| {
                    Refused::bad("The mode must be create, upsert or replace, not “{value}”.")
                        .arg("value", shorten(value))
                })?;
            }
            "key" if blank_ok => {}
            "key" => {
                o.key = match value {
                    "slug" => Key::Slug,
                    "inventory" => Key::Inventory,
                    _ => {
                        return Err(Refused::bad(
                            "The key must be slug or inventory, not “{value}”.",
                        )
                        .arg("value", shorten(value)));
                    }
                }
            }
            "grouping" if blank_ok => {}
            "grouping" => {
                o.grouping = grouping(value).ok_or_else(|| {
                    Refused::bad("The grouping must be auto, by-title or each-row, not “{value}”.")
                        .arg("value", shorten(value))
                })?;
            }
            "partial" | "drafts" | "dry_run" => {
                let on = flag(value, strict).ok_or_else(|| {
                    Refused::bad("“{name}” must be true or false, not “{value}”.")
                        .arg("name", name)
                        .arg("value", shorten(value))
                })?;
                match name {
                    "partial" => o.partial = on,
                    "drafts" => o.drafts = on,
                    _ => {}
                }
            }
            "delimiter" if blank_ok => {}
            "delimiter" => {
                o.read.delimiter = Some(delimiter(value).ok_or_else(|| {
                    Refused::bad(
                        "The delimiter must be comma, semicolon, tab or bar, not “{value}”.",
                    )
                    .arg("value", shorten(value))
                })?);
            }
            "encoding" => o.read.encoding = given(value),
            "sheet" => o.read.sheet = given(value),
            "preset" => o.preset = given(value),
            "save_preset" => o.save_preset = given(value),
            _ => {
                let column = |prefix: &str| {
                    name.strip_prefix(prefix)
                        .and_then(|n| n.parse::<usize>().ok())
                        .filter(|n| *n < MAX_COLUMNS)
                };
                if let Some(i) = column("header.") {
                    headers.push((i, value.to_owned()));
                } else if let Some(i) = column("map.") {
                    fields.push((i, value.trim().to_owned()));
                }
            }
        }
    }
    if !fields.is_empty() {
        let mut mapping = Vec::new();
        for (i, field) in fields {
            let Some((_, header)) = headers.iter().find(|(h, _)| *h == i) else {
                continue;
            };
            if !field.is_empty() && vitrina_transfer::Field::from_key(&field).is_none() {
                return Err(Refused::bad("“{value}” is not a field Vitrina knows.")
                    .arg("value", shorten(&field)));
            }
            mapping.push((
                i,
                ColumnChoice {
                    header: header.clone(),
                    field: (!field.is_empty()).then_some(field),
                },
            ));
        }
        mapping.sort_by_key(|(i, _)| *i);
        o.mapping = Some(mapping.into_iter().map(|(_, c)| c).collect());
    }
    // A saved mapping chosen on the job's page replaces the choices made column by column.
    if o.preset.is_some() {
        o.mapping = None;
    }
    Ok(o)
}

/// A value quoted back to the sender, short and without control characters.
fn shorten(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_reads_blanks_as_detect_and_ticks_as_yes() {
        let o = options(
            [
                ("csrf", "x"),
                ("mode", ""),
                ("delimiter", ""),
                ("encoding", ""),
                ("partial", "1"),
                ("header.0", "Название"),
                ("map.0", "title_en"),
                ("header.1", "Примечание"),
                ("map.1", ""),
                ("save_preset", "  dealer  "),
            ],
            Strictness::Form,
        )
        .unwrap();
        assert_eq!(o.mode, Mode::Upsert);
        assert_eq!(o.read.delimiter, None);
        assert_eq!(o.read.encoding, None);
        assert!(o.partial);
        assert_eq!(o.save_preset.as_deref(), Some("dealer"));
        let mapping = o.mapping.unwrap();
        assert_eq!(mapping[0].field.as_deref(), Some("title_en"));
        assert_eq!(mapping[1].header, "Примечание");
        assert_eq!(mapping[1].field, None);
    }

    #[test]
    fn the_api_takes_only_what_its_document_lists() {
        let o = options(
            [
                ("mode", "replace"),
                ("key", "inventory"),
                ("delimiter", "semicolon"),
                ("drafts", "true"),
                ("dry_run", "false"),
            ],
            Strictness::Api,
        )
        .unwrap();
        assert_eq!(o.mode, Mode::Replace);
        assert_eq!(o.key, Key::Inventory);
        assert_eq!(o.read.delimiter, Some(';'));
        assert!(o.drafts);
        for (name, value) in [
            ("mode", ""),
            ("mode", "merge"),
            ("partial", "1"),
            ("delimiter", ";"),
            ("key", "id"),
        ] {
            let e = options([(name, value)], Strictness::Api).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{name}={value}");
        }
        let e = options([("header.0", "A"), ("map.0", "nonsense")], Strictness::Form).unwrap_err();
        assert!(e.message(Lang::En).contains("nonsense"));
    }

    #[test]
    fn limits_are_said_in_megabytes() {
        assert_eq!(megabytes(512 << 20), "512 MB");
        assert_eq!(megabytes(64 * 1024), "64 KB");
    }
}
