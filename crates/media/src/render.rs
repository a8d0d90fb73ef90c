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

fn decode_jpeg(bytes: &[u8], target: u32, limits: &Limits) -> Result<Decoded, MediaError> {
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
    let short = || MediaError::Truncated("the JPEG has fewer pixels than its header says".into());
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            let mut rgb = RgbImage::from_raw(w, h, pixels).ok_or_else(short)?;
            if let Some(icc) = icc {
                rgb_to_srgb(&mut rgb, &icc);
            }
            DynamicImage::ImageRgb8(rgb)
        }
        jpeg_decoder::PixelFormat::L8 => {
            let grey = image::GrayImage::from_raw(w, h, pixels).ok_or_else(short)?;
            DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(grey).to_rgb8())
        }
        jpeg_decoder::PixelFormat::L16 => {
            let high: Vec<u8> = pixels
                .chunks_exact(2)
                .map(|p| (u16::from_ne_bytes([p[0], p[1]]) >> 8) as u8)
                .collect();
            let grey = image::GrayImage::from_raw(w, h, high).ok_or_else(short)?;
            DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(grey).to_rgb8())
        }
        jpeg_decoder::PixelFormat::CMYK32 => {
            if pixels.len() < (w as usize) * (h as usize) * 4 {
                return Err(short());
            }
            DynamicImage::ImageRgb8(cmyk_to_srgb(&pixels, w, h, icc.as_deref()))
        }
    };
    Ok(Decoded { image, orientation })
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
