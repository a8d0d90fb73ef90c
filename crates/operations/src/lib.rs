//! The use cases of Vitrina, in one place: everything that reads or writes the collection — the
//! web pages, the JSON API, the CLI, later the static export — goes through [`Catalogue`], so no
//! use case is written twice and every write passes the same validation.
//!
//! This crate also opens storage from a URL ([`open_store`]) and owns the demo collection
//! ([`demo`]).

pub mod demo;
mod open;
mod search;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use vitrina_catalogue::{
    BadgeType, Category, Collection, Slug, Snapshot, Validate, ValidationErrors,
};
use vitrina_storage::{CategorySummary, Neighbours, Page, StorageError, TypeFilter, TypeSummary};

pub use open::{Engine, open_store, redact as redact_url};
pub use vitrina_storage::Store;

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
}

impl Error {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Storage(StorageError::NotFound { .. }))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Categories by slug, shared.
type CategoryMap = Arc<HashMap<Slug, Category>>;

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
    /// Without an index: the last change-log position seen, to notice writes made elsewhere
    /// (-1 until first read).
    seen_change: Arc<AtomicI64>,
    /// The categories as of a generation (see [`Catalogue::public_type`]).
    category_cache: Arc<RwLock<Option<(u64, CategoryMap)>>>,
}

impl Catalogue {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            generation: Arc::new(AtomicU64::new(1)),
            search: None,
            search_stale: Arc::new(AtomicBool::new(false)),
            search_lock: Arc::new(tokio::sync::Mutex::new(())),
            seen_change: Arc::new(AtomicI64::new(-1)),
            category_cache: Arc::new(RwLock::new(None)),
        }
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

    pub async fn home(&self) -> Result<Home> {
        let collection = self.store.collection().await?.unwrap_or_default();
        let categories = self.store.categories().await?;
        Ok(Home {
            collection,
            categories,
        })
    }

    pub async fn category(&self, slug: &Slug, page: Page) -> Result<CategoryView> {
        let category = self.store.category(slug).await?;
        let filter = TypeFilter {
            category: Some(slug.clone()),
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
            match known.get(c) {
                Some(category) => categories.push(category.clone()),
                None => categories.push(self.store.category(c).await?),
            }
        }
        Ok(TypeView {
            badge_type,
            categories,
            neighbours,
        })
    }

    /// Every category by slug, read once per generation: a collection has a handful of them and
    /// every type page names its own.
    async fn categories_by_slug(&self) -> Result<CategoryMap> {
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

    /// Validates and saves a whole type.
    pub async fn save_type(&self, badge_type: &BadgeType) -> Result<BadgeType> {
        badge_type.validate()?;
        let saved = self.store.save_type(badge_type).await?;
        self.changed();
        self.index_after_write().await;
        Ok(saved)
    }

    /// Validates and writes a whole collection in one transaction.
    pub async fn import(&self, snapshot: &Snapshot) -> Result<()> {
        snapshot.validate()?;
        self.store.import(snapshot).await?;
        self.changed();
        if snapshot.types.len() > 1_000 {
            // a large import: one rebuild is cheaper than many small updates
            self.reindex().await?;
        } else {
            self.index_after_write().await;
        }
        Ok(())
    }

    /// Deletes a type with its variants, specimens and photos.
    pub async fn delete_type(&self, slug: &Slug) -> Result<()> {
        self.store.delete_type(slug).await?;
        self.changed();
        self.index_after_write().await;
        Ok(())
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
