//! A corpus of messy delimited files, as collectors' and dealers' programs write them, each
//! built here byte by byte and read into its exact expected table.

mod common;

use common::{legacy, row, table, utf16};
use vitrina_formats::{
    CsvError, CsvReadOptions, DecodeError, DetectionMethod, Encoding, LimitError, Limits, read_csv,
};

fn read(bytes: &[u8]) -> Result<vitrina_formats::CsvRead, CsvError> {
    read_csv(bytes, &CsvReadOptions::default())
}

/// What a Russian Excel saves as "CSV (разделители — запятые)": Windows-1251, semicolons
/// (the comma is its decimal sign), CRLF, quotes only where needed.
const RUSSIAN_EXCEL: &str = "Название;Год;Вес, г;Металл;Примечание\r\n\
    Знак \"Ворошиловский стрелок\" II ст.;1934;12,5;латунь;\"винт; гайка\"\r\n\
    Знак ГТО I ступени;1933;18,25;серебро;\r\n\
    ;;;;\r\n\
    Членский знак ОСОАВИАХИМ;1927;;бронза;\"потёртости\r\nна эмали\"\r\n\
    Значок \"МОПР\";;;;№ 17\r\n";

fn russian_excel_table() -> vitrina_formats::Table {
    russian_excel_table_with("№")
}

/// KOI8-R has no "№".
fn russian_excel_table_with(number_sign: &str) -> vitrina_formats::Table {
    let last_note = format!("{number_sign} 17");
    table(
        &["Название", "Год", "Вес, г", "Металл", "Примечание"],
        vec![
            row(
                2,
                &[
                    "Знак \"Ворошиловский стрелок\" II ст.",
                    "1934",
                    "12,5",
                    "латунь",
                    "винт; гайка",
                ],
            ),
            row(3, &["Знак ГТО I ступени", "1933", "18,25", "серебро", ""]),
            row(
                5,
                &[
                    "Членский знак ОСОАВИАХИМ",
                    "1927",
                    "",
                    "бронза",
                    "потёртости\r\nна эмали",
                ],
            ),
            row(7, &["Значок \"МОПР\"", "", "", "", &last_note]),
        ],
    )
}

#[test]
fn windows_1251_semicolons_crlf_from_a_russian_excel() {
    let bytes = legacy(RUSSIAN_EXCEL, encoding_rs::WINDOWS_1251);
    let read = read(&bytes).unwrap();
    assert_eq!(read.detection.encoding, Encoding::Windows1251);
    assert_eq!(read.detection.method, DetectionMethod::Statistics);
    assert_eq!(read.delimiter, b';');
    assert_eq!(read.table, russian_excel_table());
}

#[test]
fn koi8_r() {
    let bytes = legacy(&RUSSIAN_EXCEL.replace('№', "N"), encoding_rs::KOI8_R);
    let read = read(&bytes).unwrap();
    assert_eq!(read.detection.encoding, Encoding::Koi8R);
    assert_eq!(read.table, russian_excel_table_with("N"));
}

#[test]
fn the_user_can_override_a_wrong_guess() {
    let bytes = legacy(RUSSIAN_EXCEL, encoding_rs::WINDOWS_1251);
    let options = CsvReadOptions {
        encoding: Some(Encoding::Koi8R),
        ..CsvReadOptions::default()
    };
    let read = read_csv(&bytes, &options).unwrap();
    assert_eq!(read.detection.encoding, Encoding::Koi8R);
    assert_ne!(read.table, russian_excel_table());
}

#[test]
fn utf8_with_bom_and_crlf_from_a_mac_excel() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(RUSSIAN_EXCEL.as_bytes());
    let read = read(&bytes).unwrap();
    assert_eq!(read.detection.encoding, Encoding::Utf8);
    assert!(read.detection.bom);
    assert_eq!(read.detection.method, DetectionMethod::Bom);
    assert_eq!(read.table, russian_excel_table());
}

#[test]
fn utf8_without_bom_and_lf_from_libreoffice() {
    let text = "Название,Год,Металл\nЗнак ГТО,1933,\"серебро, эмаль\"\nМедаль,1938,\"бронза\nпозолота\"\nЗначок,,\n";
    let read = read(text.as_bytes()).unwrap();
    assert_eq!(read.detection.method, DetectionMethod::ValidUtf8);
    assert_eq!(read.delimiter, b',');
    assert_eq!(
        read.table,
        table(
            &["Название", "Год", "Металл"],
            vec![
                row(2, &["Знак ГТО", "1933", "серебро, эмаль"]),
                row(3, &["Медаль", "1938", "бронза\nпозолота"]),
                row(5, &["Значок", "", ""]),
            ]
        )
    );
}

/// Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated.
#[test]
fn utf16_le_and_be_with_bom_tab_separated() {
    let text = "Название\tГод\r\n\"Знак \"\"ГТО\"\"\"\t1933\r\nМедаль «За отвагу»\t1938\r\n";
    let expected = table(
        &["Название", "Год"],
        vec![
            row(2, &["Знак \"ГТО\"", "1933"]),
            row(3, &["Медаль «За отвагу»", "1938"]),
        ],
    );
    for little_endian in [true, false] {
        let read = read(&utf16(text, little_endian)).unwrap();
        let encoding = if little_endian {
            Encoding::Utf16Le
        } else {
            Encoding::Utf16Be
        };
        assert_eq!(read.detection.encoding, encoding);
        assert_eq!(read.delimiter, b'\t');
        assert_eq!(read.table, expected);
    }
}

#[test]
fn quoted_commas_and_doubled_quotes_from_a_dealers_list() {
    let text = "lot,title,price\n\
                101,\"Badge, \"\"Excellent Miner\"\", 1st class\",\"1,200\"\n\
                102,Plain title,80\n";
    let read = read(text.as_bytes()).unwrap();
    assert_eq!(
        read.table,
        table(
            &["lot", "title", "price"],
            vec![
                row(
                    2,
                    &["101", "Badge, \"Excellent Miner\", 1st class", "1,200"]
                ),
                row(3, &["102", "Plain title", "80"]),
            ]
        )
    );
}

#[test]
fn line_numbers_after_newlines_inside_quotes() {
    let text = "id,notes\r\n1,\"one\r\ntwo\r\nthree\"\r\n2,after\r\n\r\n3,\"\n\n\"\r\n4,last";
    let read = read(text.as_bytes()).unwrap();
    assert_eq!(
        read.table,
        table(
            &["id", "notes"],
            vec![
                row(2, &["1", "one\r\ntwo\r\nthree"]),
                row(5, &["2", "after"]),
                row(7, &["3", "\n\n"]),
                row(10, &["4", "last"]),
            ]
        )
    );
}

#[test]
fn an_unterminated_quote_names_the_line_where_it_opened() {
    let text = "id;notes\r\n1;ok\r\n2;\"starts here\r\n3;never\r\n4;closed\r\n";
    assert_eq!(
        read(text.as_bytes()).unwrap_err(),
        CsvError::UnterminatedQuote { line: 3 }
    );
    let err = read(text.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn invalid_utf8_in_the_middle_is_refused_with_its_line() {
    let mut bytes = RUSSIAN_EXCEL.as_bytes().to_vec();
    let at = RUSSIAN_EXCEL.find("серебро").unwrap();
    // A truncated two-byte letter: the lead byte of "с" without its continuation.
    bytes.remove(at + 1);
    let err = read(&bytes).unwrap_err();
    let CsvError::Decode(DecodeError {
        encoding,
        line,
        column,
        offset,
    }) = err
    else {
        panic!("expected a decoding error, got {err:?}");
    };
    assert_eq!((encoding, line, offset), (Encoding::Utf8, 3, at));
    let line_start = RUSSIAN_EXCEL[..at].rfind('\n').unwrap() + 1;
    assert_eq!(
        column,
        RUSSIAN_EXCEL[line_start..at].chars().count() as u64 + 1
    );
    assert!(!err.to_string().contains('\u{FFFD}'));
}

#[test]
fn nfd_text_is_kept_byte_for_byte() {
    // "й" and "ё" decomposed (и + breve, е + diaeresis), "é" decomposed.
    let nfd = "\u{0438}\u{0306}\u{0435}\u{0308}lise\u{0301}";
    let text = format!("name\n{nfd}\n");
    let read = read(text.as_bytes()).unwrap();
    assert_eq!(read.table.rows[0].cells[0].as_bytes(), nfd.as_bytes());
}

#[test]
fn a_one_mib_field_is_read() {
    let big = "ж".repeat(512 * 1024);
    let text = format!("name,description\r\nBadge,\"{big}\"\r\nNext,x\r\n");
    let read = read(text.as_bytes()).unwrap();
    assert_eq!(read.table.rows[0].cells[1].len(), 1 << 20);
    assert_eq!(read.table.rows[0].cells[1], big);
    assert_eq!(read.table.rows[1], row(3, &["Next", "x"]));
}

#[test]
fn a_cell_over_the_limit_is_a_clear_error() {
    let text = format!("a\n{}\n", "x".repeat(5 << 20));
    let err = read(text.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CsvError::Limit(LimitError::CellTooLarge { place, .. }) if place == "line 2, column 1"),
        "{err}"
    );
    let options = CsvReadOptions {
        limits: Limits {
            max_rows: 10,
            ..Limits::default()
        },
        ..CsvReadOptions::default()
    };
    let many = "a\n".to_owned() + &"1\n".repeat(11);
    assert_eq!(
        read_csv(many.as_bytes(), &options).unwrap_err(),
        CsvError::Limit(LimitError::TooManyRows { limit: 10 })
    );
    let wide = "a\n".to_owned() + &"x,".repeat(1_000) + "x\n";
    assert!(matches!(
        read(wide.as_bytes()),
        Err(CsvError::Limit(LimitError::TooManyColumns {
            columns: 1_001,
            ..
        }))
    ));
}

#[test]
fn a_hundred_thousand_rows() {
    let mut text = String::from(
        "id;name;year;metal;weight;maker;city;series;number;state;price;source;notes;photo\r\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!(
            "{i};Знак №{i};19{:02};серебро;{}.5;ММД;Москва;ГТО;{i};хорошее;1{i};аукцион;\"примечание; {i}\";p{i}.jpg\r\n",
            i % 100,
            i % 30
        ));
    }
    let read = read(text.as_bytes()).unwrap();
    assert_eq!(read.table.headers.len(), 14);
    assert_eq!(read.table.rows.len(), 100_000);
    assert_eq!(
        read.table.rows[99_999],
        row(
            100_001,
            &[
                "99999",
                "Знак №99999",
                "1999",
                "серебро",
                "9.5",
                "ММД",
                "Москва",
                "ГТО",
                "99999",
                "хорошее",
                "199999",
                "аукцион",
                "примечание; 99999",
                "p99999.jpg"
            ]
        )
    );
}

#[test]
fn excel_sep_line() {
    let text = "sep=,\r\nName,Year\r\nЗнак,1934\r\n";
    let read = read(text.as_bytes()).unwrap();
    assert_eq!(
        read.table,
        table(&["Name", "Year"], vec![row(3, &["Знак", "1934"])])
    );
}
