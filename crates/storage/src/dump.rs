//! The whole store in and out, for backups and moves between engines: [`DumpStore::dump`] reads
//! everything in one snapshot (a read transaction that sees one moment, however long the read
//! takes and whatever is written meanwhile), [`DumpStore::restore`] writes everything back in
//! one write transaction (all of it lands, or none of it).
//!
//! Records keep their storage ids and versions both ways, so a restored collection is the same
//! collection: history still points at its records, a type's ETag and its photos' ids are what
//! they were, and a revision can still be written back. What the archive looks like on disk is
//! the business of `vitrina-operations`; this is only the door to the database.
//!
//! Accounts are carried when asked: users with their password hashes (argon2id PHC strings,
//! never passwords) and API tokens by the hash of their secret, so scripts keep working after a
//! move. Sessions, sign-in failures and the set-up token are not: they are short-lived, and a
//! restored server starts with everyone signed out.

use std::fmt::Debug;

use async_trait::async_trait;
use vitrina_catalogue::{BadgeType, Category, Collection, TypeId, User};

use crate::{ApiToken, Result, Revision};

/// A user as a backup carries it: the account and its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUser {
    pub user: User,
    pub password_hash: String,
}

/// How many records of each kind a dump holds (read in its snapshot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpCounts {
    /// Whether the collection's title and introduction were ever set.
    pub collection: bool,
    pub categories: u64,
    /// Drafts included.
    pub types: u64,
    pub revisions: u64,
    pub users: u64,
    pub tokens: u64,
}

/// What a restore replaces and brings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Replace what the store holds. Without it, a store that holds a collection, a category,
    /// a type or any history is a `Conflict` (and so are users, when `accounts`).
    pub replace: bool,
    /// The restore brings accounts (users and API tokens): the store's own are replaced (and
    /// every session ends). Without it, the store's accounts stay as they are.
    pub accounts: bool,
}

/// The store's side of backup and restore.
#[async_trait]
pub trait DumpStore: Send + Sync {
    /// Opens a consistent read-only view of the whole store: every read through it sees the
    /// store as it was when the view was opened (on PostgreSQL a `REPEATABLE READ READ ONLY`
    /// transaction, on SQLite a read transaction in WAL mode). Writers are not held up.
    async fn dump(&self) -> Result<Box<dyn DumpReader>>;

    /// Opens the one write transaction of a restore (see [`RestoreOptions`]); a store that
    /// must be empty and is not is a `Conflict`, with nothing changed. The records given to the
    /// writer are written with their ids and versions; dropping it without
    /// [`RestoreWriter::commit`] changes nothing.
    async fn restore(&self, options: RestoreOptions) -> Result<Box<dyn RestoreWriter>>;
}

/// A read-only snapshot of the whole store ([`DumpStore::dump`]).
#[async_trait]
pub trait DumpReader: Send + Debug {
    async fn counts(&mut self) -> Result<DumpCounts>;
    /// The collection's title and introduction; `None` when never set.
    async fn collection(&mut self) -> Result<Option<Collection>>;
    /// Every category, drafts included, in collection order, with its id and version.
    async fn categories(&mut self) -> Result<Vec<Category>>;
    /// At most `limit` types with an id above `after` (from the first when `None`), in id
    /// order: whole, drafts included, with ids, version, private fields and photos' original
    /// names. An empty page is the end.
    async fn types(&mut self, after: Option<TypeId>, limit: u64) -> Result<Vec<BadgeType>>;
    /// At most `limit` revisions with an id above `after`, oldest first.
    async fn revisions(&mut self, after: i64, limit: u64) -> Result<Vec<Revision>>;
    /// Every user with their password hash, by id.
    async fn users(&mut self) -> Result<Vec<StoredUser>>;
    /// Every API token (by the hash of its secret), by id.
    async fn tokens(&mut self) -> Result<Vec<ApiToken>>;
    /// Ends the snapshot.
    async fn finish(self: Box<Self>) -> Result<()>;
}

/// The open transaction of a restore ([`DumpStore::restore`]). Records are given in this order:
/// the collection, the categories, the types (in pages), the revisions (in pages), then users
/// and tokens; a later kind may refer to an earlier one (a type to its categories, a token to
/// its user).
#[async_trait]
pub trait RestoreWriter: Send + Debug {
    async fn collection(&mut self, collection: &Collection) -> Result<()>;
    /// Categories with their ids (and versions).
    async fn categories(&mut self, categories: &[Category]) -> Result<()>;
    /// Types whole, with every id set (the type's and its variants', specimens' and photos'):
    /// a record without one is `Invalid`. A category named by slug must be restored first.
    async fn types(&mut self, types: &[BadgeType]) -> Result<()>;
    async fn revisions(&mut self, revisions: &[Revision]) -> Result<()>;
    async fn users(&mut self, users: &[StoredUser]) -> Result<()>;
    async fn tokens(&mut self, tokens: &[ApiToken]) -> Result<()>;
    /// Commits everything at once, with a change-log row for every type that was replaced,
    /// removed or restored, so followers (other nodes' search indexes and page caches) see it.
    async fn commit(self: Box<Self>) -> Result<()>;
}
