//! A load client for `bench/api.sh`: concurrent curators saving whole types through the REST
//! API (`PUT /api/v1/types/{slug}` with `If-Match`), which wrk cannot drive (each connection
//! must carry the version its last save returned).
//!
//!     cargo run --release -p vitrina --example api_put_load -- \
//!         --url http://127.0.0.1:18184 --tokens TOKENS_FILE [--clients 16] [--seconds 10] \
//!         [--warmup 2] [--prefix bench-put] [--threads 2] [--json-out FILE]
//!
//! `TOKENS_FILE` holds write tokens, one a line. The API limits writes per user, so the script
//! gives each client users of its own: client `i` takes lines `i`, `i + clients`, `i + 2 ×
//! clients`… and sends its saves with each in turn (with as many lines as clients, one user per
//! client; more lines spread a client's saves over several users). Each client owns
//! one type, `PREFIX-i` (created with `POST /api/v1/types` when missing: one variant, one
//! specimen, published): it reads it once (GET, the full record and its `ETag`), then, until the
//! time is up, changes a field and PUTs the whole record back with `If-Match` set to the ETag
//! of its last answer. Only the PUTs are timed, after `--warmup` seconds of the same loop.
//! Prints saves/s, p50/p90/p99/max of the PUTs' answer times, and the errors by kind; with
//! `--json-out`, the same as JSON.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct Args {
    url: String,
    tokens: Vec<String>,
    clients: usize,
    seconds: f64,
    warmup: f64,
    prefix: String,
    threads: usize,
    json_out: Option<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: api_put_load --url URL --tokens FILE [--clients N] [--seconds S] [--warmup S] \
         [--prefix P] [--threads T] [--json-out FILE]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        url: String::new(),
        tokens: Vec::new(),
        clients: 16,
        seconds: 10.0,
        warmup: 2.0,
        prefix: "bench-put".into(),
        threads: 2,
        json_out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--url" => a.url = value().trim_end_matches('/').to_owned(),
            "--tokens" => {
                let path = value();
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                    eprintln!("cannot read {path}: {e}");
                    std::process::exit(2)
                });
                a.tokens = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "--clients" => a.clients = value().parse().unwrap_or_else(|_| usage()),
            "--seconds" => a.seconds = value().parse().unwrap_or_else(|_| usage()),
            "--warmup" => a.warmup = value().parse().unwrap_or_else(|_| usage()),
            "--prefix" => a.prefix = value(),
            "--threads" => a.threads = value().parse().unwrap_or_else(|_| usage()),
            "--json-out" => a.json_out = Some(value()),
            _ => usage(),
        }
    }
    if a.url.is_empty() || a.tokens.is_empty() || a.clients == 0 || a.threads == 0 {
        usage();
    }
    a
}

/// A whole type as a curator would write it: one variant, one specimen with a private field.
fn new_type(slug: &str, i: usize) -> Value {
    json!({
        "slug": slug,
        "published": true,
        "names": {"en": format!("Bench badge {i}"), "ru": format!("Знак для замера {i}")},
        "established": "1932",
        "description": {"en": "A badge written again and again by the API benchmark. \
            Its fields are those of an ordinary record: names in two languages, a date, \
            a variant with materials, size and weight, and one specimen."},
        "variants": [{
            "name": {"en": "Silver, screw back"},
            "materials": ["silver", "enamel"],
            "maker": "Monetny Dvor",
            "size_mm": {"min": 24.0, "max": 26.5},
            "weight_g": {"min": 9.1, "max": 9.1},
            "specimens": [{
                "inventory_number": format!("BP-{i:04}"),
                "condition": "very_fine",
                "rarity": "scarce",
                "notes": {"en": "Light wear on the enamel."},
                "private": {"provenance": "bought from a dealer in Riga"}
            }]
        }]
    })
}

fn etag(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// What one client did in the timed window.
#[derive(Debug, Default)]
struct Tally {
    /// Answer times of the saved PUTs, in microseconds.
    lat_us: Vec<u32>,
    /// 412: the version moved (nobody else writes this type, so it should stay 0).
    conflicts: u64,
    /// 429: the per-user write limit.
    rate_limited: u64,
    /// Any other answer than 200.
    other_status: u64,
    /// Connection or body errors.
    transport: u64,
}

async fn get_record(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> Result<(Value, String), String> {
    let res = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if res.status() != StatusCode::OK {
        return Err(format!("GET {url}: {}", res.status()));
    }
    let tag = etag(&res).ok_or("GET without an ETag")?;
    let record = res.json::<Value>().await.map_err(|e| e.to_string())?;
    Ok((record, tag))
}

/// Makes sure the client's type exists; returns its API URL.
async fn ensure_type(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    slug: &str,
    i: usize,
) -> Result<String, String> {
    let url = format!("{base}/api/v1/types/{slug}");
    let res = client
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match res.status() {
        StatusCode::OK => return Ok(url),
        StatusCode::NOT_FOUND => {}
        s => return Err(format!("GET {url}: {s}")),
    }
    let res = client
        .post(format!("{base}/api/v1/types"))
        .bearer_auth(token)
        .json(&new_type(slug, i))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if res.status() != StatusCode::CREATED {
        let s = res.status();
        return Err(format!(
            "POST {slug}: {s}: {}",
            res.text().await.unwrap_or_default()
        ));
    }
    Ok(url)
}

async fn run_client(
    client: reqwest::Client,
    url: String,
    tokens: Vec<String>,
    warmup_until: Instant,
    deadline: Instant,
) -> Result<Tally, String> {
    let (mut record, mut tag) = get_record(&client, &url, &tokens[0]).await?;
    let mut tally = Tally::default();
    let mut n: u64 = 0;
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let timed = now >= warmup_until;
        n += 1;
        let token = &tokens[n as usize % tokens.len()];
        // A changed field on every save: the establishment year cycles, the description grows
        // a counter (the same size every time).
        record["established"] = json!(format!("{}", 1921 + n % 60));
        record["description"]["ru"] = json!(format!("Сохранение номер {n:012}."));
        let t0 = Instant::now();
        let sent = client
            .put(&url)
            .bearer_auth(token)
            .header(reqwest::header::IF_MATCH, &tag)
            .json(&record)
            .send()
            .await;
        let res = match sent {
            Ok(res) => res,
            Err(_) => {
                if timed {
                    tally.transport += 1;
                }
                continue;
            }
        };
        let status = res.status();
        let new_tag = etag(&res);
        // Read the body whole so the connection is reused; the record sent stays ours.
        let body = res.bytes().await;
        let elapsed = t0.elapsed();
        if body.is_err() {
            if timed {
                tally.transport += 1;
            }
            continue;
        }
        match (status, new_tag) {
            (StatusCode::OK, Some(t)) => {
                tag = t;
                if timed {
                    tally
                        .lat_us
                        .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                }
            }
            (StatusCode::PRECONDITION_FAILED, _) => {
                if timed {
                    tally.conflicts += 1;
                }
                (record, tag) = get_record(&client, &url, token).await?;
            }
            (StatusCode::TOO_MANY_REQUESTS, _) => {
                if timed {
                    tally.rate_limited += 1;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            _ => {
                if timed {
                    tally.other_status += 1;
                }
                if tally.other_status <= 3 {
                    eprintln!(
                        "PUT {url}: {status}: {}",
                        String::from_utf8_lossy(&body.unwrap_or_default())
                    );
                }
            }
        }
    }
    Ok(tally)
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

async fn run(a: Args) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.clients)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut urls = Vec::with_capacity(a.clients);
    for i in 0..a.clients {
        let token = &a.tokens[i % a.tokens.len()];
        let slug = format!("{}-{i}", a.prefix);
        urls.push(ensure_type(&client, &a.url, token, &slug, i).await?);
    }
    let start = Instant::now();
    let warmup_until = start + Duration::from_secs_f64(a.warmup);
    let deadline = warmup_until + Duration::from_secs_f64(a.seconds);
    let tasks: Vec<_> = urls
        .into_iter()
        .enumerate()
        .map(|(i, url)| {
            let mine: Vec<String> = (i..a.tokens.len().max(i + 1))
                .step_by(a.clients)
                .map(|k| a.tokens[k % a.tokens.len()].clone())
                .collect();
            tokio::spawn(run_client(
                client.clone(),
                url,
                mine,
                warmup_until,
                deadline,
            ))
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.map_err(|e| e.to_string())??;
        all.lat_us.extend(t.lat_us);
        all.conflicts += t.conflicts;
        all.rate_limited += t.rate_limited;
        all.other_status += t.other_status;
        all.transport += t.transport;
    }
    all.lat_us.sort_unstable();
    let saves = all.lat_us.len();
    let errors = all.conflicts + all.rate_limited + all.other_status + all.transport;
    let per_s = saves as f64 / a.seconds;
    let mean = if saves == 0 {
        f64::NAN
    } else {
        all.lat_us.iter().map(|&u| f64::from(u)).sum::<f64>() / saves as f64 / 1000.0
    };
    let out = json!({
        "clients": a.clients,
        "users": a.tokens.len(),
        "seconds": a.seconds,
        "warmup_s": a.warmup,
        "saves": saves,
        "saves_per_s": (per_s * 10.0).round() / 10.0,
        "p50_ms": percentile(&all.lat_us, 0.50),
        "p90_ms": percentile(&all.lat_us, 0.90),
        "p99_ms": percentile(&all.lat_us, 0.99),
        "max_ms": percentile(&all.lat_us, 1.0),
        "mean_ms": (mean * 1000.0).round() / 1000.0,
        "errors": errors,
        "conflicts_412": all.conflicts,
        "rate_limited_429": all.rate_limited,
        "other_status": all.other_status,
        "transport_errors": all.transport,
    });
    println!(
        "{} clients, {:.0} s: {saves} saves, {per_s:.1} saves/s, p50 {:.2} ms, p90 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms; errors {errors} (412: {}, 429: {}, other: {}, transport: {})",
        a.clients,
        a.seconds,
        percentile(&all.lat_us, 0.50),
        percentile(&all.lat_us, 0.90),
        percentile(&all.lat_us, 0.99),
        percentile(&all.lat_us, 1.0),
        all.conflicts,
        all.rate_limited,
        all.other_status,
        all.transport,
    );
    println!("PUTJSON {out}");
    if let Some(path) = &a.json_out {
        std::fs::write(path, out.to_string()).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn main() {
    let a = parse_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(a.threads)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(e) = runtime.block_on(run(a)) {
        eprintln!("api_put_load: {e}");
        std::process::exit(1);
    }
}
