//! Dates and periods as collectors write them.
//!
//! Numeric dates are read **day first** whatever the separator (`6.4.1930`, `06.04.1930`,
//! `6/4/1930`, `6-4-1930` are all 6 April 1930), as in Russia and most of Europe; a date is
//! never read month first by guess. Year-first dates are ISO (`1930-04-06`, `1930/04/06`).
//! Two-digit years are refused rather than given a century.

use vitrina_catalogue::{PartialDate, Period};

use super::{ValueError, quoted};

/// Reads a date at the precision it was written with:
///
/// | written | read as |
/// | --- | --- |
/// | `1938`, `1938 г.`, `1938 год` | 1938 |
/// | `1930-04-06`, `6.4.1930`, `06.04.1930`, `6/4/1930` | 6 April 1930 (numeric dates are day first) |
/// | `04.1930`, `4/1930`, `1930-04`, `April 1930`, `Apr. 1930`, `апрель 1930 г.` | April 1930 |
/// | `6 April 1930`, `April 6, 1930`, `6 апреля 1930` | 6 April 1930 |
/// | `1930s`, `the 1930s`, `1930-е`, `1930-х гг.`, `193X` | the 1930s |
/// | `c. 1935`, `ca. 1935`, `circa 1935`, `около 1935`, `~1935`, `1935?`, `1935~` | 1935, approximate |
pub fn date(s: &str) -> Result<PartialDate, ValueError> {
    let text = clean(s);
    let (text, approximate) = strip_approximate(&text);
    let text = strip_year_word(text);
    let date = decade(text)
        .or_else(|| numeric(text))
        .or_else(|| in_words(text))
        .ok_or_else(|| {
            ValueError::new(format!(
                "{} is not a date: write 1938, 1930-04-06, 6.4.1930 (day first), April 1930, \
                 6 апреля 1930, c. 1935 or 1930s",
                quoted(s)
            ))
        })?;
    let date = PartialDate {
        approximate: date.approximate || approximate,
        ..date
    };
    date.check()
        .map_err(|e| ValueError::new(format!("{}: {e}", quoted(s))))?;
    Ok(date)
}

/// Reads a period of award or issue: `1922–1932` with any dash (`-`, `–`, `—`, `‒`, `−`) or a
/// slash, `1922–1932 гг.`, `с 1922 по 1932`, `from 1922 to 1932`; an open end as `1922–`,
/// `since 1922`, `с 1922 г.`, `1922/..`; each end any [`date`] (`1930s–1940s`, `c. 1922–1932`).
/// A single date is a period that starts and ends with it.
pub fn period(s: &str) -> Result<Period, ValueError> {
    let text = clean(s);
    let bad = || {
        ValueError::new(format!(
            "{} is not a period: write 1922–1932, 1922– (still awarded), since 1922 or 1930s",
            quoted(s)
        ))
    };
    let p = read_period(&text).ok_or_else(bad)??;
    if !p.is_ordered() {
        return Err(ValueError::new(format!(
            "{}: the period ends before it starts",
            quoted(s)
        )));
    }
    Ok(p)
}

type Attempt = Option<Result<Period, ValueError>>;

fn read_period(text: &str) -> Attempt {
    if text.is_empty() {
        return None;
    }
    let one = |d: &str| date(d).ok();
    // "since 1922", "с 1922 по 1932", "from 1922 to 1932".
    for prefix in ["since ", "from ", "с ", "со "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            for sep in [" to ", " until ", " till ", " по ", " до "] {
                if let Some((a, b)) = rest.split_once(sep) {
                    return Some(both(a, b));
                }
            }
            return Some(date(rest).map(|from| Period { from, to: None }));
        }
    }
    // An open end: "1922–", "1922/..", "1922 – present", "1922 – по н.в.".
    for end in [
        "..",
        "present",
        "now",
        "today",
        "н.в.",
        "н. в.",
        "настоящее время",
        "наст. время",
    ] {
        if let Some(rest) = text.strip_suffix(end) {
            let rest = rest.trim_end();
            let rest = rest.strip_suffix("по").unwrap_or(rest).trim_end();
            if let Some(from) = rest
                .strip_suffix(is_dash)
                .or_else(|| rest.strip_suffix('/'))
            {
                return Some(date(from).map(|from| Period { from, to: None }));
            }
        }
    }
    for sep in [" to ", " until ", " по ", " до "] {
        if let Some((a, b)) = text.split_once(sep) {
            return Some(both(a, b));
        }
    }
    if let Some(from) = text.strip_suffix(is_dash) {
        return Some(date(from).map(|from| Period { from, to: None }));
    }
    if let Some(d) = one(text) {
        return Some(Ok(Period {
            from: d,
            to: Some(d),
        }));
    }
    // Split at a dash or slash with both sides dates. A hyphen also joins the parts of ISO
    // dates, so at a hyphen both sides must be year-first or in words (never day-first
    // numbers), and the split must be the only one that works.
    let spaced: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| {
            (is_dash(c) || c == '/')
                && text[..i].ends_with(' ')
                && text[i + c.len_utf8()..].starts_with(' ')
        })
        .map(|(i, _)| i)
        .collect();
    let long: Vec<usize> = text
        .char_indices()
        .filter(|&(_, c)| is_dash(c) && c != '-')
        .map(|(i, _)| i)
        .collect();
    let slashes: Vec<usize> = text.match_indices('/').map(|(i, _)| i).collect();
    let hyphens: Vec<usize> = text.match_indices('-').map(|(i, _)| i).collect();
    for (positions, strict) in [
        (spaced, false),
        (long, false),
        (slashes, false),
        (hyphens, true),
    ] {
        let mut found = Vec::new();
        for i in positions {
            let sep_len = text[i..].chars().next().map_or(1, char::len_utf8);
            let (a, b) = (text[..i].trim(), text[i + sep_len..].trim());
            if strict && (day_first(a) || day_first(b)) {
                continue;
            }
            if let (Some(from), Some(to)) = (one(a), one(b)) {
                found.push(Period { from, to: Some(to) });
            }
        }
        match found.as_slice() {
            [p] => return Some(Ok(*p)),
            [] => {}
            _ => {
                return Some(Err(ValueError::new(format!(
                    "“{text}” can be read in more than one way: put – between the two dates"
                ))));
            }
        }
    }
    None
}

fn both(a: &str, b: &str) -> Result<Period, ValueError> {
    Ok(Period {
        from: date(a)?,
        to: Some(date(b)?),
    })
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‒' | '−' | '―')
}

/// A numeric date written day or month first (`6-4-1930`, `04-1930`).
fn day_first(s: &str) -> bool {
    let first = s.split(['-', '.', '/']).next().unwrap_or("");
    !first.is_empty() && first.len() < 4 && first.bytes().all(|b| b.is_ascii_digit())
}

/// Lower case, every kind of space as one space, trimmed.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

fn strip_approximate(s: &str) -> (&str, bool) {
    let mut s = s.trim();
    let mut approximate = false;
    loop {
        let before = s;
        for prefix in [
            "circa",
            "ca.",
            "ca ",
            "c.",
            "c ",
            "approx.",
            "approx",
            "about",
            "around",
            "около",
            "ок.",
            "ок ",
            "примерно",
            "приблизительно",
            "~",
            "≈",
        ] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start();
                approximate = true;
            }
        }
        for suffix in [
            "(?)",
            "?",
            "~",
            "(approx.)",
            "approx.",
            "approx",
            "(ca.)",
            "ca.",
        ] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.trim_end();
                approximate = true;
            }
        }
        if s == before {
            return (s, approximate);
        }
    }
}

fn strip_year_word(s: &str) -> &str {
    let mut s = s.trim();
    for word in [
        "годов",
        "годах",
        "годы",
        "года",
        "год",
        "гг.",
        "гг",
        "г.",
        "г",
        "yrs",
        "yr.",
        "yr",
    ] {
        if let Some(rest) = s.strip_suffix(word) {
            s = rest.trim_end();
            break;
        }
    }
    s.trim_end_matches(['.', ',']).trim_end()
}

fn year4(s: &str) -> Option<i32> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn small(s: &str) -> Option<u8> {
    if (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// `1930s`, `the 1930s`, `1930's`, `1930-е`, `1930-х`, `1930-ые`, `193x`.
fn decade(s: &str) -> Option<PartialDate> {
    let s = s.strip_prefix("the ").unwrap_or(s);
    if let Some(prefix) = s.strip_suffix('x')
        && prefix.len() == 3
        && prefix.bytes().all(|b| b.is_ascii_digit())
    {
        let y: i32 = prefix.parse().ok()?;
        return Some(PartialDate::decade_of(y * 10));
    }
    let digits = [
        "'s", "’s", "s", "-ые", "-ых", "-е", "-х", "ые", "ых", "е", "х",
    ]
    .iter()
    .find_map(|suffix| s.strip_suffix(suffix))?;
    let y = year4(digits.trim_end())?;
    // "1935-е" is not a decade; say so through check() rather than read it as one.
    Some(PartialDate {
        decade: true,
        ..PartialDate::year(y)
    })
}

/// Numbers with `-`, `.` or `/` between them: ISO year first, else day first.
fn numeric(s: &str) -> Option<PartialDate> {
    let parts: Vec<&str> = s.split(['-', '.', '/']).map(str::trim).collect();
    let date = |y: i32, m: Option<u8>, d: Option<u8>| {
        let mut date = PartialDate::year(y);
        date.month = m;
        date.day = d;
        date
    };
    match parts.as_slice() {
        [y] => year4(y).map(PartialDate::year),
        [y, m] if year4(y).is_some() => Some(date(year4(y)?, Some(small(m)?), None)),
        [y, m, d] if year4(y).is_some() => Some(date(year4(y)?, Some(small(m)?), Some(small(d)?))),
        [m, y] => Some(date(year4(y)?, Some(small(m)?), None)),
        [d, m, y] => Some(date(year4(y)?, Some(small(m)?), Some(small(d)?))),
        _ => None,
    }
}

const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
    ("январь", 1),
    ("января", 1),
    ("янв", 1),
    ("февраль", 2),
    ("февраля", 2),
    ("февр", 2),
    ("фев", 2),
    ("март", 3),
    ("марта", 3),
    ("мар", 3),
    ("апрель", 4),
    ("апреля", 4),
    ("апр", 4),
    ("май", 5),
    ("мая", 5),
    ("июнь", 6),
    ("июня", 6),
    ("июн", 6),
    ("июль", 7),
    ("июля", 7),
    ("июл", 7),
    ("август", 8),
    ("августа", 8),
    ("авг", 8),
    ("сентябрь", 9),
    ("сентября", 9),
    ("сент", 9),
    ("сен", 9),
    ("октябрь", 10),
    ("октября", 10),
    ("окт", 10),
    ("ноябрь", 11),
    ("ноября", 11),
    ("нояб", 11),
    ("ноя", 11),
    ("декабрь", 12),
    ("декабря", 12),
    ("дек", 12),
];

fn month(word: &str) -> Option<u8> {
    MONTHS.iter().find(|(w, _)| *w == word).map(|(_, m)| *m)
}

/// A day as a number, possibly with an ordinal ending: `6`, `6th`, `1st`, `6-го`.
fn day(word: &str) -> Option<u8> {
    let digits = ["st", "nd", "rd", "th", "-го", "-е"]
        .iter()
        .find_map(|e| word.strip_suffix(e))
        .unwrap_or(word);
    small(digits)
}

/// `April 1930`, `6 April 1930`, `April 6, 1930`, `6 апреля 1930`.
fn in_words(s: &str) -> Option<PartialDate> {
    let words: Vec<&str> = s
        .split([' ', ','])
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let (y, m, d) = match words.as_slice() {
        [m, y] => (year4(y)?, month(m)?, None),
        [d, m, y] if month(m).is_some() => (year4(y)?, month(m)?, Some(day(d)?)),
        [m, d, y] => (year4(y)?, month(m)?, Some(day(d)?)),
        _ => return None,
    };
    let mut date = PartialDate::year(y);
    date.month = Some(m);
    date.day = d;
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn d(s: &str) -> String {
        match date(s) {
            Ok(d) => d.to_string(),
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    #[track_caller]
    fn p(s: &str) -> String {
        match period(s) {
            Ok(p) => match p.to {
                Some(to) => format!("{}/{}", p.from, to),
                None => format!("{}/..", p.from),
            },
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    #[test]
    fn years_months_and_days_keep_their_precision() {
        assert_eq!(d("1938"), "1938");
        assert_eq!(d(" 1938 г. "), "1938");
        assert_eq!(d("1938г."), "1938");
        assert_eq!(d("1938 год"), "1938");
        assert_eq!(d("1930-04-06"), "1930-04-06");
        assert_eq!(d("1930-04"), "1930-04");
        assert_eq!(d("1930/04/06"), "1930-04-06");
    }

    #[test]
    fn numeric_dates_are_day_first_never_month_first() {
        assert_eq!(d("6.4.1930"), "1930-04-06");
        assert_eq!(d("06.04.1930"), "1930-04-06");
        assert_eq!(d("6/4/1930"), "1930-04-06");
        assert_eq!(d("6-4-1930"), "1930-04-06");
        assert_eq!(d("06.04.1930 г."), "1930-04-06");
        assert_eq!(d("04.1930"), "1930-04");
        assert_eq!(d("4/1930"), "1930-04");
        // 4 June, not 6 April: and "12/25/1930" (month first) has no 25th month.
        assert_eq!(d("4/6/1930"), "1930-06-04");
        assert!(date("12/25/1930").is_err());
        assert!(date("31.02.1930").is_err());
        assert!(
            date("6.4.30").is_err(),
            "a two-digit year gets no guessed century"
        );
    }

    #[test]
    fn months_in_english_and_russian() {
        assert_eq!(d("April 1930"), "1930-04");
        assert_eq!(d("Apr. 1930"), "1930-04");
        assert_eq!(d("april 6, 1930"), "1930-04-06");
        assert_eq!(d("6 April 1930"), "1930-04-06");
        assert_eq!(d("6th April 1930"), "1930-04-06");
        assert_eq!(d("6 апреля 1930"), "1930-04-06");
        assert_eq!(d("6 апреля 1930 г."), "1930-04-06");
        assert_eq!(d("апрель 1930 г."), "1930-04");
        assert_eq!(d("Май 1945"), "1945-05");
        assert_eq!(d("9 мая 1945 года"), "1945-05-09");
        assert_eq!(d("сент. 1939"), "1939-09");
        assert_eq!(d("1 Dec 1922"), "1922-12-01");
        assert!(date("Smarch 1930").is_err());
        assert!(date("31 апреля 1930").is_err());
    }

    #[test]
    fn approximate_dates() {
        for s in [
            "c. 1935",
            "c.1935",
            "ca. 1935",
            "ca 1935",
            "circa 1935",
            "около 1935",
            "около 1935 г.",
            "ок. 1935",
            "~1935",
            "≈ 1935",
            "1935?",
            "1935 (?)",
            "1935~",
            "approx. 1935",
            "примерно 1935",
        ] {
            assert_eq!(d(s), "1935~", "{s}");
        }
        assert_eq!(d("c. April 1930"), "1930-04~");
        assert_eq!(d("около 1930-х гг."), "193X~");
    }

    #[test]
    fn decades() {
        for s in [
            "1930s",
            "the 1930s",
            "1930's",
            "1930-е",
            "1930-х гг.",
            "1930-е годы",
            "193X",
            "193x",
            "1930е",
        ] {
            assert_eq!(d(s), "193X", "{s}");
        }
        assert!(
            date("1935s").is_err(),
            "a decade starts at a year ending in 0"
        );
        assert!(date("30s").is_err());
    }

    #[test]
    fn nonsense_is_refused_with_the_value_and_the_accepted_forms() {
        let e = date("next Tuesday").unwrap_err().to_string();
        assert!(
            e.contains("“next Tuesday”") && e.contains("day first"),
            "{e}"
        );
        let e = date("1599").unwrap_err().to_string();
        assert!(e.contains("between 1700 and 2100"), "{e}");
        for bad in [
            "", " ", "-", "19388", "1938-13", "0.0.0", "..", "c.", "~", "?", "г.",
        ] {
            assert!(date(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn periods_with_any_dash() {
        for s in [
            "1922–1932",
            "1922-1932",
            "1922—1932",
            "1922‒1932",
            "1922−1932",
            "1922 - 1932",
            "1922/1932",
            "1922–1932 гг.",
            "с 1922 по 1932",
            "from 1922 to 1932",
            "1922 to 1932",
        ] {
            assert_eq!(p(s), "1922/1932", "{s}");
        }
        assert_eq!(p("1930-04-06–1932"), "1930-04-06/1932");
        assert_eq!(p("1930-04-06-1932"), "1930-04-06/1932");
        assert_eq!(p("1930-04-1932-05"), "1930-04/1932-05");
        assert_eq!(p("6.4.1930 - 1.5.1932"), "1930-04-06/1932-05-01");
        assert_eq!(p("1930s–1940s"), "193X/194X");
        assert_eq!(p("1930-е – 1940-е гг."), "193X/194X");
        assert_eq!(p("c. 1922–1932"), "1922~/1932");
    }

    #[test]
    fn open_periods_and_single_dates() {
        for s in [
            "1922–",
            "1922-",
            "since 1922",
            "from 1922",
            "с 1922 г.",
            "1922/..",
            "1922 – present",
            "1922 – по н.в.",
        ] {
            assert_eq!(p(s), "1922/..", "{s}");
        }
        assert_eq!(p("1941"), "1941/1941");
        assert_eq!(p("1930s"), "193X/193X");
    }

    #[test]
    fn periods_that_end_before_they_start_or_make_no_sense_are_refused() {
        assert!(
            period("1932–1922")
                .unwrap_err()
                .to_string()
                .contains("ends before")
        );
        for bad in [
            "",
            "–",
            "–1932",
            "1922–abc",
            "a-b",
            "1922–1932–1942",
            "/",
            "since",
        ] {
            assert!(period(bad).is_err(), "{bad:?}");
        }
    }
}
