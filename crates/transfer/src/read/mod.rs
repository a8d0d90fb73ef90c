//! Rows → records: group a table's rows into badge types, their variants and specimens, read
//! every cell, validate every record, and locate every problem.
//!
//! # How rows become records
//!
//! - **Types.** Rows with the same slug are one type. Without a slug in the row, the key is
//!   made from the title ([`Grouping`]): by default, when the sheet has no slug column at all,
//!   every row is its own type (a collector's sheet of one row per badge), its slug derived from
//!   its title and made unique (`stakhanovite`, `stakhanovite-2`, …, in row order).
//! - **Variants.** Within a type, rows with the same `variant_no` (Vitrina's export), else the
//!   same variant name, are one variant; a `variants` cell lists several variants at once (the
//!   row's specimen goes to the first). A row with variant or specimen cells but no variant name
//!   gets a variant named after its materials (`Silver`, `Серебро`; `Standard`, `Основной`).
//! - **Specimens.** Every row with specimen cells (inventory number, condition, engravings,
//!   measurements, photos, private fields…) is one specimen; `specimen_no` (Vitrina's export)
//!   numbers them within their variant.
//! - **Agreement.** A type's cells are repeated on its rows (or left empty after the first); a
//!   cell that differs from the first row that filled it is a problem. The same holds for a
//!   variant's cells across its rows.
//! - **Order.** Types in order of their first row; variants and specimens by their number when
//!   they have one, else in order of their first row. The same table always gives the same
//!   records.
//!
//! Every record built is run through the domain's [`Validate`](vitrina_catalogue::Validate),
//! and each error is reported at the line and column its value came from.

mod build;
mod categories;
mod items;
mod locate;
mod specimen;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use vitrina_catalogue::{BadgeType, Category, Slug};
use vitrina_formats::Table;

use crate::field::Level;
use crate::{Field, Mapping, Problem, ProblemKind};

/// How rows without a slug are grouped into types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grouping {
    /// With a slug column, rows group by slug, and a row without one by its title's slug;
    /// without a slug column, every row is a type of its own.
    #[default]
    Auto,
    /// Rows with the same title are one type (a sheet of one row per piece, several pieces of
    /// a type).
    ByTitle,
    /// Every row without a slug is a type of its own.
    EachRow,
}

/// What the import needs to know besides the table.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    pub grouping: Grouping,
    /// The categories that already exist: a category named in the sheet by their slug or title
    /// is theirs; others are created.
    pub categories: Vec<Category>,
    /// Whether records are published when the sheet does not say (the domain's rule for
    /// imports is yes; an import "as drafts" says no).
    pub published: bool,
    /// The currency of prices written as bare numbers, when the sheet has no currency column.
    pub currency: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            grouping: Grouping::Auto,
            categories: Vec::new(),
            published: true,
            currency: None,
        }
    }
}

/// One badge type read from the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The whole aggregate: variants, specimens with their private fields, photos. Ids are
    /// `None` and versions 0: storage assigns them.
    pub record: BadgeType,
    /// Whether the slug was derived from the title rather than given in a slug column.
    pub slug_derived: bool,
    /// Every line the type was read from, in file order.
    pub lines: Vec<u64>,
    /// How many of [`Outcome::problems`] concern this record (0: it is ready to save).
    pub problems: usize,
}

/// A category the table names.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCategory {
    pub category: Category,
    /// One of [`ReadOptions::categories`]; otherwise it is new (its slug derived from its name,
    /// its title as written).
    pub existing: bool,
    /// The lines that name it.
    pub lines: Vec<u64>,
}

/// Everything read from a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub types: Vec<Imported>,
    pub categories: Vec<ImportedCategory>,
    pub problems: Vec<Problem>,
    /// Rows read (rows whose mapped cells are all empty are skipped).
    pub rows: usize,
}

impl Outcome {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The records alone.
    pub fn records(&self) -> impl Iterator<Item = &BadgeType> {
        self.types.iter().map(|t| &t.record)
    }
}

/// Reads a table's rows into badge types (see the module's documentation).
pub fn read(table: &Table, mapping: &Mapping, options: &ReadOptions) -> Outcome {
    let mut reader = Reader::new(table, mapping, options);
    reader.run();
    Outcome {
        types: reader.types,
        categories: reader.categories.into_imported(),
        problems: reader.problems,
        rows: reader.rows,
    }
}

/// A cell's place: row index in the table and column index.
#[derive(Debug, Clone, Copy)]
struct Def<'t> {
    field: Field,
    col: usize,
    row: usize,
    text: &'t str,
}

struct Group {
    slug: Option<Slug>,
    derived: bool,
    title: String,
    rows: Vec<usize>,
}

struct Reader<'t> {
    table: &'t Table,
    options: &'t ReadOptions,
    headers: Vec<String>,
    /// Mapped columns in column order, with their field.
    mapped: Vec<(usize, Field)>,
    /// For each field, its columns.
    by_field: HashMap<Field, Vec<usize>>,
    problems: Vec<Problem>,
    types: Vec<Imported>,
    categories: categories::CategoryBook,
    inventory: HashMap<String, u64>,
    rows: usize,
}

impl<'t> Reader<'t> {
    fn new(table: &'t Table, mapping: &Mapping, options: &'t ReadOptions) -> Self {
        let mut mapped = Vec::new();
        let mut by_field: HashMap<Field, Vec<usize>> = HashMap::new();
        for (i, c) in mapping.columns.iter().enumerate() {
            if let Some(f) = c.field {
                mapped.push((i, f));
                by_field.entry(f).or_default().push(i);
            }
        }
        let headers = mapping
            .columns
            .iter()
            .map(|c| c.header.clone())
            .chain(table.headers.iter().skip(mapping.columns.len()).cloned())
            .collect();
        Self {
            table,
            options,
            headers,
            mapped,
            by_field,
            problems: Vec::new(),
            types: Vec::new(),
            categories: categories::CategoryBook::new(options),
            inventory: HashMap::new(),
            rows: 0,
        }
    }

    fn cell(&self, row: usize, col: usize) -> &'t str {
        self.table.rows[row].cell(col).trim()
    }

    fn line(&self, row: usize) -> u64 {
        self.table.rows[row].line
    }

    /// The first non-empty cell of a field in a row.
    fn first(&self, row: usize, field: Field) -> Option<Def<'t>> {
        self.by_field.get(&field)?.iter().find_map(|&col| {
            let text = self.cell(row, col);
            (!text.is_empty()).then_some(Def {
                field,
                col,
                row,
                text,
            })
        })
    }

    fn has_level(&self, row: usize, levels: &[Level]) -> bool {
        self.mapped
            .iter()
            .any(|&(col, f)| levels.contains(&f.level()) && !self.cell(row, col).is_empty())
    }

    #[allow(clippy::too_many_arguments)]
    fn problem(
        &mut self,
        row: Option<usize>,
        record: &str,
        col: Option<usize>,
        field: Option<Field>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem {
            line: row.map(|r| self.line(r)),
            record: (!record.is_empty()).then(|| record.to_owned()),
            column: col.map(|c| self.headers.get(c).cloned().unwrap_or_default()),
            field,
            kind,
            message: message.into(),
        });
    }

    /// The cells of `levels` that `rows` define, one per column (its first non-empty cell), in
    /// column order; a later row whose cell differs is a problem (except for `skip`: keys).
    fn defined(
        &mut self,
        rows: &[usize],
        levels: &[Level],
        skip: &[Field],
        record: &str,
    ) -> Vec<Def<'t>> {
        let mut out = Vec::with_capacity(self.mapped.len());
        for i in 0..self.mapped.len() {
            let (col, field) = self.mapped[i];
            if !levels.contains(&field.level()) {
                continue;
            }
            let mut first: Option<(usize, &'t str)> = None;
            for &r in rows {
                let text = self.cell(r, col);
                if text.is_empty() {
                    continue;
                }
                match first {
                    None => first = Some((r, text)),
                    Some((r0, t0)) if t0 != text && !skip.contains(&field) => {
                        let message = format!(
                            "{} differs from line {}: {}",
                            crate::values::quoted(text),
                            self.line(r0),
                            crate::values::quoted(t0)
                        );
                        self.problem(
                            Some(r),
                            record,
                            Some(col),
                            Some(field),
                            ProblemKind::Disagrees,
                            message,
                        );
                    }
                    Some(_) => {}
                }
            }
            if let Some((row, text)) = first {
                out.push(Def {
                    field,
                    col,
                    row,
                    text,
                });
            }
        }
        out
    }

    fn run(&mut self) {
        let groups = self.group();
        for g in &groups {
            if let Some(t) = self.build_type(g) {
                self.types.push(t);
            }
        }
    }

    /// Rows into types, by key.
    fn group(&mut self) -> Vec<Group> {
        let slug_mapped = self.by_field.contains_key(&Field::Slug);
        let by_title = match self.options.grouping {
            Grouping::ByTitle => true,
            Grouping::EachRow => false,
            Grouping::Auto => slug_mapped,
        };
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<Slug, usize> = HashMap::new();
        for r in 0..self.table.rows.len() {
            if !self
                .mapped
                .iter()
                .any(|&(col, _)| !self.cell(r, col).is_empty())
            {
                continue;
            }
            self.rows += 1;
            let title = [Field::Title, Field::TitleRu, Field::OriginalName]
                .iter()
                .find_map(|&f| self.first(r, f))
                .map(|d| d.text.to_owned());
            let slug_cell = self.first(r, Field::Slug);
            let slug = match (slug_cell, &title) {
                (Some(d), _) => match Slug::parse(d.text) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        let record = title.clone().unwrap_or_default();
                        self.problem(
                            Some(r),
                            &record,
                            Some(d.col),
                            Some(Field::Slug),
                            ProblemKind::Invalid,
                            format!("{}: {e}", crate::values::quoted(d.text)),
                        );
                        continue;
                    }
                },
                (None, None) => {
                    self.problem(
                        Some(r),
                        "",
                        None,
                        Some(Field::Title),
                        ProblemKind::NoTitle,
                        "this row has no title (and no slug): every badge type needs one",
                    );
                    continue;
                }
                (None, Some(t)) if by_title => match Slug::from_title(t) {
                    Some(s) => Some(s),
                    None => {
                        let col = self.first(r, Field::Title).map(|d| d.col);
                        self.problem(
                            Some(r),
                            t,
                            col,
                            Some(Field::Title),
                            ProblemKind::Invalid,
                            "no slug can be made from this title: give one in a slug column",
                        );
                        continue;
                    }
                },
                (None, Some(_)) => None,
            };
            let title = title.unwrap_or_default();
            match slug {
                Some(s) => match index.get(&s) {
                    Some(&g) => groups[g].rows.push(r),
                    None => {
                        index.insert(s.clone(), groups.len());
                        groups.push(Group {
                            slug: Some(s),
                            derived: slug_cell.is_none(),
                            title,
                            rows: vec![r],
                        });
                    }
                },
                None => groups.push(Group {
                    slug: None,
                    derived: true,
                    title,
                    rows: vec![r],
                }),
            }
        }
        self.derive_slugs(&mut groups);
        groups.retain(|g| g.slug.is_some());
        groups
    }

    /// Gives each row-of-its-own type a slug from its title, unique in the table: the first
    /// keeps the title's slug, later ones take `-2`, `-3`… in row order.
    fn derive_slugs(&mut self, groups: &mut [Group]) {
        let mut used: HashSet<String> = groups
            .iter()
            .filter_map(|g| g.slug.as_ref().map(|s| s.as_str().to_owned()))
            .collect();
        let mut next: HashMap<String, u32> = HashMap::new();
        for g in groups.iter_mut().filter(|g| g.slug.is_none()) {
            let Some(base) = Slug::from_title(&g.title) else {
                let r = g.rows[0];
                let col = self.first(r, Field::Title).map(|d| d.col);
                let title = g.title.clone();
                self.problem(
                    Some(r),
                    &title,
                    col,
                    Some(Field::Title),
                    ProblemKind::Invalid,
                    "no slug can be made from this title: give one in a slug column",
                );
                continue;
            };
            if used.insert(base.as_str().to_owned()) {
                g.slug = Some(base);
                continue;
            }
            let base = base.as_str();
            let slug = {
                let n = next.entry(base.to_owned()).or_insert(1);
                loop {
                    *n += 1;
                    let suffix = format!("-{n}");
                    let room = Slug::MAX_LEN - suffix.len();
                    let stem = base[..base.len().min(room)].trim_end_matches('-');
                    let candidate = format!("{stem}{suffix}");
                    if used.insert(candidate.clone()) {
                        break candidate;
                    }
                }
            };
            g.slug = Slug::parse(&slug).ok();
        }
    }
}

#[cfg(test)]
mod tests;
