//! Vitrina's export reads back exactly: for any collection `c`, `read(write(c))` is `c` (ids
//! and versions aside) and `write(read(write(c))) == write(c)`; and without private fields, no
//! private value is in the table at all.

use proptest::prelude::*;
use proptest::sample::select;
use vitrina_catalogue::{
    Amount, Area, BadgeType, Category, Dimension, Engraving, Event, Fitting, Hallmark, Issuer,
    MarkKind, Material, Measurement, Names, OriginalName, PartialDate, Period, Photo, PhotoRole,
    Placement, Price, Quantity, Range, Rarity, Reference, Script, SerialRange, Side, Slug,
    Snapshot, Specimen, SpecimenPrivate, Text, Unit, Validate, Variant,
};
use vitrina_formats::Table;
use vitrina_transfer::{Field, Mapping, Outcome, ReadOptions, read, write, write_types};

/// Pieces of text that stress the cell syntax: separators, escapes, quotes, line breaks,
/// Cyrillic, formula-like starts, label-like words.
const PIECES: &[&str] = &[
    "silver",
    "Знак",
    "МОПР",
    "ёлка",
    "a;b",
    "x|y",
    "back\\slash",
    "\\n",
    "\\",
    "\"quoted\"",
    "line\nbreak",
    "=SUM(A1)",
    "+7",
    "-minus",
    "@at",
    ";",
    "|",
    ",",
    ":",
    "en: fake",
    "url: http://x",
    "№ 9",
    "1/8",
    "…",
    "'",
    "«ёж»",
    " ",
    "tab\tin",
    "illustration",
    "no",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(PIECES), 1..4).prop_map(|p| {
        let s = p.concat().trim().to_owned();
        if s.is_empty() { "x".to_owned() } else { s }
    })
}

fn maybe_text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), text()]
}

fn bilingual() -> impl Strategy<Value = Text> {
    (maybe_text(), maybe_text()).prop_map(|(en, ru)| Text { en, ru })
}

fn required() -> impl Strategy<Value = Text> {
    (text(), maybe_text()).prop_map(|(en, ru)| Text { en, ru })
}

fn date() -> impl Strategy<Value = PartialDate> {
    (1700i32..=2099, 0u8..4, 1u8..=12, 1u8..=28, any::<bool>()).prop_map(
        |(y, precision, m, d, approximate)| {
            let mut date = match precision {
                0 => PartialDate::decade_of(y),
                1 => PartialDate::year(y),
                2 => PartialDate {
                    month: Some(m),
                    ..PartialDate::year(y)
                },
                _ => PartialDate {
                    month: Some(m),
                    day: Some(d),
                    ..PartialDate::year(y)
                },
            };
            date.approximate = approximate;
            date
        },
    )
}

fn period() -> impl Strategy<Value = Period> {
    (date(), prop::option::of(date()))
        .prop_map(|(a, b)| match b {
            None => Period { from: a, to: None },
            Some(b) => {
                let p = Period {
                    from: a,
                    to: Some(b),
                };
                if p.is_ordered() {
                    p
                } else {
                    Period {
                        from: b,
                        to: Some(a),
                    }
                }
            }
        })
        .prop_filter("ordered", |p| p.is_ordered())
}

fn placement() -> impl Strategy<Value = Option<Placement>> {
    prop::option::of((
        select(&[Side::Obverse, Side::Reverse, Side::Edge][..]),
        prop::option::of(select(
            &[
                Area::Top,
                Area::Bottom,
                Area::Left,
                Area::Right,
                Area::Centre,
                Area::TopLeft,
                Area::TopRight,
                Area::BottomLeft,
                Area::BottomRight,
            ][..],
        )),
    ))
    .prop_map(|o| o.map(|(side, area)| Placement { side, area }))
}

fn photo(private: bool) -> impl Strategy<Value = Photo> {
    (
        select(
            &[
                PhotoRole::Obverse,
                PhotoRole::Reverse,
                PhotoRole::Marks,
                PhotoRole::Detail,
                PhotoRole::Document,
            ][..],
        ),
        select(
            &[
                "demo/mopr.svg",
                "photos/ab12/IMG_0042.JPG",
                "a",
                "x-y_z.png",
            ][..],
        ),
        required(),
        bilingual(),
        (
            any::<bool>(),
            prop::option::of(1u32..5000),
            prop::option::of(1u32..5000),
        ),
        maybe_text(),
        maybe_text(),
    )
        .prop_map(
            move |(role, file, alt, caption, (illustration, width, height), credit, original)| {
                Photo {
                    id: None,
                    role,
                    file: file.to_owned(),
                    alt,
                    caption,
                    illustration,
                    width,
                    height,
                    credit,
                    original_name: if private && !original.is_empty() {
                        format!("PRIV{original}")
                    } else {
                        String::new()
                    },
                }
            },
        )
}

fn measurement() -> impl Strategy<Value = Measurement> {
    (
        select(
            &[
                Dimension::Height,
                Dimension::Width,
                Dimension::Diameter,
                Dimension::Thickness,
                Dimension::Weight,
            ][..],
        ),
        select(&["1/8", "1 1/2", "24.5", "3.20", "12", "0.5", "99999"][..]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(dimension, value, approximate, alt_unit)| {
            let unit = match (dimension.is_length(), alt_unit) {
                (true, false) => Unit::Mm,
                (true, true) => Unit::Inch,
                (false, false) => Unit::G,
                (false, true) => Unit::Oz,
            };
            Measurement {
                dimension,
                quantity: Quantity {
                    value: Amount::parse(value).unwrap(),
                    unit,
                    approximate,
                },
            }
        })
}

fn range() -> impl Strategy<Value = Option<Range>> {
    let values: [f64; 7] = [12.5, 20.0, 0.1 + 0.2, 3.175, 99_999.9, 1e-9, 24.0];
    prop::option::of((select(values.to_vec()), select(values.to_vec()))).prop_map(|o| {
        o.map(|(a, b)| Range {
            min: a.min(b),
            max: a.max(b),
        })
    })
}

fn specimen() -> impl Strategy<Value = Specimen> {
    (
        (
            any::<bool>(),
            prop::collection::vec((maybe_text(), placement(), bilingual()), 0..3),
            prop::collection::vec(
                (
                    select(
                        &[
                            MarkKind::SilverProof,
                            MarkKind::GoldProof,
                            MarkKind::Silversmith,
                            MarkKind::Mint,
                            MarkKind::Other,
                        ][..],
                    ),
                    any::<bool>(),
                    placement(),
                    bilingual(),
                ),
                0..3,
            ),
            prop::collection::vec(measurement(), 0..3),
        ),
        (
            prop::option::of(select(
                &[
                    vitrina_catalogue::Condition::Mint,
                    vitrina_catalogue::Condition::VeryFine,
                    vitrina_catalogue::Condition::Poor,
                ][..],
            )),
            prop::option::of(select(
                &[Rarity::Common, Rarity::VeryRare, Rarity::ExtremelyRare][..],
            )),
            bilingual(),
            prop::collection::vec(photo(true), 0..3),
            prop::option::of((
                maybe_text(),
                prop::option::of(date()),
                prop::option::of((
                    select(&["120", "99.50", "0.01"][..]),
                    select(&["USD", "EUR", "RUB"][..]),
                )),
                maybe_text(),
                maybe_text(),
            )),
        ),
    )
        .prop_map(
            |(
                (numbered, engravings, hallmarks, measurements),
                (condition, rarity, notes, photos, private),
            )| Specimen {
                id: None,
                inventory_number: if numbered {
                    "number".into()
                } else {
                    String::new()
                },
                engravings: engravings
                    .into_iter()
                    .map(|(text, position, description)| Engraving {
                        text: if text.is_empty() && description.is_empty() {
                            "№ 9".into()
                        } else {
                            text
                        },
                        position,
                        description,
                    })
                    .collect(),
                hallmarks: hallmarks
                    .into_iter()
                    .map(|(kind, present, position, description)| Hallmark {
                        kind,
                        present,
                        position,
                        description,
                    })
                    .collect(),
                measurements,
                condition,
                rarity,
                notes,
                photos,
                private: private.and_then(|(provenance, acquired, price, storage, notes)| {
                    let mark = |s: String| if s.is_empty() { s } else { format!("PRIV{s}") };
                    let p = SpecimenPrivate {
                        provenance: mark(provenance),
                        acquired,
                        price: price.map(|(amount, currency)| Price {
                            amount: amount.into(),
                            currency: currency.into(),
                        }),
                        storage_location: mark(storage),
                        notes: mark(notes),
                    };
                    (!p.is_empty()).then_some(p)
                }),
            },
        )
}

fn variant() -> impl Strategy<Value = Variant> {
    (
        (
            required(),
            prop::collection::vec(
                select(
                    &[
                        Material::Silver,
                        Material::Gold,
                        Material::Enamel,
                        Material::Tombac,
                    ][..],
                ),
                0..3,
            ),
            prop::option::of(select(&[Material::Gold, Material::Silver][..])),
            prop::option::of(select(
                &[
                    Fitting::ScrewBack,
                    Fitting::Pin,
                    Fitting::Brooch,
                    Fitting::Suspension,
                ][..],
            )),
            maybe_text(),
            prop::collection::vec(required(), 0..3),
        ),
        (
            bilingual(),
            range(),
            range(),
            prop::option::of((1u32..1000, 0u32..1000)),
            bilingual(),
            prop::collection::vec(specimen(), 0..3),
        ),
    )
        .prop_map(
            |(
                (name, materials, plating, fitting, maker, marks),
                (enamel, size_mm, weight_g, serials, notes, specimens),
            )| Variant {
                id: None,
                name,
                materials,
                plating,
                fitting,
                maker,
                marks,
                enamel,
                size_mm,
                weight_g,
                serial_numbers: serials.map(|(from, extra)| SerialRange {
                    from,
                    to: from + extra,
                }),
                notes,
                specimens,
            },
        )
}

fn badge_type() -> impl Strategy<Value = BadgeType> {
    (
        (
            any::<i64>(),
            any::<bool>(),
            prop::collection::vec(0usize..3, 0..3),
            required(),
            prop::option::of((
                maybe_text(),
                select(
                    &[
                        Script::Cyrillic,
                        Script::Latin,
                        Script::Mongolian,
                        Script::Other,
                    ][..],
                ),
                select(&["mn", "ru", "kk"][..]),
            )),
            prop::option::of((maybe_text(), maybe_text(), required())),
        ),
        (
            prop::option::of(date()),
            prop::option::of(period()),
            prop::option::of((required(), prop::option::of(date()), bilingual())),
            bilingual(),
            prop::collection::vec(
                (
                    text(),
                    prop::option::of(select(
                        &["https://example.org/a?b=c;d", "http://x.ru/путь"][..],
                    )),
                ),
                0..3,
            ),
            prop::collection::vec(variant(), 0..3),
            prop::collection::vec(photo(true), 0..2),
        ),
    )
        .prop_map(
            |(
                (position, published, categories, names, original, issuer),
                (established, period, event, description, references, variants, photos),
            )| BadgeType {
                id: None,
                slug: Slug::parse("placeholder").unwrap(),
                position,
                version: 0,
                published,
                categories: categories
                    .into_iter()
                    .map(|i| Slug::parse(&format!("cat-{i}")).unwrap())
                    .collect(),
                names: Names {
                    en: names.en,
                    ru: names.ru,
                    original: original.map(|(text, script, language)| OriginalName {
                        text,
                        script,
                        language: language.into(),
                    }),
                },
                issuer: issuer.map(|(abbreviation, abbreviation_latin, name)| Issuer {
                    abbreviation,
                    abbreviation_latin,
                    name,
                }),
                established,
                period,
                event: event.map(|(name, date, place)| Event { name, date, place }),
                description,
                references: references
                    .into_iter()
                    .map(|(citation, url)| Reference {
                        citation,
                        url: url.map(Into::into),
                    })
                    .collect(),
                variants,
                photos,
            },
        )
}

fn collection() -> impl Strategy<Value = Snapshot> {
    (
        prop::collection::vec(badge_type(), 1..4),
        prop::collection::vec((required(), any::<bool>()), 3),
    )
        .prop_map(|(mut types, titles)| {
            let mut n = 0;
            for (i, t) in types.iter_mut().enumerate() {
                t.slug = Slug::parse(&format!("type-{i}")).unwrap();
                // Storage's bookkeeping, which the table does not carry.
                t.id = Some(vitrina_catalogue::Id::new(i as i64 + 1));
                t.version = i as i64 + 7;
                for (j, v) in t.variants.iter_mut().enumerate() {
                    v.id = Some(vitrina_catalogue::Id::new(j as i64 + 1));
                    for (k, s) in v.specimens.iter_mut().enumerate() {
                        s.id = Some(vitrina_catalogue::Id::new(k as i64 + 1));
                        for p in &mut s.photos {
                            p.id = Some(vitrina_catalogue::Id::new(9));
                        }
                    }
                }
                for p in &mut t.photos {
                    p.id = Some(vitrina_catalogue::Id::new(3));
                }
                for s in t.variants.iter_mut().flat_map(|v| v.specimens.iter_mut()) {
                    if !s.inventory_number.is_empty() {
                        n += 1;
                        s.inventory_number = format!("Инв; №{n}");
                    }
                }
            }
            let categories = titles
                .into_iter()
                .enumerate()
                .map(|(i, (title, _))| Category {
                    id: None,
                    slug: Slug::parse(&format!("cat-{i}")).unwrap(),
                    position: 0,
                    title,
                    introduction: Text::default(),
                    published: true,
                    version: 0,
                })
                .collect();
            Snapshot {
                collection: Default::default(),
                categories,
                types,
            }
        })
}

fn read_export(table: &Table) -> Outcome {
    read(
        table,
        &Mapping::vitrina_export(&table.headers),
        &ReadOptions::default(),
    )
}

fn problems(o: &Outcome) -> Vec<String> {
    o.problems.iter().map(ToString::to_string).collect()
}

/// A record as it reads back: without storage's ids and version.
fn without_ids(t: &BadgeType) -> BadgeType {
    let mut t = t.clone();
    t.id = None;
    t.version = 0;
    for p in &mut t.photos {
        p.id = None;
    }
    for v in &mut t.variants {
        v.id = None;
        for s in &mut v.specimens {
            s.id = None;
            for p in &mut s.photos {
                p.id = None;
            }
        }
    }
    t
}

fn public(t: &BadgeType) -> BadgeType {
    without_ids(t).into_public()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_collection_reads_back_exactly(c in collection()) {
        for t in &c.types {
            prop_assert!(t.validate().is_ok(), "{:?}", t.validate());
        }
        let table = write(&c, true);
        let o = read_export(&table);
        prop_assert!(o.is_clean(), "{:#?}", problems(&o));
        let records: Vec<BadgeType> = o.records().cloned().collect();
        let expected: Vec<BadgeType> = c.types.iter().map(without_ids).collect();
        prop_assert_eq!(&records, &expected);
        for imported in &o.categories {
            let original = c.categories.iter().find(|x| x.slug == imported.category.slug).unwrap();
            prop_assert_eq!(&imported.category.title, &original.title);
        }
        let categories: Vec<Category> = o.categories.iter().map(|c| c.category.clone()).collect();
        prop_assert_eq!(write_types(&records, &categories, true), table);
    }

    #[test]
    fn without_private_fields_no_private_value_is_written(c in collection()) {
        let table = write(&c, false);
        for h in &table.headers {
            let f = Field::from_key(h).unwrap();
            prop_assert!(!f.is_private(), "{}", h);
        }
        for row in &table.rows {
            for cell in &row.cells {
                prop_assert!(!cell.contains("PRIV"), "{}", cell);
                prop_assert!(!cell.contains("| original:"), "{}", cell);
            }
        }
        let o = read_export(&table);
        prop_assert!(o.is_clean(), "{:#?}", problems(&o));
        let records: Vec<BadgeType> = o.records().cloned().collect();
        let expected: Vec<BadgeType> = c.types.iter().map(public).collect();
        prop_assert_eq!(&records, &expected);
        let categories: Vec<Category> = o.categories.iter().map(|c| c.category.clone()).collect();
        prop_assert_eq!(write_types(&records, &categories, false), table);
    }
}

fn demo() -> Snapshot {
    toml::from_str(include_str!("../../../demo/collection.toml")).unwrap()
}

#[test]
fn the_demo_collection_reads_back_exactly() {
    let c = demo();
    let table = write(&c, true);
    let options = ReadOptions {
        categories: c.categories.clone(),
        ..ReadOptions::default()
    };
    let o = read(&table, &Mapping::vitrina_export(&table.headers), &options);
    assert!(o.is_clean(), "{:#?}", problems(&o));
    let expected: Vec<BadgeType> = c
        .types
        .iter()
        .map(|t| BadgeType {
            version: 0,
            ..t.clone()
        })
        .collect();
    let records: Vec<BadgeType> = o.records().cloned().collect();
    assert_eq!(records, expected);
    assert!(o.categories.iter().all(|c| c.existing));
    assert_eq!(o.categories.len(), c.categories.len());
    let mopr = table
        .rows
        .iter()
        .find(|r| r.cells[0] == "mopr-badge")
        .unwrap();
    let cell = |f: Field| {
        let i = table.headers.iter().position(|h| h == f.key()).unwrap();
        mopr.cells[i].as_str()
    };
    assert_eq!(cell(Field::Period), "1922–1932");
    assert_eq!(cell(Field::Measurements), "thickness ~1/8 in");
    assert_eq!(
        cell(Field::Hallmarks),
        "silver_proof | on: reverse bottom-left | en: Silver proof marks | ru: Пробирные клейма серебра; \
         silversmith | on: reverse bottom-left | en: The silversmith's mark | ru: Клеймо мастера-серебряника"
    );
    assert!(cell(Field::Engravings).starts_with(" | on: reverse | en: The recipient's name"));
    assert_eq!(
        cell(Field::Categories),
        "mopr-badge | en: The MOPR badge | ru: Знак МОПР"
    );
}

#[test]
fn one_row_per_specimen_variant_or_type() {
    let c = demo();
    let table = write(&c, false);
    let rows_of = |slug: &str| table.rows.iter().filter(|r| r.cells[0] == slug).count();
    assert_eq!(
        rows_of("nkvd-fireman-badge"),
        2,
        "a silver specimen, and the bronze variant"
    );
    assert_eq!(rows_of("khalkhin-gol-1939"), 1, "no variants");
    assert_eq!(table.rows.len(), 9);
    let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, (2..11).collect::<Vec<u64>>());
}

#[test]
fn private_values_appear_only_when_asked_for() {
    let mut c = demo();
    let s = &mut c.types[3].variants[0].specimens[0];
    s.private = Some(SpecimenPrivate {
        provenance: "Bought from Ivanov".into(),
        acquired: Some(PartialDate::parse("1999-09-09").unwrap()),
        price: Some(Price {
            amount: "77777".into(),
            currency: "USD".into(),
        }),
        storage_location: "Box 13".into(),
        notes: "Hidden note".into(),
    });
    s.photos[0].original_name = "IMG_SECRET.JPG".into();
    let secrets = [
        "Ivanov",
        "1999-09-09",
        "77777",
        "Box 13",
        "Hidden note",
        "IMG_SECRET",
    ];
    let all = |t: &Table| format!("{:?}", t);
    let private = all(&write(&c, true));
    let public = all(&write(&c, false));
    for s in secrets {
        assert!(private.contains(s), "{s}");
        assert!(!public.contains(s), "{s} leaked");
    }
}
