//! Keeping the search index in step with storage, on one node or on several sharing a database.
//!
//! Storage is the truth; the index is derived from it and can always be rebuilt
//! ([`Catalogue::reindex`]). Storage keeps a change log ([`vitrina_storage::ChangeLog`]): one row
//! per change to what the public sees of a type, with a sequence number, written in the same
//! transaction as the change. The index records, in the payload of its last commit, the sequence
//! number it has applied through. [`Catalogue::catch_up_search`] reads the log after that
//! number, a page at a time, re-reads each named type as the public sees it (indexing it, or
//! removing it when it is gone), and commits with the new number.
//!
//! Every write through [`Catalogue`] has the index catch up right after its storage transaction
//! commits, in the background, and a search on the same node first waits for the writes made
//! before it (group commit, see [`Catalogue::index_after_write`]) — applying, in order, the
//! changes other nodes made as well as its own. A node also follows the log in the background
//! ([`Catalogue::spawn_search_follower`]), so writes made through other nodes reach its index
//! and its page cache (the catalogue's `generation` is bumped whenever changes are applied that
//! no write through this node announced already). A failed pass loses nothing: the log is
//! still there, and the next pass applies it. An index that cannot be trusted — missing, outdated, half-built,
//! marked stale by a failed index write, without a recorded position, or ahead of storage (a
//! different or restored database) — is rebuilt instead. On start,
//! [`Catalogue::ensure_search_index`] does the same, then checks the index and storage agree on
//! how many types there are.
//!
//! Tantivy's work is synchronous and CPU-bound, so it runs on tokio's blocking pool.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use vitrina_catalogue::{Access, BadgeType, Slug};
use vitrina_search::{FacetKind, Query, SearchIndex, SearchResults};
use vitrina_storage::{Change, Page, StorageError};

use crate::{Catalogue, Error, Result};

/// How many change-log rows one catch-up step reads and commits.
const CHANGE_PAGE: u64 = 500;

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
    ///
    /// Only published categories are public: a draft category is neither a facet value nor a
    /// filter that matches anything (like an unknown one). The index keeps every category of a
    /// type, so publishing or withdrawing a category needs no re-indexing.
    pub async fn search(&self, mut query: Query) -> Result<SearchResults> {
        let Some(index) = self.search.clone() else {
            return Ok(SearchResults::default());
        };
        self.index_writes_so_far().await;
        self.repair_if_stale().await;
        let published = self.categories_by_slug().await?;
        let is_public = |value: &str| Slug::parse(value).is_ok_and(|s| published.contains_key(&s));
        let asked_category = query.filters.iter().any(|f| f.kind == FacetKind::Category);
        query
            .filters
            .retain(|f| f.kind != FacetKind::Category || is_public(&f.value));
        if asked_category && !query.filters.iter().any(|f| f.kind == FacetKind::Category) {
            // Only draft or unknown categories were asked for: nothing public matches.
            return Ok(SearchResults::default());
        }
        let mut results = self.run_search(index, query).await?;
        if let Some(values) = results.facets.get_mut(&FacetKind::Category) {
            values.retain(|(value, _)| is_public(value));
            if values.is_empty() {
                results.facets.remove(&FacetKind::Category);
            }
        }
        Ok(results)
    }

    async fn run_search(&self, index: Arc<SearchIndex>, query: Query) -> Result<SearchResults> {
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

    /// Rebuilds the whole index from storage (public fields only) and records the change-log
    /// position it is current through. Returns the types indexed.
    pub async fn reindex(&self) -> Result<usize> {
        let Some(index) = self.search.clone() else {
            return Ok(0);
        };
        let _one_at_a_time = self.search_lock.lock().await;
        self.reindex_locked(index).await
    }

    async fn reindex_locked(&self, index: Arc<SearchIndex>) -> Result<usize> {
        // The position is read before the types: a change that lands while they load is after
        // it, so the next catch-up applies it even if the load already saw it (applying a change
        // twice is harmless; missing one is not).
        let through = self.store.last_change().await?;
        let types = self.all_public_types().await?;
        let n = tokio::task::spawn_blocking(move || {
            let n = index.rebuild(types)?;
            index.commit_through(&through.to_string())?;
            Ok::<_, vitrina_search::SearchError>(n)
        })
        .await
        .map_err(|e| Error::Search(e.to_string()))?
        .map_err(|e| Error::Search(e.to_string()))?;
        self.search_stale.store(false, Ordering::Release);
        // The rebuild may have brought in changes made elsewhere.
        self.changed();
        tracing::info!(types = n, through, "search index rebuilt");
        Ok(n)
    }

    /// On start: rebuilds the index when it cannot be trusted (see the module documentation),
    /// else catches it up with the change log; then rebuilds it if it still disagrees with
    /// storage about how many types there are. Returns why it rebuilt, if it did.
    pub async fn ensure_search_index(&self) -> Result<Option<String>> {
        let Some(index) = self.search.clone() else {
            return Ok(None);
        };
        let last = self.store.last_change().await?;
        if let Some(reason) = self.rebuild_reason(&index, last) {
            tracing::info!(%reason, "rebuilding the search index");
            let _one_at_a_time = self.search_lock.lock().await;
            self.reindex_locked(index).await?;
            return Ok(Some(reason));
        }
        let applied = self.catch_up_search().await?;
        if applied > 0 {
            tracing::info!(changes = applied, "the search index caught up with storage");
        }
        let stored = self.store.type_slugs().await?.len() as u64;
        if stored != index.len() {
            let reason = format!("the index holds {} types, storage {stored}", index.len());
            tracing::info!(%reason, "rebuilding the search index");
            self.reindex().await?;
            return Ok(Some(reason));
        }
        Ok(None)
    }

    /// Applies the change log to the index: every change after the position the index records,
    /// in order, a page at a time, each page committed with its last sequence number. Rebuilds
    /// the index instead when it cannot be trusted. Bumps the generation when it applied
    /// changes no write through this node announced. Returns how many changes it applied (or
    /// types it indexed, when it rebuilt).
    ///
    /// Without an index it only watches the log's position (and returns 1 when it moved, else
    /// 0), bumping the generation, as with an index, only for changes past what this node's
    /// writes announced.
    pub async fn catch_up_search(&self) -> Result<usize> {
        let Some(index) = self.search.clone() else {
            let last = self.store.last_change().await?;
            let seen = self.seen_change.swap(last, Ordering::AcqRel);
            let moved = seen >= 0 && seen != last;
            if moved {
                self.applied_changes_through(last);
            }
            return Ok(usize::from(moved));
        };
        let _one_at_a_time = self.search_lock.lock().await;
        self.catch_up_locked(index).await
    }

    /// [`Self::catch_up_search`], the search lock held.
    async fn catch_up_locked(&self, index: Arc<SearchIndex>) -> Result<usize> {
        let last = self.store.last_change().await?;
        if let Some(reason) = self.rebuild_reason(&index, last) {
            tracing::info!(%reason, "rebuilding the search index");
            return self.reindex_locked(index).await;
        }
        let mut after = applied_through(&index).unwrap_or(0);
        let mut applied = 0;
        loop {
            let page = self.store.changes_since(after, CHANGE_PAGE).await?;
            let Some(through) = page.last().map(|c| c.seq) else {
                break;
            };
            let n = page.len();
            let full = n as u64 >= CHANGE_PAGE;
            if let Err(e) = self.apply(&index, page, through).await {
                // What earlier pages committed stays committed: bump for it all the same.
                if applied > 0 {
                    self.applied_changes_through(after);
                }
                return Err(e);
            }
            applied += n;
            after = through;
            if !full {
                break;
            }
        }
        if applied > 0 {
            self.applied_changes_through(after);
        }
        Ok(applied)
    }

    /// Catches up every `interval`, in the background, until the handle is aborted (or the
    /// runtime stops). A failed pass is logged and retried at the next tick.
    pub fn spawn_search_follower(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut failing = false;
            loop {
                ticks.tick().await;
                match this.catch_up_search().await {
                    Ok(n) => {
                        if failing {
                            tracing::info!("the search index follows the change log again");
                        }
                        failing = false;
                        if n > 0 {
                            tracing::debug!(changes = n, "applied changes to the search index");
                        }
                    }
                    Err(e) if failing => {
                        tracing::debug!(error = %e, "the search index still cannot catch up");
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the search index cannot catch up; retrying");
                        failing = true;
                    }
                }
            }
        })
    }

    /// Why the index must be rebuilt rather than caught up, if it must.
    fn rebuild_reason(&self, index: &SearchIndex, last: i64) -> Option<String> {
        if let Some(reason) = index.needs_rebuild() {
            return Some(reason.to_string());
        }
        if self.search_stale.load(Ordering::Acquire) {
            return Some("an earlier update of the search index failed".into());
        }
        match applied_through(index) {
            None => Some("the search index records no change-log position".into()),
            Some(p) if p > last => Some(format!(
                "the search index has applied changes through {p}, but storage has only {last} \
                 (another or a restored database)"
            )),
            Some(_) => None,
        }
    }

    /// Applies one page of the log and commits through `through`. Each named type is read as
    /// it is now: indexed if it exists, removed if it does not. Nothing is committed if a read
    /// fails; a failure in the index marks it stale (rebuilt on the next pass).
    async fn apply(&self, index: &Arc<SearchIndex>, page: Vec<Change>, through: i64) -> Result<()> {
        let mut seen = HashSet::new();
        let mut upserts = Vec::new();
        let mut removals = Vec::new();
        for change in page {
            if !seen.insert(change.slug.clone()) {
                continue;
            }
            match self.store.badge_type(&change.slug, Access::Public).await {
                Ok(t) => upserts.push(t),
                Err(StorageError::NotFound { .. }) => removals.push(change.slug.to_string()),
                Err(e) => return Err(e.into()),
            }
        }
        let index = index.clone();
        let result = tokio::task::spawn_blocking(move || {
            for t in &upserts {
                index.index_type(t)?;
            }
            for slug in &removals {
                index.remove_type(slug)?;
            }
            index.commit_through(&through.to_string())
        })
        .await;
        let error = match result {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        tracing::error!(%error, "indexing failed; the index will be rebuilt");
        self.search_stale.store(true, Ordering::Release);
        Err(Error::Search(error))
    }

    /// After a write: has the index catch up with it in the background, and returns at once.
    /// The write's ticket tells the next search on this node to wait for that catch-up, so
    /// whoever wrote finds what they wrote ([`Self::search`]), while the write itself costs
    /// only its storage transaction. Never fails the write: on error the change stays in the
    /// log and the next pass applies it.
    ///
    /// Writes that commit while a catch-up runs share the next one (group commit): the first
    /// of their tasks to get the lock catches up with all of them in one index commit, and the
    /// rest, finding their ticket served by a pass that began after they committed, end at
    /// once. An index commit costs milliseconds, so one per write, waited for, would cap
    /// concurrent writes at a few hundred a second, each waiting behind all the others.
    pub(crate) async fn index_after_write(&self) {
        if self.search.is_none() {
            return;
        }
        let ticket = self.index_tickets.requested.fetch_add(1, Ordering::AcqRel) + 1;
        let this = self.clone();
        tokio::spawn(async move { this.serve_ticket(ticket).await });
    }

    /// Waits until every write made through this node so far is in the index.
    async fn index_writes_so_far(&self) {
        let ticket = self.index_tickets.requested.load(Ordering::Acquire);
        if self.index_tickets.served.load(Ordering::Acquire) < ticket {
            self.serve_ticket(ticket).await;
        }
    }

    /// Catches up unless a pass that began after `ticket` was taken already did.
    async fn serve_ticket(&self, ticket: u64) {
        let Some(index) = self.search.clone() else {
            return;
        };
        let tickets = &self.index_tickets;
        let _one_at_a_time = self.search_lock.lock().await;
        if tickets.served.load(Ordering::Acquire) >= ticket {
            return;
        }
        // Every write with a ticket up to here has committed: this pass reads the log after it.
        let through = tickets.requested.load(Ordering::Acquire);
        let result = self.catch_up_locked(index).await;
        // Served even when the pass failed: the change stays in the log for the next one, and
        // the waiting searches should not each try again now.
        tickets.served.fetch_max(through, Ordering::AcqRel);
        if let Err(e) = result {
            tracing::warn!(error = %e, "the search index could not catch up after a write; will retry");
        }
    }

    async fn repair_if_stale(&self) {
        if self.search_stale.load(Ordering::Acquire)
            && let Err(e) = self.catch_up_search().await
        {
            tracing::error!(error = %e, "rebuilding the stale search index failed; will retry");
        }
    }

    /// Every type, public fields only, in collection order. A type deleted while they load is
    /// left out (its deletion is in the change log after the position read before).
    async fn all_public_types(&self) -> Result<Vec<BadgeType>> {
        let slugs: Vec<Slug> = self.store.type_slugs().await?;
        let mut types = Vec::with_capacity(slugs.len());
        for slug in &slugs {
            match self.store.badge_type(slug, Access::Public).await {
                Ok(t) => types.push(t),
                Err(StorageError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
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

/// Group commit of the index after writes: each write takes a ticket once its storage
/// transaction has committed, and a catch-up that begins after a ticket was taken serves it.
/// A search waits for the tickets taken before it.
#[derive(Debug, Default)]
pub(crate) struct IndexTickets {
    /// The last ticket taken.
    requested: AtomicU64,
    /// Every ticket up to this one has been served.
    served: AtomicU64,
}

/// The change-log position the index's last commit records.
fn applied_through(index: &SearchIndex) -> Option<i64> {
    index
        .last_commit_payload()
        .ok()
        .flatten()
        .and_then(|p| p.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use vitrina_catalogue::Category;
    use vitrina_search::Filter;

    use super::*;
    use crate::{Author, open_store};

    fn slug(s: &str) -> Slug {
        Slug::parse(s).expect("a test slug")
    }

    /// The demo on SQLite with an index, a draft category holding a published type, and a
    /// draft type.
    async fn catalogue_with_drafts(dir: &std::path::Path) -> Catalogue {
        let url = format!("sqlite://{}", dir.join("vitrina.db").display());
        let store = open_store(&url).await.expect("open SQLite");
        let index = SearchIndex::open(&dir.join("search")).expect("open the index");
        let c = Catalogue::new(store).with_search(Arc::new(index));
        c.ensure_search_index().await.expect("index");
        c.load_demo().await.expect("the demo");
        let author = Author::system();
        let mut draft_category = c
            .curator_category(
                &c.curator_type(&slug("mopr-badge"))
                    .await
                    .unwrap()
                    .categories[0],
            )
            .await
            .unwrap();
        draft_category.id = None;
        draft_category.version = 0;
        draft_category.slug = slug("secret-section");
        draft_category.published = false;
        let saved: Category = c
            .save_category_by(&draft_category, &author)
            .await
            .expect("save the draft category");
        assert!(!saved.published);
        let mut mopr = c.curator_type(&slug("mopr-badge")).await.unwrap();
        mopr.categories.push(slug("secret-section"));
        c.save_type(&mopr).await.expect("file MOPR under the draft");
        let draft: BadgeType = toml::from_str(
            r#"
            slug = "unpublished-zyzzyva"
            published = false
            names = { en = "Zyzzyva draft badge", ru = "Черновик зиззива" }
            description = { en = "Not for the public yet." }
            "#,
        )
        .expect("the draft parses");
        c.save_type(&draft).await.expect("save the draft type");
        c
    }

    #[tokio::test]
    async fn a_draft_category_is_no_facet_value_and_no_filter() {
        let dir = tempfile::tempdir().unwrap();
        let c = catalogue_with_drafts(dir.path()).await;
        let all = c.search(Query::default()).await.unwrap();
        let categories = &all.facets[&FacetKind::Category];
        assert!(!categories.is_empty());
        assert!(
            categories.iter().all(|(v, _)| v != "secret-section"),
            "{categories:?}"
        );
        let mopr = c.search(Query::text("MOPR")).await.unwrap();
        assert!(mopr.hits.iter().any(|h| h.slug == "mopr-badge"));
        assert!(
            mopr.facets[&FacetKind::Category]
                .iter()
                .all(|(v, _)| v != "secret-section")
        );
        let by_draft = Query {
            filters: vec![Filter::new(FacetKind::Category, "secret-section")],
            ..Query::default()
        };
        assert_eq!(c.search(by_draft).await.unwrap().total, 0);
        // Published again, it is a facet value at once, without re-indexing.
        let mut category = c.curator_category(&slug("secret-section")).await.unwrap();
        category.published = true;
        c.save_category_by(&category, &Author::system())
            .await
            .unwrap();
        let all = c.search(Query::default()).await.unwrap();
        assert!(
            all.facets[&FacetKind::Category]
                .iter()
                .any(|(v, n)| v == "secret-section" && *n == 1)
        );
    }

    /// Writes sharing index commits (group commit) still each find what they wrote the moment
    /// they return, however they interleave.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_writes_each_find_their_own_change_in_search_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
        let store = open_store(&url).await.expect("open SQLite");
        let index = SearchIndex::open(&dir.path().join("search")).expect("open the index");
        let c = Catalogue::new(store).with_search(Arc::new(index));
        c.ensure_search_index().await.expect("index");
        let writers: Vec<_> = (0..24)
            .map(|i| {
                let c = c.clone();
                tokio::spawn(async move {
                    let word = format!("quokka{}", (b'a' + i as u8) as char);
                    let t: BadgeType = toml::from_str(&format!(
                        "slug = \"writer-{i}\"\npublished = true\n\
                         names = {{ en = \"Badge {word}\", ru = \"Знак {i}\" }}"
                    ))
                    .expect("a test type");
                    c.save_type(&t).await.expect("save");
                    let found = c.search(Query::text(&word)).await.expect("search");
                    assert!(
                        found.hits.iter().any(|h| h.slug == format!("writer-{i}")),
                        "writer {i} does not find {word} right after saving it"
                    );
                })
            })
            .collect();
        for w in writers {
            w.await.expect("a writer");
        }
        assert_eq!(c.search_index().unwrap().len(), 24);
    }

    /// Regression: with the index catching up in the background, each write bumped the
    /// generation twice — the second time later, emptying the page cache under a warming round.
    #[tokio::test]
    async fn a_write_bumps_the_generation_once_and_the_catch_up_not_again() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
        let store = open_store(&url).await.expect("open SQLite");
        let index = SearchIndex::open(&dir.path().join("search")).expect("open the index");
        let c = Catalogue::new(store.clone()).with_search(Arc::new(index));
        c.ensure_search_index().await.expect("index");
        let t: BadgeType = toml::from_str(
            "slug = \"once\"\npublished = true\nnames = { en = \"Badge\", ru = \"Знак\" }",
        )
        .expect("a test type");
        let before = c.generation();
        c.save_type(&t).await.expect("save");
        assert_eq!(c.generation(), before + 1);
        // whichever applies the write — a pass run now, or the write's own background task
        c.catch_up_search().await.expect("catch up");
        c.index_writes_so_far().await;
        assert_eq!(c.generation(), before + 1, "the catch-up bumped again");

        // A change made elsewhere (another node over the same store) still bumps when applied.
        let elsewhere = Catalogue::new(store);
        let mut other = t.clone();
        other.slug = Slug::parse("elsewhere").unwrap();
        elsewhere.save_type(&other).await.expect("save elsewhere");
        assert_eq!(c.catch_up_search().await.expect("catch up"), 1);
        assert_eq!(c.generation(), before + 2);
    }

    #[tokio::test]
    async fn a_draft_type_never_reaches_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let c = catalogue_with_drafts(dir.path()).await;
        let found = |r: SearchResults| r.hits.iter().any(|h| h.slug == "unpublished-zyzzyva");
        assert!(!found(c.search(Query::text("zyzzyva")).await.unwrap()));
        let index = c.search_index().unwrap().clone();
        let public = c.store.type_slugs().await.unwrap().len() as u64;
        assert_eq!(index.len(), public);
        // Nor after a rebuild from storage.
        c.reindex().await.unwrap();
        assert_eq!(index.len(), public);
        assert!(!found(c.search(Query::text("zyzzyva")).await.unwrap()));
        // Published, it is found; withdrawn again, it leaves.
        let mut t = c.curator_type(&slug("unpublished-zyzzyva")).await.unwrap();
        t.published = true;
        let mut t = c.save_type(&t).await.unwrap();
        assert!(found(c.search(Query::text("zyzzyva")).await.unwrap()));
        t.published = false;
        c.save_type(&t).await.unwrap();
        assert!(!found(c.search(Query::text("zyzzyva")).await.unwrap()));
    }
}
