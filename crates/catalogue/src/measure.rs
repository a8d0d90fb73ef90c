//! Measurements kept exactly as the collector wrote them ("1/8 inch"), shown in both systems.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A unit of length or mass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Mm,
    Cm,
    #[serde(alias = "in")]
    Inch,
    #[serde(alias = "gram")]
    G,
    /// The avoirdupois ounce.
    Oz,
}

impl Unit {
    pub fn is_length(self) -> bool {
        matches!(self, Unit::Mm | Unit::Cm | Unit::Inch)
    }

    /// The factor to the metric base unit (millimetres or grams).
    fn to_metric(self) -> f64 {
        match self {
            Unit::Mm | Unit::G => 1.0,
            Unit::Cm => 10.0,
            Unit::Inch => 25.4,
            Unit::Oz => 28.349_523_125,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Mm => "mm",
            Unit::Cm => "cm",
            Unit::Inch => "in",
            Unit::G => "g",
            Unit::Oz => "oz",
        }
    }
}

/// A number kept exactly as written: a decimal (`3.2`) or a fraction (`1/8`, `1 1/2`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Amount(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("write a positive number such as 3.2, 1/8 or 1 1/2")]
    Format,
    #[error("the number must be greater than zero and below 100000")]
    Range,
}

impl Amount {
    pub fn parse(s: &str) -> Result<Self, AmountError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 32 {
            return Err(AmountError::Format);
        }
        let value = Self::evaluate(s).ok_or(AmountError::Format)?;
        if !(value > 0.0 && value < 100_000.0) {
            return Err(AmountError::Range);
        }
        // Kept as written, runs of spaces as one ("1  1/2" is "1 1/2").
        let single_spaced =
            !s.contains("  ") && !s.bytes().any(|b| b.is_ascii_whitespace() && b != b' ');
        if single_spaced {
            Ok(Self(s.to_owned()))
        } else {
            Ok(Self(s.split_whitespace().collect::<Vec<_>>().join(" ")))
        }
    }

    fn evaluate(s: &str) -> Option<f64> {
        let decimal = |p: &str| -> Option<f64> {
            let ok = !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && p.bytes().filter(|&b| b == b'.').count() <= 1
                && !p.starts_with('.')
                && !p.ends_with('.');
            if ok { p.parse().ok() } else { None }
        };
        let integer = |p: &str| -> Option<f64> {
            if !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        };
        let fraction = |p: &str| -> Option<f64> {
            let (n, d) = p.split_once('/')?;
            let (n, d) = (integer(n)?, integer(d)?);
            if d == 0.0 { None } else { Some(n / d) }
        };
        let mut parts = s.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(one), None, _) if one.contains('/') => fraction(one),
            (Some(one), None, _) => decimal(one),
            (Some(whole), Some(frac), None) => Some(integer(whole)? + fraction(frac)?),
            _ => None,
        }
    }

    pub fn value(&self) -> f64 {
        Self::evaluate(&self.0).unwrap_or(0.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Int(i) => i.to_string(),
            Raw::Float(f) => f.to_string(),
            Raw::Text(s) => s,
        };
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An amount with its unit; `approximate` records the collector's "about".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    pub value: Amount,
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

impl Quantity {
    /// The value in millimetres (lengths) or grams (masses).
    pub fn metric(&self) -> f64 {
        self.value.value() * self.unit.to_metric()
    }

    /// The value in inches (lengths) or ounces (masses).
    pub fn imperial(&self) -> f64 {
        if self.unit.is_length() {
            self.metric() / Unit::Inch.to_metric()
        } else {
            self.metric() / Unit::Oz.to_metric()
        }
    }

    pub fn metric_unit(&self) -> Unit {
        if self.unit.is_length() {
            Unit::Mm
        } else {
            Unit::G
        }
    }

    pub fn imperial_unit(&self) -> Unit {
        if self.unit.is_length() {
            Unit::Inch
        } else {
            Unit::Oz
        }
    }

    pub fn is_metric(&self) -> bool {
        matches!(self.unit, Unit::Mm | Unit::Cm | Unit::G)
    }
}

/// What was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Height,
    Width,
    Diameter,
    Thickness,
    Weight,
}

impl Dimension {
    pub fn is_length(self) -> bool {
        !matches!(self, Dimension::Weight)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    pub dimension: Dimension,
    #[serde(flatten)]
    pub quantity: Quantity,
}

/// A range of sizes (mm) or weights (g) across the pieces of a variant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    pub fn is_valid(&self) -> bool {
        self.min.is_finite()
            && self.max.is_finite()
            && self.min > 0.0
            && self.min <= self.max
            && self.max < 100_000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eighth_of_an_inch_is_kept_exactly_and_is_about_3_2_mm() {
        let q = Quantity {
            value: Amount::parse("1/8").unwrap(),
            unit: Unit::Inch,
            approximate: true,
        };
        assert_eq!(q.value.as_str(), "1/8");
        assert!((q.metric() - 3.175).abs() < 1e-9);
        assert_eq!(format!("{:.1}", q.metric()), "3.2");
        assert!((q.imperial() - 0.125).abs() < 1e-12);
    }

    #[test]
    fn amounts_accept_decimals_fractions_and_mixed_numbers_only() {
        assert_eq!(Amount::parse("1 1/2").unwrap().value(), 1.5);
        assert_eq!(Amount::parse("  3.20 ").unwrap().as_str(), "3.20");
        for bad in [
            "", "0", "-1", "1/0", "abc", "1..2", ".5", "1e9", "NaN", "inf", "1/2/3", "999999",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn grams_convert_to_ounces() {
        let q = Quantity {
            value: Amount::parse("28.349523125").unwrap(),
            unit: Unit::G,
            approximate: false,
        };
        assert!((q.imperial() - 1.0).abs() < 1e-9);
        assert_eq!(q.imperial_unit(), Unit::Oz);
    }

    #[test]
    fn ranges_must_be_positive_and_ordered() {
        assert!(
            Range {
                min: 20.0,
                max: 24.5
            }
            .is_valid()
        );
        assert!(
            !Range {
                min: 30.0,
                max: 24.5
            }
            .is_valid()
        );
        assert!(!Range { min: 0.0, max: 1.0 }.is_valid());
        assert!(
            !Range {
                min: f64::NAN,
                max: 1.0
            }
            .is_valid()
        );
    }
}
