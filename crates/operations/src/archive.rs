//! The backup archive on disk: a ZIP file whose `manifest.json` names every other entry with its
//! size and SHA-256, so a restore can prove the whole archive sound before it touches anything.
//!
//! ```text
//! manifest.json                 format, versions, engine, counts, every entry's size and SHA-256
//! catalogue/collection.json     the collection's title and introduction (or null)
//! catalogue/categories.jsonl    one {"version": n, "category": {…}} per line, drafts included
//! catalogue/types.jsonl         one badge type per line: ids, version, drafts, private fields,
//!                               photos' original names (the `BadgeType` JSON the API speaks)
//! history.jsonl                 one revision per line, oldest first
//! accounts/users.jsonl          with --accounts: users with their password hashes
//! accounts/tokens.jsonl         with --accounts: API tokens (the hash of the secret)
//! media/originals/<sha256>      every uploaded photo's original, stored as it is
//! ```
//!
//! JSON entries are deflated and written as they are read from the database; originals are
//! stored (a JPEG does not deflate). An entry is hashed while it is written, so nothing is read
//! twice and memory stays bounded whatever the size of the collection.
//!
//! Reading trusts nothing in the file: the entry names must be the ones above (so no name can
//! climb out with `..` or start at `/`, and names are never used as paths anyway), the sizes the
//! ZIP declares must be the manifest's, no entry may claim a compression ratio deflate cannot
//! honestly reach, each entry is read through a limit of its declared size, and JSON lines are
//! bounded in length.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::backup::BackupError;

/// What this Vitrina writes; it reads this and every older format.
pub const FORMAT_VERSION: u32 = 1;
/// What the manifest's `format` says.
pub const FORMAT: &str = "vitrina-backup";

pub const MANIFEST: &str = "manifest.json";
pub const COLLECTION: &str = "catalogue/collection.json";
pub const CATEGORIES: &str = "catalogue/categories.jsonl";
pub const TYPES: &str = "catalogue/types.jsonl";
pub const HISTORY: &str = "history.jsonl";
pub const USERS: &str = "accounts/users.jsonl";
pub const TOKENS: &str = "accounts/tokens.jsonl";
pub const ORIGINALS: &str = "media/originals/";

/// The largest manifest read (a million originals take about 150 MB).
const MAX_MANIFEST: u64 = 256 * 1024 * 1024;
/// The longest JSON line read: one record, with its history's whole type.
pub const MAX_LINE: u64 = 64 * 1024 * 1024;
/// Deflate cannot shrink anything more than about 1032:1; real JSON shrinks 5–30:1. An entry
/// claiming more than this (and over a megabyte) is refused unread.
const MAX_RATIO: u64 = 250;

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The Vitrina that wrote it.
    pub vitrina_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The engine it was read from: `sqlite` or `postgres`.
    pub engine: String,
    /// Whether it holds the accounts.
    pub accounts: bool,
    /// Whether it holds the photos' originals (`vitrina migrate` leaves them where they are).
    pub originals: bool,
    pub counts: Counts,
    /// Originals the catalogue or its history names that the media store did not have (or
    /// had damaged) when the backup was made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_originals: Vec<String>,
    /// Every other entry of the archive.
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub categories: u64,
    pub types: u64,
    pub revisions: u64,
    pub users: u64,
    pub tokens: u64,
    pub originals: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// The first fields of a manifest, read before the rest so that a newer format is named as
/// such rather than as an unknown field.
#[derive(Debug, Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    #[serde(default)]
    vitrina_version: String,
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether `s` is a content hash as the media store names originals.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether an entry may be in an archive (the manifest aside).
fn is_known_name(name: &str) -> bool {
    matches!(
        name,
        COLLECTION | CATEGORIES | TYPES | HISTORY | USERS | TOKENS
    ) || name.strip_prefix(ORIGINALS).is_some_and(is_hash)
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An archive being written, entry by entry, to a seekable file.
pub struct ArchiveWriter<W: Write + Seek> {
    zip: Hashing<ZipWriter<W>>,
    open: Option<String>,
    entries: Vec<Entry>,
}

impl<W: Write + Seek> std::fmt::Debug for ArchiveWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveWriter")
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

fn zip_error(e: zip::result::ZipError) -> io::Error {
    io::Error::other(e)
}

impl ArchiveWriter<BufWriter<File>> {
    pub fn create(file: File) -> Self {
        Self::new(BufWriter::with_capacity(256 * 1024, file))
    }
}

impl<W: Write + Seek> ArchiveWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            zip: Hashing {
                inner: ZipWriter::new(inner),
                hasher: Sha256::new(),
                len: 0,
            },
            open: None,
            entries: Vec::new(),
        }
    }

    /// Starts an entry: deflated JSON, or an original stored as it is.
    pub fn start(&mut self, name: &str, deflate: bool) -> io::Result<()> {
        self.end()?;
        let options = if deflate {
            SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(3))
        } else {
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
        }
        // Sizes are not known ahead: ZIP64 fields, so an entry may pass 4 GiB.
        .large_file(true)
        .unix_permissions(0o600);
        self.zip
            .inner
            .start_file(name, options)
            .map_err(zip_error)?;
        self.zip.hasher = Sha256::new();
        self.zip.len = 0;
        self.open = Some(name.to_owned());
        Ok(())
    }

    /// One JSON value and a newline into the open entry.
    pub fn line<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.zip, value)?;
        self.zip.write_all(b"\n")
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.zip.write_all(bytes)
    }

    /// Drops the open entry from the archive (an original found damaged while it was copied).
    pub fn abort(&mut self) -> io::Result<()> {
        self.open = None;
        self.zip.inner.abort_file().map_err(zip_error)
    }

    /// What the open entry's checksum is so far (lowercase hex SHA-256).
    pub fn sha256_so_far(&self) -> String {
        hex(&self.zip.hasher.clone().finalize())
    }

    /// Ends the open entry and notes its size and checksum.
    pub fn end(&mut self) -> io::Result<()> {
        if let Some(name) = self.open.take() {
            let hasher = std::mem::take(&mut self.zip.hasher);
            self.entries.push(Entry {
                name,
                size: self.zip.len,
                sha256: hex(&hasher.finalize()),
            });
        }
        Ok(())
    }

    /// Writes the manifest (with every entry written so far) and the ZIP's directory.
    pub fn finish(mut self, mut manifest: Manifest) -> io::Result<W> {
        self.end()?;
        manifest.entries = std::mem::take(&mut self.entries);
        self.start(MANIFEST, true)?;
        serde_json::to_writer_pretty(&mut self.zip, &manifest)?;
        self.open = None;
        let mut inner = self.zip.inner.finish().map_err(zip_error)?;
        inner.flush()?;
        Ok(inner)
    }
}

/// An archive whose manifest and directory were checked (not yet its contents).
pub struct ArchiveReader {
    zip: ZipArchive<BufReader<File>>,
    pub manifest: Manifest,
}

impl std::fmt::Debug for ArchiveReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveReader")
            .field("manifest", &self.manifest.format_version)
            .finish_non_exhaustive()
    }
}

/// A reader of one entry that hashes what it reads and refuses to read past the size the
/// manifest gives it.
pub struct EntryReader<'a> {
    inner: io::Take<zip::read::ZipFile<'a, BufReader<File>>>,
    hasher: Sha256,
    len: u64,
    entry: Entry,
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        if self.len > self.entry.size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} holds more than the {} bytes its manifest gives it",
                    self.entry.name, self.entry.size
                ),
            ));
        }
        Ok(n)
    }
}

impl EntryReader<'_> {
    /// After the last byte: whether the entry is whole and unchanged.
    pub fn check(mut self) -> Result<(), BackupError> {
        // Read what a caller left (a JSON reader stops at the end of its last line).
        io::copy(&mut self, &mut io::sink()).map_err(|e| damaged(&self.entry.name, e))?;
        let sha = hex(&std::mem::take(&mut self.hasher).finalize());
        if self.len != self.entry.size || sha != self.entry.sha256 {
            return Err(BackupError::Damaged(format!(
                "{} does not match its checksum in the manifest ({} bytes read, {} expected)",
                self.entry.name, self.len, self.entry.size
            )));
        }
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.entry.name
    }
}

/// What reading an entry's bytes ran into: a damaged or hostile entry, named.
pub fn damaged(name: &str, e: io::Error) -> BackupError {
    BackupError::Damaged(format!("{name} cannot be read: {e}"))
}

impl ArchiveReader {
    /// Opens an archive and checks what can be checked without reading the entries: that it is
    /// a ZIP with a manifest of a format this Vitrina reads, that its entries are exactly the
    /// manifest's, with known names and the sizes the manifest gives.
    pub fn open(path: &Path) -> Result<Self, BackupError> {
        let file = File::open(path).map_err(|e| BackupError::Io {
            what: format!("cannot open {}", path.display()),
            source: e,
        })?;
        let mut zip = ZipArchive::new(BufReader::new(file)).map_err(|e| {
            BackupError::NotAnArchive(format!(
                "{} is not a ZIP file, or it is truncated or damaged ({e})",
                path.display()
            ))
        })?;
        let manifest = read_manifest(&mut zip)?;
        let listed: BTreeMap<&str, &Entry> = manifest
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e))
            .collect();
        if listed.len() != manifest.entries.len() {
            return Err(BackupError::Hostile(
                "the manifest lists an entry twice".into(),
            ));
        }
        let mut seen = HashSet::new();
        for i in 0..zip.len() {
            let file = zip.by_index_raw(i).map_err(|e| {
                BackupError::NotAnArchive(format!("entry {i} of the ZIP cannot be read ({e})"))
            })?;
            let name = String::from_utf8_lossy(file.name_raw()).into_owned();
            if name == MANIFEST {
                continue;
            }
            if !is_known_name(&name) {
                return Err(BackupError::Hostile(format!(
                    "the archive holds an entry named {name:?}, which no Vitrina backup has"
                )));
            }
            if file.is_dir() || file.is_symlink() {
                return Err(BackupError::Hostile(format!("{name} is not a plain file")));
            }
            let Some(entry) = listed.get(name.as_str()) else {
                return Err(BackupError::Hostile(format!(
                    "{name} is not in the manifest"
                )));
            };
            if !seen.insert(name.clone()) {
                return Err(BackupError::Hostile(format!("{name} is in the ZIP twice")));
            }
            if file.size() != entry.size {
                return Err(BackupError::Damaged(format!(
                    "{name} is {} bytes in the ZIP but {} in the manifest",
                    file.size(),
                    entry.size
                )));
            }
            if file.size() > 1024 * 1024 && file.size() / file.compressed_size().max(1) > MAX_RATIO
            {
                return Err(BackupError::Hostile(format!(
                    "{name} claims to unpack {} bytes from {} (more than {MAX_RATIO}:1): a ZIP bomb",
                    file.size(),
                    file.compressed_size()
                )));
            }
        }
        if let Some(missing) = listed.keys().find(|n| !seen.contains(**n)) {
            return Err(BackupError::Damaged(format!(
                "{missing} is in the manifest but not in the archive (is it truncated?)"
            )));
        }
        Ok(Self { zip, manifest })
    }

    /// The manifest's entries of originals.
    pub fn originals(&self) -> Vec<Entry> {
        self.manifest
            .entries
            .iter()
            .filter(|e| e.name.starts_with(ORIGINALS))
            .cloned()
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.manifest.entries.iter().any(|e| e.name == name)
    }

    /// An entry, read through its checksum (see [`EntryReader::check`]).
    pub fn entry(&mut self, name: &str) -> Result<EntryReader<'_>, BackupError> {
        let entry = self
            .manifest
            .entries
            .iter()
            .find(|e| e.name == name)
            .cloned()
            .ok_or_else(|| BackupError::Damaged(format!("the archive has no {name}")))?;
        let file = self
            .zip
            .by_name(name)
            .map_err(|e| BackupError::Damaged(format!("{name} cannot be read ({e})")))?;
        Ok(EntryReader {
            inner: file.take(entry.size + 1),
            hasher: Sha256::new(),
            len: 0,
            entry,
        })
    }
}

fn read_manifest(zip: &mut ZipArchive<BufReader<File>>) -> Result<Manifest, BackupError> {
    let not_backup =
        |why: String| BackupError::NotAnArchive(format!("this is not a Vitrina backup: {why}"));
    let mut text = Vec::new();
    {
        let file = zip
            .by_name(MANIFEST)
            .map_err(|_| not_backup(format!("it has no {MANIFEST}")))?;
        if file.size() > MAX_MANIFEST {
            return Err(BackupError::Hostile(format!(
                "its manifest is {} bytes, more than any backup's",
                file.size()
            )));
        }
        file.take(MAX_MANIFEST + 1)
            .read_to_end(&mut text)
            .map_err(|e| damaged(MANIFEST, e))?;
    }
    if text.len() as u64 > MAX_MANIFEST {
        return Err(BackupError::Hostile(
            "its manifest is larger than any backup's".into(),
        ));
    }
    let header: Header = serde_json::from_slice(&text)
        .map_err(|e| not_backup(format!("its manifest cannot be read ({e})")))?;
    if header.format != FORMAT {
        return Err(not_backup(format!("its format is {:?}", header.format)));
    }
    if header.format_version > FORMAT_VERSION {
        return Err(BackupError::TooNew {
            format_version: header.format_version,
            made_by: header.vitrina_version,
        });
    }
    serde_json::from_slice(&text)
        .map_err(|e| BackupError::Damaged(format!("its manifest cannot be read ({e})")))
}

/// Reads JSON lines of `T` from an entry, each at most [`MAX_LINE`] bytes.
pub struct Lines<'r, 'a> {
    reader: BufReader<&'r mut EntryReader<'a>>,
    buf: Vec<u8>,
    line: u64,
}

impl<'r, 'a> Lines<'r, 'a> {
    pub fn new(entry: &'r mut EntryReader<'a>) -> Self {
        Self {
            reader: BufReader::with_capacity(256 * 1024, entry),
            buf: Vec::new(),
            line: 0,
        }
    }

    /// The next record, `None` at the end.
    pub fn next<T: serde::de::DeserializeOwned>(&mut self) -> Result<Option<T>, BackupError> {
        self.buf.clear();
        let name = self.reader.get_ref().name().to_owned();
        let n = (&mut self.reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| damaged(&name, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if n as u64 > MAX_LINE {
            return Err(BackupError::Hostile(format!(
                "line {} of {name} is longer than {MAX_LINE} bytes",
                self.line
            )));
        }
        serde_json::from_slice(&self.buf).map(Some).map_err(|e| {
            BackupError::Damaged(format!("line {} of {name} cannot be read: {e}", self.line))
        })
    }
}
