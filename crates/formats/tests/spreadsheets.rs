//! Workbooks built here (XLSX with rust_xlsxwriter, ODS by hand from the OpenDocument
//! format) read into exact tables; hostile workbooks refused.

mod common;

use common::{ods, row, table, zip_of};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook as XlsxWorkbook};
use vitrina_formats::{
    ErrorCell, LimitError, SpreadsheetError, SpreadsheetFormat, SpreadsheetOptions, Workbook,
    ZipError, ZipLimits, read_sheet, sheet_names, sniff_spreadsheet,
};

/// A collector's workbook: a title row, a blank row, the table starting at B3, typed cells,
/// an error cell, a second and a hidden sheet.
fn collector_xlsx() -> Vec<u8> {
    let mut wb = XlsxWorkbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let time = Format::new().set_num_format("hh:mm");
    let hidden = wb.add_worksheet();
    hidden.set_name("Служебный").unwrap();
    hidden.write_string(0, 0, "hidden").unwrap();
    hidden.set_hidden(true);
    let s = wb.add_worksheet();
    s.set_name("Знаки").unwrap();
    // The active sheet cannot be hidden; make this one active so the first one can be.
    s.set_active(true);
    s.write_string(0, 0, "Моя коллекция").unwrap();
    for (c, h) in [
        " Название ",
        "Год",
        "Вес",
        "Получен",
        "Время",
        "Есть",
        "Цена за г",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(2, 1 + c as u16, *h).unwrap();
    }
    s.write_string(3, 1, "Знак ГТО").unwrap();
    s.write_number(3, 2, 1933).unwrap();
    s.write_number(3, 3, 12.5).unwrap();
    s.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(1998, 6, 15).unwrap(), &date)
        .unwrap();
    s.write_datetime_with_format(3, 5, ExcelDateTime::from_hms(18, 30, 0).unwrap(), &time)
        .unwrap();
    s.write_boolean(3, 6, true).unwrap();
    s.write_formula(3, 7, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    s.write_string(5, 1, "Медаль").unwrap();
    s.write_number(5, 3, 0.1).unwrap();
    s.write_datetime_with_format(
        5,
        4,
        ExcelDateTime::from_ymd(2001, 2, 3)
            .unwrap()
            .and_hms(4, 5, 6)
            .unwrap(),
        &datetime,
    )
    .unwrap();
    s.write_boolean(5, 6, false).unwrap();
    s.write_number(5, 7, -3.0).unwrap();
    let other = wb.add_worksheet();
    other.set_name("Дилеры").unwrap();
    other.write_string(0, 0, "name").unwrap();
    other.write_string(1, 0, "Иванов").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_made_with_rust_xlsxwriter_reads_into_its_table() {
    let bytes = collector_xlsx();
    assert_eq!(sniff_spreadsheet(&bytes), Ok(SpreadsheetFormat::Xlsx));
    let options = SpreadsheetOptions::default();
    assert_eq!(
        sheet_names(&bytes, &options).unwrap(),
        ["Служебный", "Знаки", "Дилеры"]
    );
    let mut workbook = Workbook::open(&bytes, &options).unwrap();
    // The hidden first sheet is not the default.
    assert_eq!(workbook.default_sheet().as_deref(), Some("Знаки"));
    let sheet = workbook.read_sheet(None).unwrap();
    assert_eq!(sheet.name, "Знаки");
    // The title in A1 is the first filled row, so it is the header row; columns start at A.
    assert_eq!(
        sheet.table,
        table(
            &["Моя коллекция"],
            vec![
                row(
                    3,
                    &[
                        "",
                        " Название ",
                        "Год",
                        "Вес",
                        "Получен",
                        "Время",
                        "Есть",
                        "Цена за г"
                    ]
                ),
                row(
                    4,
                    &[
                        "",
                        "Знак ГТО",
                        "1933",
                        "12.5",
                        "1998-06-15",
                        "18:30:00",
                        "TRUE",
                        "#DIV/0!"
                    ]
                ),
                row(
                    6,
                    &[
                        "",
                        "Медаль",
                        "",
                        "0.1",
                        "2001-02-03T04:05:06",
                        "",
                        "FALSE",
                        "-3"
                    ]
                ),
            ]
        )
    );
    assert_eq!(
        sheet.error_cells,
        [ErrorCell {
            reference: "H4".into(),
            row: 4,
            column: 8,
            error: "#DIV/0!".into()
        }]
    );
    let dealers = workbook.read_sheet(Some("Дилеры")).unwrap();
    assert_eq!(dealers.table, table(&["name"], vec![row(2, &["Иванов"])]));
}

#[test]
fn a_sheet_that_does_not_exist_is_named_with_the_ones_that_do() {
    let bytes = collector_xlsx();
    let err = read_sheet(&bytes, Some("Нет"), &SpreadsheetOptions::default()).unwrap_err();
    assert_eq!(
        err,
        SpreadsheetError::NoSuchSheet {
            name: "Нет".into(),
            available: vec!["Служебный".into(), "Знаки".into(), "Дилеры".into()]
        }
    );
    assert!(err.to_string().contains("Служебный, Знаки, Дилеры"));
}

#[test]
fn two_far_apart_cells_are_refused_not_expanded() {
    let mut wb = XlsxWorkbook::new();
    let s = wb.add_worksheet();
    s.write_string(0, 0, "a").unwrap();
    s.write_string(1_048_575, 16_383, "b").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let err = read_sheet(&bytes, None, &SpreadsheetOptions::default()).unwrap_err();
    assert!(
        matches!(&err, SpreadsheetError::Limit(LimitError::TooManyColumns { place, columns: 16_384, .. }) if place == "row 1048576"),
        "{err:?}"
    );
}

#[test]
fn an_xlsx_carrying_a_zip_bomb_is_refused_before_calamine_reads_it() {
    let mut bytes = collector_xlsx();
    // Add an 8 MiB entry of zeros (about 8 KB compressed) to the workbook's zip.
    let mut archive = zip::ZipWriter::new_append(std::io::Cursor::new(&mut bytes)).unwrap();
    archive
        .start_file(
            "xl/media/bomb.bin",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    std::io::Write::write_all(&mut archive, &vec![0u8; 8 << 20]).unwrap();
    archive.finish().unwrap();
    assert!(bytes.len() < 100_000);
    let err = read_sheet(&bytes, None, &SpreadsheetOptions::default()).unwrap_err();
    assert!(
        matches!(&err, SpreadsheetError::Zip(ZipError::Bomb { name, .. }) if name == "xl/media/bomb.bin"),
        "{err:?}"
    );
    // With the ratio allowed, the size limit still holds.
    let options = SpreadsheetOptions {
        zip: ZipLimits {
            max_ratio: u64::MAX,
            max_entry_bytes: 1 << 20,
            ..ZipLimits::default()
        },
        ..SpreadsheetOptions::default()
    };
    assert!(matches!(
        read_sheet(&bytes, None, &options),
        Err(SpreadsheetError::Zip(ZipError::EntryTooLarge { .. }))
    ));
}

/// The XML without the line breaks and indentation between elements (LibreOffice writes none,
/// and calamine takes text between cells for a malformed row).
fn compact(xml: &str) -> String {
    xml.lines().map(str::trim).collect()
}

const ODS_SHEETS: &str = r#"
<table:table table:name="Коллекция">
 <table:table-column table:number-columns-repeated="5"/>
 <table:table-row>
  <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Название</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Год</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Доля</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Дата</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Примечание</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Проверка</text:p></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>Знак <text:span>«ГТО»</text:span></text:p></table:table-cell>
  <table:table-cell office:value-type="float" office:value="1933"><text:p>1933</text:p></table:table-cell>
  <table:table-cell office:value-type="percentage" office:value="0.125"><text:p>12,5%</text:p></table:table-cell>
  <table:table-cell office:value-type="date" office:date-value="1933-06-15"><text:p>15.06.33</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>две<text:s text:c="3"/>строки</text:p><text:p>вторая</text:p></table:table-cell>
  <table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>
 </table:table-row>
 <table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="6"/></table:table-row>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>Медаль &amp; лента</text:p></table:table-cell>
  <table:table-cell/>
  <table:table-cell office:value-type="float" office:value="0.1"><text:p>0,1</text:p></table:table-cell>
  <table:table-cell office:value-type="date" office:date-value="2001-02-03T04:05:06"><text:p>x</text:p></table:table-cell>
  <table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>ИСТИНА</text:p></table:table-cell>
  <table:table-cell office:value-type="time" office:time-value="PT18H30M00S"><text:p>18:30</text:p></table:table-cell>
 </table:table-row>
 <table:table-row table:number-rows-repeated="1048571"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table>
<table:table table:name="Второй">
 <table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row>
</table:table>"#;

#[test]
fn a_minimal_ods_reads_into_its_table() {
    let bytes = ods(&compact(ODS_SHEETS));
    assert_eq!(sniff_spreadsheet(&bytes), Ok(SpreadsheetFormat::Ods));
    let options = SpreadsheetOptions::default();
    assert_eq!(
        sheet_names(&bytes, &options).unwrap(),
        ["Коллекция", "Второй"]
    );
    let sheet = read_sheet(&bytes, None, &options).unwrap();
    assert_eq!(
        sheet.table,
        table(
            &["Название", "Год", "Доля", "Дата", "Примечание", "Проверка"],
            vec![
                row(
                    2,
                    &[
                        "Знак «ГТО»",
                        "1933",
                        "0.125",
                        "1933-06-15",
                        "две   строки\nвторая",
                        "#DIV/0!"
                    ]
                ),
                row(
                    5,
                    &[
                        "Медаль & лента",
                        "",
                        "0.1",
                        "2001-02-03T04:05:06",
                        "TRUE",
                        "18:30:00"
                    ]
                ),
            ]
        )
    );
    assert_eq!(
        sheet.error_cells,
        [ErrorCell {
            reference: "F2".into(),
            row: 2,
            column: 6,
            error: "#DIV/0!".into()
        }]
    );
    let second = read_sheet(&bytes, Some("Второй"), &options).unwrap();
    assert_eq!(second.table, table(&["a"], vec![]));
}

#[test]
fn an_ods_whose_repeats_would_expand_into_gigabytes_is_refused() {
    let bomb = ods(&compact(
        r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1048576">
           <table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>boom</text:p></table:table-cell>
           </table:table-row></table:table>"#,
    ));
    assert!(bomb.len() < 2_000);
    let err = read_sheet(&bomb, None, &SpreadsheetOptions::default()).unwrap_err();
    assert!(matches!(err, SpreadsheetError::Limit(_)), "{err:?}");
}

#[test]
fn old_and_unknown_formats_are_refused_with_advice() {
    let xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0";
    let err = read_sheet(xls, None, &SpreadsheetOptions::default()).unwrap_err();
    assert!(err.to_string().contains("save it as .xlsx"), "{err}");
    assert_eq!(
        read_sheet(b"name,year\n", None, &SpreadsheetOptions::default()),
        Err(SpreadsheetError::UnknownFormat)
    );
    let not_a_sheet = zip_of(&[("photo.jpg", b"\xFF\xD8")]);
    assert_eq!(
        sniff_spreadsheet(&not_a_sheet),
        Err(SpreadsheetError::UnknownFormat)
    );
}
