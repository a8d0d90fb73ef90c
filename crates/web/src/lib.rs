//! The public exhibition site: server-rendered HTML pages over [`vitrina_operations::Catalogue`],
//! in English (`/`) and Russian (`/ru/`), with the demo media, fingerprinted assets and a health
//! check.
//!
//! It holds the router, the page handlers (one module per resource under [`pages`]), the
//! templates and CSS (embedded with rust-embed; a templates folder may override them by name),
//! the i18n strings and formatting, Markdown rendering with sanitising, and a bounded cache of
//! rendered pages keyed by the catalogue's generation. It reads only the public aggregate and
//! never renders a specimen's private fields. Search ([`pages::search`]) is here too: the
//! results page with facets, its JSON twin `/api/v1/search`, and the header's search box with
//! its one small script (`assets/search.js`). It leaves out everything that writes: curators'
//! forms and photo derivatives live elsewhere; the binary owns settings, logging set-up, the
//! listening socket and the search index's folder.

mod admin;
pub mod api;
mod assets;
pub mod auth;
mod cache;
mod error;
pub mod i18n;
mod markdown;
pub mod pages;
pub mod problem;
mod router;
pub mod routes;
mod server;
mod state;
mod templates;
mod uploads;
pub mod warm;

pub use cache::DEFAULT_BUDGET_MB as DEFAULT_PAGE_CACHE_MB;
pub use error::{PageError, WebError};
pub use router::router;
pub use server::{ServerLimits, serve, serve_with};
pub use state::{App, WebSettings};
