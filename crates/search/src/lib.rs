//! Search for Vitrina: an embedded tantivy index over the public fields of the catalogue.
//!
//! Collectors search in English, in Russian and in every romanisation in between, so every
//! text is indexed several ways: folded words (exact), English and Russian stems, and
//! transliteration skeleton keys ([`translit`]) that make "MOPR", "МОПР" and "mopr" the same
//! word. A query is never handed to tantivy's query parser: [`SearchIndex::search`] builds the
//! query itself from analysed words, so no syntax error or operator in user input reaches a
//! visitor. Only public data is indexed: [`SearchIndex::index_type`] strips private fields
//! before it reads a type.
//!
//! What this crate leaves out: storage (the index is rebuilt from it, never the other way),
//! HTTP, and the decision of *when* to index, which belongs to the operations layer.

pub mod analyzers;
mod docsets;
mod error;
mod facets;
mod index;
mod query;
mod schema;
mod snippets;
pub mod translit;

pub use error::SearchError;
pub use index::{RebuildReason, SearchIndex};
pub use query::{
    Bounds, Filter, Hit, MAX_FILTERS, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, MAX_QUERY_WORDS,
    Query, SearchResults, Sort,
};
pub use schema::{FacetKind, SCHEMA_VERSION};
pub use snippets::Passage;
