//! Uploads streamed to a temporary file, never whole into memory: each chunk is counted against
//! the size limit, hashed and written as it arrives; the finished file is inspected from its
//! head ([`crate::inspect_file`]) and handed to [`crate::Pipeline::ingest_staged`], which moves
//! it into the store. A staged file that is dropped unused is deleted.

use std::path::Path;

use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

use crate::{Inspection, Limits, MediaError, inspect_file};

/// An upload being written to a temporary file.
#[derive(Debug)]
pub struct Staging {
    file: tokio::fs::File,
    path: TempPath,
    hasher: Sha256,
    len: u64,
    limits: Limits,
}

/// A whole upload in a temporary file, hashed and inspected.
#[derive(Debug)]
pub struct Staged {
    path: TempPath,
    /// The content hash (lowercase hex SHA-256).
    pub hash: String,
    /// Its size in bytes.
    pub len: u64,
    pub inspection: Inspection,
}

impl Staged {
    /// Where the file is, until it is ingested or dropped.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Staging {
    /// A new temporary file in `dir` (the system's temp folder when `None`).
    pub(crate) async fn new(dir: Option<&Path>, limits: Limits) -> Result<Self, MediaError> {
        let file = match dir {
            Some(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                tempfile::NamedTempFile::new_in(dir)?
            }
            None => tempfile::NamedTempFile::new()?,
        };
        let (file, path) = file.into_parts();
        Ok(Self {
            file: tokio::fs::File::from_std(file),
            path,
            hasher: Sha256::new(),
            len: 0,
            limits,
        })
    }

    /// Appends a chunk; refuses it (and the upload) when the file would pass the size limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), MediaError> {
        let len = self.len + chunk.len() as u64;
        if len > self.limits.max_bytes {
            return Err(MediaError::TooLarge {
                bytes: len,
                limit: self.limits.max_bytes,
            });
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        self.len = len;
        Ok(())
    }

    /// The bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Flushes the file to disk and inspects it (format, size, limits; on a blocking thread).
    pub async fn finish(mut self) -> Result<Staged, MediaError> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        drop(self.file);
        let digest = self.hasher.finalize();
        let mut hash = String::with_capacity(64);
        for byte in digest {
            hash.push_str(&format!("{byte:02x}"));
        }
        let path = self.path;
        let limits = self.limits;
        let (path, inspected) = tokio::task::spawn_blocking(move || {
            let inspected = inspect_file(&path, &limits);
            (path, inspected)
        })
        .await
        .map_err(|e| MediaError::Internal(format!("inspecting the upload: {e}")))?;
        Ok(Staged {
            path,
            hash,
            len: self.len,
            inspection: inspected?,
        })
    }
}
