//! A foreign sheet of one row per badge — the benchmark generator's catalogue
//! (`shared/bench/gen_catalog.py --items 20`) — imports cleanly, every column used.

mod common;

use vitrina_catalogue::{Condition, Dimension, Fitting, Material, PartialDate, Unit, Validate};
use vitrina_transfer::{Field, Mapping, ReadOptions, read};

fn sheet() -> vitrina_formats::Table {
    common::csv(include_str!("fixtures/gen_catalog_20.csv"))
}

#[test]
fn every_column_is_recognised() {
    let table = sheet();
    let mapping = Mapping::recognise(&table.headers);
    assert!(mapping.ignored().is_empty(), "{:?}", mapping.ignored());
}

#[test]
fn the_generated_catalogue_imports_cleanly_with_every_column_used() {
    let table = sheet();
    let outcome = read(
        &table,
        &Mapping::recognise(&table.headers),
        &ReadOptions::default(),
    );
    let problems: Vec<String> = outcome.problems.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(outcome.rows, 20);
    assert_eq!(outcome.types.len(), 20, "one type per row");
    for (i, imported) in outcome.types.iter().enumerate() {
        let row = &table.rows[i];
        let t = &imported.record;
        t.validate().unwrap();
        assert_eq!(imported.lines, [row.line]);
        assert_eq!(t.names.en, row.cells[1]);
        assert_eq!(t.names.ru, row.cells[2]);
        assert_eq!(t.categories.len(), 1);
        assert_eq!(t.established, PartialDate::parse(&row.cells[4]).ok());
        assert_eq!(t.description.en, row.cells[13]);
        let variants: Vec<&str> = row.cells[6].split("; ").collect();
        assert_eq!(t.variants.len(), variants.len());
        for (v, name) in t.variants.iter().zip(&variants) {
            assert_eq!(&v.name.en, name);
            assert_eq!(v.maker, row.cells[7]);
            assert!(!v.materials.is_empty());
            assert!(
                v.fitting.is_some(),
                "{name}: every generated variant names its fitting"
            );
            if row.cells[5].contains("enamel") {
                assert!(v.materials.contains(&Material::Enamel));
            }
            if row.cells[5].contains("gold-plated") {
                assert_eq!(
                    (v.materials[0], v.plating),
                    (Material::Silver, Some(Material::Gold))
                );
            }
        }
        let specimens: Vec<_> = t.specimens().collect();
        assert_eq!(specimens.len(), 1, "the row's piece");
        let s = specimens[0];
        assert_eq!(s.inventory_number, row.cells[0], "the row's id");
        assert!(t.variants[0].specimens.len() == 1, "in the first variant");
        assert_eq!(s.engravings.len(), usize::from(!row.cells[8].is_empty()));
        assert!(s.condition.is_some());
        let remark = row.cells[9].split_once("; ").map(|(_, r)| r);
        assert_eq!(
            s.notes.en.as_str(),
            remark.unwrap_or(""),
            "the condition's remark is kept"
        );
        assert!(s.rarity.is_some());
        let dims: Vec<(Dimension, Unit)> = s
            .measurements
            .iter()
            .map(|m| (m.dimension, m.quantity.unit))
            .collect();
        assert_eq!(
            dims,
            [
                (Dimension::Width, Unit::Mm),
                (Dimension::Height, Unit::Mm),
                (Dimension::Weight, Unit::G)
            ]
        );
        let (w, h) = row.cells[11].split_once('x').unwrap();
        assert_eq!(s.measurements[0].quantity.value.as_str(), w);
        assert_eq!(s.measurements[1].quantity.value.as_str(), h);
        assert_eq!(s.measurements[2].quantity.value.as_str(), row.cells[12]);
        assert!(s.private.is_none(), "nothing private in this sheet");
    }
    let first = &outcome.types[0].record;
    assert_eq!(first.slug.as_str(), "60-years-of-the-border-troops");
    assert_eq!(first.variants[0].fitting, Some(Fitting::Pin));
    assert_eq!(
        first.variants[0].specimens[0].condition,
        Some(Condition::Mint)
    );
    assert!(outcome.categories.iter().all(|c| !c.existing));
    let slugs: Vec<&str> = outcome
        .categories
        .iter()
        .map(|c| c.category.slug.as_str())
        .collect();
    assert!(slugs.contains(&"nkvd-fire-service"), "{slugs:?}");
    let used: usize = outcome.categories.iter().map(|c| c.lines.len()).sum();
    assert_eq!(used, 20);
}

#[test]
fn importing_the_same_sheet_twice_gives_the_same_records() {
    let table = sheet();
    let mapping = Mapping::recognise(&table.headers);
    let a = read(&table, &mapping, &ReadOptions::default());
    let b = read(&table, &mapping, &ReadOptions::default());
    assert_eq!(a, b);
}

#[test]
fn a_saved_mapping_reads_the_sheet_the_same_way() {
    let table = sheet();
    let mapping = Mapping::recognise(&table.headers);
    let preset: vitrina_transfer::Preset =
        serde_json::from_str(&serde_json::to_string(&mapping.to_preset("generator")).unwrap())
            .unwrap();
    assert_eq!(Mapping::with_preset(&table.headers, &preset), mapping);
    assert_eq!(mapping.field(11), Some(Field::Dimensions));
}
