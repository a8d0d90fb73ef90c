//! Turning an original into derivatives: decode (at a reduced scale when the format allows),
//! convert to sRGB, resize, orient, encode. Synchronous and CPU-bound: the [`crate::Pipeline`]
//! runs it on blocking threads, the benchmark calls it directly.
//!
//! Decisions:
//! - **One decode per photo.** The picture is decoded once, at the smallest scale that still
//!   covers the largest size asked for: JPEGs are decoded in the DCT domain at 1/2, 1/4 or 1/8
//!   (`jpeg-decoder`'s `scale`, what libvips calls shrink-on-load), so a 12 MP photo asked for
//!   `thumb` and `display` is decoded at 2000×1500. Smaller sizes are resized from the previous,
//!   larger derivative.
//! - **Damaged JPEGs.** A JPEG the fast decoder refuses as damaged (a restart marker out of
//!   place, a stray marker in a scan: what cameras and copies make, and libjpeg decodes) is
//!   decoded again by a tolerant fallback: its restart markers mended ([`crate::restart`]),
//!   then zune-jpeg at full size, under the same limits and with the same colour handling.
//!   Slower, and logged; see `bench/jpeg_fallback.sh`.
//! - **Colour.** An embedded ICC profile (Adobe RGB, Display P3…) is converted to sRGB with
//!   moxcms; CMYK JPEGs through their CMYK profile when they carry one, otherwise with the naive
//!   formula browsers use. Grey pictures become RGB.
//! - **Alpha.** Kept in WebP; JPEG has none, so transparent pictures are composited onto white.
//!   A picture whose alpha channel is fully opaque is treated as opaque.
//! - **Orientation.** The EXIF orientation is applied to every derivative, which is then
//!   upright with no orientation tag.
//! - **Metadata.** The encoders here write none: no EXIF, GPS, XMP, ICC or comments reach a
//!   derivative (sRGB is the web's default, so the profile is not needed).
//! - **Never upscale.** A size's long edge is at most the original's.
//! - **JPEG** at quality 82 with 4:4:4 chroma (see [`encode`]); **WebP** lossy at quality 80.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};
use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

use crate::inspect::{Format, exif_orientation};
use crate::{Limits, MediaError, inspect};

/// JPEG quality of the derivatives (the same as the libvips anchor's `Q=82`).
pub const JPEG_QUALITY: u8 = 82;
/// WebP quality of the derivatives (the same as the libvips anchor's `Q=80`).
pub const WEBP_QUALITY: f32 = 80.0;

/// The derivative sizes, by their long edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Size {
    /// About 400 px: cards and lists.
    Thumb,
    /// About 1600 px: the type page.
    Display,
    /// About 3200 px: the zoomable viewer.
    Large,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Thumb, Size::Display, Size::Large];

    /// The long edge in pixels (or the original's, when that is smaller).
    pub fn long_edge(self) -> u32 {
        match self {
            Self::Thumb => 400,
            Self::Display => 1600,
            Self::Large => 3200,
        }
    }

    /// The name used in keys: `thumb`, `display`, `large`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Thumb => "thumb",
            Self::Display => "display",
            Self::Large => "large",
        }
    }
}

/// The encodings every size is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutFormat {
    Jpeg,
    WebP,
}

impl OutFormat {
    pub const ALL: [OutFormat; 2] = [OutFormat::Jpeg, OutFormat::WebP];

    /// The file extension used in keys: `jpg`, `webp`.
    pub fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::WebP => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
        }
    }
}

/// One encoded derivative.
#[derive(Clone)]
pub struct Rendition {
    pub size: Size,
    pub format: OutFormat,
    /// Upright width.
    pub width: u32,
    /// Upright height.
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Rendition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendition")
            .field("size", &self.size)
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Makes `sizes` × `formats` derivatives of `original` from one decode. Checks the original with
/// [`inspect`] first, so it is safe to call on untrusted bytes.
pub fn render(
    original: &[u8],
    sizes: &[Size],
    formats: &[OutFormat],
    limits: &Limits,
) -> Result<Vec<Rendition>, MediaError> {
    let inspection = inspect(original, limits)?;
    let long = inspection.width.max(inspection.height);
    let mut sizes = sizes.to_vec();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes.dedup();
    let Some(&largest) = sizes.first() else {
        return Ok(Vec::new());
    };
    let decoded = decode(
        original,
        inspection.format,
        largest.long_edge().min(long),
        limits,
    )?;
    let orientation = decoded
        .orientation
        .or(inspection.orientation)
        .and_then(Orientation::from_exif);

    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut out = Vec::with_capacity(sizes.len() * formats.len());
    let mut previous: Option<DynamicImage> = None;
    for size in sizes {
        let target = size.long_edge().min(long);
        let (w, h) = fit(inspection.width, inspection.height, target);
        let source = previous.as_ref().unwrap_or(&decoded.image);
        let resized = if (source.width(), source.height()) == (w, h) {
            source.clone()
        } else {
            let mut dst = DynamicImage::new(w, h, source.color());
            resizer
                .resize(source, &mut dst, &options)
                .map_err(|e| MediaError::Internal(format!("resize: {e}")))?;
            dst
        };
        let mut upright = resized.clone();
        if let Some(o) = orientation {
            upright.apply_orientation(o);
        }
        for &format in formats {
            out.push(Rendition {
                size,
                format,
                width: upright.width(),
                height: upright.height(),
                bytes: encode(&upright, format)?,
            });
        }
        previous = Some(resized);
    }
    Ok(out)
}

/// The size with long edge `target` and the same aspect ratio; at least 1×1.
fn fit(width: u32, height: u32, target: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= target {
        return (width, height);
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(target) + u64::from(long) / 2) / u64::from(long)).max(1)
    };
    (scale(width) as u32, scale(height) as u32)
}

/// A decoded picture in sRGB, 8-bit RGB or RGBA, not yet oriented.
struct Decoded {
    image: DynamicImage,
    orientation: Option<u8>,
}

fn decode(
    bytes: &[u8],
    format: Format,
    target: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    match format {
        Format::Jpeg => decode_jpeg(bytes, target, limits),
        _ => decode_other(bytes, format, limits),
    }
}

/// A JPEG, at a reduced scale when it can be; a JPEG the fast decoder refuses as damaged is
/// decoded again by the tolerant one (see [`decode_jpeg_tolerant`]).
fn decode_jpeg(bytes: &[u8], target: u32, limits: &Limits) -> Result<Decoded, MediaError> {
    match decode_jpeg_scaled(bytes, target, limits) {
        Err(error @ (MediaError::Corrupt(_) | MediaError::Truncated(_))) => {
            decode_jpeg_tolerant(bytes, limits, error)
        }
        other => other,
    }
}

/// The fast path: jpeg-decoder, decoding in the DCT domain at the smallest of 1/1, 1/2, 1/4
/// and 1/8 that still covers `target`. Strict: a scan with a restart marker out of place fails.
fn decode_jpeg_scaled(bytes: &[u8], target: u32, limits: &Limits) -> Result<Decoded, MediaError> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(
        usize::try_from(limits.max_decode_bytes).unwrap_or(usize::MAX),
    );
    let request = u16::try_from(target).unwrap_or(u16::MAX);
    decoder.scale(request, request).map_err(jpeg_error)?;
    let pixels = decoder.decode().map_err(jpeg_error)?;
    let info = decoder
        .info()
        .ok_or_else(|| MediaError::Corrupt("no JPEG frame".into()))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let icc = decoder.icc_profile();
    let orientation = exif_orientation(decoder.exif_data());
    let samples = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => Samples::Rgb,
        jpeg_decoder::PixelFormat::L8 => Samples::Grey,
        jpeg_decoder::PixelFormat::L16 => Samples::Grey16,
        jpeg_decoder::PixelFormat::CMYK32 => Samples::Cmyk,
    };
    let image = jpeg_image(pixels, w, h, samples, icc.as_deref())?;
    Ok(Decoded { image, orientation })
}

/// The tolerant path, for a JPEG the fast path refused as damaged (`error`): its restart
/// markers mended ([`crate::restart`]), then decoded whole by zune-jpeg, which pads what it
/// cannot read instead of failing, as libjpeg does. It keeps to the same limits (checked from
/// zune-jpeg's reading of the header, before any pixel is decoded) and hands its pixels to the
/// same colour, grey and CMYK handling as the fast path. Slower than that (no reduced-scale
/// decode), and only ever run on damaged files. When it fails too, the fast path's error stands.
fn decode_jpeg_tolerant(
    bytes: &[u8],
    limits: &Limits,
    error: MediaError,
) -> Result<Decoded, MediaError> {
    let started = std::time::Instant::now();
    let repaired = crate::restart::repair(bytes);
    let source = repaired.as_ref().map_or(bytes, |r| r.bytes.as_slice());
    // A damaged file is exactly what a decoder's rare panics are made of: a panic here is this
    // file's fault, not a crashed worker to retry.
    let result =
        std::panic::catch_unwind(|| decode_jpeg_zune(source, limits)).unwrap_or_else(|_| {
            Err(MediaError::Corrupt(
                "the tolerant JPEG decoder crashed".into(),
            ))
        });
    let mended = repaired.as_ref().map(|r| {
        format!(
            "{} renumbered, {} missing, {} spurious, {} cut short",
            r.renumbered, r.missing, r.dropped, r.cut
        )
    });
    let mended = mended.as_deref().unwrap_or("none");
    match result {
        Ok(decoded) => {
            tracing::info!(
                %error,
                restart_markers = mended,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "jpeg-decoder refused a damaged JPEG; decoded it with the tolerant fallback"
            );
            Ok(decoded)
        }
        Err(limit @ (MediaError::TooManyPixels { .. } | MediaError::TooMuchMemory { .. })) => {
            Err(limit)
        }
        Err(fallback) => {
            tracing::info!(
                %error,
                %fallback,
                restart_markers = mended,
                "the tolerant fallback could not decode a damaged JPEG either"
            );
            Err(error)
        }
    }
}

/// zune-jpeg, not strict, at full size.
fn decode_jpeg_zune(bytes: &[u8], limits: &Limits) -> Result<Decoded, MediaError> {
    use zune_jpeg::JpegDecoder;
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;

    // The size limits are ours (below); zune-jpeg's own default stops at 16384 px a side.
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX));
    // The header first, to choose the output and check the limits before decoding.
    let mut probe = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    probe.decode_headers().map_err(zune_error)?;
    let (Some(info), Some(input)) = (probe.info(), probe.input_colorspace()) else {
        return Err(MediaError::Corrupt("no JPEG frame".into()));
    };
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    if w == 0 || h == 0 {
        return Err(MediaError::Corrupt(
            "the header gives the picture no width or height".into(),
        ));
    }
    // CMYK and YCCK as they are stored (converted below as jpeg-decoder does), grey as grey.
    let (output, samples) = match input {
        ColorSpace::Luma => (ColorSpace::Luma, Samples::Grey),
        ColorSpace::CMYK => (ColorSpace::CMYK, Samples::Cmyk),
        ColorSpace::YCCK => (ColorSpace::YCCK, Samples::Cmyk),
        _ => (ColorSpace::RGB, Samples::Rgb),
    };
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            width: w,
            height: h,
            limit: limits.max_pixels,
        });
    }
    // Like inspect's estimate; zune-jpeg also keeps every coefficient of a progressive or
    // four-channel picture until the end.
    let channels = output.num_components() as u64;
    let whole = info.sof.is_progressive() || channels == 4;
    if pixels * channels * if whole { 3 } else { 1 } > limits.max_decode_bytes {
        return Err(MediaError::TooMuchMemory {
            limit: limits.max_decode_bytes,
        });
    }
    let mut decoder =
        JpegDecoder::new_with_options(ZCursor::new(bytes), options.jpeg_set_out_colorspace(output));
    let mut data = decoder.decode().map_err(zune_error)?;
    if decoder.output_colorspace() != Some(output) {
        return Err(MediaError::Corrupt(format!(
            "the tolerant decoder gave {:?} pixels, not {output:?}",
            decoder.output_colorspace()
        )));
    }
    match output {
        // jpeg-decoder's convention, which cmyk_to_srgb expects: 0 = no ink.
        ColorSpace::CMYK => data.iter_mut().for_each(|v| *v = 255 - *v),
        ColorSpace::YCCK => {
            for p in data.chunks_exact_mut(4) {
                let [r, g, b] = ycc_to_rgb(p[0], p[1], p[2]);
                p.copy_from_slice(&[r, g, b, 255 - p[3]]);
            }
        }
        _ => {}
    }
    let icc = decoder.icc_profile();
    let orientation = exif_orientation(decoder.exif().map(Vec::as_slice));
    let image = jpeg_image(data, w, h, samples, icc.as_deref())?;
    Ok(Decoded { image, orientation })
}

/// JFIF's YCbCr to RGB (what jpeg-decoder applies to the colour channels of YCCK).
fn ycc_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (y, cb, cr) = (f32::from(y), f32::from(cb) - 128.0, f32::from(cr) - 128.0);
    [
        y + 1.402 * cr,
        y - 0.344_14 * cb - 0.714_14 * cr,
        y + 1.772 * cb,
    ]
    .map(|v| v.round().clamp(0.0, 255.0) as u8)
}

fn zune_error(e: zune_jpeg::errors::DecodeErrors) -> MediaError {
    use zune_jpeg::errors::DecodeErrors as E;
    match e {
        E::Unsupported(scheme) => {
            MediaError::unsupported(format!("this kind of JPEG is not supported ({scheme:?})"))
        }
        E::ExhaustedData => MediaError::Truncated("the JPEG ends early".into()),
        other => MediaError::Corrupt(other.to_string()),
    }
}

/// How a JPEG decoder hands its samples over, row by row, 8 bits a sample unless said.
#[derive(Debug, Clone, Copy)]
enum Samples {
    Rgb,
    Grey,
    /// 16 bits, native-endian.
    Grey16,
    /// CMYK as jpeg-decoder hands it over: 0 = no ink.
    Cmyk,
}

/// Decoded JPEG samples as an sRGB picture: through the embedded ICC profile, grey as RGB.
/// Shared by both JPEG paths, so a damaged photo comes out as its intact twin would.
fn jpeg_image(
    pixels: Vec<u8>,
    w: u32,
    h: u32,
    samples: Samples,
    icc: Option<&[u8]>,
) -> Result<DynamicImage, MediaError> {
    let short = || MediaError::Truncated("the JPEG has fewer pixels than its header says".into());
    Ok(match samples {
        Samples::Rgb => {
            let mut rgb = RgbImage::from_raw(w, h, pixels).ok_or_else(short)?;
            if let Some(icc) = icc {
                rgb_to_srgb(&mut rgb, icc);
            }
            DynamicImage::ImageRgb8(rgb)
        }
        Samples::Grey => {
            let grey = image::GrayImage::from_raw(w, h, pixels).ok_or_else(short)?;
            DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(grey).to_rgb8())
        }
        Samples::Grey16 => {
            let high: Vec<u8> = pixels
                .chunks_exact(2)
                .map(|p| (u16::from_ne_bytes([p[0], p[1]]) >> 8) as u8)
                .collect();
            let grey = image::GrayImage::from_raw(w, h, high).ok_or_else(short)?;
            DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(grey).to_rgb8())
        }
        Samples::Cmyk => {
            if pixels.len() < (w as usize) * (h as usize) * 4 {
                return Err(short());
            }
            DynamicImage::ImageRgb8(cmyk_to_srgb(&pixels, w, h, icc))
        }
    })
}

fn decode_other(bytes: &[u8], format: Format, limits: &Limits) -> Result<Decoded, MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_decode_bytes);
    reader.limits(image_limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| image_error(e, limits.max_decode_bytes))?;
    let orientation = decoder.orientation().ok().map(|o| o.to_exif());
    let icc = decoder.icc_profile().ok().flatten();
    let image =
        DynamicImage::from_decoder(decoder).map_err(|e| image_error(e, limits.max_decode_bytes))?;
    let has_color = image.color().has_color();
    let mut image = if image.color().has_alpha() {
        let rgba = image.into_rgba8();
        if rgba.pixels().all(|p| p[3] == u8::MAX) {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8())
        } else {
            DynamicImage::ImageRgba8(rgba)
        }
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    if let (Some(icc), true) = (icc, has_color) {
        match &mut image {
            DynamicImage::ImageRgb8(rgb) => rgb_to_srgb(rgb, &icc),
            DynamicImage::ImageRgba8(rgba) => rgba_to_srgb(rgba, &icc),
            _ => {}
        }
    }
    Ok(Decoded { image, orientation })
}

/// Converts RGB pixels described by an ICC profile to sRGB in place. A profile that cannot be
/// read or used is ignored (the pixels are taken as sRGB, as browsers do).
fn rgb_to_srgb(rgb: &mut RgbImage, icc: &[u8]) {
    to_srgb(rgb, Layout::Rgb, icc);
}

/// The same for RGBA; alpha is left as it is.
fn rgba_to_srgb(rgba: &mut RgbaImage, icc: &[u8]) {
    to_srgb(rgba, Layout::Rgba, icc);
}

fn to_srgb(pixels: &mut [u8], layout: Layout, icc: &[u8]) {
    let Ok(profile) = ColorProfile::new_from_slice(icc) else {
        tracing::debug!("ignoring an unreadable ICC profile");
        return;
    };
    if profile.color_space != DataColorSpace::Rgb {
        return;
    }
    let srgb = ColorProfile::new_srgb();
    let Ok(transform) =
        profile.create_transform_8bit(layout, &srgb, layout, TransformOptions::default())
    else {
        tracing::debug!("ignoring an ICC profile moxcms cannot use");
        return;
    };
    let mut out = vec![0u8; pixels.len()];
    if transform.transform(pixels, &mut out).is_ok() {
        pixels.copy_from_slice(&out);
    }
}

/// CMYK (as jpeg-decoder hands it over: 0 = no ink) to sRGB: through the embedded CMYK profile
/// when there is one, otherwise `r = (1 − c)(1 − k)`, what browsers do for profile-less CMYK.
fn cmyk_to_srgb(cmyk: &[u8], w: u32, h: u32, icc: Option<&[u8]>) -> RgbImage {
    let n = (w as usize) * (h as usize);
    let cmyk = &cmyk[..n * 4];
    if let Some(profile) = icc.and_then(|icc| ColorProfile::new_from_slice(icc).ok())
        && profile.color_space == DataColorSpace::Cmyk
        && let Ok(transform) = profile.create_transform_8bit(
            Layout::Rgba,
            &ColorProfile::new_srgb(),
            Layout::Rgb,
            TransformOptions::default(),
        )
    {
        let mut out = vec![0u8; n * 3];
        if transform.transform(cmyk, &mut out).is_ok()
            && let Some(rgb) = RgbImage::from_raw(w, h, out)
        {
            return rgb;
        }
    }
    let mut out = Vec::with_capacity(n * 3);
    for p in cmyk.chunks_exact(4) {
        let k = u32::from(255 - p[3]);
        for &ink in &p[..3] {
            out.push(((u32::from(255 - ink) * k + 127) / 255) as u8);
        }
    }
    RgbImage::from_raw(w, h, out).unwrap_or_default()
}

fn encode(image: &DynamicImage, format: OutFormat) -> Result<Vec<u8>, MediaError> {
    let (w, h) = (image.width(), image.height());
    match format {
        OutFormat::Jpeg => {
            let flattened;
            let rgb = match image {
                DynamicImage::ImageRgb8(rgb) => rgb,
                DynamicImage::ImageRgba8(rgba) => {
                    flattened = onto_white(rgba);
                    &flattened
                }
                other => {
                    flattened = other.to_rgb8();
                    &flattened
                }
            };
            let (w16, h16) = (u16::try_from(w), u16::try_from(h));
            let (Ok(w16), Ok(h16)) = (w16, h16) else {
                return Err(MediaError::Internal(format!(
                    "{w}×{h} is too big for a JPEG"
                )));
            };
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
            // Full-resolution chroma: jpeg-encoder's 4:2:0 shifts saturated reds next to dark
            // areas by up to 40 levels (enamel on metal, exactly what badges are); 4:4:4 costs
            // about 7 % more time and 15 % more bytes.
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
            encoder
                .encode(rgb.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| MediaError::Internal(format!("JPEG encoder: {e}")))?;
            Ok(out)
        }
        OutFormat::WebP => {
            let encoder = match image {
                DynamicImage::ImageRgba8(rgba) => webp::Encoder::from_rgba(rgba.as_raw(), w, h),
                DynamicImage::ImageRgb8(rgb) => webp::Encoder::from_rgb(rgb.as_raw(), w, h),
                _ => return Err(MediaError::Internal("unexpected pixel layout".into())),
            };
            let memory = encoder
                .encode_simple(false, WEBP_QUALITY)
                .map_err(|e| MediaError::Internal(format!("WebP encoder: {e:?}")))?;
            Ok(memory.to_vec())
        }
    }
}

/// Composites RGBA onto a white background.
fn onto_white(rgba: &RgbaImage) -> RgbImage {
    let mut out = Vec::with_capacity(rgba.as_raw().len() / 4 * 3);
    for p in rgba.pixels() {
        let a = u32::from(p[3]);
        for &c in &p.0[..3] {
            out.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    RgbImage::from_raw(rgba.width(), rgba.height(), out).unwrap_or_default()
}

pub(crate) fn jpeg_error(e: jpeg_decoder::Error) -> MediaError {
    match e {
        jpeg_decoder::Error::Format(detail) => MediaError::Corrupt(detail),
        jpeg_decoder::Error::Unsupported(feature) => {
            MediaError::unsupported(format!("this kind of JPEG is not supported ({feature:?})"))
        }
        jpeg_decoder::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Truncated("the JPEG ends early".into())
        }
        jpeg_decoder::Error::Io(io) => MediaError::Corrupt(io.to_string()),
        jpeg_decoder::Error::Internal(e) => MediaError::Corrupt(e.to_string()),
    }
}

pub(crate) fn image_error(e: image::ImageError, limit_hint: u64) -> MediaError {
    use image::ImageError as E;
    match e {
        E::Limits(_) => MediaError::TooMuchMemory { limit: limit_hint },
        E::Unsupported(u) => {
            MediaError::unsupported(format!("this kind of image is not supported: {u}"))
        }
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Truncated("the file ends early".into())
        }
        E::Decoding(d) => {
            let text = d.to_string();
            if text.to_ascii_lowercase().contains("eof") || text.contains("end of") {
                MediaError::Truncated(text)
            } else {
                MediaError::Corrupt(text)
            }
        }
        other => MediaError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/images")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Mean absolute difference per sample, 0–255.
    fn difference(a: &DynamicImage, b: &DynamicImage) -> f64 {
        let (a, b) = (a.to_rgb8(), b.to_rgb8());
        assert_eq!(a.dimensions(), b.dimensions());
        let total: u64 = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(&x, &y)| u64::from(x.abs_diff(y)))
            .sum();
        total as f64 / a.as_raw().len() as f64
    }

    fn encoded(pixels: &[u8], w: u16, h: u16, color: jpeg_encoder::ColorType) -> Vec<u8> {
        encoded_with(pixels, w, h, color, |_| {})
    }

    fn encoded_with(
        pixels: &[u8],
        w: u16,
        h: u16,
        color: jpeg_encoder::ColorType,
        setup: impl FnOnce(&mut jpeg_encoder::Encoder<&mut Vec<u8>>),
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
        setup(&mut encoder);
        encoder.encode(pixels, w, h, color).unwrap();
        out
    }

    #[test]
    fn the_tolerant_decoder_reads_intact_jpegs_as_the_fast_path_does() {
        let (w, h) = (96u16, 64u16);
        let n = usize::from(w) * usize::from(h);
        let cmyk: Vec<u8> = (0..n * 4).map(|i| ((i * 7) % 256) as u8).collect();
        let grey: Vec<u8> = (0..n).map(|i| ((i % 96) * 2 + i / 96) as u8).collect();
        // Saturated colours tagged Adobe RGB: the ICC conversion must happen on both paths.
        let saturated = RgbImage::from_fn(u32::from(w), u32::from(h), |x, y| {
            image::Rgb([
                (x * 8) as u8,
                255 - (y * 4) as u8,
                if x < 48 { 0 } else { 255 },
            ])
        });
        let adobe_icc = ColorProfile::new_adobe_rgb().encode().unwrap();
        let adobe = encoded_with(
            saturated.as_raw(),
            w,
            h,
            jpeg_encoder::ColorType::Rgb,
            |e| e.add_icc_profile(&adobe_icc).unwrap(),
        );
        let rgb = testdata("formats/pil_sample_rgb.jpg");
        let files = [
            ("hopper", testdata("formats/hopper.jpg")),
            ("rgb with sRGB profile", rgb.clone()),
            ("adobe rgb", adobe.clone()),
            ("cmyk", testdata("formats/pil_sample_cmyk.jpg")),
            ("progressive", testdata("formats/progressive_cat.jpg")),
            (
                "exif orientation 6",
                testdata("orientation/Landscape_6.jpg"),
            ),
            ("grey", encoded(&grey, w, h, jpeg_encoder::ColorType::Luma)),
            (
                "adobe cmyk",
                encoded(&cmyk, w, h, jpeg_encoder::ColorType::Cmyk),
            ),
            (
                "ycck",
                encoded(&cmyk, w, h, jpeg_encoder::ColorType::CmykAsYcck),
            ),
        ];
        let limits = Limits::default();
        for (name, bytes) in &files {
            let fast = decode_jpeg_scaled(bytes, u32::MAX, &limits).unwrap();
            let tolerant = decode_jpeg_zune(bytes, &limits).unwrap();
            assert_eq!(tolerant.orientation, fast.orientation, "{name}");
            assert_eq!(tolerant.image.color(), fast.image.color(), "{name}");
            let d = difference(&fast.image, &tolerant.image);
            eprintln!("{name}: {d:.2}");
            assert!(
                d < 1.5,
                "{name}: the two decoders differ by {d:.2} a sample"
            );
        }
        // The comparison can tell: unconverted, the Adobe RGB picture is far off.
        let fast = decode_jpeg_scaled(&adobe, u32::MAX, &limits).unwrap();
        let untagged = difference(&fast.image, &DynamicImage::ImageRgb8(saturated));
        assert!(
            untagged > 8.0,
            "Adobe RGB was not converted ({untagged:.2})"
        );
        let exif = decode_jpeg_zune(&testdata("orientation/Landscape_6.jpg"), &limits).unwrap();
        assert_eq!(exif.orientation, Some(6));
    }

    #[test]
    fn the_tolerant_decoder_keeps_to_the_limits_before_decoding() {
        let bytes = testdata("orientation/Landscape_1.jpg");
        let few_pixels = Limits {
            max_pixels: 1_000_000,
            ..Limits::default()
        };
        let err = decode_jpeg_zune(&bytes, &few_pixels).err().unwrap();
        assert!(
            matches!(
                err,
                MediaError::TooManyPixels {
                    width: 1800,
                    height: 1200,
                    ..
                }
            ),
            "{err:?}"
        );
        let little_memory = Limits {
            max_decode_bytes: 1800 * 1200 * 3 - 1,
            ..Limits::default()
        };
        let err = decode_jpeg_zune(&bytes, &little_memory).err().unwrap();
        assert!(matches!(err, MediaError::TooMuchMemory { .. }), "{err:?}");
        let enough = Limits {
            max_decode_bytes: 1800 * 1200 * 3,
            ..Limits::default()
        };
        assert!(decode_jpeg_zune(&bytes, &enough).is_ok());
    }

    #[test]
    fn a_refused_fallback_keeps_the_fast_paths_error() {
        // Not a JPEG scan at all past its header: both decoders give up, and the reason given
        // is the fast path's.
        let mut bytes = testdata("formats/hopper.jpg");
        let sos = bytes.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        bytes.truncate(sos);
        bytes.extend_from_slice(&[0xFF, 0xD9]);
        let fast = decode_jpeg_scaled(&bytes, 400, &Limits::default())
            .err()
            .unwrap()
            .to_string();
        let err = decode_jpeg(&bytes, 400, &Limits::default())
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, fast);
    }
}
