//! Imports 100,000 generated types in one snapshot and reads one back. Ignored by default (it is
//! a benchmark): `cargo test --release -p vitrina-storage-sqlite --test import_bench -- --ignored --nocapture`.

use std::time::Instant;

use vitrina_catalogue::{Access, Collection, Slug, Snapshot, Text};
use vitrina_storage::testsuite::{category, full_type};
use vitrina_storage::{Page, Store, TypeFilter, TypeStore};
use vitrina_storage_sqlite::SqliteStore;

#[tokio::test]
#[ignore = "a benchmark: run with --ignored --release"]
async fn import_100k_types() {
    let n: usize = std::env::var("VITRINA_BENCH_TYPES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .unwrap();
    let snapshot = Snapshot {
        collection: Collection {
            title: Text::en("Bench"),
            introduction: Text::default(),
        },
        categories: (0..20).map(|i| category(&format!("c{i}"), i)).collect(),
        types: (0..n)
            .map(|i| {
                let c = format!("c{}", i % 20);
                let mut t = full_type(&format!("type-{i}"), &[c.as_str()]);
                t.names.en = format!("Type {i}");
                t.position = (i % 100) as i64;
                t
            })
            .collect(),
    };
    let started = Instant::now();
    store.import(&snapshot).await.unwrap();
    let took = started.elapsed();
    eprintln!("imported {n} types in {took:.1?}");
    let (_, total) = store
        .types(&TypeFilter::default(), Page::new(0, 20))
        .await
        .unwrap();
    assert_eq!(total as usize, n);
    let slug = Slug::parse("type-4242").unwrap();
    let started = Instant::now();
    for _ in 0..1000 {
        store.badge_type(&slug, Access::Public).await.unwrap();
    }
    eprintln!("1000 public type reads in {:.1?}", started.elapsed());
    store.close().await;
}
