//! Facet counts follow the index as it changes: new segments, deleted types, re-indexed types
//! (the counts are read from facets decoded once per segment, see `src/facets.rs`).

mod common;

use common::{demo, demo_index, search};
use vitrina_search::{FacetKind, SearchResults};

fn count(results: &SearchResults, kind: FacetKind, value: &str) -> u64 {
    results
        .facets
        .get(&kind)
        .and_then(|v| v.iter().find(|(k, _)| k == value))
        .map_or(0, |(_, c)| *c)
}

#[test]
fn facet_counts_follow_deletions_and_new_segments() {
    let index = demo_index();
    let before = search(&index, "");
    assert_eq!(count(&before, FacetKind::Category, "mopr-badge"), 1);
    assert_eq!(count(&before, FacetKind::Issuer, "MOPR"), 1);
    let silver = count(&before, FacetKind::Material, "silver");

    let mopr = demo()
        .types
        .into_iter()
        .find(|t| t.slug.as_str() == "mopr-badge")
        .expect("the demo has the MOPR badge");
    index.remove_type("mopr-badge").unwrap();
    index.commit().unwrap();
    let removed = search(&index, "");
    assert_eq!(removed.total, before.total - 1);
    assert_eq!(count(&removed, FacetKind::Category, "mopr-badge"), 0);
    assert_eq!(count(&removed, FacetKind::Issuer, "MOPR"), 0);
    assert!(
        removed.facets[&FacetKind::Category]
            .iter()
            .all(|(v, _)| v != "mopr-badge"),
        "a value no matching type has is not listed"
    );

    // Indexed again, in a new segment: counted once, with the rest unchanged.
    index.index_type(&mopr).unwrap();
    index.commit().unwrap();
    let again = search(&index, "");
    assert_eq!(again.total, before.total);
    assert_eq!(again.facets, before.facets);
    assert_eq!(count(&again, FacetKind::Material, "silver"), silver);
}
