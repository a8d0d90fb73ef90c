//! Hostile uploads: each is refused with a clear, client-side [`MediaError`], before anything is
//! decoded, nothing is left in the store, and this process's peak memory stays small.

mod common;

use std::io::Write;

use bytes::Bytes;
use common::*;
use vitrina_media::{Format, Limits, MediaError, OutFormat, Size, inspect, render};

/// Peak memory allowed for a test process that has been fed hostile files: far below what
/// decoding any of them would take (a 50000² picture is 2.5 GB as 1 byte per pixel).
const MEMORY_CEILING: u64 = 256 * 1024 * 1024;

/// Feeds `bytes` to `ingest` and to `render` and returns the error; checks the store is empty.
async fn refused(bytes: Vec<u8>, limits: Limits) -> MediaError {
    let (pipeline, store, _dir) = pipeline(limits.clone());
    let err = pipeline
        .ingest(Bytes::from(bytes.clone()))
        .await
        .expect_err("must be refused");
    assert!(
        err.is_client_error(),
        "{err:?} must be the uploader's problem"
    );
    assert!(!err.to_string().is_empty());
    use vitrina_media::MediaStore;
    assert_eq!(
        store.list("").await.unwrap(),
        Vec::<String>::new(),
        "a refused upload left keys"
    );
    let again =
        render(&bytes, &Size::ALL, &OutFormat::ALL, &limits).expect_err("render refuses too");
    assert_eq!(again.to_string(), err.to_string());
    err
}

fn assert_memory_bounded() {
    let peak = peak_rss_bytes();
    assert!(
        peak < MEMORY_CEILING,
        "peak memory {} MiB",
        peak / 1024 / 1024
    );
}

/// A valid PNG of `width`×`height` zero pixels, streamed row by row.
fn zero_png(width: u32, height: u32, color: png::ColorType, depth: png::BitDepth) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().unwrap();
    let bits = u64::from(width) * u64::from(color.samples() as u32) * u64::from(depth as u8);
    let row = vec![0u8; bits.div_ceil(8) as usize];
    {
        let mut stream = writer.stream_writer().unwrap();
        for _ in 0..height {
            stream.write_all(&row).unwrap();
        }
        stream.finish().unwrap();
    }
    writer.finish().unwrap();
    out
}

#[tokio::test]
async fn a_50000_square_one_bit_png_is_refused_before_decoding() {
    let bytes = zero_png(
        50_000,
        50_000,
        png::ColorType::Grayscale,
        png::BitDepth::One,
    );
    assert!(
        bytes.len() < 1_000_000,
        "the flood is {} bytes",
        bytes.len()
    );
    let err = refused(bytes, Limits::default()).await;
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                width: 50_000,
                height: 50_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_memory_bounded();
}

#[tokio::test]
async fn headers_claiming_65500_square_are_refused() {
    // A real JPEG whose frame header is patched to 65500×65500.
    let mut jpeg = image_bytes("formats/hopper.jpg");
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0] || w == [0xFF, 0xC2])
        .unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xDC, 0xFF, 0xDC]);
    let err = refused(jpeg, Limits::default()).await;
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                width: 65_500,
                height: 65_500,
                ..
            }
        ),
        "{err:?}"
    );

    // A PNG that is only a header (and the end chunk): 65500×65500, no pixels at all.
    let mut png_bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut png_bytes, 65_500, 65_500);
    encoder.set_color(png::ColorType::Rgba);
    drop(encoder.write_header().unwrap());
    let err = refused(png_bytes, Limits::default()).await;
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                width: 65_500,
                height: 65_500,
                ..
            }
        ),
        "{err:?}"
    );
    assert_memory_bounded();
}

#[tokio::test]
async fn decompression_bombs_are_refused_by_the_memory_limit() {
    // 4000×4000 RGBA at 16 bits: 128 MB of pixels from a file of a few hundred KB.
    let bomb = zero_png(4000, 4000, png::ColorType::Rgba, png::BitDepth::Sixteen);
    assert!(bomb.len() < 1_000_000, "{} bytes", bomb.len());
    let limits = Limits {
        max_decode_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let err = refused(bomb, limits).await;
    assert!(matches!(err, MediaError::TooMuchMemory { .. }), "{err:?}");

    // 20000×20000 grey: 400 megapixels, over the default pixel limit.
    let bomb = zero_png(
        20_000,
        20_000,
        png::ColorType::Grayscale,
        png::BitDepth::Eight,
    );
    let err = refused(bomb, Limits::default()).await;
    assert!(matches!(err, MediaError::TooManyPixels { .. }), "{err:?}");
    assert_memory_bounded();
}

#[tokio::test]
async fn truncated_files_are_refused() {
    for name in [
        "formats/hopper.jpg",
        "formats/progressive_cat.jpg",
        "orientation/Landscape_6.jpg",
    ] {
        let whole = image_bytes(name);
        for keep in [whole.len() / 2, whole.len() - 2] {
            let err = refused(whole[..keep].to_vec(), Limits::default()).await;
            assert!(
                matches!(err, MediaError::Truncated(_)),
                "{name} cut at {keep}: {err:?}"
            );
        }
    }
    let png_bytes = image_bytes("formats/pil123rgba.png");
    let err = refused(png_bytes[..png_bytes.len() / 2].to_vec(), Limits::default()).await;
    assert!(matches!(err, MediaError::Truncated(_)), "{err:?}");

    let rgb = vec![128u8; 64 * 64 * 3];
    let webp = webp::Encoder::from_rgb(&rgb, 64, 64)
        .encode_simple(false, 80.0)
        .unwrap()
        .to_vec();
    let err = refused(webp[..webp.len() - 10].to_vec(), Limits::default()).await;
    assert!(matches!(err, MediaError::Truncated(_)), "{err:?}");

    // Cut inside the header: refused as cut short or damaged, never accepted.
    let err = refused(
        image_bytes("formats/hopper.jpg")[..40].to_vec(),
        Limits::default(),
    )
    .await;
    assert!(
        matches!(err, MediaError::Truncated(_) | MediaError::Corrupt(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn empty_text_and_svg_are_refused_with_their_reason() {
    let err = refused(Vec::new(), Limits::default()).await;
    assert!(matches!(err, MediaError::Empty), "{err:?}");

    let err = refused(
        b"Just some text, saved as photo.jpg\n".to_vec(),
        Limits::default(),
    )
    .await;
    assert_eq!(
        err.to_string(),
        "this is not an image: use JPEG, PNG, WebP, TIFF or GIF"
    );

    let svg = br#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">
  <script>fetch('/api/v1/users', {method: 'DELETE'})</script>
  <circle cx="50" cy="50" r="40" fill="red" onload="alert(document.cookie)"/>
</svg>"#;
    let err = refused(svg.to_vec(), Limits::default()).await;
    assert!(
        err.to_string()
            .starts_with("SVG files are not accepted as photos"),
        "{err}"
    );

    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0".to_vec();
    let err = refused(heic, Limits::default()).await;
    assert!(
        err.to_string()
            .starts_with("HEIC photos are not supported yet"),
        "{err}"
    );

    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let err = refused(image_bytes("formats/hopper.jpg"), limits).await;
    assert!(
        matches!(
            err,
            MediaError::TooLarge {
                bytes: 6412,
                limit: 1000
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_png_named_jpg_is_a_png() {
    // Names are never consulted: the bytes of a PNG saved as photo.jpg are a PNG.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    std::fs::copy(images_dir().join("formats/pil123rgba.png"), &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        inspect(&bytes, &Limits::default()).unwrap().format,
        Format::Png
    );
    let (pipeline, _store, _dir) = pipeline(Limits::default());
    let ingested = pipeline.ingest(Bytes::from(bytes)).await.unwrap();
    assert_eq!(ingested.inspection.format, Format::Png);
    assert_eq!(
        (ingested.inspection.width, ingested.inspection.height),
        (162, 150)
    );
    pipeline.derive(&ingested.hash).await.unwrap();
}

#[tokio::test]
async fn a_huge_progressive_jpeg_is_refused_for_its_memory() {
    // 9000×9000 is under the pixel limit; a progressive JPEG that size keeps 486 MB of
    // coefficients besides its 243 MB of pixels, over the 512 MiB default. The same size
    // baseline needs only the pixels and passes inspection.
    let patch = |name: &str, sof: [u8; 2]| {
        let mut jpeg = image_bytes(name);
        let at = jpeg.windows(2).position(|w| w == sof).unwrap();
        jpeg[at + 5..at + 9].copy_from_slice(&[0x23, 0x28, 0x23, 0x28]);
        jpeg
    };
    let progressive = patch("formats/progressive_cat.jpg", [0xFF, 0xC2]);
    let err = refused(progressive, Limits::default()).await;
    assert!(matches!(err, MediaError::TooMuchMemory { .. }), "{err:?}");
    let baseline = patch("formats/hopper.jpg", [0xFF, 0xC0]);
    let inspection = inspect(&baseline, &Limits::default()).unwrap();
    assert_eq!((inspection.width, inspection.height), (9000, 9000));
    assert_memory_bounded();
}
