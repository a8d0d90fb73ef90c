//! Facet counting. Broad queries match most of the collection, and tantivy's facet collector
//! reads every matching type's facets from the compressed multi-valued column (a presence
//! lookup, two bit-packed start offsets and a bit-packed read per value), which was the largest
//! single cost of such queries. Segments never change once written, so each segment's facet
//! ordinals are decoded once into plain arrays ([`SegmentFacets`]) and kept while the segment
//! is searched; counting a type is then a slice read and an increment per facet.
//!
//! Memory: four bytes per type plus four per facet value of a type (about 30 MiB for a
//! million types with seven facet values each), dropped when the segment is merged away.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, Searcher, SegmentReader};

use crate::error::SearchError;
use crate::schema::FacetKind;

/// The facet field's name in the schema.
const FIELD: &str = "facets";

/// One segment's facets, decoded.
pub(crate) struct SegmentFacets {
    /// The facets of type `doc` are `ords[starts[doc]..starts[doc + 1]]`, sorted, no repeats.
    starts: Vec<u32>,
    ords: Vec<u32>,
    /// The kind and value of each ordinal of the segment's facet dictionary (`None` for a
    /// facet outside the kinds, which is not counted).
    names: Vec<Option<(FacetKind, String)>>,
}

impl SegmentFacets {
    fn read(segment: &SegmentReader) -> Result<Self, SearchError> {
        let reader = segment.facet_reader(FIELD)?;
        let mut names = Vec::with_capacity(reader.num_facets());
        let mut facet = Facet::root();
        for ord in 0..reader.num_facets() as u64 {
            reader.facet_from_ord(ord, &mut facet)?;
            let path = facet.to_path();
            let name = match (
                path.first().and_then(|k| FacetKind::from_key(k)),
                path.get(1),
            ) {
                (Some(kind), Some(value)) => Some((kind, (*value).to_owned())),
                _ => None,
            };
            names.push(name);
        }
        let max_doc = segment.max_doc();
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::new();
        let mut doc_ords = Vec::new();
        starts.push(0);
        for doc in 0..max_doc {
            doc_ords.clear();
            doc_ords.extend(
                reader
                    .facet_ords(doc)
                    .filter(|&o| names.get(o as usize).is_some_and(Option::is_some))
                    .map(|o| o as u32),
            );
            doc_ords.sort_unstable();
            doc_ords.dedup();
            ords.extend_from_slice(&doc_ords);
            let end = u32::try_from(ords.len()).map_err(|_| {
                SearchError::Engine(tantivy::TantivyError::InternalError(
                    "too many facet values in one segment".into(),
                ))
            })?;
            starts.push(end);
        }
        Ok(Self {
            starts,
            ords,
            names,
        })
    }
}

/// The decoded facets of the segments searched lately.
#[derive(Default)]
pub(crate) struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

impl FacetCache {
    /// A collector counting the facets of the matches of a search with this searcher; decodes
    /// the segments not seen before and forgets those no longer searched.
    pub(crate) fn collector(&self, searcher: &Searcher) -> Result<FacetCounter, SearchError> {
        let ids: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        let mut known: Vec<Option<Arc<SegmentFacets>>> = {
            let cache = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
            ids.iter().map(|id| cache.get(id).cloned()).collect()
        };
        // Decoded outside the lock: another search may decode the same segment meanwhile,
        // which costs time once but never gives a wrong count.
        let mut fresh = Vec::new();
        for (i, slot) in known.iter_mut().enumerate() {
            if slot.is_none() {
                let facets = Arc::new(SegmentFacets::read(searcher.segment_reader(i as u32))?);
                fresh.push((ids[i], facets.clone()));
                *slot = Some(facets);
            }
        }
        if !fresh.is_empty() {
            let mut cache = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
            cache.extend(fresh);
            // Keep the segments of this searcher and of searchers opened since (a newer
            // searcher may have added its own meanwhile); forget the rest.
            if cache.len() > 2 * ids.len() + 8 {
                cache.retain(|id, _| ids.contains(id));
            }
        }
        Ok(FacetCounter {
            segments: known.into_iter().flatten().collect(),
        })
    }
}

/// Counts, for each facet kind, its values among the matching types.
pub(crate) struct FacetCounter {
    /// By segment ordinal.
    segments: Vec<Arc<SegmentFacets>>,
}

/// For each facet kind, its values among the matching types, most frequent first (ties by
/// value); kinds with no value are left out.
pub(crate) type FacetCounts = BTreeMap<FacetKind, Vec<(String, u64)>>;

impl Collector for FacetCounter {
    type Fruit = FacetCounts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        segment_ord: u32,
        _segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let facets = self
            .segments
            .get(segment_ord as usize)
            .cloned()
            .ok_or_else(|| {
                tantivy::TantivyError::InternalError(format!(
                    "no decoded facets for segment {segment_ord}"
                ))
            })?;
        let counts = vec![0; facets.names.len()];
        Ok(SegmentFacetCounter { facets, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<Vec<(FacetKind, String, u64)>>,
    ) -> tantivy::Result<FacetCounts> {
        let mut merged: BTreeMap<FacetKind, HashMap<String, u64>> = BTreeMap::new();
        for (kind, value, count) in segments.into_iter().flatten() {
            *merged.entry(kind).or_default().entry(value).or_default() += count;
        }
        Ok(merged
            .into_iter()
            .map(|(kind, values)| {
                let mut values: Vec<(String, u64)> = values.into_iter().collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                (kind, values)
            })
            .collect())
    }
}

pub(crate) struct SegmentFacetCounter {
    facets: Arc<SegmentFacets>,
    counts: Vec<u64>,
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Vec<(FacetKind, String, u64)>;

    #[inline]
    fn collect(&mut self, doc: DocId, _: Score) {
        let f = &*self.facets;
        let doc = doc as usize;
        let (from, to) = (f.starts[doc] as usize, f.starts[doc + 1] as usize);
        for &ord in &f.ords[from..to] {
            self.counts[ord as usize] += 1;
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            self.collect(doc, 0.0);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .filter_map(|(ord, &count)| {
                let (kind, value) = self.facets.names[ord].as_ref()?;
                Some((*kind, value.clone(), count))
            })
            .collect()
    }
}
