//! A revision's changes in words, as a curator reads them: "changed the English name",
//! "added a specimen “Solid silver, INV-12”", "removed a photo (reverse)", with field names as
//! the forms label them, instead of paths like `variants[0].specimens[1].engravings[0].text`.
//!
//! The leaf changes come from [`vitrina_storage::diff`]; a list item that is new in every
//! field becomes one "added", one that is gone in every field one "removed".

use serde::Serialize;
use serde_json::Value;
use vitrina_catalogue::{Lang, PhotoRole};
use vitrina_storage::FieldChange;

use super::lang::{tr, trf};

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

impl Said {
    fn new(verb: &'static str, what: String, within: String) -> Said {
        Said {
            verb,
            what,
            within,
            before: String::new(),
            after: String::new(),
            long: false,
        }
    }
}

/// Values longer than this are not quoted in the sentence.
const QUOTED_CHARS: usize = 160;

/// The changes between two versions of a record, in words; `record` is the version after
/// (or, for list items that were removed, `previous` the one before) to name variants and
/// pieces by.
pub(crate) fn in_words(
    lang: Lang,
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
        out.push(Said::new(
            if added { "added" } else { "removed" },
            item_name(lang, &item, source),
            within.map(|w| context(lang, w, source)).unwrap_or_default(),
        ));
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
                out.push(Said::new(
                    verb,
                    item_name(lang, &item, source),
                    within.map(|w| context(lang, w, source)).unwrap_or_default(),
                ));
            }
            continue;
        }
        let before = shown(lang, leaf, c.before.as_ref());
        let after = shown(lang, leaf, c.after.as_ref());
        let verb = match (before.is_empty(), after.is_empty()) {
            (true, _) => "set",
            (_, true) => "cleared",
            _ => "changed",
        };
        let long = before.chars().count() > QUOTED_CHARS || after.chars().count() > QUOTED_CHARS;
        let what = match lang {
            Lang::En => format!("the {}", leaf_label(leaf)),
            Lang::Ru => tr(lang, &leaf_label(leaf)).to_owned(),
        };
        let within = within
            .map(|w| context(lang, w, Some(record).or(previous)))
            .unwrap_or_default();
        out.push(Said {
            long,
            before,
            after,
            ..Said::new(verb, what, within)
        });
    }
    out
}

/// A record created: one sentence naming it ("Created the type “MOPR badge”"), the fields it
/// was created with left to the field-by-field table.
pub(crate) fn created(lang: Lang, kind: &str, record: &Value) -> Said {
    let name = match kind {
        "type" => text_of(lang, Some(record), "names"),
        _ => text_of(lang, Some(record), "title"),
    };
    let what = match (kind, name.is_empty()) {
        ("type", false) => trf(lang, "the type “{name}”", &[("name", &name)]),
        ("category", false) => trf(lang, "the category “{name}”", &[("name", &name)]),
        ("type", true) => tr(lang, "the type").to_owned(),
        ("category", true) => tr(lang, "the category").to_owned(),
        _ => tr(lang, "the collection").to_owned(),
    };
    Said::new("created", what, String::new())
}

/// A code as the forms show it ("very_rare" → "Very rare"), by the field it is the value of;
/// `None` for a value that is not one of the field's codes.
fn label(lang: Lang, leaf: &str, code: &str) -> Option<String> {
    use crate::i18n;
    use vitrina_catalogue::{Area, Condition, Dimension, Fitting, MarkKind, Material, Rarity};
    use vitrina_catalogue::{Script, Side, Unit};
    fn parse<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
        serde_json::from_value(Value::String(code.to_owned())).ok()
    }
    let key = leaf.rsplit('.').next().unwrap_or(leaf);
    let key = key.split('[').next().unwrap_or(key);
    let text = match key {
        "condition" => i18n::condition(lang, parse::<Condition>(code)?),
        "rarity" => i18n::rarity(lang, parse::<Rarity>(code)?),
        "role" => i18n::photo_role(lang, parse::<PhotoRole>(code)?),
        "side" => i18n::side(lang, parse::<Side>(code)?),
        "area" => i18n::area(lang, parse::<Area>(code)?),
        "kind" => i18n::mark_kind(lang, parse::<MarkKind>(code)?),
        "fitting" => i18n::fitting(lang, parse::<Fitting>(code)?),
        "materials" | "plating" => i18n::material(lang, parse::<Material>(code)?),
        "script" => i18n::script(lang, parse::<Script>(code)?),
        "dimension" => i18n::dimension(lang, parse::<Dimension>(code)?),
        "unit" => parse::<Unit>(code)?.symbol(),
        _ => return None,
    };
    Some(text.to_owned())
}

/// A value as a sentence quotes it: codes by their labels, strings as they are, yes/no, lists
/// joined, else JSON.
fn shown(lang: Lang, leaf: &str, v: Option<&Value>) -> String {
    let one = |s: &str| label(lang, leaf, s).unwrap_or_else(|| s.to_owned());
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => one(s),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(one)
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Bool(true)) => tr(lang, "yes").into(),
        Some(Value::Bool(false)) => tr(lang, "no").into(),
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

fn text_of(lang: Lang, v: Option<&Value>, key: &str) -> String {
    let t = v.and_then(|v| v.get(key));
    let ru = t
        .and_then(|t| t.get("ru"))
        .and_then(Value::as_str)
        .filter(|s| lang == Lang::Ru && !s.trim().is_empty());
    if let Some(ru) = ru {
        return ru.trim().to_owned();
    }
    t.and_then(|t| t.get("en").or(Some(t)))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// "the variant “Solid silver”", "the piece INV-12 of the variant “Solid silver”".
fn context(lang: Lang, path: &str, record: Option<&Value>) -> String {
    let Some(record) = record else {
        return String::new();
    };
    let variant_path = path.split(".specimens[").next().unwrap_or(path);
    let variant = match text_of(lang, at(record, variant_path), "name") {
        n if n.is_empty() => tr(lang, "the variant").to_owned(),
        n => trf(lang, "the variant “{name}”", &[("name", &n)]),
    };
    if path.contains(".specimens[") {
        let piece = at(record, path);
        let inventory = piece
            .and_then(|p| p.get("inventory_number"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if inventory.is_empty() {
            trf(lang, "the piece of {variant}", &[("variant", &variant)])
        } else {
            trf(
                lang,
                "the piece {inventory} of {variant}",
                &[("inventory", inventory), ("variant", &variant)],
            )
        }
    } else {
        variant
    }
}

/// "a variant “Solid silver”", "a photo (reverse)", "an engraving".
fn item_name(lang: Lang, item: &str, record: Option<&Value>) -> String {
    let last = item.rsplit('.').next().unwrap_or(item);
    let list = last.split('[').next().unwrap_or(last);
    let value = record.and_then(|r| at(r, item));
    match list {
        "variants" => match text_of(lang, value, "name") {
            n if n.is_empty() => tr(lang, "a variant").into(),
            n => trf(lang, "a variant “{name}”", &[("name", &n)]),
        },
        "specimens" => {
            let inventory = value
                .and_then(|v| v.get("inventory_number"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if inventory.is_empty() {
                tr(lang, "a piece").into()
            } else {
                trf(lang, "the piece {inventory}", &[("inventory", inventory)])
            }
        }
        "photos" => match value.and_then(|v| v.get("role")).and_then(Value::as_str) {
            Some(role) => {
                let role = serde_json::from_value::<PhotoRole>(Value::String(role.to_owned()))
                    .map(|r| crate::i18n::photo_role(lang, r).to_lowercase())
                    .unwrap_or_else(|_| role.to_owned());
                trf(lang, "a photo ({role})", &[("role", &role)])
            }
            None => tr(lang, "a photo").into(),
        },
        "engravings" => tr(lang, "an engraving").into(),
        "hallmarks" => tr(lang, "a hallmark").into(),
        "measurements" => tr(lang, "a measurement").into(),
        "marks" => tr(lang, "a mark").into(),
        "references" => tr(lang, "a reference").into(),
        other => trf(
            lang,
            "an item of {list}",
            &[("list", &other.replace('_', " "))],
        ),
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
        "photos.file" => "photo's file",
        "photos.width" => "photo's width",
        "photos.height" => "photo's height",
        "photos.illustration" => "photo is an illustration",
        "measurements.dimension" => "measured dimension",
        "measurements.value" => "measured value",
        "measurements.unit" => "unit of the measurement",
        "measurements.approximate" => "measurement is approximate",
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
        in_words(Lang::En, &changes, &after, Some(&before))
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
    fn the_history_reads_in_russian_on_russian_pages() {
        let before = json!({"variants": [{"name": {"en": "Solid silver", "ru": "Серебро"}, "specimens": [{"inventory_number": "INV-12", "notes": {"en": "old"}}]}]});
        let after = json!({"variants": [{"name": {"en": "Solid silver", "ru": "Серебро"}, "specimens": [{"inventory_number": "INV-12", "notes": {"en": "new"}}]}],
            "photos": [{"role": "reverse", "file": "b"}]});
        let changes = vitrina_storage::diff(Some(&before), Some(&after));
        let s = in_words(Lang::Ru, &changes, &after, Some(&before));
        let said: Vec<(&str, &str, &str)> = s
            .iter()
            .map(|x| (x.verb, x.what.as_str(), x.within.as_str()))
            .collect();
        assert!(
            said.contains(&("added", "фотография (оборотная сторона)", "")),
            "{said:?}"
        );
        assert!(
            said.contains(&(
                "changed",
                "примечания для посетителей (по-английски)",
                "экземпляр INV-12, вариант «Серебро»"
            )),
            "{said:?}"
        );
    }

    #[test]
    fn unknown_fields_fall_back_to_their_words() {
        assert_eq!(leaf_label("measurements[0].amount"), "measurements amount");
        assert_eq!(leaf_label("names.en"), "English name");
    }
}
