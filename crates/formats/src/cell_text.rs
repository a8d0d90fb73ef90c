//! Spreadsheet values as text: how a number, a date or an error cell reads in a [`crate::Table`].

use calamine::ExcelDateTime;

/// `C5` for 0-based (4, 2).
pub(crate) fn reference(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

pub(crate) fn bool_text(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_owned()
}

/// Whole numbers without `.0`, others in their shortest round-trip form.
pub(crate) fn float_text(f: f64) -> String {
    if f == 0.0 {
        // Also turns -0 into 0.
        return "0".to_owned();
    }
    // Rust's `Display` for f64 is the shortest text that reads back as the same number, and
    // never adds `.0` to a whole number.
    f.to_string()
}

/// An Excel serial date-time as ISO 8601 text.
pub(crate) fn datetime_text(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if dt.is_duration() {
        return clock_text(serial * 86_400.0, true);
    }
    if (0.0..1.0).contains(&serial) {
        return clock_text(serial * 86_400.0, false);
    }
    let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
    let date = format!("{y:04}-{m:02}-{d:02}");
    match (hh, mm, ss, ms) {
        (0, 0, 0, 0) => date,
        (_, _, _, 0) => format!("{date}T{hh:02}:{mm:02}:{ss:02}"),
        _ => format!("{date}T{hh:02}:{mm:02}:{ss:02}.{ms:03}"),
    }
}

/// `HH:MM:SS` (hours past 24 for a duration), with milliseconds when there are any.
fn clock_text(seconds: f64, duration: bool) -> String {
    let millis = (seconds * 1000.0).round() as i64;
    let sign = if millis < 0 { "-" } else { "" };
    let millis = millis.abs();
    let (h, m, s, ms) = (
        millis / 3_600_000,
        millis / 60_000 % 60,
        millis / 1000 % 60,
        millis % 1000,
    );
    let h = if duration { h } else { h % 24 };
    if ms == 0 {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}.{ms:03}")
    }
}

/// ODS durations (`PT14H30M00S`) as `14:30:00`; anything else as it is.
pub(crate) fn duration_iso_text(iso: &str) -> String {
    let parse = || -> Option<String> {
        let rest = iso.strip_prefix("PT")?;
        let (h, rest) = rest.split_once('H')?;
        let (m, rest) = rest.split_once('M')?;
        let s = rest.strip_suffix('S')?;
        let (h, m): (u64, u64) = (h.parse().ok()?, m.parse().ok()?);
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let s: u64 = whole.parse().ok()?;
        let frac = frac.trim_end_matches('0');
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(if frac.is_empty() {
            format!("{h:02}:{m:02}:{s:02}")
        } else {
            format!("{h:02}:{m:02}:{s:02}.{frac}")
        })
    };
    parse().unwrap_or_else(|| iso.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers() {
        assert_eq!(float_text(1934.0), "1934");
        assert_eq!(float_text(-0.0), "0");
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(float_text(12.5), "12.5");
        assert_eq!(float_text(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(float_text(1e20), "100000000000000000000");
        assert_eq!(float_text(-3.25), "-3.25");
    }

    #[test]
    fn dates_and_times() {
        let dt = |v, duration| {
            let kind = if duration {
                ExcelDateTimeType::TimeDelta
            } else {
                ExcelDateTimeType::DateTime
            };
            datetime_text(&ExcelDateTime::new(v, kind, false))
        };
        assert_eq!(dt(12_220.0, false), "1933-06-15");
        assert_eq!(dt(45_943.5, false), "2025-10-13T12:00:00");
        assert_eq!(dt(45_943.541, false), "2025-10-13T12:59:02.400");
        assert_eq!(dt(0.75, false), "18:00:00");
        assert_eq!(dt(1.5, true), "36:00:00");
        let d1904 = ExcelDateTime::new(0.0 + 1.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(datetime_text(&d1904), "1904-01-02");
        assert_eq!(duration_iso_text("PT14H30M00S"), "14:30:00");
        assert_eq!(duration_iso_text("PT01H02M03.500S"), "01:02:03.5");
        assert_eq!(duration_iso_text("P1D"), "P1D");
    }

    #[test]
    fn references() {
        assert_eq!(reference(0, 0), "A1");
        assert_eq!(reference(4, 2), "C5");
        assert_eq!(reference(9, 25), "Z10");
        assert_eq!(reference(0, 26), "AA1");
        assert_eq!(reference(1_048_575, 16_383), "XFD1048576");
    }
}
