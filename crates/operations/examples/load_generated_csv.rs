//! Loads a synthetic catalogue made by `shared/bench/gen_catalog.py` into a store, for the
//! benchmarks (a stand-in until the CSV import of a later issue exists).
//!
//!     cargo run --release -p vitrina-operations --example load_generated_csv -- CSV DATABASE_URL
//!
//! Every row becomes a badge type with one variant and one specimen; the ten generated
//! categories become categories. The whole catalogue is written in one transaction.

use std::collections::BTreeMap;
use std::time::Instant;

use vitrina_catalogue::{
    BadgeType, Category, Collection, Condition, Engraving, Material, Names, PartialDate, Range,
    Rarity, Slug, Snapshot, Specimen, Text, Variant,
};
use vitrina_operations::{Catalogue, open_store};

#[derive(Debug, serde::Deserialize)]
struct Row {
    id: u64,
    title_en: String,
    title_ru: String,
    category: String,
    year_established: i32,
    materials: String,
    variants: String,
    maker_mark: String,
    engraving: String,
    condition: String,
    rarity: String,
    dimensions_mm: String,
    weight_g: String,
    description: String,
}

fn material(word: &str) -> Option<Material> {
    Some(match word.trim() {
        "gold" => Material::Gold,
        "silver" => Material::Silver,
        "platinum" => Material::Platinum,
        "bronze" => Material::Bronze,
        "brass" => Material::Brass,
        "copper" => Material::Copper,
        "tombac" => Material::Tombac,
        "aluminium" | "aluminum" => Material::Aluminium,
        "steel" => Material::Steel,
        "enamel" => Material::Enamel,
        _ => return None,
    })
}

fn condition(text: &str) -> Option<Condition> {
    let t = text.to_lowercase();
    Some(if t.starts_with("mint") {
        Condition::Mint
    } else if t.starts_with("extremely fine") || t.starts_with("excellent") {
        Condition::Excellent
    } else if t.starts_with("very fine") {
        Condition::VeryFine
    } else if t.starts_with("fine") {
        Condition::Fine
    } else if t.starts_with("good") {
        Condition::Good
    } else if t.starts_with("fair") {
        Condition::Fair
    } else if t.starts_with("poor") {
        Condition::Poor
    } else {
        return None;
    })
}

fn rarity(text: &str) -> Option<Rarity> {
    Some(match text.trim().to_lowercase().as_str() {
        "common" => Rarity::Common,
        "uncommon" => Rarity::Uncommon,
        "scarce" => Rarity::Scarce,
        "rare" => Rarity::Rare,
        "very rare" => Rarity::VeryRare,
        "extremely rare" => Rarity::ExtremelyRare,
        _ => return None,
    })
}

fn range(values: &[f64]) -> Option<Range> {
    let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let r = Range { min, max };
    r.is_valid().then_some(r)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(csv_path), Some(url)) = (args.next(), args.next()) else {
        eprintln!("usage: load_generated_csv CSV DATABASE_URL");
        std::process::exit(2);
    };
    let started = Instant::now();
    let mut reader = csv::Reader::from_path(&csv_path)?;
    let mut categories: BTreeMap<String, Category> = BTreeMap::new();
    let mut types = Vec::new();
    for row in reader.deserialize() {
        let row: Row = row?;
        let category_slug = Slug::from_title(&row.category).ok_or("bad category")?;
        let next_position = categories.len() as i64;
        categories
            .entry(row.category.clone())
            .or_insert_with(|| Category {
                id: None,
                slug: category_slug.clone(),
                position: next_position,
                title: Text::en(row.category.clone()),
                introduction: Text::default(),
                published: true,
                version: 0,
            });
        let slug = Slug::from_title(&format!("{} {}", row.title_en, row.id)).ok_or("bad title")?;
        let dims: Vec<f64> = row
            .dimensions_mm
            .split('x')
            .filter_map(|d| d.trim().parse().ok())
            .collect();
        let weight: Vec<f64> = row.weight_g.trim().parse().into_iter().collect();
        let specimen = Specimen {
            id: None,
            inventory_number: format!("B-{:06}", row.id),
            engravings: (!row.engraving.trim().is_empty())
                .then(|| Engraving {
                    text: row.engraving.clone(),
                    position: None,
                    description: Text::default(),
                })
                .into_iter()
                .collect(),
            hallmarks: vec![],
            measurements: vec![],
            condition: condition(&row.condition),
            rarity: rarity(&row.rarity),
            notes: Text::en(row.condition.clone()),
            photos: vec![],
            private: None,
        };
        let variant = Variant {
            id: None,
            name: Text::en(row.variants.clone()),
            materials: row.materials.split(',').filter_map(material).collect(),
            plating: None,
            fitting: None,
            maker: row.maker_mark.clone(),
            marks: vec![],
            enamel: Text::default(),
            size_mm: range(&dims),
            weight_g: range(&weight),
            serial_numbers: None,
            notes: Text::default(),
            specimens: vec![specimen],
        };
        types.push(BadgeType {
            id: None,
            slug,
            position: row.id as i64,
            version: 0,
            published: true,
            categories: vec![category_slug],
            names: Names {
                en: row.title_en,
                ru: row.title_ru,
                original: None,
            },
            issuer: None,
            established: Some(PartialDate::year(row.year_established)),
            period: None,
            event: None,
            description: Text::en(row.description),
            references: vec![],
            variants: vec![variant],
            photos: vec![],
        });
    }
    let snapshot = Snapshot {
        collection: Collection {
            title: Text::en("Generated catalogue"),
            introduction: Text::en(format!("{} generated badge types.", types.len())),
        },
        categories: categories.into_values().collect(),
        types,
    };
    let parsed = started.elapsed();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = open_store(&url).await?;
        let catalogue = Catalogue::new(store.clone());
        let t = Instant::now();
        catalogue.import(&snapshot).await?;
        eprintln!(
            "loaded {} types in {:.1} s (parse {:.1} s, import {:.1} s)",
            snapshot.types.len(),
            started.elapsed().as_secs_f64(),
            parsed.as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
        store.close().await;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
