//! A collection as flat rows and back. Import reads a [`vitrina_formats::Table`]: each column
//! is recognised by its header (English, Russian, Vitrina's own export) or mapped by the user
//! ([`Mapping`], kept as a [`Preset`]), each cell is read as collectors write it ([`values`]),
//! and rows become badge types with every problem located by line, record and column
//! ([`read`]). Export writes Vitrina's own columns ([`write`]), so that an export imports back
//! to the same records; the JSON export is the [`vitrina_catalogue::Snapshot`] itself
//! ([`snapshot_to_json`]). No storage, no HTTP: `vitrina-operations` runs imports and exports
//! against the catalogue (modes, dry runs, transactions), and text is normalised there (NFC,
//! line breaks) before it reaches this crate.

mod field;
mod json;
mod mapping;
mod problem;
mod read;
mod syntax;
pub mod values;
mod write;

pub use field::{Field, Level};
pub use json::{JsonError, snapshot_from_json, snapshot_to_json};
pub use mapping::{Column, Mapping, Preset};
pub use problem::{Problem, ProblemKind};
pub use read::{Grouping, Imported, ImportedCategory, Outcome, ReadOptions, read};
pub use write::{export_fields, write, write_types};
