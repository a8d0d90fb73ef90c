//! Bringing a collection in: a file read ([`source`]), its columns mapped to fields (recognised,
//! chosen by the user, or a named preset), its rows built into badge types
//! ([`vitrina_transfer::read`]), compared with what is stored ([`merge`]), and — once the user
//! confirms — written in one transaction.
//!
//! Every import is planned first: [`Catalogue::plan_import`] writes nothing and says what would
//! happen (the first records exactly as they would be stored, every problem with its line,
//! record and column, and how many records would be created, updated, left alone or refused).
//! [`Catalogue::import`] plans again and applies: all or nothing by default (any problem
//! refuses the whole file), or, with [`ImportOptions::partial`], the records without problems.
//! The write is one storage transaction, so a crash or a kill in the middle leaves the
//! catalogue as it was; importing the same file twice changes nothing the second time.

pub mod jobs;
mod merge;
pub mod source;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use vitrina_catalogue::{Access, BadgeType, Category, Photo, Slug, Validate};
use vitrina_media::Pipeline;
use vitrina_storage::{Author, Batch, BatchWritten};
use vitrina_transfer::{Field, Mapping, ReadOptions};

pub use source::{Format, ReadChoices, SourceInfo};
pub use vitrina_transfer::{Grouping, Preset, Problem, ProblemKind};

use crate::{Catalogue, Error};

/// How many records a plan shows as they will be stored.
pub const PREVIEW_RECORDS: usize = 20;

/// What to do with records that are already in the catalogue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Only new records are created; records already there are left alone.
    Create,
    /// New records are created, records already there (by the key) updated.
    #[default]
    Upsert,
    /// The catalogue's types become the file's: new ones created, those there updated, and
    /// every other type deleted (its history keeps it).
    Replace,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "create" => Mode::Create,
            "upsert" => Mode::Upsert,
            "replace" => Mode::Replace,
            _ => return None,
        })
    }
}

/// How a record in the file finds the one it updates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Key {
    /// The type's slug (given in the file, or made from its title).
    #[default]
    Slug,
    /// A specimen's inventory number: the type holding a piece with the same number.
    Inventory,
}

/// One column as the user mapped it: its header and the field's key (`title_en`), or `None`
/// to ignore it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub header: String,
    pub field: Option<String>,
}

/// Everything an import may be told.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    #[serde(flatten)]
    pub read: ReadChoices,
    /// The columns as mapped by the user, by header, in the file's order. Without it the
    /// preset's mapping, else the recognised one, is used.
    pub mapping: Option<Vec<ColumnChoice>>,
    /// A saved mapping to apply by header.
    pub preset: Option<String>,
    /// Keep the mapping used under this name for the next file.
    pub save_preset: Option<String>,
    pub mode: Mode,
    pub key: Key,
    /// Import the records without problems and report the rest (instead of refusing all).
    pub partial: bool,
    /// How rows without a slug group into types.
    pub grouping: Grouping,
    /// New records are drafts (unless the file says otherwise).
    pub drafts: bool,
}

/// Why an import could not even be planned (a file that cannot be read, a preset that does not
/// exist); problems in the records are not errors, they are in the [`Plan`].
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Unreadable(String),
    #[error("there is no mapping preset called {0:?}")]
    NoPreset(String),
    #[error("the mapping names an unknown field {0:?}")]
    UnknownField(String),
    #[error("a preset needs a name of 1 to 100 characters")]
    BadPresetName,
    #[error("{0}")]
    Photo(String),
    #[error(transparent)]
    Catalogue(#[from] Error),
}

impl ImportError {
    /// A stable code, as the API reports it.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Unreadable(_) => "unreadable",
            ImportError::NoPreset(_) => "not-found",
            ImportError::UnknownField(_) | ImportError::BadPresetName => "invalid",
            ImportError::Photo(_) => "invalid",
            ImportError::Catalogue(e) => e.code(),
        }
    }
}

impl From<vitrina_storage::StorageError> for ImportError {
    fn from(e: vitrina_storage::StorageError) -> Self {
        ImportError::Catalogue(e.into())
    }
}

/// A column of the plan: its header, the field it is read into, and that field's labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedColumn {
    pub header: String,
    pub field: Option<String>,
    pub label_en: Option<String>,
    pub label_ru: Option<String>,
    /// Example values from the first rows.
    pub examples: Vec<String>,
}

/// What would be written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rows read.
    pub rows: u64,
    pub create: u64,
    pub update: u64,
    /// Records already there exactly as the file has them (or, in create mode, already there).
    pub unchanged: u64,
    /// Records with problems: nothing of them is written.
    pub refused: u64,
    /// Types deleted (replace mode).
    pub delete: u64,
    /// Categories created.
    pub categories: u64,
    /// Photos the file brings.
    pub photos: u64,
}

/// What an import would do, or did.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub source: SourceInfo,
    pub columns: Vec<PlannedColumn>,
    pub counts: Counts,
    pub problems: Vec<Problem>,
    /// The first records as they will be stored.
    pub preview: Vec<BadgeType>,
    /// The categories the file creates.
    pub new_categories: Vec<Category>,
    pub mode: Mode,
    pub partial: bool,
    /// Whether applying it would write anything: no problem (or partial), and something to do.
    pub can_apply: bool,
}

/// What an applied import did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub plan: Plan,
    /// `false` when the file was refused (problems without `partial`): nothing was written.
    pub applied: bool,
    pub written: BatchWritten,
}

impl Report {
    /// Whether any record was refused (the CLI's exit code says so).
    pub fn refused_any(&self) -> bool {
        self.plan.counts.refused > 0 || !self.plan.problems.is_empty()
    }
}

/// A plan with what applying it needs.
struct Prepared {
    plan: Plan,
    batch: Batch,
    /// Photos to store before writing: (record index in `batch.types`, photo path, picture
    /// name in the bundle).
    photos: Vec<PendingPhoto>,
    pictures: source::Pictures,
}

#[derive(Debug)]
struct PendingPhoto {
    record: usize,
    path: PhotoPath,
    picture: String,
}

/// Where a photo sits in its record.
#[derive(Debug, Clone, Copy)]
enum PhotoPath {
    Type(usize),
    Specimen(usize, usize, usize),
}

impl Catalogue {
    /// The mapping presets by name.
    pub async fn import_presets(&self) -> Result<Vec<Preset>, Error> {
        let mut out = Vec::new();
        for (name, data) in self.store.presets().await? {
            match serde_json::from_value::<Preset>(data) {
                Ok(mut p) => {
                    p.name = name;
                    out.push(p);
                }
                Err(e) => tracing::warn!(preset = name, error = %e, "an unreadable preset"),
            }
        }
        Ok(out)
    }

    /// Keeps a mapping preset (replacing one with the same name).
    pub async fn save_import_preset(&self, preset: &Preset) -> Result<(), ImportError> {
        let name = preset.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ImportError::BadPresetName);
        }
        let data = serde_json::to_value(preset).map_err(|e| Error::Demo(e.to_string()))?;
        self.store.save_preset(name, &data).await?;
        Ok(())
    }

    pub async fn delete_import_preset(&self, name: &str) -> Result<(), Error> {
        Ok(self.store.delete_preset(name).await?)
    }

    /// Plans importing `bytes` (a file called `name`): nothing is written (see the module).
    pub async fn plan_import(
        &self,
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<Plan, ImportError> {
        Ok(self.prepare(name, bytes, options).await?.plan)
    }

    /// Plans and applies an import as `author`. Photos named by the rows are taken from a ZIP
    /// bundle and stored through `media` (required for a bundle). `progress(done, total)` is
    /// called as records are written.
    pub async fn import_file(
        &self,
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
        media: Option<&Pipeline>,
        author: &Author,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Report, ImportError> {
        let prepared = self.prepare(name, bytes, options).await?;
        if !prepared.plan.can_apply {
            let nothing_to_do = prepared.plan.problems.is_empty();
            return Ok(Report {
                applied: nothing_to_do,
                plan: prepared.plan,
                written: BatchWritten::default(),
            });
        }
        self.apply_import(prepared, media, author, progress).await
    }

    async fn prepare(
        &self,
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<Prepared, ImportError> {
        let (input, info, pictures) = source::read(name, bytes, &options.read)?;
        let existing_categories: Vec<Category> = self
            .store
            .all_categories()
            .await?
            .into_iter()
            .map(|c| c.category)
            .collect();
        let mut collection = None;
        let (outcome, columns) = match input {
            source::Input::Table(table) => {
                if table.rows.is_empty() {
                    return Err(ImportError::Unreadable(
                        "the file has no rows to import (only a header, or nothing)".into(),
                    ));
                }
                let mapping = self.mapping_for(&table.headers, options).await?;
                let read_options = ReadOptions {
                    grouping: options.grouping,
                    categories: existing_categories.clone(),
                    published: !options.drafts,
                    currency: None,
                };
                let outcome = vitrina_transfer::read(&table, &mapping, &read_options);
                if let Some(name) = &options.save_preset {
                    self.save_import_preset(&mapping.to_preset(name.trim()))
                        .await?;
                }
                (outcome, planned_columns(&table, &mapping))
            }
            source::Input::Snapshot(snapshot) => {
                // Vitrina's own export brings the collection's title and introduction too.
                let given = crate::text::normalized_record(&snapshot.collection);
                let stored = self.store.collection().await?.unwrap_or_default();
                if given != vitrina_catalogue::Collection::default() && given != stored {
                    collection = Some(given);
                }
                (
                    merge::outcome_of(snapshot, &existing_categories),
                    Vec::new(),
                )
            }
        };
        let mut plan = Plan {
            source: info,
            columns,
            counts: Counts {
                rows: outcome.rows as u64,
                ..Counts::default()
            },
            problems: outcome.problems,
            preview: Vec::new(),
            new_categories: Vec::new(),
            mode: options.mode,
            partial: options.partial,
            can_apply: false,
        };
        let mut batch = Batch {
            collection,
            ..Batch::default()
        };
        // Rows that made no record (no title, say) are refused too.
        let orphan_lines: HashSet<Option<u64>> = plan
            .problems
            .iter()
            .filter(|p| p.record.is_none())
            .map(|p| p.line)
            .collect();
        plan.counts.refused += orphan_lines.len() as u64;
        let mut kept_slugs = HashSet::new();
        let keys = match options.key {
            Key::Slug => HashMap::new(),
            Key::Inventory => self.store.inventory_owners().await?.into_iter().collect(),
        };
        let known: HashSet<Slug> = self.store.all_slugs().await?.into_iter().collect();
        let mut position = self.next_position().await?;
        let mut photos = Vec::new();
        for imported in outcome.types {
            if imported.problems > 0 {
                plan.counts.refused += 1;
                continue;
            }
            let mut record = crate::text::normalized_record(&imported.record);
            // The record it updates, by the key.
            let target = match options.key {
                Key::Slug => Some(record.slug.clone()),
                Key::Inventory => record
                    .specimens()
                    .find_map(|s| keys.get(&s.inventory_number).cloned())
                    .or_else(|| Some(record.slug.clone())),
            };
            let stored = match target.filter(|slug| known.contains(slug)) {
                Some(slug) => match self.store.badge_type(&slug, Access::Private).await {
                    Ok(t) => Some(t),
                    Err(vitrina_storage::StorageError::NotFound { .. }) => None,
                    Err(e) => return Err(e.into()),
                },
                None => None,
            };
            if let Some(stored) = &stored {
                kept_slugs.insert(stored.slug.clone());
            }
            let index = batch.types.len();
            let line = imported.lines.first().copied();
            let pending = match pending_photos(&record, index, &pictures, line) {
                Ok(p) => p,
                Err(missing) => {
                    plan.problems.extend(missing);
                    plan.counts.refused += 1;
                    continue;
                }
            };
            let change = match stored {
                Some(_) if options.mode == Mode::Create => merge::Change::Unchanged,
                Some(stored) => merge::merge(&mut record, &stored, !pending.is_empty()),
                None => {
                    if record.position == 0 {
                        position += 1;
                        record.position = position;
                    }
                    merge::Change::Create
                }
            };
            if let Err(errors) = record.validate() {
                // A record the file made valid, but that is not once merged (a stored
                // category link, say): refused with its messages.
                for e in errors.0 {
                    plan.problems.push(Problem {
                        line: imported.lines.first().copied(),
                        record: Some(record.slug.to_string()),
                        column: None,
                        field: None,
                        kind: ProblemKind::Invalid,
                        message: format!("{}: {}", e.field, e.message),
                    });
                }
                plan.counts.refused += 1;
                continue;
            }
            match change {
                merge::Change::Unchanged => {
                    plan.counts.unchanged += 1;
                    continue;
                }
                merge::Change::Create => plan.counts.create += 1,
                merge::Change::Update => plan.counts.update += 1,
            }
            plan.counts.photos += pending.len() as u64;
            photos.extend(pending);
            if plan.preview.len() < PREVIEW_RECORDS {
                plan.preview.push(record.clone());
            }
            batch.types.push(record);
        }
        for c in outcome.categories.into_iter().filter(|c| !c.existing) {
            plan.new_categories.push(c.category.clone());
            batch.categories.push(c.category);
        }
        plan.counts.categories = batch.categories.len() as u64;
        if options.mode == Mode::Replace {
            let written: HashSet<&Slug> = batch.types.iter().map(|t| &t.slug).collect();
            let mut after = 0;
            loop {
                let page = self
                    .store
                    .all_types_after(after, 1_000, Access::Public)
                    .await?;
                let Some(last) = page.last() else { break };
                after = last.id.map_or(i64::MAX, |id| id.get());
                for t in page {
                    if !written.contains(&t.slug) && !kept_slugs.contains(&t.slug) {
                        batch.delete.push(t.slug);
                    }
                }
            }
            plan.counts.delete = batch.delete.len() as u64;
        }
        let clean = plan.problems.is_empty() || options.partial;
        let something = !batch.types.is_empty()
            || !batch.delete.is_empty()
            || !batch.categories.is_empty()
            || batch.collection.is_some();
        plan.can_apply = clean && something;
        Ok(Prepared {
            plan,
            batch,
            photos,
            pictures,
        })
    }

    /// The mapping for `headers`: the user's, else a preset's, else the recognised one (or
    /// Vitrina's own export's).
    async fn mapping_for(
        &self,
        headers: &[String],
        options: &ImportOptions,
    ) -> Result<Mapping, ImportError> {
        if let Some(choices) = &options.mapping {
            let mut mapping = Mapping::recognise(headers);
            for (i, header) in headers.iter().enumerate() {
                let choice = choices
                    .iter()
                    .find(|c| &c.header == header)
                    .map(|c| c.field.as_deref());
                if let Some(field) = choice {
                    let field = match field.filter(|f| !f.is_empty()) {
                        Some(key) => Some(
                            Field::from_key(key)
                                .ok_or_else(|| ImportError::UnknownField(key.to_owned()))?,
                        ),
                        None => None,
                    };
                    mapping.set(i, field);
                }
            }
            return Ok(mapping);
        }
        if let Some(name) = &options.preset {
            let preset = self
                .import_presets()
                .await?
                .into_iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| ImportError::NoPreset(name.clone()))?;
            return Ok(Mapping::with_preset(headers, &preset));
        }
        let own = Mapping::vitrina_export(headers);
        let recognised = Mapping::recognise(headers);
        let used = |m: &Mapping| m.columns.iter().filter(|c| c.field.is_some()).count();
        Ok(if used(&own) >= used(&recognised) {
            own
        } else {
            recognised
        })
    }

    /// The position after the last type's.
    async fn next_position(&self) -> Result<i64, Error> {
        let (page, total) = self
            .store
            .types(&Default::default(), vitrina_storage::Page::new(0, 1))
            .await?;
        if total == 0 || page.is_empty() {
            return Ok(0);
        }
        let last = self
            .store
            .types(
                &Default::default(),
                vitrina_storage::Page::new(total.saturating_sub(1), 1),
            )
            .await?
            .0;
        Ok(last.first().map_or(0, |t| t.position).max(0))
    }

    async fn apply_import(
        &self,
        prepared: Prepared,
        media: Option<&Pipeline>,
        author: &Author,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Report, ImportError> {
        let Prepared {
            plan,
            mut batch,
            photos,
            pictures,
        } = prepared;
        let total = batch.types.len() as u64;
        progress(0, total);
        // The photos first, so the records can name them; removed again if the write fails.
        let mut stored_originals = Vec::new();
        if !photos.is_empty() {
            let media = media.ok_or_else(|| {
                ImportError::Photo("photos can only be imported where photos are kept".into())
            })?;
            for p in &photos {
                let Some((name, bytes)) = pictures.find(&p.picture) else {
                    continue;
                };
                let ingested = match media.ingest(bytes::Bytes::from(bytes.clone())).await {
                    Ok(i) => i,
                    Err(e) => {
                        forget(media, &stored_originals).await;
                        return Err(ImportError::Photo(format!("{name}: {e}")));
                    }
                };
                if !ingested.duplicate {
                    stored_originals.push(ingested.hash.clone());
                }
                let photo = photo_at(&mut batch.types[p.record], p.path);
                let (width, height) = ingested.inspection.upright_size();
                photo.file = ingested.file.clone();
                photo.width = Some(width);
                photo.height = Some(height);
                photo.original_name = Photo::safe_file_name(name);
            }
        }
        let written = self
            .store
            .write_batch(&batch, author, &|done| progress(done, total))
            .await;
        let written = match written {
            Ok(w) => w,
            Err(e) => {
                if let Some(media) = media {
                    forget(media, &stored_originals).await;
                }
                return Err(ImportError::Catalogue(e.into()));
            }
        };
        self.announce_write();
        if batch.types.len() + batch.delete.len() > 1_000 {
            // a large import: one rebuild is cheaper than many small updates
            self.reindex().await?;
        } else {
            self.index_after_write().await;
        }
        progress(total, total);
        tracing::info!(
            created = written.created,
            updated = written.updated,
            deleted = written.deleted,
            categories = written.categories,
            author = %author.name,
            "import applied"
        );
        Ok(Report {
            plan,
            applied: true,
            written,
        })
    }
}

/// Removes originals an import stored, after its write failed.
async fn forget(media: &Pipeline, hashes: &[String]) {
    for hash in hashes {
        if let Err(e) = media.remove(hash).await {
            tracing::error!(hash, error = %e, "could not remove a photo of a failed import");
        }
    }
}

fn photo_at(t: &mut BadgeType, path: PhotoPath) -> &mut Photo {
    match path {
        PhotoPath::Type(i) => &mut t.photos[i],
        PhotoPath::Specimen(v, s, i) => &mut t.variants[v].specimens[s].photos[i],
    }
}

/// The photos of `record` that name a picture of the bundle (to be stored). A photo whose file
/// is already a stored photo's key is kept as it is; any other name must be in the bundle, or
/// the record is refused with a problem per missing picture.
fn pending_photos(
    record: &BadgeType,
    index: usize,
    pictures: &source::Pictures,
    line: Option<u64>,
) -> Result<Vec<PendingPhoto>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut all: Vec<(PhotoPath, &Photo)> = record
        .photos
        .iter()
        .enumerate()
        .map(|(i, p)| (PhotoPath::Type(i), p))
        .collect();
    for (v, variant) in record.variants.iter().enumerate() {
        for (s, specimen) in variant.specimens.iter().enumerate() {
            for (i, p) in specimen.photos.iter().enumerate() {
                all.push((PhotoPath::Specimen(v, s, i), p));
            }
        }
    }
    for (path, photo) in all {
        if is_stored_key(&photo.file) {
            continue;
        }
        // A name that is not a media key (`IMG 0042.JPG`) was read as `import/…`, its name as
        // written kept as the original one.
        let wanted = if photo.file.starts_with("import/") && !photo.original_name.is_empty() {
            photo.original_name.clone()
        } else {
            photo.file.clone()
        };
        if pictures.find(&wanted).is_some() {
            out.push(PendingPhoto {
                record: index,
                path,
                picture: wanted,
            });
        } else {
            let message = if pictures.files.is_empty() {
                format!(
                    "the photo {wanted:?} is not in the file: import a ZIP holding the sheet and \
                     its photos"
                )
            } else {
                format!("the photo {wanted:?} is not in the ZIP")
            };
            problems.push(Problem {
                line,
                record: Some(record.slug.to_string()),
                column: None,
                field: None,
                kind: ProblemKind::Invalid,
                message,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Whether a photo's file is a key of the media store already (an upload's `photos/<sha256>`,
/// or a demo drawing), as Vitrina's own export writes it, rather than a picture to bring.
fn is_stored_key(file: &str) -> bool {
    let upload = file
        .strip_prefix("photos/")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    upload || file.starts_with("demo/")
}

/// The plan's view of the mapping: each column with its field and a few example values.
fn planned_columns(table: &vitrina_formats::Table, mapping: &Mapping) -> Vec<PlannedColumn> {
    use vitrina_catalogue::Lang;
    mapping
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| PlannedColumn {
            header: c.header.clone(),
            field: c.field.map(|f| f.key().to_owned()),
            label_en: c.field.map(|f| f.label(Lang::En).to_owned()),
            label_ru: c.field.map(|f| f.label(Lang::Ru).to_owned()),
            examples: table
                .rows
                .iter()
                .map(|r| r.cell(i))
                .filter(|v| !v.trim().is_empty())
                .take(3)
                .map(|v| v.chars().take(80).collect())
                .collect(),
        })
        .collect()
}
