//! The index on disk (or in memory), its one writer and its reader.
//!
//! # Keeping the index current
//!
//! The index is a cache of storage: it can always be rebuilt from it, so a failure here never
//! loses data. [`SearchIndex::open`] reports, through [`SearchIndex::needs_rebuild`], an index
//! that is missing, was written by another schema version, was left half-built, or is
//! unreadable; the binary then calls [`SearchIndex::rebuild`] with every public type.
//!
//! A proposal for the operations layer, which owns the rest: storage keeps a *change log*, one
//! row per saved or deleted type with a monotonically increasing sequence number, written in
//! the same transaction as the change. Each node's index records the last sequence number it
//! applied (in the commit payload of [`SearchIndex::commit_through`]). On start and then every
//! few hundred milliseconds, a node reads the log after that number, calls
//! [`SearchIndex::index_type`] or [`SearchIndex::remove_type`] for each row, and commits with
//! the new number. A write whose indexing failed is simply picked up again on the next pass,
//! and several nodes sharing one PostgreSQL each keep their own index current the same way.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use tantivy::directory::MmapDirectory;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use vitrina_catalogue::BadgeType;

use crate::analyzers;
use crate::error::SearchError;
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// The file, next to tantivy's own, that records the schema version of a *complete* index.
/// It is written after a rebuild commits, so a rebuild cut short leaves no version and is
/// detected on the next start.
const VERSION_FILE: &str = "vitrina-search-version";

/// The most threads one query searches segments with.
const SEARCH_THREADS: usize = 4;

/// The memory budget of the writer that applies changes a few types at a time: tantivy's
/// least. Each commit starts a new segment whose term table is sized from the budget and
/// zeroed, so a larger one costs every small commit milliseconds for nothing.
const WRITER_HEAP_BYTES: usize = 15_000_000;

/// The indexing threads of that writer: one, since a commit rarely holds more than a few
/// documents, and each thread would start its own segment.
const WRITER_THREADS: usize = 1;

/// The smallest segment size the everyday writer's merge policy tells apart. Tantivy's default
/// (10,000) puts every small segment in one tier with a collection's whole rebuilt segment
/// while it holds fewer than that many types, so every eighth small commit rewrote the whole
/// index; with 100, small commits' segments merge among themselves, tier by tier.
const MERGE_MIN_LAYER_DOCS: u32 = 100;

/// The memory budget of a whole rebuild, split over its indexing threads: a larger buffer
/// means fewer, larger segments to merge at the end. Freed when the rebuild ends.
const REBUILD_HEAP_BYTES: usize = 1 << 30;

/// The most indexing threads of a rebuild.
const REBUILD_MAX_THREADS: usize = 4;

/// A rebuild that wrote more segments than this merges them into one. A few segments search
/// about as fast as one (measured with 1,000,000 types: 4 segments and 1 answer the same
/// queries at the same rate), while merging them costs a sixth of the whole build; many small
/// ones would not.
const REBUILD_MAX_SEGMENTS: usize = 4;

/// Why the index must be rebuilt from storage before it can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildReason {
    /// There was no index: a first start, or a new data folder.
    Missing,
    /// The index was written by another version of the schema or analyzers.
    SchemaChanged { found: Option<u32>, expected: u32 },
    /// A rebuild began and did not finish.
    Incomplete,
    /// The index could not be opened; it has been replaced by an empty one.
    Corrupt(String),
}

impl fmt::Display for RebuildReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RebuildReason::Missing => f.write_str("there is no search index yet"),
            RebuildReason::SchemaChanged {
                found: Some(v),
                expected,
            } => write!(
                f,
                "the search index has schema version {v}, this build needs {expected}"
            ),
            RebuildReason::SchemaChanged {
                found: None,
                expected,
            } => write!(
                f,
                "the search index has no schema version, this build needs {expected}"
            ),
            RebuildReason::Incomplete => {
                f.write_str("the last rebuild of the search index did not finish")
            }
            RebuildReason::Corrupt(e) => write!(f, "the search index could not be read ({e})"),
        }
    }
}

/// The search index: one writer behind a lock, and a reader reloaded after every commit.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    /// `None` only while a rebuild swaps its own writer in (tantivy allows one per index).
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
    pub(crate) fields: Fields,
    dir: Option<PathBuf>,
    rebuild: RwLock<Option<RebuildReason>>,
    /// The decoded facets of the segments searched ([`crate::facets`]).
    pub(crate) facet_cache: Arc<crate::facets::FacetCache>,
    /// The match sets of broad clauses ([`crate::docsets`]).
    pub(crate) docsets: Arc<crate::docsets::DocSetCache>,
    /// The reader holds its warmer weakly.
    _warmer: Arc<dyn tantivy::Warmer>,
    /// The fewest types that make a word broad ([`crate::query`]); lowered by tests.
    pub(crate) broad_min_types: u64,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("needs_rebuild", &self.needs_rebuild())
            .finish_non_exhaustive()
    }
}

/// The writer behind its lock, present (see [`SearchIndex::writer`]).
struct WriterGuard<'a>(MutexGuard<'a, Option<IndexWriter<TantivyDocument>>>);

impl std::ops::Deref for WriterGuard<'_> {
    type Target = IndexWriter<TantivyDocument>;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().expect("SearchIndex::writer fills the slot")
    }
}

impl std::ops::DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_mut().expect("SearchIndex::writer fills the slot")
    }
}

/// Adds the published types' documents, made on `threads` threads that take types from the
/// one iterator in batches (making a document is a good part of the work: copying the
/// public texts, gathering facets). Returns how many were added.
fn add_documents<I>(
    writer: &IndexWriter<TantivyDocument>,
    fields: &Fields,
    types: I,
    threads: usize,
) -> Result<usize, SearchError>
where
    I: IntoIterator<Item = BadgeType>,
    I::IntoIter: Send,
{
    const BATCH: usize = 256;
    let source = Mutex::new(types.into_iter());
    let next_batch = || -> Vec<BadgeType> {
        match source.lock() {
            Ok(mut it) => it.by_ref().take(BATCH).collect(),
            Err(_) => Vec::new(),
        }
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<usize, SearchError> {
                    let mut added = 0;
                    loop {
                        let batch = next_batch();
                        if batch.is_empty() {
                            return Ok(added);
                        }
                        for t in batch.into_iter().filter(|t| t.published) {
                            let public = t.into_public();
                            writer.add_document(schema::document(fields, &public))?;
                            added += 1;
                        }
                    }
                })
            })
            .collect();
        let mut total = 0;
        for w in workers {
            total += w.join().map_err(|_| SearchError::Poisoned)??;
        }
        Ok(total)
    })
}

fn read_version(dir: &Path) -> Option<u32> {
    fs::read_to_string(dir.join(VERSION_FILE))
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Whether a folder holds nothing but a search index (or nothing at all), so that it may be
/// emptied. A data folder pointed at by mistake is refused rather than wiped.
fn is_ours(dir: &Path) -> Result<bool, SearchError> {
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        let tantivy_file = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(".tantivy")
            || name == VERSION_FILE
            || name.ends_with(".idx")
            || name.ends_with(".pos")
            || name.ends_with(".term")
            || name.ends_with(".store")
            || name.ends_with(".fast")
            || name.ends_with(".fieldnorm")
            || name.ends_with(".del")
            || name.ends_with(".tmp");
        if !tantivy_file {
            return Ok(false);
        }
    }
    Ok(true)
}

impl SearchIndex {
    /// Opens the index in a folder, creating the folder and an empty index when missing.
    ///
    /// An index that cannot be trusted (missing, another schema version, a rebuild cut short,
    /// unreadable) is replaced by an empty one and reported by [`Self::needs_rebuild`]; only a
    /// folder holding files that are not an index's is an error.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        fs::create_dir_all(dir)?;
        let (schema, fields) = schema::build();
        let has_meta = dir.join("meta.json").exists();
        let version = read_version(dir);
        let mut reason = if !has_meta {
            Some(RebuildReason::Missing)
        } else if version.is_none() && has_meta {
            Some(RebuildReason::Incomplete)
        } else if version != Some(SCHEMA_VERSION) {
            Some(RebuildReason::SchemaChanged {
                found: version,
                expected: SCHEMA_VERSION,
            })
        } else {
            None
        };
        let mut index = None;
        if reason.is_none() {
            match Index::open_in_dir(dir) {
                Ok(i) if i.schema() == schema => index = Some(i),
                Ok(_) => {
                    reason = Some(RebuildReason::SchemaChanged {
                        found: version,
                        expected: SCHEMA_VERSION,
                    })
                }
                Err(e) => reason = Some(RebuildReason::Corrupt(e.to_string())),
            }
        }
        let index = match index {
            Some(i) => i,
            None => Self::recreate(dir, schema)?,
        };
        Self::with_index(index, fields, Some(dir.to_owned()), reason)
    }

    /// Empties the folder (after checking it holds only an index) and creates a new index.
    fn recreate(dir: &Path, schema: Schema) -> Result<Index, SearchError> {
        if !is_ours(dir)? {
            return Err(SearchError::NotAnIndex(dir.to_owned()));
        }
        fs::remove_dir_all(dir)?;
        fs::create_dir_all(dir)?;
        let directory = MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
        Ok(Index::create(directory, schema, Default::default())?)
    }

    /// An index in memory, for tests and for the static export.
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields, None, None)
    }

    fn with_index(
        mut index: Index,
        fields: Fields,
        dir: Option<PathBuf>,
        reason: Option<RebuildReason>,
    ) -> Result<SearchIndex, SearchError> {
        analyzers::register(index.tokenizers());
        // A query searches the index's segments in parallel, one per core: a broad query over a
        // large collection (several segments after a rebuild) answers in a fraction of the time.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores > 1 {
            index.set_multithread_executor(cores.min(SEARCH_THREADS))?;
        }
        let writer = Self::everyday_writer(&index)?;
        let facet_cache = Arc::new(crate::facets::FacetCache::default());
        let docsets = Arc::new(crate::docsets::DocSetCache::default());
        // Each new searcher decodes the facets of its new segments before it is handed out, so
        // no query pays for that (about half a second a million types), and forgets the
        // segments no searcher holds any more.
        let warmer: Arc<dyn tantivy::Warmer> = Arc::new(crate::facets::SegmentWarmer {
            facets: facet_cache.clone(),
            docsets: docsets.clone(),
        });
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![Arc::downgrade(&warmer)])
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
            dir,
            rebuild: RwLock::new(reason),
            facet_cache,
            docsets,
            _warmer: warmer,
            broad_min_types: crate::query::BROAD_MIN_TYPES,
        })
    }

    /// The writer that applies changes (see [`WRITER_HEAP_BYTES`] and [`MERGE_MIN_LAYER_DOCS`]).
    fn everyday_writer(index: &Index) -> Result<IndexWriter<TantivyDocument>, SearchError> {
        let writer = index.writer_with_num_threads(WRITER_THREADS, WRITER_HEAP_BYTES)?;
        let mut policy = LogMergePolicy::default();
        policy.set_min_layer_size(MERGE_MIN_LAYER_DOCS);
        writer.set_merge_policy(Box::new(policy));
        Ok(writer)
    }

    /// Why the index must be rebuilt from storage, if it must. The binary checks this on
    /// start and calls [`Self::rebuild`].
    pub fn needs_rebuild(&self) -> Option<RebuildReason> {
        self.rebuild
            .read()
            .map(|r| r.clone())
            .unwrap_or(Some(RebuildReason::Incomplete))
    }

    /// The writer, behind its lock. A rebuild that failed half-way may have left no writer:
    /// the next caller opens a new one.
    fn writer(&self) -> Result<WriterGuard<'_>, SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        if guard.is_none() {
            *guard = Some(Self::everyday_writer(&self.index)?);
        }
        Ok(WriterGuard(guard))
    }

    /// Adds or replaces a type. Private fields are dropped first, and a draft is removed
    /// rather than added (drafts are never public); takes effect at the next [`Self::commit`].
    pub fn index_type(&self, badge_type: &BadgeType) -> Result<(), SearchError> {
        let writer = self.writer()?;
        writer.delete_term(Term::from_field_text(
            self.fields.slug,
            badge_type.slug.as_str(),
        ));
        if badge_type.published {
            let public = badge_type.clone().into_public();
            writer.add_document(schema::document(&self.fields, &public))?;
        }
        Ok(())
    }

    /// Removes a type by slug; takes effect at the next [`Self::commit`].
    pub fn remove_type(&self, slug: &str) -> Result<(), SearchError> {
        self.writer()?
            .delete_term(Term::from_field_text(self.fields.slug, slug));
        Ok(())
    }

    /// Makes the changes since the last commit durable and visible to searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Like [`Self::commit`], recording a payload with the commit (the last change-log
    /// sequence number applied, in the design proposed above).
    pub fn commit_through(&self, payload: &str) -> Result<(), SearchError> {
        let mut writer = self.writer()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(payload);
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// The payload of the last commit ([`Self::commit_through`]).
    pub fn last_commit_payload(&self) -> Result<Option<String>, SearchError> {
        Ok(self.index.load_metas()?.payload)
    }

    /// Replaces the whole index with these types (drafts left out), then records the schema
    /// version: the index is trusted again. Returns how many types it indexed.
    ///
    /// A rebuild writes with a writer of its own: a large memory budget over every core (so
    /// few segments), documents made on as many threads as feed the indexer, and no merges
    /// while documents go in; then more than [`REBUILD_MAX_SEGMENTS`] segments are merged
    /// into one.
    pub fn rebuild<I>(&self, types: I) -> Result<usize, SearchError>
    where
        I: IntoIterator<Item = BadgeType>,
        I::IntoIter: Send,
    {
        let mut slot = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        if let Some(dir) = &self.dir {
            // Until this rebuild commits, the index on disk is not complete.
            match fs::remove_file(dir.join(VERSION_FILE)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        // Tantivy allows one writer per index: the everyday one goes (dropping what it had not
        // committed, as the rebuild replaces everything anyway) and comes back afterwards.
        drop(slot.take());
        let built = self.rebuild_with_own_writer(types);
        *slot = Some(Self::everyday_writer(&self.index)?);
        drop(slot);
        let count = built?;
        self.reader.reload()?;
        if let Some(dir) = &self.dir {
            let tmp = dir.join(format!("{VERSION_FILE}.tmp"));
            fs::write(&tmp, format!("{SCHEMA_VERSION}\n"))?;
            fs::rename(&tmp, dir.join(VERSION_FILE))?;
        }
        if let Ok(mut r) = self.rebuild.write() {
            *r = None;
        }
        Ok(count)
    }

    fn rebuild_with_own_writer<I>(&self, types: I) -> Result<usize, SearchError>
    where
        I: IntoIterator<Item = BadgeType>,
        I::IntoIter: Send,
    {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = cores.clamp(1, REBUILD_MAX_THREADS);
        let mut writer: IndexWriter<TantivyDocument> = self
            .index
            .writer_with_num_threads(threads, REBUILD_HEAP_BYTES)?;
        // No merges while the segments are written: they would rewrite the same documents
        // several times over, on the cores the indexing needs.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        writer.delete_all_documents()?;
        let count = add_documents(&writer, &self.fields, types, threads)?;
        writer.commit()?;
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > REBUILD_MAX_SEGMENTS {
            writer.merge(&segments).wait()?;
        }
        writer.garbage_collect_files().wait()?;
        writer.wait_merging_threads()?;
        Ok(count)
    }

    /// The underlying tantivy index, for diagnostics and tests.
    pub fn raw_index(&self) -> &Index {
        &self.index
    }

    /// How many types the index holds (as of the last commit).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
