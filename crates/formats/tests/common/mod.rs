//! Builders shared by the integration tests: expected rows, legacy encodings, workbooks.
#![allow(dead_code)]

use std::io::{Cursor, Write};

use vitrina_formats::{Row, Table};
use zip::write::SimpleFileOptions;

pub fn row(line: u64, cells: &[&str]) -> Row {
    Row {
        line,
        cells: cells.iter().map(|c| (*c).to_owned()).collect(),
    }
}

pub fn table(headers: &[&str], rows: Vec<Row>) -> Table {
    Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

/// `text` in a legacy single-byte encoding; panics if a character has no byte there.
pub fn legacy(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{text:?} does not fit {}", encoding.name());
    bytes.into_owned()
}

/// `text` in UTF-16 with its byte-order mark.
pub fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut out = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        out.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

/// A zip of `(name, bytes)` entries, deflated, in order; a name ending in `/` is a folder.
pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in files {
        if let Some(dir) = name.strip_suffix('/') {
            w.add_directory(dir, SimpleFileOptions::default()).unwrap();
        } else {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

/// A minimal valid OpenDocument spreadsheet: the `mimetype` entry first and stored, a manifest,
/// and `content.xml` whose `<table:table>` elements are `tables`.
pub fn ods(tables: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("mimetype", stored).unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    w.start_file("META-INF/manifest.xml", SimpleFileOptions::default())
        .unwrap();
    w.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#,
    )
    .unwrap();
    w.start_file("content.xml", SimpleFileOptions::default())
        .unwrap();
    write!(
        w,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
 xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.3">
<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    )
    .unwrap();
    w.finish().unwrap().into_inner()
}
