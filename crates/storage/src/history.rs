//! The history of every record: one [`Revision`] per change — who, when, what was done, and the
//! whole record as it stood afterwards (or, for a delete, as it stood before) — written by the
//! backend in the same transaction as the change, so a committed change always has its revision
//! and a failed one never does.
//!
//! Revisions hold private fields (a specimen's provenance, price…): history is for signed-in
//! curators only and never reaches the public site, the search index or exports. A field-by-field
//! difference between two revisions is computed from their JSON ([`diff`]), with paths in the
//! same form validation uses (`variants[0].weight_g`), so the forms can point at the same fields.

use std::fmt;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use vitrina_catalogue::UserId;

use crate::{Page, Result, StorageError};

/// Who made a change. The name is kept beside the id so history stays readable after a user is
/// renamed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    pub user: Option<UserId>,
    pub name: String,
}

impl Author {
    /// Changes made by Vitrina itself: the CLI, imports, the demo collection.
    pub fn system() -> Self {
        Self {
            user: None,
            name: "system".into(),
        }
    }

    pub fn user(id: UserId, name: impl Into<String>) -> Self {
        Self {
            user: Some(id),
            name: name.into(),
        }
    }
}

/// The kinds of record history follows. A type's variants, specimens and photos are part of the
/// type's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Collection,
    Category,
    Type,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Collection => "collection",
            RecordKind::Category => "category",
            RecordKind::Type => "type",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "collection" => Ok(RecordKind::Collection),
            "category" => Ok(RecordKind::Category),
            "type" => Ok(RecordKind::Type),
            other => Err(StorageError::Backend(
                format!("unknown record kind {other:?}").into(),
            )),
        }
    }
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HistoryOp {
    Create,
    Update,
    Delete,
    /// An earlier revision written back as a new version.
    Restore,
}

impl HistoryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryOp::Create => "create",
            HistoryOp::Update => "update",
            HistoryOp::Delete => "delete",
            HistoryOp::Restore => "restore",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "create" => Ok(HistoryOp::Create),
            "update" => Ok(HistoryOp::Update),
            "delete" => Ok(HistoryOp::Delete),
            "restore" => Ok(HistoryOp::Restore),
            other => Err(StorageError::Backend(
                format!("unknown history op {other:?}").into(),
            )),
        }
    }
}

impl fmt::Display for HistoryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded change to one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// Increases with every revision.
    pub id: i64,
    pub kind: RecordKind,
    /// The record's storage id (1 for the collection); stable across renames, and kept when a
    /// deleted record is restored.
    pub record_id: i64,
    /// The record's slug at the time (`"collection"` for the collection).
    pub key: String,
    /// The record's version after the change (for a delete: the version deleted). Types carry an
    /// optimistic-concurrency version; other records count their revisions.
    pub version: i64,
    pub op: HistoryOp,
    pub author: Author,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The whole record as JSON, private fields included.
    pub record: Value,
}

/// The history of every record, newest first.
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Every revision of the record of this kind that has, or ever had, the key (slug), newest
    /// first. Renamed and deleted records keep their history under every slug they had. An
    /// unknown key is an empty list.
    async fn record_history(&self, kind: RecordKind, key: &str) -> Result<Vec<Revision>>;
    /// The whole collection's history, newest first, a page at a time.
    async fn collection_history(&self, page: Page) -> Result<Vec<Revision>>;
    /// One revision; `NotFound` when there is none with this id.
    async fn revision(&self, id: i64) -> Result<Revision>;
}

/// Now, as the Unix seconds a backend stores in a revision's `at`.
pub fn now_unix() -> i64 {
    crate::to_unix(OffsetDateTime::now_utc())
}

/// One field that differs between two versions of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// `names.en`, `variants[0].weight_g`, `categories`.
    pub path: String,
    /// `None`: the field was absent (or empty) before.
    pub before: Option<Value>,
    /// `None`: the field is absent (or empty) after.
    pub after: Option<Value>,
}

/// The field-by-field difference between two versions of a record (`None`: the record did not
/// exist). Objects are compared key by key and arrays element by element; an array of plain
/// values (a type's category slugs) is compared as one field. Storage ids and versions are left
/// out: they are bookkeeping, not content.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = Value::Object(serde_json::Map::new());
    let mut out = Vec::new();
    walk(
        String::new(),
        Some(before.unwrap_or(&empty)),
        Some(after.unwrap_or(&empty)),
        &mut out,
    );
    out
}

const IGNORED: [&str; 2] = ["id", "version"];

fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

fn is_scalar_array(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Array(a)) if a.iter().all(|x| !x.is_object() && !x.is_array()))
}

fn walk(path: String, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    if is_empty(before) && is_empty(after) {
        return;
    }
    match (before, after) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                if IGNORED.contains(&k.as_str()) {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(p, a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Object(a)), None) | (Some(Value::Object(a)), Some(Value::Null))
            if !path.is_empty() =>
        {
            for (k, v) in a {
                if !IGNORED.contains(&k.as_str()) {
                    walk(format!("{path}.{k}"), Some(v), None, out);
                }
            }
        }
        (None | Some(Value::Null), Some(Value::Object(b))) if !path.is_empty() => {
            for (k, v) in b {
                if !IGNORED.contains(&k.as_str()) {
                    walk(format!("{path}.{k}"), None, Some(v), out);
                }
            }
        }
        (a, b)
            if matches!(a, Some(Value::Array(_)) | None)
                && matches!(b, Some(Value::Array(_)) | None)
                && !(is_scalar_array(a) || is_scalar_array(b)) =>
        {
            let empty = Vec::new();
            let a = a.and_then(Value::as_array).unwrap_or(&empty);
            let b = b.and_then(Value::as_array).unwrap_or(&empty);
            for i in 0..a.len().max(b.len()) {
                walk(format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
        }
        (a, b) => {
            if a != b {
                out.push(FieldChange {
                    path,
                    before: a.filter(|v| !is_empty(Some(v))).cloned(),
                    after: b.filter(|v| !is_empty(Some(v))).cloned(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_changed_nested_field_is_named_by_its_path() {
        let a = json!({"id": 1, "version": 3, "names": {"en": "A"},
            "variants": [{"id": 5, "weight_g": {"min": 1}}], "categories": ["x"]});
        let b = json!({"id": 1, "version": 4, "names": {"en": "B", "ru": "Б"},
            "variants": [{"id": 5, "weight_g": {"min": 2}}, {"name": {"en": "new"}}],
            "categories": ["x", "y"]});
        let d = diff(Some(&a), Some(&b));
        let paths: Vec<&str> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "categories",
                "names.en",
                "names.ru",
                "variants[0].weight_g.min",
                "variants[1].name.en"
            ]
        );
        assert_eq!(d[1].before, Some(json!("A")));
        assert_eq!(d[1].after, Some(json!("B")));
        assert_eq!(d[2].before, None);
    }

    #[test]
    fn a_created_or_deleted_record_lists_every_field_and_equal_ones_nothing() {
        let a = json!({"slug": "s", "title": {"en": "T"}});
        assert_eq!(diff(None, Some(&a)).len(), 2);
        assert_eq!(diff(Some(&a), None).len(), 2);
        assert!(diff(Some(&a), Some(&a)).is_empty());
    }

    #[test]
    fn names_round_trip() {
        for op in [
            HistoryOp::Create,
            HistoryOp::Update,
            HistoryOp::Delete,
            HistoryOp::Restore,
        ] {
            assert_eq!(HistoryOp::parse(op.as_str()).unwrap(), op);
        }
        for k in [
            RecordKind::Collection,
            RecordKind::Category,
            RecordKind::Type,
        ] {
            assert_eq!(RecordKind::parse(k.as_str()).unwrap(), k);
        }
        assert!(HistoryOp::parse("nope").is_err());
    }
}
