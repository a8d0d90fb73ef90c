//! Shared helpers: the demo collection, small hand-written types, and result readers.
#![allow(dead_code)]

use std::path::PathBuf;

use vitrina_catalogue::{BadgeType, Snapshot};
use vitrina_search::{Query, SearchIndex, SearchResults};

pub fn demo() -> Snapshot {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/collection.toml");
    let text = std::fs::read_to_string(&path).expect("demo/collection.toml");
    toml::from_str(&text).expect("the demo collection parses")
}

pub fn demo_index() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.rebuild(demo().types).unwrap();
    index
}

/// A badge type written as TOML, the way the demo fixture writes them.
pub fn badge(toml_text: &str) -> BadgeType {
    toml::from_str(toml_text).expect("the test type parses")
}

pub fn index_of(types: Vec<BadgeType>) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.rebuild(types).unwrap();
    index
}

pub fn search(index: &SearchIndex, text: &str) -> SearchResults {
    index
        .search(&Query::text(text))
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

pub fn slugs(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.slug.as_str()).collect()
}

pub fn first(index: &SearchIndex, text: &str) -> Option<String> {
    search(index, text).hits.first().map(|h| h.slug.clone())
}
