//! Mending the restart markers of a damaged JPEG before the tolerant decoder reads it.
//!
//! A scan with a restart interval is cut into intervals of that many MCUs, each ended by a
//! marker RST0…RST7 numbered in turn. Cameras and copies damage them: a marker misnumbered (two
//! swapped), a marker lost (two intervals run together), a stray byte pair `FF xx` that is no
//! marker a scan may hold (jpeg-decoder's "found marker RES inside scan where RST4 was
//! expected"). libjpeg copes by resynchronising at the next restart marker, using its number to
//! tell where in the picture it is (`jpeg_resync_to_restart`); jpeg-decoder gives up, and
//! zune-jpeg either ignores the numbers (so a lost marker shifts the rest of the picture by an
//! interval) or stops at the stray marker and leaves the rest grey.
//!
//! [`repair`] rewrites the scans so that a decoder reading them in turn finds every interval
//! where it belongs:
//! - entropy-coded data is cut at a stray marker (the rest of that interval is unreadable; the
//!   decoder fills it in, as libjpeg does);
//! - each interval is placed by the numbers of the markers around it: a marker whose number
//!   disagrees with its place is taken as misnumbered, as standing after lost intervals (which
//!   are left empty) or as spurious (it and the data after it up to the next marker are
//!   dropped), whichever the next few markers agree with best;
//! - the markers are then written anew, numbered in order; an empty interval gets one zero
//!   byte, for the decoder to pad from.
//!
//! Nothing is decoded here: it is a byte-level pass over a copy, bounded by the file's size.

use std::ops::Range;

/// How many of the following markers are consulted to tell a misnumbered marker from lost or
/// spurious ones.
const LOOKAHEAD: usize = 4;

/// A repaired copy of a JPEG and what was mended, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repaired {
    pub bytes: Vec<u8>,
    /// Restart markers whose number was wrong for their place.
    pub renumbered: usize,
    /// Intervals whose marker was lost, left empty for the decoder to fill.
    pub missing: usize,
    /// Spurious markers dropped, with the data after them.
    pub dropped: usize,
    /// Intervals cut short at a stray marker.
    pub cut: usize,
}

impl Repaired {
    fn changed(&self) -> bool {
        self.renumbered + self.missing + self.dropped + self.cut > 0
    }
}

/// The JPEG with its scans' restart markers mended, or `None` when there is nothing to mend
/// (no restart intervals, every marker where it belongs, no stray marker in a scan) or the file
/// is not laid out as a JPEG at all.
pub(crate) fn repair(bytes: &[u8]) -> Option<Repaired> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Repaired {
        bytes: Vec::with_capacity(bytes.len() + 64),
        renumbered: 0,
        missing: 0,
        dropped: 0,
        cut: 0,
    };
    out.bytes.extend_from_slice(&bytes[..2]);
    let mut at = 2;
    let mut interval = 0u16;
    // Between segments: fill bytes, then a marker.
    while let Some(marker_at) = bytes[at..].iter().position(|&b| b != 0xFF).map(|p| at + p) {
        if marker_at == at || marker_at >= bytes.len() {
            // Not a marker where one must be: leave the rest as it is.
            break;
        }
        let marker = bytes[marker_at];
        let start = marker_at - 1;
        match marker {
            0xD9 => break,
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => {
                out.bytes.extend_from_slice(&bytes[start..=marker_at]);
                at = marker_at + 1;
                continue;
            }
            _ => {}
        }
        let Some(len) = bytes
            .get(marker_at + 1..marker_at + 3)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            break;
        };
        let end = marker_at + 1 + len;
        if len < 2 || end > bytes.len() {
            break;
        }
        if marker == 0xDD && len >= 4 {
            interval = u16::from_be_bytes([bytes[marker_at + 3], bytes[marker_at + 4]]);
        }
        out.bytes.extend_from_slice(&bytes[start..end]);
        at = end;
        if marker == 0xDA {
            let scan_end = scan_end(bytes, at);
            if interval > 0 {
                mend_scan(bytes, at..scan_end, &mut out);
            } else {
                out.bytes.extend_from_slice(&bytes[at..scan_end]);
            }
            at = scan_end;
        }
    }
    out.bytes.extend_from_slice(&bytes[at.min(bytes.len())..]);
    out.changed().then_some(out)
}

/// What a byte after `FF` means inside entropy-coded data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InScan {
    /// `FF 00`: a stuffed data byte.
    Data,
    /// RSTn.
    Restart(u8),
    /// A marker that ends the scan: EOI, another scan, tables, application data, comments.
    End,
    /// Anything else: reserved codes, SOI, a second frame header, JPG extensions. A scan never
    /// holds these; they are damage.
    Stray,
}

fn classify(marker: u8) -> InScan {
    match marker {
        0x00 => InScan::Data,
        0xD0..=0xD7 => InScan::Restart(marker - 0xD0),
        0xC4 | 0xCC | 0xD9 | 0xDA | 0xDB | 0xDC | 0xDD | 0xE0..=0xEF | 0xFE => InScan::End,
        _ => InScan::Stray,
    }
}

/// Where the entropy-coded data starting at `from` ends: at the `FF` (or the first of the fill
/// bytes) of the first marker that ends a scan, or at the end of the file.
fn scan_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] != 0xFF {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while bytes.get(j) == Some(&0xFF) {
            j += 1;
        }
        match bytes.get(j).map(|&m| classify(m)) {
            None => return bytes.len(),
            Some(InScan::End) => return i,
            Some(_) => i = j + 1,
        }
    }
    bytes.len()
}

/// Rewrites one scan's entropy-coded data (`scan`, up to the marker that ends it) into `out`.
fn mend_scan(bytes: &[u8], scan: Range<usize>, out: &mut Repaired) {
    // The intervals as found: the data kept of each, and the number of the marker after it
    // (none after the last).
    let mut segments: Vec<Range<usize>> = Vec::new();
    let mut numbers: Vec<u8> = Vec::new();
    let mut start = scan.start;
    let mut cut_at: Option<usize> = None;
    let mut i = scan.start;
    while i < scan.end {
        if bytes[i] != 0xFF {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < scan.end && bytes[j] == 0xFF {
            j += 1;
        }
        if j >= scan.end {
            break;
        }
        match classify(bytes[j]) {
            InScan::Data => {}
            InScan::Restart(n) => {
                segments.push(start..cut_at.take().unwrap_or(i));
                numbers.push(n);
                start = j + 1;
            }
            InScan::Stray | InScan::End => {
                if cut_at.is_none() {
                    cut_at = Some(i);
                    out.cut += 1;
                }
            }
        }
        i = j + 1;
    }
    segments.push(start..cut_at.unwrap_or(scan.end));

    // Place the intervals: `slots[s]` is the segment that holds interval s, if any.
    let mut slots: Vec<Option<usize>> = vec![Some(0)];
    let mut slot = 0usize;
    let agree = |first_marker: usize, first_slot: usize| {
        (0..LOOKAHEAD)
            .filter(|&k| numbers.get(first_marker + k) == Some(&(((first_slot + k) % 8) as u8)))
            .count()
    };
    for (q, &n) in numbers.iter().enumerate() {
        let expected = (slot % 8) as u8;
        let next = q + 1;
        if n == expected {
            slot += 1;
        } else {
            // The marker ends interval `slot` but says it ends interval `slot + lost`.
            let lost = usize::from((n + 8 - expected) % 8);
            let misnumbered = agree(next, slot + 1);
            let after_lost = agree(next, slot + 1 + lost);
            let spurious = agree(next, slot);
            if misnumbered >= after_lost && misnumbered >= spurious {
                out.renumbered += 1;
                slot += 1;
            } else if after_lost >= spurious {
                out.missing += lost;
                slot += 1 + lost;
            } else {
                // Drop this marker and the data after it: the next marker ends `slot`.
                out.dropped += 1;
                continue;
            }
        }
        slots.resize(slot + 1, None);
        slots[slot] = Some(next);
    }

    for (s, segment) in slots.iter().enumerate() {
        if s > 0 {
            out.bytes
                .extend_from_slice(&[0xFF, 0xD0 + ((s - 1) % 8) as u8]);
        }
        match segment.map(|k| &segments[k]) {
            Some(data) if !data.is_empty() => out.bytes.extend_from_slice(&bytes[data.clone()]),
            // zune-jpeg cannot start an interval at a marker (it finds no bits to decode and
            // gives up on the rest of the picture); one zero byte, and the zero bits it then
            // pads with, decode as the first code of each table, as any decoder pads a short
            // interval.
            _ => out.bytes.push(0x00),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake JPEG: SOI, DRI, SOS, then `intervals` (each a few data bytes, one with a stuffed
    /// `FF 00`) ended by the given marker numbers, then EOI. Only the layout matters here.
    fn jpeg(numbers: &[u8]) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xDD, 0, 4, 0, 1];
        b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        for (i, &n) in numbers.iter().enumerate() {
            b.extend_from_slice(&interval(i));
            b.extend_from_slice(&[0xFF, 0xD0 + n]);
        }
        b.extend_from_slice(&interval(numbers.len()));
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    fn interval(i: usize) -> [u8; 4] {
        [0x10 + i as u8, 0xFF, 0x00, 0x20 + i as u8]
    }

    fn sequence(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 8) as u8).collect()
    }

    #[test]
    fn an_intact_file_needs_no_repair() {
        assert_eq!(repair(&jpeg(&sequence(20))), None);
        // No restart interval: nothing to go by.
        let mut b = jpeg(&[]);
        b[7] = 0;
        assert_eq!(repair(&b), None);
        assert_eq!(repair(b"not a jpeg"), None);
    }

    #[test]
    fn swapped_markers_are_renumbered() {
        let mut numbers = sequence(20);
        numbers.swap(3, 4);
        let repaired = repair(&jpeg(&numbers)).unwrap();
        assert_eq!(repaired.bytes, jpeg(&sequence(20)));
        assert_eq!((repaired.renumbered, repaired.missing), (2, 0));
    }

    /// What [`jpeg`] would be with sequential markers and these intervals in the slots (several
    /// run together in one slot, or none).
    fn layout(slots: &[&[usize]]) -> Vec<u8> {
        let mut b = jpeg(&[]);
        b.truncate(18);
        for (s, intervals) in slots.iter().enumerate() {
            if s > 0 {
                b.extend_from_slice(&[0xFF, 0xD0 + ((s - 1) % 8) as u8]);
            }
            for &i in *intervals {
                b.extend_from_slice(&interval(i));
            }
            if intervals.is_empty() {
                b.push(0x00);
            }
        }
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    #[test]
    fn a_lost_marker_leaves_its_interval_empty() {
        let mut numbers = sequence(20);
        numbers.remove(4);
        let repaired = repair(&jpeg(&numbers)).unwrap();
        assert_eq!((repaired.renumbered, repaired.missing), (0, 1));
        // The marker after interval 4 says RST5: the data before it stays in slot 4 (had
        // intervals 4 and 5 run together, a decoder reads 4 and skips the rest), slot 5 is
        // left empty (one zero byte), and the intervals after it keep their places.
        let mut slots: Vec<Vec<usize>> = (0..20).map(|i| vec![i]).collect();
        slots.insert(5, vec![]);
        let slots: Vec<&[usize]> = slots.iter().map(Vec::as_slice).collect();
        assert_eq!(repaired.bytes, layout(&slots));
    }

    #[test]
    fn a_spurious_marker_is_dropped_with_what_follows_it() {
        let mut numbers = sequence(20);
        numbers.insert(5, 2);
        let repaired = repair(&jpeg(&numbers)).unwrap();
        assert_eq!((repaired.renumbered, repaired.dropped), (0, 1));
        // The data after the spurious marker (interval 6 of the damaged file) is dropped.
        let kept: Vec<Vec<usize>> = (0..22).filter(|&i| i != 6).map(|i| vec![i]).collect();
        let slots: Vec<&[usize]> = kept.iter().map(Vec::as_slice).collect();
        assert_eq!(repaired.bytes, layout(&slots));
    }

    #[test]
    fn data_is_cut_at_a_stray_marker() {
        let mut b = jpeg(&sequence(10));
        // The second byte of interval 4's stuffed FF 00 becomes a reserved marker.
        let at = 18 + 4 * 6 + 2;
        assert_eq!(&b[at - 1..at + 1], [0xFF, 0x00]);
        b[at] = 0x05;
        let repaired = repair(&b).unwrap();
        assert_eq!(repaired.cut, 1);
        let mut expected = jpeg(&sequence(10));
        // Interval 4 keeps only its first byte.
        expected.drain(18 + 4 * 6 + 1..18 + 4 * 6 + 4);
        assert_eq!(repaired.bytes, expected);
    }
}
