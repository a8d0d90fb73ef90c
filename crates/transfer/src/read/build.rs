//! Building one type, its variants and specimens from the cells of their rows.

use std::collections::HashMap;

use vitrina_catalogue::{
    BadgeType, Event, Issuer, Material, Names, OriginalName, Script, Text, Validate, Variant,
};

use super::locate::{Trace, TypeTrace, VariantTrace, locate};
use super::{Def, Group, Imported, Reader};
use crate::field::Level;
use crate::values::{self, ValueError, quoted};
use crate::{Field, ProblemKind, syntax};

const TYPE: &[Level] = &[Level::Type];
const VARIANT: &[Level] = &[Level::Variant];
pub(super) const SPECIMEN: &[Level] = &[Level::Specimen, Level::Private];

/// Fields whose unknown values are vocabulary problems rather than unreadable cells.
fn kind_of(field: Field) -> ProblemKind {
    match field {
        Field::Condition
        | Field::Rarity
        | Field::Materials
        | Field::Plating
        | Field::Fitting
        | Field::Hallmarks
        | Field::OriginalScript
        | Field::Published => ProblemKind::UnknownValue,
        _ => ProblemKind::Invalid,
    }
}

/// How a variant is told apart from the others of its type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum VariantKey {
    /// `variant_no` (Vitrina's export).
    No(u32),
    /// Its name, from a variant column or an item of a `variants` cell.
    Name(String),
    /// No name: one variant per distinct materials and plating.
    Derived(String),
}

struct VariantRows {
    key: VariantKey,
    /// Named by an item of a `variants` cell.
    listed: bool,
    rows: Vec<usize>,
    /// Rows whose specimen belongs here.
    specimen_rows: Vec<usize>,
}

impl<'t> Reader<'t> {
    /// Reads a cell with a parser; a failure is a problem at the cell, and `None`.
    pub(super) fn parse<T>(
        &mut self,
        d: &Def<'t>,
        record: &str,
        trace: &mut Trace,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        match parse(d.text) {
            Ok(v) => {
                trace.cell(d.field, self.line(d.row), d.col);
                Some(v)
            }
            Err(e) => {
                self.problem(
                    Some(d.row),
                    record,
                    Some(d.col),
                    Some(d.field),
                    kind_of(d.field),
                    e.0,
                );
                None
            }
        }
    }

    /// A single-valued field's cell; a second column of the same field that says otherwise is
    /// a problem.
    pub(super) fn one(&mut self, defs: &[Def<'t>], field: Field, record: &str) -> Option<Def<'t>> {
        let mut it = defs.iter().filter(|d| d.field == field);
        let first = *it.next()?;
        let others: Vec<Def<'t>> = it.copied().filter(|d| d.text != first.text).collect();
        for d in others {
            let message = format!(
                "{} differs from the column “{}”: {}",
                quoted(d.text),
                self.headers.get(first.col).cloned().unwrap_or_default(),
                quoted(first.text)
            );
            self.problem(
                Some(d.row),
                record,
                Some(d.col),
                Some(field),
                ProblemKind::Disagrees,
                message,
            );
        }
        Some(first)
    }

    /// A text field, as written.
    pub(super) fn text(
        &mut self,
        defs: &[Def<'t>],
        field: Field,
        record: &str,
        trace: &mut Trace,
    ) -> String {
        match self.one(defs, field, record) {
            Some(d) => {
                trace.cell(field, self.line(d.row), d.col);
                d.text.to_owned()
            }
            None => String::new(),
        }
    }

    pub(super) fn bilingual(
        &mut self,
        defs: &[Def<'t>],
        en: Field,
        record: &str,
        trace: &mut Trace,
    ) -> Text {
        let ru = en.russian().unwrap_or(en);
        Text {
            en: self.text(defs, en, record, trace),
            ru: if ru == en {
                String::new()
            } else {
                self.text(defs, ru, record, trace)
            },
        }
    }

    pub(super) fn any(defs: &[Def<'t>], fields: &[Field]) -> bool {
        defs.iter().any(|d| fields.contains(&d.field))
    }

    pub(super) fn build_type(&mut self, g: &Group) -> Option<Imported> {
        let slug = g.slug.clone()?;
        let record = slug.as_str().to_owned();
        let problems_before = self.problems.len();
        let first = g.rows[0];
        let mut trace = TypeTrace {
            own: Trace::new(self.line(first)),
            variants: Vec::new(),
        };
        let defs = self.defined(&g.rows, TYPE, &[], &record);
        let tr = &mut trace.own;
        if let Some(d) = self.one(&defs, Field::Slug, &record) {
            tr.cell(Field::Slug, self.line(d.row), d.col);
        }
        let mut t = BadgeType {
            id: None,
            slug,
            position: 0,
            version: 0,
            published: self.options.published,
            categories: Vec::new(),
            names: Names::default(),
            issuer: None,
            established: None,
            period: None,
            event: None,
            description: Text::default(),
            references: Vec::new(),
            variants: Vec::new(),
            photos: Vec::new(),
        };
        if let Some(d) = self.one(&defs, Field::Position, &record) {
            t.position = self
                .parse(&d, &record, tr, |s| {
                    s.parse::<i64>().map_err(|_| {
                        ValueError::new(format!("{} is not a whole number", quoted(s)))
                    })
                })
                .unwrap_or(0);
        }
        if let Some(d) = self.one(&defs, Field::Published, &record) {
            t.published = self
                .parse(&d, &record, tr, values::yes_no)
                .unwrap_or(t.published);
        }
        let title = self.bilingual(&defs, Field::Title, &record, tr);
        t.names.en = title.en;
        t.names.ru = title.ru;
        if Self::any(
            &defs,
            &[
                Field::OriginalName,
                Field::OriginalScript,
                Field::OriginalLanguage,
            ],
        ) {
            let text = self.text(&defs, Field::OriginalName, &record, tr);
            let script = match self.one(&defs, Field::OriginalScript, &record) {
                Some(d) => self.parse(&d, &record, tr, values::script),
                None => Some(script_of(&text)),
            };
            let language = self
                .text(&defs, Field::OriginalLanguage, &record, tr)
                .to_lowercase();
            if let Some(script) = script {
                t.names.original = Some(OriginalName {
                    text,
                    script,
                    language,
                });
            }
        }
        if Self::any(
            &defs,
            &[
                Field::Issuer,
                Field::IssuerRu,
                Field::IssuerAbbreviation,
                Field::IssuerAbbreviationLatin,
            ],
        ) {
            t.issuer = Some(Issuer {
                abbreviation: self.text(&defs, Field::IssuerAbbreviation, &record, tr),
                abbreviation_latin: self.text(&defs, Field::IssuerAbbreviationLatin, &record, tr),
                name: self.bilingual(&defs, Field::Issuer, &record, tr),
            });
        }
        if let Some(d) = self.one(&defs, Field::Established, &record) {
            t.established = self.parse(&d, &record, tr, values::date);
        }
        if let Some(d) = self.one(&defs, Field::Period, &record) {
            t.period = self.parse(&d, &record, tr, values::period);
        }
        if Self::any(
            &defs,
            &[
                Field::Event,
                Field::EventRu,
                Field::EventDate,
                Field::EventPlace,
                Field::EventPlaceRu,
            ],
        ) {
            let name = self.bilingual(&defs, Field::Event, &record, tr);
            let date = match self.one(&defs, Field::EventDate, &record) {
                Some(d) => self.parse(&d, &record, tr, values::date),
                None => None,
            };
            let place = self.bilingual(&defs, Field::EventPlace, &record, tr);
            t.event = Some(Event { name, date, place });
        }
        t.description = self.bilingual(&defs, Field::Description, &record, tr);
        for d in defs.iter().filter(|d| d.field == Field::References) {
            for raw in syntax::items(d.text, false) {
                let index = t.references.len();
                if let Some(r) = self.item(d, &record, super::items::reference(raw)) {
                    tr.item("references", index, d.field, self.line(d.row), d.col);
                    t.references.push(r);
                }
            }
        }
        for d in defs.iter().filter(|d| d.field == Field::Categories) {
            for raw in syntax::items(d.text, false) {
                let index = t.categories.len();
                let line = self.line(d.row);
                let named =
                    super::items::category(raw).and_then(|c| self.categories.resolve(c, line));
                if let Some(slug) = self.item(d, &record, named) {
                    tr.item("categories", index, d.field, line, d.col);
                    t.categories.push(slug);
                }
            }
        }
        let mut order = Vec::new();
        for d in defs.iter().filter(|d| d.field == Field::TypePhotos) {
            for raw in syntax::items(d.text, false) {
                let index = t.photos.len();
                let photo = super::items::photo(raw, None, &mut order, &t.names);
                if let Some(p) = self.item(d, &record, photo) {
                    tr.item("photos", index, d.field, self.line(d.row), d.col);
                    t.photos.push(p);
                }
            }
        }
        self.build_variants(g, &record, &mut t, &mut trace);
        if let Err(errors) = t.validate() {
            for e in errors.0 {
                let (line, col, field) = locate(&trace, &e.field);
                let kind = if e.message.starts_with("at most") {
                    ProblemKind::TooLong
                } else {
                    ProblemKind::Invalid
                };
                let row = g
                    .rows
                    .iter()
                    .copied()
                    .find(|&r| self.line(r) == line)
                    .or(Some(first));
                self.problem(
                    row,
                    &record,
                    col,
                    field,
                    kind,
                    format!("{}: {}", e.field, e.message),
                );
            }
        }
        Some(Imported {
            record: t,
            slug_derived: g.derived,
            lines: g.rows.iter().map(|&r| self.line(r)).collect(),
            problems: self.problems.len() - problems_before,
        })
    }

    /// A list item's value, or a problem at its cell.
    pub(super) fn item<T>(
        &mut self,
        d: &Def<'t>,
        record: &str,
        value: Result<T, ValueError>,
    ) -> Option<T> {
        match value {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(
                    Some(d.row),
                    record,
                    Some(d.col),
                    Some(d.field),
                    kind_of(d.field),
                    e.0,
                );
                None
            }
        }
    }

    fn build_variants(
        &mut self,
        g: &Group,
        record: &str,
        t: &mut BadgeType,
        trace: &mut TypeTrace,
    ) {
        let mut groups: Vec<VariantRows> = Vec::new();
        let mut index: HashMap<VariantKey, usize> = HashMap::new();
        for &r in &g.rows {
            let has_specimen = self.has_level(r, SPECIMEN);
            let keys: Vec<(VariantKey, bool)> = if let Some(d) = self.first(r, Field::VariantNo) {
                match d.text.parse::<u32>() {
                    Ok(n) if n > 0 => vec![(VariantKey::No(n), false)],
                    _ => {
                        self.problem(
                            Some(r),
                            record,
                            Some(d.col),
                            Some(d.field),
                            ProblemKind::Invalid,
                            format!("{} is not a variant number: write 1, 2, 3…", quoted(d.text)),
                        );
                        continue;
                    }
                }
            } else if let Some(d) = self.first(r, Field::Variants) {
                syntax::items(d.text, false)
                    .map(|i| (VariantKey::Name(syntax::unescape(i)), true))
                    .collect()
            } else if let Some(d) = self
                .first(r, Field::VariantName)
                .or_else(|| self.first(r, Field::VariantNameRu))
            {
                vec![(VariantKey::Name(d.text.to_owned()), false)]
            } else if has_specimen || self.has_level(r, VARIANT) {
                let m = self.first(r, Field::Materials).map_or("", |d| d.text);
                let p = self.first(r, Field::Plating).map_or("", |d| d.text);
                vec![(VariantKey::Derived(format!("{m}\u{1f}{p}")), false)]
            } else {
                continue;
            };
            for (i, (key, listed)) in keys.into_iter().enumerate() {
                // A type has few variants: look them up in a map only when it has many.
                let found = if groups.len() <= 8 {
                    groups.iter().position(|g| g.key == key)
                } else {
                    if index.is_empty() {
                        index.extend(groups.iter().enumerate().map(|(i, g)| (g.key.clone(), i)));
                    }
                    index.get(&key).copied()
                };
                let at = match found {
                    Some(at) => at,
                    None => {
                        if groups.len() > 8 {
                            index.insert(key.clone(), groups.len());
                        }
                        groups.push(VariantRows {
                            key,
                            listed,
                            rows: Vec::new(),
                            specimen_rows: Vec::new(),
                        });
                        groups.len() - 1
                    }
                };
                groups[at].rows.push(r);
                if i == 0 && has_specimen {
                    groups[at].specimen_rows.push(r);
                }
            }
        }
        // Numbered variants in their numbers' order, the others after them as they came.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&i| match groups[i].key {
            VariantKey::No(n) => (0, n, i),
            _ => (1, 0, i),
        });
        t.variants.reserve_exact(order.len());
        trace.variants.reserve_exact(order.len());
        for i in order {
            let (v, vt) = self.build_variant(&groups[i], record, t);
            t.variants.push(v);
            trace.variants.push(vt);
        }
    }

    fn build_variant(
        &mut self,
        vr: &VariantRows,
        record: &str,
        t: &BadgeType,
    ) -> (Variant, VariantTrace) {
        let first = vr.rows[0];
        let mut trace = VariantTrace {
            own: Trace::new(self.line(first)),
            specimens: Vec::new(),
        };
        let tr = &mut trace.own;
        let defs = self.defined(
            &vr.rows,
            VARIANT,
            &[Field::Variants, Field::VariantNo],
            record,
        );
        let mut v = Variant {
            id: None,
            name: self.bilingual(&defs, Field::VariantName, record, tr),
            materials: Vec::new(),
            plating: None,
            fitting: None,
            maker: String::new(),
            marks: Vec::new(),
            enamel: Text::default(),
            size_mm: None,
            weight_g: None,
            serial_numbers: None,
            notes: Text::default(),
            specimens: Vec::new(),
        };
        if let (VariantKey::Name(name), true) = (&vr.key, vr.listed) {
            if v.name.en.is_empty() {
                v.name.en = name.clone();
            }
            if let Some(d) = defs.iter().find(|d| d.field == Field::Variants) {
                tr.cell(Field::Variants, self.line(d.row), d.col);
            }
        }
        let material_defs: Vec<Def<'t>> = defs
            .iter()
            .filter(|d| d.field == Field::Materials)
            .copied()
            .collect();
        for d in &material_defs {
            let items: Vec<_> = syntax::items(d.text, true).map(syntax::unescaped).collect();
            let read = values::materials(items.iter().map(|i| i.as_ref()));
            if let Some((materials, plating)) = self.parse(d, record, tr, |_| read) {
                v.materials.extend(materials);
                if plating.is_some() {
                    v.plating = plating;
                }
            }
        }
        if let Some(d) = self.one(&defs, Field::Plating, record)
            && let Some(p) = self.parse(&d, record, tr, values::plating)
        {
            if v.plating.is_some_and(|q| q != p) {
                self.problem(
                    Some(d.row),
                    record,
                    Some(d.col),
                    Some(d.field),
                    ProblemKind::Disagrees,
                    format!(
                        "{} differs from the plating in the materials",
                        quoted(d.text)
                    ),
                );
            }
            v.plating = Some(p);
        }
        if let Some(d) = self.one(&defs, Field::Fitting, record) {
            v.fitting = self.parse(&d, record, tr, values::fitting);
        } else if vr.listed {
            // A listed variant names its fitting first ("V1 pin-back, large nut").
            v.fitting = values::fitting_in(&v.name.en).first().copied();
        }
        v.maker = self.text(&defs, Field::Maker, record, tr);
        for d in defs.iter().filter(|d| d.field == Field::Marks) {
            for raw in syntax::items(d.text, false) {
                let index = v.marks.len();
                if let Some(m) = self.item(d, record, super::items::mark(raw)) {
                    tr.item("marks", index, d.field, self.line(d.row), d.col);
                    v.marks.push(m);
                }
            }
        }
        v.enamel = self.bilingual(&defs, Field::Enamel, record, tr);
        if let Some(d) = self.one(&defs, Field::VariantSize, record) {
            v.size_mm = self.parse(&d, record, tr, |s| values::range(s, true));
        }
        if let Some(d) = self.one(&defs, Field::VariantWeight, record) {
            v.weight_g = self.parse(&d, record, tr, |s| values::range(s, false));
        }
        if let Some(d) = self.one(&defs, Field::SerialNumbers, record) {
            v.serial_numbers = self.parse(&d, record, tr, values::serial_numbers);
        }
        v.notes = self.bilingual(&defs, Field::VariantNotes, record, tr);
        if v.name.is_empty() {
            v.name = derived_name(&v.materials, v.plating);
        }
        // Specimens: numbered ones in their numbers' order, then the others.
        let mut numbered: HashMap<u32, usize> = HashMap::new();
        let mut order: Vec<(u32, usize)> = Vec::with_capacity(vr.specimen_rows.len());
        v.specimens.reserve_exact(vr.specimen_rows.len());
        trace.specimens.reserve_exact(vr.specimen_rows.len());
        for (i, &r) in vr.specimen_rows.iter().enumerate() {
            let no = match self.first(r, Field::SpecimenNo) {
                Some(d) => match d.text.parse::<u32>() {
                    Ok(n) if n > 0 => {
                        if let Some(&other) = numbered.get(&n) {
                            let message = format!(
                                "the specimen {n} of this variant is also on line {}",
                                self.line(other)
                            );
                            self.problem(
                                Some(r),
                                record,
                                Some(d.col),
                                Some(d.field),
                                ProblemKind::Duplicate,
                                message,
                            );
                            continue;
                        }
                        numbered.insert(n, r);
                        n
                    }
                    _ => {
                        self.problem(
                            Some(r),
                            record,
                            Some(d.col),
                            Some(d.field),
                            ProblemKind::Invalid,
                            format!(
                                "{} is not a specimen number: write 1, 2, 3…",
                                quoted(d.text)
                            ),
                        );
                        continue;
                    }
                },
                None => u32::MAX,
            };
            let (s, st) = self.build_specimen(r, record, t);
            order.push((no, i));
            v.specimens.push(s);
            trace.specimens.push(st);
        }
        if !order.is_sorted() {
            let mut pairs: Vec<_> = order
                .into_iter()
                .zip(
                    std::mem::take(&mut v.specimens)
                        .into_iter()
                        .zip(std::mem::take(&mut trace.specimens)),
                )
                .collect();
            pairs.sort_by_key(|p| p.0);
            (v.specimens, trace.specimens) = pairs.into_iter().map(|(_, p)| p).unzip();
        }
        (v, trace)
    }
}

/// The script an inscription is written in, from its letters.
fn script_of(text: &str) -> Script {
    let has = |range: std::ops::RangeInclusive<char>| text.chars().any(|c| range.contains(&c));
    if has('\u{1800}'..='\u{18AF}') {
        Script::Mongolian
    } else if has('\u{0400}'..='\u{04FF}') {
        Script::Cyrillic
    } else if text.chars().any(|c| c.is_ascii_alphabetic()) {
        Script::Latin
    } else {
        Script::Other
    }
}

/// A variant named by its materials, as the site names them: `Gold-plated silver, enamel`,
/// `Серебро с позолотой, эмаль`; `Standard`, `Основной` when nothing is known.
fn derived_name(materials: &[Material], plating: Option<Material>) -> Text {
    if materials.is_empty() && plating.is_none() {
        return Text {
            en: "Standard".into(),
            ru: "Основной".into(),
        };
    }
    let ru_word = |m: Material| match m {
        Material::Gold => "золото",
        Material::Silver => "серебро",
        Material::Platinum => "платина",
        Material::Bronze => "бронза",
        Material::Brass => "латунь",
        Material::Copper => "медь",
        Material::Tombac => "томпак",
        Material::Aluminium => "алюминий",
        Material::Steel => "сталь",
        Material::Enamel => "эмаль",
    };
    let mut en: Vec<String> = Vec::new();
    let mut ru: Vec<String> = Vec::new();
    for (i, m) in materials.iter().enumerate() {
        match (i, plating) {
            (0, Some(p)) => {
                en.push(format!("{}-plated {}", p.key(), m.key()));
                ru.push(match p {
                    Material::Gold => format!("{} с позолотой", ru_word(*m)),
                    Material::Silver => format!("{} с серебрением", ru_word(*m)),
                    p => format!("{} (покрытие: {})", ru_word(*m), ru_word(p)),
                });
            }
            _ => {
                en.push(m.key().to_owned());
                ru.push(ru_word(*m).to_owned());
            }
        }
    }
    if materials.is_empty()
        && let Some(p) = plating
    {
        en.push(format!("{}-plated", p.key()));
        ru.push(format!("покрытие: {}", ru_word(p)));
    }
    let capital = |s: String| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => s,
        }
    };
    Text {
        en: capital(en.join(", ")),
        ru: capital(ru.join(", ")),
    }
}
