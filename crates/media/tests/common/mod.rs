//! Helpers shared by the media tests: the shared test images, decoding derivatives back, and
//! comparing pictures by a grid of cell averages (robust to resampling and re-encoding, but not
//! to a rotation, a mirror or a wrong colour).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use image::{RgbImage, RgbaImage};
use vitrina_media::{Limits, LocalStore, Pipeline};

/// The repository's `testdata/images` (override with `VITRINA_TESTDATA_IMAGES`).
pub fn images_dir() -> PathBuf {
    std::env::var_os("VITRINA_TESTDATA_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/images"))
}

pub fn image_bytes(name: &str) -> Vec<u8> {
    let path = images_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decodes a JPEG (RGB or grey) at full size, as stored, with no colour management.
pub fn decode_jpeg(bytes: &[u8]) -> RgbImage {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let pixels = decoder.decode().expect("a decodable JPEG");
    let info = decoder.info().unwrap();
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => RgbImage::from_raw(w, h, pixels).unwrap(),
        jpeg_decoder::PixelFormat::L8 => {
            image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, pixels).unwrap())
                .to_rgb8()
        }
        other => panic!("unexpected JPEG pixel format {other:?}"),
    }
}

pub fn decode_webp(bytes: &[u8]) -> RgbaImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::WebP)
        .expect("a decodable WebP")
        .to_rgba8()
}

pub fn decode_png(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png).expect("a decodable PNG")
}

/// The mean colour of each cell of an `n`×`n` grid laid over the picture.
pub fn grid(image: &RgbImage, n: u32) -> Vec<[f64; 3]> {
    let (w, h) = image.dimensions();
    let mut cells = Vec::new();
    for gy in 0..n {
        for gx in 0..n {
            let (x0, x1) = (gx * w / n, ((gx + 1) * w / n).max(gx * w / n + 1));
            let (y0, y1) = (gy * h / n, ((gy + 1) * h / n).max(gy * h / n + 1));
            let mut sum = [0f64; 3];
            for y in y0..y1.min(h) {
                for x in x0..x1.min(w) {
                    let p = image.get_pixel(x, y);
                    for c in 0..3 {
                        sum[c] += f64::from(p[c]);
                    }
                }
            }
            let count = f64::from((x1.min(w) - x0) * (y1.min(h) - y0));
            cells.push(sum.map(|s| s / count));
        }
    }
    cells
}

/// Mean absolute difference, per channel and cell, between two pictures' grids (0–255).
pub fn grid_distance(a: &RgbImage, b: &RgbImage, n: u32) -> f64 {
    let (ga, gb) = (grid(a, n), grid(b, n));
    let total: f64 = ga
        .iter()
        .zip(&gb)
        .map(|(x, y)| (0..3).map(|c| (x[c] - y[c]).abs()).sum::<f64>())
        .sum();
    total / (ga.len() as f64 * 3.0)
}

/// The largest difference of any channel of any cell.
pub fn grid_max_distance(a: &RgbImage, b: &RgbImage, n: u32) -> f64 {
    let (ga, gb) = (grid(a, n), grid(b, n));
    ga.iter()
        .zip(&gb)
        .flat_map(|(x, y)| (0..3).map(move |c| (x[c] - y[c]).abs()))
        .fold(0.0, f64::max)
}

/// A pipeline over a [`LocalStore`] in a fresh temporary folder.
pub fn pipeline(limits: Limits) -> (Pipeline, Arc<LocalStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::new(dir.path().join("media")));
    (Pipeline::new(store.clone(), limits), store, dir)
}

/// The segment markers of a JPEG up to its first scan (APPn, COM, DQT, SOFn, DHT…).
pub fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() {
        assert_eq!(bytes[at], 0xFF, "segment start at {at}");
        let marker = bytes[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        at += 2 + len;
    }
    markers
}

/// The chunk names of a RIFF WebP file.
pub fn webp_chunks(bytes: &[u8]) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        chunks.push(String::from_utf8_lossy(&bytes[at..at + 4]).into_owned());
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 8 + len + (len & 1);
    }
    chunks
}

/// Peak resident memory of this test process so far, from `/proc/self/status`.
pub fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}
