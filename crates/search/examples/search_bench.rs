//! The search benchmark of issue #3, in-process: builds an on-disk index from a catalogue made
//! by `shared/bench/gen_catalog.py`, then times the queries written by
//! `shared/bench/fts_queries.py --write-queries` through [`SearchIndex::search`].
//!
//!     cargo run --release -p vitrina-search --example search_bench -- \
//!         CSV INDEX_DIR QUERIES [--threads 2] [--seconds 10] [--json-out FILE] [--reuse]
//!
//! INDEX_DIR must be absent, empty or an earlier index (it is rebuilt; with `--reuse`, a
//! complete index of the current schema is queried as it is, and the build time is not one). Reported: CSV parse
//! and build (`rebuild`) time, index size, per-query latency (a first pass over the plain
//! queries on cold caches, reported as `plain_first_pass`; then, per variant, one untimed
//! warm-up pass and one timed pass) for four variants of the same queries, and queries per second of N threads
//! running the plain list for a bounded time. The last line is `SEARCHJSON {...}`.
//!
//! Every row becomes a type with one variant and one specimen, as in
//! `crates/operations/examples/load_generated_csv.rs`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use vitrina_catalogue::{
    BadgeType, Condition, Engraving, Material, Names, PartialDate, Range, Rarity, Slug, Specimen,
    Text, Variant,
};
use vitrina_search::{FacetKind, Filter, Query, SearchIndex};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, serde::Deserialize)]
struct Row {
    id: u64,
    title_en: String,
    title_ru: String,
    category: String,
    year_established: i32,
    materials: String,
    variants: String,
    maker_mark: String,
    engraving: String,
    condition: String,
    rarity: String,
    dimensions_mm: String,
    weight_g: String,
    description: String,
}

fn material(word: &str) -> Option<Material> {
    Some(match word.trim() {
        "gold" => Material::Gold,
        "silver" => Material::Silver,
        "platinum" => Material::Platinum,
        "bronze" => Material::Bronze,
        "brass" => Material::Brass,
        "copper" => Material::Copper,
        "tombac" => Material::Tombac,
        "aluminium" | "aluminum" => Material::Aluminium,
        "steel" => Material::Steel,
        "enamel" => Material::Enamel,
        _ => return None,
    })
}

fn condition(text: &str) -> Option<Condition> {
    let t = text.to_lowercase();
    let starts = |p: &str| t.starts_with(p);
    Some(match () {
        _ if starts("mint") => Condition::Mint,
        _ if starts("extremely fine") || starts("excellent") => Condition::Excellent,
        _ if starts("very fine") => Condition::VeryFine,
        _ if starts("fine") => Condition::Fine,
        _ if starts("good") => Condition::Good,
        _ if starts("fair") => Condition::Fair,
        _ if starts("poor") => Condition::Poor,
        _ => return None,
    })
}

fn rarity(text: &str) -> Option<Rarity> {
    Some(match text.trim().to_lowercase().as_str() {
        "common" => Rarity::Common,
        "uncommon" => Rarity::Uncommon,
        "scarce" => Rarity::Scarce,
        "rare" => Rarity::Rare,
        "very rare" => Rarity::VeryRare,
        "extremely rare" => Rarity::ExtremelyRare,
        _ => return None,
    })
}

fn range(values: &[f64]) -> Option<Range> {
    let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let r = Range { min, max };
    r.is_valid().then_some(r)
}

fn badge_type(row: Row) -> Result<BadgeType, Error> {
    let category = Slug::from_title(&row.category).ok_or("bad category")?;
    let slug = Slug::from_title(&format!("{} {}", row.title_en, row.id)).ok_or("bad title")?;
    let dims: Vec<f64> = row
        .dimensions_mm
        .split('x')
        .filter_map(|d| d.trim().parse().ok())
        .collect();
    let weight: Vec<f64> = row.weight_g.trim().parse().into_iter().collect();
    let specimen = Specimen {
        id: None,
        inventory_number: format!("B-{:06}", row.id),
        engravings: (!row.engraving.trim().is_empty())
            .then(|| Engraving {
                text: row.engraving.clone(),
                position: None,
                description: Text::default(),
            })
            .into_iter()
            .collect(),
        hallmarks: vec![],
        measurements: vec![],
        condition: condition(&row.condition),
        rarity: rarity(&row.rarity),
        notes: Text::en(row.condition.clone()),
        photos: vec![],
        private: None,
    };
    let variant = Variant {
        id: None,
        name: Text::en(row.variants.clone()),
        materials: row.materials.split(',').filter_map(material).collect(),
        plating: None,
        fitting: None,
        maker: row.maker_mark.clone(),
        marks: vec![],
        enamel: Text::default(),
        size_mm: range(&dims),
        weight_g: range(&weight),
        serial_numbers: None,
        notes: Text::default(),
        specimens: vec![specimen],
    };
    Ok(BadgeType {
        id: None,
        slug,
        position: row.id as i64,
        version: 0,
        published: true,
        categories: vec![category],
        names: Names {
            en: row.title_en,
            ru: row.title_ru,
            original: None,
        },
        issuer: None,
        established: Some(PartialDate::year(row.year_established)),
        period: None,
        event: None,
        description: Text::en(row.description),
        references: vec![],
        variants: vec![variant],
        photos: vec![],
    })
}

/// Bytes of the files under a folder (what `du -sb` reports, less the folders themselves).
fn dir_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_bytes(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// Peak resident memory of this process, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

#[derive(Debug)]
struct Latency {
    name: &'static str,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    mean: f64,
    zero_hit: usize,
    full_page: usize,
    slowest: Vec<String>,
}

impl Latency {
    fn json(&self) -> String {
        let slowest: Vec<String> = self
            .slowest
            .iter()
            .map(|q| format!("\"{}\"", q.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        format!(
            "{{\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3},\
             \"mean_ms\":{:.3},\"zero_hit\":{},\"full_page_20\":{},\"slowest\":[{}]}}",
            self.p50,
            self.p90,
            self.p99,
            self.max,
            self.mean,
            self.zero_hit,
            self.full_page,
            slowest.join(",")
        )
    }
}

/// One pass over the queries, one at a time, timed.
fn pass(index: &SearchIndex, name: &'static str, queries: &[Query]) -> Result<Latency, Error> {
    let mut times = Vec::with_capacity(queries.len());
    let (mut zero_hit, mut full_page) = (0, 0);
    for q in queries {
        let t = Instant::now();
        let r = index.search(q)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        zero_hit += usize::from(r.total == 0);
        full_page += usize::from(r.hits.len() == q.limit);
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[b].total_cmp(&times[a]));
    let slowest = order
        .iter()
        .take(5)
        .map(|&i| queries[i].text.clone())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    // The same nearest-rank rule as fts_queries.py (Python rounds half to even).
    let pct = |p: f64| {
        let rank = (p / 100.0 * n as f64 + 0.5).round_ties_even() as usize;
        sorted[rank.clamp(1, n) - 1]
    };
    Ok(Latency {
        name,
        p50: pct(50.0),
        p90: pct(90.0),
        p99: pct(99.0),
        max: sorted[n - 1],
        mean: times.iter().sum::<f64>() / n as f64,
        zero_hit,
        full_page,
        slowest,
    })
}

/// `threads` threads run the list over and over (each from its own starting point) for
/// `seconds`; returns queries per second.
fn throughput(
    index: &SearchIndex,
    queries: &[Query],
    threads: usize,
    seconds: f64,
) -> Result<(f64, u64), Error> {
    let stop = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|s| -> Result<(), Error> {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (stop, done) = (&stop, &done);
                s.spawn(move || -> Result<(), vitrina_search::SearchError> {
                    let mut i = t * queries.len() / threads;
                    while !stop.load(Ordering::Relaxed) {
                        index.search(&queries[i % queries.len()])?;
                        done.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                    Ok(())
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs_f64(seconds));
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().map_err(|_| "a query thread panicked")??;
        }
        Ok(())
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    Ok((n as f64 / elapsed, n))
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let (mut threads, mut seconds, mut json_out) = (2usize, 10.0f64, None);
    let mut reuse = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--threads" => threads = it.next().ok_or("--threads N")?.parse()?,
            "--seconds" => seconds = it.next().ok_or("--seconds S")?.parse()?,
            "--json-out" => json_out = Some(it.next().ok_or("--json-out FILE")?),
            "--reuse" => reuse = true,
            _ => positional.push(a),
        }
    }
    let [csv_path, dir, queries_path] = positional.as_slice() else {
        eprintln!(
            "usage: search_bench CSV INDEX_DIR QUERIES [--threads 2] [--seconds 10] [--json-out FILE] [--reuse]"
        );
        std::process::exit(2);
    };

    let t = Instant::now();
    let mut types = Vec::new();
    let mut categories = BTreeSet::new();
    for row in csv::Reader::from_path(csv_path)?.deserialize() {
        let t = badge_type(row?)?;
        categories.insert(t.categories[0].as_str().to_owned());
        types.push(t);
    }
    let rows = types.len();
    let parse_s = t.elapsed().as_secs_f64();
    eprintln!("parsed {rows} rows in {parse_s:.2} s");

    let dir = Path::new(dir);
    let t = Instant::now();
    let index = SearchIndex::open(dir)?;
    if reuse && index.needs_rebuild().is_none() {
        eprintln!(
            "--reuse: querying the complete index already in {}",
            dir.display()
        );
    } else {
        index.rebuild(types)?;
    }
    let build_s = t.elapsed().as_secs_f64();
    let segments = index.raw_index().searchable_segment_ids()?.len();
    let index_bytes = dir_bytes(dir)?;
    eprintln!(
        "built the index of {} types in {build_s:.2} s ({:.0} types/s): {:.1} MiB, {segments} segments",
        index.len(),
        rows as f64 / build_s,
        index_bytes as f64 / 1048576.0
    );

    let texts: Vec<String> = std::fs::read_to_string(queries_path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let categories: Vec<String> = categories.into_iter().collect();
    let variant = |filter: bool, as_you_type: bool| -> Vec<Query> {
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| Query {
                text: text.clone(),
                filters: if filter {
                    vec![Filter::new(
                        FacetKind::Category,
                        categories[i % categories.len()].clone(),
                    )]
                } else {
                    vec![]
                },
                as_you_type,
                limit: 20,
                ..Query::default()
            })
            .collect()
    };
    let plain = variant(false, false);
    let runs = [
        ("plain", plain.clone()),
        ("category_filter", variant(true, false)),
        ("as_you_type", variant(false, true)),
        ("category_filter_as_you_type", variant(true, true)),
    ];
    let mut results = Vec::new();
    // The first pass of all meets cold caches (the index's files, the decoded facets, the
    // match sets of broad words): it is reported as `plain_first_pass`. Each variant is then
    // run once untimed (warm-up) and once timed.
    let first = pass(&index, "plain_first_pass", &plain)?;
    eprintln!(
        "{:28} p50 {:7.3} ms  p90 {:7.3}  p99 {:7.3}  max {:7.3}  mean {:7.3}",
        first.name, first.p50, first.p90, first.p99, first.max, first.mean
    );
    results.push(first);
    for (name, queries) in &runs {
        pass(&index, name, queries)?;
        let l = pass(&index, name, queries)?;
        eprintln!(
            "{:28} p50 {:7.3} ms  p90 {:7.3}  p99 {:7.3}  max {:7.3}  mean {:7.3}  zero-hit {}  full-page {}  slowest {:?}",
            l.name, l.p50, l.p90, l.p99, l.max, l.mean, l.zero_hit, l.full_page, l.slowest
        );
        results.push(l);
    }
    let (qps, done) = throughput(&index, &plain, threads, seconds)?;
    eprintln!(
        "throughput: {threads} threads x {seconds} s, plain queries: {qps:.1} queries/s ({done})"
    );
    let peak = peak_rss_mib();
    eprintln!("peak resident memory: {peak:.0} MiB (includes the parsed catalogue)");

    let mut json = format!(
        "{{\"rows\":{rows},\"queries\":{},\"parse_s\":{parse_s:.3},\"build_s\":{build_s:.3},\
         \"index_bytes\":{index_bytes},\"segments\":{segments},\"threads\":{threads},\
         \"seconds\":{seconds},\"qps\":{qps:.1},\"qps_queries\":{done},\"peak_rss_mib\":{peak:.0}",
        texts.len()
    );
    for l in &results {
        write!(json, ",\"{}\":{}", l.name, l.json())?;
    }
    json.push('}');
    if let Some(path) = json_out {
        std::fs::write(path, format!("{json}\n"))?;
    }
    println!("SEARCHJSON {json}");
    Ok(())
}
