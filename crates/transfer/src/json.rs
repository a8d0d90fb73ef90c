//! Vitrina's JSON export: the [`Snapshot`] itself, as serde writes it.

use vitrina_catalogue::Snapshot;

/// Why a JSON export could not be read, located in the text and in the records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}{at}: {message}", at = if path.is_empty() || path == "." { String::new() } else { format!(" ({path})") })]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    /// Where in the records: `types[3].variants[0].colour`.
    pub path: String,
    pub message: String,
}

/// The collection as JSON (pretty-printed). Without `include_private`, the types are made
/// public first ([`vitrina_catalogue::BadgeType::into_public`]): no private field, no photo's
/// original name.
pub fn snapshot_to_json(snapshot: &Snapshot, include_private: bool) -> String {
    let json = if include_private {
        serde_json::to_string_pretty(snapshot)
    } else {
        let public = Snapshot {
            types: snapshot
                .types
                .iter()
                .cloned()
                .map(|t| t.into_public())
                .collect(),
            ..snapshot.clone()
        };
        serde_json::to_string_pretty(&public)
    };
    // Every value of a snapshot is a string-keyed map, a string, a number or a list.
    json.expect("a snapshot always serialises as JSON")
}

/// Reads a JSON export. Unknown fields are refused (every record denies them), and so is
/// anything after the value; serde_json's recursion limit stays on, so a hostile nesting is an
/// error, not a stack overflow. The error says where: line, column and path.
pub fn snapshot_from_json(text: &str) -> Result<Snapshot, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let snapshot: Snapshot = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        JsonError {
            line: inner.line(),
            column: inner.column(),
            path,
            message: strip_position(&inner.to_string()),
        }
    })?;
    de.end().map_err(|e| JsonError {
        line: e.line(),
        column: e.column(),
        path: String::new(),
        message: strip_position(&e.to_string()),
    })?;
    Ok(snapshot)
}

/// serde_json's message without its own " at line L column C".
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Snapshot {
        toml::from_str(include_str!("../../../demo/collection.toml")).unwrap()
    }

    #[test]
    fn the_json_export_round_trips_the_demo() {
        let s = demo();
        let json = snapshot_to_json(&s, true);
        assert_eq!(snapshot_from_json(&json).unwrap(), s);
    }

    #[test]
    fn unknown_fields_are_refused_with_their_place() {
        let json = r#"{"collection": {"title": {"en": "T"}},
            "types": [{"slug": "a", "names": {"en": "A"},
                       "variants": [{"name": {"en": "V"}, "colour": "red"}]}]}"#;
        let e = snapshot_from_json(json).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.path, "types[0].variants[0].colour");
        assert!(e.message.contains("unknown field `colour`"), "{e}");
        assert!(e.to_string().starts_with("line 3, column "), "{e}");
    }

    #[test]
    fn trailing_text_and_deep_nesting_are_errors_not_crashes() {
        assert!(snapshot_from_json(r#"{"collection": {"title": {"en": "T"}}} x"#).is_err());
        for n in [10, 100_000] {
            for at in [
                "",
                r#"{"collection": {"title": {"en": "#,
                r#"{"types": [{"slug": "a", "names": {"en": "A"}, "description": "#,
            ] {
                let deep = format!("{at}{}{}", "[".repeat(n), "]".repeat(n));
                assert!(snapshot_from_json(&deep).is_err());
            }
        }
    }

    #[test]
    fn the_public_json_has_no_private_value() {
        let mut s = demo();
        s.types[0].variants[0]
            .specimens
            .push(vitrina_catalogue::Specimen {
                id: None,
                inventory_number: String::new(),
                engravings: vec![],
                hallmarks: vec![],
                measurements: vec![],
                condition: None,
                rarity: None,
                notes: Default::default(),
                photos: vec![],
                private: Some(vitrina_catalogue::SpecimenPrivate {
                    provenance: "SECRET-PROVENANCE".into(),
                    ..Default::default()
                }),
            });
        s.types[0].photos[0].original_name = "SECRET-NAME.JPG".into();
        let public = snapshot_to_json(&s, false);
        assert!(!public.contains("SECRET"), "{public}");
        assert!(snapshot_to_json(&s, true).contains("SECRET-PROVENANCE"));
    }
}
