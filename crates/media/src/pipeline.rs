//! From an upload to stored derivatives: ingest answers at once, a worker does the decoding.
//!
//! Keys in the [`MediaStore`]:
//! - `originals/<hash>`: the untouched upload, private (it may carry GPS and camera data).
//! - `photos/<hash>/<size>.<ext>`: the public derivatives ([`derivative_key`]).
//! - `queue/<hash>`: derivative work not done yet; holds the number of failed attempts. Being
//!   a key in the store, the queue survives a restart.
//! - `failed/<hash>`: why the derivatives could not be made, for the curator to read.
//!
//! `<hash>` is the lowercase hex SHA-256 of the uploaded bytes, so identical uploads are one
//! original and one set of derivatives.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;

use crate::render::{OutFormat, Rendition, Size, render};
use crate::{Inspection, Limits, MediaError, MediaStore, Staged, Staging, inspect};

/// How often the worker looks at the queue when nothing wakes it (work queued by another
/// process, retries after a transient failure).
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Attempts at a photo whose failures look transient before it is marked failed.
const MAX_ATTEMPTS: u32 = 3;

/// The key of a derivative: `photos/<hash>/<size>.<ext>`.
pub fn derivative_key(hash: &str, size: Size, format: OutFormat) -> String {
    format!("photos/{hash}/{}.{}", size.name(), format.ext())
}

/// The private key of an original: `originals/<hash>`.
pub fn original_key(hash: &str) -> String {
    format!("originals/{hash}")
}

/// True for keys that must never be served publicly: originals (they may carry GPS positions
/// and camera data), the queue and failure notes, and hidden files such as the store's
/// temporary files.
pub fn is_private_key(key: &str) -> bool {
    const PRIVATE: [&str; 3] = ["originals/", "queue/", "failed/"];
    PRIVATE.iter().any(|p| key.starts_with(p)) || key.split('/').any(|seg| seg.starts_with('.'))
}

/// True for keys `/media/…` may serve: valid store keys ([`crate::validate_key`]: no `..`, no
/// hidden segments) under the public prefixes only (`photos/`, the derivatives, and `demo/`),
/// and not private ([`is_private_key`]). An allowlist, so that whatever else is kept in the
/// store (imports waiting for their confirmation, backups) is never served by default.
pub fn is_public_key(key: &str) -> bool {
    const PUBLIC: [&str; 2] = ["photos/", "demo/"];
    PUBLIC.iter().any(|p| key.starts_with(p))
        && !is_private_key(key)
        && crate::validate_key(key).is_ok()
}

/// The content hash of a content-addressed public key (`photos/<sha256>/<name>`): what an
/// ETag can be made of, and why such a key may be cached for good.
pub fn content_hash_of_key(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("photos/")?;
    let (hash, name) = rest.split_once('/')?;
    (is_hash(hash) && !name.is_empty() && !name.contains('/')).then_some(hash)
}

fn queue_key(hash: &str) -> String {
    format!("queue/{hash}")
}

fn failed_key(hash: &str) -> String {
    format!("failed/{hash}")
}

/// The content hash used in keys: lowercase hex SHA-256.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

fn is_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What [`Pipeline::ingest`] stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    /// The content hash (lowercase hex SHA-256).
    pub hash: String,
    /// What a photo record's `file` holds: `photos/<hash>`.
    pub file: String,
    pub inspection: Inspection,
    /// True when the same bytes were uploaded before: nothing new was stored.
    pub duplicate: bool,
}

/// Where a photo's derivatives stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoStatus {
    /// Queued or being made.
    Pending,
    /// Every derivative is stored.
    Ready,
    /// They could not be made; the reason is written for the curator.
    Failed(String),
}

/// The photo pipeline: cheap to clone, one per process.
#[derive(Debug, Clone)]
pub struct Pipeline {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn MediaStore>,
    limits: Limits,
    decoders: Arc<Semaphore>,
    wake: Notify,
}

impl Pipeline {
    pub fn new(store: Arc<dyn MediaStore>, limits: Limits) -> Self {
        let decoders = Arc::new(Semaphore::new(limits.concurrency.max(1)));
        Self {
            inner: Arc::new(Inner {
                store,
                limits,
                decoders,
                wake: Notify::new(),
            }),
        }
    }

    pub fn store(&self) -> &Arc<dyn MediaStore> {
        &self.inner.store
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Checks an upload ([`inspect`]: format from the bytes, size from the header, limits),
    /// stores the original once and queues its derivatives. Decodes nothing, so it answers
    /// quickly; the worker makes the derivatives. On error nothing new is left in the store.
    pub async fn ingest(&self, bytes: Bytes) -> Result<Ingested, MediaError> {
        let limits = self.inner.limits.clone();
        let checked = bytes.clone();
        let (inspection, hash) = tokio::task::spawn_blocking(move || {
            let inspection = inspect(&checked, &limits)?;
            Ok::<_, MediaError>((inspection, content_hash(&checked)))
        })
        .await
        .map_err(|e| MediaError::Internal(format!("inspecting the upload: {e}")))??;

        let original = original_key(&hash);
        let duplicate = self.inner.store.exists(&original).await?;
        if !duplicate {
            self.inner.store.put(&original, bytes).await?;
        }
        self.queue(hash, inspection, duplicate).await
    }

    /// A temporary file for an upload streamed in ([`Staging::write`] chunk by chunk, then
    /// [`Staging::finish`]), in the store's temp area, held to this pipeline's limits.
    pub async fn stage(&self) -> Result<Staging, MediaError> {
        let dir = self.inner.store.temp_dir();
        Staging::new(dir.as_deref(), self.inner.limits.clone()).await
    }

    /// [`Pipeline::ingest`] for a staged upload: the file is moved into the store (never read
    /// whole into memory by a local store) and its derivatives queued.
    pub async fn ingest_staged(&self, staged: Staged) -> Result<Ingested, MediaError> {
        let original = original_key(&staged.hash);
        let duplicate = self.inner.store.exists(&original).await?;
        if !duplicate {
            self.inner.store.put_file(&original, staged.path()).await?;
        }
        let Staged {
            hash, inspection, ..
        } = staged;
        self.queue(hash, inspection, duplicate).await
    }

    /// Queues the derivatives of a stored original unless they are made already.
    async fn queue(
        &self,
        hash: String,
        inspection: Inspection,
        duplicate: bool,
    ) -> Result<Ingested, MediaError> {
        let store = &self.inner.store;
        let original = original_key(&hash);
        let needs_work = !duplicate || !self.is_ready(&hash).await?;
        if needs_work && duplicate {
            // The same bytes again after a failure: try again rather than refuse for good.
            store.delete(&failed_key(&hash)).await?;
        }
        if needs_work
            && !store.exists(&queue_key(&hash)).await?
            && let Err(e) = store.put(&queue_key(&hash), Bytes::from_static(b"0")).await
        {
            if !duplicate {
                let _ = store.delete(&original).await;
            }
            return Err(e.into());
        }
        self.inner.wake.notify_one();
        Ok(Ingested {
            file: format!("photos/{hash}"),
            hash,
            inspection,
            duplicate,
        })
    }

    /// Makes and stores every derivative of a stored original (all sizes, JPEG and WebP), at
    /// most [`Limits::concurrency`] at a time and within [`Limits::decode_timeout`]. On success
    /// the photo leaves the queue and any earlier failure is forgotten.
    pub async fn derive(&self, hash: &str) -> Result<(), MediaError> {
        if !is_hash(hash) {
            return Err(MediaError::NotFound(hash.to_owned()));
        }
        let store = &self.inner.store;
        let original = store
            .get(&original_key(hash))
            .await?
            .ok_or_else(|| MediaError::NotFound(hash.to_owned()))?;
        for rendition in self.render(original, &Size::ALL, &OutFormat::ALL).await? {
            let key = derivative_key(hash, rendition.size, rendition.format);
            store.put(&key, Bytes::from(rendition.bytes)).await?;
        }
        store.delete(&queue_key(hash)).await?;
        store.delete(&failed_key(hash)).await?;
        Ok(())
    }

    /// [`render`] on a blocking thread, holding one of the decoder permits, within the timeout.
    /// A render that times out keeps its permit until its thread finishes, so memory stays
    /// bounded by `concurrency` pictures even then.
    pub async fn render(
        &self,
        original: Bytes,
        sizes: &[Size],
        formats: &[OutFormat],
    ) -> Result<Vec<Rendition>, MediaError> {
        let permit = Arc::clone(&self.inner.decoders)
            .acquire_owned()
            .await
            .map_err(|e| MediaError::Internal(e.to_string()))?;
        let limits = self.inner.limits.clone();
        let (sizes, formats) = (sizes.to_vec(), formats.to_vec());
        let job = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            render(&original, &sizes, &formats, &limits)
        });
        match tokio::time::timeout(self.inner.limits.decode_timeout, job).await {
            Err(_) => Err(MediaError::DecodeTimeout),
            Ok(Err(e)) => Err(MediaError::Internal(format!("the decoder crashed: {e}"))),
            Ok(Ok(result)) => result,
        }
    }

    /// Where a photo's derivatives stand. Ready wins over an old failure (the derivatives of an
    /// earlier success are still served); a store error reads as Pending.
    pub async fn status(&self, hash: &str) -> PhotoStatus {
        if !is_hash(hash) {
            return PhotoStatus::Failed(format!("{hash:?} is not a photo hash"));
        }
        match self.status_inner(hash).await {
            Ok(status) => status,
            Err(e) => {
                tracing::warn!(%hash, error = %e, "could not read a photo's status");
                PhotoStatus::Pending
            }
        }
    }

    async fn status_inner(&self, hash: &str) -> Result<PhotoStatus, MediaError> {
        let store = &self.inner.store;
        if self.is_ready(hash).await? {
            return Ok(PhotoStatus::Ready);
        }
        if let Some(reason) = store.get(&failed_key(hash)).await? {
            return Ok(PhotoStatus::Failed(
                String::from_utf8_lossy(&reason).into_owned(),
            ));
        }
        if store.exists(&original_key(hash)).await? {
            return Ok(PhotoStatus::Pending);
        }
        Ok(PhotoStatus::Failed(
            "no photo was uploaded with this hash".into(),
        ))
    }

    async fn is_ready(&self, hash: &str) -> Result<bool, MediaError> {
        let stored = self.inner.store.list(&format!("photos/{hash}/")).await?;
        Ok(Size::ALL.iter().all(|&size| {
            OutFormat::ALL
                .iter()
                .all(|&format| stored.contains(&derivative_key(hash, size, format)))
        }))
    }

    /// Starts the background worker: it drains the queue (first whatever an earlier run left
    /// in it), is woken by every ingest, looks again every couple of seconds, retries transient
    /// failures up to three times and records the reason of a permanent one. It stops taking
    /// work when `shutdown` completes; an unfinished photo stays queued for the next start.
    pub fn spawn_worker(
        &self,
        shutdown: impl Future<Output: Send> + Send + 'static,
    ) -> JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut shutdown = std::pin::pin!(shutdown);
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    () = this.drain() => {}
                }
                tokio::select! {
                    _ = &mut shutdown => break,
                    () = this.inner.wake.notified() => {}
                    () = tokio::time::sleep(POLL_INTERVAL) => {}
                }
            }
        })
    }

    /// One pass over the queue.
    async fn drain(&self) {
        let queued = match self.inner.store.list("queue/").await {
            Ok(keys) => keys,
            Err(e) => {
                tracing::error!(error = %e, "could not read the photo queue");
                return;
            }
        };
        let hashes = queued
            .into_iter()
            .filter_map(|k| k.strip_prefix("queue/").map(str::to_owned));
        futures::stream::iter(hashes)
            .for_each_concurrent(self.inner.limits.concurrency.max(1), |hash| async move {
                self.work_on(&hash).await;
            })
            .await;
    }

    async fn work_on(&self, hash: &str) {
        let Err(error) = self.derive(hash).await else {
            tracing::info!(%hash, "photo derivatives made");
            return;
        };
        let store = &self.inner.store;
        let attempts = match store.get(&queue_key(hash)).await {
            Ok(Some(marker)) => {
                String::from_utf8_lossy(&marker)
                    .trim()
                    .parse::<u32>()
                    .unwrap_or(0)
                    + 1
            }
            _ => 1,
        };
        if error.is_transient() && attempts < MAX_ATTEMPTS {
            tracing::warn!(%hash, %error, attempts, "photo derivatives failed; will retry");
            let _ = store
                .put(&queue_key(hash), Bytes::from(attempts.to_string()))
                .await;
            return;
        }
        tracing::warn!(%hash, %error, attempts, "photo derivatives failed for good");
        self.record_failure(hash, &error).await;
    }

    async fn record_failure(&self, hash: &str, error: &MediaError) {
        let store = &self.inner.store;
        let reason = Bytes::from(error.to_string());
        if let Err(e) = store.put(&failed_key(hash), reason).await {
            tracing::error!(%hash, error = %e, "could not record a photo failure");
            return;
        }
        if let Err(e) = store.delete(&queue_key(hash)).await {
            tracing::error!(%hash, error = %e, "could not unqueue a failed photo");
        }
    }

    /// Remakes every derivative of every original (`vitrina photos rebuild`), a few at a time.
    /// Returns how many photos were rebuilt; a photo that fails is recorded as failed and the
    /// rebuild goes on. Fails only when the originals cannot be listed.
    pub async fn rebuild_all(&self) -> Result<usize, MediaError> {
        let originals = self.inner.store.list("originals/").await?;
        let hashes: Vec<String> = originals
            .into_iter()
            .filter_map(|k| k.strip_prefix("originals/").map(str::to_owned))
            .filter(|h| is_hash(h))
            .collect();
        let results: Vec<bool> = futures::stream::iter(hashes)
            .map(|hash| async move {
                match self.derive(&hash).await {
                    Ok(()) => true,
                    Err(error) => {
                        tracing::warn!(%hash, %error, "could not rebuild a photo");
                        self.record_failure(&hash, &error).await;
                        false
                    }
                }
            })
            .buffer_unordered(self.inner.limits.concurrency.max(1))
            .collect()
            .await;
        Ok(results.into_iter().filter(|&ok| ok).count())
    }

    /// Removes a photo entirely: original, derivatives and markers. For an upload whose record
    /// could not be saved; the caller makes sure no other record uses the same hash.
    pub async fn remove(&self, hash: &str) -> Result<(), MediaError> {
        if !is_hash(hash) {
            return Err(MediaError::NotFound(hash.to_owned()));
        }
        let store = &self.inner.store;
        store.delete(&queue_key(hash)).await?;
        for key in store.list(&format!("photos/{hash}/")).await? {
            store.delete(&key).await?;
        }
        store.delete(&failed_key(hash)).await?;
        store.delete(&original_key(hash)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_contract() {
        let h = content_hash(b"abc");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_hash(&h));
        assert!(!is_hash("../etc"));
        assert_eq!(
            derivative_key(&h, Size::Thumb, OutFormat::WebP),
            format!("photos/{h}/thumb.webp")
        );
        assert_eq!(
            derivative_key(&h, Size::Large, OutFormat::Jpeg),
            format!("photos/{h}/large.jpg")
        );
        assert_eq!(original_key(&h), format!("originals/{h}"));
    }
}
