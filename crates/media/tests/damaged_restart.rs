//! JPEGs whose scans have small restart-marker faults, as cameras and copies make them: libjpeg
//! (and so Pillow, browsers) decodes them, jpeg-decoder (the fast path) refuses them. They are
//! accepted at upload and must still give derivatives that show the picture. The damaged files
//! are made here, deterministically: a picture encoded with restart intervals, then one marker
//! misnumbered, lost, or a stray marker put where a restart was expected. (Each kind was checked
//! by hand to be decoded by libjpeg's djpeg and by Pillow: set `VITRINA_DAMAGED_JPEG_DIR` to a
//! folder to have the tests write their files there.)

mod common;

use bytes::Bytes;
use common::*;
use image::RgbImage;
use vitrina_media::{
    Format, Limits, MediaError, MediaStore, OutFormat, PhotoStatus, Size, derivative_key, inspect,
    inspect_file, render,
};

/// A photo-like picture: four quadrants of distinct colours (a turned, shifted or grey picture
/// is far from it), a gradient in one, and fine texture so the entropy-coded data is not trivial.
fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let texture = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 13) % 24;
        let texture = texture as u8;
        let (left, top) = (x < width / 2, y < height / 2);
        let [r, g, b] = match (left, top) {
            (true, true) => [200, 40, 40],
            (false, true) => [40, 170, 60],
            (true, false) => [40, 60, 200],
            (false, false) => [(x * 255 / width) as u8, (y * 255 / height) as u8, 128],
        };
        image::Rgb([r, g, b].map(|c: u8| c.saturating_add(texture)))
    })
}

/// `image` as a camera writes it: 4:2:0 chroma, a restart marker every `interval` MCUs.
fn encode_with_restarts(image: &RgbImage, interval: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder.set_restart_interval(interval);
    encoder
        .encode(
            image.as_raw(),
            image.width() as u16,
            image.height() as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

/// Where the scan's restart markers are (the index of each one's `FF`).
fn restart_markers(jpeg: &[u8]) -> Vec<usize> {
    let sos = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    (sos..jpeg.len() - 1)
        .filter(|&i| jpeg[i] == 0xFF && (0xD0..=0xD7).contains(&jpeg[i + 1]))
        .collect()
}

/// The markers after intervals `a` and `b` swap numbers (RST3 ↔ RST4 for 3 and 4).
fn misnumbered(jpeg: &[u8], a: usize, b: usize) -> Vec<u8> {
    let markers = restart_markers(jpeg);
    let mut out = jpeg.to_vec();
    out.swap(markers[a] + 1, markers[b] + 1);
    out
}

/// The marker after interval `k` is gone: two intervals run together.
fn marker_lost(jpeg: &[u8], k: usize) -> Vec<u8> {
    let markers = restart_markers(jpeg);
    let mut out = jpeg.to_vec();
    out.drain(markers[k]..markers[k] + 2);
    out
}

/// Halfway through interval `k`, two bytes become `FF 05`, a reserved marker no scan may hold
/// (what the camera file that broke had before its RST4).
fn stray_marker(jpeg: &[u8], k: usize) -> Vec<u8> {
    let markers = restart_markers(jpeg);
    let mut out = jpeg.to_vec();
    let at = (markers[k - 1] + markers[k]) / 2;
    out[at..at + 2].copy_from_slice(&[0xFF, 0x05]);
    out
}

/// What the fast path's decoder says of `jpeg`.
fn jpeg_decoder_error(jpeg: &[u8]) -> String {
    jpeg_decoder::Decoder::new(jpeg)
        .decode()
        .expect_err("jpeg-decoder must refuse the damaged file, or the test tests nothing")
        .to_string()
}

/// Writes `bytes` into `VITRINA_DAMAGED_JPEG_DIR` when it is set, for checking by hand.
fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("VITRINA_DAMAGED_JPEG_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.jpg")), bytes).unwrap();
    }
}

fn jpeg_of(renditions: &[vitrina_media::Rendition], size: Size) -> RgbImage {
    let r = renditions
        .iter()
        .find(|r| r.size == size && r.format == OutFormat::Jpeg)
        .unwrap_or_else(|| panic!("no {size:?} JPEG"));
    let image = decode_jpeg(&r.bytes);
    assert_eq!(image.dimensions(), (r.width, r.height));
    image
}

/// Asserts that `derivative` shows `source`, cell by cell of a 12×12 grid: close on average,
/// at most five cells (what one damaged interval of 400×16 px can touch) visibly off, and none
/// far off. A picture moved by an interval, turned, grey from the damage on, or of the wrong
/// colours fails.
fn assert_shows(source: &RgbImage, derivative: &RgbImage, what: &str) {
    let (a, b) = (grid(source, 12), grid(derivative, 12));
    let off: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (0..3).map(|c| (x[c] - y[c]).abs()).fold(0.0, f64::max))
        .collect();
    let mean = grid_distance(source, derivative, 12);
    let visibly_off = off.iter().filter(|&&d| d > 12.0).count();
    let worst = off.iter().copied().fold(0.0, f64::max);
    eprintln!("{what}: mean {mean:.2}, {visibly_off} cells off by more than 12, worst {worst:.1}");
    assert!(
        mean < 3.0 && visibly_off <= 5 && worst < 50.0,
        "{what}: the derivative does not show the picture (mean {mean:.1}, \
         {visibly_off} cells off by more than 12, worst {worst:.1})"
    );
}

/// Checks the damaged file is accepted at upload, in memory and streamed to a file, as the
/// intact one is.
fn assert_accepted_at_upload(damaged: &[u8], width: u32, height: u32) {
    let limits = Limits::default();
    let inspection = inspect(damaged, &limits).expect("accepted at upload");
    assert_eq!(inspection.format, Format::Jpeg);
    assert_eq!((inspection.width, inspection.height), (width, height));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upload");
    std::fs::write(&path, damaged).unwrap();
    assert_eq!(inspect_file(&path, &limits).unwrap(), inspection);
}

#[test]
fn a_jpeg_with_a_misnumbered_restart_marker_still_gives_derivatives() {
    let source = picture(1200, 800);
    let damaged = misnumbered(&encode_with_restarts(&source, 25), 3, 4);
    keep("misnumbered", &damaged);
    assert!(
        jpeg_decoder_error(&damaged).contains("found RST4 where RST3 was expected"),
        "{}",
        jpeg_decoder_error(&damaged)
    );
    assert_accepted_at_upload(&damaged, 1200, 800);
    let renditions = render(&damaged, &Size::ALL, &OutFormat::ALL, &Limits::default())
        .expect("derivatives of a misnumbered restart marker");
    assert_eq!(renditions.len(), 6);
    for r in &renditions {
        let expected = match r.size {
            Size::Thumb => (400, 267),
            Size::Display | Size::Large => (1200, 800),
        };
        assert_eq!((r.width, r.height), expected, "{r:?}");
    }
    assert_shows(
        &source,
        &jpeg_of(&renditions, Size::Large),
        "misnumbered, large",
    );
    assert_shows(
        &source,
        &jpeg_of(&renditions, Size::Thumb),
        "misnumbered, thumb",
    );
    let webp = renditions
        .iter()
        .find(|r| r.size == Size::Large && r.format == OutFormat::WebP)
        .unwrap();
    let webp = image::DynamicImage::ImageRgba8(decode_webp(&webp.bytes)).into_rgb8();
    assert_shows(&source, &webp, "misnumbered, WebP");
}

#[tokio::test]
async fn a_jpeg_with_a_stray_marker_where_a_restart_was_expected_still_gives_derivatives() {
    // The fault as reported: "found marker RES inside scan where RST4 was expected", from the
    // worker, for good. Uploaded, queued and derived as any photo.
    let source = picture(1200, 800);
    let damaged = stray_marker(&encode_with_restarts(&source, 25), 4);
    keep("stray_marker", &damaged);
    assert_eq!(
        jpeg_decoder_error(&damaged),
        "invalid JPEG format: found marker RES inside scan where RST4 was expected"
    );
    assert_accepted_at_upload(&damaged, 1200, 800);
    let (pipeline, store, _dir) = pipeline(Limits::default());
    let ingested = pipeline.ingest(Bytes::from(damaged)).await.unwrap();
    pipeline
        .derive(&ingested.hash)
        .await
        .expect("derivatives of a stray marker");
    assert_eq!(pipeline.status(&ingested.hash).await, PhotoStatus::Ready);
    let display = store
        .get(&derivative_key(
            &ingested.hash,
            Size::Display,
            OutFormat::Jpeg,
        ))
        .await
        .unwrap()
        .expect("the display JPEG");
    let display = decode_jpeg(&display);
    assert_eq!(display.dimensions(), (1200, 800));
    assert_shows(&source, &display, "stray marker");
}

#[test]
fn a_jpeg_with_a_lost_restart_marker_still_gives_derivatives() {
    // Two intervals run together: everything after them must stay in its place, not move up
    // by an interval.
    let source = picture(1200, 800);
    let damaged = marker_lost(&encode_with_restarts(&source, 25), 4);
    keep("marker_lost", &damaged);
    assert!(
        jpeg_decoder_error(&damaged).contains("no marker found where RST4 was expected"),
        "{}",
        jpeg_decoder_error(&damaged)
    );
    assert_accepted_at_upload(&damaged, 1200, 800);
    let renditions = render(
        &damaged,
        &[Size::Display],
        &[OutFormat::Jpeg],
        &Limits::default(),
    )
    .expect("derivatives of a lost marker");
    assert_shows(&source, &jpeg_of(&renditions, Size::Display), "lost marker");
}

#[tokio::test]
async fn a_large_camera_jpeg_with_damaged_restarts_gets_its_reduced_size_derivatives_from_the_fallback()
 {
    // 3000×2000 (the 10 MP case is in the benchmark; this keeps the test quick), a marker every
    // MCU row (188 MCUs), a misnumbered pair a third of the way down and a stray marker half
    // way: the fast path's 1/2-scale decode for `display` fails and the fallback decodes the
    // whole picture. Through the pipeline's render, as the worker calls it.
    let (width, height) = (3000, 2000);
    let source = picture(width, height);
    let intact = encode_with_restarts(&source, 188);
    let damaged = stray_marker(&misnumbered(&intact, 40, 41), 62);
    keep("large_damaged", &damaged);
    let error = jpeg_decoder_error(&damaged);
    assert!(
        error.contains("found RST1 where RST0 was expected"),
        "{error}"
    );
    assert_accepted_at_upload(&damaged, width, height);

    let (pipeline, _store, _dir) = pipeline(Limits::default());
    let renditions = pipeline
        .render(
            Bytes::from(damaged),
            &[Size::Display, Size::Thumb],
            &[OutFormat::Jpeg],
        )
        .await
        .expect("derivatives through the fallback");
    let sizes: Vec<_> = renditions
        .iter()
        .map(|r| (r.size, r.width, r.height))
        .collect();
    assert_eq!(
        sizes,
        [(Size::Display, 1600, 1067), (Size::Thumb, 400, 267)]
    );
    assert_shows(
        &source,
        &jpeg_of(&renditions, Size::Display),
        "large, display",
    );
}

#[tokio::test]
async fn garbage_and_cut_short_jpegs_are_still_refused_clearly() {
    let (pipeline, _store, _dir) = pipeline(Limits::default());
    let limits = Limits::default();
    let refused = |bytes: Vec<u8>| {
        let pipeline = pipeline.clone();
        async move {
            let err = pipeline
                .ingest(Bytes::from(bytes.clone()))
                .await
                .expect_err("refused at upload");
            assert!(err.is_client_error(), "{err:?}");
            let again = render(&bytes, &Size::ALL, &OutFormat::ALL, &Limits::default())
                .expect_err("render refuses it too");
            assert_eq!(again.to_string(), err.to_string());
            err
        }
    };
    // Bytes that only start like a JPEG.
    let mut noise: Vec<u8> = vec![0xFF, 0xD8, 0xFF];
    let mut x = 0x1234_5678u32;
    noise.extend((0..4000).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    }));
    let err = refused(noise.clone()).await;
    assert!(
        matches!(err, MediaError::Corrupt(_) | MediaError::Truncated(_)),
        "{err:?}"
    );
    // The same noise without the JPEG start is no image at all.
    let err = refused(noise[3..].to_vec()).await;
    assert_eq!(
        err.to_string(),
        "this is not an image: use JPEG, PNG, WebP, TIFF or GIF"
    );

    let damaged = stray_marker(&encode_with_restarts(&picture(640, 480), 10), 4);
    assert!(inspect(&damaged, &limits).is_ok());
    // Cut inside its header, and cut inside its scan: refused, however tolerant the decoding.
    let err = refused(damaged[..120].to_vec()).await;
    assert!(
        matches!(err, MediaError::Truncated(_) | MediaError::Corrupt(_)),
        "{err:?}"
    );
    let err = refused(damaged[..damaged.len() * 2 / 3].to_vec()).await;
    assert!(matches!(err, MediaError::Truncated(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the picture is cut short: the JPEG stops before its end marker"
    );
}
