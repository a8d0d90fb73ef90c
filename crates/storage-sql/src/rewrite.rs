//! Rewrites of stored types that are not a save of the type: a category renamed or deleted
//! under them, a move, and the change log that every write to types ends with.

use std::sync::atomic::Ordering;

use sqlx::Transaction;
use vitrina_catalogue::{BadgeType, Slug, TypeId};
use vitrina_storage::{Author, ChangeOp, HistoryOp, RecordKind, Result, StorageError, TypeSummary};

use crate::error::{json, map};
use crate::history::Entry;
use crate::write::publicly;
use crate::{Conn, doc};

/// The lists a record can be moved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordered {
    Categories,
    Types,
}

impl Ordered {
    fn table(self) -> &'static str {
        match self {
            Ordered::Categories => "categories",
            Ordered::Types => "badge_types",
        }
    }
}

/// The changes a transaction makes to what the public sees of types, logged together as its
/// last step before COMMIT ([`SqlStore::log_changes`]).
#[derive(Debug, Default)]
pub struct Changes(Vec<(String, ChangeOp)>);

impl Changes {
    pub fn push(&mut self, slug: &str, op: ChangeOp) {
        self.0.push((slug.to_owned(), op));
    }
}

sql_impl! {
    impl SqlStore<D> {
        /// Rewrites the category lists of the types in category `category_id` after it was renamed
        /// (`to` is `Some`) or deleted (`None`), bumps their versions (their content changed) and records
        /// the change in each type's history.
        pub async fn retag_types(
            conn: &mut Conn<D>,
            category_id: i64,
            from: &Slug,
            to: Option<&Slug>,
            changes: &mut Changes,
            author: &Author,
        ) -> Result<()> {
            // In id order, so two transactions locking the same types cannot deadlock.
            let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(D::sql(
                "SELECT id, slug, version, CAST(document AS TEXT), CAST(summary AS TEXT) \
                 FROM badge_types \
                 WHERE id IN (SELECT type_id FROM type_categories WHERE category_id = $1) \
                 ORDER BY id {FOR UPDATE}",
            ))
            .bind(category_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(map::<D>)?;
            let retag = |slugs: &mut Vec<Slug>| match to {
                Some(to) => slugs
                    .iter_mut()
                    .filter(|s| *s == from)
                    .for_each(|s| *s = to.clone()),
                None => slugs.retain(|s| s != from),
            };
            for (id, type_slug, version, document, summary) in rows {
                let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
                let mut s: TypeSummary = serde_json::from_str(&summary).map_err(json)?;
                changes.push(&type_slug, publicly(t.published));
                retag(&mut t.categories);
                retag(&mut s.categories);
                sqlx::query(
                    "UPDATE badge_types SET document = $1, summary = $2, \
                     version = version + 1 WHERE id = $3",
                )
                .bind(doc(&t)?)
                .bind(doc(&s)?)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(map::<D>)?;
                t.id = Some(TypeId::new(id));
                t.version = version + 1;
                Self::load_private(&mut *conn, &mut t, id).await?;
                Self::record(
                    conn,
                    author,
                    Entry {
                        kind: RecordKind::Type,
                        record_id: id,
                        key: &type_slug,
                        version: t.version,
                        op: HistoryOp::Update,
                        record: &t,
                    },
                )
                .await?;
            }
            Ok(())
        }

        /// Writes the change-log rows of a transaction, in the order the changes were made, and
        /// commits it: the last steps of every write, the first row under the dialect's
        /// change-log lock. Then notes the last `seq` written ([`vitrina_storage::ChangeLog::written_through`]).
        pub async fn commit_logged(
            &self,
            mut tx: Transaction<'static, D::DB>,
            changes: Changes,
        ) -> Result<()> {
            let last = Self::log_changes(&mut tx, changes).await?;
            tx.commit().await.map_err(map::<D>)?;
            if let Some(seq) = last {
                self.written.fetch_max(seq, Ordering::AcqRel);
            }
            Ok(())
        }

        /// The change-log rows of [`Self::commit_logged`]; the last `seq`, if any was written.
        async fn log_changes(conn: &mut Conn<D>, changes: Changes) -> Result<Option<i64>> {
            let mut last = None;
            for (i, (slug, op)) in changes.0.iter().enumerate() {
                let sql = if i == 0 {
                    D::sql(
                        "INSERT INTO changes (type_slug, op) SELECT $1, $2 FROM {LOCK CHANGE LOG} \
                         RETURNING seq",
                    )
                } else {
                    D::sql("INSERT INTO changes (type_slug, op) VALUES ($1, $2) RETURNING seq")
                };
                let seq: i64 = sqlx::query_scalar(sql)
                    .bind(slug.as_str())
                    .bind(op.as_str())
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(map::<D>)?;
                last = Some(seq);
            }
            Ok(last)
        }

        /// What moving `slug` to `to_index` in `list` rewrites: `(id, new position)` pairs (see
        /// [`vitrina_storage::placements`]), read in the caller's transaction after the dialect's
        /// lock on the list, so every other writer of positions waits and the order read here stays
        /// the order written. An unknown slug is `NotFound`.
        pub async fn moves(
            conn: &mut Conn<D>,
            list: Ordered,
            slug: &Slug,
            to_index: u64,
        ) -> Result<Vec<(i64, i64)>> {
            D::lock_order(&mut *conn, list.table())
                .await
                .map_err(map::<D>)?;
            let (find, order, what) = match list {
                Ordered::Categories => (
                    "SELECT id FROM categories WHERE slug = $1",
                    "SELECT id, position FROM categories ORDER BY position, slug",
                    "category",
                ),
                Ordered::Types => (
                    "SELECT id FROM badge_types WHERE slug = $1",
                    "SELECT id, position FROM badge_types ORDER BY position, name_en, id",
                    "badge type",
                ),
            };
            let moved: i64 = sqlx::query_scalar(find)
                .bind(slug.as_str())
                .fetch_optional(&mut *conn)
                .await
                .map_err(map::<D>)?
                .ok_or_else(|| StorageError::not_found(what, slug))?;
            let order: Vec<(i64, i64)> = sqlx::query_as(order)
                .fetch_all(&mut *conn)
                .await
                .map_err(map::<D>)?;
            let from = order.iter().position(|&(id, _)| id == moved).unwrap_or(0);
            let positions: Vec<i64> = order.iter().map(|&(_, p)| p).collect();
            Ok(vitrina_storage::placements(&positions, from, to_index)
                .into_iter()
                .map(|(i, position)| (order[i].0, position))
                .collect())
        }

        /// Gives stored type `type_id` a new position (a move): its column, document and summary, a new
        /// version, a revision and a change-log row, as a save would.
        pub async fn reposition_type(
            conn: &mut Conn<D>,
            type_id: i64,
            position: i64,
            changes: &mut Changes,
            author: &Author,
        ) -> Result<()> {
            let (slug, version, document, summary): (String, i64, String, String) =
                sqlx::query_as(D::sql(
                    "SELECT slug, version, CAST(document AS TEXT), CAST(summary AS TEXT) \
                 FROM badge_types WHERE id = $1 {FOR UPDATE}",
                ))
                .bind(type_id)
                .fetch_one(&mut *conn)
                .await
                .map_err(map::<D>)?;
            let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
            let mut s: TypeSummary = serde_json::from_str(&summary).map_err(json)?;
            t.position = position;
            s.position = position;
            sqlx::query("UPDATE badge_types SET position = $1, document = $2, summary = $3, version = $4 WHERE id = $5")
                .bind(position)
                .bind(doc(&t)?)
                .bind(doc(&s)?)
                .bind(version + 1)
                .bind(type_id)
                .execute(&mut *conn)
                .await
                .map_err(map::<D>)?;
            sqlx::query("UPDATE type_categories SET position = $1 WHERE type_id = $2")
                .bind(position)
                .bind(type_id)
                .execute(&mut *conn)
                .await
                .map_err(map::<D>)?;
            changes.push(&slug, publicly(t.published));
            t.id = Some(TypeId::new(type_id));
            t.version = version + 1;
            Self::load_private(&mut *conn, &mut t, type_id).await?;
            Self::record(
                conn,
                author,
                Entry {
                    kind: RecordKind::Type,
                    record_id: type_id,
                    key: &slug,
                    version: t.version,
                    op: HistoryOp::Update,
                    record: &t,
                },
            )
            .await
        }
    }
}
