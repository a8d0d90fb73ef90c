//! Attaches a folder of photos to the first types of a store, one photo per type, for the
//! backup benchmark (`bench/backup.sh`): each file goes through the upload pipeline's `ingest`
//! (its original stored under its SHA-256, its web sizes queued, not made) and becomes the
//! type's obverse.
//!
//!     cargo run --release -p vitrina-operations --example attach_photos -- DATABASE_URL MEDIA_DIR PHOTO_DIR

use std::sync::Arc;
use std::time::Instant;

use vitrina_catalogue::{Photo, PhotoRole, Text};
use vitrina_media::{LocalStore, Pipeline};
use vitrina_operations::{Catalogue, open_store};
use vitrina_storage::TypeFilter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(media), Some(photos)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: attach_photos DATABASE_URL MEDIA_DIR PHOTO_DIR".into());
    };
    let mut files: Vec<_> = std::fs::read_dir(&photos)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    files.sort();
    tokio::runtime::Runtime::new()?.block_on(async move {
        let started = Instant::now();
        let store = open_store(&url).await?;
        let catalogue = Catalogue::new(store.clone());
        let pipeline = Pipeline::new(
            Arc::new(LocalStore::new(media)),
            vitrina_media::Limits::default(),
        );
        let types = catalogue
            .types_after(&TypeFilter::default(), None, files.len() as u64)
            .await?;
        for (summary, file) in types.iter().zip(&files) {
            let ingested = pipeline.ingest(std::fs::read(file)?.into()).await?;
            let mut t = catalogue.curator_type(&summary.slug).await?;
            t.photos.push(Photo {
                id: None,
                role: PhotoRole::Obverse,
                file: ingested.file,
                alt: Text {
                    en: format!("The obverse of {}", t.names.en),
                    ru: String::new(),
                },
                caption: Text::default(),
                illustration: false,
                width: Some(ingested.inspection.width),
                height: Some(ingested.inspection.height),
                credit: String::new(),
                original_name: file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            });
            catalogue.save_type(&t).await?;
        }
        store.close().await;
        println!(
            "attached {} photos in {:.1} s",
            types.len().min(files.len()),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    })
}
