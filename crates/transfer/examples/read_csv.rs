//! Reads a CSV sheet (UTF-8, comma-separated, RFC 4180) through recognition and `read`, and
//! prints how long each step took: the check that 100,000 rows build in about a second.
//!
//! ```text
//! python3 ../shared/bench/gen_catalog.py --items 100000 --out /tmp/catalog_100k.csv
//! cargo run --release -p vitrina-transfer --example read_csv -- /tmp/catalog_100k.csv
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use vitrina_transfer::{Mapping, ReadOptions, read, write_types};

/// The process's CPU time so far (user and system), from `/proc/self/stat` (Linux): on a busy
/// machine it says more than the wall clock.
fn cpu() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    std::time::Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: read_csv FILE.csv");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).expect("a UTF-8 file");
    let start = Instant::now();
    let table = common::csv(&text);
    let parsed = start.elapsed();
    let start = Instant::now();
    let cpu_start = cpu();
    let mapping = Mapping::recognise(&table.headers);
    let outcome = read(&table, &mapping, &ReadOptions::default());
    let built = start.elapsed();
    let built_cpu = cpu() - cpu_start;
    let start = Instant::now();
    let records: Vec<_> = outcome.records().cloned().collect();
    let categories: Vec<_> = outcome
        .categories
        .iter()
        .map(|c| c.category.clone())
        .collect();
    let exported = write_types(&records, &categories, true);
    let written = start.elapsed();
    println!(
        "{} rows: csv {parsed:?}, read {built:?} (CPU {built_cpu:?}; {} types, {} categories, \
         {} problems), export {written:?} ({} rows)",
        table.rows.len(),
        outcome.types.len(),
        outcome.categories.len(),
        outcome.problems.len(),
        exported.rows.len(),
    );
    for p in outcome.problems.iter().take(10) {
        println!("  {p}");
    }
}
