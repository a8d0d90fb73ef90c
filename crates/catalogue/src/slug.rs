//! Stable, readable URL slugs: `mopr-badge`, `nkvd-firemans-badge`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A URL-safe name: lowercase ASCII letters, digits and single hyphens, 1 to 120 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a slug cannot be empty")]
    Empty,
    #[error("a slug is at most {max} characters", max = Slug::MAX_LEN)]
    TooLong,
    #[error("a slug may hold only lowercase letters a–z, digits and single hyphens between them")]
    Invalid,
}

impl Slug {
    pub const MAX_LEN: usize = 120;

    /// Checks a slug as given (from a URL, a form, a fixture).
    pub fn parse(s: &str) -> Result<Self, SlugError> {
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(SlugError::TooLong);
        }
        let ok = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(SlugError::Invalid)
        }
    }

    /// Derives a slug from a title in any script: `"МОПР"` → `"mopr"`, `"NKVD Fireman's Badge"`
    /// → `"nkvd-firemans-badge"`. Returns `None` when nothing sluggable is left.
    pub fn from_title(title: &str) -> Option<Self> {
        let ascii = deunicode::deunicode(title);
        let mut out = String::with_capacity(ascii.len());
        let mut pending_hyphen = false;
        for c in ascii.chars() {
            if c.is_ascii_alphanumeric() {
                if pending_hyphen && !out.is_empty() {
                    out.push('-');
                }
                pending_hyphen = false;
                out.push(c.to_ascii_lowercase());
            } else if c == '\'' || c == '’' || c == '"' {
                // "Fireman's" reads better as "firemans" than "fireman-s"
            } else {
                pending_hyphen = true;
            }
            if out.len() >= Self::MAX_LEN {
                break;
            }
        }
        let out = out.trim_end_matches('-').to_owned();
        Self::parse(&out).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Slug {
    type Err = SlugError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_in_any_script_become_readable_slugs() {
        assert_eq!(Slug::from_title("МОПР").unwrap().as_str(), "mopr");
        assert_eq!(
            Slug::from_title("NKVD Fireman's Badge").unwrap().as_str(),
            "nkvd-firemans-badge"
        );
        assert_eq!(
            Slug::from_title("  Khalkhin Gol — 1939!  ")
                .unwrap()
                .as_str(),
            "khalkhin-gol-1939"
        );
        assert_eq!(Slug::from_title("!!!"), None);
    }

    #[test]
    fn parse_refuses_what_would_not_be_a_clean_url() {
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        for bad in ["Upper", "a b", "-a", "a-", "a--b", "../etc", "мопр", "a/b"] {
            assert_eq!(Slug::parse(bad), Err(SlugError::Invalid), "{bad}");
        }
        assert_eq!(Slug::parse(&"a".repeat(121)), Err(SlugError::TooLong));
        assert!(Slug::parse("wrangel-island-1924").is_ok());
    }
}
