//! What SQLite and PostgreSQL spell differently, as one small trait each backend implements.

use std::fmt::Debug;
use std::future::Future;

use sqlx::error::DatabaseError;
use sqlx::{AssertSqlSafe, Database};

use vitrina_storage::Result;

use crate::{Conn, SqlStore};

/// The few places where the engines differ; the rest of the SQL is shared verbatim (both take
/// `$1` placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING`, `CAST(… AS TEXT)` and row-value
/// comparisons).
///
/// Shared statements mark the spots that differ with tokens, which [`Dialect::sql`] fills in:
///
/// - `{TRUE}`: what a boolean column is compared with. SQLite keeps booleans as 0 and 1, and
///   uses the partial index `… WHERE published = 1` only for a query that says `published = 1`
///   word for word; PostgreSQL has booleans (and reads `published = TRUE` as `published`, so
///   its partial index `WHERE published` serves it).
/// - `{FOR UPDATE}`: the row lock a transaction takes on what it reads before writing it back.
///   SQLite has no row locks and needs none: its write transactions exclude each other.
/// - `{JSON_EACH}`: the table function that turns a JSON array (bound as JSON) into rows with a
///   `value` column.
/// - `{OVERRIDING SYSTEM VALUE}`: what an `INSERT` that gives its own ids to a table whose ids
///   are always generated says before `VALUES` (a restore keeps every record's id). Nothing on
///   SQLite, which takes a given id as it is.
/// - `{LOCK CHANGE LOG}`: a one-row subquery to select a transaction's first change-log row
///   from, which first takes whatever lock makes change-log rows commit in `seq` order (see
///   [`Dialect::LOCK_CHANGE_LOG`]): the lock and the insert are one round trip, so the lock is
///   held for as little as the COMMIT that follows.
///
/// JSON columns are `TEXT` on SQLite and `JSONB` on PostgreSQL; the shared SQL reads them as
/// `CAST(column AS TEXT)` and binds them as JSON ([`crate::doc`]), which fits both.
pub trait Dialect: Clone + Debug + Send + Sync + 'static {
    type DB: Database;

    /// What [`vitrina_storage::Store::engine`] answers: `"sqlite"` or `"postgres"`.
    const ENGINE: &'static str;
    /// The engine's name in messages: `"SQLite"`.
    const NAME: &'static str;
    /// See `{TRUE}` above.
    const TRUE: &'static str;
    /// See `{FOR UPDATE}` above: `"FOR UPDATE"` or `""`.
    const FOR_UPDATE: &'static str;
    /// See `{JSON_EACH}` above.
    const JSON_EACH: &'static str;
    /// See `{LOCK CHANGE LOG}` above. Backends promise that sequence numbers become visible in
    /// order ([`vitrina_storage::ChangeLog`]); an engine that needs a lock to ensure it takes it
    /// here, in the statement that writes a transaction's first change-log row, its last step
    /// before COMMIT. A subquery with an alias: `(SELECT 1) AS change_log_lock` if none is
    /// needed.
    const LOCK_CHANGE_LOG: &'static str;
    /// How to ask for a statement's plan: the prefix, and the column of the answer's rows that
    /// describes each step ([`crate::SqlStore::explain_types_after`]).
    const EXPLAIN: (&'static str, &'static str);
    /// The statement that opens a write transaction; `None` for the engine's plain `BEGIN`.
    const BEGIN: Option<&'static str>;
    /// The statement that opens a read-only transaction in which every statement sees the same
    /// snapshot of the database (a backup); `None` for the engine's plain `BEGIN`.
    const BEGIN_SNAPSHOT: Option<&'static str>;
    /// See `{OVERRIDING SYSTEM VALUE}` above.
    const OVERRIDING_SYSTEM_VALUE: &'static str;

    /// Connects to the database at `url` (a URL of this engine; others are `Unavailable`),
    /// migrates it, and returns the store over its pools.
    fn open(url: &str) -> impl Future<Output = Result<SqlStore<Self>>> + Send;

    /// Run first in a transaction that rewrites the positions of `table`'s rows (a move), so
    /// that the order it reads stays the order it writes: no other writer of positions may
    /// commit in between. `table` is a literal of the shared code.
    fn lock_order(
        conn: &mut Conn<Self>,
        table: &'static str,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// After rows were inserted into `table` with ids of their own (a restore): makes the ids
    /// the engine hands out next come after the highest one there, so a new record never
    /// takes an id that is in use. `table` is a literal of the shared code.
    fn continue_ids(
        conn: &mut Conn<Self>,
        table: &'static str,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// How many rows a statement changed (sqlx has no trait for it).
    fn rows_affected(done: &<Self::DB as Database>::QueryResult) -> u64;

    /// Whether a unique violation is on `table.column` (for a message that says what is
    /// taken).
    fn is_unique_on(e: &dyn DatabaseError, table: &str, column: &str) -> bool;

    /// Whether an error means that this database cannot be used at all (it does not exist,
    /// refuses the login, is not a database…), rather than that one statement failed.
    fn is_unusable(e: &dyn DatabaseError) -> bool;

    /// A shared statement in this dialect: `template` with its tokens filled in. Templates are
    /// literals (`'static`), never built from input, so the result is safe to run.
    fn sql(template: &'static str) -> AssertSqlSafe<String> {
        AssertSqlSafe(fill(
            template,
            &[
                ("{TRUE}", Self::TRUE),
                ("{FOR UPDATE}", Self::FOR_UPDATE),
                ("{JSON_EACH}", Self::JSON_EACH),
                ("{LOCK CHANGE LOG}", Self::LOCK_CHANGE_LOG),
                ("{OVERRIDING SYSTEM VALUE}", Self::OVERRIDING_SYSTEM_VALUE),
            ],
        ))
    }
}

/// `template` with every token replaced by its value; other braces (a `'{}'` literal) stay.
fn fill(template: &str, tokens: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match tokens.iter().find(|(token, _)| rest.starts_with(token)) {
            Some((token, value)) => {
                out.push_str(value);
                rest = &rest[token.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn tokens_are_filled_in_and_other_braces_kept() {
        let tokens = [("{TRUE}", "1"), ("{FOR UPDATE}", "")];
        assert_eq!(
            fill(
                "SELECT '{}' FROM t WHERE p = {TRUE} AND q = {TRUE} {FOR UPDATE}",
                &tokens
            ),
            "SELECT '{}' FROM t WHERE p = 1 AND q = 1 "
        );
        assert_eq!(fill("{", &tokens), "{");
        assert_eq!(fill("{TRU", &tokens), "{TRU");
        assert_eq!(fill("a{TRUE}", &tokens), "a1");
    }
}
