//! What went wrong, and where: every problem names its line, its record and its column.

use std::fmt;

use serde::Serialize;

use crate::Field;

/// One problem found while reading a table, located as the user sees the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The physical line (or spreadsheet row) of the row, as [`vitrina_formats::Row::line`].
    pub line: Option<u64>,
    /// The record it concerns: its slug, or its title when it has no slug yet.
    pub record: Option<String>,
    /// The column's header as written.
    pub column: Option<String>,
    pub field: Option<Field>,
    pub kind: ProblemKind,
    pub message: String,
}

/// What kind of problem, as a stable code for the API (`"unknown-value"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A row with neither a slug nor a title.
    NoTitle,
    /// An inventory number, or a specimen's or variant's number, used twice.
    Duplicate,
    /// A word outside a vocabulary (a condition, a material…).
    UnknownValue,
    /// A cell that cannot be read (a date, a measurement, a slug…), or a record that does not
    /// pass the domain's validation.
    Invalid,
    /// A value longer than its field's limit. It is refused, never cut.
    TooLong,
    /// A type's or variant's cell that differs between rows of the same record.
    Disagrees,
}

impl ProblemKind {
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::NoTitle => "no-title",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::UnknownValue => "unknown-value",
            ProblemKind::Invalid => "invalid",
            ProblemKind::TooLong => "too-long",
            ProblemKind::Disagrees => "disagrees",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
            sep = ", ";
        }
        if let Some(column) = &self.column {
            write!(f, "{sep}column “{column}”")?;
            sep = ", ";
        }
        if let Some(record) = &self.record {
            write!(f, "{sep}{record}")?;
            sep = ", ";
        }
        if !sep.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_as_a_sentence() {
        let p = Problem {
            line: Some(12),
            record: Some("mopr-badge".into()),
            column: Some("Сохранность".into()),
            field: Some(Field::Condition),
            kind: ProblemKind::UnknownValue,
            message: "“Superb” is not a condition".into(),
        };
        assert_eq!(
            p.to_string(),
            "line 12, column “Сохранность”, mopr-badge: “Superb” is not a condition"
        );
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["kind"], "unknown-value");
        assert_eq!(json["field"], "condition");
        assert_eq!(ProblemKind::TooLong.code(), "too-long");
    }
}
