//! Records → rows: Vitrina's own export, which [`crate::read`] reads back to the same records.
//!
//! # The table
//!
//! One row per specimen, with its type's and variant's cells repeated; a variant without
//! specimens has a row of its own (specimen cells empty), and so does a type without variants.
//! The columns are the keys of [`Field`]s, in the order of [`export_fields`]: the type's
//! (`slug` … `type_photos`), the variant's (`variant_no` … `variant_notes_ru`), the specimen's
//! (`specimen_no` … `photos`) and, only when private fields are included, the private ones
//! (`provenance`, `acquired`, `price`, `storage_location`, `private_notes`).
//!
//! # Cells
//!
//! | cells | written as |
//! | --- | --- |
//! | texts (titles, descriptions in Markdown, notes…) | as they are, line breaks included |
//! | `published` | `yes` or `no` |
//! | dates (`established`, `event_date`, `acquired`) | `1938`, `1940-05`, `1932-06-15`, `193X` (a decade), `1935~` (approximate) |
//! | `period` | `1922–1932`, or `1922–` while still awarded |
//! | vocabularies (`original_script`, `materials`, `plating`, `fitting`, `condition`, `rarity`) | Vitrina's keys: `mongolian`, `silver; enamel`, `gold`, `screw_back`, `very_fine`, `very_rare` |
//! | `variant_size_mm`, `variant_weight_g` | `20–24.5`, or `22` for one value |
//! | `serial_numbers` | `1–500`, or `17` |
//! | `variant_no`, `specimen_no` | the variant's place in its type, the specimen's in its variant, from 1 |
//! | `price` | `120.00 USD` |
//!
//! Cells with several values hold **items** separated by `; `, each item its **parts**
//! separated by ` | `: the first part, then `label: value` parts (empty ones left out). A `\`
//! escapes `;`, `|` and itself inside an item, and `\n`, `\r` stand for line breaks (see
//! [`crate::syntax`](crate)).
//!
//! | column | item |
//! | --- | --- |
//! | `categories` | `slug \| en: Title \| ru: Название` |
//! | `references` | `Citation \| url: https://…` |
//! | `marks` | `Mark \| ru: Клеймо` |
//! | `engravings` | `Engraved text \| on: reverse bottom-left \| en: Description \| ru: Описание` (the text may be empty) |
//! | `hallmarks` | `silver_proof \| on: reverse \| en: … \| ru: …`; `no silversmith` for a mark looked for and not there |
//! | `measurements` | `thickness ~1/8 in` (what, `~` when approximate, the amount as written, the unit) |
//! | `type_photos`, `photos` | `obverse: media/key.jpg \| alt: … \| alt_ru: … \| caption: … \| caption_ru: … \| credit: … \| width: 400 \| height: 400 \| illustration \| original: IMG_1.JPG` (`original:` is private) |
//!
//! A place on the badge (`on:`) is a side (`obverse`, `reverse`, `edge`) and optionally an area
//! (`top`, `bottom`, `left`, `right`, `centre`, `top-left`, `top-right`, `bottom-left`,
//! `bottom-right`).

use std::collections::HashMap;

use vitrina_catalogue::{
    Area, BadgeType, Category, Condition, Dimension, Engraving, Fitting, Hallmark, MarkKind,
    Measurement, PartialDate, Period, Photo, PhotoRole, Placement, Range, Rarity, Script, Side,
    Snapshot, Specimen, Variant,
};
use vitrina_formats::{Row, Table};

use crate::Field;
use crate::field::Level;
use crate::syntax::{Item, escape, join};

/// The columns of Vitrina's export, in order: every field except those that only a foreign
/// sheet uses (a `variants` list, single measurements, photos by role, a currency apart).
pub fn export_fields(include_private: bool) -> Vec<Field> {
    Field::ALL
        .iter()
        .copied()
        .filter(|f| {
            !matches!(
                f,
                Field::Variants
                    | Field::Dimensions
                    | Field::Diameter
                    | Field::Height
                    | Field::Width
                    | Field::Thickness
                    | Field::Weight
                    | Field::PhotoObverse
                    | Field::PhotoReverse
                    | Field::PhotoMarks
                    | Field::PhotoDetail
                    | Field::PhotoDocument
                    | Field::Currency
            )
        })
        .filter(|f| include_private || !f.is_private())
        .collect()
}

/// Writes a collection's types as rows (see the module's documentation). Without
/// `include_private`, no private value appears: no private column, no photo's original name.
pub fn write(snapshot: &Snapshot, include_private: bool) -> Table {
    write_types(&snapshot.types, &snapshot.categories, include_private)
}

/// Writes types as rows; `categories` give the titles of the categories they name.
pub fn write_types(types: &[BadgeType], categories: &[Category], include_private: bool) -> Table {
    let fields = export_fields(include_private);
    let by_slug: HashMap<&str, &Category> =
        categories.iter().map(|c| (c.slug.as_str(), c)).collect();
    let level = |l: &[Level]| -> Vec<Field> {
        fields
            .iter()
            .copied()
            .filter(|f| l.contains(&f.level()))
            .collect()
    };
    let (type_fields, variant_fields, specimen_fields) = (
        level(&[Level::Type]),
        level(&[Level::Variant]),
        level(&[Level::Specimen, Level::Private]),
    );
    let mut rows = Vec::new();
    let mut push = |cells: Vec<String>| {
        rows.push(Row {
            line: rows.len() as u64 + 2,
            cells,
        });
    };
    for t in types {
        let type_cells: Vec<String> = type_fields
            .iter()
            .map(|&f| type_cell(t, f, &by_slug, include_private))
            .collect();
        let empty = |fields: &[Field]| vec![String::new(); fields.len()];
        if t.variants.is_empty() {
            push(
                [
                    type_cells.clone(),
                    empty(&variant_fields),
                    empty(&specimen_fields),
                ]
                .concat(),
            );
        }
        for (i, v) in t.variants.iter().enumerate() {
            let variant_cells: Vec<String> = variant_fields
                .iter()
                .map(|&f| variant_cell(v, i, f))
                .collect();
            if v.specimens.is_empty() {
                push(
                    [
                        type_cells.clone(),
                        variant_cells.clone(),
                        empty(&specimen_fields),
                    ]
                    .concat(),
                );
            }
            for (j, s) in v.specimens.iter().enumerate() {
                let specimen_cells: Vec<String> = specimen_fields
                    .iter()
                    .map(|&f| specimen_cell(s, j, f, include_private))
                    .collect();
                push([type_cells.clone(), variant_cells.clone(), specimen_cells].concat());
            }
        }
    }
    Table {
        headers: fields.iter().map(|f| f.key().to_owned()).collect(),
        rows,
    }
}

fn date(d: Option<&PartialDate>) -> String {
    d.map(ToString::to_string).unwrap_or_default()
}

fn period(p: &Period) -> String {
    match &p.to {
        Some(to) => format!("{}–{}", p.from, to),
        None => format!("{}–", p.from),
    }
}

fn range(r: &Range) -> String {
    if r.min == r.max {
        format!("{}", r.min)
    } else {
        format!("{}–{}", r.min, r.max)
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn script(s: Script) -> &'static str {
    match s {
        Script::Cyrillic => "cyrillic",
        Script::Latin => "latin",
        Script::Mongolian => "mongolian",
        Script::Other => "other",
    }
}

fn fitting(f: Fitting) -> &'static str {
    match f {
        Fitting::ScrewBack => "screw_back",
        Fitting::Pin => "pin",
        Fitting::Brooch => "brooch",
        Fitting::Suspension => "suspension",
    }
}

fn condition(c: Condition) -> &'static str {
    match c {
        Condition::Mint => "mint",
        Condition::Excellent => "excellent",
        Condition::VeryFine => "very_fine",
        Condition::Fine => "fine",
        Condition::Good => "good",
        Condition::Fair => "fair",
        Condition::Poor => "poor",
    }
}

fn rarity(r: Rarity) -> &'static str {
    match r {
        Rarity::Common => "common",
        Rarity::Uncommon => "uncommon",
        Rarity::Scarce => "scarce",
        Rarity::Rare => "rare",
        Rarity::VeryRare => "very_rare",
        Rarity::ExtremelyRare => "extremely_rare",
    }
}

fn mark_kind(k: MarkKind) -> &'static str {
    match k {
        MarkKind::SilverProof => "silver_proof",
        MarkKind::GoldProof => "gold_proof",
        MarkKind::Silversmith => "silversmith",
        MarkKind::Mint => "mint",
        MarkKind::Other => "other",
    }
}

fn role(r: PhotoRole) -> &'static str {
    match r {
        PhotoRole::Obverse => "obverse",
        PhotoRole::Reverse => "reverse",
        PhotoRole::Marks => "marks",
        PhotoRole::Detail => "detail",
        PhotoRole::Document => "document",
    }
}

fn dimension(d: Dimension) -> &'static str {
    match d {
        Dimension::Height => "height",
        Dimension::Width => "width",
        Dimension::Diameter => "diameter",
        Dimension::Thickness => "thickness",
        Dimension::Weight => "weight",
    }
}

fn placement(p: Option<&Placement>) -> String {
    let Some(p) = p else {
        return String::new();
    };
    let side = match p.side {
        Side::Obverse => "obverse",
        Side::Reverse => "reverse",
        Side::Edge => "edge",
    };
    let area = p.area.map(|a| match a {
        Area::Top => "top",
        Area::Bottom => "bottom",
        Area::Left => "left",
        Area::Right => "right",
        Area::Centre => "centre",
        Area::TopLeft => "top-left",
        Area::TopRight => "top-right",
        Area::BottomLeft => "bottom-left",
        Area::BottomRight => "bottom-right",
    });
    match area {
        Some(a) => format!("{side} {a}"),
        None => side.to_owned(),
    }
}

fn photos(photos: &[Photo], include_private: bool) -> String {
    join(photos.iter().map(|p| {
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        Item::raw(format!("{}: {}", role(p.role), escape(&p.file)))
            .part("alt", &p.alt.en)
            .part("alt_ru", &p.alt.ru)
            .part("caption", &p.caption.en)
            .part("caption_ru", &p.caption.ru)
            .part("credit", &p.credit)
            .part("width", &number(p.width))
            .part("height", &number(p.height))
            .flag("illustration", p.illustration)
            .part(
                "original",
                if include_private {
                    &p.original_name
                } else {
                    ""
                },
            )
            .done()
    }))
}

fn type_cell(
    t: &BadgeType,
    f: Field,
    categories: &HashMap<&str, &Category>,
    include_private: bool,
) -> String {
    let original = t.names.original.as_ref();
    let issuer = t.issuer.as_ref();
    let event = t.event.as_ref();
    match f {
        Field::Slug => t.slug.to_string(),
        Field::Position => t.position.to_string(),
        Field::Published => yes_no(t.published),
        Field::Categories => join(t.categories.iter().map(|slug| {
            match categories.get(slug.as_str()) {
                Some(c) => Item::new(slug.as_str())
                    .part("en", &c.title.en)
                    .part("ru", &c.title.ru)
                    .done(),
                None => escape(slug.as_str()),
            }
        })),
        Field::Title => t.names.en.clone(),
        Field::TitleRu => t.names.ru.clone(),
        Field::OriginalName => original.map(|o| o.text.clone()).unwrap_or_default(),
        Field::OriginalScript => original
            .map(|o| script(o.script).to_owned())
            .unwrap_or_default(),
        Field::OriginalLanguage => original.map(|o| o.language.clone()).unwrap_or_default(),
        Field::Issuer => issuer.map(|i| i.name.en.clone()).unwrap_or_default(),
        Field::IssuerRu => issuer.map(|i| i.name.ru.clone()).unwrap_or_default(),
        Field::IssuerAbbreviation => issuer.map(|i| i.abbreviation.clone()).unwrap_or_default(),
        Field::IssuerAbbreviationLatin => issuer
            .map(|i| i.abbreviation_latin.clone())
            .unwrap_or_default(),
        Field::Established => date(t.established.as_ref()),
        Field::Period => t.period.as_ref().map(period).unwrap_or_default(),
        Field::Event => event.map(|e| e.name.en.clone()).unwrap_or_default(),
        Field::EventRu => event.map(|e| e.name.ru.clone()).unwrap_or_default(),
        Field::EventDate => date(event.and_then(|e| e.date.as_ref())),
        Field::EventPlace => event.map(|e| e.place.en.clone()).unwrap_or_default(),
        Field::EventPlaceRu => event.map(|e| e.place.ru.clone()).unwrap_or_default(),
        Field::Description => t.description.en.clone(),
        Field::DescriptionRu => t.description.ru.clone(),
        Field::References => join(t.references.iter().map(|r| {
            Item::new(&r.citation)
                .part("url", r.url.as_deref().unwrap_or(""))
                .done()
        })),
        Field::TypePhotos => photos(&t.photos, include_private),
        _ => String::new(),
    }
}

fn variant_cell(v: &Variant, index: usize, f: Field) -> String {
    match f {
        Field::VariantNo => (index + 1).to_string(),
        Field::VariantName => v.name.en.clone(),
        Field::VariantNameRu => v.name.ru.clone(),
        Field::Materials => join(v.materials.iter().map(|m| m.key().to_owned())),
        Field::Plating => v.plating.map(|m| m.key().to_owned()).unwrap_or_default(),
        Field::Fitting => v.fitting.map(|x| fitting(x).to_owned()).unwrap_or_default(),
        Field::Maker => v.maker.clone(),
        Field::Marks => join(
            v.marks
                .iter()
                .map(|m| Item::new(&m.en).part("ru", &m.ru).done()),
        ),
        Field::Enamel => v.enamel.en.clone(),
        Field::EnamelRu => v.enamel.ru.clone(),
        Field::VariantSize => v.size_mm.as_ref().map(range).unwrap_or_default(),
        Field::VariantWeight => v.weight_g.as_ref().map(range).unwrap_or_default(),
        Field::SerialNumbers => v
            .serial_numbers
            .map(|s| {
                if s.from == s.to {
                    s.from.to_string()
                } else {
                    format!("{}–{}", s.from, s.to)
                }
            })
            .unwrap_or_default(),
        Field::VariantNotes => v.notes.en.clone(),
        Field::VariantNotesRu => v.notes.ru.clone(),
        _ => String::new(),
    }
}

fn engraving(e: &Engraving) -> String {
    Item::new(&e.text)
        .part("on", &placement(e.position.as_ref()))
        .part("en", &e.description.en)
        .part("ru", &e.description.ru)
        .done()
}

fn hallmark(h: &Hallmark) -> String {
    let kind = mark_kind(h.kind);
    Item::raw(if h.present {
        kind.to_owned()
    } else {
        format!("no {kind}")
    })
    .part("on", &placement(h.position.as_ref()))
    .part("en", &h.description.en)
    .part("ru", &h.description.ru)
    .done()
}

fn measurement(m: &Measurement) -> String {
    let q = &m.quantity;
    format!(
        "{} {}{} {}",
        dimension(m.dimension),
        if q.approximate { "~" } else { "" },
        q.value.as_str(),
        q.unit.symbol()
    )
}

fn specimen_cell(s: &Specimen, index: usize, f: Field, include_private: bool) -> String {
    let private = if include_private {
        s.private.as_ref()
    } else {
        None
    };
    match f {
        Field::SpecimenNo => (index + 1).to_string(),
        Field::InventoryNumber => s.inventory_number.clone(),
        Field::Condition => s
            .condition
            .map(|c| condition(c).to_owned())
            .unwrap_or_default(),
        Field::Rarity => s.rarity.map(|r| rarity(r).to_owned()).unwrap_or_default(),
        Field::Engravings => join(s.engravings.iter().map(engraving)),
        Field::Hallmarks => join(s.hallmarks.iter().map(hallmark)),
        Field::Measurements => join(s.measurements.iter().map(measurement)),
        Field::Notes => s.notes.en.clone(),
        Field::NotesRu => s.notes.ru.clone(),
        Field::Photos => photos(&s.photos, include_private),
        Field::Provenance => private.map(|p| p.provenance.clone()).unwrap_or_default(),
        Field::Acquired => date(private.and_then(|p| p.acquired.as_ref())),
        Field::Price => private
            .and_then(|p| p.price.as_ref())
            .map(|p| format!("{} {}", p.amount, p.currency))
            .unwrap_or_default(),
        Field::StorageLocation => private
            .map(|p| p.storage_location.clone())
            .unwrap_or_default(),
        Field::PrivateNotes => private.map(|p| p.notes.clone()).unwrap_or_default(),
        _ => String::new(),
    }
}
