//! Backup, restore and moving between engines: the whole collection in one archive
//! ([`crate::archive`] describes the file) and back.
//!
//! A backup reads the catalogue, its history and (when asked) the accounts in one snapshot of
//! the store ([`vitrina_storage::DumpStore::dump`]), so it is consistent while the site serves
//! and curators write; the photos' originals are copied after that read, which is just as
//! consistent: they are named by their content and never rewritten.
//!
//! A restore proves the whole archive sound first — the manifest's format, every entry's name,
//! size and SHA-256, every record readable — and only then touches the target: the originals
//! go into the media store (through the upload pipeline, which inspects each and queues its web
//! sizes), then every database row lands in one transaction. Originals first, because an
//! original nobody names is harmless (and removed again if the transaction fails), while a
//! committed record whose original is missing is not. Then the search index is rebuilt, and the
//! change log tells every other node.
//!
//! `migrate` is a backup of one store read back into another through the same two halves,
//! without the originals: both engines use the same media folder.

use std::collections::BTreeSet;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use tokio::io::AsyncReadExt;
use vitrina_catalogue::{BadgeType, Category, Collection, Role, TokenScope, User, UserId};
use vitrina_media::{MediaError, MediaStore, Pipeline, original_key};
use vitrina_storage::{
    ApiToken, Author, HistoryOp, RecordKind, RestoreOptions, Revision, StorageError, StoredUser,
};

use crate::archive::{
    self, ArchiveReader, ArchiveWriter, CATEGORIES, COLLECTION, Counts, FORMAT, FORMAT_VERSION,
    HISTORY, Lines, Manifest, ORIGINALS, TOKENS, TYPES, USERS, is_hash,
};
use crate::{Catalogue, Error};

pub use crate::archive::{Entry, Manifest as BackupManifest};

/// Types read or written per page.
const TYPE_PAGE: usize = 500;
/// Revisions read or written per page.
const REVISION_PAGE: usize = 1_000;

/// Why a backup or restore did not happen. Nothing in the target changed when a restore
/// fails, whatever the reason.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    NotAnArchive(String),
    #[error("the archive is damaged: {0}")]
    Damaged(String),
    #[error("the archive is refused: {0}")]
    Hostile(String),
    #[error(
        "the archive was made by a newer Vitrina ({made_by}, backup format {format_version}); \
         this one ({ours}) reads backup format {FORMAT_VERSION} and older: upgrade Vitrina to \
         restore it",
        ours = env!("CARGO_PKG_VERSION")
    )]
    TooNew {
        format_version: u32,
        made_by: String,
    },
    /// The target holds a collection and the restore was not asked to replace it.
    #[error("{0}: restore into an empty database, or ask to replace everything in it")]
    NotEmpty(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("photo {hash}: {source}")]
    Media {
        hash: String,
        #[source]
        source: MediaError,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl BackupError {
    /// A stable kebab-case code, as [`Error::code`] has.
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::NotAnArchive(_) => "not-a-backup",
            BackupError::Damaged(_) => "damaged",
            BackupError::Hostile(_) => "refused",
            BackupError::TooNew { .. } => "too-new",
            BackupError::NotEmpty(_) => "not-empty",
            BackupError::Storage(e) => Error::Storage(clone_kind(e)).code(),
            BackupError::Io { .. } | BackupError::Media { .. } => "internal",
        }
    }
}

/// A storage error's kind without its payload (enough for [`Error::code`]).
fn clone_kind(e: &StorageError) -> StorageError {
    match e {
        StorageError::NotFound { what, key } => StorageError::not_found(what, key),
        StorageError::Conflict(m) => StorageError::Conflict(m.clone()),
        StorageError::Unavailable(m) => StorageError::Unavailable(m.clone()),
        StorageError::Invalid(v) => StorageError::Invalid(v.clone()),
        other => StorageError::Backend(other.to_string().into()),
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// Where a long backup or restore has got to (the CLI draws progress bars from it).
pub trait Progress: Send + Sync {
    /// A new stage: what it does, and how many steps it has when known.
    fn stage(&self, what: &str, total: Option<u64>);
    /// `n` more steps of the stage are done.
    fn advance(&self, n: u64);
}

/// Progress that nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}

/// What goes into a backup besides the catalogue and its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupOptions {
    /// Users with their password hashes and roles, and API tokens.
    pub accounts: bool,
    /// The photos' originals (`migrate` leaves them in the media folder both engines share).
    pub originals: bool,
}

impl Default for BackupOptions {
    fn default() -> Self {
        Self {
            accounts: false,
            originals: true,
        }
    }
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub manifest: Manifest,
    /// The archive's size in bytes.
    pub bytes: u64,
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// Originals copied into the media store (the others were there already).
    pub originals_added: u64,
    /// Originals the catalogue names that the media store does not have after the restore:
    /// those photos show as failed until their files are uploaded again.
    pub missing_originals: Vec<String>,
    /// How many types the search index holds after its rebuild (`None`: it could not be
    /// rebuilt now; the next start of the server does it).
    pub indexed: Option<usize>,
}

/// A category as `catalogue/categories.jsonl` holds it: its version is storage bookkeeping,
/// which the category's own JSON leaves out.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchivedCategory {
    version: i64,
    category: Category,
}

/// A revision as `history.jsonl` holds it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchivedRevision {
    id: i64,
    kind: String,
    record_id: i64,
    key: String,
    version: i64,
    op: String,
    author_id: Option<i64>,
    author_name: String,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    record: Value,
}

impl ArchivedRevision {
    fn of(r: &Revision) -> Self {
        Self {
            id: r.id,
            kind: r.kind.as_str().into(),
            record_id: r.record_id,
            key: r.key.clone(),
            version: r.version,
            op: r.op.as_str().into(),
            author_id: r.author.user.map(|u| u.get()),
            author_name: r.author.name.clone(),
            at: r.at,
            record: r.record.clone(),
        }
    }

    fn into_revision(self) -> Result<Revision, BackupError> {
        let bad = |e: StorageError| {
            BackupError::Damaged(format!("revision {} in {HISTORY}: {e}", self.id))
        };
        Ok(Revision {
            kind: RecordKind::parse(&self.kind).map_err(bad)?,
            op: HistoryOp::parse(&self.op).map_err(bad)?,
            id: self.id,
            record_id: self.record_id,
            key: self.key,
            version: self.version,
            author: Author {
                user: self.author_id.map(UserId::new),
                name: self.author_name,
            },
            at: self.at,
            record: self.record,
        })
    }
}

/// A user as `accounts/users.jsonl` holds it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchivedUser {
    id: i64,
    name: String,
    role: Role,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    disabled: bool,
    password_hash: String,
}

/// An API token as `accounts/tokens.jsonl` holds it (the hash of its secret, never the secret).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchivedToken {
    id: i64,
    user_id: i64,
    label: String,
    scope: TokenScope,
    prefix: String,
    hash: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    last_used_at: Option<OffsetDateTime>,
}

/// The content hash of an uploaded photo's file (`photos/<sha256>`); demo drawings have none.
fn uploaded(file: &str) -> Option<&str> {
    file.strip_prefix("photos/").filter(|h| is_hash(h))
}

fn photo_hashes(t: &BadgeType, into: &mut BTreeSet<String>) {
    let photos = t
        .photos
        .iter()
        .chain(t.specimens().flat_map(|s| s.photos.iter()));
    for p in photos {
        if let Some(hash) = uploaded(&p.file) {
            into.insert(hash.to_owned());
        }
    }
}

/// Every uploaded photo a revision's record names (`"file": "photos/<sha256>"`, anywhere).
fn revision_hashes(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if k == "file" => {
                        if let Some(hash) = uploaded(s) {
                            into.insert(hash.to_owned());
                        }
                    }
                    _ => revision_hashes(v, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| revision_hashes(v, into)),
        _ => {}
    }
}

/// `path` with `.partial` added: where an archive is written before it is renamed into place,
/// so a backup that fails half-way never leaves a file that looks like one.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

impl Catalogue {
    /// Writes the whole collection to an archive at `path` (replacing a file there only once
    /// the archive is complete): catalogue, drafts, private fields, history, the accounts when
    /// asked, and the originals of every photo the catalogue or its history names.
    pub async fn backup(
        &self,
        media: &dyn MediaStore,
        path: &Path,
        options: BackupOptions,
        progress: &dyn Progress,
    ) -> Result<BackupReport, BackupError> {
        let temp = partial(path);
        let file = std::fs::File::create(&temp)
            .map_err(io(format!("cannot create {}", temp.display())))?;
        let written = self.write_archive(media, file, options, progress).await;
        let finished = written.and_then(|(manifest, file)| {
            file.sync_all()
                .map_err(io(format!("cannot write {}", temp.display())))?;
            let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
            std::fs::rename(&temp, path)
                .map_err(io(format!("cannot move the archive to {}", path.display())))?;
            Ok(BackupReport { manifest, bytes })
        });
        if finished.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        finished
    }

    async fn write_archive(
        &self,
        media: &dyn MediaStore,
        file: std::fs::File,
        options: BackupOptions,
        progress: &dyn Progress,
    ) -> Result<(Manifest, std::fs::File), BackupError> {
        let failed = io("cannot write the archive");
        let mut out = ArchiveWriter::create(file);
        let mut counts = Counts::default();
        let mut hashes = BTreeSet::new();
        let mut dump = self.store.dump().await?;
        let held = dump.counts().await?;

        out.start(COLLECTION, true).map_err(io("writing"))?;
        out.line(&dump.collection().await?).map_err(io("writing"))?;
        out.start(CATEGORIES, true).map_err(io("writing"))?;
        for category in dump.categories().await? {
            counts.categories += 1;
            let version = category.version;
            out.line(&ArchivedCategory { version, category })
                .map_err(io("writing"))?;
        }

        progress.stage("Badge types", Some(held.types));
        out.start(TYPES, true).map_err(io("writing"))?;
        let mut after = None;
        loop {
            let page = dump.types(after, TYPE_PAGE as u64).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for t in &page {
                photo_hashes(t, &mut hashes);
                out.line(t).map_err(io("writing"))?;
            }
            counts.types += page.len() as u64;
            progress.advance(page.len() as u64);
        }

        progress.stage("History", Some(held.revisions));
        out.start(HISTORY, true).map_err(io("writing"))?;
        let mut after = 0;
        loop {
            let page = dump.revisions(after, REVISION_PAGE as u64).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for r in &page {
                revision_hashes(&r.record, &mut hashes);
                out.line(&ArchivedRevision::of(r)).map_err(io("writing"))?;
            }
            counts.revisions += page.len() as u64;
            progress.advance(page.len() as u64);
        }

        if options.accounts {
            out.start(USERS, true).map_err(io("writing"))?;
            for u in dump.users().await? {
                counts.users += 1;
                out.line(&ArchivedUser {
                    id: u.user.id.map_or(0, |i| i.get()),
                    name: u.user.name,
                    role: u.user.role,
                    created_at: u.user.created_at,
                    disabled: u.user.disabled,
                    password_hash: u.password_hash,
                })
                .map_err(io("writing"))?;
            }
            out.start(TOKENS, true).map_err(io("writing"))?;
            for t in dump.tokens().await? {
                counts.tokens += 1;
                out.line(&ArchivedToken {
                    id: t.id.unwrap_or(0),
                    user_id: t.user_id.get(),
                    label: t.label,
                    scope: t.scope,
                    prefix: t.prefix,
                    hash: t.hash,
                    created_at: t.created_at,
                    last_used_at: t.last_used_at,
                })
                .map_err(io("writing"))?;
            }
        }
        // The database part is read: let the snapshot go before the long copy of the files.
        dump.finish().await?;

        let mut missing = Vec::new();
        if options.originals {
            progress.stage("Photo originals", Some(hashes.len() as u64));
            for hash in &hashes {
                if copy_original(media, &mut out, hash).await? {
                    counts.originals += 1;
                } else {
                    missing.push(hash.clone());
                }
                progress.advance(1);
            }
        }
        if !missing.is_empty() {
            tracing::warn!(
                count = missing.len(),
                "photo originals named by the catalogue are missing or damaged in the media store; \
                 the backup goes on without them"
            );
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            vitrina_version: env!("CARGO_PKG_VERSION").into(),
            created_at: OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            engine: self.store.engine().into(),
            accounts: options.accounts,
            originals: options.originals,
            counts,
            missing_originals: missing,
            entries: Vec::new(),
        };
        let writer = out.finish(manifest.clone()).map_err(failed)?;
        let file = writer.into_inner().map_err(|e| BackupError::Io {
            what: "cannot write the archive".into(),
            source: e.into_error(),
        })?;
        Ok((manifest, file))
    }

    /// Restores the archive at `path` into this catalogue's store and `media`. Nothing changes
    /// unless the whole archive is sound and of a format this Vitrina reads; a store that is
    /// not empty is refused unless `replace`, which replaces everything in one transaction.
    pub async fn restore(
        &self,
        media: &Pipeline,
        path: &Path,
        replace: bool,
        progress: &dyn Progress,
    ) -> Result<RestoreReport, BackupError> {
        progress.stage("Checking the archive", None);
        let checked = {
            let path = path.to_owned();
            tokio::task::spawn_blocking(move || verify(&path))
                .await
                .map_err(|e| BackupError::Io {
                    what: "checking the archive".into(),
                    source: std::io::Error::other(e),
                })??
        };
        let manifest = checked.manifest.clone();
        if !replace {
            let mut dump = self.store.dump().await?;
            let held = dump.counts().await?;
            dump.finish().await?;
            if held.collection
                || held.categories + held.types + held.revisions > 0
                || (manifest.accounts && held.users > 0)
            {
                return Err(BackupError::NotEmpty(format!(
                    "the database already holds a collection ({} badge types, {} categories, {} \
                     revisions{})",
                    held.types,
                    held.categories,
                    held.revisions,
                    if manifest.accounts {
                        format!(", {} users", held.users)
                    } else {
                        String::new()
                    }
                )));
            }
        }

        let mut archive = ArchiveReader::open(path)?;
        let mut added = Vec::new();
        let restored = async {
            self.restore_originals(media, &mut archive, &mut added, progress)
                .await?;
            self.restore_rows(&mut archive, replace, progress).await
        }
        .await;
        if let Err(e) = restored {
            for hash in &added {
                let _ = media.remove(hash).await;
            }
            return Err(e);
        }
        self.announce_write();
        progress.stage("Search index", None);
        let indexed = match self.reindex().await {
            Ok(n) => self.search_index().map(|_| n),
            Err(e) => {
                tracing::warn!(error = %e, "the search index could not be rebuilt after a restore");
                None
            }
        };
        let mut missing = Vec::new();
        for hash in &checked.named {
            if !media
                .store()
                .exists(&original_key(hash))
                .await
                .map_err(io("cannot read the media store"))?
            {
                missing.push(hash.clone());
            }
        }
        Ok(RestoreReport {
            manifest,
            originals_added: added.len() as u64,
            missing_originals: missing,
            indexed,
        })
    }

    /// Copies the archive's originals into the media store through the upload pipeline (each
    /// inspected, its web sizes queued); notes those it added.
    async fn restore_originals(
        &self,
        media: &Pipeline,
        archive: &mut ArchiveReader,
        added: &mut Vec<String>,
        progress: &dyn Progress,
    ) -> Result<(), BackupError> {
        let originals = archive.originals();
        progress.stage("Photo originals", Some(originals.len() as u64));
        for entry in originals {
            let hash = entry.name[ORIGINALS.len()..].to_owned();
            let exists = media
                .store()
                .exists(&original_key(&hash))
                .await
                .map_err(io("cannot read the media store"))?;
            if !exists {
                let limit = media.limits().max_bytes;
                if entry.size > limit {
                    return Err(BackupError::Hostile(format!(
                        "{} is {} bytes, more than a photo may be ({limit})",
                        entry.name, entry.size
                    )));
                }
                let bytes = read_original(archive, &entry)?;
                let ingested = media
                    .ingest(bytes)
                    .await
                    .map_err(|source| BackupError::Media {
                        hash: hash.clone(),
                        source,
                    })?;
                if !ingested.duplicate {
                    added.push(hash);
                }
            }
            progress.advance(1);
        }
        Ok(())
    }

    /// Every database row, in one transaction.
    async fn restore_rows(
        &self,
        archive: &mut ArchiveReader,
        replace: bool,
        progress: &dyn Progress,
    ) -> Result<(), BackupError> {
        let manifest = archive.manifest.clone();
        let mut writer = self
            .store
            .restore(RestoreOptions {
                replace,
                accounts: manifest.accounts,
            })
            .await
            .map_err(|e| match e {
                StorageError::Conflict(m) => BackupError::NotEmpty(m),
                other => other.into(),
            })?;

        let mut entry = archive.entry(COLLECTION)?;
        let collection = Lines::new(&mut entry)
            .next::<Option<Collection>>()?
            .flatten();
        entry.check()?;
        if let Some(c) = collection {
            writer.collection(&c).await?;
        }

        let mut entry = archive.entry(CATEGORIES)?;
        let mut categories = Vec::new();
        {
            let mut lines = Lines::new(&mut entry);
            while let Some(c) = lines.next::<ArchivedCategory>()? {
                let mut category = c.category;
                category.version = c.version;
                categories.push(category);
            }
        }
        entry.check()?;
        writer.categories(&categories).await?;

        progress.stage("Badge types", Some(manifest.counts.types));
        let mut entry = archive.entry(TYPES)?;
        {
            let mut lines = Lines::new(&mut entry);
            let mut page = Vec::with_capacity(TYPE_PAGE);
            loop {
                let next = lines.next::<BadgeType>()?;
                let end = next.is_none();
                page.extend(next);
                if page.len() == TYPE_PAGE || (end && !page.is_empty()) {
                    writer.types(&page).await?;
                    progress.advance(page.len() as u64);
                    page.clear();
                }
                if end {
                    break;
                }
            }
        }
        entry.check()?;

        progress.stage("History", Some(manifest.counts.revisions));
        let mut entry = archive.entry(HISTORY)?;
        {
            let mut lines = Lines::new(&mut entry);
            let mut page = Vec::with_capacity(REVISION_PAGE);
            loop {
                let next = lines.next::<ArchivedRevision>()?;
                let end = next.is_none();
                if let Some(r) = next {
                    page.push(r.into_revision()?);
                }
                if page.len() == REVISION_PAGE || (end && !page.is_empty()) {
                    writer.revisions(&page).await?;
                    progress.advance(page.len() as u64);
                    page.clear();
                }
                if end {
                    break;
                }
            }
        }
        entry.check()?;

        if manifest.accounts {
            let mut entry = archive.entry(USERS)?;
            let mut users = Vec::new();
            {
                let mut lines = Lines::new(&mut entry);
                while let Some(u) = lines.next::<ArchivedUser>()? {
                    users.push(StoredUser {
                        user: User {
                            id: Some(UserId::new(u.id)),
                            name: u.name,
                            role: u.role,
                            created_at: u.created_at,
                            disabled: u.disabled,
                        },
                        password_hash: u.password_hash,
                    });
                }
            }
            entry.check()?;
            writer.users(&users).await?;
            let mut entry = archive.entry(TOKENS)?;
            let mut tokens = Vec::new();
            {
                let mut lines = Lines::new(&mut entry);
                while let Some(t) = lines.next::<ArchivedToken>()? {
                    tokens.push(ApiToken {
                        id: Some(t.id),
                        user_id: UserId::new(t.user_id),
                        label: t.label,
                        scope: t.scope,
                        prefix: t.prefix,
                        hash: t.hash,
                        created_at: t.created_at,
                        last_used_at: t.last_used_at,
                    });
                }
            }
            entry.check()?;
            writer.tokens(&tokens).await?;
        }
        progress.stage("Committing", None);
        writer.commit().await?;
        Ok(())
    }
}

/// Copies one original into the open archive; `false` when the media store has none, or one
/// whose content no longer matches its name (the entry is dropped again).
async fn copy_original<W: Write + Seek>(
    media: &dyn MediaStore,
    out: &mut ArchiveWriter<W>,
    hash: &str,
) -> Result<bool, BackupError> {
    let key = original_key(hash);
    let Some(mut object) = media
        .open(&key)
        .await
        .map_err(io(format!("cannot read {key}")))?
    else {
        return Ok(false);
    };
    out.start(&format!("{ORIGINALS}{hash}"), false)
        .map_err(io("writing"))?;
    let mut buf = vec![0; 256 * 1024];
    loop {
        let n = object
            .reader
            .read(&mut buf)
            .await
            .map_err(io(format!("cannot read {key}")))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n]).map_err(io("writing"))?;
    }
    if out.sha256_so_far() != hash {
        tracing::warn!(%hash, "a photo original no longer matches its name: left out of the backup");
        out.abort().map_err(io("writing"))?;
        return Ok(false);
    }
    out.end().map_err(io("writing"))?;
    Ok(true)
}

/// One original, read whole (it is at most the upload limit, checked by the pipeline) through
/// its checksum.
fn read_original(archive: &mut ArchiveReader, entry: &Entry) -> Result<Bytes, BackupError> {
    let mut reader = archive.entry(&entry.name)?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size.min(64 << 20)).unwrap_or(0));
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| archive::damaged(&entry.name, e))?;
    reader.check()?;
    Ok(Bytes::from(bytes))
}

/// An archive read through once and found sound.
#[derive(Debug)]
struct Checked {
    manifest: Manifest,
    /// The originals its types name.
    named: BTreeSet<String>,
}

/// Reads every entry of the archive through its checksum and every record through its type:
/// what a restore does before it touches anything.
fn verify(path: &Path) -> Result<Checked, BackupError> {
    let mut archive = ArchiveReader::open(path)?;
    let manifest = archive.manifest.clone();
    let mut named = BTreeSet::new();
    let mut counts = Counts::default();
    for name in [COLLECTION, CATEGORIES, TYPES, HISTORY] {
        if !archive.has(name) {
            return Err(BackupError::Damaged(format!("the archive has no {name}")));
        }
    }
    let mut entry = archive.entry(COLLECTION)?;
    Lines::new(&mut entry).next::<Option<Collection>>()?;
    entry.check()?;
    let mut entry = archive.entry(CATEGORIES)?;
    count_lines::<ArchivedCategory>(&mut entry, &mut counts.categories, |_| Ok(()))?;
    entry.check()?;
    let mut entry = archive.entry(TYPES)?;
    count_lines::<BadgeType>(&mut entry, &mut counts.types, |t| {
        photo_hashes(&t, &mut named);
        Ok(())
    })?;
    entry.check()?;
    let mut entry = archive.entry(HISTORY)?;
    count_lines::<ArchivedRevision>(&mut entry, &mut counts.revisions, |r| {
        r.into_revision().map(drop)
    })?;
    entry.check()?;
    if manifest.accounts {
        let mut entry = archive.entry(USERS)?;
        count_lines::<ArchivedUser>(&mut entry, &mut counts.users, |_| Ok(()))?;
        entry.check()?;
        let mut entry = archive.entry(TOKENS)?;
        count_lines::<ArchivedToken>(&mut entry, &mut counts.tokens, |_| Ok(()))?;
        entry.check()?;
    }
    for entry in archive.originals() {
        let hash = &entry.name[ORIGINALS.len()..];
        if entry.sha256 != hash {
            return Err(BackupError::Damaged(format!(
                "{} does not hold the photo its name says",
                entry.name
            )));
        }
        let mut reader = archive.entry(&entry.name)?;
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| archive::damaged(&entry.name, e))?;
        reader.check()?;
        counts.originals += 1;
    }
    if counts != manifest.counts {
        return Err(BackupError::Damaged(format!(
            "it holds {counts:?}, but its manifest says {:?}",
            manifest.counts
        )));
    }
    Ok(Checked { manifest, named })
}

fn count_lines<T: serde::de::DeserializeOwned>(
    entry: &mut archive::EntryReader<'_>,
    count: &mut u64,
    mut each: impl FnMut(T) -> Result<(), BackupError>,
) -> Result<(), BackupError> {
    {
        let mut lines = Lines::new(entry);
        while let Some(record) = lines.next::<T>()? {
            *count += 1;
            each(record)?;
        }
    }
    Ok(())
}

/// `vitrina migrate`: the whole collection of `from`, accounts included, into the empty store
/// of `to`, through a backup without the originals written to `temp` (removed afterwards):
/// both stores use the same media.
pub async fn migrate(
    from: &Catalogue,
    to: &Catalogue,
    media: &Pipeline,
    temp: &Path,
    progress: &dyn Progress,
) -> Result<RestoreReport, BackupError> {
    let options = BackupOptions {
        accounts: true,
        originals: false,
    };
    let moved = async {
        from.backup(media.store().as_ref(), temp, options, progress)
            .await?;
        to.restore(media, temp, false, progress).await
    }
    .await;
    let _ = std::fs::remove_file(temp);
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_send<T: Send>(_: &T) {}

    /// The web serves these from its handlers, whose futures must be `Send`.
    #[allow(dead_code)]
    fn backup_and_restore_can_run_in_a_spawned_task(c: &Catalogue, p: &Pipeline, path: &Path) {
        is_send(&c.restore(p, path, false, &Quiet));
        is_send(&c.backup(p.store().as_ref(), path, BackupOptions::default(), &Quiet));
    }

    #[test]
    fn photos_are_found_in_any_revision() {
        let hash = "a".repeat(64);
        let record = serde_json::json!({
            "photos": [{"file": format!("photos/{hash}")}, {"file": "demo/x.svg"}],
            "variants": [{"specimens": [{"photos": [{"file": format!("photos/{}", "b".repeat(64))}]}]}],
            "notes": {"file": "photos/not-a-hash"}
        });
        let mut found = BTreeSet::new();
        revision_hashes(&record, &mut found);
        assert_eq!(found.len(), 2);
        assert!(found.contains(&hash));
    }

    #[test]
    fn a_partial_archive_sits_beside_the_final_one() {
        assert_eq!(
            partial(Path::new("/backups/collection.zip")),
            Path::new("/backups/collection.zip.partial")
        );
    }
}
