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

/// The most codes of one [`Pack`]: its counts (four bytes a code) stay in the core's cache.
const MAX_PACK_CODES: usize = 1 << 14;

/// One segment's facets, decoded.
///
/// Most kinds hold at most one value per type (a type has one category, one decade, one
/// rarity…). Such kinds are packed together into one small number per type, a mixed-radix
/// code ([`Pack`]), so that counting a type is one increment per pack instead of one per
/// value; the codes are turned back into values once per search, when the counts are read.
/// Kinds with several values per type (materials) keep a list of ordinals per type.
pub(crate) struct SegmentFacets {
    packs: Vec<Pack>,
    /// The values of the unpacked kinds of type `doc` are `ords[starts[doc]..starts[doc + 1]]`,
    /// sorted, no repeats.
    starts: Vec<u32>,
    ords: Vec<u32>,
    /// The kind and value of each ordinal of the segment's facet dictionary (`None` for a
    /// facet outside the kinds, which is not counted).
    names: Vec<Option<(FacetKind, String)>>,
}

/// Kinds with at most one value per type, packed: the code of a type is the sum over the
/// kinds of `digit * stride`, where the digit is 0 for no value and `i + 1` for `ords[i]`.
struct Pack {
    codes: Vec<u16>,
    /// Each kind's stride and the ordinals of its values.
    digits: Vec<(u32, Vec<u32>)>,
    /// The number of possible codes.
    size: usize,
}

impl Pack {
    /// Adds the counts of the codes to the counts of the ordinals they stand for.
    fn unpack(&self, hist: &[u32], counts: &mut [u64]) {
        for (code, &n) in hist.iter().enumerate() {
            if n == 0 {
                continue;
            }
            for (stride, ords) in &self.digits {
                let radix = ords.len() + 1;
                let digit = (code / *stride as usize) % radix;
                if digit > 0 {
                    counts[ords[digit - 1] as usize] += u64::from(n);
                }
            }
        }
    }
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
        let kind_of = |ord: u32| names[ord as usize].as_ref().map(|(kind, _)| *kind);
        let max_doc = segment.max_doc();
        // Every type's ordinals, and for each kind its values and whether a type has several.
        let mut all_starts = Vec::with_capacity(max_doc as usize + 1);
        let mut all_ords = Vec::new();
        let mut seen = vec![false; names.len()];
        let mut several: Vec<FacetKind> = Vec::new();
        all_starts.push(0usize);
        let mut doc_ords = Vec::new();
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
            // Sorted ordinals of one kind are adjacent: the dictionary is sorted by path.
            for pair in doc_ords.windows(2) {
                let kind = kind_of(pair[0]);
                if kind == kind_of(pair[1])
                    && let Some(kind) = kind
                    && !several.contains(&kind)
                {
                    several.push(kind);
                }
            }
            for &ord in &doc_ords {
                seen[ord as usize] = true;
            }
            all_ords.extend_from_slice(&doc_ords);
            all_starts.push(all_ords.len());
        }
        // Pack the single-valued kinds, fewest values first, as many to a pack as fit.
        let mut values: BTreeMap<FacetKind, Vec<u32>> = BTreeMap::new();
        for (ord, _) in seen.iter().enumerate().filter(|&(_, &seen)| seen) {
            if let Some(kind) = kind_of(ord as u32) {
                values.entry(kind).or_default().push(ord as u32);
            }
        }
        let mut single: Vec<(FacetKind, Vec<u32>)> = values
            .into_iter()
            .filter(|(kind, ords)| !several.contains(kind) && ords.len() < MAX_PACK_CODES)
            .collect();
        single.sort_by_key(|(_, ords)| ords.len());
        let mut packed_kinds: Vec<Vec<(FacetKind, Vec<u32>)>> = Vec::new();
        let mut size = usize::MAX;
        for (kind, ords) in single {
            let radix = ords.len() + 1;
            match packed_kinds.last_mut() {
                Some(pack) if size * radix <= MAX_PACK_CODES => {
                    pack.push((kind, ords));
                    size *= radix;
                }
                _ => {
                    packed_kinds.push(vec![(kind, ords)]);
                    size = radix;
                }
            }
        }
        let mut packs = Vec::with_capacity(packed_kinds.len());
        // Where each ordinal goes: its pack, stride and digit, if packed.
        let mut place: HashMap<u32, (usize, u32, u32)> = HashMap::new();
        for (p, kinds) in packed_kinds.into_iter().enumerate() {
            let mut stride = 1u32;
            let mut digits = Vec::with_capacity(kinds.len());
            for (_, ords) in kinds {
                for (i, &ord) in ords.iter().enumerate() {
                    place.insert(ord, (p, stride, i as u32 + 1));
                }
                let radix = ords.len() as u32 + 1;
                digits.push((stride, ords));
                stride *= radix;
            }
            packs.push(Pack {
                codes: vec![0; max_doc as usize],
                digits,
                size: stride as usize,
            });
        }
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::new();
        starts.push(0);
        for doc in 0..max_doc as usize {
            for &ord in &all_ords[all_starts[doc]..all_starts[doc + 1]] {
                match place.get(&ord) {
                    Some(&(p, stride, digit)) => {
                        // Below MAX_PACK_CODES by construction.
                        packs[p].codes[doc] += (stride * digit) as u16;
                    }
                    None => ords.push(ord),
                }
            }
            let end = u32::try_from(ords.len()).map_err(|_| {
                SearchError::Engine(tantivy::TantivyError::InternalError(
                    "too many facet values in one segment".into(),
                ))
            })?;
            starts.push(end);
        }
        Ok(Self {
            packs,
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

/// Prepares each new searcher's segments before any query uses them ([`tantivy::Warmer`]):
/// decodes their facets; and drops what is kept for segments no searcher holds any more.
pub(crate) struct SegmentWarmer {
    pub(crate) facets: Arc<FacetCache>,
    pub(crate) docsets: Arc<crate::docsets::DocSetCache>,
}

impl tantivy::Warmer for SegmentWarmer {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        self.facets.collector(searcher).map_err(|e| match e {
            SearchError::Engine(e) => e,
            other => tantivy::TantivyError::InternalError(other.to_string()),
        })?;
        Ok(())
    }

    fn garbage_collect(&self, live: &[&tantivy::SearcherGeneration]) {
        let live: Vec<SegmentId> = live
            .iter()
            .flat_map(|g| g.segments().keys().copied())
            .collect();
        self.facets
            .segments
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|id, _| live.contains(id));
        self.docsets.retain_segments(&live);
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
        let hists = facets.packs.iter().map(|p| vec![0; p.size]).collect();
        Ok(SegmentFacetCounter {
            facets,
            counts,
            hists,
        })
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
    /// By ordinal, for the unpacked kinds.
    counts: Vec<u64>,
    /// By pack, then code.
    hists: Vec<Vec<u32>>,
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Vec<(FacetKind, String, u64)>;

    #[inline]
    fn collect(&mut self, doc: DocId, _: Score) {
        let f = &*self.facets;
        let doc = doc as usize;
        for (pack, hist) in f.packs.iter().zip(&mut self.hists) {
            hist[usize::from(pack.codes[doc])] += 1;
        }
        let (from, to) = (f.starts[doc] as usize, f.starts[doc + 1] as usize);
        for &ord in &f.ords[from..to] {
            self.counts[ord as usize] += 1;
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let f = &*self.facets;
        for (pack, hist) in f.packs.iter().zip(&mut self.hists) {
            for &doc in docs {
                hist[usize::from(pack.codes[doc as usize])] += 1;
            }
        }
        for &doc in docs {
            let doc = doc as usize;
            let (from, to) = (f.starts[doc] as usize, f.starts[doc + 1] as usize);
            for &ord in &f.ords[from..to] {
                self.counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        for (pack, hist) in self.facets.packs.iter().zip(&self.hists) {
            pack.unpack(hist, &mut self.counts);
        }
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

#[cfg(test)]
mod tests {
    use tantivy::collector::FacetCollector;
    use tantivy::query::AllQuery;

    use crate::{FacetKind, Query, SearchIndex};

    /// Types with one or two materials and specimens in one or two conditions, so that some
    /// kinds pack and some do not.
    fn index() -> SearchIndex {
        let types = (0..120).map(|i| {
            let second = if i % 4 == 0 { r#", "enamel""# } else { "" };
            let conditions = ["excellent", "good", "fair"];
            let mut text = format!(
                r#"
                slug = "type-{i}"
                position = {i}
                names = {{ en = "Badge {i}", ru = "Знак {i}" }}
                established = {year}
                [[variants]]
                name = {{ en = "Variant" }}
                materials = ["{m}"{second}]
                [[variants.specimens]]
                condition = "{c}"
                "#,
                year = 1920 + i % 50,
                m = ["silver", "bronze", "brass"][i % 3],
                c = conditions[i % 3],
            );
            if i % 5 == 0 {
                text.push_str(&format!(
                    "[[variants.specimens]]\ncondition = \"{}\"\n",
                    conditions[(i + 1) % 3]
                ));
            }
            toml::from_str::<vitrina_catalogue::BadgeType>(&text).unwrap()
        });
        let index = SearchIndex::in_memory().unwrap();
        index.rebuild(types).unwrap();
        index
    }

    #[test]
    fn packed_counts_equal_tantivys_own() {
        let index = index();
        let ours = index.search(&Query::text("")).unwrap().facets;
        let searcher = index.reader.searcher();
        let mut collector = FacetCollector::for_field(super::FIELD);
        for kind in FacetKind::ALL {
            collector.add_facet(format!("/{}", kind.key()).as_str());
        }
        let theirs = searcher.search(&AllQuery, &collector).unwrap();
        let mut compared = 0;
        for kind in FacetKind::ALL {
            let mut expected: Vec<(String, u64)> = theirs
                .get(&format!("/{}", kind.key()))
                .map(|(facet, n)| (facet.to_path().last().unwrap().to_string(), n))
                .collect();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let got = ours.get(&kind).cloned().unwrap_or_default();
            assert_eq!(got, expected, "{kind:?}");
            compared += got.len();
        }
        assert!(compared > 10, "{ours:?}");
        // materials and conditions have several values for some types: not packed
        let segment = &index.facet_cache.collector(&searcher).unwrap().segments[0];
        assert!(!segment.packs.is_empty());
        assert!(!segment.ords.is_empty());
        assert!(
            ours[&FacetKind::Material]
                .iter()
                .any(|(m, _)| m == "enamel")
        );
    }

    #[test]
    fn new_segments_are_decoded_before_any_search() {
        let index = index();
        let decoded = || {
            index
                .facet_cache
                .segments
                .lock()
                .unwrap()
                .keys()
                .copied()
                .collect::<std::collections::BTreeSet<_>>()
        };
        let searched = || {
            index
                .reader
                .searcher()
                .segment_readers()
                .iter()
                .map(|r| r.segment_id())
                .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(decoded(), searched());
        // A type saved again lands in a new segment, decoded as the reader reloads.
        let text = r#"
            slug = "type-3"
            position = 3
            names = { en = "Badge 3, again", ru = "Знак 3" }
            "#;
        index.index_type(&toml::from_str(text).unwrap()).unwrap();
        index.commit().unwrap();
        assert!(searched().is_subset(&decoded()));
        assert_eq!(index.search(&Query::text("again")).unwrap().total, 1);
    }
}
