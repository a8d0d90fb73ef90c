//! A file as it arrives: its format told from its bytes (and name), its encoding detected or
//! chosen, read into a table of text (CSV, TSV, XLSX, ODS, flat JSON records), or — Vitrina's
//! own JSON export — straight into a collection. A ZIP bundle holds a sheet and its photos.

use serde::{Deserialize, Serialize};
use vitrina_catalogue::Snapshot;
use vitrina_formats::{
    Bundle, CsvReadOptions, Encoding, JsonOptions, Limits, SpreadsheetFormat, SpreadsheetOptions,
    Table, Workbook, ZipLimits,
};

use super::ImportError;

/// The formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-, semicolon-, tab- or bar-separated text.
    Csv,
    Xlsx,
    Ods,
    /// Vitrina's own JSON export, or an array of flat records.
    Json,
    /// A ZIP holding one sheet (in any format above) and the photos it names.
    Zip,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
            Format::Json => "json",
            Format::Zip => "zip",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Format::Csv,
            "xlsx" => Format::Xlsx,
            "ods" => Format::Ods,
            "json" => Format::Json,
            "zip" => Format::Zip,
            _ => return None,
        })
    }

    /// The format of a file, from its bytes first (a ZIP is a workbook or a bundle by what it
    /// holds), its name's extension only to tell text formats apart.
    pub fn detect(name: &str, bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            return match vitrina_formats::sniff_spreadsheet(bytes) {
                Ok(SpreadsheetFormat::Xlsx) => Format::Xlsx,
                Ok(SpreadsheetFormat::Ods) => Format::Ods,
                Err(_) => Format::Zip,
            };
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
        if ext.eq_ignore_ascii_case("json") {
            return Format::Json;
        }
        // Text that opens with `[` or `{` (after a BOM and blanks) is JSON.
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[' | b'{') => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// What was found out about a file while reading it, shown to the user (who may override
/// the encoding, the delimiter and the sheet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    pub name: String,
    pub format: Option<Format>,
    /// The encoding a text file was read in.
    pub encoding: Option<String>,
    /// Whether that encoding was a statistical guess (no byte-order mark, not UTF-8).
    pub encoding_guessed: bool,
    pub delimiter: Option<char>,
    /// A workbook's sheets, and the one read.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// Inside a ZIP bundle: the sheet's entry, and how many pictures it holds.
    pub bundle_sheet: Option<String>,
    pub bundle_pictures: usize,
}

/// How to read a file (what the user chose; `None`: detect).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadChoices {
    pub format: Option<Format>,
    /// An encoding label (`windows-1251`, `koi8-r`, `utf-8`, `utf-16le`…).
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
    pub sheet: Option<String>,
}

/// A file read.
#[derive(Debug)]
pub(crate) enum Input {
    Table(Table),
    /// Vitrina's own JSON export: records as they are, no mapping.
    Snapshot(Snapshot),
}

/// The pictures of a bundle, by the name rows give them.
#[derive(Debug, Default)]
pub(crate) struct Pictures {
    /// (entry name, bytes), in archive order.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Pictures {
    /// The picture a row names: its path in the archive, or its file name alone, compared
    /// without case.
    pub fn find(&self, wanted: &str) -> Option<&(String, Vec<u8>)> {
        let wanted = wanted.trim().trim_start_matches("./");
        let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_lowercase();
        self.files
            .iter()
            .find(|(name, _)| name == wanted)
            .or_else(|| {
                let w = base(wanted);
                self.files.iter().find(|(name, _)| base(name) == w)
            })
    }
}

const PICTURES: [&str; 9] = [
    "jpg", "jpeg", "png", "webp", "tif", "tiff", "gif", "heic", "avif",
];
const SHEETS: [&str; 6] = ["csv", "tsv", "txt", "xlsx", "ods", "json"];

fn ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads `bytes` (a file called `name`) as `choices` say.
pub(crate) fn read(
    name: &str,
    bytes: &[u8],
    choices: &ReadChoices,
) -> Result<(Input, SourceInfo, Pictures), ImportError> {
    let format = choices
        .format
        .unwrap_or_else(|| Format::detect(name, bytes));
    let mut info = SourceInfo {
        name: name.to_owned(),
        format: Some(format),
        ..SourceInfo::default()
    };
    if format == Format::Zip {
        return read_bundle(bytes, choices, info);
    }
    let input = read_one(name, bytes, format, choices, &mut info)?;
    Ok((input, info, Pictures::default()))
}

fn encoding(choices: &ReadChoices) -> Result<Option<Encoding>, ImportError> {
    match &choices.encoding {
        None => Ok(None),
        Some(label) if label.trim().is_empty() => Ok(None),
        Some(label) => Encoding::from_label(label).map(Some).ok_or_else(|| {
            ImportError::Unreadable(format!(
                "{label:?} is not an encoding Vitrina reads (UTF-8, UTF-16, Windows-1251, KOI8-R)"
            ))
        }),
    }
}

fn read_one(
    name: &str,
    bytes: &[u8],
    format: Format,
    choices: &ReadChoices,
    info: &mut SourceInfo,
) -> Result<Input, ImportError> {
    let unreadable = |e: &dyn std::fmt::Display| ImportError::Unreadable(e.to_string());
    match format {
        Format::Csv => {
            let encoding = encoding(choices)?;
            refuse_binary(bytes)?;
            let options = CsvReadOptions {
                delimiter: choices.delimiter.and_then(|c| u8::try_from(c).ok()),
                encoding,
                restore_formulas: true,
                limits: Limits::default(),
            };
            if choices.delimiter.is_some() && options.delimiter.is_none() {
                return Err(ImportError::Unreadable(
                    "the delimiter must be a comma, semicolon, tab or vertical bar".into(),
                ));
            }
            let read = vitrina_formats::read_csv(bytes, &options).map_err(|e| unreadable(&e))?;
            info.encoding = Some(read.detection.encoding.name().to_owned());
            info.encoding_guessed = read.detection.is_guess();
            info.delimiter = Some(char::from(read.delimiter));
            Ok(Input::Table(read.table))
        }
        Format::Xlsx | Format::Ods => {
            let mut book = Workbook::open(bytes, &SpreadsheetOptions::default())
                .map_err(|e| unreadable(&e))?;
            info.sheets = book.sheet_names();
            let sheet = book
                .read_sheet(choices.sheet.as_deref().filter(|s| !s.is_empty()))
                .map_err(|e| unreadable(&e))?;
            info.sheet = Some(sheet.name.clone());
            if let Some(cell) = sheet.error_cells.first() {
                return Err(ImportError::Unreadable(format!(
                    "the sheet {:?} has {} cell(s) holding a formula error instead of a value, \
                     the first at {} ({}); fix them in the spreadsheet first",
                    sheet.name,
                    sheet.error_cells.len(),
                    cell.reference,
                    cell.error
                )));
            }
            Ok(Input::Table(sheet.table))
        }
        Format::Json => {
            let options = JsonOptions {
                encoding: encoding(choices)?,
                limits: Limits::default(),
            };
            if looks_like_snapshot(bytes) {
                let text =
                    vitrina_formats::decode(bytes, options.encoding.unwrap_or(Encoding::Utf8))
                        .map_err(|e| unreadable(&e))?;
                let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
                info.encoding = Some("UTF-8".into());
                let snapshot =
                    vitrina_transfer::snapshot_from_json(text).map_err(|e| unreadable(&e))?;
                return Ok(Input::Snapshot(snapshot));
            }
            let table =
                vitrina_formats::read_json_records(bytes, &options).map_err(|e| unreadable(&e))?;
            info.encoding = Some("UTF-8".into());
            Ok(Input::Table(table))
        }
        Format::Zip => Err(ImportError::Unreadable(format!(
            "{name}: a ZIP inside a ZIP is not read"
        ))),
    }
}

/// A text file holds no NUL byte (UTF-16 aside, which has a byte-order mark): one that does
/// is a binary file (a picture, a Word document) given by mistake.
fn refuse_binary(bytes: &[u8]) -> Result<(), ImportError> {
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    if utf16 {
        return Ok(());
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(ImportError::Unreadable(format!(
            "this is not a text file: it holds binary data (line {line}); import a CSV, TSV, \
             XLSX, ODS or JSON file"
        )));
    }
    Ok(())
}

/// Vitrina's own export is an object with `types` (and `collection`, `categories`); records
/// from elsewhere are an array, or an object holding one.
fn looks_like_snapshot(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        types: Option<serde::de::IgnoredAny>,
        collection: Option<serde::de::IgnoredAny>,
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // A cheap look first: only an object can be a snapshot.
    if text.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return false;
    }
    serde_json::from_slice::<Probe>(text)
        .map(|p| p.types.is_some() && p.collection.is_some())
        .unwrap_or(false)
}

fn read_bundle(
    bytes: &[u8],
    choices: &ReadChoices,
    mut info: SourceInfo,
) -> Result<(Input, SourceInfo, Pictures), ImportError> {
    let unreadable = |e: &dyn std::fmt::Display| ImportError::Unreadable(e.to_string());
    let mut bundle = Bundle::open(bytes, ZipLimits::default()).map_err(|e| unreadable(&e))?;
    let entries: Vec<_> = bundle.entries().filter(|e| !e.is_dir).cloned().collect();
    let sheets: Vec<&str> = entries
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| SHEETS.contains(&ext(n).as_str()))
        .collect();
    let sheet_name = match sheets.as_slice() {
        [one] => (*one).to_owned(),
        [] => {
            return Err(ImportError::Unreadable(
                "the ZIP holds no sheet (a .csv, .tsv, .xlsx, .ods or .json file) to import".into(),
            ));
        }
        many => {
            return Err(ImportError::Unreadable(format!(
                "the ZIP holds {} sheets ({}); put exactly one in it",
                many.len(),
                many.join(", ")
            )));
        }
    };
    let sheet_bytes = bundle.read(&sheet_name).map_err(|e| unreadable(&e))?;
    let format = Format::detect(&sheet_name, &sheet_bytes);
    let input = read_one(&sheet_name, &sheet_bytes, format, choices, &mut info)?;
    let mut pictures = Pictures::default();
    for e in &entries {
        if PICTURES.contains(&ext(&e.name).as_str()) {
            let bytes = bundle.read(&e.name).map_err(|e| unreadable(&e))?;
            pictures.files.push((e.name.clone(), bytes));
        }
    }
    info.format = Some(Format::Zip);
    info.bundle_sheet = Some(sheet_name);
    info.bundle_pictures = pictures.files.len();
    Ok((input, info, pictures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_bytes_then_names() {
        assert_eq!(Format::detect("a.csv", b"id,title\n1,x\n"), Format::Csv);
        assert_eq!(Format::detect("a.txt", b"  [{\"a\": 1}]"), Format::Json);
        assert_eq!(
            Format::detect("a", b"\xEF\xBB\xBF{\"types\": []}"),
            Format::Json
        );
        assert_eq!(Format::detect("export.json", b""), Format::Json);
        assert_eq!(Format::detect("a.csv", b"PK\x03\x04garbage"), Format::Zip);
        assert_eq!(Format::parse("TSV"), Some(Format::Csv));
        assert_eq!(Format::parse("docx"), None);
    }

    #[test]
    fn a_bundles_pictures_are_found_by_path_or_name_without_case() {
        let p = Pictures {
            files: vec![
                ("photos/MOPR-front.JPG".into(), vec![1]),
                ("back.png".into(), vec![2]),
            ],
        };
        assert_eq!(p.find("photos/MOPR-front.JPG").unwrap().1, [1]);
        assert_eq!(p.find("mopr-front.jpg").unwrap().1, [1]);
        assert_eq!(p.find("./back.png").unwrap().1, [2]);
        assert!(p.find("missing.jpg").is_none());
    }

    #[test]
    fn a_binary_file_is_not_read_as_text() {
        assert!(refuse_binary(b"title\nA\n").is_ok());
        let err = refuse_binary(b"title\nA\x00\xff").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(
            refuse_binary(b"\xFF\xFEt\x00").is_ok(),
            "UTF-16 has zero bytes"
        );
    }

    #[test]
    fn only_an_object_with_types_and_a_collection_is_vitrinas_own_export() {
        assert!(looks_like_snapshot(br#"{"collection": {}, "types": []}"#));
        assert!(!looks_like_snapshot(br#"{"records": [{"types": 1}]}"#));
        assert!(!looks_like_snapshot(br#"[{"collection": 1, "types": 2}]"#));
    }
}
