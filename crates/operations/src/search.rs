//! Keeping the search index in step with storage.
//!
//! Storage is the truth; the index is derived from it and can always be rebuilt
//! ([`Catalogue::reindex`]). Every write through [`Catalogue`] re-indexes what it touched right
//! after the storage transaction commits. If indexing fails, the write is not lost — it is in
//! storage — and the index is marked stale: the next write or search repairs it with a full
//! rebuild, retried until it succeeds. On start, [`Catalogue::ensure_search_index`] rebuilds a
//! missing, outdated or incomplete index, or one that disagrees with storage about how many
//! types there are.
//!
//! Tantivy's work is synchronous and CPU-bound, so it runs on tokio's blocking pool.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use vitrina_catalogue::{Access, BadgeType, Slug};
use vitrina_search::{Query, SearchIndex, SearchResults};
use vitrina_storage::Page;

use crate::{Catalogue, Error, Result};

impl Catalogue {
    /// Attaches a search index; from now on every write keeps it current.
    pub fn with_search(mut self, index: Arc<SearchIndex>) -> Self {
        self.search = Some(index);
        self
    }

    pub fn search_index(&self) -> Option<&Arc<SearchIndex>> {
        self.search.as_ref()
    }

    /// Searches the public catalogue. Without an index, an empty result.
    pub async fn search(&self, query: Query) -> Result<SearchResults> {
        let Some(index) = self.search.clone() else {
            return Ok(SearchResults::default());
        };
        self.repair_if_stale().await;
        let results = tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(|e| Error::Search(e.to_string()))?
            .map_err(|e| {
                if e.is_bad_query() {
                    Error::BadQuery(e.to_string())
                } else {
                    Error::Search(e.to_string())
                }
            })?;
        Ok(results)
    }

    /// Rebuilds the whole index from storage (public fields only). Returns the types indexed.
    pub async fn reindex(&self) -> Result<usize> {
        let Some(index) = self.search.clone() else {
            return Ok(0);
        };
        let types = self.all_public_types().await?;
        let n = tokio::task::spawn_blocking(move || index.rebuild(types))
            .await
            .map_err(|e| Error::Search(e.to_string()))?
            .map_err(|e| Error::Search(e.to_string()))?;
        self.search_stale.store(false, Ordering::Release);
        tracing::info!(types = n, "search index rebuilt");
        Ok(n)
    }

    /// On start: rebuilds the index when it is missing, outdated, incomplete or out of step
    /// with storage. Returns why it rebuilt, if it did.
    pub async fn ensure_search_index(&self) -> Result<Option<String>> {
        let Some(index) = &self.search else {
            return Ok(None);
        };
        let reason = match index.needs_rebuild() {
            Some(reason) => Some(reason.to_string()),
            None => {
                let stored = self.store.type_slugs().await?.len() as u64;
                (stored != index.len())
                    .then(|| format!("the index holds {} types, storage {stored}", index.len()))
            }
        };
        if let Some(reason) = &reason {
            tracing::info!(%reason, "rebuilding the search index");
            self.reindex().await?;
        }
        Ok(reason)
    }

    /// Re-indexes the given types after a write. Never fails the write: on error the index is
    /// marked stale and repaired later.
    pub(crate) async fn index_after_write(&self, changed: &[Slug], removed: &[Slug]) {
        let Some(index) = self.search.clone() else {
            return;
        };
        if self.search_stale.load(Ordering::Acquire) {
            self.repair_if_stale().await;
            return;
        }
        let mut types = Vec::with_capacity(changed.len());
        for slug in changed {
            match self.store.badge_type(slug, Access::Public).await {
                Ok(t) => types.push(t),
                Err(e) => {
                    tracing::warn!(%slug, error = %e, "cannot read a type back for indexing");
                    self.search_stale.store(true, Ordering::Release);
                    return;
                }
            }
        }
        let removed: Vec<String> = removed.iter().map(|s| s.to_string()).collect();
        let result = tokio::task::spawn_blocking(move || {
            for t in &types {
                index.index_type(t)?;
            }
            for slug in &removed {
                index.remove_type(slug)?;
            }
            index.commit()
        })
        .await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "indexing failed; the index will be rebuilt");
                self.search_stale.store(true, Ordering::Release);
            }
            Err(e) => {
                tracing::error!(error = %e, "indexing task failed; the index will be rebuilt");
                self.search_stale.store(true, Ordering::Release);
            }
        }
    }

    async fn repair_if_stale(&self) {
        if self.search_stale.load(Ordering::Acquire)
            && let Err(e) = self.reindex().await
        {
            tracing::error!(error = %e, "rebuilding the stale search index failed; will retry");
        }
    }

    /// Every type, public fields only, in collection order.
    async fn all_public_types(&self) -> Result<Vec<BadgeType>> {
        let slugs = self.store.type_slugs().await?;
        let mut types = Vec::with_capacity(slugs.len());
        for slug in &slugs {
            types.push(self.store.badge_type(slug, Access::Public).await?);
        }
        Ok(types)
    }

    /// All summaries, for callers that page through the collection.
    pub async fn count_types(&self) -> Result<u64> {
        Ok(self
            .store
            .types(&Default::default(), Page::new(0, 1))
            .await?
            .1)
    }
}
