//! Where originals and derivatives live: a byte store addressed by string keys.
//!
//! The trait is shaped after object storage (whole-object put and get, string keys, listing by
//! prefix) so that an S3-compatible store can stand beside [`LocalStore`] without changing the
//! pipeline. Keys are `/`-separated and validated by [`validate_key`]: no `..`, no absolute
//! paths, no backslashes, no hidden segments.

use std::fmt::Debug;
use std::io;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::fs;
use tokio::io::AsyncWriteExt;

/// An object opened for reading: its length and a reader over its bytes, so that serving it
/// never holds it whole in memory.
pub struct MediaObject {
    pub len: u64,
    pub reader: std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>>,
}

impl Debug for MediaObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaObject")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// A store of whole objects under string keys.
#[async_trait]
pub trait MediaStore: Send + Sync + Debug {
    /// Stores `bytes` under `key`, replacing what was there. Atomic: a reader sees the old
    /// object or the new one, never a part; a failed put leaves nothing behind.
    async fn put(&self, key: &str, bytes: Bytes) -> io::Result<()>;
    /// The object under `key`, or `None`.
    async fn get(&self, key: &str) -> io::Result<Option<Bytes>>;
    /// Whether an object is stored under `key`.
    async fn exists(&self, key: &str) -> io::Result<bool>;
    /// Removes the object under `key`; removing a missing object is not an error.
    async fn delete(&self, key: &str) -> io::Result<()>;
    /// Every key that starts with `prefix`, sorted.
    async fn list(&self, prefix: &str) -> io::Result<Vec<String>>;

    /// The object under `key` opened for reading, or `None`. The default reads it whole with
    /// [`MediaStore::get`]; a store that can stream (a file, an object store's body) should.
    async fn open(&self, key: &str) -> io::Result<Option<MediaObject>> {
        Ok(self.get(key).await?.map(|bytes| MediaObject {
            len: bytes.len() as u64,
            reader: Box::pin(std::io::Cursor::new(bytes)),
        }))
    }

    /// Stores the file at `path` under `key`, as [`MediaStore::put`] does, taking the file
    /// (it may be moved). The default reads it whole; a store that can take a file without
    /// holding it in memory (a local folder renames it) should.
    async fn put_file(&self, key: &str, path: &Path) -> io::Result<()> {
        let bytes = fs::read(path).await?;
        self.put(key, Bytes::from(bytes)).await
    }

    /// A folder for temporary files (streamed uploads) from which [`MediaStore::put_file`] is
    /// cheapest: on the same file system for a local folder. `None`: the system's.
    fn temp_dir(&self) -> Option<PathBuf> {
        None
    }
}

/// Checks that a key is safe to use as a relative path anywhere: non-empty `/`-separated
/// segments of ASCII letters, digits, `-`, `_` and `.`, none starting with a dot, so none is `.`
/// or `..`, and none is hidden (the store keeps its temporary files in `.tmp/`).
pub fn validate_key(key: &str) -> io::Result<()> {
    let bad = |why: &str| {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("media key {key:?}: {why}"),
        ))
    };
    if key.is_empty() || key.len() > 512 {
        return bad("must be 1 to 512 characters");
    }
    if key.starts_with('/') || key.contains('\\') {
        return bad("must be a relative path with forward slashes");
    }
    for segment in key.split('/') {
        if segment.is_empty() || segment.starts_with('.') {
            return bad("has an empty, dot or hidden segment");
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return bad("may hold only letters, digits, '-', '_' and '.'");
        }
    }
    Ok(())
}

/// A [`MediaStore`] in a local folder: each key is a file under the root.
///
/// Puts write to `<root>/.tmp/` (the same file system), flush to disk, then rename into place.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store rooted at `root`; the folder is created on the first put.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder this store keeps its files in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file a key is stored in (after validating the key).
    pub fn path(&self, key: &str) -> io::Result<PathBuf> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }
}

#[async_trait]
impl MediaStore for LocalStore {
    async fn put(&self, key: &str, bytes: Bytes) -> io::Result<()> {
        let target = self.path(key)?;
        let tmp_dir = self.root.join(".tmp");
        fs::create_dir_all(&tmp_dir).await?;
        let tmp = tmp_dir.join(uuid::Uuid::new_v4().to_string());
        let written = async {
            let mut file = fs::File::create(&tmp).await?;
            file.write_all(&bytes).await?;
            file.sync_all().await?;
            drop(file);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).await?;
            }
            fs::rename(&tmp, &target).await
        }
        .await;
        if written.is_err() {
            let _ = fs::remove_file(&tmp).await;
        }
        written
    }

    async fn put_file(&self, key: &str, path: &Path) -> io::Result<()> {
        let target = self.path(key)?;
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).await?;
        }
        // On the same file system (the store's own temp folder) a rename is atomic and copies
        // nothing; elsewhere, copy into the temp folder first so the rename into place still is.
        if fs::rename(path, &target).await.is_ok() {
            return Ok(());
        }
        let tmp_dir = self.root.join(".tmp");
        fs::create_dir_all(&tmp_dir).await?;
        let tmp = tmp_dir.join(uuid::Uuid::new_v4().to_string());
        let copied = async {
            fs::copy(path, &tmp).await?;
            fs::File::open(&tmp).await?.sync_all().await?;
            fs::rename(&tmp, &target).await
        }
        .await;
        if copied.is_err() {
            let _ = fs::remove_file(&tmp).await;
        }
        copied
    }

    fn temp_dir(&self) -> Option<PathBuf> {
        Some(self.root.join(".tmp"))
    }

    async fn open(&self, key: &str) -> io::Result<Option<MediaObject>> {
        let file = match fs::File::open(self.path(key)?).await {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata().await?;
        if !meta.is_file() {
            return Ok(None);
        }
        Ok(Some(MediaObject {
            len: meta.len(),
            reader: Box::pin(file),
        }))
    }

    async fn get(&self, key: &str) -> io::Result<Option<Bytes>> {
        match fs::read(self.path(key)?).await {
            Ok(bytes) => Ok(Some(Bytes::from(bytes))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn exists(&self, key: &str) -> io::Result<bool> {
        match fs::metadata(self.path(key)?).await {
            Ok(meta) => Ok(meta.is_file()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn delete(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    async fn list(&self, prefix: &str) -> io::Result<Vec<String>> {
        // Walk only the folder the prefix points into.
        let base = match prefix.rfind('/') {
            Some(at) => &prefix[..at],
            None => "",
        };
        if !base.is_empty() {
            validate_key(base)?;
        }
        let mut keys = Vec::new();
        let mut pending = vec![(self.root.join(base), base.to_owned())];
        while let Some((dir, key_prefix)) = pending.pop() {
            let mut entries = match fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            while let Some(entry) = entries.next_entry().await? {
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                if name.starts_with('.') {
                    continue;
                }
                let key = if key_prefix.is_empty() {
                    name
                } else {
                    format!("{key_prefix}/{name}")
                };
                let kind = entry.file_type().await?;
                if kind.is_dir() {
                    if prefix.starts_with(&key) || key.starts_with(prefix) {
                        pending.push((entry.path(), key));
                    }
                } else if kind.is_file() && key.starts_with(prefix) {
                    keys.push(key);
                }
            }
        }
        keys.sort_unstable();
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_could_escape_the_folder_are_refused() {
        for key in [
            "",
            "/etc/passwd",
            "a/../b",
            "..",
            "a\\b",
            "a//b",
            ".tmp/x",
            "a/./b",
            "a b",
            "ключ",
        ] {
            assert!(validate_key(key).is_err(), "{key:?} was accepted");
        }
        for key in ["originals/abc", "photos/abc/thumb.jpg", "queue/0f"] {
            validate_key(key).unwrap();
        }
    }

    #[tokio::test]
    async fn put_get_list_delete_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        assert_eq!(store.get("a/b").await.unwrap(), None);
        store.put("a/b", Bytes::from_static(b"one")).await.unwrap();
        store
            .put("a/c/d", Bytes::from_static(b"two"))
            .await
            .unwrap();
        store.put("ab", Bytes::from_static(b"three")).await.unwrap();
        store.put("a/b", Bytes::from_static(b"four")).await.unwrap();
        assert_eq!(
            store.get("a/b").await.unwrap().unwrap(),
            Bytes::from_static(b"four")
        );
        assert!(store.exists("a/c/d").await.unwrap());
        assert!(
            !store.exists("a/c").await.unwrap(),
            "a folder is not an object"
        );
        assert_eq!(store.list("a/").await.unwrap(), ["a/b", "a/c/d"]);
        assert_eq!(store.list("a").await.unwrap(), ["a/b", "a/c/d", "ab"]);
        assert_eq!(store.list("a/c/").await.unwrap(), ["a/c/d"]);
        assert_eq!(store.list("zzz/").await.unwrap(), Vec::<String>::new());
        store.delete("a/b").await.unwrap();
        store.delete("a/b").await.unwrap();
        assert_eq!(store.list("").await.unwrap(), ["a/c/d", "ab"]);
        let leftovers = std::fs::read_dir(dir.path().join(".tmp")).unwrap().count();
        assert_eq!(leftovers, 0, "temporary files are renamed away");
        assert!(store.put("../x", Bytes::new()).await.is_err());
    }
}
