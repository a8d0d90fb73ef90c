//! The bounds every upload is held to before and while it is decoded.

use std::time::Duration;

/// Bounds on what an upload may cost. [`Limits::default`] is what the issue asks for: 50 MB
/// files, 100 megapixels, 512 MiB of decoded pixels, 30 s per photo, and as many photos at once
/// as there are cores (at most 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest upload accepted, in bytes.
    pub max_bytes: u64,
    /// The most pixels (width × height, from the header) a photo may have.
    pub max_pixels: u64,
    /// The most memory one decoded picture may take (width × height × bytes per pixel, three
    /// times that for a progressive JPEG, whose coefficients are kept). Checked from the header
    /// before decoding and enforced by the decoders. Making derivatives of a picture at this
    /// limit takes up to about twice as much (the decoded picture and a converted copy), so the
    /// worst case for the process is about `2 × max_decode_bytes × concurrency`.
    pub max_decode_bytes: u64,
    /// How long making one photo's derivatives may take before it is given up.
    pub decode_timeout: Duration,
    /// How many photos are decoded at the same time, at most.
    pub concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            max_bytes: 50_000_000,
            max_pixels: 100_000_000,
            max_decode_bytes: 512 * 1024 * 1024,
            decode_timeout: Duration::from_secs(30),
            concurrency: cores.clamp(1, 4),
        }
    }
}
