//! The collection and its categories: their writes, each in one transaction with its
//! revision, and their reads.

use async_trait::async_trait;
use vitrina_catalogue::{Category, CategoryId, Collection, Slug, Validate};
use vitrina_storage::{
    Author, CategoryStore, CategorySummary, CollectionStore, HistoryOp, RecordKind, Result,
    StorageError, TypeSummary,
};

use crate::error::{json, map};
use crate::history::Entry;
use crate::rewrite::{Changes, Ordered};
use crate::write::{category_data, parse_slug};
use crate::{Conn, doc};

pub(crate) fn category(id: i64, version: i64, data: &str) -> Result<Category> {
    let mut c: Category = serde_json::from_str(data).map_err(json)?;
    c.id = Some(CategoryId::new(id));
    c.version = version;
    Ok(c)
}

/// How a category write treats the stored record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CategoryWrite {
    /// Insert (no id) or update with a version check.
    Save,
    /// Write back as the given id, re-created if deleted, whatever version is stored.
    Restore,
}

sql_impl! {
    impl SqlStore<D> {
        async fn write_category(
            &self,
            c: &Category,
            author: &Author,
            mode: CategoryWrite,
        ) -> Result<Category> {
            c.validate()?;
            let mut tx = self.begin().await?;
            let mut changes = Changes::default();
            let stored: Option<(String, i64)> = match c.id {
                Some(id) => sqlx::query_as(D::sql(
                    "SELECT slug, version FROM categories WHERE id = $1 {FOR UPDATE}",
                ))
                .bind(id.get())
                .fetch_optional(&mut *tx)
                .await
                .map_err(map::<D>)?,
                None => None,
            };
            let (id, version, op) = match (c.id, stored) {
                (Some(id), Some((old, stored))) => {
                    if mode == CategoryWrite::Save && stored != c.version {
                        return Err(StorageError::Conflict(format!(
                            "category {} was changed by someone else (version {stored}, not {})",
                            c.slug, c.version
                        )));
                    }
                    let old = parse_slug(&old)?;
                    sqlx::query(
                        "UPDATE categories SET slug = $1, position = $2, data = $3, \
                         published = $4, version = $5 WHERE id = $6",
                    )
                    .bind(c.slug.as_str())
                    .bind(c.position)
                    .bind(category_data(c)?)
                    .bind(c.published)
                    .bind(stored + 1)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await
                    .map_err(map::<D>)?;
                    if old != c.slug {
                        Self::retag_types(&mut tx, id.get(), &old, Some(&c.slug), &mut changes, author)
                            .await?;
                    }
                    let op = match mode {
                        CategoryWrite::Save => HistoryOp::Update,
                        CategoryWrite::Restore => HistoryOp::Restore,
                    };
                    (id.get(), stored + 1, op)
                }
                (Some(id), None) if mode == CategoryWrite::Restore => {
                    let version =
                        Self::last_version(&mut tx, RecordKind::Category, id.get()).await? + 1;
                    sqlx::query(
                        "INSERT INTO categories (id, slug, position, data, published, version) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id.get())
                    .bind(c.slug.as_str())
                    .bind(c.position)
                    .bind(category_data(c)?)
                    .bind(c.published)
                    .bind(version)
                    .execute(&mut *tx)
                    .await
                    .map_err(map::<D>)?;
                    (id.get(), version, HistoryOp::Restore)
                }
                (Some(id), None) => return Err(StorageError::not_found("category", id)),
                (None, _) => {
                    let id = sqlx::query_scalar(
                        "INSERT INTO categories (slug, position, data, published, version) \
                         VALUES ($1, $2, $3, $4, 1) RETURNING id",
                    )
                    .bind(c.slug.as_str())
                    .bind(c.position)
                    .bind(category_data(c)?)
                    .bind(c.published)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map::<D>)?;
                    (id, 1, HistoryOp::Create)
                }
            };
            let mut out = c.clone();
            out.id = Some(CategoryId::new(id));
            out.version = version;
            Self::record(
                &mut tx,
                author,
                Entry {
                    kind: RecordKind::Category,
                    record_id: id,
                    key: c.slug.as_str(),
                    version,
                    op,
                    record: &out,
                },
            )
            .await?;
            self.commit_logged(tx, changes).await?;
            Ok(out)
        }

        async fn category_summaries(&self, drafts: bool) -> Result<Vec<CategorySummary>> {
            let rows: Vec<(i64, i64, String, i64, Option<String>)> = sqlx::query_as(
                "SELECT c.id, c.version, CAST(c.data AS TEXT), \
                   (SELECT COUNT(*) FROM type_categories tc JOIN badge_types t ON t.id = tc.type_id \
                     WHERE tc.category_id = c.id AND (t.published OR $1)), \
                   (SELECT CAST(t.summary AS TEXT) FROM type_categories tc \
                     JOIN badge_types t ON t.id = tc.type_id \
                     WHERE tc.category_id = c.id AND t.has_thumbnail AND (t.published OR $1) \
                     ORDER BY t.position, t.name_en, t.id LIMIT 1) \
                 FROM categories c WHERE c.published OR $1 ORDER BY c.position, c.slug",
            )
            .bind(drafts)
            .fetch_all(&self.read)
            .await
            .map_err(map::<D>)?;
            rows.into_iter()
                .map(|(id, version, data, count, first)| {
                    let thumbnail = match first {
                        Some(s) => {
                            serde_json::from_str::<TypeSummary>(&s)
                                .map_err(json)?
                                .thumbnail
                        }
                        None => None,
                    };
                    Ok(CategorySummary {
                        category: category(id, version, &data)?,
                        type_count: count.max(0) as u64,
                        thumbnail,
                    })
                })
                .collect()
        }

        /// Replaces the collection's record and records the revision.
        pub(crate) async fn write_collection(
            tx: &mut Conn<D>,
            collection: &Collection,
            author: &Author,
        ) -> Result<()> {
            let existed: Option<bool> = sqlx::query_scalar(D::sql(
                "SELECT TRUE FROM collection WHERE id = 1 {FOR UPDATE}",
            ))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map::<D>)?;
            sqlx::query(
                "INSERT INTO collection (id, data) VALUES (1, $1) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            )
            .bind(doc(collection)?)
            .execute(&mut *tx)
            .await
            .map_err(map::<D>)?;
            let version = Self::last_version(tx, RecordKind::Collection, 1).await? + 1;
            Self::record(
                tx,
                author,
                Entry {
                    kind: RecordKind::Collection,
                    record_id: 1,
                    key: "collection",
                    version,
                    op: if existed.is_some() {
                        HistoryOp::Update
                    } else {
                        HistoryOp::Create
                    },
                    record: collection,
                },
            )
            .await
        }

        async fn remove_category(
            &self,
            slug: &Slug,
            expected: Option<i64>,
            author: &Author,
        ) -> Result<()> {
            let mut tx = self.begin().await?;
            let (id, version, data): (i64, i64, String) = sqlx::query_as(D::sql(
                "SELECT id, version, CAST(data AS TEXT) FROM categories WHERE slug = $1 {FOR UPDATE}",
            ))
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map::<D>)?
            .ok_or_else(|| StorageError::not_found("category", slug))?;
            if let Some(expected) = expected.filter(|&v| v != version) {
                return Err(StorageError::Conflict(format!(
                    "category {slug} was changed by someone else (version {version}, not {expected})"
                )));
            }
            let deleted = category(id, version, &data)?;
            let mut changes = Changes::default();
            Self::retag_types(&mut tx, id, slug, None, &mut changes, author).await?;
            sqlx::query("DELETE FROM categories WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
            Self::record(
                &mut tx,
                author,
                Entry {
                    kind: RecordKind::Category,
                    record_id: id,
                    key: slug.as_str(),
                    version,
                    op: HistoryOp::Delete,
                    record: &deleted,
                },
            )
            .await?;
            self.commit_logged(tx, changes).await
        }

        /// Moves a category in one transaction (see [`CategoryStore::move_category_by`]).
        async fn reorder_category(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
            let mut tx = self.begin().await?;
            for (id, position) in Self::moves(&mut tx, Ordered::Categories, slug, to_index).await? {
                let (key, version, data): (String, i64, String) = sqlx::query_as(
                    "SELECT slug, version, CAST(data AS TEXT) FROM categories WHERE id = $1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(map::<D>)?;
                let mut c = category(id, version, &data)?;
                c.position = position;
                c.version = version + 1;
                sqlx::query(
                    "UPDATE categories SET position = $1, data = $2, version = $3 WHERE id = $4",
                )
                .bind(position)
                .bind(category_data(&c)?)
                .bind(c.version)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map::<D>)?;
                Self::record(
                    &mut tx,
                    author,
                    Entry {
                        kind: RecordKind::Category,
                        record_id: id,
                        key: &key,
                        version: c.version,
                        op: HistoryOp::Update,
                        record: &c,
                    },
                )
                .await?;
            }
            tx.commit().await.map_err(map::<D>)
        }
    }
}

sql_impl! {
    #[async_trait]
    impl CollectionStore for SqlStore<D> {
        async fn collection(&self) -> Result<Option<Collection>> {
            let data: Option<String> =
                sqlx::query_scalar("SELECT CAST(data AS TEXT) FROM collection WHERE id = 1")
                    .fetch_optional(&self.read)
                    .await
                    .map_err(map::<D>)?;
            data.map(|d| serde_json::from_str(&d).map_err(json))
                .transpose()
        }

        async fn put_collection_by(&self, collection: &Collection, author: &Author) -> Result<()> {
            collection.validate()?;
            let mut tx = self.begin().await?;
            Self::write_collection(&mut tx, collection, author).await?;
            tx.commit().await.map_err(map::<D>)
        }
    }
}

sql_impl! {
    #[async_trait]
    impl CategoryStore for SqlStore<D> {
        async fn categories(&self) -> Result<Vec<CategorySummary>> {
            self.category_summaries(false).await
        }

        async fn all_categories(&self) -> Result<Vec<CategorySummary>> {
            self.category_summaries(true).await
        }

        async fn category(&self, slug: &Slug) -> Result<Category> {
            let row: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, version, CAST(data AS TEXT) FROM categories WHERE slug = $1",
            )
            .bind(slug.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(map::<D>)?;
            let (id, version, data) = row.ok_or_else(|| StorageError::not_found("category", slug))?;
            category(id, version, &data)
        }

        async fn save_category_by(&self, c: &Category, author: &Author) -> Result<Category> {
            self.write_category(c, author, CategoryWrite::Save).await
        }

        async fn restore_category(&self, c: &Category, author: &Author) -> Result<Category> {
            if c.id.is_none() {
                return Err(StorageError::not_found("category", &c.slug));
            }
            self.write_category(c, author, CategoryWrite::Restore).await
        }

        async fn delete_category_by(&self, slug: &Slug, author: &Author) -> Result<()> {
            self.remove_category(slug, None, author).await
        }

        async fn delete_category_at(&self, slug: &Slug, version: i64, author: &Author) -> Result<()> {
            self.remove_category(slug, Some(version), author).await
        }

        async fn move_category_by(&self, slug: &Slug, to_index: u64, author: &Author) -> Result<()> {
            self.reorder_category(slug, to_index, author).await
        }
    }
}
