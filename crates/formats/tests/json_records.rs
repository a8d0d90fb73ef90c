//! A museum's JSON export with fields we do not know, and JSON made to crash a parser.

mod common;

use common::{row, table};
use vitrina_formats::{JsonError, JsonOptions, read_json_records};

fn read(text: &str) -> Result<vitrina_formats::Table, JsonError> {
    read_json_records(text.as_bytes(), &JsonOptions::default())
}

#[test]
fn a_museum_export_with_unknown_nested_fields() {
    let text = r#"{
  "exported": "2024-03-01",
  "records": [
    {
      "inv": "ОФ-1024",
      "name": {"ru": "Знак «Отличник РККА»", "en": "Excellent Red Army Soldier badge"},
      "dating": {"from": 1928, "to": 1933},
      "materials": ["серебро", "эмаль", null],
      "dims_mm": [31.5, 42],
      "published": false
    },
    {"inv": "ОФ-1025", "name": {"ru": "Знак ГТО"}, "provenance": "дар В. Н. Петрова, 1987",
     "images": [{"file": "1025-a.jpg", "view": "obverse"}]}
  ]
}"#;
    assert_eq!(
        read(text).unwrap(),
        table(
            &[
                "inv",
                "name.ru",
                "name.en",
                "dating.from",
                "dating.to",
                "materials",
                "dims_mm",
                "published",
                "provenance",
                "images.1.file",
                "images.1.view"
            ],
            vec![
                row(
                    4,
                    &[
                        "ОФ-1024",
                        "Знак «Отличник РККА»",
                        "Excellent Red Army Soldier badge",
                        "1928",
                        "1933",
                        "серебро; эмаль; ",
                        "31.5; 42",
                        "false"
                    ]
                ),
                row(
                    12,
                    &[
                        "ОФ-1025",
                        "Знак ГТО",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "дар В. Н. Петрова, 1987",
                        "1025-a.jpg",
                        "obverse"
                    ]
                ),
            ]
        )
    );
}

#[test]
fn json_nested_a_hundred_thousand_deep_is_refused_without_overflowing() {
    let arrays = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
    let err = read(&arrays).unwrap_err();
    assert!(matches!(err, JsonError::TooDeep { line: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("128 levels"));
    let objects = format!("[{}1{}]", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert!(matches!(read(&objects), Err(JsonError::TooDeep { .. })));
    // Inside a record, too.
    let in_record = format!(
        "[{{\"a\": {}{}}}]",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(read(&in_record), Err(JsonError::TooDeep { .. })));
}

#[test]
fn invalid_json_is_refused_with_its_place() {
    let err = read("[\n  {\"a\": 1},\n  {\"a\": 2,}\n]").unwrap_err();
    assert!(matches!(err, JsonError::Syntax { line: 3, .. }), "{err:?}");
    let err = read_json_records(b"[{\"a\": \"\xFF\"}]", &JsonOptions::default()).unwrap_err();
    assert!(matches!(err, JsonError::Decode(_)), "{err:?}");
}
