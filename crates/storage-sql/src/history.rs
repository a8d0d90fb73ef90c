//! The history of every record: [`SqlStore::record`] writes a revision inside the caller's
//! transaction; [`HistoryStore`] reads them back.

use async_trait::async_trait;
use serde::Serialize;
use vitrina_catalogue::UserId;
use vitrina_storage::{
    Author, HistoryOp, HistoryStore, Page, RecordKind, Result, Revision, StorageError, from_unix,
    history::now_unix,
};

use crate::error::{json, map};
use crate::{Conn, doc, limit};

/// One revision about to be written.
#[derive(Debug)]
pub struct Entry<'a, T: Serialize> {
    pub kind: RecordKind,
    pub record_id: i64,
    pub key: &'a str,
    pub version: i64,
    pub op: HistoryOp,
    pub record: &'a T,
}

pub(crate) type Row = (
    i64,
    String,
    i64,
    String,
    i64,
    String,
    Option<i64>,
    String,
    i64,
    String,
);

/// The columns a [`Row`] reads, as a literal (sqlx takes only static SQL).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, kind, record_id, key, version, op, author_id, author_name, at, \
             CAST(record AS TEXT) FROM history ",
            $rest
        )
    };
}

pub(crate) fn revision(row: Row) -> Result<Revision> {
    let (id, kind, record_id, key, version, op, author_id, author_name, at, record) = row;
    Ok(Revision {
        id,
        kind: RecordKind::parse(&kind)?,
        record_id,
        key,
        version,
        op: HistoryOp::parse(&op)?,
        author: Author {
            user: author_id.map(UserId::new),
            name: author_name,
        },
        at: from_unix(at),
        record: serde_json::from_str(&record).map_err(json)?,
    })
}

sql_impl! {
    impl SqlStore<D> {
        /// Writes a revision inside the caller's transaction.
        pub async fn record<T: Serialize>(
            conn: &mut Conn<D>,
            author: &Author,
            entry: Entry<'_, T>,
        ) -> Result<()> {
            sqlx::query(
                "INSERT INTO history \
                   (kind, record_id, key, version, op, author_id, author_name, at, record) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(entry.kind.as_str())
            .bind(entry.record_id)
            .bind(entry.key)
            .bind(entry.version)
            .bind(entry.op.as_str())
            .bind(author.user.map(|u| u.get()))
            .bind(author.name.as_str())
            .bind(now_unix())
            .bind(doc(entry.record)?)
            .execute(&mut *conn)
            .await
            .map_err(map::<D>)?;
            Ok(())
        }

        /// The highest version history holds for a record, 0 when none.
        pub async fn last_version(conn: &mut Conn<D>, kind: RecordKind, record_id: i64) -> Result<i64> {
            let v: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(version) FROM history WHERE kind = $1 AND record_id = $2",
            )
            .bind(kind.as_str())
            .bind(record_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(map::<D>)?;
            Ok(v.unwrap_or(0))
        }
    }
}

sql_impl! {
    #[async_trait]
    impl HistoryStore for SqlStore<D> {
        async fn record_history(&self, kind: RecordKind, key: &str) -> Result<Vec<Revision>> {
            let rows: Vec<Row> = sqlx::query_as(select!(
                "WHERE kind = $1 AND record_id IN \
                 (SELECT record_id FROM history WHERE kind = $1 AND key = $2) ORDER BY id DESC"
            ))
            .bind(kind.as_str())
            .bind(key)
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.into_iter().map(revision).collect()
        }

        async fn collection_history(&self, page: Page) -> Result<Vec<Revision>> {
            let (limit, offset) = limit(page);
            let rows: Vec<Row> = sqlx::query_as(select!("ORDER BY id DESC LIMIT $1 OFFSET $2"))
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.read)
                .await
                .map_err(map::<D>)?;
            rows.into_iter().map(revision).collect()
        }

        async fn revision(&self, id: i64) -> Result<Revision> {
            let row: Option<Row> = sqlx::query_as(select!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.read)
                .await
                .map_err(map::<D>)?;
            revision(row.ok_or_else(|| StorageError::not_found("revision", id))?)
        }
    }
}
