//! The SQL both storage backends share: [`SqlStore`] implements every storage trait once, over
//! sqlx and a [`Dialect`] — the few spellings and locks in which SQLite and PostgreSQL differ.
//! Each backend crate keeps what is its own: its connection and pool set-up, its migrations
//! and its `Dialect`.
//!
//! Reads are built to be cheap, because the public type page is served from here: a badge type
//! is stored as one public JSON document (children and their ids included, private fields never)
//! beside a [`vitrina_storage::TypeSummary`] for lists, so a public read is one lookup by the
//! unique slug index and never touches `specimen_private`. The child tables hold only structure
//! (ids, parents, order) so that ids are assigned here and never reused, foreign keys hold and
//! deletes cascade.
//!
//! By aggregate: `categories` (and the collection), `types`, `accounts`, `history`, `store`
//! (the change log, import); `write` saves one type whole and `rewrite` changes stored types
//! otherwise (a category renamed under them, a move) and writes the change log.
//!
//! The code is generic over the dialect, and sqlx states what an engine can do as bounds on
//! its types (`i64: Encode<Sqlite>`…). Rust does not carry a trait's `where` clauses to the
//! places that use the trait, so the one list, which both engines meet, is written once, in
//! [`sql_impl!`]: every generic `impl` here is written through it.

/// `impl<D, DB> [Trait for] SqlStore<D>` with the bounds every statement here needs:
/// connections and pools run queries; `i64`, `Option<i64>`, `bool`, `&str` and JSON are bound;
/// `i64`, `bool` and `String` are read, by index or by column name.
macro_rules! sql_impl {
    ($(#[$attr:meta])* impl SqlStore<D> { $($item:tt)* }) => {
        sql_impl! { @impl [$(#[$attr])*] [] [SqlStore] $($item)* }
    };
    ($(#[$attr:meta])* impl $trait_:ident for SqlStore<D> { $($item:tt)* }) => {
        sql_impl! { @impl [$(#[$attr])*] [$trait_ for] [SqlStore] $($item)* }
    };
    // Another type generic over the dialect (a dump's or a restore's open transaction).
    ($(#[$attr:meta])* impl $trait_:ident for $ty:ident<D> { $($item:tt)* }) => {
        sql_impl! { @impl [$(#[$attr])*] [$trait_ for] [$ty] $($item)* }
    };
    (@impl [$($attr:tt)*] [$($for_:tt)*] [$ty:ident] $($item:tt)*) => {
        $($attr)*
        impl<D, DB> $($for_)* $crate::$ty<D>
        where
            D: $crate::Dialect<DB = DB>,
            DB: ::sqlx::Database,
            for<'c> &'c mut DB::Connection: ::sqlx::Executor<'c, Database = DB>,
            DB::Arguments: ::sqlx::IntoArguments<DB>,
            for<'q> i64: ::sqlx::Encode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> Option<i64>: ::sqlx::Encode<'q, DB>,
            for<'q> bool: ::sqlx::Encode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> &'q str: ::sqlx::Encode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> Box<::serde_json::value::RawValue>: ::sqlx::Encode<'q, DB> + ::sqlx::Type<DB>,
            for<'r> i64: ::sqlx::Decode<'r, DB>,
            for<'r> bool: ::sqlx::Decode<'r, DB>,
            for<'r> String: ::sqlx::Decode<'r, DB> + ::sqlx::Type<DB>,
            usize: ::sqlx::ColumnIndex<DB::Row>,
            for<'a> &'a str: ::sqlx::ColumnIndex<DB::Row>,
        {
            $($item)*
        }
    };
}

mod accounts;
mod categories;
mod dialect;
mod dump;
pub mod error;
mod history;
mod rewrite;
mod store;
mod transfer;
mod types;
mod write;

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use serde::Serialize;
use serde_json::value::RawValue;
use sqlx::{Database, Pool, Transaction};
use vitrina_storage::{Page, Result};

pub use crate::dialect::Dialect;
pub use crate::dump::{SqlDump, SqlRestore};
use crate::error::{json, map};

/// A Vitrina collection in a SQL database, its engine spoken through dialect `D`.
#[derive(Debug, Clone)]
pub struct SqlStore<D: Dialect> {
    /// Where reads go.
    read: Pool<D::DB>,
    /// Where write transactions go: on SQLite one connection, so writers queue here instead of
    /// failing with SQLITE_BUSY; on PostgreSQL the same pool as `read`.
    write: Pool<D::DB>,
    /// The highest change-log `seq` this handle's own writes have committed
    /// ([`vitrina_storage::ChangeLog::written_through`]).
    written: Arc<AtomicI64>,
    dialect: PhantomData<D>,
}

impl<D: Dialect> SqlStore<D> {
    /// Opens the database at `url` the way the dialect's engine does (see its crate) and
    /// migrates it.
    pub async fn open(url: &str) -> Result<Self> {
        D::open(url).await
    }

    /// The same as [`SqlStore::open`], in the word a server's users expect.
    pub async fn connect(url: &str) -> Result<Self> {
        D::open(url).await
    }

    /// A store over pools that are set up and migrated (what a dialect's `open` ends with).
    pub fn from_pools(read: Pool<D::DB>, write: Pool<D::DB>) -> Self {
        Self {
            read,
            write,
            written: Arc::default(),
            dialect: PhantomData,
        }
    }

    /// Opens a write transaction.
    async fn begin(&self) -> Result<Transaction<'static, D::DB>> {
        match D::BEGIN {
            Some(statement) => self.write.begin_with(statement).await,
            None => self.write.begin().await,
        }
        .map_err(map::<D>)
    }
}

/// A connection of the dialect's engine (a transaction derefs to one).
pub type Conn<D> = <<D as Dialect>::DB as Database>::Connection;

/// A record as a JSON column's value: bound as JSON, it lands in a `TEXT` column on SQLite and
/// a `JSONB` one on PostgreSQL alike.
pub fn doc<T: Serialize + ?Sized>(value: &T) -> Result<Box<RawValue>> {
    serde_json::value::to_raw_value(value).map_err(json)
}

/// A page as SQL's `LIMIT` and `OFFSET`.
fn limit(page: Page) -> (i64, i64) {
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    (clamp(page.limit), clamp(page.offset))
}
