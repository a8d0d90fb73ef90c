//! The phaleristics domain: what a collection of badges *is*, with no SQL, HTTP or files.
//!
//! A collection is a set of [`Category`]s and [`BadgeType`]s. A badge type is an *aggregate*:
//! it owns its [`Variant`]s (silver, bronze…), each variant owns the collector's [`Specimen`]s, and
//! photos hang off the type or a specimen. Storage saves and loads a type as one unit, in one
//! transaction, which keeps the invariants (a specimen always belongs to a variant of its type) in
//! one place.
//!
//! Private data (provenance, price, storage place) lives in [`SpecimenPrivate`], a separate value
//! that storage only loads when asked for [`Access::Private`]; the public site never asks.
//!
//! Every record validates itself ([`Validate`]) so that every entry point — fixture, form, API,
//! import — refuses the same bad input with the same field-by-field messages.

mod accounts;
mod dates;
mod ids;
mod measure;
mod model;
mod schema;
mod slug;
mod validate;

pub use accounts::*;
pub use dates::{DateError, MAX_YEAR, MIN_YEAR, PartialDate, Period, Precision};
pub use ids::{CategoryId, Id, PhotoId, SpecimenId, TypeId, VariantId};
pub use measure::{Amount, AmountError, Dimension, Measurement, Quantity, Range, Unit};
pub use model::*;
pub use slug::{Slug, SlugError};
pub use validate::{
    FieldError, LIMITS, Limit, MAX_ABBREVIATION, MAX_AMOUNT, MAX_CHILDREN, MAX_INVENTORY_NUMBER,
    MAX_LONG_TEXT, MAX_MEDIA_KEY, MAX_NAME, MAX_PRICE_AMOUNT, MAX_SHORT_TEXT, MAX_URL, Validate,
    ValidationErrors,
};

/// Which fields a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A visitor of the public site, the public API, feeds and exports: no private fields.
    Public,
    /// A signed-in curator: private fields included.
    Private,
}

mod snapshot;
pub use snapshot::Snapshot;
