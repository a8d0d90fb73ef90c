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
    /// Only the decade is known: the 1930s.
    Decade,
    Year,
    Month,
    Day,
}

/// A date known to a decade, a year, a month or a day, possibly only approximately.
///
/// Its text form follows EDTF (ISO 8601-2): `1938`, `1940-05`, `1932-06-15`; a decade as `193X`
/// (its `year` is the decade's first year, so sorting and year facets need nothing new); a
/// trailing `~` marks an approximate date: `1935~`, `193X~`, `1940-05~`. Stored data written
/// before decades and approximation existed reads and writes exactly as before.
///
/// `month`/`day` may be set on a [`PartialDate::year`]; [`PartialDate::check`] keeps the
/// combinations honest (a decade has no month, its year ends in 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
    /// Only the decade starting at `year` is known (`193X`).
    pub decade: bool,
    /// The collector's "circa" (`c. 1935`, `около 1935 г.`): written `1935~`.
    pub approximate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "write a date as YYYY, YYYY-MM or YYYY-MM-DD, a decade as 193X, and add ~ when approximate"
    )]
    Format,
    #[error("the year must be between {MIN_YEAR} and {MAX_YEAR}")]
    Year,
    #[error("the month must be between 1 and 12")]
    Month,
    #[error("that day does not exist in that month")]
    Day,
    #[error("a decade starts at a year ending in 0 and has no month or day")]
    Decade,
}

impl PartialDate {
    pub const fn year(year: i32) -> Self {
        Self {
            year,
            month: None,
            day: None,
            decade: false,
            approximate: false,
        }
    }

    /// The decade that contains `year`: `PartialDate::decade_of(1934)` is the 1930s (`193X`).
    pub const fn decade_of(year: i32) -> Self {
        Self {
            year: year - year.rem_euclid(10),
            month: None,
            day: None,
            decade: true,
            approximate: false,
        }
    }

    /// The same date, marked approximate.
    pub const fn approximately(self) -> Self {
        Self {
            approximate: true,
            ..self
        }
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ if self.decade => Precision::Decade,
            _ => Precision::Year,
        }
    }

    /// The last year the date may stand for: a decade's ninth year, else `year`. (A period that
    /// ends in the 1930s runs to 1939.)
    pub fn last_year(&self) -> i32 {
        if self.decade {
            self.year + 9
        } else {
            self.year
        }
    }

    /// Reads the text form (see the type's documentation). Nothing else: dates as people write
    /// them (`6 апреля 1930`, `c. 1935`, `1930s`) are read by the import layer.
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let s = s.trim();
        let (s, approximate) = match s.strip_suffix('~') {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        if let Some(prefix) = s.strip_suffix('X') {
            if prefix.len() != 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Format);
            }
            let year: i32 = prefix.parse().map_err(|_| DateError::Format)?;
            let date = Self {
                approximate,
                ..Self::decade_of(year * 10)
            };
            date.check()?;
            return Ok(date);
        }
        let parts: Vec<&str> = s.split('-').collect();
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
            decade: false,
            approximate,
        };
        date.check()?;
        Ok(date)
    }

    /// Checks the calendar: a sane year, a real month, a day that exists in that month.
    pub fn check(&self) -> Result<(), DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&self.year) {
            return Err(DateError::Year);
        }
        if self.decade && (self.year % 10 != 0 || self.month.is_some() || self.day.is_some()) {
            return Err(DateError::Decade);
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
        if self.decade && self.month.is_none() {
            write!(f, "{:03}X", self.year.div_euclid(10))?;
        } else {
            write!(f, "{:04}", self.year)?;
            if let Some(m) = self.month {
                write!(f, "-{m:02}")?;
                if let Some(d) = self.day {
                    write!(f, "-{d:02}")?;
                }
            }
        }
        if self.approximate {
            f.write_str("~")?;
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
    /// A period may not end before it starts (compared at the coarser of the two precisions;
    /// a decade ends with its ninth year).
    pub fn is_ordered(&self) -> bool {
        match self.to {
            None => true,
            Some(to) => {
                let key =
                    |d: PartialDate| (d.last_year(), d.month.unwrap_or(12), d.day.unwrap_or(31));
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
    fn decades_and_approximate_dates_have_edtf_text_forms() {
        let d = PartialDate::parse("193X").unwrap();
        assert_eq!((d.year, d.decade, d.approximate), (1930, true, false));
        assert_eq!(d.precision(), Precision::Decade);
        assert_eq!(d.to_string(), "193X");
        assert_eq!(d.last_year(), 1939);
        let c = PartialDate::parse("1935~").unwrap();
        assert_eq!(c, PartialDate::year(1935).approximately());
        assert_eq!(c.precision(), Precision::Year);
        assert_eq!(c.to_string(), "1935~");
        for s in [
            "193X~",
            "1940-05~",
            "1932-06-15~",
            "1938",
            "1940-05",
            "1932-06-15",
        ] {
            assert_eq!(PartialDate::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(PartialDate::decade_of(1934).to_string(), "193X");
        for bad in [
            "19X", "19XX", "1935X", "X", "~", "1935~~", "~1935", "169X", "193x",
        ] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_decade_cannot_carry_a_month_or_start_mid_decade() {
        let mut d = PartialDate::decade_of(1930);
        d.month = Some(4);
        assert_eq!(d.check(), Err(DateError::Decade));
        let mut d = PartialDate::decade_of(1930);
        d.year = 1935;
        assert_eq!(d.check(), Err(DateError::Decade));
    }

    #[test]
    fn the_text_form_round_trips_through_serde() {
        for s in ["1938", "1940-05", "1932-06-15", "193X", "1935~", "193X~"] {
            let d = PartialDate::parse(s).unwrap();
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<PartialDate>(&json).unwrap(), d);
        }
    }

    #[test]
    fn code_may_still_set_a_month_and_day_on_a_year() {
        let mut d = PartialDate::year(2026);
        d.month = Some(12);
        d.day = Some(3);
        assert_eq!(d.to_string(), "2026-12-03");
        assert_eq!(d.precision(), Precision::Day);
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
        assert!(p("1935", "193X").is_ordered());
        assert!(p("193X", "1930").is_ordered());
        assert!(!p("1941", "193X").is_ordered());
        assert!(p("1935~", "1935").is_ordered());
    }
}
