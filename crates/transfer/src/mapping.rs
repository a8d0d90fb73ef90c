//! Which column holds which field: made by recognising headers, edited by the user, kept as a
//! named preset and applied to the next file by its headers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Field;
use crate::field::{normalise, recognise};

/// One column of a table and the field it holds (`None`: ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The header as written.
    pub header: String,
    pub field: Option<Field>,
}

/// The columns of a table, in order (a column's index is its place here), each with its field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub columns: Vec<Column>,
}

/// A mapping saved under a name, applied to later files by header (compared as recognition
/// compares them: without case, spaces or punctuation). A header mapped to `None` stays
/// ignored in the next file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub name: String,
    pub columns: BTreeMap<String, Option<Field>>,
}

impl Mapping {
    /// Recognises each header ([`Field::recognise`]); unknown headers are ignored. A field is
    /// given to one column only (the first), except that a Cyrillic header without a language
    /// mark (`Название`) yields the English field to a column that says English (`Title (EN)`)
    /// and takes the Russian one: in such a sheet the plain Russian header holds Russian.
    pub fn recognise(headers: &[String]) -> Mapping {
        let found: Vec<_> = headers.iter().map(|h| recognise(h)).collect();
        let mut columns: Vec<Column> = headers
            .iter()
            .map(|h| Column {
                header: h.clone(),
                field: None,
            })
            .collect();
        let mut taken = std::collections::HashSet::new();
        // Columns that name their language first, so that they keep their field.
        for explicit in [true, false] {
            for (i, r) in found.iter().enumerate() {
                let Some(r) = r else { continue };
                if r.explicit_language != explicit {
                    continue;
                }
                let mut field = r.field;
                if taken.contains(&field)
                    && !explicit
                    && r.cyrillic
                    && let Some(ru) = field.russian()
                {
                    field = ru;
                }
                if taken.insert(field) {
                    columns[i].field = Some(field);
                }
            }
        }
        Mapping { columns }
    }

    /// The mapping of Vitrina's own export: each header is a field's key, exactly; anything
    /// else is ignored.
    pub fn vitrina_export(headers: &[String]) -> Mapping {
        Mapping {
            columns: headers
                .iter()
                .map(|h| Column {
                    header: h.clone(),
                    field: Field::from_key(h.trim()),
                })
                .collect(),
        }
    }

    /// Applies a preset to a table's headers: a header the preset knows gets the preset's
    /// field (or stays ignored); the others are recognised.
    pub fn with_preset(headers: &[String], preset: &Preset) -> Mapping {
        let known: BTreeMap<String, Option<Field>> = preset
            .columns
            .iter()
            .map(|(h, f)| (normalise(h), *f))
            .collect();
        let mut mapping = Mapping::recognise(headers);
        for c in &mut mapping.columns {
            if let Some(f) = known.get(&normalise(&c.header)) {
                c.field = *f;
            }
        }
        mapping
    }

    /// The mapping as a preset to save.
    pub fn to_preset(&self, name: impl Into<String>) -> Preset {
        Preset {
            name: name.into(),
            columns: self
                .columns
                .iter()
                .map(|c| (c.header.clone(), c.field))
                .collect(),
        }
    }

    /// Sets (or clears) the field of column `index`; a column past the end is added.
    pub fn set(&mut self, index: usize, field: Option<Field>) {
        if index >= self.columns.len() {
            self.columns.resize(
                index + 1,
                Column {
                    header: String::new(),
                    field: None,
                },
            );
        }
        self.columns[index].field = field;
    }

    /// Sets the field of every column with this header (as written, trimmed).
    pub fn set_header(&mut self, header: &str, field: Option<Field>) {
        for c in &mut self.columns {
            if c.header.trim() == header.trim() {
                c.field = field;
            }
        }
    }

    pub fn field(&self, index: usize) -> Option<Field> {
        self.columns.get(index).and_then(|c| c.field)
    }

    /// The headers that no field is read from.
    pub fn ignored(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|c| c.field.is_none())
            .map(|c| c.header.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_generated_catalogue_is_recognised_column_by_column() {
        let h = headers(&[
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
        ]);
        let m = Mapping::recognise(&h);
        let fields: Vec<Option<Field>> = m.columns.iter().map(|c| c.field).collect();
        use Field::*;
        assert_eq!(
            fields,
            [
                Some(InventoryNumber),
                Some(Title),
                Some(TitleRu),
                Some(Categories),
                Some(Established),
                Some(Materials),
                Some(Variants),
                Some(Maker),
                Some(Engravings),
                Some(Condition),
                Some(Rarity),
                Some(Dimensions),
                Some(Weight),
                Some(Description),
            ]
        );
        assert!(m.ignored().is_empty());
    }

    #[test]
    fn unknown_headers_are_ignored_and_a_field_goes_to_one_column() {
        let m = Mapping::recognise(&headers(&["Title", "Museum code", "Name", ""]));
        assert_eq!(m.field(0), Some(Field::Title));
        assert_eq!(m.field(1), None);
        assert_eq!(m.field(2), None, "the title is already taken");
        assert_eq!(m.ignored(), ["Museum code", "Name", ""]);
    }

    #[test]
    fn a_plain_russian_header_beside_an_english_one_holds_russian() {
        let m = Mapping::recognise(&headers(&["Название", "Название (англ.)", "Описание"]));
        assert_eq!(m.field(0), Some(Field::TitleRu));
        assert_eq!(m.field(1), Some(Field::Title));
        assert_eq!(m.field(2), Some(Field::Description));
        let m = Mapping::recognise(&headers(&["Название", "Описание"]));
        assert_eq!(
            m.field(0),
            Some(Field::Title),
            "alone, it is the main title"
        );
    }

    #[test]
    fn the_export_mapping_is_exact_and_agrees_with_recognition() {
        let h: Vec<String> = Field::ALL.iter().map(|f| f.key().to_owned()).collect();
        let exact = Mapping::vitrina_export(&h);
        assert_eq!(exact, Mapping::recognise(&h));
        let m = Mapping::vitrina_export(&headers(&["Title", "title_en"]));
        assert_eq!((m.field(0), m.field(1)), (None, Some(Field::Title)));
    }

    #[test]
    fn a_preset_is_saved_and_applied_to_the_next_file_by_header() {
        let mut m = Mapping::recognise(&headers(&["Инв. №", "Название", "Шкаф", "Цена"]));
        m.set(2, Some(Field::StorageLocation));
        m.set(3, None);
        let preset = m.to_preset("My sheet");
        let json = serde_json::to_string(&preset).unwrap();
        let preset: Preset = serde_json::from_str(&json).unwrap();
        let next = Mapping::with_preset(&headers(&["ШКАФ", "цена", "инв №", "Год"]), &preset);
        assert_eq!(next.field(0), Some(Field::StorageLocation));
        assert_eq!(next.field(1), None, "ignored in the preset, ignored again");
        assert_eq!(next.field(2), Some(Field::InventoryNumber));
        assert_eq!(next.field(3), Some(Field::Established), "recognised");
        assert!(
            serde_json::from_str::<Preset>(r#"{"name":"x","columns":{"a":"colour"}}"#).is_err()
        );
        assert!(serde_json::from_str::<Preset>(r#"{"name":"x","columns":{},"extra":1}"#).is_err());
    }

    #[test]
    fn a_mapping_is_edited_and_serialised() {
        let mut m = Mapping::recognise(&headers(&["a", "b"]));
        m.set(1, Some(Field::Title));
        m.set_header("a", Some(Field::Slug));
        m.set(3, Some(Field::Maker));
        assert_eq!(m.columns.len(), 4);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["columns"][0]["field"], "slug");
        let back: Mapping = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }
}
