//! The derivatives of real-world images: upright, in the right colours, the right sizes, with
//! no metadata. Pixels are compared with a reference decode, cell by cell.

mod common;

use std::borrow::Cow;

use common::*;
use image::RgbImage;
use moxcms::{ColorProfile, Layout, TransformOptions};
use vitrina_media::{Format, Limits, OutFormat, Rendition, Size, inspect, render};

fn all(bytes: &[u8]) -> Vec<Rendition> {
    render(bytes, &Size::ALL, &OutFormat::ALL, &Limits::default()).expect("renders")
}

fn jpeg_of(renditions: &[Rendition], size: Size) -> RgbImage {
    let r = renditions
        .iter()
        .find(|r| r.size == size && r.format == OutFormat::Jpeg)
        .unwrap();
    let image = decode_jpeg(&r.bytes);
    assert_eq!((image.width(), image.height()), (r.width, r.height));
    image
}

fn webp_of(renditions: &[Rendition], size: Size) -> image::RgbaImage {
    let r = renditions
        .iter()
        .find(|r| r.size == size && r.format == OutFormat::WebP)
        .unwrap();
    let image = decode_webp(&r.bytes);
    assert_eq!((image.width(), image.height()), (r.width, r.height));
    image
}

fn flatten(image: &image::RgbaImage) -> RgbImage {
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let p = image.get_pixel(x, y);
        let a = u32::from(p[3]);
        image::Rgb([0, 1, 2].map(|c| ((u32::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8))
    })
}

#[test]
fn every_exif_orientation_comes_out_upright() {
    let upright = decode_jpeg(&image_bytes("orientation/Landscape_1.jpg"));
    assert_eq!(upright.dimensions(), (1800, 1200));
    // The test means something only if a mirrored or turned picture is far from the upright one.
    let mirrored = image::imageops::flip_horizontal(&upright);
    let turned = image::imageops::rotate180(&upright);
    let wrong = grid_distance(&upright, &mirrored, 8).min(grid_distance(&upright, &turned, 8));
    assert!(
        wrong > 15.0,
        "the reference is too symmetric to tell ({wrong:.1})"
    );

    for n in 0..=8 {
        let bytes = image_bytes(&format!("orientation/Landscape_{n}.jpg"));
        let inspection = inspect(&bytes, &Limits::default()).unwrap();
        assert_eq!(inspection.upright_size(), (1800, 1200), "Landscape_{n}");
        // The thumb alone (a 1/4-scale decode) keeps this test quick; the other sizes of a
        // rotated photo are compared with the upright one by the worker test.
        let renditions =
            render(&bytes, &[Size::Thumb], &OutFormat::ALL, &Limits::default()).unwrap();
        let jpeg = jpeg_of(&renditions, Size::Thumb);
        assert_eq!(jpeg.dimensions(), (400, 267), "Landscape_{n}");
        let d = grid_distance(&upright, &jpeg, 8);
        assert!(
            d < 6.0,
            "Landscape_{n} JPEG is not upright: distance {d:.1}"
        );
        let webp = flatten(&webp_of(&renditions, Size::Thumb));
        let d = grid_distance(&upright, &webp, 8);
        assert!(
            d < 6.0,
            "Landscape_{n} WebP is not upright: distance {d:.1}"
        );
    }
}

#[test]
fn smaller_originals_are_never_upscaled() {
    let renditions = all(&image_bytes("formats/hopper.jpg"));
    assert_eq!(renditions.len(), 6);
    for r in &renditions {
        assert_eq!((r.width, r.height), (128, 128), "{r:?}");
    }
    let landscape = all(&image_bytes("orientation/Landscape_1.jpg"));
    let large = landscape.iter().find(|r| r.size == Size::Large).unwrap();
    assert_eq!((large.width, large.height), (1800, 1200));
}

#[test]
fn cmyk_jpeg_looks_like_its_rgb_twin() {
    let bytes = image_bytes("formats/pil_sample_cmyk.jpg");
    assert_eq!(
        inspect(&bytes, &Limits::default()).unwrap().format,
        Format::Jpeg
    );
    let reference = decode_jpeg(&image_bytes("formats/pil_sample_rgb.jpg"));
    let renditions = all(&bytes);
    let jpeg = jpeg_of(&renditions, Size::Thumb);
    assert_eq!(jpeg.dimensions(), reference.dimensions());
    let d = grid_distance(&reference, &jpeg, 10);
    let worst = grid_max_distance(&reference, &jpeg, 10);
    eprintln!("cmyk: mean {d:.1}, worst {worst:.1}");
    // Pillow made the RGB twin through a colour profile; the naive formula is within a few levels
    // on average and never far anywhere.
    assert!(
        d < 8.0 && worst < 64.0,
        "CMYK colours are off: mean {d:.1}, worst {worst:.1}"
    );
    let inverted = RgbImage::from_fn(jpeg.width(), jpeg.height(), |x, y| {
        image::Rgb(jpeg.get_pixel(x, y).0.map(|c| 255 - c))
    });
    assert!(grid_distance(&reference, &inverted, 10) > 40.0);
}

/// Converts sRGB pixels into Adobe RGB (1998), the way a camera set to Adobe RGB stores them.
fn to_adobe_rgb(srgb: &RgbImage) -> RgbImage {
    let transform = ColorProfile::new_srgb()
        .create_transform_8bit(
            Layout::Rgb,
            &ColorProfile::new_adobe_rgb(),
            Layout::Rgb,
            TransformOptions::default(),
        )
        .unwrap();
    let mut out = vec![0u8; srgb.as_raw().len()];
    transform.transform(srgb.as_raw(), &mut out).unwrap();
    RgbImage::from_raw(srgb.width(), srgb.height(), out).unwrap()
}

#[test]
fn adobe_rgb_photos_are_converted_to_srgb() {
    let srgb = decode_jpeg(&image_bytes("formats/pil_sample_rgb.jpg"));
    let adobe = to_adobe_rgb(&srgb);
    let icc = ColorProfile::new_adobe_rgb().encode().unwrap();
    let untagged = grid_max_distance(&srgb, &adobe, 10);
    assert!(
        untagged > 20.0,
        "the test picture shows too little difference ({untagged:.1})"
    );

    // A PNG with an iCCP chunk.
    let mut png_bytes = Vec::new();
    let mut info = png::Info::with_size(adobe.width(), adobe.height());
    info.color_type = png::ColorType::Rgb;
    info.bit_depth = png::BitDepth::Eight;
    info.icc_profile = Some(Cow::Owned(icc.clone()));
    let mut writer = png::Encoder::with_info(&mut png_bytes, info)
        .unwrap()
        .write_header()
        .unwrap();
    writer.write_image_data(adobe.as_raw()).unwrap();
    writer.finish().unwrap();

    // A JPEG with an APP2 ICC_PROFILE segment.
    let mut jpeg_bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg_bytes, 95);
    encoder.add_icc_profile(&icc).unwrap();
    encoder
        .encode(
            adobe.as_raw(),
            adobe.width() as u16,
            adobe.height() as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();

    for (name, bytes) in [("PNG", png_bytes), ("JPEG", jpeg_bytes)] {
        let renditions = all(&bytes);
        let out = jpeg_of(&renditions, Size::Thumb);
        let d = grid_max_distance(&srgb, &out, 10);
        eprintln!("adobe {name}: worst {d:.1} (untagged {untagged:.1})");
        assert!(
            d < untagged / 2.0 && d < 12.0,
            "{name}: not converted to sRGB (worst cell {d:.1})"
        );
        let webp = flatten(&webp_of(&renditions, Size::Thumb));
        // Lossy WebP is always 4:2:0, which blurs saturated colours: ask only that it is
        // clearly nearer the sRGB picture than the unconverted one.
        let (to_srgb, to_adobe) = (
            grid_max_distance(&srgb, &webp, 10),
            grid_max_distance(&adobe, &webp, 10),
        );
        assert!(
            to_srgb < 16.0 && to_srgb < to_adobe,
            "{name} WebP: not converted ({to_srgb:.1} vs {to_adobe:.1})"
        );
    }
}

#[test]
fn progressive_jpeg_with_icc_profile() {
    let bytes = image_bytes("formats/progressive_cat.jpg");
    let reference = decode_jpeg(&bytes);
    let renditions = all(&bytes);
    let jpeg = jpeg_of(&renditions, Size::Display);
    assert_eq!(jpeg.dimensions(), (320, 240));
    let d = grid_distance(&reference, &jpeg, 8);
    eprintln!("progressive: {d:.1}");
    assert!(d < 6.0, "distance {d:.1}");
}

#[test]
fn sixteen_bit_and_transparent_pngs() {
    for name in [
        "formats/basn6a16.png",
        "formats/pil123rgba.png",
        "formats/basi0g16.png",
    ] {
        let bytes = image_bytes(name);
        let reference = decode_png(&bytes).to_rgba8();
        let renditions = all(&bytes);
        let jpeg = jpeg_of(&renditions, Size::Thumb);
        assert_eq!(jpeg.dimensions(), reference.dimensions(), "{name}");
        let on_white = flatten(&reference);
        let d = grid_distance(&on_white, &jpeg, 8);
        eprintln!("{name}: jpeg {d:.1}");
        assert!(d < 6.0, "{name}: JPEG is not the picture on white ({d:.1})");

        let webp = webp_of(&renditions, Size::Thumb);
        let transparent = reference.pixels().any(|p| p[3] < 255);
        assert_eq!(
            webp.pixels().any(|p| p[3] < 255),
            transparent,
            "{name}: alpha kept in WebP"
        );
        let d = grid_distance(&on_white, &flatten(&webp), 8);
        eprintln!("{name}: webp {d:.1}");
        assert!(d < 6.0, "{name}: WebP is not the picture ({d:.1})");
    }
}

#[test]
fn derivatives_carry_no_metadata() {
    let bytes = image_bytes("orientation/Landscape_6.jpg");
    assert!(
        bytes.windows(4).any(|w| w == b"Exif"),
        "the original has EXIF"
    );
    let mut progressive = image_bytes("formats/progressive_cat.jpg");
    progressive.truncate(progressive.len());
    for original in [
        bytes,
        progressive,
        image_bytes("formats/pil_sample_rgb.jpg"),
    ] {
        for r in all(&original) {
            for needle in [
                &b"Exif"[..],
                b"ICC_PROFILE",
                b"http://ns.adobe.com",
                b"GPS",
                b"Photoshop",
            ] {
                assert!(
                    !r.bytes.windows(needle.len()).any(|w| w == needle),
                    "{r:?} holds {needle:?}"
                );
            }
            match r.format {
                OutFormat::Jpeg => {
                    let markers = jpeg_markers(&r.bytes);
                    for m in markers {
                        // APP0 (JFIF), DQT, SOF0-2, DHT, DRI, SOS only: no APP1-15, no COM.
                        assert!(
                            matches!(m, 0xE0 | 0xDB | 0xC0..=0xC2 | 0xC4 | 0xDD | 0xDA),
                            "{r:?} has a 0xFF{m:02X} segment"
                        );
                    }
                }
                OutFormat::WebP => {
                    for chunk in webp_chunks(&r.bytes) {
                        assert!(
                            matches!(chunk.as_str(), "VP8 " | "VP8L" | "VP8X" | "ALPH"),
                            "{r:?} has a {chunk} chunk"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn thumb_and_display_come_from_one_reduced_decode() {
    // A 4000×3000 JPEG: the two small sizes are exact, and a WebP and JPEG agree.
    let big = RgbImage::from_fn(4000, 3000, |x, y| {
        image::Rgb([(x / 16) as u8, (y / 12) as u8, ((x + y) / 28) as u8])
    });
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 90)
        .encode(big.as_raw(), 4000, 3000, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let renditions = render(
        &bytes,
        &[Size::Thumb, Size::Display],
        &[OutFormat::Jpeg],
        &Limits::default(),
    )
    .unwrap();
    let sizes: Vec<_> = renditions
        .iter()
        .map(|r| (r.size, r.width, r.height))
        .collect();
    assert_eq!(
        sizes,
        [(Size::Display, 1600, 1200), (Size::Thumb, 400, 300)]
    );
    for r in &renditions {
        let d = grid_distance(&big, &decode_jpeg(&r.bytes), 8);
        assert!(d < 3.0, "{:?}: {d:.1}", r.size);
    }
}

#[test]
fn webp_tiff_and_gif_uploads() {
    let hopper = decode_jpeg(&image_bytes("formats/hopper.jpg"));
    for (format, expected) in [
        (image::ImageFormat::WebP, Format::WebP),
        (image::ImageFormat::Tiff, Format::Tiff),
        (image::ImageFormat::Gif, Format::Gif),
    ] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        let picture = image::DynamicImage::ImageRgb8(hopper.clone());
        let picture = if format == image::ImageFormat::Gif {
            image::DynamicImage::ImageRgba8(picture.to_rgba8())
        } else {
            picture
        };
        picture.write_to(&mut bytes, format).unwrap();
        let bytes = bytes.into_inner();
        assert_eq!(
            inspect(&bytes, &Limits::default()).unwrap().format,
            expected
        );
        let renditions = all(&bytes);
        let jpeg = jpeg_of(&renditions, Size::Thumb);
        assert_eq!(jpeg.dimensions(), (128, 128));
        // GIF has 256 colours: a little further from the original.
        let d = grid_distance(&hopper, &jpeg, 8);
        assert!(d < 6.0, "{format:?}: {d:.1}");
    }
}
