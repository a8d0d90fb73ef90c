use vitrina_catalogue::{
    Condition, Dimension, Fitting, Material, PartialDate, PhotoRole, Rarity, Text, Unit,
};
use vitrina_formats::Row;

use super::*;

fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        headers: headers.iter().map(|s| (*s).to_owned()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| Row {
                line: i as u64 + 2,
                cells: cells.iter().map(|s| (*s).to_owned()).collect(),
            })
            .collect(),
    }
}

fn import(t: &Table) -> Outcome {
    read(t, &Mapping::recognise(&t.headers), &ReadOptions::default())
}

fn problems(o: &Outcome) -> Vec<String> {
    o.problems.iter().map(ToString::to_string).collect()
}

const GENERATED: &[&str] = &[
    "id",
    "title_en",
    "title_ru",
    "category",
    "year_established",
    "materials",
    "variants",
    "maker_mark",
    "engraving",
    "condition",
    "rarity",
    "dimensions_mm",
    "weight_g",
    "description",
];

#[test]
fn a_foreign_sheet_of_one_row_per_badge_uses_every_column() {
    let t = table(
        GENERATED,
        &[
            &[
                "4",
                "Delegate badge of the XXIV Congress of the CPSU (type 2)",
                "Знак делегата XXIV съезда КПСС (тип 2)",
                "Party congress",
                "1971",
                "gold-plated silver, enamel",
                "V1 screw-back, small nut; V2 clutch back, no number",
                "Копейский завод",
                "№ 47765",
                "Good; original nut",
                "Common",
                "14.7x17.6",
                "4.6",
                "Comes from the collection of a Minsk veteran.",
            ],
            &[
                "5",
                "Dynamo sports society",
                "Спортивное общество «Динамо»",
                "Sports",
                "1970",
                "aluminium, enamel",
                "V1 pin-back, hot enamel",
                "unmarked",
                "",
                "Mint",
                "Very rare",
                "49.6x48.0",
                "11.7",
                "Established in 1970.",
            ],
        ],
    );
    let o = import(&t);
    assert!(o.is_clean(), "{:#?}", problems(&o));
    assert_eq!(o.rows, 2);
    let a = &o.types[0].record;
    assert_eq!(
        a.slug.as_str(),
        "delegate-badge-of-the-xxiv-congress-of-the-cpsu-type-2"
    );
    assert!(o.types[0].slug_derived);
    assert_eq!(o.types[0].lines, [2]);
    assert_eq!(a.names.ru, "Знак делегата XXIV съезда КПСС (тип 2)");
    assert_eq!(a.established, Some(PartialDate::year(1971)));
    assert_eq!(a.categories[0].as_str(), "party-congress");
    assert_eq!(
        a.description.en,
        "Comes from the collection of a Minsk veteran."
    );
    assert_eq!(a.variants.len(), 2);
    let (v1, v2) = (&a.variants[0], &a.variants[1]);
    assert_eq!(v1.name.en, "V1 screw-back, small nut");
    assert_eq!(v1.fitting, Some(Fitting::ScrewBack));
    assert_eq!(v2.fitting, Some(Fitting::Pin));
    for v in [v1, v2] {
        assert_eq!(v.materials, [Material::Silver, Material::Enamel]);
        assert_eq!(v.plating, Some(Material::Gold));
        assert_eq!(v.maker, "Копейский завод");
    }
    assert!(
        v2.specimens.is_empty(),
        "the row's specimen is in its first variant"
    );
    let s = &v1.specimens[0];
    assert_eq!(s.inventory_number, "4");
    assert_eq!(s.engravings[0].text, "№ 47765");
    assert_eq!(s.condition, Some(Condition::Good));
    assert_eq!(s.notes.en, "original nut");
    assert_eq!(s.rarity, Some(Rarity::Common));
    let m: Vec<(Dimension, &str, Unit)> = s
        .measurements
        .iter()
        .map(|m| (m.dimension, m.quantity.value.as_str(), m.quantity.unit))
        .collect();
    assert_eq!(
        m,
        [
            (Dimension::Width, "14.7", Unit::Mm),
            (Dimension::Height, "17.6", Unit::Mm),
            (Dimension::Weight, "4.6", Unit::G),
        ]
    );
    let b = &o.types[1].record;
    assert_eq!(b.variants[0].specimens[0].rarity, Some(Rarity::VeryRare));
    assert_eq!(b.variants[0].fitting, Some(Fitting::Pin));
    assert_eq!(
        b.variants[0].specimens[0].measurements[1]
            .quantity
            .value
            .as_str(),
        "48.0"
    );
    let cats: Vec<(&str, &str, bool)> = o
        .categories
        .iter()
        .map(|c| {
            (
                c.category.slug.as_str(),
                c.category.title.en.as_str(),
                c.existing,
            )
        })
        .collect();
    assert_eq!(
        cats,
        [
            ("party-congress", "Party congress", false),
            ("sports", "Sports", false)
        ]
    );
}

#[test]
fn rows_of_one_badge_each_get_unique_slugs_in_row_order() {
    let t = table(
        &["id", "Title", "Year"],
        &[
            &["1", "Stakhanovite", "1935"],
            &["2", "Stakhanovite", "1938"],
            &["3", "Stakhanovite-2", "1939"],
            &["4", "Stakhanovite", "1940"],
        ],
    );
    let o = import(&t);
    assert!(o.is_clean(), "{:#?}", problems(&o));
    let slugs: Vec<&str> = o.records().map(|t| t.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "stakhanovite",
            "stakhanovite-2",
            "stakhanovite-2-2",
            "stakhanovite-3"
        ]
    );
    assert_eq!(import(&t), o, "the same table gives the same records");
}

#[test]
fn rows_with_the_same_slug_are_one_type_with_variants_and_specimens() {
    let t = table(
        &[
            "slug",
            "title",
            "variant",
            "materials",
            "inv no",
            "condition",
            "Вес, г",
        ],
        &[
            &[
                "nkvd",
                "NKVD fireman's badge",
                "Silver",
                "silver",
                "A-1",
                "XF",
                "24,5",
            ],
            &["nkvd", "", "Silver", "", "A-2", "VF", ""],
            &[
                "nkvd",
                "NKVD fireman's badge",
                "Bronze",
                "bronze",
                "",
                "",
                "",
            ],
            &["mopr", "MOPR badge", "", "", "", "", ""],
        ],
    );
    let o = import(&t);
    assert!(o.is_clean(), "{:#?}", problems(&o));
    assert_eq!(o.types.len(), 2);
    let n = &o.types[0];
    assert_eq!(n.lines, [2, 3, 4]);
    assert!(!n.slug_derived);
    let v = &n.record.variants;
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].name.en, "Silver");
    assert_eq!(v[0].specimens.len(), 2);
    assert_eq!(v[0].specimens[1].inventory_number, "A-2");
    assert_eq!(
        v[0].specimens[0].measurements[0].quantity.value.as_str(),
        "24.5"
    );
    assert_eq!(v[1].materials, [Material::Bronze]);
    assert!(v[1].specimens.is_empty());
    assert!(o.types[1].record.variants.is_empty());
}

#[test]
fn type_cells_that_disagree_across_rows_are_problems() {
    let t = table(
        &["slug", "title", "established", "variant", "maker"],
        &[
            &["nkvd", "NKVD badge", "1940", "Silver", "ММД"],
            &["nkvd", "NKVD badge", "1941", "Silver", "ЛМД"],
        ],
    );
    let o = import(&t);
    let p = problems(&o);
    assert_eq!(
        p,
        [
            "line 3, column “established”, nkvd: “1941” differs from line 2: “1940”",
            "line 3, column “maker”, nkvd: “ЛМД” differs from line 2: “ММД”",
        ]
    );
    assert!(o.problems.iter().all(|p| p.kind == ProblemKind::Disagrees));
    assert_eq!(o.types[0].problems, 2);
}

#[test]
fn every_problem_names_its_line_record_and_column() {
    let long = "x".repeat(301);
    let t = table(
        &[
            "Инв. №",
            "Название",
            "Сохранность",
            "Год учреждения",
            "Museum code",
            "original_language",
        ],
        &[
            &["1", "MOPR badge", "Superb", "1938", "M-1", ""],
            &["1", "NKVD badge", "Mint", "12/25/1930", "M-2", ""],
            &["", "", "Mint", "", "M-3", ""],
            &["3", &long, "", "", "", ""],
            &["4", "Khalkhin Gol", "", "", "", "m0ngol"],
            &["", "", "", "", "only unknown columns", ""],
        ],
    );
    let o = import(&t);
    let by_kind = |k| {
        o.problems
            .iter()
            .filter(|p| p.kind == k)
            .collect::<Vec<_>>()
    };
    let unknown = by_kind(ProblemKind::UnknownValue);
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].line, Some(2));
    assert_eq!(unknown[0].record.as_deref(), Some("mopr-badge"));
    assert_eq!(unknown[0].column.as_deref(), Some("Сохранность"));
    assert_eq!(unknown[0].field, Some(Field::Condition));
    assert!(unknown[0].message.contains("“Superb”") && unknown[0].message.contains("very fine"));
    let dup = by_kind(ProblemKind::Duplicate);
    assert_eq!(dup.len(), 1);
    assert_eq!(
        (dup[0].line, dup[0].column.as_deref()),
        (Some(3), Some("Инв. №"))
    );
    assert!(
        dup[0].message.contains("also on line 2"),
        "{}",
        dup[0].message
    );
    let bad = by_kind(ProblemKind::Invalid);
    let date = bad
        .iter()
        .find(|p| p.field == Some(Field::Established))
        .unwrap();
    assert_eq!(
        (date.line, date.column.as_deref()),
        (Some(3), Some("Год учреждения"))
    );
    let language = bad
        .iter()
        .find(|p| p.field == Some(Field::OriginalLanguage))
        .unwrap();
    assert_eq!(language.line, Some(6));
    assert!(language.message.contains("ISO 639"), "{}", language.message);
    let no_title = by_kind(ProblemKind::NoTitle);
    assert_eq!(no_title.len(), 1);
    assert_eq!(no_title[0].line, Some(4));
    let too_long = by_kind(ProblemKind::TooLong);
    assert_eq!(too_long.len(), 1);
    assert_eq!(
        (too_long[0].line, too_long[0].column.as_deref()),
        (Some(5), Some("Название"))
    );
    assert_eq!(too_long[0].field, Some(Field::Title));
    assert_eq!(o.problems.len(), 6, "{:#?}", problems(&o));
    assert_eq!(o.rows, 5, "a row with only unknown columns is skipped");
}

#[test]
fn an_over_long_cell_is_refused_never_cut() {
    let t = table(&["title", "notes_en"], &[&["A", &"я".repeat(100_001)]]);
    let o = import(&t);
    assert_eq!(o.problems.len(), 1);
    assert_eq!(o.problems[0].kind, ProblemKind::TooLong);
    assert_eq!(o.problems[0].column.as_deref(), Some("notes_en"));
    assert_eq!(
        o.types[0].record.variants[0].specimens[0]
            .notes
            .en
            .chars()
            .count(),
        100_001
    );
}

#[test]
fn known_categories_are_matched_by_slug_or_title_and_new_ones_made_once() {
    let known = vitrina_catalogue::Category {
        id: None,
        slug: vitrina_catalogue::Slug::parse("mopr-badge").unwrap(),
        position: 3,
        title: Text {
            en: "The MOPR badge".into(),
            ru: "Знак МОПР".into(),
        },
        introduction: Text::default(),
        published: true,
        version: 4,
    };
    let t = table(
        &["title", "Раздел"],
        &[
            &["A", "знак мопр"],
            &["B", "mopr-badge; Sports"],
            &["C", "SPORTS"],
            &["D", "Polar | en: Polar expeditions | ru: Полярные"],
            &["E", "!!!"],
        ],
    );
    let options = ReadOptions {
        categories: vec![known.clone()],
        ..ReadOptions::default()
    };
    let o = read(&t, &Mapping::recognise(&t.headers), &options);
    let cats: Vec<_> = o
        .records()
        .map(|t| t.categories.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        .collect();
    assert_eq!(
        cats,
        [
            vec!["mopr-badge"],
            vec!["mopr-badge", "sports"],
            vec!["sports"],
            vec!["polar"],
            vec![]
        ]
    );
    assert_eq!(o.categories.len(), 3);
    assert_eq!(o.categories[0].category, known);
    assert!(o.categories[0].existing);
    assert_eq!(o.categories[0].lines, [2, 3]);
    let sports = &o.categories[1];
    assert_eq!(
        (
            sports.category.title.en.as_str(),
            sports.category.position,
            sports.existing
        ),
        ("Sports", 4, false)
    );
    assert_eq!(sports.lines, [3, 4]);
    let polar = &o.categories[2].category;
    assert_eq!(
        (polar.title.en.as_str(), polar.title.ru.as_str()),
        ("Polar expeditions", "Полярные")
    );
    assert_eq!(o.problems.len(), 1);
    assert_eq!(
        (o.problems[0].line, o.problems[0].field),
        (Some(6), Some(Field::Categories))
    );
}

#[test]
fn a_russian_sheet_with_private_columns() {
    let t = table(
        &[
            "Название",
            "Материал",
            "Крепление",
            "Сохранность",
            "Диаметр, мм",
            "Цена",
            "Дата покупки",
            "Место хранения",
            "Примечание",
            "Фото аверса",
            "Фото",
        ],
        &[&[
            "Знак МОПР",
            "серебро",
            "винт",
            "отличное",
            "24,5",
            "1 500 руб.",
            "6 апреля 1999 г.",
            "Коробка 3",
            "купил у Иванова",
            "Знак 1.jpg",
            "obverse: a.jpg; b.jpg",
        ]],
    );
    let o = import(&t);
    assert!(o.is_clean(), "{:#?}", problems(&o));
    let v = &o.types[0].record.variants[0];
    assert_eq!(
        v.name,
        Text {
            en: "Silver".into(),
            ru: "Серебро".into()
        }
    );
    assert_eq!(v.fitting, Some(Fitting::ScrewBack));
    let s = &v.specimens[0];
    assert_eq!(s.condition, Some(Condition::Excellent));
    assert_eq!(s.measurements[0].dimension, Dimension::Diameter);
    let p = s.private.as_ref().unwrap();
    assert_eq!(
        (
            p.price.as_ref().unwrap().amount.as_str(),
            p.price.as_ref().unwrap().currency.as_str()
        ),
        ("1500", "RUB")
    );
    assert_eq!(p.acquired.unwrap().to_string(), "1999-04-06");
    assert_eq!(p.storage_location, "Коробка 3");
    assert_eq!(
        p.notes, "купил у Иванова",
        "a plain notes column is private"
    );
    let photos: Vec<(PhotoRole, &str, &str)> = s
        .photos
        .iter()
        .map(|p| (p.role, p.file.as_str(), p.original_name.as_str()))
        .collect();
    assert_eq!(
        photos,
        [
            (PhotoRole::Obverse, "import/znak-1.jpg", "Знак 1.jpg"),
            (PhotoRole::Obverse, "a.jpg", ""),
            (PhotoRole::Reverse, "b.jpg", ""),
        ]
    );
    assert_eq!(s.photos[0].alt.en, "Знак МОПР, obverse");
}

#[test]
fn options_set_drafts_and_a_default_currency() {
    let t = table(
        &["title", "price", "published"],
        &[&["A", "120", ""], &["B", "5", "yes"]],
    );
    let options = ReadOptions {
        published: false,
        currency: Some("EUR".into()),
        ..ReadOptions::default()
    };
    let o = read(&t, &Mapping::recognise(&t.headers), &options);
    assert!(o.is_clean(), "{:#?}", problems(&o));
    assert!(!o.types[0].record.published);
    assert!(o.types[1].record.published);
    let price = o.types[0].record.variants[0].specimens[0]
        .private
        .as_ref()
        .unwrap()
        .price
        .clone()
        .unwrap();
    assert_eq!(price.currency, "EUR");
}

#[test]
fn grouping_by_title_puts_pieces_of_one_type_together() {
    let t = table(
        &["title", "inventory"],
        &[&["MOPR badge", "1"], &["Mopr badge!", "2"], &["NKVD", "3"]],
    );
    let options = ReadOptions {
        grouping: Grouping::ByTitle,
        ..ReadOptions::default()
    };
    let o = read(&t, &Mapping::recognise(&t.headers), &options);
    assert_eq!(o.types.len(), 2);
    assert_eq!(o.types[0].record.variants[0].specimens.len(), 2);
    assert_eq!(
        o.problems.len(),
        1,
        "the two titles differ: {:#?}",
        problems(&o)
    );
    assert_eq!(o.problems[0].kind, ProblemKind::Disagrees);
}

#[test]
fn a_mapping_edited_by_the_user_wins() {
    let t = table(&["Col A", "Col B"], &[&["MOPR", "1938"]]);
    let mut m = Mapping::recognise(&t.headers);
    assert_eq!(m.ignored().len(), 2);
    m.set(0, Some(Field::Title));
    m.set(1, Some(Field::Established));
    let o = read(&t, &m, &ReadOptions::default());
    assert_eq!(o.types[0].record.established, Some(PartialDate::year(1938)));
}

#[test]
fn bad_slugs_and_numbers_are_problems() {
    let t = table(
        &["slug", "title", "variant_no", "specimen_no", "variant_en"],
        &[
            &["Not A Slug", "A", "", "", ""],
            &["b", "B", "x", "", "V"],
            &["c", "C", "1", "1", "V"],
            &["c", "C", "1", "1", "V"],
            &["c", "C", "1", "zero", "V"],
        ],
    );
    let o = import(&t);
    let fields: Vec<_> = o
        .problems
        .iter()
        .map(|p| (p.line, p.field, p.kind))
        .collect();
    assert_eq!(
        fields,
        [
            (Some(2), Some(Field::Slug), ProblemKind::Invalid),
            (Some(3), Some(Field::VariantNo), ProblemKind::Invalid),
            (Some(5), Some(Field::SpecimenNo), ProblemKind::Duplicate),
            (Some(6), Some(Field::SpecimenNo), ProblemKind::Invalid),
        ]
    );
}

#[test]
fn validation_errors_are_located_at_the_cell_their_value_came_from() {
    let long = "я".repeat(301);
    let alt = format!("a.jpg | alt: {}", "x".repeat(2_001));
    let t = table(
        &[
            "slug",
            "title",
            "variant",
            "issuer_abbreviation_latin",
            "photos",
            "marks",
        ],
        &[
            &["a", "A", "Silver", "", "", ""],
            &["a", "A", &long, "", "", ""],
            &[
                "b",
                "B",
                "Bronze",
                &"M".repeat(41),
                &format!("ok.jpg; {alt}"),
                "ММД; МД",
            ],
        ],
    );
    let o = import(&t);
    let located: Vec<(Option<u64>, Option<&str>, ProblemKind, &str)> = o
        .problems
        .iter()
        .map(|p| {
            (
                p.line,
                p.column.as_deref(),
                p.kind,
                p.message.split(':').next().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        located,
        [
            (
                Some(3),
                Some("variant"),
                ProblemKind::TooLong,
                "variants[1].name.en"
            ),
            (
                Some(4),
                Some("issuer_abbreviation_latin"),
                ProblemKind::Invalid,
                "issuer.name.en"
            ),
            (
                Some(4),
                Some("issuer_abbreviation_latin"),
                ProblemKind::TooLong,
                "issuer.abbreviation_latin"
            ),
            (
                Some(4),
                Some("photos"),
                ProblemKind::TooLong,
                "variants[0].specimens[0].photos[1].alt.en"
            ),
        ]
    );
    assert_eq!((o.types[0].problems, o.types[1].problems), (1, 3));
}

#[test]
fn a_type_with_many_variants_groups_its_rows_by_variant() {
    let names: Vec<String> = (0..20).map(|i| format!("V{i}")).collect();
    let rows: Vec<Vec<&str>> = (0..60)
        .map(|i| vec!["t", "T", names[(i * 7) % 20].as_str(), "Mint"])
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let t = table(&["slug", "title", "variant", "condition"], &rows);
    let o = read(&t, &Mapping::recognise(&t.headers), &ReadOptions::default());
    assert!(o.is_clean(), "{:#?}", problems(&o));
    let v = &o.types[0].record.variants;
    assert_eq!(v.len(), 20);
    assert!(v.iter().all(|v| v.specimens.len() == 3));
    let first: Vec<&str> = v.iter().take(3).map(|v| v.name.en.as_str()).collect();
    assert_eq!(first, ["V0", "V7", "V14"], "in order of their first row");
}
