//! A revision's changes in words, as a curator reads them: "changed the English name",
//! "added a specimen “Solid silver, INV-12”", "removed a photo (reverse)", with field names as
//! the forms label them, instead of paths like `variants[0].specimens[1].engravings[0].text`.
//!
//! The leaf changes come from [`vitrina_storage::diff`]; a list item that is new in every
//! field becomes one "added", one that is gone in every field one "removed".

use serde::Serialize;
use serde_json::Value;
use vitrina_storage::FieldChange;

/// One change, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Said {
    /// `changed`, `set`, `cleared`, `added` or `removed`.
    pub verb: &'static str,
    /// What changed: "the English name", "a specimen “Solid silver”".
    pub what: String,
    /// Where, when it is inside a variant or a piece: "in the variant “Solid silver”".
    pub within: String,
    pub before: String,
    pub after: String,
    /// The values are too long to quote in a sentence (a description): the field table below
    /// has them.
    pub long: bool,
}

/// Values longer than this are not quoted in the sentence.
const QUOTED_CHARS: usize = 160;

/// The changes between two versions of a record, in words; `record` is the version after
/// (or, for list items that were removed, `previous` the one before) to name variants and
/// pieces by.
pub(crate) fn in_words(
    changes: &[FieldChange],
    record: &Value,
    previous: Option<&Value>,
) -> Vec<Said> {
    let mut out = Vec::new();
    let mut done = vec![false; changes.len()];
    // List items added or removed whole, outermost first.
    let mut items: Vec<String> = changes
        .iter()
        .flat_map(|c| item_prefixes(&c.path))
        .collect();
    items.sort_by_key(|p| (p.matches('[').count(), p.clone()));
    items.dedup();
    for item in items {
        let inside: Vec<usize> = (0..changes.len())
            .filter(|&i| !done[i] && within_item(&changes[i].path, &item))
            .collect();
        if inside.is_empty() {
            continue;
        }
        // New or gone as a whole: not merely every changed field inside it new or gone.
        let existed = previous.is_none_or(|p| at(p, &item).is_some());
        let exists = at(record, &item).is_some();
        let added = !existed && inside.iter().all(|&i| changes[i].before.is_none());
        let removed = !exists && inside.iter().all(|&i| changes[i].after.is_none());
        if !(added || removed) {
            continue;
        }
        let source = if added { Some(record) } else { previous };
        let (within, _) = split_within(&item);
        out.push(Said {
            verb: if added { "added" } else { "removed" },
            what: item_name(&item, source),
            within: within.map(|w| context(w, source)).unwrap_or_default(),
            before: String::new(),
            after: String::new(),
            long: false,
        });
        for i in inside {
            done[i] = true;
        }
    }
    for (i, c) in changes.iter().enumerate() {
        if done[i] {
            continue;
        }
        let (within, leaf) = split_within(&c.path);
        // A list of records that was empty before (or is now): each item added (or removed).
        let records = |v: Option<&Value>| {
            v.and_then(Value::as_array)
                .filter(|a| !a.is_empty() && a.iter().all(Value::is_object))
                .map_or(0, Vec::len)
        };
        let (new, gone) = (records(c.after.as_ref()), records(c.before.as_ref()));
        if (new > 0 && c.before.is_none()) || (gone > 0 && c.after.is_none()) {
            let (verb, count, source) = if new > 0 {
                ("added", new, Some(record))
            } else {
                ("removed", gone, previous)
            };
            for i in 0..count {
                let item = format!("{}[{i}]", c.path);
                out.push(Said {
                    verb,
                    what: item_name(&item, source),
                    within: within.map(|w| context(w, source)).unwrap_or_default(),
                    before: String::new(),
                    after: String::new(),
                    long: false,
                });
            }
            continue;
        }
        let before = shown(c.before.as_ref());
        let after = shown(c.after.as_ref());
        let verb = match (before.is_empty(), after.is_empty()) {
            (true, _) => "set",
            (_, true) => "cleared",
            _ => "changed",
        };
        let long = before.chars().count() > QUOTED_CHARS || after.chars().count() > QUOTED_CHARS;
        out.push(Said {
            verb,
            long,
            what: format!("the {}", leaf_label(leaf)),
            within: within
                .map(|w| context(w, Some(record).or(previous)))
                .unwrap_or_default(),
            before,
            after,
        });
    }
    out
}

/// A value as a sentence quotes it: strings as they are, yes/no, lists joined, else JSON.
fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "yes".into(),
        Some(Value::Bool(false)) => "no".into(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// Every prefix of `path` that ends at a list index: `variants[0]`, `variants[0].photos[1]`.
fn item_prefixes(path: &str) -> Vec<String> {
    path.match_indices(']')
        .map(|(i, _)| path[..=i].to_owned())
        .collect()
}

fn within_item(path: &str, item: &str) -> bool {
    path == item || path.starts_with(&format!("{item}.")) || path.starts_with(&format!("{item}["))
}

/// Splits a path into the variant or piece it is in and the rest:
/// `variants[0].specimens[1].notes.en` → (`variants[0].specimens[1]`, `notes.en`).
fn split_within(path: &str) -> (Option<&str>, &str) {
    let mut cut = None;
    for (i, _) in path.match_indices(']') {
        let head = &path[..=i];
        let last = head.rsplit('.').next().unwrap_or(head);
        if (last.starts_with("variants[") || last.starts_with("specimens["))
            && path.len() > i + 1
            && path.as_bytes()[i + 1] == b'.'
        {
            cut = Some(i);
        }
    }
    match cut {
        Some(i) => (Some(&path[..=i]), &path[i + 2..]),
        None => (None, path),
    }
}

/// The value at a path like `variants[0].specimens[1]`.
fn at<'v>(record: &'v Value, path: &str) -> Option<&'v Value> {
    let mut v = record;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        v = v.get(name)?;
        if let Some(i) = index {
            v = v.get(i)?;
        }
    }
    Some(v)
}

fn text_of(v: Option<&Value>, key: &str) -> String {
    v.and_then(|v| v.get(key))
        .and_then(|t| t.get("en").or(Some(t)))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// "the variant “Solid silver”", "the piece INV-12 of the variant “Solid silver”".
fn context(path: &str, record: Option<&Value>) -> String {
    let Some(record) = record else {
        return String::new();
    };
    let variant_path = path.split(".specimens[").next().unwrap_or(path);
    let variant = match text_of(at(record, variant_path), "name") {
        n if n.is_empty() => "the variant".to_owned(),
        n => format!("the variant “{n}”"),
    };
    if path.contains(".specimens[") {
        let piece = at(record, path);
        let inventory = piece
            .and_then(|p| p.get("inventory_number"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if inventory.is_empty() {
            format!("the piece of {variant}")
        } else {
            format!("the piece {inventory} of {variant}")
        }
    } else {
        variant
    }
}

/// "a variant “Solid silver”", "a photo (reverse)", "an engraving".
fn item_name(item: &str, record: Option<&Value>) -> String {
    let last = item.rsplit('.').next().unwrap_or(item);
    let list = last.split('[').next().unwrap_or(last);
    let value = record.and_then(|r| at(r, item));
    match list {
        "variants" => match text_of(value, "name") {
            n if n.is_empty() => "a variant".into(),
            n => format!("a variant “{n}”"),
        },
        "specimens" => {
            let inventory = value
                .and_then(|v| v.get("inventory_number"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if inventory.is_empty() {
                "a piece".into()
            } else {
                format!("the piece {inventory}")
            }
        }
        "photos" => match value.and_then(|v| v.get("role")).and_then(Value::as_str) {
            Some(role) => format!("a photo ({role})"),
            None => "a photo".into(),
        },
        "engravings" => "an engraving".into(),
        "hallmarks" => "a hallmark".into(),
        "measurements" => "a measurement".into(),
        "marks" => "a mark".into(),
        "references" => "a reference".into(),
        other => format!("an item of {}", other.replace('_', " ")),
    }
}

/// A field as the forms label it, from its path with list indices dropped.
fn leaf_label(leaf: &str) -> String {
    let key: String = leaf
        .split('.')
        .map(|p| p.split('[').next().unwrap_or(p))
        .collect::<Vec<_>>()
        .join(".");
    let known = match key.as_str() {
        "names.en" => "English name",
        "names.ru" => "Russian name",
        "names.original.text" => "original inscription",
        "names.original.script" => "script of the original",
        "names.original.language" => "language of the original",
        "name.en" => "English name",
        "name.ru" => "Russian name",
        "slug" => "slug",
        "position" => "position in the collection",
        "published" => "published",
        "categories" => "categories",
        "issuer.abbreviation" => "issuer's abbreviation",
        "issuer.abbreviation_latin" => "issuer's Latin abbreviation",
        "issuer.name.en" => "issuer's English name",
        "issuer.name.ru" => "issuer's Russian name",
        "established" => "date established",
        "period.from" => "first year of award",
        "period.to" => "last year of award",
        "event.name.en" => "event (English)",
        "event.name.ru" => "event (Russian)",
        "event.date" => "event date",
        "event.place.en" => "event place (English)",
        "event.place.ru" => "event place (Russian)",
        "description.en" => "English description",
        "description.ru" => "Russian description",
        "title.en" => "English title",
        "title.ru" => "Russian title",
        "introduction.en" => "English introduction",
        "introduction.ru" => "Russian introduction",
        "references.citation" => "reference",
        "references.url" => "reference's address",
        "materials" => "materials",
        "plating" => "plating",
        "fitting" => "fitting",
        "maker" => "maker",
        "enamel.en" => "enamel (English)",
        "enamel.ru" => "enamel (Russian)",
        "size_mm.min" => "size from (mm)",
        "size_mm.max" => "size to (mm)",
        "weight_g.min" => "weight from (g)",
        "weight_g.max" => "weight to (g)",
        "serial_numbers.from" => "first serial number",
        "serial_numbers.to" => "last serial number",
        "marks.en" => "mark (English)",
        "marks.ru" => "mark (Russian)",
        "notes.en" => "public notes (English)",
        "notes.ru" => "public notes (Russian)",
        "inventory_number" => "inventory number",
        "condition" => "condition",
        "rarity" => "rarity",
        "engravings.text" => "engraving's text",
        "engravings.description.en" => "engraving's description (English)",
        "engravings.description.ru" => "engraving's description (Russian)",
        "engravings.position.side" => "side of the engraving",
        "engravings.position.area" => "place of the engraving",
        "hallmarks.kind" => "kind of hallmark",
        "hallmarks.present" => "hallmark present",
        "hallmarks.description.en" => "hallmark's description (English)",
        "hallmarks.description.ru" => "hallmark's description (Russian)",
        "hallmarks.position.side" => "side of the hallmark",
        "hallmarks.position.area" => "place of the hallmark",
        "private.provenance" => "provenance (private)",
        "private.acquired" => "date acquired (private)",
        "private.price.amount" => "price paid (private)",
        "private.price.currency" => "currency (private)",
        "private.storage_location" => "storage location (private)",
        "private.notes" => "private notes",
        "photos.role" => "photo's role",
        "photos.alt.en" => "photo's alt text (English)",
        "photos.alt.ru" => "photo's alt text (Russian)",
        "photos.caption.en" => "photo's caption (English)",
        "photos.caption.ru" => "photo's caption (Russian)",
        "photos.credit" => "photo's credit",
        _ => "",
    };
    if known.is_empty() {
        key.replace(['.', '_'], " ")
    } else {
        known.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn said(before: Value, after: Value) -> Vec<Said> {
        let changes = vitrina_storage::diff(Some(&before), Some(&after));
        in_words(&changes, &after, Some(&before))
    }

    #[test]
    fn a_changed_name_reads_as_a_sentence() {
        let s = said(
            json!({"names": {"en": "Before", "ru": "Знак"}}),
            json!({"names": {"en": "After", "ru": "Знак"}}),
        );
        assert_eq!(
            s,
            [Said {
                verb: "changed",
                what: "the English name".into(),
                within: String::new(),
                before: "Before".into(),
                after: "After".into(),
                long: false,
            }]
        );
    }

    #[test]
    fn a_new_piece_is_one_addition_named_by_its_variant() {
        let before = json!({"variants": [{"name": {"en": "Solid silver"}, "specimens": []}]});
        let after = json!({"variants": [{"name": {"en": "Solid silver"}, "specimens": [
            {"inventory_number": "INV-12", "condition": "fine",
             "engravings": [{"text": "No. 9"}]}
        ]}]});
        let s = said(before, after);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].verb, "added");
        assert_eq!(s[0].what, "the piece INV-12");
        assert_eq!(s[0].within, "the variant “Solid silver”");
    }

    #[test]
    fn a_removed_photo_and_a_field_inside_a_piece() {
        let before = json!({"photos": [{"role": "obverse", "file": "a"}, {"role": "reverse", "file": "b"}],
            "variants": [{"name": {"en": "Bronze"}, "specimens": [{"notes": {"en": "old"}}]}]});
        let after = json!({"photos": [{"role": "obverse", "file": "a"}],
            "variants": [{"name": {"en": "Bronze"}, "specimens": [{"notes": {"en": "new"}}]}]});
        let s = said(before, after);
        assert!(
            s.iter()
                .any(|x| x.verb == "removed" && x.what == "a photo (reverse)"),
            "{s:?}"
        );
        let notes = s
            .iter()
            .find(|x| x.what == "the public notes (English)")
            .unwrap();
        assert_eq!(notes.verb, "changed");
        assert_eq!(notes.within, "the piece of the variant “Bronze”");
    }

    #[test]
    fn unknown_fields_fall_back_to_their_words() {
        assert_eq!(leaf_label("measurements[0].amount"), "measurements amount");
        assert_eq!(leaf_label("names.en"), "English name");
    }
}
