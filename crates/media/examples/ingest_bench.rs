//! How long an upload waits: [`vitrina_media::Pipeline::ingest`] (inspect, SHA-256, store the
//! original with fsync, queue the work) for every JPEG in a folder, into a fresh [`LocalStore`]
//! under `--store` (default: a folder in the system temp dir), one after another, no worker.
//!
//! ```text
//! cargo run --release -p vitrina-media --example ingest_bench -- DIR [--store DIR]
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use vitrina_media::{Limits, LocalStore, Pipeline};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| fail("usage: ingest_bench DIR [--store DIR]")),
    );
    let store_dir = match (args.next().as_deref(), args.next()) {
        (Some("--store"), Some(path)) => PathBuf::from(path),
        (None, _) => std::env::temp_dir().join(format!("vitrina-ingest-{}", std::process::id())),
        _ => fail("usage: ingest_bench DIR [--store DIR]"),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", dir.display())))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("jpg")))
        .collect();
    files.sort();
    let pipeline = Pipeline::new(Arc::new(LocalStore::new(&store_dir)), Limits::default());
    let mut millis = Vec::new();
    for path in &files {
        let bytes = Bytes::from(std::fs::read(path).unwrap_or_else(|e| fail(&e.to_string())));
        let started = Instant::now();
        pipeline
            .ingest(bytes)
            .await
            .unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = std::fs::remove_dir_all(&store_dir);
    if millis.is_empty() {
        fail("no .jpg files");
    }
    millis.sort_by(f64::total_cmp);
    println!(
        "ingest: {} uploads, median {:.1} ms, max {:.1} ms",
        millis.len(),
        millis[millis.len() / 2],
        millis[millis.len() - 1]
    );
}

fn fail(problem: &str) -> ! {
    eprintln!("ingest_bench: {problem}");
    std::process::exit(2);
}
