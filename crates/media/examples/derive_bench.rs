//! The photo benchmark: makes derivatives of every JPEG in a folder with N workers and prints
//! images per second. `bench/photos.sh` runs it beside libvips' `vipsthumbnail`.
//!
//! ```text
//! cargo run --release -p vitrina-media --example derive_bench -- DIR [--workers N] [--out DIR]
//!     [--sizes thumb,display] [--formats jpg]
//! ```
//!
//! What it times: from reading each file (the shell script warms the page cache first, for
//! vipsthumbnail too) to the encoded derivatives written to `--out`,
//! through [`vitrina_media::render`], the function the pipeline's worker runs: inspect, one
//! reduced-scale decode, sRGB, resize, orientation, encode. The default sizes are `thumb` and
//! `display` in JPEG, what the issue's goal compares; `large` and WebP can be asked for.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use vitrina_media::{Limits, OutFormat, Size, render};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out: Option<PathBuf> = None;
    let mut sizes = vec![Size::Thumb, Size::Display];
    let mut formats = vec![OutFormat::Jpeg];
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--workers" => workers = value().parse().unwrap_or_else(|_| usage("--workers N")),
            "--out" => out = Some(PathBuf::from(value())),
            "--sizes" => {
                sizes = value()
                    .split(',')
                    .map(|s| match s {
                        "thumb" => Size::Thumb,
                        "display" => Size::Display,
                        "large" => Size::Large,
                        _ => usage("sizes: thumb, display, large"),
                    })
                    .collect();
            }
            "--formats" => {
                formats = value()
                    .split(',')
                    .map(|s| match s {
                        "jpg" => OutFormat::Jpeg,
                        "webp" => OutFormat::WebP,
                        _ => usage("formats: jpg, webp"),
                    })
                    .collect();
            }
            _ if dir.is_none() && !arg.starts_with("--") => dir = Some(PathBuf::from(arg)),
            _ => usage(&format!("unexpected {arg}")),
        }
    }
    let dir = dir.unwrap_or_else(|| usage("a folder of JPEGs"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| usage(&format!("{}: {e}", dir.display())))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("jpg")))
        .collect();
    files.sort();
    if files.is_empty() {
        usage("no .jpg files in the folder");
    }
    // Files are read by the workers, one at a time, so the peak memory is the pipeline's.
    let originals: Vec<(String, PathBuf)> = files
        .iter()
        .map(|p| {
            (
                p.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                p.clone(),
            )
        })
        .collect();
    if let Some(out) = &out {
        std::fs::create_dir_all(out).unwrap_or_else(|e| usage(&format!("{}: {e}", out.display())));
    }

    let limits = Limits::default();
    let next = AtomicUsize::new(0);
    let made = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((stem, path)) = originals.get(i) else {
                        break;
                    };
                    let bytes = std::fs::read(path).expect("reading a photo");
                    let renditions = render(&bytes, &sizes, &formats, &limits)
                        .unwrap_or_else(|e| panic!("{stem}: {e}"));
                    for r in renditions {
                        if let Some(out) = &out {
                            let name = format!("{stem}_{}.{}", r.size.name(), r.format.ext());
                            std::fs::write(out.join(name), &r.bytes).expect("writing a derivative");
                        }
                        made.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let n = originals.len();
    println!(
        "vitrina: {n} images, {} derivatives, {workers} workers: {seconds:.2} s = {:.2} images/s",
        made.load(Ordering::Relaxed),
        n as f64 / seconds
    );
}

fn usage(problem: &str) -> ! {
    eprintln!("derive_bench: {problem}");
    eprintln!(
        "usage: derive_bench DIR [--workers N] [--out DIR] [--sizes thumb,display,large] [--formats jpg,webp]"
    );
    std::process::exit(2);
}
