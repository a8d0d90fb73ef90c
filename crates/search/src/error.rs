use std::path::PathBuf;

/// What can go wrong in search. The web layer maps the query errors (`QueryTooLong`,
/// `TooManyWords`, `TooManyFilters`, `InvalidFilter`) to 400 and the rest to 500.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search is too long: at most {max} characters")]
    QueryTooLong { max: usize },
    #[error("the search has too many words: at most {max}")]
    TooManyWords { max: usize },
    #[error("too many filters: at most {max}")]
    TooManyFilters { max: usize },
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    #[error("{0} holds files that are not a search index; refusing to replace them")]
    NotAnIndex(PathBuf),
    #[error("the search index writer was poisoned by a panic")]
    Poisoned,
    #[error("search index I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("search engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

impl SearchError {
    /// Whether the error comes from the query rather than from the index: a 400, not a 500.
    pub fn is_bad_query(&self) -> bool {
        matches!(
            self,
            SearchError::QueryTooLong { .. }
                | SearchError::TooManyWords { .. }
                | SearchError::TooManyFilters { .. }
                | SearchError::InvalidFilter(_)
        )
    }
}
