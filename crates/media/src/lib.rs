//! Photos for Vitrina: from an uploaded file to the derivatives the site serves.
//!
//! [`inspect`] tells the format from the bytes (never the name) and reads the size from the
//! header, refusing anything over [`Limits`] before it is decoded. [`Pipeline::ingest`] stores
//! the untouched original privately under its content hash and queues the derivative work in
//! the store itself, so an upload answers quickly and the work survives a restart. The worker
//! ([`Pipeline::spawn_worker`]) and [`Pipeline::rebuild_all`] call [`render`], which decodes once
//! (JPEGs at a reduced scale; a damaged JPEG that decoder refuses, once more and whole, by a
//! tolerant fallback), converts to sRGB, resizes, applies the EXIF orientation and
//! encodes JPEG and WebP with no metadata at all. Everything lives in a [`MediaStore`]: a local
//! folder ([`LocalStore`]) now, object storage later.
//!
//! What this crate leaves out: HTTP (the upload route and the viewer), photo records in the
//! database, and the CLI; they call this crate.

mod error;
mod inspect;
mod limits;
mod pipeline;
mod render;
mod restart;
mod staging;
mod store;

pub use error::MediaError;
pub use inspect::{Format, Inspection, inspect, inspect_file};
pub use limits::Limits;
pub use pipeline::{
    Ingested, PhotoStatus, Pipeline, content_hash, content_hash_of_key, derivative_key,
    is_private_key, is_public_key, original_key,
};
pub use render::{JPEG_QUALITY, OutFormat, Rendition, Size, WEBP_QUALITY, render};
pub use staging::{Staged, Staging};
pub use store::{LocalStore, MediaObject, MediaStore, validate_key};
