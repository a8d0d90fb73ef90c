//! Where a record's values came from, so that the domain's validation errors (addressed by
//! path: `variants[0].specimens[1].private.price.amount`) are reported at a line and column.

use crate::Field;

/// The cells one record (a type, a variant or a specimen) was read from.
#[derive(Debug, Default)]
pub(super) struct Trace {
    /// The record's first line.
    pub line: u64,
    cells: Vec<(Field, u64, usize)>,
    items: Vec<(&'static str, usize, u64, usize, Field)>,
}

impl Trace {
    pub fn new(line: u64) -> Self {
        Self {
            line,
            cells: Vec::with_capacity(8),
            items: Vec::new(),
        }
    }

    /// Notes that `field` was read from a cell.
    pub fn cell(&mut self, field: Field, line: u64, col: usize) {
        if !self.cells.iter().any(|c| c.0 == field) {
            self.cells.push((field, line, col));
        }
    }

    /// Notes that entry `index` of the list `list` (`photos`, `engravings`…) came from a cell.
    pub fn item(&mut self, list: &'static str, index: usize, field: Field, line: u64, col: usize) {
        self.items.push((list, index, line, col, field));
    }

    fn find_cell(&self, candidates: &[Field]) -> Option<(u64, usize, Field)> {
        candidates.iter().find_map(|f| {
            self.cells
                .iter()
                .find(|c| c.0 == *f)
                .map(|&(f, line, col)| (line, col, f))
        })
    }

    fn find_item(&self, list: &str, index: usize) -> Option<(u64, usize, Field)> {
        self.items
            .iter()
            .find(|i| i.0 == list && i.1 == index)
            .map(|&(_, _, line, col, f)| (line, col, f))
    }
}

#[derive(Debug, Default)]
pub(super) struct TypeTrace {
    pub own: Trace,
    pub variants: Vec<VariantTrace>,
}

#[derive(Debug, Default)]
pub(super) struct VariantTrace {
    pub own: Trace,
    pub specimens: Vec<Trace>,
}

/// Which fields a path's value may have come from, most likely first, per level.
const TYPE_PATHS: &[(&str, &[Field])] = &[
    ("slug", &[Field::Slug, Field::Title]),
    ("names.en", &[Field::Title, Field::TitleRu]),
    ("names.ru", &[Field::TitleRu]),
    ("names.original.text", &[Field::OriginalName]),
    (
        "names.original.language",
        &[
            Field::OriginalLanguage,
            Field::OriginalName,
            Field::OriginalScript,
        ],
    ),
    (
        "names.original",
        &[
            Field::OriginalName,
            Field::OriginalScript,
            Field::OriginalLanguage,
        ],
    ),
    (
        "issuer.name.en",
        &[
            Field::Issuer,
            Field::IssuerRu,
            Field::IssuerAbbreviation,
            Field::IssuerAbbreviationLatin,
        ],
    ),
    ("issuer.name.ru", &[Field::IssuerRu]),
    (
        "issuer.abbreviation_latin",
        &[Field::IssuerAbbreviationLatin],
    ),
    ("issuer.abbreviation", &[Field::IssuerAbbreviation]),
    ("established", &[Field::Established]),
    ("period", &[Field::Period]),
    (
        "event.name.en",
        &[
            Field::Event,
            Field::EventRu,
            Field::EventDate,
            Field::EventPlace,
            Field::EventPlaceRu,
        ],
    ),
    ("event.name.ru", &[Field::EventRu]),
    ("event.place.en", &[Field::EventPlace]),
    ("event.place.ru", &[Field::EventPlaceRu]),
    ("event.date", &[Field::EventDate]),
    ("description.en", &[Field::Description]),
    ("description.ru", &[Field::DescriptionRu]),
    ("references", &[Field::References]),
    ("categories", &[Field::Categories]),
    ("photos", &[Field::TypePhotos]),
    (
        "variants",
        &[Field::VariantNo, Field::VariantName, Field::Variants],
    ),
];

const VARIANT_PATHS: &[(&str, &[Field])] = &[
    (
        "name.en",
        &[
            Field::VariantName,
            Field::Variants,
            Field::VariantNameRu,
            Field::Materials,
        ],
    ),
    ("name.ru", &[Field::VariantNameRu]),
    ("maker", &[Field::Maker]),
    ("marks", &[Field::Marks]),
    ("enamel.en", &[Field::Enamel]),
    ("enamel.ru", &[Field::EnamelRu]),
    ("notes.en", &[Field::VariantNotes]),
    ("notes.ru", &[Field::VariantNotesRu]),
    ("size_mm", &[Field::VariantSize]),
    ("weight_g", &[Field::VariantWeight]),
    ("serial_numbers", &[Field::SerialNumbers]),
    ("materials", &[Field::Materials]),
    ("specimens", &[Field::SpecimenNo, Field::InventoryNumber]),
];

const SPECIMEN_PATHS: &[(&str, &[Field])] = &[
    ("inventory_number", &[Field::InventoryNumber]),
    ("notes.en", &[Field::Notes, Field::Condition]),
    ("notes.ru", &[Field::NotesRu]),
    ("engravings", &[Field::Engravings]),
    ("hallmarks", &[Field::Hallmarks]),
    (
        "measurements",
        &[Field::Measurements, Field::Dimensions, Field::Weight],
    ),
    ("photos", &[Field::Photos]),
    ("private.provenance", &[Field::Provenance]),
    ("private.storage_location", &[Field::StorageLocation]),
    ("private.notes", &[Field::PrivateNotes]),
    ("private.acquired", &[Field::Acquired]),
    ("private.price.currency", &[Field::Currency, Field::Price]),
    ("private.price", &[Field::Price]),
];

/// A path's first segment: its name and index (`variants[2]` → `("variants", Some(2))`), and
/// the rest after the dot.
fn segment(path: &str) -> (&str, Option<usize>, &str) {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    match head.split_once('[') {
        Some((name, index)) => (name, index.trim_end_matches(']').parse().ok(), rest),
        None => (head, None, rest),
    }
}

/// The line, column and field a validation path points at; the record's line when no cell
/// can be named.
pub(super) fn locate(trace: &TypeTrace, path: &str) -> (u64, Option<usize>, Option<Field>) {
    let (mut own, mut table, mut rest) = (&trace.own, TYPE_PATHS, path);
    let (name, index, after) = segment(rest);
    if let ("variants", Some(i)) = (name, index)
        && let Some(v) = trace.variants.get(i)
    {
        (own, table, rest) = (&v.own, VARIANT_PATHS, after);
        let (name, index, after) = segment(rest);
        if let ("specimens", Some(j)) = (name, index)
            && let Some(s) = v.specimens.get(j)
        {
            (own, table, rest) = (s, SPECIMEN_PATHS, after);
        }
    }
    let (name, index, _) = segment(rest);
    if let Some(i) = index
        && let Some((line, col, f)) = own.find_item(name, i)
    {
        return (line, Some(col), Some(f));
    }
    let found = table
        .iter()
        .filter(|(p, _)| {
            rest == *p || rest.starts_with(&format!("{p}.")) || rest.starts_with(&format!("{p}["))
        })
        .find_map(|(_, fields)| own.find_cell(fields));
    match found {
        Some((line, col, f)) => (line, Some(col), Some(f)),
        None => (own.line, None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lead_to_the_cells_their_values_came_from() {
        let mut t = TypeTrace {
            own: Trace::new(2),
            variants: vec![],
        };
        t.own.cell(Field::Title, 2, 1);
        t.own.cell(Field::Issuer, 3, 7);
        let mut v = VariantTrace {
            own: Trace::new(4),
            specimens: vec![],
        };
        v.own.cell(Field::VariantWeight, 4, 9);
        let mut s = Trace::new(5);
        s.cell(Field::Price, 5, 12);
        s.item("measurements", 1, Field::Weight, 5, 14);
        v.specimens.push(s);
        t.variants.push(v);
        assert_eq!(locate(&t, "names.en"), (2, Some(1), Some(Field::Title)));
        assert_eq!(
            locate(&t, "issuer.name.en"),
            (3, Some(7), Some(Field::Issuer))
        );
        assert_eq!(
            locate(&t, "variants[0].weight_g"),
            (4, Some(9), Some(Field::VariantWeight))
        );
        assert_eq!(
            locate(&t, "variants[0].specimens[0].private.price.amount"),
            (5, Some(12), Some(Field::Price))
        );
        assert_eq!(
            locate(&t, "variants[0].specimens[0].measurements[1].unit"),
            (5, Some(14), Some(Field::Weight))
        );
        assert_eq!(
            locate(&t, "variants[0].specimens[0].notes.en"),
            (5, None, None)
        );
        assert_eq!(locate(&t, "variants[3].name.en"), (2, None, None));
        assert_eq!(locate(&t, "description.en"), (2, None, None));
    }
}
