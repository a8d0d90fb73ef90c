//! Import bundles (a sheet and its photos in one ZIP), and archives made to attack whoever
//! unpacks them: bombs, lying headers, paths that climb out, links.

mod common;

use std::io::{Cursor, Write};

use common::zip_of;
use vitrina_formats::{Bundle, ZipError, ZipLimits};
use zip::write::SimpleFileOptions;

/// Replaces every occurrence of `from` in `bytes` with `to` (same length).
fn patch(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut found = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            found += 1;
        }
        i += 1;
    }
    assert!(found > 0, "nothing to patch");
}

/// Sets the declared uncompressed size of the (only) entry, in its local header and in the
/// central directory, to `size`.
fn lie_about_size(bytes: &mut [u8], size: u32) {
    let mut patched = 0;
    for i in 0..bytes.len().saturating_sub(30) {
        let at = match &bytes[i..i + 4] {
            b"PK\x03\x04" => i + 22,
            b"PK\x01\x02" => i + 24,
            _ => continue,
        };
        bytes[at..at + 4].copy_from_slice(&size.to_le_bytes());
        patched += 1;
    }
    assert_eq!(patched, 2);
}

#[test]
fn a_bundle_with_a_sheet_and_photos() {
    let bytes = zip_of(&[
        (
            "collection.csv",
            "Название;Фото\r\nЗнак;photos/знак 1.jpg\r\n".as_bytes(),
        ),
        ("photos/", b""),
        ("photos/знак 1.jpg", b"\xFF\xD8\xFF\xE0"),
        (".DS_Store", b"junk"),
    ]);
    let mut bundle = Bundle::open(&bytes, ZipLimits::default()).unwrap();
    let names: Vec<&str> = bundle.entries().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["collection.csv", "photos", "photos/знак 1.jpg"]);
    assert_eq!(bundle.entry("photos/знак 1.jpg").unwrap().size, 4);
    let sheet = bundle.read("collection.csv").unwrap();
    let read =
        vitrina_formats::read_csv(&sheet, &vitrina_formats::CsvReadOptions::default()).unwrap();
    assert_eq!(read.table.rows[0].cells, ["Знак", "photos/знак 1.jpg"]);
    assert_eq!(
        bundle.read("photos/знак 1.jpg").unwrap(),
        b"\xFF\xD8\xFF\xE0"
    );
}

#[test]
fn a_zip_bomb_is_refused() {
    let bytes = zip_of(&[
        ("sheet.csv", b"a,b\n"),
        ("photos/big.jpg", &vec![0u8; 16 << 20]),
    ]);
    assert!(bytes.len() < 100_000, "{}", bytes.len());
    let err = Bundle::open(&bytes, ZipLimits::default()).unwrap_err();
    assert!(
        matches!(&err, ZipError::Bomb { name, .. } if name == "photos/big.jpg"),
        "{err:?}"
    );
    assert!(err.to_string().contains("zip bomb"));
}

#[test]
fn a_bomb_whose_header_lies_is_caught_while_inflating() {
    let mut bytes = zip_of(&[("photo.jpg", &vec![0u8; 16 << 20])]);
    lie_about_size(&mut bytes, 1_000);
    // The directory looks innocent: 1,000 bytes.
    let mut bundle = Bundle::open(&bytes, ZipLimits::default()).unwrap();
    assert_eq!(bundle.entry("photo.jpg").unwrap().size, 1_000);
    assert_eq!(
        bundle.read("photo.jpg").unwrap_err(),
        ZipError::SizeMismatch {
            name: "photo.jpg".into()
        }
    );
}

#[test]
fn the_total_is_counted_across_reads() {
    let bytes = zip_of(&[("a.jpg", &[1u8; 600][..]), ("b.jpg", &[2u8; 600][..])]);
    let mut bundle = Bundle::open(
        &bytes,
        ZipLimits {
            max_total_bytes: 1_500,
            ..ZipLimits::default()
        },
    )
    .unwrap();
    bundle.read("a.jpg").unwrap();
    bundle.read("a.jpg").unwrap();
    assert_eq!(
        bundle.read("b.jpg").unwrap_err(),
        ZipError::TooLarge { limit: 1_500 }
    );
}

fn archive_named(name: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("sheet.csv", SimpleFileOptions::default())
        .unwrap();
    w.write_all(b"a\n").unwrap();
    w.start_file(name, SimpleFileOptions::default()).unwrap();
    w.write_all(b"owned").unwrap();
    w.finish().unwrap().into_inner()
}

#[test]
fn archives_whose_names_climb_out_are_refused() {
    for (name, reason) in [
        ("../../.bashrc", "\"..\""),
        ("photos/../../../etc/cron.d/x", "\"..\""),
        ("/etc/passwd", "absolute"),
        ("..\\..\\Windows\\evil.dll", "backslash"),
        ("photos\\..\\..\\x", "backslash"),
        ("C:/Windows/evil.dll", "drive letter"),
        ("C:evil", "drive letter"),
        ("photos//x.jpg", "empty"),
    ] {
        let bytes = archive_named(name);
        let err = Bundle::open(&bytes, ZipLimits::default()).unwrap_err();
        assert!(
            matches!(err, ZipError::UnsafeName { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(reason), "{name}: {err}");
    }
}

#[test]
fn an_archive_holding_a_symlink_is_refused() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.add_symlink(
        "photos/link.jpg",
        "/etc/passwd",
        SimpleFileOptions::default(),
    )
    .unwrap();
    let bytes = w.finish().unwrap().into_inner();
    assert_eq!(
        Bundle::open(&bytes, ZipLimits::default()).unwrap_err(),
        ZipError::Symlink {
            name: "photos/link.jpg".into()
        }
    );
}

#[test]
fn two_entries_with_one_name_are_refused() {
    let mut bytes = zip_of(&[("sheet.csv", b"a\n"), ("sheet.xyz", b"b\n")]);
    patch(&mut bytes, b"sheet.xyz", b"sheet.csv");
    assert_eq!(
        Bundle::open(&bytes, ZipLimits::default()).unwrap_err(),
        ZipError::DuplicateNames
    );
}

#[test]
fn too_many_entries() {
    let files: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("p{i}.jpg"), vec![1])).collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bytes = zip_of(&refs);
    let limits = ZipLimits {
        max_entries: 10,
        ..ZipLimits::default()
    };
    assert_eq!(
        Bundle::open(&bytes, limits).unwrap_err(),
        ZipError::TooManyEntries {
            entries: 20,
            limit: 10
        }
    );
}
