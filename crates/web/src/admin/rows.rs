//! Repeating parts of a record edited inside its form, without JavaScript: a specimen's
//! engravings, hallmarks and measurements, a variant's marks. Each list is a run of rows whose
//! inputs are named `{list}_{row}_{column}` (`engravings_0_text`); the form shows every stored
//! row and one empty row for a new one. On submit a row left empty is ignored, a row with its
//! `remove` box ticked is dropped, and the rest are renumbered in order, so row `i` of the form
//! is item `i` of the record and a domain error on `engravings[1].text` lands beside
//! `engravings_1_text`.

use std::collections::BTreeMap;

use vitrina_catalogue::{
    Amount, Area, Dimension, Engraving, Hallmark, MarkKind, Measurement, Placement, Quantity, Side,
    Text, Unit,
};

use super::forms::{Fields, Form, add, key_of, parse_key};

/// The most rows one list may have in one form (the domain allows more, by import).
pub(crate) const MAX_ROWS: usize = 200;

/// One repeating list: its name and its columns (besides `remove`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct List {
    pub name: &'static str,
    pub cols: &'static [&'static str],
}

pub(crate) const ENGRAVINGS: List = List {
    name: "engravings",
    cols: &["text", "side", "area", "description_en", "description_ru"],
};
pub(crate) const HALLMARKS: List = List {
    name: "hallmarks",
    cols: &[
        "kind",
        "absent",
        "side",
        "area",
        "description_en",
        "description_ru",
    ],
};
pub(crate) const MEASUREMENTS: List = List {
    name: "measurements",
    cols: &["dimension", "amount", "unit", "approximate"],
};
pub(crate) const MARKS: List = List {
    name: "marks",
    cols: &["en", "ru"],
};

pub(crate) const SPECIMEN_LISTS: &[List] = &[ENGRAVINGS, HALLMARKS, MEASUREMENTS];
pub(crate) const VARIANT_LISTS: &[List] = &[MARKS];

fn name(list: &str, row: usize, col: &str) -> String {
    format!("{list}_{row}_{col}")
}

/// `engravings_3_text` → (3, "text") when it belongs to `list`.
fn split(key: &str, list: &List) -> Option<(usize, &'static str)> {
    let rest = key.strip_prefix(list.name)?.strip_prefix('_')?;
    let (n, col) = rest.split_once('_')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.len() > 6 {
        return None;
    }
    let col = list
        .cols
        .iter()
        .chain(std::iter::once(&"remove"))
        .find(|c| **c == col)?;
    Some((n.parse().ok()?, col))
}

/// Sets the rows of `list` in `form` to `rows` (each a value per column), plus one empty row.
fn set_rows(form: &mut Form, list: &List, rows: Vec<BTreeMap<&'static str, String>>) {
    let count = rows.len() + 1;
    for (i, row) in rows
        .into_iter()
        .chain(std::iter::once(BTreeMap::new()))
        .enumerate()
    {
        for col in list.cols.iter().chain(std::iter::once(&"remove")) {
            let value = row.get(col).cloned().unwrap_or_default();
            form.values.insert(name(list.name, i, col), value);
        }
    }
    form.rows.insert(list.name.to_owned(), count);
}

/// Reads the rows of `lists` from a submitted form into `form`: empty and removed rows dropped,
/// the rest renumbered in their order, and one empty row after them.
pub(crate) fn read(fields: &Fields, form: &mut Form, lists: &[List]) {
    for list in lists {
        let mut rows: BTreeMap<usize, BTreeMap<&'static str, String>> = BTreeMap::new();
        let mut too_many = false;
        for (key, value) in &fields.0 {
            let Some((i, col)) = split(key, list) else {
                continue;
            };
            if !rows.contains_key(&i) && rows.len() >= MAX_ROWS {
                too_many = true;
                continue;
            }
            // The first value of a name wins, as for every other field.
            rows.entry(i)
                .or_default()
                .entry(col)
                .or_insert_with(|| value.clone());
        }
        let kept: Vec<_> = rows
            .into_values()
            .filter(|row| row.get("remove").is_none_or(|v| v.is_empty()))
            .filter(|row| row.values().any(|v| !v.trim().is_empty()))
            .collect();
        set_rows(form, list, kept);
        if too_many {
            add(
                &mut form.errors,
                list.name,
                format!("at most {MAX_ROWS} rows in one form"),
            );
        }
    }
}

/// The indices of the filled rows of `list` (every row but the trailing empty one).
fn filled(form: &Form, list: &List) -> std::ops::Range<usize> {
    0..form
        .rows
        .get(list.name)
        .copied()
        .unwrap_or(1)
        .saturating_sub(1)
}

fn choice<T: serde::de::DeserializeOwned>(
    form: &mut Form,
    field: &str,
    what: &str,
    required: bool,
) -> Option<T> {
    let raw = form.get(field).trim().to_owned();
    if raw.is_empty() {
        if required {
            add(&mut form.errors, field, format!("choose the {what}"));
        }
        return None;
    }
    let found = parse_key(&raw);
    if found.is_none() {
        add(&mut form.errors, field, format!("unknown {what} {raw:?}"));
    }
    found
}

fn placement(form: &mut Form, list: &str, i: usize) -> Option<Placement> {
    let side_field = name(list, i, "side");
    let area_field = name(list, i, "area");
    let side: Option<Side> = choice(form, &side_field, "side", false);
    let area: Option<Area> = choice(form, &area_field, "area", false);
    match (side, area) {
        (Some(side), area) => Some(Placement { side, area }),
        (None, Some(_)) if form.get(&side_field).trim().is_empty() => {
            add(
                &mut form.errors,
                &side_field,
                "choose the side the area is on",
            );
            None
        }
        _ => None,
    }
}

fn text(form: &Form, list: &str, i: usize, prefix: &str) -> Text {
    Text {
        en: form
            .get(&name(list, i, &format!("{prefix}_en")))
            .trim()
            .to_owned(),
        ru: form
            .get(&name(list, i, &format!("{prefix}_ru")))
            .trim()
            .to_owned(),
    }
}

fn ticked(form: &Form, field: &str) -> bool {
    !form.get(field).is_empty()
}

/// Writes the engravings, hallmarks and measurements of the form's rows (see [`read`]) as the
/// specimen's; rows that cannot be read get a message beside the field.
pub(crate) fn apply_specimen_rows(
    form: &mut Form,
    engravings: &mut Vec<Engraving>,
    hallmarks: &mut Vec<Hallmark>,
    measurements: &mut Vec<Measurement>,
) {
    let l = ENGRAVINGS.name;
    *engravings = filled(form, &ENGRAVINGS)
        .map(|i| Engraving {
            text: form.get(&name(l, i, "text")).trim().to_owned(),
            position: placement(form, l, i),
            description: text(form, l, i, "description"),
        })
        .collect();

    let l = HALLMARKS.name;
    let mut marks = Vec::new();
    for i in filled(form, &HALLMARKS) {
        let kind: Option<MarkKind> = choice(form, &name(l, i, "kind"), "kind of mark", true);
        let position = placement(form, l, i);
        let present = !ticked(form, &name(l, i, "absent"));
        if let Some(kind) = kind {
            marks.push(Hallmark {
                kind,
                present,
                position,
                description: text(form, l, i, "description"),
            });
        }
    }
    *hallmarks = marks;

    let l = MEASUREMENTS.name;
    let mut out = Vec::new();
    for i in filled(form, &MEASUREMENTS) {
        let dimension: Option<Dimension> =
            choice(form, &name(l, i, "dimension"), "dimension", true);
        let amount_field = name(l, i, "amount");
        let raw = form.get(&amount_field).to_owned();
        let amount = match Amount::parse(&raw) {
            Ok(a) => Some(a),
            Err(e) => {
                add(&mut form.errors, &amount_field, e.to_string());
                None
            }
        };
        let unit: Option<Unit> = choice(form, &name(l, i, "unit"), "unit", true);
        let approximate = ticked(form, &name(l, i, "approximate"));
        if let (Some(dimension), Some(value), Some(unit)) = (dimension, amount, unit) {
            out.push(Measurement {
                dimension,
                quantity: Quantity {
                    value,
                    unit,
                    approximate,
                },
            });
        }
    }
    *measurements = out;
}

/// Writes the variant's marks from the form's rows.
pub(crate) fn apply_marks(form: &Form, marks: &mut Vec<Text>) {
    *marks = filled(form, &MARKS)
        .map(|i| Text {
            en: form.get(&name(MARKS.name, i, "en")).trim().to_owned(),
            ru: form.get(&name(MARKS.name, i, "ru")).trim().to_owned(),
        })
        .collect();
}

fn row(pairs: &[(&'static str, String)]) -> BTreeMap<&'static str, String> {
    pairs.iter().cloned().collect()
}

fn side_area(p: Option<&Placement>) -> [(&'static str, String); 2] {
    [
        ("side", p.map(|p| key_of(&p.side)).unwrap_or_default()),
        (
            "area",
            p.and_then(|p| p.area.as_ref())
                .map(key_of)
                .unwrap_or_default(),
        ),
    ]
}

/// The specimen's lists as rows of `form`.
pub(crate) fn specimen_rows(
    form: &mut Form,
    engravings: &[Engraving],
    hallmarks: &[Hallmark],
    measurements: &[Measurement],
) {
    let rows = engravings
        .iter()
        .map(|e| {
            let [side, area] = side_area(e.position.as_ref());
            row(&[
                ("text", e.text.clone()),
                side,
                area,
                ("description_en", e.description.en.clone()),
                ("description_ru", e.description.ru.clone()),
            ])
        })
        .collect();
    set_rows(form, &ENGRAVINGS, rows);
    let rows = hallmarks
        .iter()
        .map(|h| {
            let [side, area] = side_area(h.position.as_ref());
            row(&[
                ("kind", key_of(&h.kind)),
                ("absent", if h.present { "" } else { "on" }.to_owned()),
                side,
                area,
                ("description_en", h.description.en.clone()),
                ("description_ru", h.description.ru.clone()),
            ])
        })
        .collect();
    set_rows(form, &HALLMARKS, rows);
    let rows = measurements
        .iter()
        .map(|m| {
            row(&[
                ("dimension", key_of(&m.dimension)),
                ("amount", m.quantity.value.to_string()),
                ("unit", key_of(&m.quantity.unit)),
                (
                    "approximate",
                    if m.quantity.approximate { "on" } else { "" }.to_owned(),
                ),
            ])
        })
        .collect();
    set_rows(form, &MEASUREMENTS, rows);
}

/// The variant's marks as rows of `form`.
pub(crate) fn mark_rows(form: &mut Form, marks: &[Text]) {
    let rows = marks
        .iter()
        .map(|m| row(&[("en", m.en.clone()), ("ru", m.ru.clone())]))
        .collect();
    set_rows(form, &MARKS, rows);
}

/// Where a domain path inside a list belongs: `engravings[0].position.side` → `engravings_0_side`,
/// `measurements[1].value` → `measurements_1_amount`, `marks[2].en` → `marks_2_en`,
/// `engravings[0]` → `engravings_0` (the row as a whole). `None` when `rest` is in no list.
pub(crate) fn route(rest: &str) -> Option<String> {
    let lists = SPECIMEN_LISTS.iter().chain(VARIANT_LISTS);
    for list in lists {
        let Some(tail) = rest.strip_prefix(list.name) else {
            continue;
        };
        let Some(tail) = tail.strip_prefix('[') else {
            return Some(list.name.to_owned());
        };
        let (n, sub) = tail.split_once(']')?;
        let n: usize = n.parse().ok()?;
        let sub = sub.strip_prefix('.').unwrap_or(sub).replace('.', "_");
        let col = match sub.as_str() {
            "" => return Some(format!("{}_{n}", list.name)),
            s if s.starts_with("position_area") => "area".to_owned(),
            s if s.starts_with("position") => "side".to_owned(),
            "value" | "quantity_value" => "amount".to_owned(),
            "quantity_unit" => "unit".to_owned(),
            "present" => "absent".to_owned(),
            "description" => "description_en".to_owned(),
            s => s.to_owned(),
        };
        return Some(name(list.name, n, &col));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn empty_and_removed_rows_are_dropped_and_the_rest_renumbered() {
        let f = fields(&[
            ("engravings_0_text", "A"),
            ("engravings_0_remove", "on"),
            ("engravings_5_text", "B"),
            ("engravings_7_text", ""),
            ("engravings_9_text", "C"),
            ("engravings_x_text", "ignored"),
            ("engravings_1_evil", "ignored"),
        ]);
        let mut form = Form::default();
        read(&f, &mut form, SPECIMEN_LISTS);
        assert_eq!(form.rows["engravings"], 3);
        assert_eq!(form.get("engravings_0_text"), "B");
        assert_eq!(form.get("engravings_1_text"), "C");
        assert_eq!(form.get("engravings_2_text"), "");
        assert_eq!(form.rows["measurements"], 1);
    }

    #[test]
    fn unreadable_rows_are_explained_beside_their_field() {
        let f = fields(&[
            ("measurements_0_dimension", "thickness"),
            ("measurements_0_amount", "1//8"),
            ("measurements_0_unit", "furlong"),
            ("hallmarks_0_kind", "nonsense"),
            ("hallmarks_0_side", "inside"),
        ]);
        let mut form = Form::default();
        read(&f, &mut form, SPECIMEN_LISTS);
        let (mut e, mut h, mut m) = (vec![], vec![], vec![]);
        apply_specimen_rows(&mut form, &mut e, &mut h, &mut m);
        for field in [
            "measurements_0_amount",
            "measurements_0_unit",
            "hallmarks_0_kind",
            "hallmarks_0_side",
        ] {
            assert!(
                form.errors.contains_key(field),
                "{field}: {:?}",
                form.errors
            );
        }
        assert_eq!(form.get("measurements_0_amount"), "1//8");
    }

    #[test]
    fn domain_paths_inside_lists_find_their_row() {
        assert_eq!(
            route("engravings[0].position").as_deref(),
            Some("engravings_0_side")
        );
        assert_eq!(
            route("measurements[1].unit").as_deref(),
            Some("measurements_1_unit")
        );
        assert_eq!(route("marks[2].en").as_deref(), Some("marks_2_en"));
        assert_eq!(route("engravings[3]").as_deref(), Some("engravings_3"));
        assert_eq!(route("hallmarks").as_deref(), Some("hallmarks"));
        assert_eq!(route("notes.en"), None);
    }
}
