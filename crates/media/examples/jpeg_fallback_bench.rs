//! The damaged-JPEG benchmark: how long a `display` derivative (1600 px JPEG) takes from an
//! intact 10-megapixel camera JPEG through the fast reduced-scale path, and from the same file
//! with damaged restart markers through the tolerant fallback. `bench/jpeg_fallback.sh` runs it
//! beside Pillow on the same files.
//!
//! ```text
//! cargo run --release -p vitrina-media --example jpeg_fallback_bench -- OUT_DIR [--photo JPEG]
//!     [--runs N]
//! ```
//!
//! The picture is `--photo` (decoded and encoded again) or, without it, a synthetic 3872×2592
//! one. It is encoded as a camera does (quality 90, 4:2:0, a restart marker every MCU row) to
//! `OUT_DIR/intact.jpg`, then damaged the way the reported file was, to `OUT_DIR/damaged.jpg`:
//! a reserved marker `FF 05` half way through the interval a third of the way down (jpeg-decoder:
//! "found marker RES inside scan where RSTn was expected") and two markers two thirds of the way
//! down swapped. Each figure is [`vitrina_media::render`] for `display` in JPEG, what the worker
//! runs (inspect, decode, sRGB, resize, encode), after one warm-up run, runs interleaved; the
//! median and the fastest are printed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vitrina_media::{Limits, OutFormat, Size, render};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut photo: Option<PathBuf> = None;
    let mut runs = 5usize;
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--photo" => photo = Some(PathBuf::from(value())),
            "--runs" => runs = value().parse().unwrap_or_else(|_| usage("--runs N")),
            _ if out.is_none() && !arg.starts_with("--") => out = Some(PathBuf::from(arg)),
            _ => usage(&format!("unexpected {arg}")),
        }
    }
    let out = out.unwrap_or_else(|| usage("a folder for the two JPEGs"));
    std::fs::create_dir_all(&out).unwrap_or_else(|e| usage(&format!("{}: {e}", out.display())));

    let (width, height, rgb) = match &photo {
        Some(path) => {
            let bytes = std::fs::read(path).unwrap_or_else(|e| usage(&format!("{e}")));
            let mut decoder = jpeg_decoder::Decoder::new(bytes.as_slice());
            let pixels = decoder.decode().expect("an intact RGB JPEG for --photo");
            let info = decoder.info().unwrap();
            assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
            (info.width, info.height, pixels)
        }
        None => (3872, 2592, synthetic(3872, 2592)),
    };
    let mcus_per_row = width.div_ceil(16);
    let mut intact = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut intact, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder.set_restart_interval(mcus_per_row);
    encoder
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encoding");
    let damaged = damage(&intact);
    let refused = jpeg_decoder::Decoder::new(damaged.as_slice())
        .decode()
        .expect_err("jpeg-decoder refuses the damaged file");
    std::fs::write(out.join("intact.jpg"), &intact).expect("writing intact.jpg");
    std::fs::write(out.join("damaged.jpg"), &damaged).expect("writing damaged.jpg");
    println!(
        "{width}×{height} ({:.1} MP), {} bytes, restart interval {mcus_per_row} MCUs; damaged: \
         jpeg-decoder says \"{refused}\"",
        f64::from(width) * f64::from(height) / 1e6,
        intact.len()
    );

    let limits = Limits::default();
    let display = |bytes: &[u8]| {
        let started = Instant::now();
        let renditions =
            render(bytes, &[Size::Display], &[OutFormat::Jpeg], &limits).expect("a derivative");
        let elapsed = started.elapsed();
        assert_eq!(renditions.len(), 1);
        assert_eq!(renditions[0].width.max(renditions[0].height), 1600);
        elapsed
    };
    display(&intact);
    display(&damaged);
    let (mut fast, mut fallback) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        fast.push(display(&intact));
        fallback.push(display(&damaged));
    }
    report("vitrina fast path, intact file, display JPEG", &mut fast);
    report(
        "vitrina fallback, damaged file, display JPEG",
        &mut fallback,
    );
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.0} ms, fastest {:.0} ms ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        times.len()
    );
}

/// The reported kind of damage, a third of the way down, and a swapped pair further on.
fn damage(jpeg: &[u8]) -> Vec<u8> {
    let sos = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let markers: Vec<usize> = (sos..jpeg.len() - 1)
        .filter(|&i| jpeg[i] == 0xFF && (0xD0..=0xD7).contains(&jpeg[i + 1]))
        .collect();
    let mut out = jpeg.to_vec();
    let k = markers.len() / 3;
    let at = (markers[k - 1] + markers[k]) / 2;
    out[at..at + 2].copy_from_slice(&[0xFF, 0x05]);
    let k = markers.len() * 2 / 3;
    out.swap(markers[k] + 1, markers[k + 1] + 1);
    out
}

/// A photo-like picture: smooth colour fields, a few hard edges, and grain.
fn synthetic(width: u16, height: u16) -> Vec<u8> {
    let (w, h) = (u32::from(width), u32::from(height));
    let mut out = Vec::with_capacity((w * h * 3) as usize);
    let mut seed = 0x9E37_79B9u32;
    for y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let grain = (seed % 17) as i32 - 8;
            let (dx, dy) = (x as i32 - w as i32 / 2, y as i32 - h as i32 / 2);
            let inside = dx * dx + dy * dy < (h as i32 / 3).pow(2);
            let base = if inside {
                [190 - (dy / 12), 30 + (dx / 20), 40]
            } else {
                [40 + (x * 60 / w) as i32, 50 + (y * 80 / h) as i32, 90]
            };
            out.extend(base.map(|c| (c + grain).clamp(0, 255) as u8));
        }
    }
    out
}

fn usage(problem: &str) -> ! {
    eprintln!("jpeg_fallback_bench: {problem}");
    eprintln!("usage: jpeg_fallback_bench OUT_DIR [--photo JPEG] [--runs N]");
    std::process::exit(2);
}
