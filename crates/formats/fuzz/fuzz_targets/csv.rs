//! The decoder and the CSV reader on any bytes: no panic, no hang, and whatever is read comes
//! back unchanged through the CSV writer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrina_formats::{CsvOptions, CsvReadOptions, Encoding, decode, read_csv, write_csv};

fuzz_target!(|data: &[u8]| {
    // The first byte picks an encoding override (or none), the rest is the file.
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let encoding = match choice % 8 {
        0 => Some(Encoding::Utf8),
        1 => Some(Encoding::Windows1251),
        2 => Some(Encoding::Koi8R),
        3 => Some(Encoding::Utf16Le),
        4 => Some(Encoding::Utf16Be),
        _ => None,
    };
    let options = CsvReadOptions {
        encoding,
        ..CsvReadOptions::default()
    };
    // Decoding never replaces: what comes out encodes back to exactly what went in.
    for e in [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be] {
        if let Ok(text) = decode(bytes, e) {
            let body = e
                .bom()
                .and_then(|bom| bytes.strip_prefix(bom))
                .unwrap_or(bytes);
            let again: Vec<u8> = match e {
                Encoding::Utf8 => text.into_bytes(),
                Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                _ => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            };
            assert_eq!(again, body, "{e} decoding is not exact");
        }
    }
    let Ok(read) = read_csv(bytes, &options) else {
        return;
    };
    let written = write_csv(
        &read.table,
        &CsvOptions {
            delimiter: read.delimiter,
            ..CsvOptions::default()
        },
    )
    .expect("a table read from CSV can be written as CSV");
    let again = read_csv(
        &written,
        &CsvReadOptions {
            delimiter: Some(read.delimiter),
            ..CsvReadOptions::default()
        },
    )
    .expect("what we wrote reads back");
    assert_eq!(again.table.headers, read.table.headers);
    let cells =
        |t: &vitrina_formats::Table| t.rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>();
    assert_eq!(cells(&again.table), cells(&read.table));
});
