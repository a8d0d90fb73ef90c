//! The pipeline over a real folder: ingest, the durable queue, the worker across a restart,
//! failures, rebuilds.

mod common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use common::*;
use vitrina_media::{
    Limits, LocalStore, MediaError, MediaStore, OutFormat, PhotoStatus, Pipeline, Size,
    content_hash, derivative_key, original_key,
};

/// Waits (with a generous guard against hanging, not a performance bound) until `hash` is no
/// longer pending.
async fn settled(pipeline: &Pipeline, hash: &str) -> PhotoStatus {
    for _ in 0..2400 {
        match pipeline.status(hash).await {
            PhotoStatus::Pending => tokio::time::sleep(Duration::from_millis(50)).await,
            done => return done,
        }
    }
    panic!("{hash} still pending after two minutes");
}

#[tokio::test]
async fn identical_uploads_are_stored_once() {
    let (pipeline, store, _dir) = pipeline(Limits::default());
    let bytes = Bytes::from(image_bytes("formats/hopper.jpg"));
    let first = pipeline.ingest(bytes.clone()).await.unwrap();
    assert_eq!(first.hash, content_hash(&bytes));
    assert_eq!(first.file, format!("photos/{}", first.hash));
    assert!(!first.duplicate);
    assert_eq!(
        (first.inspection.width, first.inspection.height),
        (128, 128)
    );
    let second = pipeline.ingest(bytes.clone()).await.unwrap();
    assert!(second.duplicate);
    assert_eq!(second.hash, first.hash);
    assert_eq!(
        store.list("originals/").await.unwrap(),
        [original_key(&first.hash)]
    );
    assert_eq!(
        store.list("queue/").await.unwrap(),
        [format!("queue/{}", first.hash)]
    );
    assert_eq!(
        store
            .get(&original_key(&first.hash))
            .await
            .unwrap()
            .unwrap(),
        bytes
    );

    // Ingest decodes nothing: the derivatives wait for the worker.
    assert_eq!(pipeline.status(&first.hash).await, PhotoStatus::Pending);
    assert!(store.list("photos/").await.unwrap().is_empty());

    pipeline.derive(&first.hash).await.unwrap();
    assert_eq!(pipeline.status(&first.hash).await, PhotoStatus::Ready);
    assert!(store.list("queue/").await.unwrap().is_empty());
    let third = pipeline.ingest(bytes).await.unwrap();
    assert!(third.duplicate);
    assert!(
        store.list("queue/").await.unwrap().is_empty(),
        "a ready photo is not queued again"
    );
}

/// A real [`LocalStore`] whose writes to one prefix fail, as a full disk would.
#[derive(Debug)]
struct FailingPrefix {
    inner: LocalStore,
    prefix: &'static str,
}

#[async_trait]
impl MediaStore for FailingPrefix {
    async fn put(&self, key: &str, bytes: Bytes) -> std::io::Result<()> {
        if key.starts_with(self.prefix) {
            return Err(std::io::Error::other("no space left on device"));
        }
        self.inner.put(key, bytes).await
    }
    async fn get(&self, key: &str) -> std::io::Result<Option<Bytes>> {
        self.inner.get(key).await
    }
    async fn exists(&self, key: &str) -> std::io::Result<bool> {
        self.inner.exists(key).await
    }
    async fn delete(&self, key: &str) -> std::io::Result<()> {
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> std::io::Result<Vec<String>> {
        self.inner.list(prefix).await
    }
}

#[tokio::test]
async fn a_failed_ingest_leaves_no_key_behind() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::new(dir.path());
    let store = Arc::new(FailingPrefix {
        inner: local.clone(),
        prefix: "queue/",
    });
    let pipeline = Pipeline::new(store, Limits::default());
    let err = pipeline
        .ingest(Bytes::from(image_bytes("formats/hopper.jpg")))
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::Store(_)), "{err:?}");
    assert!(!err.is_client_error());
    assert_eq!(local.list("").await.unwrap(), Vec::<String>::new());
    let leftovers = std::fs::read_dir(dir.path().join(".tmp")).unwrap().count();
    assert_eq!(leftovers, 0);
}

#[tokio::test]
async fn queued_work_survives_a_restart() {
    let (first_run, store, _dir) = pipeline(Limits::default());
    let a = first_run
        .ingest(Bytes::from(image_bytes("orientation/Landscape_8.jpg")))
        .await
        .unwrap();
    let b = first_run
        .ingest(Bytes::from(image_bytes("formats/pil123rgba.png")))
        .await
        .unwrap();
    drop(first_run); // the process stops before any worker ran

    let second_run = Pipeline::new(store.clone(), Limits::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = second_run.spawn_worker(async move {
        let _ = stopped.await;
    });
    assert_eq!(settled(&second_run, &a.hash).await, PhotoStatus::Ready);
    assert_eq!(settled(&second_run, &b.hash).await, PhotoStatus::Ready);
    for hash in [&a.hash, &b.hash] {
        for size in Size::ALL {
            for format in OutFormat::ALL {
                assert!(
                    store
                        .exists(&derivative_key(hash, size, format))
                        .await
                        .unwrap()
                );
            }
        }
    }
    let thumb = store
        .get(&derivative_key(&a.hash, Size::Thumb, OutFormat::Jpeg))
        .await
        .unwrap();
    assert_eq!(
        decode_jpeg(&thumb.unwrap()).dimensions(),
        (400, 267),
        "upright"
    );

    // New uploads wake the running worker.
    let c = second_run
        .ingest(Bytes::from(image_bytes("formats/hopper.jpg")))
        .await
        .unwrap();
    assert_eq!(settled(&second_run, &c.hash).await, PhotoStatus::Ready);
    assert!(store.list("queue/").await.unwrap().is_empty());
    stop.send(()).unwrap();
    worker.await.unwrap();
}

/// A PNG with a sound header and end, whose image data is damaged: it passes ingest and fails
/// in the worker.
fn damaged_png() -> Vec<u8> {
    let mut bytes = image_bytes("formats/pil123rgba.png");
    let idat = bytes.windows(4).position(|w| w == b"IDAT").unwrap();
    for b in &mut bytes[idat + 20..idat + 60] {
        *b ^= 0x5A;
    }
    bytes
}

#[tokio::test]
async fn a_photo_that_cannot_be_decoded_is_marked_failed_not_retried_forever() {
    let (pipeline, store, _dir) = pipeline(Limits::default());
    let ingested = pipeline.ingest(Bytes::from(damaged_png())).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = pipeline.spawn_worker(async move {
        let _ = stopped.await;
    });
    let PhotoStatus::Failed(reason) = settled(&pipeline, &ingested.hash).await else {
        panic!("a damaged photo must fail");
    };
    assert!(reason.starts_with("the picture is damaged"), "{reason}");
    assert!(
        store.list("queue/").await.unwrap().is_empty(),
        "a failed photo leaves the queue"
    );
    assert!(store.list("photos/").await.unwrap().is_empty());
    assert!(
        store.exists(&original_key(&ingested.hash)).await.unwrap(),
        "the original is kept"
    );
    stop.send(()).unwrap();
    worker.await.unwrap();
}

#[tokio::test]
async fn rebuild_all_remakes_every_derivative_from_the_originals() {
    let (pipeline, store, _dir) = pipeline(Limits::default());
    let a = pipeline
        .ingest(Bytes::from(image_bytes("orientation/Landscape_3.jpg")))
        .await
        .unwrap();
    let b = pipeline
        .ingest(Bytes::from(image_bytes("formats/basn6a16.png")))
        .await
        .unwrap();
    let bad = pipeline.ingest(Bytes::from(damaged_png())).await.unwrap();
    let lost = derivative_key(&a.hash, Size::Display, OutFormat::WebP);
    let stale = derivative_key(&b.hash, Size::Thumb, OutFormat::Jpeg);
    store
        .put(&stale, Bytes::from_static(b"stale"))
        .await
        .unwrap();
    assert_eq!(pipeline.status(&a.hash).await, PhotoStatus::Pending);

    assert_eq!(pipeline.rebuild_all().await.unwrap(), 2);
    assert!(store.exists(&lost).await.unwrap());
    let remade = store.get(&stale).await.unwrap().unwrap();
    assert_eq!(decode_jpeg(&remade).dimensions(), (32, 32));
    assert_eq!(pipeline.status(&a.hash).await, PhotoStatus::Ready);
    assert_eq!(pipeline.status(&b.hash).await, PhotoStatus::Ready);
    assert!(matches!(
        pipeline.status(&bad.hash).await,
        PhotoStatus::Failed(_)
    ));

    store.delete(&lost).await.unwrap();
    assert_eq!(pipeline.rebuild_all().await.unwrap(), 2);
    assert!(store.exists(&lost).await.unwrap());
}

#[tokio::test]
async fn unknown_hashes_and_timeouts() {
    let (pipeline, _store, _dir) = pipeline(Limits::default());
    let unknown = content_hash(b"never uploaded");
    assert!(matches!(
        pipeline.status(&unknown).await,
        PhotoStatus::Failed(_)
    ));
    assert!(matches!(
        pipeline.derive(&unknown).await,
        Err(MediaError::NotFound(_))
    ));
    assert!(matches!(
        pipeline.derive("../../etc/passwd").await,
        Err(MediaError::NotFound(_))
    ));

    let (slow, _store, _dir) = common::pipeline(Limits {
        decode_timeout: Duration::ZERO,
        ..Limits::default()
    });
    let ingested = slow
        .ingest(Bytes::from(image_bytes("orientation/Landscape_5.jpg")))
        .await
        .unwrap();
    let err = slow.derive(&ingested.hash).await.unwrap_err();
    assert!(matches!(err, MediaError::DecodeTimeout), "{err:?}");
    assert!(err.is_client_error());
}
