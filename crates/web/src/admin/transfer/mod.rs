//! Bringing a collection in and taking it out, in the workspace: `/admin/import` (a file
//! uploaded, planned, mapped, checked again, imported as a background job, its report) and
//! `/admin/export` (the collection as CSV, XLSX or JSON). The handlers translate: the use cases
//! are `vitrina_operations::import` and `vitrina_operations::export`, which the API's
//! `/api/v1/imports` and `/api/v1/export` call too; [`intake`] reads what either door is sent.

mod export;
mod import;
pub(crate) mod intake;
mod view;

use crate::routes::Routes;

pub(crate) use export::download;

/// The largest file an import may send unless the app is told otherwise
/// ([`crate::App::with_max_import_bytes`]): 512 MiB, room for a ZIP of a sheet and its photos.
pub(crate) const MAX_IMPORT_BYTES: u64 = 512 * 1024 * 1024;

/// The import and export pages.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .merge(import::routes())
        .merge(export::routes())
}
