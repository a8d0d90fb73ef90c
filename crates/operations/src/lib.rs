//! The use cases of Vitrina, in one place: everything that reads or writes the collection — the
//! web pages, the JSON API, the CLI, later the static export — goes through [`Catalogue`], so no
//! use case is written twice and every write passes the same validation.
//!
//! Accounts (signing in with throttling, sessions, users, API tokens) have their own door,
//! [`Accounts`] ([`Catalogue::accounts`]), over the same store, with the secrets in [`secret`].
//!
//! This crate also opens storage from a URL ([`open_store`]) and owns the demo collection
//! ([`demo`]).

pub mod accounts;
mod archive;
pub mod backup;
pub mod demo;
mod edit;
pub mod export;
pub mod import;
mod open;
pub mod photos;
mod search;
pub mod secret;
pub mod text;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use vitrina_catalogue::Access;
use vitrina_catalogue::{
    BadgeType, Category, Collection, Slug, Snapshot, Validate, ValidationErrors,
};
use vitrina_storage::{
    CategorySummary, Neighbours, Page, StorageError, TypeCursor, TypeFilter, TypeSummary,
};

pub use accounts::{AccountError, Accounts};
pub use edit::{PhotoChange, Publication};
pub use open::{Engine, open_store, redact as redact_url};
pub use vitrina_storage::{Author, FieldChange, HistoryOp, RecordKind, Revision, Store};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("invalid: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error("the demo collection is broken: {0}")]
    Demo(String),
    /// The search query cannot be run as given (too long, too many filters…).
    #[error("bad search query: {0}")]
    BadQuery(String),
    #[error("search failed: {0}")]
    Search(String),
    /// The record changed since the caller read it: it is at version `current` now.
    #[error("the record is at version {current}, not the version given")]
    Stale { current: i64 },
    /// The collection could not be written out (a cell too long for a spreadsheet…).
    #[error("the export could not be written: {0}")]
    Export(String),
}

impl Error {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Storage(StorageError::NotFound { .. }))
    }

    /// The error's stable kebab-case code, as every door reports it (the API's problem details,
    /// the CLI's messages): `not-found`, `conflict`, `invalid`, `bad-query`, `unavailable`,
    /// `internal`. Codes are part of the API: never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Storage(StorageError::NotFound { .. }) => "not-found",
            Error::Storage(StorageError::Conflict(_)) => "conflict",
            Error::Storage(StorageError::Invalid(_)) | Error::Invalid(_) => "invalid",
            Error::Storage(StorageError::Unavailable(_)) => "unavailable",
            Error::BadQuery(_) => "bad-query",
            Error::Stale { .. } => "precondition-failed",
            Error::Export(_) => "unprocessable",
            Error::Storage(_) | Error::Demo(_) | Error::Search(_) => "internal",
        }
    }

    /// The field-by-field problems of an invalid record, if that is what this is.
    pub fn validation(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Invalid(v) | Error::Storage(StorageError::Invalid(v)) => Some(v),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Categories by slug, shared.
pub type CategoryMap = Arc<HashMap<Slug, Category>>;

/// What the home page shows.
#[derive(Debug, Clone)]
pub struct Home {
    pub collection: Collection,
    pub categories: Vec<CategorySummary>,
}

/// What a category page shows.
#[derive(Debug, Clone)]
pub struct CategoryView {
    pub category: Category,
    pub types: Vec<TypeSummary>,
    pub total: u64,
    pub page: Page,
}

/// What a type page shows: the public aggregate, its categories and its neighbours.
#[derive(Debug, Clone)]
pub struct TypeView {
    pub badge_type: BadgeType,
    pub categories: Vec<Category>,
    pub neighbours: Neighbours,
}

/// What [`Catalogue::restore_revision`] wrote back.
#[derive(Debug, Clone)]
pub enum Restored {
    Type(Box<BadgeType>),
    Category(Category),
    Collection(Collection),
}

/// The difference a revision made over the one before it (`None`: it is the record's first).
/// A delete changes no field: it removes the record as a whole.
pub fn changes_made(previous: Option<&Revision>, revision: &Revision) -> Vec<FieldChange> {
    if revision.op == vitrina_storage::HistoryOp::Delete {
        return Vec::new();
    }
    // A delete's record is the record as it was, so a restore after it is compared with that.
    let before = previous.map(|p| &p.record);
    vitrina_storage::diff(before, Some(&revision.record))
}

/// The collection's use cases over a store.
#[derive(Debug, Clone)]
pub struct Catalogue {
    store: Arc<dyn Store>,
    /// Bumped on every write made through this catalogue: caches and ETags key on it.
    generation: Arc<AtomicU64>,
    search: Option<Arc<vitrina_search::SearchIndex>>,
    /// Set when an index update failed: the next write or search rebuilds the index.
    search_stale: Arc<AtomicBool>,
    /// One catch-up or rebuild at a time, so the index's change-log position only moves forward.
    search_lock: Arc<tokio::sync::Mutex<()>>,
    /// Writes waiting for the index, and the writes it has caught up with (group commit, see
    /// [`Catalogue::index_after_write`]).
    index_tickets: Arc<search::IndexTickets>,
    /// Without an index: the last change-log position seen, to notice writes made elsewhere
    /// (-1 until first read).
    seen_change: Arc<AtomicI64>,
    /// The highest change-log `seq` that writes through this node had committed when they
    /// bumped the generation: changes up to it are on the pages already, so applying them to
    /// the index need not bump again (see [`Catalogue::announce_write`]).
    announced: Arc<AtomicI64>,
    /// The categories as of a generation (see [`Catalogue::public_type`]).
    category_cache: Arc<RwLock<Option<(u64, CategoryMap)>>>,
    /// The account use cases over the same store.
    accounts: Accounts,
}

impl Catalogue {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            generation: Arc::new(AtomicU64::new(1)),
            search: None,
            search_stale: Arc::new(AtomicBool::new(false)),
            search_lock: Arc::new(tokio::sync::Mutex::new(())),
            index_tickets: Arc::default(),
            seen_change: Arc::new(AtomicI64::new(-1)),
            announced: Arc::new(AtomicI64::new(0)),
            category_cache: Arc::new(RwLock::new(None)),
            accounts: Accounts::new(store.clone()),
            store,
        }
    }

    /// Signing in, sessions, users, tokens and the set-up link ([`accounts`]).
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The same catalogue with its account use cases on `clock` (tests move time by hand).
    pub fn with_clock(mut self, clock: Arc<dyn accounts::Clock>) -> Self {
        self.accounts = self.accounts.with_clock(clock);
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Changes whenever the collection changes through this node, and when changes made through
    /// other nodes are applied ([`Catalogue::catch_up_search`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// After a write through this node: bumps the generation, so pages show the write from now
    /// on. Changes commit in `seq` order, so every change up to the one this node wrote last
    /// is in storage, which pages read, and this one bump announces them all; the index
    /// catching up with them later bumps again only for changes past it (made elsewhere
    /// meanwhile). Without that, each write would empty the page cache twice, the second time
    /// in the background, cutting short a warming round.
    fn announce_write(&self) {
        self.announced
            .fetch_max(self.store.written_through(), Ordering::AcqRel);
        self.changed();
    }

    /// After the index applied changes through `through`: bumps the generation unless a write
    /// through this node already announced them.
    fn applied_changes_through(&self, through: i64) {
        if through > self.announced.load(Ordering::Acquire) {
            self.changed();
        }
    }

    pub async fn home(&self) -> Result<Home> {
        let collection = self.store.collection().await?.unwrap_or_default();
        let categories = self.store.categories().await?;
        Ok(Home {
            collection,
            categories,
        })
    }

    /// A published category and its published types (a draft category is not found).
    pub async fn category(&self, slug: &Slug, page: Page) -> Result<CategoryView> {
        let category = self.store.category(slug).await?;
        if !category.published {
            return Err(StorageError::not_found("category", slug).into());
        }
        let filter = TypeFilter {
            category: Some(slug.clone()),
            drafts: false,
        };
        let (types, total) = self.store.types(&filter, page).await?;
        Ok(CategoryView {
            category,
            types,
            total,
            page,
        })
    }

    /// A type as the public sees it: private fields are neither loaded nor returned.
    pub async fn public_type(&self, slug: &Slug) -> Result<TypeView> {
        let (badge_type, neighbours) = self.store.public_type_page(slug).await?;
        let badge_type = badge_type.into_public();
        let known = self.categories_by_slug().await?;
        let mut categories = Vec::with_capacity(badge_type.categories.len());
        for c in &badge_type.categories {
            // `known` holds the published categories: a draft one is not named in public.
            match known.get(c) {
                Some(category) => categories.push(category.clone()),
                None => {
                    let category = self.store.category(c).await?;
                    if category.published {
                        categories.push(category);
                    }
                }
            }
        }
        Ok(TypeView {
            badge_type,
            categories,
            neighbours,
        })
    }

    /// Every published category by slug, read once per generation: a collection has a handful
    /// of them, and every type page and every search's facets name them.
    pub async fn categories_by_slug(&self) -> Result<CategoryMap> {
        let generation = self.generation();
        if let Ok(cache) = self.category_cache.read()
            && let Some((g, map)) = cache.as_ref()
            && *g == generation
        {
            return Ok(map.clone());
        }
        let map: HashMap<Slug, Category> = self
            .store
            .categories()
            .await?
            .into_iter()
            .map(|s| (s.category.slug.clone(), s.category))
            .collect();
        let map = Arc::new(map);
        if let Ok(mut cache) = self.category_cache.write() {
            *cache = Some((generation, map.clone()));
        }
        Ok(map)
    }

    /// All types in collection order, a page at a time.
    pub async fn types(&self, page: Page) -> Result<(Vec<TypeSummary>, u64)> {
        Ok(self.store.types(&TypeFilter::default(), page).await?)
    }

    /// Validates and saves a whole type, as the system (CLI, import, demo).
    pub async fn save_type(&self, badge_type: &BadgeType) -> Result<BadgeType> {
        self.save_type_by(badge_type, &Author::system()).await
    }

    /// Validates and saves a whole type, recording `author` in its history. A stale `version` is
    /// a `Conflict` and changes nothing. Drafts leave (and published types join) the search
    /// index and the public pages at once.
    pub async fn save_type_by(&self, badge_type: &BadgeType, author: &Author) -> Result<BadgeType> {
        let badge_type = &text::normalized_record(badge_type);
        badge_type.validate()?;
        let saved = self.store.save_type_by(badge_type, author).await?;
        self.after_write().await;
        Ok(saved)
    }

    /// Deletes a type with its variants, specimens and photos; its history keeps it, so it can
    /// be restored ([`Catalogue::restore_revision`]).
    pub async fn delete_type_by(&self, slug: &Slug, author: &Author) -> Result<()> {
        self.store.delete_type_by(slug, author).await?;
        self.after_write().await;
        Ok(())
    }

    /// Deletes a type if its stored version is `version`, checked in the storage transaction:
    /// a stale version is a `Conflict` and nothing is deleted.
    pub async fn delete_type_at(&self, slug: &Slug, version: i64, author: &Author) -> Result<()> {
        self.store.delete_type_at(slug, version, author).await?;
        self.after_write().await;
        Ok(())
    }

    /// Moves a type to `to_index` (0-based, among all types, drafts included; past the end is
    /// last) in collection order, in one transaction.
    pub async fn move_type(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
        self.store.move_type_by(slug, to_index, author).await?;
        self.after_write().await;
        Ok(())
    }

    /// Moves a category to `to_index` (0-based, drafts included; past the end is last), in one
    /// transaction.
    pub async fn move_category(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
        self.store.move_category_by(slug, to_index, author).await?;
        self.after_write().await;
        Ok(())
    }

    /// Deletes a category if its stored version is `version`, checked in the storage
    /// transaction: a stale version is a `Conflict` and nothing is deleted.
    pub async fn delete_category_at(
        &self,
        slug: &Slug,
        version: i64,
        author: &Author,
    ) -> Result<()> {
        self.store.delete_category_at(slug, version, author).await?;
        self.after_write().await;
        Ok(())
    }

    /// A keyset page of types in collection order: at most `limit` after `after` (from the
    /// start when `None`). One index seek however deep; an empty page is the end.
    pub async fn types_after(
        &self,
        filter: &TypeFilter,
        after: Option<&TypeCursor>,
        limit: u64,
    ) -> Result<Vec<TypeSummary>> {
        Ok(self.store.types_after(filter, after, limit).await?)
    }

    /// The summaries of these types in one query, in the order asked; unknown slugs (and
    /// drafts, unless `drafts`) are left out.
    pub async fn summaries(&self, slugs: &[Slug], drafts: bool) -> Result<Vec<TypeSummary>> {
        Ok(self.store.summaries(slugs, drafts).await?)
    }

    /// Validates and saves a category (insert without `id`, else update at its `version`).
    pub async fn save_category_by(&self, category: &Category, author: &Author) -> Result<Category> {
        let mut normalized = text::normalized_record(category);
        // The version is bookkeeping, not part of the record's JSON.
        normalized.version = category.version;
        let category = &normalized;
        category.validate()?;
        let saved = self.store.save_category_by(category, author).await?;
        self.after_write().await;
        Ok(saved)
    }

    /// Deletes a category; its types stay, outside it.
    pub async fn delete_category_by(&self, slug: &Slug, author: &Author) -> Result<()> {
        self.store.delete_category_by(slug, author).await?;
        self.after_write().await;
        Ok(())
    }

    /// Writes the record of an earlier revision back as a new version of that record — a
    /// deleted type or category is re-created with its old id — recorded as a `restore` by
    /// `author`. Returns what was restored. The collection's record is written back as an
    /// update.
    pub async fn restore_revision(&self, id: i64, author: &Author) -> Result<Restored> {
        let revision = self.store.revision(id).await?;
        let bad = |e: serde_json::Error| {
            Error::Storage(StorageError::Backend(
                format!("revision {id} holds no readable record: {e}").into(),
            ))
        };
        let restored = match revision.kind {
            RecordKind::Type => {
                let t: BadgeType = serde_json::from_value(revision.record).map_err(bad)?;
                Restored::Type(Box::new(self.store.restore_type(&t, author).await?))
            }
            RecordKind::Category => {
                let c: Category = serde_json::from_value(revision.record).map_err(bad)?;
                Restored::Category(self.store.restore_category(&c, author).await?)
            }
            RecordKind::Collection => {
                let c: Collection = serde_json::from_value(revision.record).map_err(bad)?;
                self.store.put_collection_by(&c, author).await?;
                Restored::Collection(c)
            }
        };
        self.after_write().await;
        Ok(restored)
    }

    /// Replaces the collection's title and introduction.
    pub async fn put_collection_by(&self, collection: &Collection, author: &Author) -> Result<()> {
        let collection = &text::normalized_record(collection);
        collection.validate()?;
        self.store.put_collection_by(collection, author).await?;
        self.after_write().await;
        Ok(())
    }

    /// Every revision of one record (by any slug it ever had), newest first.
    pub async fn record_history(&self, kind: RecordKind, key: &str) -> Result<Vec<Revision>> {
        Ok(self.store.record_history(kind, key).await?)
    }

    /// The whole collection's history, newest first.
    pub async fn collection_history(&self, page: Page) -> Result<Vec<Revision>> {
        Ok(self.store.collection_history(page).await?)
    }

    pub async fn revision(&self, id: i64) -> Result<Revision> {
        Ok(self.store.revision(id).await?)
    }

    /// What a revision changed: the field-by-field difference from the revision of the same
    /// record before it (for a create, every field; for a delete, none — the record is shown
    /// as it was).
    pub async fn revision_diff(&self, revision: &Revision) -> Result<Vec<FieldChange>> {
        let history = self
            .store
            .record_history(revision.kind, &revision.key)
            .await?;
        let previous = history
            .iter()
            .filter(|r| r.record_id == revision.record_id && r.id < revision.id)
            .max_by_key(|r| r.id);
        Ok(changes_made(previous, revision))
    }

    /// Every type, drafts included, in collection order (for curators).
    pub async fn curator_types(&self, page: Page) -> Result<(Vec<TypeSummary>, u64)> {
        let filter = TypeFilter {
            category: None,
            drafts: true,
        };
        Ok(self.store.types(&filter, page).await?)
    }

    /// A type whole, private fields included, draft or not (for curators).
    pub async fn curator_type(&self, slug: &Slug) -> Result<BadgeType> {
        Ok(self.store.badge_type(slug, Access::Private).await?)
    }

    /// Every category, drafts included (for curators).
    pub async fn curator_categories(&self) -> Result<Vec<CategorySummary>> {
        Ok(self.store.all_categories().await?)
    }

    /// A category, draft or not (for curators).
    pub async fn curator_category(&self, slug: &Slug) -> Result<Category> {
        Ok(self.store.category(slug).await?)
    }

    async fn after_write(&self) {
        self.announce_write();
        self.index_after_write().await;
    }

    /// Validates and writes a whole collection in one transaction.
    pub async fn import(&self, snapshot: &Snapshot) -> Result<()> {
        // Normalised as every door normalises (the demo's TOML ends texts with a newline).
        let snapshot = &text::normalized_record(snapshot);
        snapshot.validate()?;
        self.store.import(snapshot).await?;
        self.announce_write();
        if snapshot.types.len() > 1_000 {
            // a large import: one rebuild is cheaper than many small updates
            self.reindex().await?;
        } else {
            self.index_after_write().await;
        }
        Ok(())
    }

    /// Deletes a type with its variants, specimens and photos, as the system.
    pub async fn delete_type(&self, slug: &Slug) -> Result<()> {
        self.delete_type_by(slug, &Author::system()).await
    }

    /// Loads the demo collection (replacing records with the same slugs).
    pub async fn load_demo(&self) -> Result<()> {
        let snapshot = demo::snapshot()?;
        self.import(&snapshot).await
    }

    /// Loads the demo when the store is empty; returns whether it did.
    pub async fn load_demo_if_empty(&self) -> Result<bool> {
        if self.store.is_empty().await? {
            self.load_demo().await?;
            tracing::info!("loaded the demo collection into the empty store");
            Ok(true)
        } else {
            Ok(false)
        }
    }
}
