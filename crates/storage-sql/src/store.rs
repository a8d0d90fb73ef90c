//! The store as a whole: the change log, and what [`Store`] adds to the aggregates (import,
//! emptiness, the list of slugs).

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use vitrina_catalogue::{CategoryId, Slug, Snapshot, TypeId, Validate};
use vitrina_storage::{Author, Change, ChangeLog, ChangeOp, HistoryOp, RecordKind, Result, Store};

use crate::error::map;
use crate::history::Entry;
use crate::rewrite::Changes;
use crate::write::{Ids, category_data, parse_slug};

sql_impl! {
    #[async_trait]
    impl ChangeLog for SqlStore<D> {
        fn written_through(&self) -> i64 {
            self.written.load(Ordering::Acquire)
        }

        async fn changes_since(&self, after: i64, limit: u64) -> Result<Vec<Change>> {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT seq, type_slug, op FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.into_iter()
                .map(|(seq, slug, op)| {
                    Ok(Change {
                        seq,
                        slug: parse_slug(&slug)?,
                        op: ChangeOp::parse(&op)?,
                    })
                })
                .collect()
        }

        async fn last_change(&self) -> Result<i64> {
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes")
                .fetch_one(&self.read)
                .await
                .map_err(map::<D>)?;
            Ok(last.unwrap_or(0))
        }
    }
}

sql_impl! {
    #[async_trait]
    impl Store for SqlStore<D> {
        fn engine(&self) -> &'static str {
            D::ENGINE
        }

        async fn ping(&self) -> Result<()> {
            sqlx::query("SELECT 1")
                .execute(&self.read)
                .await
                .map_err(map::<D>)?;
            Ok(())
        }

        async fn is_empty(&self) -> Result<bool> {
            let any: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM collection) OR EXISTS (SELECT 1 FROM categories) \
                 OR EXISTS (SELECT 1 FROM badge_types)",
            )
            .fetch_one(&self.read)
            .await
            .map_err(map::<D>)?;
            Ok(!any)
        }

        async fn import(&self, snapshot: &Snapshot) -> Result<()> {
            snapshot.validate()?;
            let author = Author::system();
            let mut tx = self.begin().await?;
            Self::write_collection(&mut tx, &snapshot.collection, &author).await?;
            for c in &snapshot.categories {
                let existed: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
                        .bind(c.slug.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map::<D>)?;
                let (id, version): (i64, i64) = sqlx::query_as(
                    "INSERT INTO categories (slug, position, data, published, version) \
                     VALUES ($1, $2, $3, $4, 1) \
                     ON CONFLICT (slug) DO UPDATE SET position = excluded.position, \
                       data = excluded.data, published = excluded.published, \
                       version = categories.version + 1 \
                     RETURNING id, version",
                )
                .bind(c.slug.as_str())
                .bind(c.position)
                .bind(category_data(c)?)
                .bind(c.published)
                .fetch_one(&mut *tx)
                .await
                .map_err(map::<D>)?;
                let mut stored = c.clone();
                stored.id = Some(CategoryId::new(id));
                stored.version = version;
                Self::record(
                    &mut tx,
                    &author,
                    Entry {
                        kind: RecordKind::Category,
                        record_id: id,
                        key: c.slug.as_str(),
                        version,
                        op: if existed.is_some() {
                            HistoryOp::Update
                        } else {
                            HistoryOp::Create
                        },
                        record: &stored,
                    },
                )
                .await?;
            }
            let categories = Self::category_ids(&mut tx).await?;
            let existing: HashMap<String, i64> =
                sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM badge_types")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map::<D>)?
                    .into_iter()
                    .collect();
            let mut changes = Changes::default();
            for t in &snapshot.types {
                let target = existing.get(t.slug.as_str()).map(|&id| TypeId::new(id));
                let stored =
                    Self::write_type(&mut tx, t, target, Ids::Lenient, &categories, &mut changes)
                        .await?;
                let op = match target {
                    Some(_) => HistoryOp::Update,
                    None => HistoryOp::Create,
                };
                Self::finish_type(&mut tx, stored, &author, op).await?;
            }
            self.commit_logged(tx, changes).await
        }

        async fn type_slugs(&self) -> Result<Vec<Slug>> {
            let rows: Vec<String> = sqlx::query_scalar(D::sql(
                "SELECT slug FROM badge_types WHERE published = {TRUE} ORDER BY position, name_en, id",
            ))
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.iter().map(|s| parse_slug(s)).collect()
        }

        async fn close(&self) {
            self.read.close().await;
            self.write.close().await;
        }
    }
}
