//! Measurements with units and decimal commas, kept as written (`1/8` stays `1/8`).

use vitrina_catalogue::{Amount, Dimension, Measurement, Quantity, Range, SerialRange, Unit};

use super::{ValueError, quoted, words};

/// Unit spellings, as written after the number.
const UNITS: &[(&str, Unit)] = &[
    ("millimetres", Unit::Mm),
    ("millimeters", Unit::Mm),
    ("millimetre", Unit::Mm),
    ("millimeter", Unit::Mm),
    ("миллиметров", Unit::Mm),
    ("миллиметра", Unit::Mm),
    ("миллиметр", Unit::Mm),
    ("mm", Unit::Mm),
    ("мм", Unit::Mm),
    ("centimetres", Unit::Cm),
    ("centimeters", Unit::Cm),
    ("сантиметров", Unit::Cm),
    ("сантиметра", Unit::Cm),
    ("cm", Unit::Cm),
    ("см", Unit::Cm),
    ("inches", Unit::Inch),
    ("inch", Unit::Inch),
    ("in.", Unit::Inch),
    ("in", Unit::Inch),
    ("дюймов", Unit::Inch),
    ("дюйма", Unit::Inch),
    ("дюйм.", Unit::Inch),
    ("дюйм", Unit::Inch),
    ("''", Unit::Inch),
    ("\"", Unit::Inch),
    ("″", Unit::Inch),
    ("”", Unit::Inch),
    ("grammes", Unit::G),
    ("gramme", Unit::G),
    ("grams", Unit::G),
    ("gram", Unit::G),
    ("граммов", Unit::G),
    ("грамма", Unit::G),
    ("грамм", Unit::G),
    ("gr.", Unit::G),
    ("gr", Unit::G),
    ("гр.", Unit::G),
    ("гр", Unit::G),
    ("g", Unit::G),
    ("г.", Unit::G),
    ("г", Unit::G),
    ("ounces", Unit::Oz),
    ("ounce", Unit::Oz),
    ("oz.", Unit::Oz),
    ("oz", Unit::Oz),
    ("унций", Unit::Oz),
    ("унции", Unit::Oz),
    ("унц.", Unit::Oz),
    ("унц", Unit::Oz),
];

const APPROXIMATE: &[&str] = &[
    "~",
    "≈",
    "ca.",
    "c.",
    "approx.",
    "approx",
    "about",
    "около",
    "ок.",
    "примерно",
    "приблизительно",
];

/// An amount with an optional unit, as written.
struct Written {
    /// The number as written, with a decimal comma read as a point and spaces collapsed.
    text: String,
    /// Its value, exact where the number is a decimal.
    value: f64,
    unit: Option<Unit>,
    approximate: bool,
}

enum Unreadable {
    Format,
    Range,
}

/// Lower case, every run of spaces as one space, trimmed; with `point`, a comma as a point.
fn simplified(s: &str, point: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            ',' if point => out.push('.'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn lower(s: &str) -> String {
    simplified(s, false)
}

/// Strips a leading "about" (`~`, `ca.`, `около`…) or a trailing `approx.`.
fn strip_approximate(s: &str) -> (&str, bool) {
    let mut t = s.trim();
    let mut approximate = false;
    for a in APPROXIMATE {
        if let Some(rest) = t.strip_prefix(a) {
            t = rest.trim_start();
            approximate = true;
            break;
        }
    }
    for a in ["(approx.)", "approx.", "approx"] {
        if let Some(rest) = t.strip_suffix(a) {
            t = rest.trim_end();
            approximate = true;
        }
    }
    (t, approximate)
}

fn written(s: &str) -> Result<Written, Unreadable> {
    let (t, approximate) = strip_approximate(s);
    // The unit is what follows the last digit.
    let end = t.rfind(|c: char| c.is_ascii_digit()).map_or(0, |i| i + 1);
    let (number, unit) = t.split_at(end);
    let unit = match unit.trim() {
        "" => None,
        written => Some(
            UNITS
                .iter()
                .find(|(spelling, _)| *spelling == written)
                .map(|(_, u)| *u)
                .ok_or(Unreadable::Format)?,
        ),
    };
    let text = simplified(number, true);
    let value = if is_decimal(&text) {
        text.parse::<f64>().map_err(|_| Unreadable::Format)?
    } else if text
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'/' || b == b' ')
    {
        // Fractions and mixed numbers, read by the domain's own rules.
        match Amount::parse(&text) {
            Ok(a) => a.value(),
            Err(e) if e.to_string().contains("greater than zero") => {
                return Err(Unreadable::Range);
            }
            Err(_) => return Err(Unreadable::Format),
        }
    } else {
        return Err(Unreadable::Format);
    };
    if !(value > 0.0 && value < 100_000.0) {
        return Err(Unreadable::Range);
    }
    Ok(Written {
        text,
        value,
        unit,
        approximate,
    })
}

/// Digits with at most one point, neither first nor last.
fn is_decimal(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|&b| b == b'.').count() <= 1
        && !s.starts_with('.')
        && !s.ends_with('.')
}

fn not_a_measurement(s: &str) -> ValueError {
    ValueError::new(format!(
        "{} is not a measurement: write 24.5 mm, 24,5 мм, 1/8 in, 1/8\", 12 g or 12 г",
        quoted(s)
    ))
}

fn out_of_range(s: &str) -> ValueError {
    ValueError::new(format!(
        "{}: the number must be greater than zero and below 100000",
        quoted(s)
    ))
}

fn read(s: &str, whole: &str) -> Result<Written, ValueError> {
    written(s).map_err(|e| match e {
        Unreadable::Range => out_of_range(whole),
        Unreadable::Format => not_a_measurement(whole),
    })
}

fn amount(w: &Written, whole: &str) -> Result<Amount, ValueError> {
    Amount::parse(&w.text).map_err(|_| not_a_measurement(whole))
}

/// Reads one quantity: `24,5 mm`, `24.5`, `1/8 in`, `1/8"`, `1 1/2 in`, `12 g`, `12 г`,
/// `3,2 мм`, `~24 mm`, `около 3 г`. A decimal comma is read as a point; the amount is kept as
/// written otherwise (`1/8` stays `1/8`). Without a unit, `default` applies.
pub fn quantity(s: &str, default: Unit) -> Result<Quantity, ValueError> {
    let w = read(&lower(s), s)?;
    Ok(Quantity {
        value: amount(&w, s)?,
        unit: w.unit.unwrap_or(default),
        approximate: w.approximate,
    })
}

fn separators(c: char) -> bool {
    matches!(c, 'x' | 'х' | '×' | '*')
}

/// Reads dimensions written together: `37.3x41.1` (width × height), `37,3 × 41,1 мм`,
/// `24x30x2 mm` (width × height × thickness) or one value (height). A unit written once, at the
/// end, applies to all; `~` at the start makes all approximate.
pub fn dimensions(s: &str, default: Unit) -> Result<Vec<Measurement>, ValueError> {
    let t = lower(s);
    let (t, approximate) = strip_approximate(&t);
    let parts: Vec<&str> = t.split(separators).map(str::trim).collect();
    let dims: &[Dimension] = match parts.len() {
        1 => &[Dimension::Height],
        2 => &[Dimension::Width, Dimension::Height],
        3 => &[Dimension::Width, Dimension::Height, Dimension::Thickness],
        _ => return Err(not_a_measurement(s)),
    };
    let read_parts = parts
        .iter()
        .map(|p| read(p, s))
        .collect::<Result<Vec<_>, _>>()?;
    let last_unit = read_parts.last().and_then(|w| w.unit);
    let mut out = Vec::with_capacity(parts.len());
    for (w, dimension) in read_parts.iter().zip(dims) {
        let unit = w.unit.or(last_unit).unwrap_or(default);
        if !unit.is_length() {
            return Err(ValueError::new(format!(
                "{}: dimensions need mm, cm or in",
                quoted(s)
            )));
        }
        out.push(Measurement {
            dimension: *dimension,
            quantity: Quantity {
                value: amount(w, s)?,
                unit,
                approximate: w.approximate || approximate,
            },
        });
    }
    Ok(out)
}

const DIMENSIONS: &[(&str, Dimension)] = &[
    ("height", Dimension::Height),
    ("length", Dimension::Height),
    ("width", Dimension::Width),
    ("diameter", Dimension::Diameter),
    ("thickness", Dimension::Thickness),
    ("weight", Dimension::Weight),
    ("mass", Dimension::Weight),
    ("высота", Dimension::Height),
    ("длина", Dimension::Height),
    ("ширина", Dimension::Width),
    ("диаметр", Dimension::Diameter),
    ("толщина", Dimension::Thickness),
    ("вес", Dimension::Weight),
    ("масса", Dimension::Weight),
];

/// The name of a dimension in English or Russian.
pub(crate) fn dimension(word: &str) -> Option<Dimension> {
    let w = words(word);
    DIMENSIONS.iter().find(|(n, _)| *n == w).map(|(_, d)| *d)
}

/// Reads one measurement item: what was measured, then the quantity: `thickness ~1/8 in`,
/// `diameter: 24,5 mm`, `толщина 3 мм`, `вес 12 г`. Lengths default to mm, weights to g.
pub fn measurement(s: &str) -> Result<Measurement, ValueError> {
    let t = s.trim();
    let split = t
        .find(|c: char| c.is_whitespace() || c == ':' || c == '=')
        .unwrap_or(t.len());
    let (name, rest) = t.split_at(split);
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '=');
    let dimension = dimension(name).ok_or_else(|| {
        ValueError::new(format!(
            "{} does not say what was measured: start with height, width, diameter, thickness \
             or weight (высота, ширина, диаметр, толщина, вес)",
            quoted(s)
        ))
    })?;
    let default = if dimension.is_length() {
        Unit::Mm
    } else {
        Unit::G
    };
    let quantity =
        quantity(rest, default).map_err(|e| ValueError::new(format!("{}: {e}", quoted(name))))?;
    if dimension.is_length() != quantity.unit.is_length() {
        return Err(ValueError::new(format!(
            "{}: {}",
            quoted(s),
            if dimension.is_length() {
                "a length needs mm, cm or in"
            } else {
                "a weight needs g or oz"
            }
        )));
    }
    Ok(Measurement {
        dimension,
        quantity,
    })
}

/// Reads a variant's range of sizes (`length`: in mm) or weights (in g): `20–24.5`, `20-24,5
/// mm`, `22`, `~1 in` (converted: 25.4). One value is a range of one.
pub fn range(s: &str, length: bool) -> Result<Range, ValueError> {
    let t = lower(s);
    let bad = || {
        ValueError::new(format!(
            "{} is not a range: write 20–24.5 or 22{}",
            quoted(s),
            if length { " (mm)" } else { " (g)" }
        ))
    };
    let dash = |c: char| matches!(c, '-' | '–' | '—' | '‒' | '−');
    let parts: Vec<&str> = t.split(dash).map(str::trim).collect();
    let ends = match parts.as_slice() {
        [one] => [*one, *one],
        [a, b] => [*a, *b],
        _ => return Err(bad()),
    };
    let a = read(ends[0], s).map_err(|_| bad())?;
    let b = read(ends[1], s).map_err(|_| bad())?;
    let base = if length { Unit::Mm } else { Unit::G };
    let to_base = |w: &Written| -> Result<f64, ValueError> {
        let unit = w.unit.or(b.unit).unwrap_or(base);
        if unit.is_length() != length {
            return Err(ValueError::new(format!(
                "{}: {}",
                quoted(s),
                if length {
                    "a size needs mm, cm or in"
                } else {
                    "a weight needs g or oz"
                }
            )));
        }
        if unit == base {
            return Ok(w.value);
        }
        let one = Quantity {
            value: Amount::parse("1").map_err(|_| bad())?,
            unit,
            approximate: false,
        };
        Ok(w.value * one.metric())
    };
    let r = Range {
        min: to_base(&a)?,
        max: to_base(&b)?,
    };
    if !r.is_valid() {
        return Err(ValueError::new(format!(
            "{}: give a positive minimum no larger than the maximum",
            quoted(s)
        )));
    }
    Ok(r)
}

/// Reads a range of serial numbers: `1–500`, `№ 1-500`, `17` (one number).
pub fn serial_numbers(s: &str) -> Result<SerialRange, ValueError> {
    let bad = || {
        ValueError::new(format!(
            "{} is not a range of serial numbers: write 1–500 or 17",
            quoted(s)
        ))
    };
    let mut t = s.trim();
    for prefix in ["№", "nos.", "no.", "nr.", "#"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
        }
    }
    let number = |p: &str| -> Result<u32, ValueError> {
        let p = p.trim().trim_start_matches('№').trim();
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let dash = |c: char| matches!(c, '-' | '–' | '—' | '‒' | '−');
    let parts: Vec<&str> = t.split(dash).collect();
    let (from, to) = match parts.as_slice() {
        [one] => (number(one)?, number(one)?),
        [a, b] => (number(a)?, number(b)?),
        _ => return Err(bad()),
    };
    if from > to {
        return Err(ValueError::new(format!(
            "{}: the range ends before it starts",
            quoted(s)
        )));
    }
    Ok(SerialRange { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn q(s: &str, default: Unit) -> (String, Unit, bool) {
        let q = quantity(s, default).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        (q.value.as_str().to_owned(), q.unit, q.approximate)
    }

    #[test]
    fn quantities_with_units_and_decimal_commas() {
        assert_eq!(q("24,5 mm", Unit::Mm), ("24.5".into(), Unit::Mm, false));
        assert_eq!(q("24.5", Unit::Mm), ("24.5".into(), Unit::Mm, false));
        assert_eq!(q("24.5mm", Unit::Mm), ("24.5".into(), Unit::Mm, false));
        assert_eq!(q("1/8 in", Unit::Mm), ("1/8".into(), Unit::Inch, false));
        assert_eq!(q("1/8\"", Unit::Mm), ("1/8".into(), Unit::Inch, false));
        assert_eq!(q("1/8″", Unit::Mm), ("1/8".into(), Unit::Inch, false));
        assert_eq!(
            q("1 1/2 inches", Unit::Mm),
            ("1 1/2".into(), Unit::Inch, false)
        );
        assert_eq!(q("12 g", Unit::Mm), ("12".into(), Unit::G, false));
        assert_eq!(q("12 г", Unit::Mm), ("12".into(), Unit::G, false));
        assert_eq!(q("12 гр.", Unit::Mm), ("12".into(), Unit::G, false));
        assert_eq!(q("3,2 мм", Unit::G), ("3.2".into(), Unit::Mm, false));
        assert_eq!(q("2,5 см", Unit::Mm), ("2.5".into(), Unit::Cm, false));
        assert_eq!(q("0.5 oz", Unit::G), ("0.5".into(), Unit::Oz, false));
        assert_eq!(q("12", Unit::G), ("12".into(), Unit::G, false));
        assert_eq!(q("~1/8 in", Unit::Mm), ("1/8".into(), Unit::Inch, true));
        assert_eq!(q("около 3 мм", Unit::Mm), ("3".into(), Unit::Mm, true));
        assert_eq!(q("ca. 3 mm", Unit::Mm), ("3".into(), Unit::Mm, true));
        assert_eq!(q("  3.20  MM ", Unit::Mm), ("3.20".into(), Unit::Mm, false));
    }

    #[test]
    fn what_is_not_a_quantity_is_refused() {
        for bad in [
            "", "mm", "abc", "-3 mm", "0", "1/0 in", "12 kg", "3 mg", "1e3", "100000", "1..2",
            "NaN", "24,5,1", "12 g g",
        ] {
            assert!(quantity(bad, Unit::Mm).is_err(), "{bad:?}");
        }
        let e = quantity("big", Unit::Mm).unwrap_err().to_string();
        assert!(e.contains("“big”") && e.contains("1/8 in"), "{e}");
        assert!(
            quantity("0", Unit::Mm)
                .unwrap_err()
                .to_string()
                .contains("greater than zero")
        );
    }

    #[test]
    fn two_dimensions_in_one_cell() {
        let d = dimensions("37.3x41.1", Unit::Mm).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].dimension, Dimension::Width);
        assert_eq!(d[0].quantity.value.as_str(), "37.3");
        assert_eq!(d[1].dimension, Dimension::Height);
        assert_eq!(d[1].quantity.value.as_str(), "41.1");
        let d = dimensions("37,3 × 41,1 мм", Unit::Inch).unwrap();
        assert!(d.iter().all(|m| m.quantity.unit == Unit::Mm));
        let d = dimensions("1/2 х 3/4 in", Unit::Mm).unwrap();
        assert_eq!(d[0].quantity.unit, Unit::Inch);
        assert_eq!(d[0].quantity.value.as_str(), "1/2");
        let d = dimensions("~24x30x2", Unit::Mm).unwrap();
        assert_eq!(d[2].dimension, Dimension::Thickness);
        assert!(d.iter().all(|m| m.quantity.approximate));
        let d = dimensions("24", Unit::Mm).unwrap();
        assert_eq!(d[0].dimension, Dimension::Height);
        for bad in ["", "x", "37x", "37x41x2x1", "12 g x 3", "a x b"] {
            assert!(dimensions(bad, Unit::Mm).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn measurement_items_say_what_was_measured() {
        let m = measurement("thickness ~1/8 in").unwrap();
        assert_eq!(m.dimension, Dimension::Thickness);
        assert_eq!(m.quantity.value.as_str(), "1/8");
        assert!(m.quantity.approximate);
        let m = measurement("Diameter: 24,5 mm").unwrap();
        assert_eq!(
            (m.dimension, m.quantity.unit),
            (Dimension::Diameter, Unit::Mm)
        );
        let m = measurement("вес 12 г").unwrap();
        assert_eq!((m.dimension, m.quantity.unit), (Dimension::Weight, Unit::G));
        let m = measurement("weight 12").unwrap();
        assert_eq!(m.quantity.unit, Unit::G);
        assert!(
            measurement("weight 12 mm")
                .unwrap_err()
                .to_string()
                .contains("g or oz")
        );
        assert!(measurement("depth 3 mm").is_err());
        assert!(measurement("24 mm").is_err());
    }

    #[test]
    fn ranges_of_sizes_and_weights() {
        let r = range("20–24.5", true).unwrap();
        assert_eq!((r.min, r.max), (20.0, 24.5));
        let r = range("20-24,5 mm", true).unwrap();
        assert_eq!((r.min, r.max), (20.0, 24.5));
        let r = range("22", true).unwrap();
        assert_eq!((r.min, r.max), (22.0, 22.0));
        let r = range("1 in", true).unwrap();
        assert!((r.min - 25.4).abs() < 1e-9);
        let r = range("0.30000000000000004", false).unwrap();
        assert_eq!(r.min, 0.1 + 0.2);
        let tiny = format!("{}", 1e-40_f64);
        assert_eq!(range(&tiny, false).unwrap().min, 1e-40);
        for bad in ["", "30–20", "0", "a–b", "1–2–3", "12 g", "-5"] {
            assert!(range(bad, true).is_err(), "{bad:?}");
        }
        assert!(range("12 mm", false).is_err());
    }

    #[test]
    fn serial_number_ranges() {
        assert_eq!(
            serial_numbers("1–500").unwrap(),
            SerialRange { from: 1, to: 500 }
        );
        assert_eq!(
            serial_numbers("№ 1-500").unwrap(),
            SerialRange { from: 1, to: 500 }
        );
        assert_eq!(
            serial_numbers("17").unwrap(),
            SerialRange { from: 17, to: 17 }
        );
        for bad in ["", "500–1", "a", "1–", "99999999999", "1-2-3", "-"] {
            assert!(serial_numbers(bad).is_err(), "{bad:?}");
        }
    }
}
