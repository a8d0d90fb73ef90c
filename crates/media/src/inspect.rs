//! Telling what an upload is from its bytes, and how big it claims to be, without decoding it.
//!
//! The file name and the declared content type are never consulted: the first bytes decide the
//! format, and the header decides the size. Anything over [`Limits`] is refused here, before a
//! single pixel is decoded, so a 300 KB file that claims 2.5 gigapixels costs nothing.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use image::{ImageDecoder, ImageFormat, ImageReader};

use crate::{Limits, MediaError};

/// The formats accepted as photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    WebP,
    Tiff,
}

impl Format {
    /// The usual MIME type, for serving originals to their owner.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::WebP => "image/webp",
            Self::Tiff => "image/tiff",
        }
    }

    pub(crate) fn image_format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Gif => ImageFormat::Gif,
            Self::WebP => ImageFormat::WebP,
            Self::Tiff => ImageFormat::Tiff,
        }
    }
}

/// What the header of an upload says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspection {
    pub format: Format,
    /// Width as stored, before the EXIF orientation is applied.
    pub width: u32,
    /// Height as stored, before the EXIF orientation is applied.
    pub height: u32,
    /// The EXIF orientation (1–8) when the file carries one.
    pub orientation: Option<u8>,
}

impl Inspection {
    /// Width and height once the orientation is applied (orientations 5–8 swap them).
    pub fn upright_size(&self) -> (u32, u32) {
        match self.orientation {
            Some(5..=8) => (self.height, self.width),
            _ => (self.width, self.height),
        }
    }
}

/// Tells the format from the bytes and reads the size from the header; refuses empty, oversized,
/// unsupported, cut-short and over-limit files. Decodes nothing.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<Inspection, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    let len = bytes.len() as u64;
    if len > limits.max_bytes {
        return Err(MediaError::TooLarge {
            bytes: len,
            limit: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    let mut header = match format {
        Format::Jpeg => jpeg_header(Cursor::new(bytes))?,
        // Read by hand: image's PNG decoder reads on to the first image data before it tells the
        // size, and a header-only flood should be refused for its size, not its missing data.
        Format::Png => png_header(bytes)?,
        _ => image_header(Cursor::new(bytes), format, limits)?,
    };
    check_header(&header, limits)?;
    check_complete(bytes, format)?;
    if format == Format::Png {
        header.orientation = image_header(Cursor::new(bytes), format, limits)?.orientation;
    }
    Ok(Inspection {
        format,
        width: header.width,
        height: header.height,
        orientation: header.orientation,
    })
}

/// How much of a file's head [`inspect_file`] holds in memory to tell its format.
const HEAD: u64 = 4096;

/// [`inspect`] for a file (a streamed upload), reading only its head, its header and (for
/// JPEG) one pass in small chunks to find its end marker: memory stays small whatever the size.
pub fn inspect_file(path: &Path, limits: &Limits) -> Result<Inspection, MediaError> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len == 0 {
        return Err(MediaError::Empty);
    }
    if len > limits.max_bytes {
        return Err(MediaError::TooLarge {
            bytes: len,
            limit: limits.max_bytes,
        });
    }
    let mut head = Vec::with_capacity(HEAD as usize);
    (&mut file).take(HEAD).read_to_end(&mut head)?;
    let format = sniff(&head)?;
    let reader = || -> Result<BufReader<File>, MediaError> {
        Ok(BufReader::with_capacity(64 * 1024, File::open(path)?))
    };
    let mut header = match format {
        Format::Jpeg => jpeg_header(reader()?)?,
        Format::Png => png_header(&head)?,
        _ => image_header(reader()?, format, limits)?,
    };
    check_header(&header, limits)?;
    check_complete_file(&mut file, len, &head, format)?;
    if format == Format::Png {
        header.orientation = image_header(reader()?, format, limits)?.orientation;
    }
    Ok(Inspection {
        format,
        width: header.width,
        height: header.height,
        orientation: header.orientation,
    })
}

/// The size and memory limits, from the header alone.
fn check_header(header: &Header, limits: &Limits) -> Result<(), MediaError> {
    if header.width == 0 || header.height == 0 {
        return Err(MediaError::Corrupt(
            "the header gives the picture no width or height".into(),
        ));
    }
    let pixels = u64::from(header.width) * u64::from(header.height);
    if pixels > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            width: header.width,
            height: header.height,
            limit: limits.max_pixels,
        });
    }
    let needed = pixels * header.bytes_per_pixel;
    if needed > limits.max_decode_bytes {
        return Err(MediaError::TooMuchMemory {
            limit: limits.max_decode_bytes,
        });
    }
    Ok(())
}

/// [`check_complete`] over a file, a chunk at a time.
fn check_complete_file(
    file: &mut File,
    len: u64,
    head: &[u8],
    format: Format,
) -> Result<(), MediaError> {
    let cut = |what: &str| Err(MediaError::Truncated(what.to_owned()));
    match format {
        Format::Jpeg => {
            // The same rule as in memory: an end marker after the last start-of-scan.
            file.seek(SeekFrom::Start(0))?;
            let mut chunk = vec![0u8; 64 * 1024];
            let (mut prev, mut scan, mut ended) = (0u8, false, false);
            loop {
                let n = file.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                for &b in &chunk[..n] {
                    if prev == 0xFF {
                        if b == 0xDA {
                            scan = true;
                            ended = false;
                        } else if b == 0xD9 && scan {
                            ended = true;
                        }
                    }
                    prev = b;
                }
            }
            match (scan, ended) {
                (true, true) => Ok(()),
                (true, false) => cut("the JPEG stops before its end marker"),
                _ => cut("the JPEG has no image data"),
            }
        }
        Format::Png => {
            let from = len.saturating_sub(HEAD);
            file.seek(SeekFrom::Start(from))?;
            let mut tail = Vec::with_capacity(HEAD as usize);
            file.read_to_end(&mut tail)?;
            if find_last(&tail, b"IEND").is_some() {
                Ok(())
            } else {
                cut("the PNG stops before its end chunk")
            }
        }
        Format::WebP => {
            let declared = head
                .get(4..8)
                .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
            match declared {
                Some(size) if u64::from(size) + 8 <= len => Ok(()),
                _ => cut("the WebP file is shorter than its header says"),
            }
        }
        Format::Gif | Format::Tiff => Ok(()),
    }
}

/// The format from the first bytes, or the reason it is refused.
fn sniff(bytes: &[u8]) -> Result<Format, MediaError> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Ok(Format::WebP);
    }
    if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        return Ok(Format::Tiff);
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        let brand = bytes.get(8..12).unwrap_or_default();
        return Err(match brand {
            b"avif" | b"avis" => MediaError::unsupported(
                "AVIF photos are not supported yet: export them as JPEG or PNG",
            ),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                MediaError::unsupported(
                    "HEIC photos are not supported yet: export them as JPEG \
                     (on an iPhone: Settings → Camera → Formats → Most Compatible)",
                )
            }
            _ => MediaError::unsupported("this is a video or another media file, not a photo"),
        });
    }
    let named = |name: &str| {
        MediaError::unsupported(format!(
            "{name} files are not accepted as photos: use JPEG, PNG, WebP, TIFF or GIF"
        ))
    };
    if starts(b"BM") && bytes.len() > 14 {
        return Err(named("BMP"));
    }
    if starts(b"8BPS") {
        return Err(named("Photoshop"));
    }
    if starts(b"%PDF") {
        return Err(named("PDF"));
    }
    if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0CJXL ") {
        return Err(named("JPEG XL"));
    }
    if looks_like_svg(bytes) {
        return Err(MediaError::unsupported(
            "SVG files are not accepted as photos: upload a JPEG or PNG",
        ));
    }
    Err(MediaError::unsupported(
        "this is not an image: use JPEG, PNG, WebP, TIFF or GIF",
    ))
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('<') && text.contains("<svg")
}

struct Header {
    width: u32,
    height: u32,
    orientation: Option<u8>,
    /// Bytes per pixel of the decoded picture, for the memory estimate.
    bytes_per_pixel: u64,
}

/// The frame header, read without touching the scan: a JPEG whose entropy-coded data is damaged
/// (a misnumbered or lost restart marker, a stray marker) is accepted here, as libjpeg would
/// decode it, and `render` decodes it through its tolerant fallback.
fn jpeg_header(source: impl Read) -> Result<Header, MediaError> {
    let mut decoder = jpeg_decoder::Decoder::new(source);
    // jpeg-decoder panics on a few impossible headers instead of returning an error.
    let info = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        decoder
            .read_info()
            .map(|()| (decoder.info(), exif_orientation(decoder.exif_data())))
    }))
    .map_err(|_| MediaError::Corrupt("the JPEG header is invalid".into()))?
    .map_err(crate::render::jpeg_error)?;
    let (Some(info), orientation) = info else {
        return Err(MediaError::Corrupt("the JPEG has no frame header".into()));
    };
    // A progressive JPEG also keeps every DCT coefficient (2 bytes a sample) until the last scan.
    let samples = info.pixel_format.pixel_bytes() as u64;
    let progressive = info.coding_process == jpeg_decoder::CodingProcess::DctProgressive;
    Ok(Header {
        width: info.width.into(),
        height: info.height.into(),
        orientation,
        bytes_per_pixel: if progressive { samples * 3 } else { samples },
    })
}

/// Size and pixel depth from the IHDR chunk, which a PNG must start with.
fn png_header(bytes: &[u8]) -> Result<Header, MediaError> {
    let ihdr = bytes.get(8..29).filter(|c| &c[4..8] == b"IHDR");
    let Some(ihdr) = ihdr else {
        return Err(if bytes.len() < 29 {
            MediaError::Truncated("the PNG stops inside its header".into())
        } else {
            MediaError::Corrupt("the PNG does not start with its header chunk".into())
        });
    };
    let be = |at: usize| u32::from_be_bytes([ihdr[at], ihdr[at + 1], ihdr[at + 2], ihdr[at + 3]]);
    let (width, height, depth, color) = (be(8), be(12), u64::from(ihdr[16]), ihdr[17]);
    let samples = match color {
        0 | 3 => 1, // grey, palette (expanded to RGB, RGBA at most: counted below)
        2 => 3,
        4 => 2,
        6 => 4,
        _ => {
            return Err(MediaError::Corrupt(format!(
                "unknown PNG colour type {color}"
            )));
        }
    };
    // What the decoder hands over: palette pictures expand to RGBA, 1-, 2- and 4-bit to bytes.
    let bytes_per_sample = depth.div_ceil(8).max(1);
    let bytes_per_pixel = if color == 3 {
        4
    } else {
        samples * bytes_per_sample
    };
    Ok(Header {
        width,
        height,
        orientation: None,
        bytes_per_pixel,
    })
}

pub(crate) fn exif_orientation(exif: Option<&[u8]>) -> Option<u8> {
    exif.and_then(image::metadata::Orientation::from_exif_chunk)
        .map(|o| o.to_exif())
}

fn image_header(
    source: impl BufRead + Seek,
    format: Format,
    limits: &Limits,
) -> Result<Header, MediaError> {
    let mut decoder = ImageReader::with_format(source, format.image_format())
        .into_decoder()
        .map_err(|e| crate::render::image_error(e, limits.max_decode_bytes))?;
    let (width, height) = decoder.dimensions();
    let orientation = decoder
        .orientation()
        .ok()
        .map(|o| o.to_exif())
        .filter(|&o| o != 1);
    Ok(Header {
        width,
        height,
        orientation,
        bytes_per_pixel: u64::from(decoder.color_type().bytes_per_pixel()),
    })
}

/// Refuses files that stop before their end marker: an interrupted upload is better refused at
/// once than discovered by the background worker.
fn check_complete(bytes: &[u8], format: Format) -> Result<(), MediaError> {
    let cut = |what: &str| Err(MediaError::Truncated(what.to_owned()));
    match format {
        // In entropy-coded data every 0xFF is followed by 0x00 or a restart marker, so an end
        // marker (FF D9) after the last start-of-scan (FF DA) can only be the real end.
        Format::Jpeg => {
            let last_scan = find_last(bytes, &[0xFF, 0xDA]);
            match last_scan {
                Some(at) if find_last(&bytes[at..], &[0xFF, 0xD9]).is_some() => Ok(()),
                Some(_) => cut("the JPEG stops before its end marker"),
                None => cut("the JPEG has no image data"),
            }
        }
        Format::Png => {
            let tail = &bytes[bytes.len().saturating_sub(4096)..];
            if find_last(tail, b"IEND").is_some() {
                Ok(())
            } else {
                cut("the PNG stops before its end chunk")
            }
        }
        Format::WebP => {
            let declared = bytes
                .get(4..8)
                .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
            match declared {
                Some(size) if u64::from(size) + 8 <= bytes.len() as u64 => Ok(()),
                _ => cut("the WebP file is shorter than its header says"),
            }
        }
        Format::Gif | Format::Tiff => Ok(()),
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(bytes: &[u8]) -> String {
        inspect(bytes, &Limits::default()).unwrap_err().to_string()
    }

    #[test]
    fn names_what_it_refuses() {
        assert_eq!(refused(b""), "the file is empty");
        assert!(refused(b"hello, this is text").contains("not an image"));
        assert!(
            refused(b"<?xml version=\"1.0\"?>\n<svg><script>alert(1)</script></svg>")
                .contains("SVG")
        );
        assert!(refused(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").contains("HEIC"));
        assert!(refused(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1").contains("AVIF"));
        assert!(refused(b"%PDF-1.7\n").contains("PDF"));
    }

    #[test]
    fn refuses_a_file_over_the_byte_limit_before_looking_at_it() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        let err = inspect(&[0xFF; 11], &limits).unwrap_err();
        assert!(
            matches!(
                err,
                MediaError::TooLarge {
                    bytes: 11,
                    limit: 10
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_file_is_inspected_as_its_bytes_are() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/images");
        let tmp = tempfile::tempdir().unwrap();
        let mut seen = 0;
        for sub in ["formats", "orientation"] {
            for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                for cut in [bytes.len(), bytes.len() / 2] {
                    let part = tmp.path().join("part");
                    std::fs::write(&part, &bytes[..cut]).unwrap();
                    let limits = Limits::default();
                    let from_bytes = inspect(&bytes[..cut], &limits).map_err(|e| e.to_string());
                    let from_file = inspect_file(&part, &limits).map_err(|e| e.to_string());
                    assert_eq!(from_file, from_bytes, "{} cut at {cut}", path.display());
                    seen += 1;
                }
            }
        }
        assert!(seen > 4);
    }

    #[test]
    fn upright_size_swaps_for_rotated_orientations() {
        let mut i = Inspection {
            format: Format::Jpeg,
            width: 30,
            height: 20,
            orientation: None,
        };
        assert_eq!(i.upright_size(), (30, 20));
        i.orientation = Some(6);
        assert_eq!(i.upright_size(), (20, 30));
        i.orientation = Some(3);
        assert_eq!(i.upright_size(), (30, 20));
    }
}
