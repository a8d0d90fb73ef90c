//! Validation at the boundary: every record checks itself, field by field.

use std::fmt;

use serde::Serialize;

use crate::{
    BadgeType, Category, Collection, Engraving, Hallmark, Measurement, Names, OriginalName, Photo,
    Price, Specimen, SpecimenPrivate, Text, Variant,
};

/// One problem with one field, addressed by a path such as `variants[0].weight_g`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found in a record; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Limits that keep a hostile record from filling the database.
pub const MAX_NAME: usize = 300;
pub const MAX_SHORT_TEXT: usize = 2_000;
pub const MAX_LONG_TEXT: usize = 100_000;
pub const MAX_CHILDREN: usize = 500;

pub trait Validate {
    /// Adds every problem under `path` (a prefix such as `variants[1].`).
    fn check(&self, path: &str, errors: &mut ValidationErrors);

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.check("", &mut errors);
        errors.into_result()
    }
}

fn text(errors: &mut ValidationErrors, field: String, t: &Text, max: usize, required: bool) {
    if required && t.en.trim().is_empty() {
        errors.add(format!("{field}.en"), "this cannot be empty");
    }
    for (lang, s) in [("en", &t.en), ("ru", &t.ru)] {
        if s.chars().count() > max {
            errors.add(
                format!("{field}.{lang}"),
                format!("at most {max} characters"),
            );
        }
        if has_control(s) {
            errors.add(format!("{field}.{lang}"), "contains control characters");
        }
    }
}

fn string(errors: &mut ValidationErrors, field: String, s: &str, max: usize) {
    if s.chars().count() > max {
        errors.add(field.clone(), format!("at most {max} characters"));
    }
    if has_control(s) {
        errors.add(field, "contains control characters");
    }
}

/// Tabs and newlines are text; other control characters are not.
fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

fn many<T>(errors: &mut ValidationErrors, field: String, items: &[T]) {
    if items.len() > MAX_CHILDREN {
        errors.add(field, format!("at most {MAX_CHILDREN} entries"));
    }
}

impl Validate for Collection {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        text(errors, format!("{path}title"), &self.title, MAX_NAME, true);
        text(
            errors,
            format!("{path}introduction"),
            &self.introduction,
            MAX_LONG_TEXT,
            false,
        );
    }
}

impl Validate for Category {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        text(errors, format!("{path}title"), &self.title, MAX_NAME, true);
        text(
            errors,
            format!("{path}introduction"),
            &self.introduction,
            MAX_LONG_TEXT,
            false,
        );
    }
}

impl Validate for Names {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        if self.en.trim().is_empty() {
            errors.add(format!("{path}en"), "a badge type needs an English name");
        }
        string(errors, format!("{path}en"), &self.en, MAX_NAME);
        string(errors, format!("{path}ru"), &self.ru, MAX_NAME);
        if let Some(OriginalName { text, language, .. }) = &self.original {
            string(errors, format!("{path}original.text"), text, MAX_NAME);
            let ok = (2..=3).contains(&language.len())
                && language.bytes().all(|b| b.is_ascii_lowercase());
            if !ok {
                errors.add(
                    format!("{path}original.language"),
                    "use an ISO 639 language code such as mn or ru",
                );
            }
        }
    }
}

impl Validate for BadgeType {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        self.names.check(&format!("{path}names."), errors);
        if let Some(issuer) = &self.issuer {
            text(
                errors,
                format!("{path}issuer.name"),
                &issuer.name,
                MAX_NAME,
                true,
            );
            string(
                errors,
                format!("{path}issuer.abbreviation"),
                &issuer.abbreviation,
                40,
            );
        }
        if let Some(d) = &self.established
            && let Err(e) = d.check()
        {
            errors.add(format!("{path}established"), e.to_string());
        }
        if let Some(p) = &self.period {
            for (end, d) in [("from", Some(p.from)), ("to", p.to)] {
                if let Some(d) = d
                    && let Err(e) = d.check()
                {
                    errors.add(format!("{path}period.{end}"), e.to_string());
                }
            }
            if !p.is_ordered() {
                errors.add(
                    format!("{path}period.to"),
                    "the period ends before it starts",
                );
            }
        }
        if let Some(ev) = &self.event {
            text(
                errors,
                format!("{path}event.name"),
                &ev.name,
                MAX_NAME,
                true,
            );
            text(
                errors,
                format!("{path}event.place"),
                &ev.place,
                MAX_NAME,
                false,
            );
            if let Some(d) = &ev.date
                && let Err(e) = d.check()
            {
                errors.add(format!("{path}event.date"), e.to_string());
            }
        }
        text(
            errors,
            format!("{path}description"),
            &self.description,
            MAX_LONG_TEXT,
            false,
        );
        many(errors, format!("{path}references"), &self.references);
        for (i, r) in self.references.iter().enumerate() {
            string(
                errors,
                format!("{path}references[{i}].citation"),
                &r.citation,
                MAX_SHORT_TEXT,
            );
            if let Some(url) = &r.url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                errors.add(
                    format!("{path}references[{i}].url"),
                    "a link must start with https:// or http://",
                );
            }
        }
        many(errors, format!("{path}categories"), &self.categories);
        many(errors, format!("{path}variants"), &self.variants);
        for (i, v) in self.variants.iter().enumerate() {
            v.check(&format!("{path}variants[{i}]."), errors);
        }
        many(errors, format!("{path}photos"), &self.photos);
        for (i, p) in self.photos.iter().enumerate() {
            p.check(&format!("{path}photos[{i}]."), errors);
        }
    }
}

impl Validate for Variant {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        text(errors, format!("{path}name"), &self.name, MAX_NAME, true);
        string(errors, format!("{path}maker"), &self.maker, MAX_NAME);
        many(errors, format!("{path}marks"), &self.marks);
        for (i, m) in self.marks.iter().enumerate() {
            text(errors, format!("{path}marks[{i}]"), m, MAX_SHORT_TEXT, true);
        }
        text(
            errors,
            format!("{path}enamel"),
            &self.enamel,
            MAX_SHORT_TEXT,
            false,
        );
        text(
            errors,
            format!("{path}notes"),
            &self.notes,
            MAX_LONG_TEXT,
            false,
        );
        for (name, r) in [("size_mm", &self.size_mm), ("weight_g", &self.weight_g)] {
            if let Some(r) = r
                && !r.is_valid()
            {
                errors.add(
                    format!("{path}{name}"),
                    "give a positive minimum no larger than the maximum",
                );
            }
        }
        if let Some(s) = &self.serial_numbers
            && s.from > s.to
        {
            errors.add(
                format!("{path}serial_numbers"),
                "the range ends before it starts",
            );
        }
        many(errors, format!("{path}specimens"), &self.specimens);
        for (i, s) in self.specimens.iter().enumerate() {
            s.check(&format!("{path}specimens[{i}]."), errors);
        }
    }
}

impl Validate for Specimen {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        string(
            errors,
            format!("{path}inventory_number"),
            &self.inventory_number,
            100,
        );
        many(errors, format!("{path}engravings"), &self.engravings);
        for (
            i,
            Engraving {
                text: t,
                description,
                ..
            },
        ) in self.engravings.iter().enumerate()
        {
            string(
                errors,
                format!("{path}engravings[{i}].text"),
                t,
                MAX_SHORT_TEXT,
            );
            text(
                errors,
                format!("{path}engravings[{i}].description"),
                description,
                MAX_SHORT_TEXT,
                false,
            );
            if t.trim().is_empty() && description.is_empty() {
                errors.add(
                    format!("{path}engravings[{i}]"),
                    "give the engraved text or describe it",
                );
            }
        }
        many(errors, format!("{path}hallmarks"), &self.hallmarks);
        for (i, Hallmark { description, .. }) in self.hallmarks.iter().enumerate() {
            text(
                errors,
                format!("{path}hallmarks[{i}].description"),
                description,
                MAX_SHORT_TEXT,
                false,
            );
        }
        many(errors, format!("{path}measurements"), &self.measurements);
        for (
            i,
            Measurement {
                dimension,
                quantity,
            },
        ) in self.measurements.iter().enumerate()
        {
            if dimension.is_length() != quantity.unit.is_length() {
                errors.add(
                    format!("{path}measurements[{i}].unit"),
                    if dimension.is_length() {
                        "a length needs mm, cm or in"
                    } else {
                        "a weight needs g or oz"
                    },
                );
            }
        }
        text(
            errors,
            format!("{path}notes"),
            &self.notes,
            MAX_LONG_TEXT,
            false,
        );
        many(errors, format!("{path}photos"), &self.photos);
        for (i, p) in self.photos.iter().enumerate() {
            p.check(&format!("{path}photos[{i}]."), errors);
        }
        if let Some(p) = &self.private {
            p.check(&format!("{path}private."), errors);
        }
    }
}

impl Validate for SpecimenPrivate {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        string(
            errors,
            format!("{path}provenance"),
            &self.provenance,
            MAX_LONG_TEXT,
        );
        string(
            errors,
            format!("{path}storage_location"),
            &self.storage_location,
            MAX_NAME,
        );
        string(errors, format!("{path}notes"), &self.notes, MAX_LONG_TEXT);
        if let Some(d) = &self.acquired
            && let Err(e) = d.check()
        {
            errors.add(format!("{path}acquired"), e.to_string());
        }
        if let Some(Price { amount, currency }) = &self.price {
            let amount_ok = !amount.is_empty()
                && amount.len() <= 20
                && amount.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && amount.bytes().filter(|&b| b == b'.').count() <= 1
                && !amount.starts_with('.')
                && !amount.ends_with('.');
            if !amount_ok {
                errors.add(
                    format!("{path}price.amount"),
                    "write the price as a number such as 120 or 99.50",
                );
            }
            if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
                errors.add(
                    format!("{path}price.currency"),
                    "use an ISO 4217 code such as USD, EUR or RUB",
                );
            }
        }
    }
}

impl Validate for Photo {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        let file_ok = !self.file.is_empty()
            && self.file.len() <= 300
            && !self.file.starts_with('/')
            && !self
                .file
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
            && self
                .file
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
        if !file_ok {
            errors.add(format!("{path}file"), "not a valid media key");
        }
        text(
            errors,
            format!("{path}alt"),
            &self.alt,
            MAX_SHORT_TEXT,
            true,
        );
        text(
            errors,
            format!("{path}caption"),
            &self.caption,
            MAX_SHORT_TEXT,
            false,
        );
        string(errors, format!("{path}credit"), &self.credit, MAX_NAME);
        string(
            errors,
            format!("{path}original_name"),
            &self.original_name,
            MAX_NAME,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Amount, Dimension, PartialDate, Period, Quantity, Range, Slug, Unit};

    fn badge() -> BadgeType {
        BadgeType {
            id: None,
            slug: Slug::parse("mopr").unwrap(),
            position: 0,
            version: 0,
            published: true,
            categories: vec![],
            names: Names {
                en: "MOPR badge".into(),
                ..Names::default()
            },
            issuer: None,
            established: None,
            period: None,
            event: None,
            description: Text::default(),
            references: vec![],
            variants: vec![],
            photos: vec![],
        }
    }

    fn variant() -> Variant {
        Variant {
            id: None,
            name: Text::en("Silver"),
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
            specimens: vec![],
        }
    }

    #[test]
    fn a_minimal_type_is_valid() {
        assert_eq!(badge().validate(), Ok(()));
    }

    #[test]
    fn errors_name_the_field_they_belong_to() {
        let mut b = badge();
        b.names.en = "  ".into();
        b.period = Some(Period {
            from: PartialDate::year(1932),
            to: Some(PartialDate::year(1922)),
        });
        let mut v = variant();
        v.weight_g = Some(Range {
            min: 30.0,
            max: 20.0,
        });
        v.specimens.push(Specimen {
            id: None,
            inventory_number: "A\u{0}1".into(),
            engravings: vec![],
            hallmarks: vec![],
            measurements: vec![Measurement {
                dimension: Dimension::Thickness,
                quantity: Quantity {
                    value: Amount::parse("1/8").unwrap(),
                    unit: Unit::G,
                    approximate: false,
                },
            }],
            condition: None,
            rarity: None,
            notes: Text::default(),
            photos: vec![],
            private: Some(SpecimenPrivate {
                price: Some(Price {
                    amount: "1e9".into(),
                    currency: "dollars".into(),
                }),
                ..SpecimenPrivate::default()
            }),
        });
        b.variants.push(v);
        let errors = b.validate().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "names.en",
                "period.to",
                "variants[0].weight_g",
                "variants[0].specimens[0].inventory_number",
                "variants[0].specimens[0].measurements[0].unit",
                "variants[0].specimens[0].private.price.amount",
                "variants[0].specimens[0].private.price.currency",
            ]
        );
    }

    #[test]
    fn hostile_sizes_and_paths_are_refused() {
        let mut b = badge();
        b.names.en = "x".repeat(MAX_NAME + 1);
        b.description.en = "y".repeat(MAX_LONG_TEXT + 1);
        b.photos.push(Photo {
            id: None,
            role: crate::PhotoRole::Obverse,
            file: "../../etc/passwd".into(),
            alt: Text::en("alt"),
            caption: Text::default(),
            illustration: false,
            width: None,
            height: None,
            credit: String::new(),
            original_name: String::new(),
        });
        let errors = b.validate().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["names.en", "description.en", "photos[0].file"]);
    }
}
