//! A whole collection as one value: what the demo fixture holds, what import and export move.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{BadgeType, Category, Collection, Validate, ValidationErrors};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub collection: Collection,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub types: Vec<BadgeType>,
}

impl Validate for Snapshot {
    fn check(&self, path: &str, errors: &mut ValidationErrors) {
        self.collection.check(&format!("{path}collection."), errors);
        let mut category_slugs = HashSet::new();
        for (i, c) in self.categories.iter().enumerate() {
            c.check(&format!("{path}categories[{i}]."), errors);
            if !category_slugs.insert(&c.slug) {
                errors.add(
                    format!("{path}categories[{i}].slug"),
                    format!("the slug {} is used twice", c.slug),
                );
            }
        }
        let mut type_slugs = HashSet::new();
        for (i, t) in self.types.iter().enumerate() {
            t.check(&format!("{path}types[{i}]."), errors);
            if !type_slugs.insert(&t.slug) {
                errors.add(
                    format!("{path}types[{i}].slug"),
                    format!("the slug {} is used twice", t.slug),
                );
            }
            for (j, c) in t.categories.iter().enumerate() {
                if !category_slugs.contains(c) {
                    errors.add(
                        format!("{path}types[{i}].categories[{j}]"),
                        format!("there is no category {c}"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_categories_and_duplicate_slugs_are_reported() {
        let snapshot: Snapshot = toml::from_str(
            r#"
            [collection]
            title = { en = "Test" }
            [[categories]]
            slug = "a"
            title = { en = "A" }
            [[types]]
            slug = "t"
            categories = ["a", "b"]
            names = { en = "T" }
            [[types]]
            slug = "t"
            names = { en = "T again" }
            "#,
        )
        .unwrap();
        let errors = snapshot.validate().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["types[0].categories[1]", "types[1].slug"]);
    }

    #[test]
    fn unknown_keys_are_errors_not_silently_dropped() {
        let err = toml::from_str::<Snapshot>(
            r#"
            [collection]
            title = { en = "Test" }
            colour = "red"
            "#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
