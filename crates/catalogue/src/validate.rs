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

// Limits that keep a hostile record from filling the database. Every text field has one, and
// an over-long value is refused, never cut: [`LIMITS`] lists them all (the README's table is
// written from it), in characters (Unicode scalar values) unless it says bytes.

/// Names and titles: a type's names, an issuer's or event's name, a place, a variant's name, a
/// maker, a storage place, a photo credit.
pub const MAX_NAME: usize = 300;
/// Short texts: marks, enamel, engravings, hallmark descriptions, alt texts, captions, citations.
pub const MAX_SHORT_TEXT: usize = 2_000;
/// Markdown and other long texts: descriptions, introductions, notes, provenance.
pub const MAX_LONG_TEXT: usize = 100_000;
/// Entries in any one list (variants, specimens, photos, marks, engravings…).
pub const MAX_CHILDREN: usize = 500;
/// An issuer's abbreviation, Cyrillic or Latin (`МОПР`, `MOPR`).
pub const MAX_ABBREVIATION: usize = 40;
/// A specimen's inventory number.
pub const MAX_INVENTORY_NUMBER: usize = 100;
/// A reference's link.
pub const MAX_URL: usize = 2_000;
/// A photo's media key, in bytes (it is ASCII).
pub const MAX_MEDIA_KEY: usize = 300;
/// A price's amount, as digits and one point.
pub const MAX_PRICE_AMOUNT: usize = 20;
/// A measured amount as written (`1 1/2`), see [`crate::Amount`].
pub const MAX_AMOUNT: usize = 32;

/// One field's limit, for documentation: `field` is a path as [`FieldError`]s name it, with
/// `[]` for "every entry" and `*` for both languages of a [`Text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub field: &'static str,
    pub max: usize,
}

const fn limit(field: &'static str, max: usize) -> Limit {
    Limit { field, max }
}

impl ValidationErrors {
    /// Every text field's limit, as [`LIMITS`] lists them: reachable as
    /// `ValidationErrors::LIMITS` from outside the crate.
    pub const LIMITS: &'static [Limit] = LIMITS;
}

/// Every text field's maximum length (characters, or bytes where the value is ASCII by rule),
/// in the order of the records. Lists hold at most [`MAX_CHILDREN`] entries each.
///
/// | field | max |
/// | --- | --- |
/// | `collection.title.*`, `categories[].title.*` | 300 |
/// | `collection.introduction.*`, `categories[].introduction.*` | 100,000 |
/// | `categories[].slug`, `types[].slug` | 120 |
/// | `names.en`, `names.ru`, `names.original.text` | 300 |
/// | `names.original.language` | 3 (an ISO 639 code) |
/// | `issuer.name.*` | 300 |
/// | `issuer.abbreviation`, `issuer.abbreviation_latin` | 40 |
/// | `event.name.*`, `event.place.*` | 300 |
/// | `description.*` | 100,000 |
/// | `references[].citation` | 2,000 (required) |
/// | `references[].url` | 2,000 |
/// | `variants[].name.*`, `variants[].maker` | 300 |
/// | `variants[].marks[].*`, `variants[].enamel.*` | 2,000 |
/// | `variants[].notes.*` | 100,000 |
/// | `specimens[].inventory_number` | 100 |
/// | `specimens[].engravings[].text`, `….description.*`, `specimens[].hallmarks[].description.*` | 2,000 |
/// | `specimens[].measurements[].value` | 32 |
/// | `specimens[].notes.*` | 100,000 |
/// | `private.provenance`, `private.notes` | 100,000 |
/// | `private.storage_location` | 300 |
/// | `private.price.amount` | 20 |
/// | `private.price.currency` | 3 (an ISO 4217 code) |
/// | `photos[].file` | 300 bytes |
/// | `photos[].alt.*`, `photos[].caption.*` | 2,000 |
/// | `photos[].credit`, `photos[].original_name` | 300 |
pub const LIMITS: &[Limit] = &[
    limit("collection.title.*", MAX_NAME),
    limit("collection.introduction.*", MAX_LONG_TEXT),
    limit("categories[].slug", crate::Slug::MAX_LEN),
    limit("categories[].title.*", MAX_NAME),
    limit("categories[].introduction.*", MAX_LONG_TEXT),
    limit("types[].slug", crate::Slug::MAX_LEN),
    limit("names.en", MAX_NAME),
    limit("names.ru", MAX_NAME),
    limit("names.original.text", MAX_NAME),
    limit("names.original.language", 3),
    limit("issuer.name.*", MAX_NAME),
    limit("issuer.abbreviation", MAX_ABBREVIATION),
    limit("issuer.abbreviation_latin", MAX_ABBREVIATION),
    limit("event.name.*", MAX_NAME),
    limit("event.place.*", MAX_NAME),
    limit("description.*", MAX_LONG_TEXT),
    limit("references[].citation", MAX_SHORT_TEXT),
    limit("references[].url", MAX_URL),
    limit("variants[].name.*", MAX_NAME),
    limit("variants[].maker", MAX_NAME),
    limit("variants[].marks[].*", MAX_SHORT_TEXT),
    limit("variants[].enamel.*", MAX_SHORT_TEXT),
    limit("variants[].notes.*", MAX_LONG_TEXT),
    limit("specimens[].inventory_number", MAX_INVENTORY_NUMBER),
    limit("specimens[].engravings[].text", MAX_SHORT_TEXT),
    limit("specimens[].engravings[].description.*", MAX_SHORT_TEXT),
    limit("specimens[].hallmarks[].description.*", MAX_SHORT_TEXT),
    limit("specimens[].measurements[].value", MAX_AMOUNT),
    limit("specimens[].notes.*", MAX_LONG_TEXT),
    limit("specimens[].private.provenance", MAX_LONG_TEXT),
    limit("specimens[].private.storage_location", MAX_NAME),
    limit("specimens[].private.notes", MAX_LONG_TEXT),
    limit("specimens[].private.price.amount", MAX_PRICE_AMOUNT),
    limit("specimens[].private.price.currency", 3),
    limit("photos[].file", MAX_MEDIA_KEY),
    limit("photos[].alt.*", MAX_SHORT_TEXT),
    limit("photos[].caption.*", MAX_SHORT_TEXT),
    limit("photos[].credit", MAX_NAME),
    limit("photos[].original_name", MAX_NAME),
];

pub trait Validate {
    /// Adds every problem under `path` (a prefix such as `variants[1].`).
    fn check(&self, path: &str, errors: &mut ValidationErrors);

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.check("", &mut errors);
        errors.into_result()
    }
}

// The helpers take the field's path as `format_args!`, made into a string only when there is
// an error: validating 100,000 imported records would otherwise allocate millions of paths.

fn text(
    errors: &mut ValidationErrors,
    field: fmt::Arguments<'_>,
    t: &Text,
    max: usize,
    required: bool,
) {
    if required && t.en.trim().is_empty() {
        errors.add(format!("{field}.en"), "this cannot be empty");
    }
    for (lang, s) in [("en", &t.en), ("ru", &t.ru)] {
        if s.len() > max && s.chars().count() > max {
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

fn string(errors: &mut ValidationErrors, field: fmt::Arguments<'_>, s: &str, max: usize) {
    if s.len() > max && s.chars().count() > max {
        errors.add(field.to_string(), format!("at most {max} characters"));
    }
    if has_control(s) {
        errors.add(field.to_string(), "contains control characters");
    }
}

/// Tabs and newlines are text; other control characters are not.
fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

fn many<T>(errors: &mut ValidationErrors, field: fmt::Arguments<'_>, items: &[T]) {
    if items.len() > MAX_CHILDREN {
        errors.add(field.to_string(), format!("at most {MAX_CHILDREN} entries"));
    }
}

impl Validate for Collection {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        text(
            errors,
            format_args!("{path}title"),
            &self.title,
            MAX_NAME,
            true,
        );
        text(
            errors,
            format_args!("{path}introduction"),
            &self.introduction,
            MAX_LONG_TEXT,
            false,
        );
    }
}

impl Validate for Category {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        text(
            errors,
            format_args!("{path}title"),
            &self.title,
            MAX_NAME,
            true,
        );
        text(
            errors,
            format_args!("{path}introduction"),
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
        string(errors, format_args!("{path}en"), &self.en, MAX_NAME);
        string(errors, format_args!("{path}ru"), &self.ru, MAX_NAME);
        if let Some(OriginalName { text, language, .. }) = &self.original {
            string(errors, format_args!("{path}original.text"), text, MAX_NAME);
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
                format_args!("{path}issuer.name"),
                &issuer.name,
                MAX_NAME,
                true,
            );
            string(
                errors,
                format_args!("{path}issuer.abbreviation"),
                &issuer.abbreviation,
                MAX_ABBREVIATION,
            );
            string(
                errors,
                format_args!("{path}issuer.abbreviation_latin"),
                &issuer.abbreviation_latin,
                MAX_ABBREVIATION,
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
                format_args!("{path}event.name"),
                &ev.name,
                MAX_NAME,
                true,
            );
            text(
                errors,
                format_args!("{path}event.place"),
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
            format_args!("{path}description"),
            &self.description,
            MAX_LONG_TEXT,
            false,
        );
        many(errors, format_args!("{path}references"), &self.references);
        for (i, r) in self.references.iter().enumerate() {
            if r.citation.trim().is_empty() {
                errors.add(
                    format!("{path}references[{i}].citation"),
                    "a reference needs a citation",
                );
            }
            string(
                errors,
                format_args!("{path}references[{i}].citation"),
                &r.citation,
                MAX_SHORT_TEXT,
            );
            if let Some(url) = &r.url {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    errors.add(
                        format!("{path}references[{i}].url"),
                        "a link must start with https:// or http://",
                    );
                } else if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    errors.add(
                        format!("{path}references[{i}].url"),
                        "a link cannot contain spaces or line breaks",
                    );
                }
                if url.chars().count() > MAX_URL {
                    errors.add(
                        format!("{path}references[{i}].url"),
                        format!("at most {MAX_URL} characters"),
                    );
                }
            }
        }
        many(errors, format_args!("{path}categories"), &self.categories);
        many(errors, format_args!("{path}variants"), &self.variants);
        for (i, v) in self.variants.iter().enumerate() {
            v.check(&format!("{path}variants[{i}]."), errors);
        }
        many(errors, format_args!("{path}photos"), &self.photos);
        for (i, p) in self.photos.iter().enumerate() {
            p.check(&format!("{path}photos[{i}]."), errors);
        }
    }
}

impl Validate for Variant {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        text(
            errors,
            format_args!("{path}name"),
            &self.name,
            MAX_NAME,
            true,
        );
        string(errors, format_args!("{path}maker"), &self.maker, MAX_NAME);
        many(errors, format_args!("{path}marks"), &self.marks);
        for (i, m) in self.marks.iter().enumerate() {
            text(
                errors,
                format_args!("{path}marks[{i}]"),
                m,
                MAX_SHORT_TEXT,
                true,
            );
        }
        text(
            errors,
            format_args!("{path}enamel"),
            &self.enamel,
            MAX_SHORT_TEXT,
            false,
        );
        text(
            errors,
            format_args!("{path}notes"),
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
        many(errors, format_args!("{path}specimens"), &self.specimens);
        for (i, s) in self.specimens.iter().enumerate() {
            s.check(&format!("{path}specimens[{i}]."), errors);
        }
    }
}

impl Validate for Specimen {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        string(
            errors,
            format_args!("{path}inventory_number"),
            &self.inventory_number,
            MAX_INVENTORY_NUMBER,
        );
        many(errors, format_args!("{path}engravings"), &self.engravings);
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
                format_args!("{path}engravings[{i}].text"),
                t,
                MAX_SHORT_TEXT,
            );
            text(
                errors,
                format_args!("{path}engravings[{i}].description"),
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
        many(errors, format_args!("{path}hallmarks"), &self.hallmarks);
        for (i, Hallmark { description, .. }) in self.hallmarks.iter().enumerate() {
            text(
                errors,
                format_args!("{path}hallmarks[{i}].description"),
                description,
                MAX_SHORT_TEXT,
                false,
            );
        }
        many(
            errors,
            format_args!("{path}measurements"),
            &self.measurements,
        );
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
            format_args!("{path}notes"),
            &self.notes,
            MAX_LONG_TEXT,
            false,
        );
        many(errors, format_args!("{path}photos"), &self.photos);
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
            format_args!("{path}provenance"),
            &self.provenance,
            MAX_LONG_TEXT,
        );
        string(
            errors,
            format_args!("{path}storage_location"),
            &self.storage_location,
            MAX_NAME,
        );
        string(
            errors,
            format_args!("{path}notes"),
            &self.notes,
            MAX_LONG_TEXT,
        );
        if let Some(d) = &self.acquired
            && let Err(e) = d.check()
        {
            errors.add(format!("{path}acquired"), e.to_string());
        }
        if let Some(Price { amount, currency }) = &self.price {
            let amount_ok = !amount.is_empty()
                && amount.len() <= MAX_PRICE_AMOUNT
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
            && self.file.len() <= MAX_MEDIA_KEY
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
            format_args!("{path}alt"),
            &self.alt,
            MAX_SHORT_TEXT,
            true,
        );
        text(
            errors,
            format_args!("{path}caption"),
            &self.caption,
            MAX_SHORT_TEXT,
            false,
        );
        string(errors, format_args!("{path}credit"), &self.credit, MAX_NAME);
        string(
            errors,
            format_args!("{path}original_name"),
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
    fn every_limit_is_enforced_and_listed() {
        let mut b = badge();
        b.issuer = Some(crate::Issuer {
            abbreviation: "М".repeat(MAX_ABBREVIATION),
            abbreviation_latin: "M".repeat(MAX_ABBREVIATION + 1),
            name: Text::en("Issuer"),
        });
        b.references.push(crate::Reference {
            citation: " ".into(),
            url: Some(format!("https://e.org/{}", "a".repeat(MAX_URL))),
        });
        b.references.push(crate::Reference {
            citation: "Book".into(),
            url: Some("https://e.org/a b".into()),
        });
        let errors = b.validate().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "issuer.abbreviation_latin",
                "references[0].citation",
                "references[0].url",
                "references[1].url",
            ]
        );
        for path in [
            "issuer.abbreviation_latin",
            "references[].url",
            "photos[].credit",
            "event.place.*",
            "specimens[].private.price.currency",
        ] {
            assert!(LIMITS.iter().any(|l| l.field == path), "{path}");
        }
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
