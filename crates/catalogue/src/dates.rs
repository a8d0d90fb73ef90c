//! Dates as collectors know them: often only a year, sometimes a month, rarely a day.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The earliest and latest years Vitrina accepts: phaleristics starts well after 1700 and a
/// year past 2100 is a typo.
pub const MIN_YEAR: i32 = 1700;
pub const MAX_YEAR: i32 = 2100;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A date known to a year, a month or a day. Written `1938`, `1940-05` or `1932-06-15`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("write a date as YYYY, YYYY-MM or YYYY-MM-DD")]
    Format,
    #[error("the year must be between {MIN_YEAR} and {MAX_YEAR}")]
    Year,
    #[error("the month must be between 1 and 12")]
    Month,
    #[error("that day does not exist in that month")]
    Day,
}

impl PartialDate {
    pub const fn year(year: i32) -> Self {
        Self {
            year,
            month: None,
            day: None,
        }
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    pub fn parse(s: &str) -> Result<Self, DateError> {
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, DateError> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Format);
            }
            p.parse().map_err(|_| DateError::Format)
        };
        let (year, month, day) = match parts.as_slice() {
            [y] => (num(y, 4)?, None, None),
            [y, m] => (num(y, 4)?, Some(num(m, 2)?), None),
            [y, m, d] => (num(y, 4)?, Some(num(m, 2)?), Some(num(d, 2)?)),
            _ => return Err(DateError::Format),
        };
        let date = Self {
            year: year as i32,
            month: month.map(|m| m as u8),
            day: day.map(|d| d as u8),
        };
        date.check()?;
        Ok(date)
    }

    /// Checks the calendar: a sane year, a real month, a day that exists in that month.
    pub fn check(&self) -> Result<(), DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&self.year) {
            return Err(DateError::Year);
        }
        if let Some(m) = self.month {
            if !(1..=12).contains(&m) {
                return Err(DateError::Month);
            }
            if let Some(d) = self.day
                && (d == 0 || d > days_in_month(self.year, m))
            {
                return Err(DateError::Day);
            }
        } else if self.day.is_some() {
            return Err(DateError::Format);
        }
        Ok(())
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Year(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Year(y) => {
                let y = i32::try_from(y).map_err(|_| serde::de::Error::custom(DateError::Year))?;
                let date = Self::year(y);
                date.check().map_err(serde::de::Error::custom)?;
                Ok(date)
            }
            Raw::Text(s) => Self::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

/// A span of years of award or issue, such as 1922–1932. An open end means "still".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: PartialDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PartialDate>,
}

impl Period {
    /// A period may not end before it starts (compared at the coarser of the two precisions).
    pub fn is_ordered(&self) -> bool {
        match self.to {
            None => true,
            Some(to) => {
                let key = |d: PartialDate| (d.year, d.month.unwrap_or(12), d.day.unwrap_or(31));
                let start = (
                    self.from.year,
                    self.from.month.unwrap_or(1),
                    self.from.day.unwrap_or(1),
                );
                start <= key(to)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(
            PartialDate::parse("1938").unwrap().precision(),
            Precision::Year
        );
        assert_eq!(
            PartialDate::parse("1940-05").unwrap().precision(),
            Precision::Month
        );
        let d = PartialDate::parse("1932-06-15").unwrap();
        assert_eq!(d.precision(), Precision::Day);
        assert_eq!(d.to_string(), "1932-06-15");
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(PartialDate::parse("1599"), Err(DateError::Year));
        assert_eq!(PartialDate::parse("19388"), Err(DateError::Format));
        assert_eq!(PartialDate::parse("1938-13"), Err(DateError::Month));
        assert_eq!(PartialDate::parse("1939-02-29"), Err(DateError::Day));
        assert!(PartialDate::parse("1940-02-29").is_ok());
        assert_eq!(PartialDate::parse("abc"), Err(DateError::Format));
        assert_eq!(PartialDate::parse(""), Err(DateError::Format));
        assert_eq!(PartialDate::parse("+938"), Err(DateError::Format));
    }

    #[test]
    fn a_year_may_be_written_as_a_number_in_fixtures() {
        let d: PartialDate = serde_json::from_str("1940").unwrap();
        assert_eq!(d, PartialDate::year(1940));
        assert!(serde_json::from_str::<PartialDate>("99999999999").is_err());
        assert!(serde_json::from_str::<PartialDate>("\"1940-02-30\"").is_err());
    }

    #[test]
    fn a_period_does_not_end_before_it_starts() {
        let p = |a, b| Period {
            from: PartialDate::parse(a).unwrap(),
            to: Some(PartialDate::parse(b).unwrap()),
        };
        assert!(p("1922", "1932").is_ordered());
        assert!(p("1932", "1932").is_ordered());
        assert!(p("1932-05", "1932").is_ordered());
        assert!(!p("1933", "1932").is_ordered());
    }
}
