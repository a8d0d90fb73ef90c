//! Backup and restore ([`DumpStore`]): the whole store read in one snapshot, page by page, and
//! written back in one transaction with every id kept.
//!
//! A dump is a read transaction on a read connection (the dialect's `BEGIN_SNAPSHOT`), so the
//! site keeps serving and writing while it runs and the pages it reads fit together. A restore
//! is one write transaction: rows are inserted as they were (ids, versions, the public document
//! and summary rebuilt from each type exactly as a save makes them), many rows per statement,
//! then the engine's id counters are moved past the highest id given
//! ([`Dialect::continue_ids`]), and the change log gets a row for every type that went or came,
//! so followers see the restore as they see any write.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use sqlx::{QueryBuilder, Transaction};
use vitrina_catalogue::{
    BadgeType, Category, Collection, Role, Slug, SpecimenPrivate, TokenScope, TypeId, User, UserId,
    ValidationErrors,
};
use vitrina_storage::{
    ApiToken, ChangeOp, DumpCounts, DumpReader, DumpStore, RestoreOptions, RestoreWriter, Result,
    Revision, StorageError, StoredUser, TypeSummary, from_unix, to_unix,
};

use crate::categories::category;
use crate::error::{json, map};
use crate::history::{Row, revision};
use crate::write::{category_data, publicly};
use crate::{Dialect, SqlStore, doc};

/// Rows per multi-row `INSERT`: the widest table here has 10 columns, so a statement binds at
/// most 2,500 values, far below both engines' limits (SQLite's 32,766, PostgreSQL's 65,535).
const ROWS_PER_INSERT: usize = 250;

/// The tables whose ids a restore gives, in the order their counters are moved on.
const ID_TABLES: [&str; 8] = [
    "categories",
    "badge_types",
    "variants",
    "specimens",
    "photos",
    "history",
    "users",
    "api_tokens",
];

/// A dump's snapshot: a read-only transaction ([`DumpStore::dump`]).
pub struct SqlDump<D: Dialect> {
    tx: Transaction<'static, D::DB>,
}

impl<D: Dialect> fmt::Debug for SqlDump<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlDump")
            .field("engine", &D::ENGINE)
            .finish_non_exhaustive()
    }
}

/// A restore's open write transaction ([`DumpStore::restore`]).
pub struct SqlRestore<D: Dialect> {
    /// The store's note of the last change-log row its writes committed.
    written: Arc<AtomicI64>,
    tx: Transaction<'static, D::DB>,
    /// Category ids by slug, as restored so far: what a type's links are made of.
    categories: HashMap<Slug, i64>,
    /// The slugs of the types the store held before (a replace): those not restored are
    /// logged as deleted.
    before: Vec<String>,
    /// The change-log rows of the restored types, in order.
    changes: Vec<(String, ChangeOp)>,
}

impl<D: Dialect> fmt::Debug for SqlRestore<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlRestore")
            .field("engine", &D::ENGINE)
            .field("types", &self.changes.len())
            .finish_non_exhaustive()
    }
}

fn invalid(path: String, message: String) -> StorageError {
    let mut errors = ValidationErrors::default();
    errors.add(path, message);
    StorageError::Invalid(errors)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A `badge_types` row: (id, slug, position, version, name_en, document, summary,
/// has_thumbnail, published).
type TypeRow = (i64, String, i64, i64, String, String, String, bool, bool);

/// The rows one page of restored types is made of.
#[derive(Default)]
struct TypeRows {
    types: Vec<TypeRow>,
    /// (type_id, category_id, position, name_en, published)
    links: Vec<(i64, i64, i64, String, bool)>,
    /// (id, type_id, position)
    variants: Vec<(i64, i64, i64)>,
    /// (id, variant_id, type_id, position)
    specimens: Vec<(i64, i64, i64, i64)>,
    /// (specimen_id, type_id, data)
    private: Vec<(i64, i64, String)>,
    /// (id, type_id, specimen_id, position, original_name)
    photos: Vec<(i64, i64, Option<i64>, i64, String)>,
}

/// A stored child's id, or why the record cannot be restored as it is.
fn id_of(id: Option<i64>, path: impl FnOnce() -> String) -> Result<i64> {
    id.ok_or_else(|| invalid(path(), "a restored record needs its storage id".into()))
}

impl TypeRows {
    fn add(&mut self, t: &BadgeType, categories: &HashMap<Slug, i64>) -> Result<()> {
        let type_id = id_of(t.id.map(|i| i.get()), || format!("{}.id", t.slug))?;
        let mut public = t.clone().into_public();
        public.id = Some(TypeId::new(type_id));
        let summary = TypeSummary::of(&public, TypeId::new(type_id));
        let mut linked = HashSet::new();
        for (i, slug) in t.categories.iter().enumerate() {
            let Some(&category_id) = categories.get(slug) else {
                return Err(invalid(
                    format!("{}.categories[{i}]", t.slug),
                    format!("there is no category {slug}"),
                ));
            };
            if linked.insert(category_id) {
                self.links.push((
                    type_id,
                    category_id,
                    t.position,
                    t.names.en.clone(),
                    t.published,
                ));
            }
        }
        let photo = |rows: &mut Self, p: &vitrina_catalogue::Photo, at, specimen, path: &str| {
            let id = id_of(p.id.map(|i| i.get()), || format!("{path}.id"))?;
            rows.photos
                .push((id, type_id, specimen, at, p.original_name.clone()));
            Ok::<_, StorageError>(())
        };
        for (vi, v) in t.variants.iter().enumerate() {
            let path = format!("{}.variants[{vi}]", t.slug);
            let variant_id = id_of(v.id.map(|i| i.get()), || format!("{path}.id"))?;
            self.variants.push((variant_id, type_id, vi as i64));
            for (si, s) in v.specimens.iter().enumerate() {
                let path = format!("{path}.specimens[{si}]");
                let specimen_id = id_of(s.id.map(|i| i.get()), || format!("{path}.id"))?;
                self.specimens
                    .push((specimen_id, variant_id, type_id, si as i64));
                if let Some(p) = s.private.as_ref().filter(|p| !p.is_empty()) {
                    self.private
                        .push((specimen_id, type_id, doc(p)?.get().to_owned()));
                }
                for (pi, p) in s.photos.iter().enumerate() {
                    photo(
                        self,
                        p,
                        pi as i64,
                        Some(specimen_id),
                        &format!("{path}.photos[{pi}]"),
                    )?;
                }
            }
        }
        for (pi, p) in t.photos.iter().enumerate() {
            photo(
                self,
                p,
                pi as i64,
                None,
                &format!("{}.photos[{pi}]", t.slug),
            )?;
        }
        self.types.push((
            type_id,
            t.slug.as_str().to_owned(),
            t.position,
            t.version,
            t.names.en.clone(),
            doc(&public)?.get().to_owned(),
            doc(&summary)?.get().to_owned(),
            summary.thumbnail.is_some(),
            t.published,
        ));
        Ok(())
    }
}

/// A JSON text as the value of a JSON column.
fn raw(text: String) -> Result<Box<serde_json::value::RawValue>> {
    serde_json::value::RawValue::from_string(text).map_err(json)
}

sql_impl! {
    impl SqlStore<D> {
        /// Inserts `rows` into `table` (`columns` in order), many rows per statement, each row
        /// pushed by `push`.
        async fn insert_many<T>(
            conn: &mut crate::Conn<D>,
            head: &'static str,
            rows: &[T],
            mut push: impl FnMut(&mut sqlx::query_builder::Separated<'_, DB, &'static str>, &T) -> Result<()>,
        ) -> Result<()> {
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut builder = QueryBuilder::<DB>::new(D::sql(head).0);
                builder.push(" VALUES ");
                let mut failed = None;
                for (i, row) in chunk.iter().enumerate() {
                    if i > 0 {
                        builder.push(", ");
                    }
                    builder.push("(");
                    let mut values = builder.separated(", ");
                    if let Err(e) = push(&mut values, row) {
                        failed = Some(e);
                    }
                    builder.push(")");
                }
                if let Some(e) = failed {
                    return Err(e);
                }
                builder
                    .build()
                    .execute(&mut *conn)
                    .await
                    .map_err(map::<D>)?;
            }
            Ok(())
        }

        /// The change-log rows of a restore, as few statements as can be: the first under the
        /// dialect's change-log lock (as every write takes it), the rest many at a time.
        /// Returns the last `seq` written.
        async fn log_all(conn: &mut crate::Conn<D>, changes: &[(String, ChangeOp)]) -> Result<Option<i64>> {
            let Some(((slug, op), rest)) = changes.split_first() else {
                return Ok(None);
            };
            sqlx::query(D::sql(
                "INSERT INTO changes (type_slug, op) SELECT $1, $2 FROM {LOCK CHANGE LOG}",
            ))
            .bind(slug.as_str())
            .bind(op.as_str())
            .execute(&mut *conn)
            .await
            .map_err(map::<D>)?;
            Self::insert_many(conn, "INSERT INTO changes (type_slug, op)", rest, |v, (slug, op)| {
                v.push_bind(slug.as_str()).push_bind(op.as_str());
                Ok(())
            })
            .await?;
            // Under the lock (PostgreSQL) or as the one writer (SQLite): the highest is ours.
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes")
                .fetch_one(&mut *conn)
                .await
                .map_err(map::<D>)?;
            Ok(last)
        }
    }
}

sql_impl! {
    #[async_trait]
    impl DumpStore for SqlStore<D> {
        async fn dump(&self) -> Result<Box<dyn DumpReader>> {
            let tx = match D::BEGIN_SNAPSHOT {
                Some(statement) => self.read.begin_with(statement).await,
                None => self.read.begin().await,
            }
            .map_err(map::<D>)?;
            Ok(Box::new(SqlDump::<D> { tx }))
        }

        async fn restore(&self, options: RestoreOptions) -> Result<Box<dyn RestoreWriter>> {
            let mut tx = self.begin().await?;
            let (collection, categories, types, history, users): (i64, i64, i64, i64, i64) =
                sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM collection), (SELECT COUNT(*) FROM categories), \
                     (SELECT COUNT(*) FROM badge_types), (SELECT COUNT(*) FROM history), \
                     (SELECT COUNT(*) FROM users)",
                )
                .fetch_one(&mut *tx)
                .await
                .map_err(map::<D>)?;
            if !options.replace {
                let mut held = Vec::new();
                if collection > 0 {
                    held.push("a collection".to_owned());
                }
                if categories > 0 {
                    held.push(format!("{categories} categories"));
                }
                if types > 0 {
                    held.push(format!("{types} badge types"));
                }
                if history > 0 {
                    held.push(format!("{history} revisions of history"));
                }
                if options.accounts && users > 0 {
                    held.push(format!("{users} users"));
                }
                if !held.is_empty() {
                    return Err(StorageError::Conflict(format!(
                        "the database is not empty (it holds {})",
                        held.join(", ")
                    )));
                }
            }
            let mut before = Vec::new();
            if options.replace {
                before = sqlx::query_scalar("SELECT slug FROM badge_types ORDER BY id")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map::<D>)?;
                let mut statements = vec![
                    "DELETE FROM badge_types",
                    "DELETE FROM categories",
                    "DELETE FROM collection",
                    "DELETE FROM history",
                ];
                if options.accounts {
                    statements.extend([
                        "DELETE FROM users",
                        "DELETE FROM setup_tokens",
                        "DELETE FROM login_failures",
                    ]);
                }
                for statement in statements {
                    sqlx::query(statement)
                        .execute(&mut *tx)
                        .await
                        .map_err(map::<D>)?;
                }
            }
            Ok(Box::new(SqlRestore::<D> {
                written: self.written.clone(),
                tx,
                categories: HashMap::new(),
                before,
                changes: Vec::new(),
            }))
        }
    }
}

type UserRow = (i64, String, String, String, i64, bool);
type TokenRow = (i64, i64, String, String, String, String, i64, Option<i64>);

sql_impl! {
    #[async_trait]
    impl DumpReader for SqlDump<D> {
        async fn counts(&mut self) -> Result<DumpCounts> {
            let (collection, categories, types, revisions, users, tokens): (i64, i64, i64, i64, i64, i64) =
                sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM collection), (SELECT COUNT(*) FROM categories), \
                     (SELECT COUNT(*) FROM badge_types), (SELECT COUNT(*) FROM history), \
                     (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM api_tokens)",
                )
                .fetch_one(&mut *self.tx)
                .await
                .map_err(map::<D>)?;
            Ok(DumpCounts {
                collection: collection > 0,
                categories: count(categories),
                types: count(types),
                revisions: count(revisions),
                users: count(users),
                tokens: count(tokens),
            })
        }

        async fn collection(&mut self) -> Result<Option<Collection>> {
            let data: Option<String> =
                sqlx::query_scalar("SELECT CAST(data AS TEXT) FROM collection WHERE id = 1")
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(map::<D>)?;
            data.map(|d| serde_json::from_str(&d).map_err(json))
                .transpose()
        }

        async fn categories(&mut self) -> Result<Vec<Category>> {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, version, CAST(data AS TEXT) FROM categories ORDER BY position, slug",
            )
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            rows.iter()
                .map(|(id, version, data)| category(*id, *version, data))
                .collect()
        }

        async fn types(&mut self, after: Option<TypeId>, limit: u64) -> Result<Vec<BadgeType>> {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, version, CAST(document AS TEXT) FROM badge_types \
                 WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after.map_or(0, |id| id.get()))
            .bind(clamp(limit.max(1)))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
                return Ok(Vec::new());
            };
            let (first, last) = (first.0, last.0);
            // What the documents leave out, for the whole page in two range reads.
            let private: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT specimen_id, type_id, CAST(data AS TEXT) FROM specimen_private \
                 WHERE type_id BETWEEN $1 AND $2",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            let names: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, original_name FROM photos \
                 WHERE type_id BETWEEN $1 AND $2 AND original_name <> ''",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            let mut private: HashMap<i64, SpecimenPrivate> = private
                .into_iter()
                .map(|(specimen, _, data)| {
                    Ok((specimen, serde_json::from_str(&data).map_err(json)?))
                })
                .collect::<Result<_>>()?;
            let mut names: HashMap<i64, String> = names.into_iter().collect();
            rows.into_iter()
                .map(|(id, version, document)| {
                    let mut t: BadgeType = serde_json::from_str(&document).map_err(json)?;
                    t.id = Some(TypeId::new(id));
                    t.version = version;
                    for v in &mut t.variants {
                        for s in &mut v.specimens {
                            s.private = s.id.and_then(|id| private.remove(&id.get()));
                        }
                    }
                    let photos = t.photos.iter_mut().chain(
                        t.variants
                            .iter_mut()
                            .flat_map(|v| v.specimens.iter_mut().flat_map(|s| s.photos.iter_mut())),
                    );
                    for p in photos {
                        p.original_name = p
                            .id
                            .and_then(|id| names.remove(&id.get()))
                            .unwrap_or_default();
                    }
                    Ok(t)
                })
                .collect()
        }

        async fn revisions(&mut self, after: i64, limit: u64) -> Result<Vec<Revision>> {
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT id, kind, record_id, key, version, op, author_id, author_name, at, \
                 CAST(record AS TEXT) FROM history WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(clamp(limit.max(1)))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            rows.into_iter().map(revision).collect()
        }

        async fn users(&mut self) -> Result<Vec<StoredUser>> {
            let rows: Vec<UserRow> = sqlx::query_as(
                "SELECT id, name, role, password_hash, created_at, disabled FROM users ORDER BY id",
            )
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            rows.into_iter()
                .map(|(id, name, role, password_hash, created_at, disabled)| {
                    Ok(StoredUser {
                        user: User {
                            id: Some(UserId::new(id)),
                            name,
                            role: Role::parse(&role).map_err(|e| StorageError::Backend(Box::new(e)))?,
                            created_at: from_unix(created_at),
                            disabled,
                        },
                        password_hash,
                    })
                })
                .collect()
        }

        async fn tokens(&mut self) -> Result<Vec<ApiToken>> {
            let rows: Vec<TokenRow> = sqlx::query_as(
                "SELECT id, user_id, label, scope, prefix, hash, created_at, last_used_at \
                 FROM api_tokens ORDER BY id",
            )
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            rows.into_iter()
                .map(|(id, user_id, label, scope, prefix, hash, created_at, last_used_at)| {
                    Ok(ApiToken {
                        id: Some(id),
                        user_id: UserId::new(user_id),
                        label,
                        scope: TokenScope::parse(&scope)
                            .map_err(|e| StorageError::Backend(Box::new(e)))?,
                        prefix,
                        hash,
                        created_at: from_unix(created_at),
                        last_used_at: last_used_at.map(from_unix),
                    })
                })
                .collect()
        }

        async fn finish(self: Box<Self>) -> Result<()> {
            // Read-only: a rollback ends it as well as a commit and says so.
            self.tx.rollback().await.map_err(map::<D>)
        }
    }
}

sql_impl! {
    #[async_trait]
    impl RestoreWriter for SqlRestore<D> {
        async fn collection(&mut self, collection: &Collection) -> Result<()> {
            sqlx::query(
                "INSERT INTO collection (id, data) VALUES (1, $1) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            )
            .bind(doc(collection)?)
            .execute(&mut *self.tx)
            .await
            .map_err(map::<D>)?;
            Ok(())
        }

        async fn categories(&mut self, categories: &[Category]) -> Result<()> {
            let mut rows = Vec::with_capacity(categories.len());
            for c in categories {
                let id = id_of(c.id.map(|i| i.get()), || format!("{}.id", c.slug))?;
                rows.push((id, c, category_data(c)?.get().to_owned()));
            }
            SqlStore::<D>::insert_many(
                &mut self.tx,
                "INSERT INTO categories (id, slug, position, data, published, version)",
                &rows,
                |v, (id, c, data)| {
                    v.push_bind(*id)
                        .push_bind(c.slug.as_str())
                        .push_bind(c.position)
                        .push_bind(raw(data.clone())?)
                        .push_bind(c.published)
                        .push_bind(c.version.max(1));
                    Ok(())
                },
            )
            .await?;
            for (id, c, _) in rows {
                self.categories.insert(c.slug.clone(), id);
            }
            Ok(())
        }

        async fn types(&mut self, types: &[BadgeType]) -> Result<()> {
            let mut rows = TypeRows::default();
            for t in types {
                rows.add(t, &self.categories)?;
                self.changes
                    .push((t.slug.as_str().to_owned(), publicly(t.published)));
            }
            let conn = &mut self.tx;
            SqlStore::<D>::insert_many(
                conn,
                "INSERT INTO badge_types (id, slug, position, version, name_en, document, summary, \
                 has_thumbnail, published)",
                &rows.types,
                |v, (id, slug, position, version, name_en, document, summary, thumb, published)| {
                    v.push_bind(*id)
                        .push_bind(slug.as_str())
                        .push_bind(*position)
                        .push_bind((*version).max(1))
                        .push_bind(name_en.as_str())
                        .push_bind(raw(document.clone())?)
                        .push_bind(raw(summary.clone())?)
                        .push_bind(*thumb)
                        .push_bind(*published);
                    Ok(())
                },
            )
            .await?;
            SqlStore::<D>::insert_many(
                conn,
                "INSERT INTO type_categories (type_id, category_id, position, name_en, published)",
                &rows.links,
                |v, (type_id, category_id, position, name_en, published)| {
                    v.push_bind(*type_id)
                        .push_bind(*category_id)
                        .push_bind(*position)
                        .push_bind(name_en.as_str())
                        .push_bind(*published);
                    Ok(())
                },
            )
            .await?;
            SqlStore::<D>::insert_many(
                conn,
                "INSERT INTO variants (id, type_id, position)",
                &rows.variants,
                |v, (id, type_id, position)| {
                    v.push_bind(*id).push_bind(*type_id).push_bind(*position);
                    Ok(())
                },
            )
            .await?;
            SqlStore::<D>::insert_many(
                conn,
                "INSERT INTO specimens (id, variant_id, type_id, position)",
                &rows.specimens,
                |v, (id, variant_id, type_id, position)| {
                    v.push_bind(*id)
                        .push_bind(*variant_id)
                        .push_bind(*type_id)
                        .push_bind(*position);
                    Ok(())
                },
            )
            .await?;
            SqlStore::<D>::insert_many(
                conn,
                "INSERT INTO specimen_private (specimen_id, type_id, data)",
                &rows.private,
                |v, (specimen_id, type_id, data)| {
                    v.push_bind(*specimen_id)
                        .push_bind(*type_id)
                        .push_bind(raw(data.clone())?);
                    Ok(())
                },
            )
            .await?;
            SqlStore::<D>::insert_many(
                conn,
                "INSERT INTO photos (id, type_id, specimen_id, position, original_name)",
                &rows.photos,
                |v, (id, type_id, specimen_id, position, name)| {
                    v.push_bind(*id)
                        .push_bind(*type_id)
                        .push_bind(*specimen_id)
                        .push_bind(*position)
                        .push_bind(name.as_str());
                    Ok(())
                },
            )
            .await
        }

        async fn revisions(&mut self, revisions: &[Revision]) -> Result<()> {
            let mut records = Vec::with_capacity(revisions.len());
            for r in revisions {
                records.push(doc(&r.record)?.get().to_owned());
            }
            let rows: Vec<(&Revision, String)> = revisions.iter().zip(records).collect();
            SqlStore::<D>::insert_many(
                &mut self.tx,
                "INSERT INTO history (id, kind, record_id, key, version, op, author_id, \
                 author_name, at, record) {OVERRIDING SYSTEM VALUE}",
                &rows,
                |v, (r, record)| {
                    v.push_bind(r.id)
                        .push_bind(r.kind.as_str())
                        .push_bind(r.record_id)
                        .push_bind(r.key.as_str())
                        .push_bind(r.version)
                        .push_bind(r.op.as_str())
                        .push_bind(r.author.user.map(|u| u.get()))
                        .push_bind(r.author.name.as_str())
                        .push_bind(to_unix(r.at))
                        .push_bind(raw(record.clone())?);
                    Ok(())
                },
            )
            .await
        }

        async fn users(&mut self, users: &[StoredUser]) -> Result<()> {
            let mut ids = Vec::with_capacity(users.len());
            for u in users {
                ids.push(id_of(u.user.id.map(|i| i.get()), || format!("users.{}.id", u.user.name))?);
            }
            let rows: Vec<(i64, &StoredUser)> = ids.into_iter().zip(users).collect();
            SqlStore::<D>::insert_many(
                &mut self.tx,
                "INSERT INTO users (id, name, role, password_hash, created_at, disabled)",
                &rows,
                |v, (id, u)| {
                    v.push_bind(*id)
                        .push_bind(u.user.name.as_str())
                        .push_bind(u.user.role.as_str())
                        .push_bind(u.password_hash.as_str())
                        .push_bind(to_unix(u.user.created_at))
                        .push_bind(u.user.disabled);
                    Ok(())
                },
            )
            .await
        }

        async fn tokens(&mut self, tokens: &[ApiToken]) -> Result<()> {
            let mut ids = Vec::with_capacity(tokens.len());
            for t in tokens {
                ids.push(id_of(t.id, || format!("tokens.{}.id", t.prefix))?);
            }
            let rows: Vec<(i64, &ApiToken)> = ids.into_iter().zip(tokens).collect();
            SqlStore::<D>::insert_many(
                &mut self.tx,
                "INSERT INTO api_tokens (id, user_id, label, scope, prefix, hash, created_at, \
                 last_used_at)",
                &rows,
                |v, (id, t)| {
                    v.push_bind(*id)
                        .push_bind(t.user_id.get())
                        .push_bind(t.label.as_str())
                        .push_bind(t.scope.as_str())
                        .push_bind(t.prefix.as_str())
                        .push_bind(t.hash.as_str())
                        .push_bind(to_unix(t.created_at))
                        .push_bind(t.last_used_at.map(to_unix));
                    Ok(())
                },
            )
            .await
        }

        async fn commit(self: Box<Self>) -> Result<()> {
            let SqlRestore {
                written,
                mut tx,
                before,
                mut changes,
                ..
            } = *self;
            for table in ID_TABLES {
                D::continue_ids(&mut tx, table).await.map_err(map::<D>)?;
            }
            // Types the store held and the archive does not are gone for followers; they log
            // before the restored ones, which may reuse a slug.
            let restored: HashSet<&str> = changes.iter().map(|(s, _)| s.as_str()).collect();
            let mut log: Vec<(String, ChangeOp)> = before
                .into_iter()
                .filter(|slug| !restored.contains(slug.as_str()))
                .map(|slug| (slug, ChangeOp::Delete))
                .collect();
            log.append(&mut changes);
            let last = SqlStore::<D>::log_all(&mut tx, &log).await?;
            tx.commit().await.map_err(map::<D>)?;
            if let Some(seq) = last {
                written.fetch_max(seq, Ordering::AcqRel);
            }
            Ok(())
        }
    }
}
