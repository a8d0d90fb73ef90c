//! A record from a file against the one stored under its key: the stored record's identity
//! (id, version, slug, and its children's ids, found by variant name and inventory number) is
//! carried over, and what the file does not bring (photos, private fields, the position) is
//! kept, so that importing the same file twice finds every record unchanged the second time.

use vitrina_catalogue::{BadgeType, Category, Snapshot, Specimen, Validate};
use vitrina_transfer::{Imported, ImportedCategory, Outcome, Problem, ProblemKind};

/// What a record from the file does to the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Create,
    Update,
    Unchanged,
}

/// Makes `record` the update of `stored` (see the module) and says whether it changes it.
/// `brings_photos`: the file has pictures for this record, so its photos replace the stored
/// ones; otherwise a record without photos keeps the stored photos.
pub(super) fn merge(record: &mut BadgeType, stored: &BadgeType, brings_photos: bool) -> Change {
    record.id = stored.id;
    record.version = stored.version;
    record.slug = stored.slug.clone();
    if record.position == 0 {
        record.position = stored.position;
    }
    if record.photos.is_empty() && !brings_photos {
        record.photos = stored.photos.clone();
    } else {
        keep_photo_ids(&mut record.photos, &stored.photos);
    }
    for (vi, variant) in record.variants.iter_mut().enumerate() {
        // The stored variant of the same name, else the one in the same place.
        let old = stored
            .variants
            .iter()
            .find(|v| v.name.en == variant.name.en)
            .or_else(|| {
                stored
                    .variants
                    .get(vi)
                    .filter(|v| !record_names(&v.name.en, &variant.name.en))
            });
        let Some(old) = old else { continue };
        variant.id = old.id;
        for (si, specimen) in variant.specimens.iter_mut().enumerate() {
            let same = old
                .specimens
                .iter()
                .find(|s| {
                    !s.inventory_number.is_empty()
                        && s.inventory_number == specimen.inventory_number
                })
                .or_else(|| {
                    old.specimens.get(si).filter(|s| {
                        s.inventory_number.is_empty() || specimen.inventory_number.is_empty()
                    })
                });
            if let Some(same) = same {
                keep_specimen(specimen, same, brings_photos);
            }
        }
    }
    // Ids of variants or pieces the record names twice are given once.
    dedup_ids(record);
    if record == stored {
        Change::Unchanged
    } else {
        Change::Update
    }
}

/// Whether two variant names name different variants (both given, and not the same).
fn record_names(stored: &str, given: &str) -> bool {
    !stored.is_empty() && !given.is_empty() && stored != given
}

fn keep_specimen(specimen: &mut Specimen, stored: &Specimen, brings_photos: bool) {
    specimen.id = stored.id;
    if specimen.private.is_none() {
        specimen.private = stored.private.clone();
    }
    if specimen.photos.is_empty() && !brings_photos {
        specimen.photos = stored.photos.clone();
    } else {
        keep_photo_ids(&mut specimen.photos, &stored.photos);
    }
}

/// A photo of the same file keeps its id (and the name it was uploaded under).
fn keep_photo_ids(photos: &mut [vitrina_catalogue::Photo], stored: &[vitrina_catalogue::Photo]) {
    for p in photos {
        if let Some(old) = stored.iter().find(|o| o.file == p.file) {
            p.id = old.id;
            if p.original_name.is_empty() {
                p.original_name = old.original_name.clone();
            }
        }
    }
}

fn dedup_ids(record: &mut BadgeType) {
    let mut seen = std::collections::HashSet::new();
    for v in &mut record.variants {
        if let Some(id) = v.id
            && !seen.insert(("v", id.get()))
        {
            v.id = None;
        }
        for s in &mut v.specimens {
            if let Some(id) = s.id
                && !seen.insert(("s", id.get()))
            {
                s.id = None;
            }
        }
    }
}

/// Vitrina's own JSON export as what reading a table gives: its types (ids dropped, each
/// validated), and its categories (those not in the catalogue yet to be created).
pub(super) fn outcome_of(snapshot: Snapshot, existing: &[Category]) -> Outcome {
    let mut problems = Vec::new();
    let mut types = Vec::with_capacity(snapshot.types.len());
    for (i, mut t) in snapshot.types.into_iter().enumerate() {
        strip_ids(&mut t);
        let mut count = 0;
        if let Err(errors) = t.validate() {
            for e in errors.0 {
                count += 1;
                problems.push(Problem {
                    line: None,
                    record: Some(t.slug.to_string()),
                    column: None,
                    field: None,
                    kind: ProblemKind::Invalid,
                    message: format!("types[{i}].{}: {}", e.field, e.message),
                });
            }
        }
        types.push(Imported {
            record: t,
            slug_derived: false,
            lines: Vec::new(),
            problems: count,
        });
    }
    let categories = snapshot
        .categories
        .into_iter()
        .map(|mut c| {
            c.id = None;
            c.version = 0;
            ImportedCategory {
                existing: existing.iter().any(|e| e.slug == c.slug),
                category: c,
                lines: Vec::new(),
            }
        })
        .collect();
    let rows = types.len();
    Outcome {
        types,
        categories,
        problems,
        rows,
    }
}

fn strip_ids(t: &mut BadgeType) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrina_catalogue::{Names, Slug, SpecimenPrivate, Text, Variant};

    fn variant(name: &str, inventory: &[&str]) -> Variant {
        Variant {
            id: None,
            name: Text::en(name),
            materials: vec![],
            plating: None,
            fitting: None,
            maker: String::new(),
            marks: vec![],
            enamel: Text::default(),
            size_mm: None,
            weight_g: None,
            serial_numbers: None,
            notes: Text::default(),
            specimens: inventory
                .iter()
                .map(|n| Specimen {
                    id: None,
                    inventory_number: (*n).into(),
                    engravings: vec![],
                    hallmarks: vec![],
                    measurements: vec![],
                    condition: None,
                    rarity: None,
                    notes: Text::default(),
                    photos: vec![],
                    private: None,
                })
                .collect(),
        }
    }

    fn badge(variants: Vec<Variant>) -> BadgeType {
        BadgeType {
            id: None,
            slug: Slug::parse("mopr").unwrap(),
            position: 0,
            version: 0,
            published: true,
            categories: vec![],
            names: Names {
                en: "MOPR".into(),
                ..Names::default()
            },
            issuer: None,
            established: None,
            period: None,
            event: None,
            description: Text::default(),
            references: vec![],
            variants,
            photos: vec![],
        }
    }

    /// The stored record: ids, a version, a position, private fields.
    fn stored() -> BadgeType {
        let mut t = badge(vec![
            variant("Silver", &["INV-1", "INV-2"]),
            variant("Bronze", &[]),
        ]);
        t.id = Some(vitrina_catalogue::TypeId::new(7));
        t.version = 3;
        t.position = 5;
        for (i, v) in t.variants.iter_mut().enumerate() {
            v.id = Some(vitrina_catalogue::VariantId::new(10 + i as i64));
            for (j, s) in v.specimens.iter_mut().enumerate() {
                s.id = Some(vitrina_catalogue::SpecimenId::new(100 + j as i64));
                s.private = Some(SpecimenPrivate {
                    provenance: format!("bought {j}"),
                    ..SpecimenPrivate::default()
                });
            }
        }
        t
    }

    #[test]
    fn the_same_record_again_is_unchanged_and_keeps_what_the_file_does_not_bring() {
        let mut again = badge(vec![
            variant("Silver", &["INV-1", "INV-2"]),
            variant("Bronze", &[]),
        ]);
        assert_eq!(merge(&mut again, &stored(), false), Change::Unchanged);
        assert_eq!(again, stored());
    }

    #[test]
    fn pieces_are_found_by_inventory_number_whatever_their_order() {
        let mut moved = badge(vec![
            variant("Bronze", &[]),
            variant("Silver", &["INV-2", "INV-1"]),
        ]);
        assert_eq!(merge(&mut moved, &stored(), false), Change::Update);
        let silver = &moved.variants[1];
        assert_eq!(silver.id.unwrap().get(), 10);
        assert_eq!(silver.specimens[0].id.unwrap().get(), 101);
        assert_eq!(
            silver.specimens[0].private.as_ref().unwrap().provenance,
            "bought 1"
        );
        assert_eq!(moved.variants[0].id.unwrap().get(), 11);
    }

    #[test]
    fn a_renamed_variant_in_the_same_place_is_a_new_variant() {
        let mut renamed = badge(vec![variant("Gilt", &[]), variant("Bronze", &[])]);
        merge(&mut renamed, &stored(), false);
        assert_eq!(renamed.variants[0].id, None);
        assert_eq!(renamed.variants[1].id.unwrap().get(), 11);
    }

    #[test]
    fn vitrinas_own_export_drops_foreign_ids_and_is_validated() {
        let mut bad = stored();
        bad.names.en = String::new();
        let snapshot = Snapshot {
            collection: Default::default(),
            categories: vec![],
            types: vec![stored(), bad],
        };
        let outcome = outcome_of(snapshot, &[]);
        assert_eq!(outcome.types[0].record.id, None);
        assert!(outcome.types[0].record.specimens().all(|s| s.id.is_none()));
        assert_eq!(outcome.types[0].problems, 0);
        assert!(outcome.types[1].problems > 0);
        assert!(outcome.problems[0].message.starts_with("types[1]."));
    }
}
