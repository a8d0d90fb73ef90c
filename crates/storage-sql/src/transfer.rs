//! Import and export (migration `0008_transfer.sql`): every type a page at a time, a batch
//! written in one transaction, the owners of inventory numbers, mapping presets and jobs.

use std::collections::HashMap;

use async_trait::async_trait;
use serde::Deserialize;
use vitrina_catalogue::{Access, BadgeType, CategoryId, Slug, TypeId, UserId};
use vitrina_storage::history::now_unix;
use vitrina_storage::{
    Author, Batch, BatchWritten, ChangeOp, HistoryOp, Job, JobState, JobUpdate, RecordKind, Result,
    StorageError, TransferStore, from_unix,
};

use crate::doc;
use crate::error::{json, map};
use crate::history::Entry;
use crate::rewrite::Changes;
use crate::write::{Ids, category_data, parse_slug};

/// A job's row: id, kind, state, author id and name, created, updated, done, total, input,
/// report.
type JobRow = (
    i64,
    String,
    String,
    Option<i64>,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    Option<String>,
);

/// A job's columns, as [`JobRow`] reads them.
macro_rules! job_columns {
    () => {
        "id, kind, state, author_id, author_name, created_at, updated_at, done, total, \
         CAST(input AS TEXT), CAST(report AS TEXT)"
    };
}

fn job(row: JobRow) -> Result<Job> {
    let (id, kind, state, author_id, author_name, created, updated, done, total, input, report) =
        row;
    let state = JobState::parse(&state).ok_or_else(|| {
        StorageError::Backend(format!("job {id} has an unknown state {state:?}").into())
    })?;
    Ok(Job {
        id,
        kind,
        state,
        author: Author {
            user: author_id.map(UserId::new),
            name: author_name,
        },
        created_at: from_unix(created),
        updated_at: from_unix(updated),
        done: u64::try_from(done).unwrap_or_default(),
        total: u64::try_from(total).unwrap_or_default(),
        input: serde_json::from_str(&input).map_err(json)?,
        // A job without a report holds JSON `null` there.
        report: report
            .map(|r| serde_json::from_str::<serde_json::Value>(&r))
            .transpose()
            .map_err(json)?
            .filter(|r| !r.is_null()),
    })
}

/// Only what an inventory lookup needs of a stored document.
#[derive(Deserialize)]
struct Inventories {
    #[serde(default)]
    variants: Vec<InventoryVariant>,
}

#[derive(Deserialize)]
struct InventoryVariant {
    #[serde(default)]
    specimens: Vec<InventorySpecimen>,
}

#[derive(Deserialize)]
struct InventorySpecimen {
    #[serde(default)]
    inventory_number: String,
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

sql_impl! {
    #[async_trait]
    impl TransferStore for SqlStore<D> {
        async fn all_types_after(
            &self,
            after: i64,
            limit: u64,
            access: Access,
        ) -> Result<Vec<BadgeType>> {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, version, CAST(document AS TEXT) FROM badge_types \
                 WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(clamp(limit))
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            let mut out = Vec::with_capacity(rows.len());
            for (id, version, document) in rows {
                let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
                t.id = Some(TypeId::new(id));
                t.version = version;
                match access {
                    Access::Public => out.push(t.into_public()),
                    Access::Private => {
                        Self::load_private(&self.read, &mut t, id).await?;
                        out.push(t);
                    }
                }
            }
            Ok(out)
        }

        async fn all_slugs(&self) -> Result<Vec<Slug>> {
            let rows: Vec<String> = sqlx::query_scalar("SELECT slug FROM badge_types ORDER BY id")
                .fetch_all(&self.read)
                .await
                .map_err(map::<D>)?;
            rows.iter().map(|s| parse_slug(s)).collect()
        }

        async fn inventory_owners(&self) -> Result<Vec<(String, Slug)>> {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT slug, CAST(document AS TEXT) FROM badge_types ORDER BY id",
            )
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            let mut out = Vec::new();
            for (slug, document) in rows {
                let slug = parse_slug(&slug)?;
                let doc: Inventories = serde_json::from_str(&document).map_err(json)?;
                for s in doc.variants.iter().flat_map(|v| &v.specimens) {
                    if !s.inventory_number.is_empty() {
                        out.push((s.inventory_number.clone(), slug.clone()));
                    }
                }
            }
            Ok(out)
        }

        async fn write_batch(
            &self,
            batch: &Batch,
            author: &Author,
            progress: &(dyn Fn(u64) + Send + Sync),
        ) -> Result<BatchWritten> {
            let mut written = BatchWritten::default();
            let mut tx = self.begin().await?;
            let mut changes = Changes::default();
            for slug in &batch.delete {
                if Self::delete_in(&mut tx, slug, author).await? {
                    changes.push(slug.as_str(), ChangeOp::Delete);
                    written.deleted += 1;
                }
            }
            if let Some(collection) = &batch.collection {
                Self::write_collection(&mut tx, collection, author).await?;
                written.collection = true;
            }
            for c in &batch.categories {
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
                    author,
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
                written.categories += 1;
            }
            let categories = Self::category_ids(&mut tx).await?;
            let existing: HashMap<String, i64> =
                sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM badge_types")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map::<D>)?
                    .into_iter()
                    .collect();
            for t in &batch.types {
                let target = existing.get(t.slug.as_str()).map(|&id| TypeId::new(id));
                let stored =
                    Self::write_type(&mut tx, t, target, Ids::Lenient, &categories, &mut changes)
                        .await?;
                let op = match target {
                    Some(_) => {
                        written.updated += 1;
                        HistoryOp::Update
                    }
                    None => {
                        written.created += 1;
                        HistoryOp::Create
                    }
                };
                Self::finish_type(&mut tx, stored, author, op).await?;
                progress(written.created + written.updated);
            }
            self.commit_logged(tx, changes).await?;
            Ok(written)
        }

        async fn presets(&self) -> Result<Vec<(String, serde_json::Value)>> {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, CAST(data AS TEXT) FROM import_presets ORDER BY name",
            )
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.into_iter()
                .map(|(name, data)| Ok((name, serde_json::from_str(&data).map_err(json)?)))
                .collect()
        }

        async fn save_preset(&self, name: &str, preset: &serde_json::Value) -> Result<()> {
            sqlx::query(
                "INSERT INTO import_presets (name, data, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET data = excluded.data, \
                   updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(doc(preset)?)
            .bind(now_unix())
            .execute(&self.write)
            .await
            .map_err(map::<D>)?;
            Ok(())
        }

        async fn delete_preset(&self, name: &str) -> Result<()> {
            let done = sqlx::query("DELETE FROM import_presets WHERE name = $1")
                .bind(name)
                .execute(&self.write)
                .await
                .map_err(map::<D>)?;
            if D::rows_affected(&done) == 0 {
                return Err(StorageError::not_found("preset", name));
            }
            Ok(())
        }

        async fn create_job(
            &self,
            kind: &str,
            author: &Author,
            input: &serde_json::Value,
        ) -> Result<Job> {
            let now = now_unix();
            let row: JobRow = sqlx::query_as(concat!(
                "INSERT INTO jobs (kind, state, author_id, author_name, created_at, updated_at, \
                   input, report) VALUES ($1, 'queued', $2, $3, $4, $4, $5, $6) RETURNING ",
                job_columns!()
            ))
            .bind(kind)
            .bind(author.user.map(|u| u.get()))
            .bind(author.name.as_str())
            .bind(now)
            .bind(doc(input)?)
            .bind(doc(&serde_json::Value::Null)?)
            .fetch_one(&self.write)
            .await
            .map_err(map::<D>)?;
            job(row)
        }

        async fn update_job(&self, id: i64, update: &JobUpdate) -> Result<Job> {
            let current = self.job(id).await?;
            let (done, total) = update.progress.unwrap_or((current.done, current.total));
            let state = update.state.unwrap_or(current.state);
            let input = update.input.as_ref().unwrap_or(&current.input);
            let report = update.report.as_ref().or(current.report.as_ref());
            let row: Option<JobRow> = sqlx::query_as(concat!(
                "UPDATE jobs SET state = $2, updated_at = $3, done = $4, total = $5, \
                   input = $6, report = $7 WHERE id = $1 RETURNING ",
                job_columns!()
            ))
            .bind(id)
            .bind(state.as_str())
            .bind(now_unix())
            .bind(clamp(done))
            .bind(clamp(total))
            .bind(doc(input)?)
            .bind(doc(report.unwrap_or(&serde_json::Value::Null))?)
            .fetch_optional(&self.write)
            .await
            .map_err(map::<D>)?;
            job(row.ok_or_else(|| StorageError::not_found("job", id))?)
        }

        async fn job(&self, id: i64) -> Result<Job> {
            let row: Option<JobRow> =
                sqlx::query_as(concat!("SELECT ", job_columns!(), " FROM jobs WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.read)
                    .await
                    .map_err(map::<D>)?;
            job(row.ok_or_else(|| StorageError::not_found("job", id))?)
        }

        async fn jobs(&self, limit: u64) -> Result<Vec<Job>> {
            let rows: Vec<JobRow> = sqlx::query_as(concat!(
                "SELECT ",
                job_columns!(),
                " FROM jobs ORDER BY id DESC LIMIT $1"
            ))
            .bind(clamp(limit))
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.into_iter().map(job).collect()
        }

        async fn interrupt_jobs(&self, stale_secs: i64) -> Result<u64> {
            let now = now_unix();
            let done = sqlx::query(
                "UPDATE jobs SET state = 'interrupted', updated_at = $1 \
                 WHERE state = 'running' AND updated_at <= $2",
            )
            .bind(now)
            .bind(now - stale_secs)
            .execute(&self.write)
            .await
            .map_err(map::<D>)?;
            Ok(D::rows_affected(&done))
        }
    }
}

sql_impl! {
    impl SqlStore<D> {
        /// Deletes a type inside the caller's transaction, with its revision; `false` when
        /// there is no such type.
        async fn delete_in(
            tx: &mut crate::Conn<D>,
            slug: &Slug,
            author: &Author,
        ) -> Result<bool> {
            let row: Option<(i64, i64, String)> = sqlx::query_as(D::sql(
                "SELECT id, version, CAST(document AS TEXT) FROM badge_types \
                 WHERE slug = $1 {FOR UPDATE}",
            ))
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map::<D>)?;
            let Some((id, version, document)) = row else {
                return Ok(false);
            };
            let mut deleted: BadgeType = serde_json::from_str(&document).map_err(json)?;
            deleted.id = Some(TypeId::new(id));
            deleted.version = version;
            Self::load_private(&mut *tx, &mut deleted, id).await?;
            sqlx::query("DELETE FROM badge_types WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            Self::record(
                tx,
                author,
                Entry {
                    kind: RecordKind::Type,
                    record_id: id,
                    key: slug.as_str(),
                    version,
                    op: HistoryOp::Delete,
                    record: &deleted,
                },
            )
            .await?;
            Ok(true)
        }
    }
}
