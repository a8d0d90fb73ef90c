//! The storage boundary: traits split by aggregate, the error every backend speaks, and the
//! shared test suite (feature `testsuite`) that SQLite and PostgreSQL must both pass.
//!
//! A badge type is saved and loaded whole — its variants, specimens and photos with it — in one
//! transaction, so a failure leaves nothing half-written. Backends own their SQL and migrations;
//! nothing above this crate writes SQL.

use std::fmt::Debug;

use async_trait::async_trait;
use serde::Serialize;
use vitrina_catalogue::{
    Access, BadgeType, Category, Collection, Issuer, Material, Names, PartialDate, Photo, Slug,
    Snapshot, TypeId, ValidationErrors,
};

mod accounts;
pub use accounts::{AccountStore, ApiToken, Session, from_unix, to_unix};
pub mod history;
pub use history::{Author, FieldChange, HistoryOp, HistoryStore, RecordKind, Revision, diff};
pub mod dump;
pub use dump::{DumpCounts, DumpReader, DumpStore, RestoreOptions, RestoreWriter, StoredUser};
pub mod transfer;
pub use transfer::{Batch, BatchWritten, Job, JobState, JobUpdate, TransferStore};

#[cfg(feature = "testsuite")]
pub mod testsuite;
#[cfg(feature = "testsuite")]
pub mod testsuite_accounts;
#[cfg(feature = "testsuite")]
pub mod testsuite_dump;
#[cfg(feature = "testsuite")]
pub mod testsuite_transfer;

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{what} {key} not found")]
    NotFound { what: &'static str, key: String },
    /// A unique key is taken, or a record changed since it was read (optimistic concurrency).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid record: {0}")]
    Invalid(#[from] ValidationErrors),
    /// The database cannot be reached or refused the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StorageError {
    pub fn not_found(what: &'static str, key: impl ToString) -> Self {
        Self::NotFound {
            what,
            key: key.to_string(),
        }
    }
}

/// A window onto a long list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

impl Page {
    pub const MAX_LIMIT: u64 = 500;

    pub fn new(offset: u64, limit: u64) -> Self {
        Self {
            offset,
            limit: limit.clamp(1, Self::MAX_LIMIT),
        }
    }
}

/// A category with what the home page shows of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategorySummary {
    #[serde(flatten)]
    pub category: Category,
    pub type_count: u64,
    /// The thumbnail of its first type (in collection order) that has one.
    pub thumbnail: Option<Photo>,
}

/// What a list of types shows of each: enough for a card, without loading the aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TypeSummary {
    pub id: TypeId,
    pub slug: Slug,
    pub position: i64,
    pub names: Names,
    pub established: Option<PartialDate>,
    pub issuer: Option<Issuer>,
    pub materials: Vec<Material>,
    pub categories: Vec<Slug>,
    pub variant_count: u64,
    pub specimen_count: u64,
    pub thumbnail: Option<Photo>,
    /// `false` for a draft (only curators' lists show drafts).
    #[serde(default = "published", skip_serializing_if = "is_published")]
    pub published: bool,
}

fn published() -> bool {
    true
}

fn is_published(p: &bool) -> bool {
    *p
}

impl TypeSummary {
    /// The summary of a stored type (`id` set). Backends store it beside the aggregate.
    pub fn of(t: &BadgeType, id: TypeId) -> Self {
        Self {
            id,
            slug: t.slug.clone(),
            position: t.position,
            names: t.names.clone(),
            established: t.established,
            issuer: t.issuer.clone(),
            materials: t.materials(),
            categories: t.categories.clone(),
            variant_count: t.variants.len() as u64,
            specimen_count: t.specimens().count() as u64,
            thumbnail: t.thumbnail().map(Photo::public),
            published: t.published,
        }
    }
}

/// The types before and after one, in collection order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Neighbours {
    pub previous: Option<TypeSummary>,
    pub next: Option<TypeSummary>,
}

/// Where a keyset page of types starts: the sort key (position, English name, id) of the last
/// type of the page before. Unlike an offset, it costs one index seek however deep the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TypeCursor {
    pub position: i64,
    pub name_en: String,
    pub id: i64,
}

impl TypeCursor {
    /// The cursor that continues after this type.
    pub fn of(summary: &TypeSummary) -> Self {
        Self {
            position: summary.position,
            name_en: summary.names.en.clone(),
            id: summary.id.get(),
        }
    }
}

/// The positions to write so that the record at `from` (an index into `positions`, which are in
/// collection order) moves to `to` (past the end: last), every other record keeping its order:
/// `(index, new position)` pairs. When there is room between the new neighbours' positions only
/// the moved record changes; otherwise the whole list is renumbered 0, 10, 20… and only the
/// records whose position differs are written. Shared by both backends' `move_*_by`.
pub fn placements(positions: &[i64], from: usize, to: u64) -> Vec<(usize, i64)> {
    let n = positions.len();
    if n < 2 || from >= n {
        return Vec::new();
    }
    let to = usize::try_from(to).unwrap_or(usize::MAX).min(n - 1);
    if to == from {
        return Vec::new();
    }
    let rest: Vec<usize> = (0..n).filter(|&i| i != from).collect();
    let before = to.checked_sub(1).map(|i| i128::from(positions[rest[i]]));
    let after = rest.get(to).map(|&i| i128::from(positions[i]));
    let room = match (before, after) {
        (Some(a), None) => Some(a + 10),
        (None, Some(b)) => Some(b - 10),
        (Some(a), Some(b)) if b - a >= 2 => Some(a + (b - a) / 2),
        _ => None,
    };
    if let Some(p) = room.and_then(|p| i64::try_from(p).ok()) {
        return vec![(from, p)];
    }
    let mut order = rest;
    order.insert(to, from);
    order
        .into_iter()
        .enumerate()
        .filter_map(|(k, i)| {
            let p = i64::try_from(k).unwrap_or(i64::MAX).saturating_mul(10);
            (positions[i] != p).then_some((i, p))
        })
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeFilter {
    /// Only types in this category.
    pub category: Option<Slug>,
    /// Drafts too (for curators); the public never sees them.
    pub drafts: bool,
}

#[async_trait]
pub trait CollectionStore: Send + Sync {
    /// The collection's title and introduction; `None` on a new, empty store.
    async fn collection(&self) -> Result<Option<Collection>>;
    /// Replaces the collection's title and introduction, recording who did it in its history.
    async fn put_collection_by(&self, collection: &Collection, author: &Author) -> Result<()>;
    async fn put_collection(&self, collection: &Collection) -> Result<()> {
        self.put_collection_by(collection, &Author::system()).await
    }
}

#[async_trait]
pub trait CategoryStore: Send + Sync {
    /// The published categories in order, with counts of their published types and the
    /// thumbnail of the first of them: what the public sees.
    async fn categories(&self) -> Result<Vec<CategorySummary>>;
    /// Every category, drafts included, with counts of all their types (for curators).
    async fn all_categories(&self) -> Result<Vec<CategorySummary>>;
    /// One category, draft or not (public callers check [`Category::published`]).
    async fn category(&self, slug: &Slug) -> Result<Category>;
    /// Inserts (no `id`) or updates (with `id`) a category, and records the change in its
    /// history. A taken slug is a `Conflict`; so is an update whose `version` is not the stored
    /// one (someone else saved it since it was read). The stored version is bumped.
    async fn save_category_by(&self, category: &Category, author: &Author) -> Result<Category>;
    /// Removes a category; its types stay, outside it (their category lists are updated, their
    /// versions bumped and their history recorded). Renaming a category's slug updates its types
    /// the same way.
    async fn delete_category_by(&self, slug: &Slug, author: &Author) -> Result<()>;
    /// Writes a category from its history back as category `category.id` (re-created with that
    /// id when it was deleted), whatever version is stored; recorded as a `Restore`. Types it was
    /// removed from when deleted are not put back in it.
    async fn restore_category(&self, category: &Category, author: &Author) -> Result<Category>;
    /// Deletes a category as [`CategoryStore::delete_category_by`] does, if its stored version
    /// is `version`, checked in the same transaction: a stale version is a `Conflict` and
    /// nothing is deleted.
    async fn delete_category_at(&self, slug: &Slug, version: i64, author: &Author) -> Result<()>;
    /// Moves a category to `to_index` (0-based, among all categories, drafts included; past the
    /// end is last) in collection order, in one transaction. The categories whose position
    /// changes get a new version and a revision; the others keep their order.
    async fn move_category_by(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()>;

    async fn save_category(&self, category: &Category) -> Result<Category> {
        self.save_category_by(category, &Author::system()).await
    }
    async fn delete_category(&self, slug: &Slug) -> Result<()> {
        self.delete_category_by(slug, &Author::system()).await
    }
}

#[async_trait]
pub trait TypeStore: Send + Sync {
    /// Types in collection order (position, then English name byte by byte, then id), and how
    /// many match in all; drafts only when the filter asks for them. Filtering by an unknown
    /// category is `NotFound`.
    async fn types(&self, filter: &TypeFilter, page: Page) -> Result<(Vec<TypeSummary>, u64)>;
    /// At most `limit` (clamped to 1..=[`Page::MAX_LIMIT`]) types after `after` (from the
    /// start when `None`), in the same order and with the same filter as [`TypeStore::types`]:
    /// a keyset page, one index seek however deep. An empty page is the end.
    async fn types_after(
        &self,
        filter: &TypeFilter,
        after: Option<&TypeCursor>,
        limit: u64,
    ) -> Result<Vec<TypeSummary>>;
    /// The summaries of these types in one query, in the order asked; unknown slugs (and drafts,
    /// unless `drafts`) are left out.
    async fn summaries(&self, slugs: &[Slug], drafts: bool) -> Result<Vec<TypeSummary>>;
    /// One type, whole. Private specimen fields are loaded only for [`Access::Private`]; a draft
    /// is `NotFound` for [`Access::Public`].
    async fn badge_type(&self, slug: &Slug, access: Access) -> Result<BadgeType>;
    /// A type's id and stored version, draft or not, without reading the type: what a write at
    /// a known version checks first.
    async fn type_version(&self, slug: &Slug) -> Result<(TypeId, i64)>;
    /// Saves a type whole, in one transaction: inserts it (no `id`) or replaces it (with `id`),
    /// keeping the ids of children that carry one and giving new children new ids. The stored
    /// `version` must equal the given one, else `Conflict`; it is incremented (a new type is
    /// stored at version 1). Returns the type as stored, private fields included.
    ///
    /// Refusals: an invalid record, an unknown category slug, or a child id that is not this
    /// type's are `Invalid` (field by field); a taken slug is `Conflict`; an `id` that does not
    /// exist is `NotFound`. A specimen whose `private` is `None` keeps the private fields stored
    /// for it (so a type read publicly and saved back loses nothing); an empty
    /// `SpecimenPrivate` clears them.
    ///
    /// The change is recorded in the type's history (with the whole aggregate, private fields
    /// included) in the same transaction. A draft is logged for followers as a `Delete`.
    async fn save_type_by(&self, badge_type: &BadgeType, author: &Author) -> Result<BadgeType>;
    /// Deletes a type with its children, recording the deleted aggregate in its history.
    async fn delete_type_by(&self, slug: &Slug, author: &Author) -> Result<()>;
    /// Deletes a type as [`TypeStore::delete_type_by`] does, if its stored version is
    /// `version`, checked in the same transaction: a stale version is a `Conflict` and nothing
    /// is deleted.
    async fn delete_type_at(&self, slug: &Slug, version: i64, author: &Author) -> Result<()>;
    /// Moves a type to `to_index` (0-based, among all types, drafts included; past the end is
    /// last) in collection order, in one transaction. The types whose position changes get a
    /// new version, a revision and a change-log row, as a save would; the others keep their
    /// order. An unknown slug is `NotFound`.
    async fn move_type_by(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()>;
    /// Writes a type from its history back as type `badge_type.id` (re-created with that id when
    /// it was deleted), whatever version is stored, as a new version; recorded as a `Restore`.
    /// Child ids the type no longer owns are replaced by new ones. A slug now taken by another
    /// type is a `Conflict`.
    async fn restore_type(&self, badge_type: &BadgeType, author: &Author) -> Result<BadgeType>;

    async fn save_type(&self, badge_type: &BadgeType) -> Result<BadgeType> {
        self.save_type_by(badge_type, &Author::system()).await
    }
    async fn delete_type(&self, slug: &Slug) -> Result<()> {
        self.delete_type_by(slug, &Author::system()).await
    }
    /// The published types before and after a published one.
    async fn neighbours(&self, slug: &Slug) -> Result<Neighbours>;
    /// What a public type page needs — the published type without private fields and its
    /// published neighbours —
    /// in as few round trips as the backend can manage (the hot path of the public site).
    async fn public_type_page(&self, slug: &Slug) -> Result<(BadgeType, Neighbours)> {
        let badge_type = self.badge_type(slug, Access::Public).await?;
        let neighbours = self.neighbours(slug).await?;
        Ok((badge_type.into_public(), neighbours))
    }
}

/// What happened to a type, as the change log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeOp {
    /// The type was created or its public content changed (saved, imported, or its category
    /// list rewritten by a category rename or delete).
    Upsert,
    /// The type no longer exists under this slug (deleted, or saved under a new slug).
    Delete,
}

impl ChangeOp {
    /// The value stored in the `op` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Upsert => "upsert",
            ChangeOp::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "upsert" => Ok(ChangeOp::Upsert),
            "delete" => Ok(ChangeOp::Delete),
            other => Err(StorageError::Backend(
                format!("unknown change-log op {other:?}").into(),
            )),
        }
    }
}

/// One row of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Increases with every change; gaps are allowed (a rolled-back transaction may use one).
    pub seq: i64,
    pub slug: Slug,
    pub op: ChangeOp,
}

/// The change log: one row per change to what the public sees of a type, written in the same
/// transaction as the change itself, so a committed write is always logged and a failed one
/// never is. Derived data kept outside the database — each node's search index, its page
/// cache — follows storage by reading the log after the last sequence number it applied.
///
/// Backends guarantee that sequence numbers become visible in order: once a reader sees a
/// change, it also sees every change with a smaller `seq`, so a reader that remembers the
/// highest `seq` it applied never skips one.
#[async_trait]
pub trait ChangeLog: Send + Sync {
    /// At most `limit` changes with `seq > after`, in `seq` order.
    async fn changes_since(&self, after: i64, limit: u64) -> Result<Vec<Change>>;
    /// The highest `seq` logged, 0 when the log is empty.
    async fn last_change(&self) -> Result<i64>;
    /// The highest `seq` that writes through this very handle (and its clones) have committed,
    /// 0 before the first; read from memory, no query. Since changes commit in `seq` order,
    /// every change up to it was committed by the time that write returned.
    fn written_through(&self) -> i64;
}

/// Everything storage does. Backends are chosen at run time from the database URL.
#[async_trait]
pub trait Store:
    CollectionStore
    + CategoryStore
    + TypeStore
    + ChangeLog
    + HistoryStore
    + AccountStore
    + TransferStore
    + DumpStore
    + Debug
{
    /// `"sqlite"` or `"postgres"`.
    fn engine(&self) -> &'static str;
    /// Checks the database answers.
    async fn ping(&self) -> Result<()>;
    /// True when the store holds no collection, category or type.
    async fn is_empty(&self) -> Result<bool>;
    /// Writes a whole collection in one transaction: all of it lands, or none of it. Existing
    /// records with the same slugs are replaced (a replaced type keeps its id; child ids in the
    /// snapshot that are not that type's are ignored and new ones assigned; versions are not
    /// checked). Records not in the snapshot stay. Every record written gets a revision by
    /// [`Author::system`].
    async fn import(&self, snapshot: &Snapshot) -> Result<()>;
    /// The slugs of all published types in collection order (for sitemaps, exports, the search
    /// index and tests).
    async fn type_slugs(&self) -> Result<Vec<Slug>>;
    async fn close(&self);
}

#[cfg(test)]
mod tests {
    use super::placements;

    fn apply(positions: &[i64], from: usize, to: u64) -> Vec<usize> {
        let mut p = positions.to_vec();
        for (i, v) in placements(positions, from, to) {
            p[i] = v;
        }
        let mut order: Vec<usize> = (0..p.len()).collect();
        // Ties keep the original order, as the name and id do in storage.
        order.sort_by_key(|&i| (p[i], i));
        order
    }

    #[test]
    fn a_move_uses_a_gap_or_renumbers() {
        assert_eq!(placements(&[0, 10, 20, 30], 3, 0), vec![(3, -10)]);
        assert_eq!(placements(&[0, 10, 20, 30], 0, 99), vec![(0, 40)]);
        assert_eq!(placements(&[0, 10, 20, 30], 3, 1), vec![(3, 5)]);
        assert!(placements(&[0, 10], 1, 1).is_empty());
        assert_eq!(apply(&[0, 0, 0, 0], 0, 2), vec![1, 2, 0, 3]);
        assert_eq!(apply(&[0, 1, 2, 3], 3, 1), vec![0, 3, 1, 2]);
        assert_eq!(apply(&[5, 5, 5], 2, 1), vec![0, 2, 1]);
        assert_eq!(
            apply(&[i64::MAX - 1, i64::MAX], 0, 5),
            vec![1, 0],
            "no overflow at the end"
        );
    }
}
