//! Cached match sets of broad clauses: the idea of Lucene's query cache, for the clauses whose
//! matches are worth keeping.
//!
//! A word that a large part of the collection holds ("back" of "screw-back" is in nearly
//! every type's variants) has long posting lists in each of the ways a text is indexed
//! (folded, stemmed, transliterated). Every query with the word walked all of them, scoring
//! each posting, only to learn that nearly every type matches; at a million types that was
//! most of the time of the slowest queries. The same holds for the prefix of a word typed so
//! far ("th…"), whose matches tantivy collects into a bit set for each search.
//!
//! Such a clause is wrapped in a [`CachedDocs`]: for each segment its matches are collected
//! once into a bit set, kept in a [`DocSetCache`] within a byte budget, and served from there
//! as a constant score until the segment goes away (segments never change; a deleted type
//! stays in the bit set as it stays in the postings, and the collector skips it).
//!
//! What is given up: a cached clause scores every match alike. [`crate::query`] gives
//! broad words' text matches no score for choosing the candidates and scores them fully only
//! for the best candidates, where they reorder the page; see `BROAD_SHARE` there.

use std::fmt;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// The memory the cached match sets may take: a segment of a million types takes 122 KiB a
/// clause, so this keeps about 500 broad words or prefixes at that size.
pub(crate) const DOCSET_CACHE_BYTES: u64 = 64 << 20;

type Key = (SegmentId, Arc<str>);

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<Key, Arc<BitSet>> for Weigh {
    fn weight(&self, key: &Key, docs: &Arc<BitSet>) -> u64 {
        u64::from(docs.max_value() / 8) + key.1.len() as u64 + 64
    }
}

/// Match sets by segment and clause, within [`DOCSET_CACHE_BYTES`].
pub(crate) struct DocSetCache {
    sets: quick_cache::sync::Cache<Key, Arc<BitSet>, Weigh>,
}

impl Default for DocSetCache {
    fn default() -> Self {
        Self::new(DOCSET_CACHE_BYTES)
    }
}

impl DocSetCache {
    pub(crate) fn new(budget_bytes: u64) -> Self {
        Self {
            // sized for entries of a quarter-million-type segment
            sets: quick_cache::sync::Cache::with_weighter(
                usize::try_from(budget_bytes / 32_768).unwrap_or(1).max(16),
                budget_bytes,
                Weigh,
            ),
        }
    }

    /// Forgets the match sets of the segments not in `live`.
    pub(crate) fn retain_segments(&self, live: &[SegmentId]) {
        self.sets.retain(|(segment, _), _| live.contains(segment));
    }

    /// How many match sets are kept (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.sets.len()
    }
}

/// A clause whose matches in each segment are taken from the cache (collected on first use);
/// each match scores `score`.
pub(crate) struct CachedDocs {
    /// Identifies the clause: its `Debug` form, which names every field, term and option.
    key: Arc<str>,
    inner: Box<dyn Query>,
    score: Score,
    cache: Arc<DocSetCache>,
}

impl CachedDocs {
    pub(crate) fn new(inner: Box<dyn Query>, score: Score, cache: Arc<DocSetCache>) -> Self {
        Self {
            key: format!("{inner:?}").into(),
            inner,
            score,
            cache,
        }
    }
}

impl Clone for CachedDocs {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            inner: self.inner.box_clone(),
            score: self.score,
            cache: self.cache.clone(),
        }
    }
}

impl fmt::Debug for CachedDocs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CachedDocs({}, score {})", self.key, self.score)
    }
}

impl CachedDocs {
    /// The weight: the clause's own, without scores (only its matches are read).
    fn cached_weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<CachedWeight> {
        let matching = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        Ok(CachedWeight {
            key: self.key.clone(),
            inner: self.inner.weight(matching)?,
            score: self.score,
            cache: self.cache.clone(),
        })
    }
}

impl Query for CachedDocs {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.cached_weight(enable_scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct CachedWeight {
    key: Arc<str>,
    inner: Box<dyn Weight>,
    score: Score,
    cache: Arc<DocSetCache>,
}

impl CachedWeight {
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<Arc<BitSet>> {
        let key = (reader.segment_id(), self.key.clone());
        // Two searches may collect the same set at once; both get it right.
        self.cache.sets.get_or_insert_with(&key, || {
            let mut docs = BitSet::with_max_value(reader.max_doc());
            let mut scorer = self.inner.scorer(reader, 1.0)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                docs.insert(doc);
                doc = scorer.advance();
            }
            Ok::<_, tantivy::TantivyError>(Arc::new(docs))
        })
    }
}

impl Weight for CachedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.docs(reader)?;
        Ok(Box::new(ConstScorer::new(
            BitSetDocSet::from(BitSet::clone(&docs)),
            self.score * boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.docs(reader)?.contains(doc) {
            Ok(Explanation::new("cached match set", self.score))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )))
        }
    }
}

/// The types in all of several cached match sets: the sets are intersected a bucket of 64
/// types at a time, so the types in all of them are found without visiting the others.
#[derive(Clone, Debug)]
pub(crate) struct CachedIntersection {
    parts: Vec<CachedDocs>,
}

impl CachedIntersection {
    /// `parts` must not be empty.
    pub(crate) fn new(parts: Vec<CachedDocs>) -> Self {
        assert!(!parts.is_empty(), "an intersection of nothing");
        Self { parts }
    }
}

impl Query for CachedIntersection {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let parts = self
            .parts
            .iter()
            .map(|p| p.cached_weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(IntersectionWeight { parts }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for p in &self.parts {
            p.query_terms(visitor);
        }
    }
}

struct IntersectionWeight {
    parts: Vec<CachedWeight>,
}

impl IntersectionWeight {
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<BucketDocSet> {
        let sets = self
            .parts
            .iter()
            .map(|p| p.docs(reader))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(BucketDocSet::intersection(&sets, reader.max_doc()))
    }
}

impl Weight for IntersectionWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(self.docs(reader)?, 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut docs = self.docs(reader)?;
        if docs.seek(doc) == doc {
            Ok(Explanation::new("cached match sets, intersected", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )))
        }
    }
}

/// Types as buckets of 64 bits (bit `i` of bucket `b` is type `64 b + i`).
struct BucketDocSet {
    buckets: Vec<u64>,
    /// The bucket of `doc`, and its bits after `doc`.
    bucket: usize,
    rest: u64,
    doc: DocId,
    len: u32,
}

impl BucketDocSet {
    fn intersection(sets: &[Arc<BitSet>], max_doc: u32) -> Self {
        let n = max_doc.div_ceil(64);
        let mut len = 0;
        let buckets = (0..n)
            .map(|b| {
                let all = sets.iter().fold(u64::MAX, |all, set| {
                    all & u64::from_le_bytes(set.tinyset(b).into_bytes())
                });
                len += all.count_ones();
                all
            })
            .collect();
        let mut docs = Self {
            buckets,
            bucket: 0,
            rest: 0,
            doc: 0,
            len,
        };
        docs.rest = docs.buckets.first().copied().unwrap_or(0);
        docs.advance();
        docs
    }

    fn terminate(&mut self) -> DocId {
        self.bucket = self.buckets.len();
        self.rest = 0;
        self.doc = TERMINATED;
        TERMINATED
    }
}

impl DocSet for BucketDocSet {
    fn advance(&mut self) -> DocId {
        while self.rest == 0 {
            self.bucket += 1;
            match self.buckets.get(self.bucket) {
                Some(&next) => self.rest = next,
                None => return self.terminate(),
            }
        }
        let bit = self.rest.trailing_zeros();
        self.rest &= self.rest - 1;
        self.doc = self.bucket as u32 * 64 + bit;
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let bucket = (target / 64) as usize;
        let Some(&bits) = self.buckets.get(bucket) else {
            return self.terminate();
        };
        self.bucket = bucket;
        self.rest = bits & (u64::MAX << (target % 64));
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{FuzzyTermQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, doc};

    fn index() -> (Index, tantivy::schema::Field) {
        let mut b = Schema::builder();
        let word = b.add_text_field("word", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for text in ["back", "bag", "back", "pin", "backs", "back"] {
            w.add_document(doc!(word => text)).unwrap();
        }
        w.commit().unwrap();
        (index, word)
    }

    #[test]
    fn answers_like_the_clause_and_keeps_one_set_per_segment() {
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        let cache = Arc::new(DocSetCache::default());
        let term = TermQuery::new(
            Term::from_field_text(word, "back"),
            IndexRecordOption::Basic,
        );
        let cached = CachedDocs::new(Box::new(term.clone()), 2.5, cache.clone());
        assert_eq!(searcher.search(&cached, &Count).unwrap(), 3);
        assert_eq!(cache.len(), searcher.segment_readers().len());
        // again, from the cache: the same documents, each with the constant score
        let top = searcher
            .search(&cached, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        let plain = searcher
            .search(&term, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        let docs = |v: &[(f32, tantivy::DocAddress)]| {
            let mut d: Vec<_> = v.iter().map(|&(_, a)| a).collect();
            d.sort();
            d
        };
        assert_eq!(docs(&top), docs(&plain));
        assert!(top.iter().all(|&(s, _)| s == 2.5));
        assert_eq!(cache.len(), searcher.segment_readers().len());
    }

    #[test]
    fn different_clauses_have_different_sets() {
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        let cache = Arc::new(DocSetCache::default());
        let prefix = |p: &str| {
            CachedDocs::new(
                Box::new(FuzzyTermQuery::new_prefix(
                    Term::from_field_text(word, p),
                    0,
                    true,
                )),
                1.0,
                cache.clone(),
            )
        };
        assert_eq!(searcher.search(&prefix("ba"), &Count).unwrap(), 5);
        assert_eq!(searcher.search(&prefix("back"), &Count).unwrap(), 4);
        assert_eq!(searcher.search(&prefix("p"), &Count).unwrap(), 1);
        assert_eq!(searcher.search(&prefix("ba"), &Count).unwrap(), 5);
    }

    #[test]
    fn keeps_within_its_budget() {
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        // room for a few sets only
        let cache = Arc::new(DocSetCache::new(4 * 200));
        for i in 0..50 {
            let q = CachedDocs::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(word, &format!("w{i}")),
                    IndexRecordOption::Basic,
                )),
                1.0,
                cache.clone(),
            );
            assert_eq!(searcher.search(&q, &Count).unwrap(), 0);
        }
        assert!(cache.len() < 50, "{}", cache.len());
    }
}
