//! The curator's forms as flat maps of strings, so a form is always re-rendered from exactly
//! what was typed — a date that does not parse, a weight that is not a number — and never loses
//! input. Each form converts from a record (to show it) and onto a record (to save it), adding a
//! message under the field's own name for anything it cannot read; the domain's
//! `ValidationErrors` (paths like `variants[0].weight_g`) are routed to the same names by
//! [`route_errors`].

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use vitrina_catalogue::{
    BadgeType, Category, Event, Issuer, OriginalName, PartialDate, Period, Photo, Price, Range,
    Reference, SerialRange, Slug, Specimen, SpecimenPrivate, Text, ValidationErrors, Variant,
};

use super::rows;

/// A submitted form: its fields in order, repeated names kept (checkbox groups).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// Fields sent as a group of checkboxes, one value each.
const MULTI_FIELDS: &[&str] = &["materials"];

/// Field name → message(s), for one form.
pub(crate) type Errors = BTreeMap<String, String>;

pub(crate) fn add(errors: &mut Errors, field: &str, message: impl Into<String>) {
    let message = message.into();
    errors
        .entry(field.to_owned())
        .and_modify(|m| {
            m.push_str("; ");
            m.push_str(&message);
        })
        .or_insert(message);
}

/// One form as shown: its values by field name and its errors by field name.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Form {
    pub values: BTreeMap<String, String>,
    pub errors: Errors,
    /// How many rows each repeating list shows (see [`super::rows`]), its empty row included.
    pub rows: BTreeMap<String, usize>,
    /// What the names of its fields start with on the type's page, which is one form:
    /// `v0.s1.` for the second piece of the first variant, "" for the type's own fields.
    pub prefix: String,
}

impl Form {
    /// The submitted values of `names`, each "" when absent; a field ticked as a group of
    /// checkboxes ([`MULTI_FIELDS`]) keeps every value, as "a, b".
    pub fn from_fields(fields: &Fields, names: &[&str]) -> Self {
        let values = names
            .iter()
            .map(|n| {
                let value = if MULTI_FIELDS.contains(n) {
                    fields.all(n).join(", ")
                } else {
                    fields.get(n).to_owned()
                };
                ((*n).to_owned(), value)
            })
            .collect();
        Self {
            values,
            ..Self::default()
        }
    }

    fn of(pairs: Vec<(&str, String)>) -> Self {
        Self {
            values: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            ..Self::default()
        }
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn text(&self, prefix: &str) -> Text {
        Text {
            en: self.get(&format!("{prefix}_en")).to_owned(),
            ru: self.get(&format!("{prefix}_ru")).to_owned(),
        }
    }

    fn string(&self, name: &str) -> String {
        self.get(name).trim().to_owned()
    }

    fn date(&mut self, name: &str) -> Option<PartialDate> {
        let raw = self.get(name).trim().to_owned();
        if raw.is_empty() {
            return None;
        }
        match PartialDate::parse(&raw) {
            Ok(d) => Some(d),
            Err(e) => {
                add(
                    &mut self.errors,
                    name,
                    format!(
                        "{e} (write a year, a month or a day: 1938, 1940-05, 1932-06-15, 193X, \
                         1935~)"
                    ),
                );
                None
            }
        }
    }

    fn number(&mut self, name: &str) -> Option<f64> {
        let raw = self.get(name).trim().replace(',', ".");
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                add(&mut self.errors, name, "not a number");
                None
            }
        }
    }

    fn range(&mut self, name: &str) -> Option<Range> {
        let min = self.number(&format!("{name}_min"));
        let max = self.number(&format!("{name}_max"));
        match (min, max) {
            (None, None) => None,
            (Some(a), None) | (None, Some(a)) => Some(Range { min: a, max: a }),
            (Some(min), Some(max)) => Some(Range { min, max }),
        }
    }

    fn choice<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        let raw = self.get(name).trim().to_owned();
        if raw.is_empty() {
            return None;
        }
        match parse_key(&raw) {
            Some(v) => Some(v),
            None => {
                add(&mut self.errors, name, format!("unknown value {raw:?}"));
                None
            }
        }
    }
}

/// An enum from its key (`silver`, `screw_back`).
pub(crate) fn parse_key<T: DeserializeOwned>(raw: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
}

/// The key of an enum value (`silver`).
pub(crate) fn key_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn opt_key<T: Serialize>(v: Option<&T>) -> String {
    v.map(key_of).unwrap_or_default()
}

fn num(n: f64) -> String {
    n.to_string()
}

fn date_str(d: Option<&PartialDate>) -> String {
    d.map(ToString::to_string).unwrap_or_default()
}

// The type's own fields.

pub(crate) const TYPE_FIELDS: &[&str] = &[
    "version",
    "slug",
    "position",
    "published",
    "names_en",
    "names_ru",
    "names_original_text",
    "names_original_script",
    "names_original_language",
    "issuer_abbreviation",
    "issuer_abbreviation_latin",
    "issuer_name_en",
    "issuer_name_ru",
    "established",
    "period_from",
    "period_to",
    "event_name_en",
    "event_name_ru",
    "event_date",
    "event_place_en",
    "event_place_ru",
    "description_en",
    "description_ru",
    "references",
];

/// The type's fields as a form. Categories are a checkbox group, kept apart.
pub(crate) fn type_form(t: &BadgeType) -> Form {
    let original = t.names.original.as_ref();
    let issuer = t.issuer.as_ref();
    let event = t.event.as_ref();
    Form::of(vec![
        ("version", t.version.to_string()),
        ("slug", t.slug.to_string()),
        ("position", t.position.to_string()),
        ("published", if t.published { "on" } else { "" }.to_owned()),
        ("names_en", t.names.en.clone()),
        ("names_ru", t.names.ru.clone()),
        (
            "names_original_text",
            original.map(|o| o.text.clone()).unwrap_or_default(),
        ),
        (
            "names_original_script",
            opt_key(original.map(|o| &o.script)),
        ),
        (
            "names_original_language",
            original.map(|o| o.language.clone()).unwrap_or_default(),
        ),
        (
            "issuer_abbreviation",
            issuer.map(|i| i.abbreviation.clone()).unwrap_or_default(),
        ),
        (
            "issuer_abbreviation_latin",
            issuer
                .map(|i| i.abbreviation_latin.clone())
                .unwrap_or_default(),
        ),
        (
            "issuer_name_en",
            issuer.map(|i| i.name.en.clone()).unwrap_or_default(),
        ),
        (
            "issuer_name_ru",
            issuer.map(|i| i.name.ru.clone()).unwrap_or_default(),
        ),
        ("established", date_str(t.established.as_ref())),
        ("period_from", date_str(t.period.as_ref().map(|p| &p.from))),
        (
            "period_to",
            date_str(t.period.as_ref().and_then(|p| p.to.as_ref())),
        ),
        (
            "event_name_en",
            event.map(|e| e.name.en.clone()).unwrap_or_default(),
        ),
        (
            "event_name_ru",
            event.map(|e| e.name.ru.clone()).unwrap_or_default(),
        ),
        ("event_date", date_str(event.and_then(|e| e.date.as_ref()))),
        (
            "event_place_en",
            event.map(|e| e.place.en.clone()).unwrap_or_default(),
        ),
        (
            "event_place_ru",
            event.map(|e| e.place.ru.clone()).unwrap_or_default(),
        ),
        ("description_en", t.description.en.clone()),
        ("description_ru", t.description.ru.clone()),
        (
            "references",
            t.references
                .iter()
                .map(|r| match &r.url {
                    Some(u) => format!("{} | {u}", r.citation),
                    None => r.citation.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ])
}

/// Writes the form onto `t` (children untouched). Unreadable fields are left as they were and
/// get a message in `form.errors`.
pub(crate) fn apply_type(form: &mut Form, categories: &[String], t: &mut BadgeType) {
    match Slug::parse(form.get("slug").trim()) {
        Ok(s) => t.slug = s,
        Err(e) => add(&mut form.errors, "slug", e.to_string()),
    }
    let position = form.get("position").trim().to_owned();
    if !position.is_empty() {
        match position.parse() {
            Ok(p) => t.position = p,
            Err(_) => add(&mut form.errors, "position", "not a whole number"),
        }
    }
    t.published = !form.get("published").is_empty();
    t.names.en = form.string("names_en");
    t.names.ru = form.string("names_ru");
    let script = form.choice("names_original_script");
    let original_text = form.string("names_original_text");
    let language = form.string("names_original_language");
    t.names.original = match script {
        Some(script) => Some(OriginalName {
            text: original_text,
            script,
            language,
        }),
        None if original_text.is_empty() && language.is_empty() => None,
        None => {
            add(
                &mut form.errors,
                "names_original_script",
                "choose the script of the original name",
            );
            t.names.original.clone()
        }
    };
    let issuer = Issuer {
        abbreviation: form.string("issuer_abbreviation"),
        abbreviation_latin: form.string("issuer_abbreviation_latin"),
        name: form.text("issuer_name"),
    };
    t.issuer = (issuer != Issuer::default()).then_some(issuer);
    t.established = form.date("established");
    let from = form.date("period_from");
    let to = form.date("period_to");
    t.period = match (from, to) {
        (Some(from), to) => Some(Period { from, to }),
        (None, None) => None,
        (None, Some(_)) => {
            add(&mut form.errors, "period_from", "a period needs its start");
            None
        }
    };
    let event = Event {
        name: form.text("event_name"),
        date: form.date("event_date"),
        place: form.text("event_place"),
    };
    t.event = (event != Event::default()).then_some(event);
    t.description = form.text("description");
    t.references = form
        .get("references")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.rsplit_once(" | ") {
            Some((citation, url)) => Reference {
                citation: citation.trim().to_owned(),
                url: Some(url.trim().to_owned()),
            },
            None => Reference {
                citation: l.to_owned(),
                url: None,
            },
        })
        .collect();
    let mut slugs = Vec::new();
    for c in categories {
        match Slug::parse(c) {
            Ok(s) if !slugs.contains(&s) => slugs.push(s),
            Ok(_) => {}
            Err(_) => add(
                &mut form.errors,
                "categories",
                format!("there is no category {c:?}"),
            ),
        }
    }
    t.categories = slugs;
}

// Variants.

pub(crate) const VARIANT_FIELDS: &[&str] = &[
    "name_en",
    "name_ru",
    "materials",
    "plating",
    "fitting",
    "maker",
    "enamel_en",
    "enamel_ru",
    "size_mm_min",
    "size_mm_max",
    "weight_g_min",
    "weight_g_max",
    "serial_numbers_from",
    "serial_numbers_to",
    "notes_en",
    "notes_ru",
];

pub(crate) fn variant_form(v: &Variant) -> Form {
    let range = |r: Option<&Range>, min: bool| {
        r.map(|r| num(if min { r.min } else { r.max }))
            .unwrap_or_default()
    };
    let serial = |from: bool| {
        v.serial_numbers
            .map(|s| if from { s.from } else { s.to }.to_string())
            .unwrap_or_default()
    };
    let mut form = Form::of(vec![
        ("name_en", v.name.en.clone()),
        ("name_ru", v.name.ru.clone()),
        (
            "materials",
            v.materials
                .iter()
                .map(key_of)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("plating", opt_key(v.plating.as_ref())),
        ("fitting", opt_key(v.fitting.as_ref())),
        ("maker", v.maker.clone()),
        ("enamel_en", v.enamel.en.clone()),
        ("enamel_ru", v.enamel.ru.clone()),
        ("size_mm_min", range(v.size_mm.as_ref(), true)),
        ("size_mm_max", range(v.size_mm.as_ref(), false)),
        ("weight_g_min", range(v.weight_g.as_ref(), true)),
        ("weight_g_max", range(v.weight_g.as_ref(), false)),
        ("serial_numbers_from", serial(true)),
        ("serial_numbers_to", serial(false)),
        ("notes_en", v.notes.en.clone()),
        ("notes_ru", v.notes.ru.clone()),
    ]);
    rows::mark_rows(&mut form, &v.marks);
    form
}

pub(crate) fn apply_variant(form: &mut Form, v: &mut Variant) {
    v.name = form.text("name");
    let mut materials = Vec::new();
    for m in form
        .get("materials")
        .split([',', ' '])
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>()
    {
        match parse_key(&m.to_lowercase()) {
            Some(m) if !materials.contains(&m) => materials.push(m),
            Some(_) => {}
            None => add(
                &mut form.errors,
                "materials",
                format!("unknown material {m:?}"),
            ),
        }
    }
    v.materials = materials;
    v.plating = form.choice("plating");
    v.fitting = form.choice("fitting");
    v.maker = form.string("maker");
    v.enamel = form.text("enamel");
    v.size_mm = form.range("size_mm");
    v.weight_g = form.range("weight_g");
    v.serial_numbers = serial_range(form);
    v.notes = form.text("notes");
    rows::apply_marks(form, &mut v.marks);
}

/// The serial-number range: both ends, or one end for a single number.
fn serial_range(form: &mut Form) -> Option<SerialRange> {
    let mut end = |name: &str| -> Option<u32> {
        let raw = form.get(name).trim().to_owned();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                add(
                    &mut form.errors,
                    "serial_numbers",
                    format!("{raw:?} is not a whole number from 0 to {}", u32::MAX),
                );
                None
            }
        }
    };
    let from = end("serial_numbers_from");
    let to = end("serial_numbers_to");
    match (from, to) {
        (None, None) => None,
        (Some(n), None) | (None, Some(n)) => Some(SerialRange { from: n, to: n }),
        (Some(from), Some(to)) => Some(SerialRange { from, to }),
    }
}

/// A new, empty variant (its name is required: the form asks for it).
pub(crate) fn new_variant() -> Variant {
    Variant {
        id: None,
        name: Text::default(),
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
    }
}

// Specimens, with their private fields.

pub(crate) const SPECIMEN_FIELDS: &[&str] = &[
    "inventory_number",
    "condition",
    "rarity",
    "notes_en",
    "notes_ru",
    "private_provenance",
    "private_acquired",
    "private_price_amount",
    "private_price_currency",
    "private_storage_location",
    "private_notes",
];

pub(crate) fn specimen_form(s: &Specimen) -> Form {
    let p = s.private.clone().unwrap_or_default();
    let mut form = Form::of(vec![
        ("inventory_number", s.inventory_number.clone()),
        ("condition", opt_key(s.condition.as_ref())),
        ("rarity", opt_key(s.rarity.as_ref())),
        ("notes_en", s.notes.en.clone()),
        ("notes_ru", s.notes.ru.clone()),
        ("private_provenance", p.provenance),
        ("private_acquired", date_str(p.acquired.as_ref())),
        (
            "private_price_amount",
            p.price
                .as_ref()
                .map(|x| x.amount.clone())
                .unwrap_or_default(),
        ),
        (
            "private_price_currency",
            p.price
                .as_ref()
                .map(|x| x.currency.clone())
                .unwrap_or_default(),
        ),
        ("private_storage_location", p.storage_location),
        ("private_notes", p.notes),
    ]);
    rows::specimen_rows(&mut form, &s.engravings, &s.hallmarks, &s.measurements);
    form
}

pub(crate) fn apply_specimen(form: &mut Form, s: &mut Specimen) {
    s.inventory_number = form.string("inventory_number");
    s.condition = form.choice("condition");
    s.rarity = form.choice("rarity");
    s.notes = form.text("notes");
    rows::apply_specimen_rows(
        form,
        &mut s.engravings,
        &mut s.hallmarks,
        &mut s.measurements,
    );
    let amount = form.string("private_price_amount");
    let currency = form.string("private_price_currency").to_uppercase();
    let price = if amount.is_empty() && currency.is_empty() {
        None
    } else {
        Some(Price { amount, currency })
    };
    // An empty value clears what is stored (see `TypeStore::save_type`).
    s.private = Some(SpecimenPrivate {
        provenance: form.string("private_provenance"),
        acquired: form.date("private_acquired"),
        price,
        storage_location: form.string("private_storage_location"),
        notes: form.get("private_notes").to_owned(),
    });
}

pub(crate) fn new_specimen() -> Specimen {
    Specimen {
        id: None,
        inventory_number: String::new(),
        engravings: Vec::new(),
        hallmarks: Vec::new(),
        measurements: Vec::new(),
        condition: None,
        rarity: None,
        notes: Text::default(),
        photos: Vec::new(),
        private: None,
    }
}

// Photos: metadata only (upload lives elsewhere).

pub(crate) const PHOTO_FIELDS: &[&str] = &[
    "role",
    "alt_en",
    "alt_ru",
    "caption_en",
    "caption_ru",
    "credit",
];

pub(crate) fn photo_form(p: &Photo) -> Form {
    Form::of(vec![
        ("role", key_of(&p.role)),
        ("alt_en", p.alt.en.clone()),
        ("alt_ru", p.alt.ru.clone()),
        ("caption_en", p.caption.en.clone()),
        ("caption_ru", p.caption.ru.clone()),
        ("credit", p.credit.clone()),
    ])
}

pub(crate) fn apply_photo(form: &mut Form, p: &mut Photo) {
    match form.choice("role") {
        Some(r) => p.role = r,
        None => add(&mut form.errors, "role", "choose a role"),
    }
    p.alt = form.text("alt");
    p.caption = form.text("caption");
    p.credit = form.string("credit");
}

// Categories.

pub(crate) const CATEGORY_FIELDS: &[&str] = &[
    "version",
    "slug",
    "position",
    "published",
    "title_en",
    "title_ru",
    "introduction_en",
    "introduction_ru",
];

pub(crate) fn category_form(c: &Category) -> Form {
    Form::of(vec![
        ("version", c.version.to_string()),
        ("slug", c.slug.to_string()),
        ("position", c.position.to_string()),
        ("published", if c.published { "on" } else { "" }.to_owned()),
        ("title_en", c.title.en.clone()),
        ("title_ru", c.title.ru.clone()),
        ("introduction_en", c.introduction.en.clone()),
        ("introduction_ru", c.introduction.ru.clone()),
    ])
}

pub(crate) fn apply_category(form: &mut Form, c: &mut Category) {
    match Slug::parse(form.get("slug").trim()) {
        Ok(s) => c.slug = s,
        Err(e) => add(&mut form.errors, "slug", e.to_string()),
    }
    let position = form.get("position").trim().to_owned();
    if !position.is_empty() {
        match position.parse() {
            Ok(p) => c.position = p,
            Err(_) => add(&mut form.errors, "position", "not a whole number"),
        }
    }
    c.published = !form.get("published").is_empty();
    c.title = form.text("title");
    c.introduction = form.text("introduction");
}

/// The version a form was read at; a missing or garbled one can only be stale.
pub(crate) fn version_of(form: &Form) -> i64 {
    form.get("version").trim().parse().unwrap_or(-1)
}

/// Where a domain error path belongs on the type page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Slot {
    Main,
    Variant(usize),
    Specimen(usize, usize),
    TypePhoto(usize),
    SpecimenPhoto(usize, usize, usize),
}

/// Splits `variants[3].rest` into (3, "rest").
fn index(path: &str, name: &str) -> Option<(usize, String)> {
    let rest = path.strip_prefix(name)?.strip_prefix('[')?;
    let (n, rest) = rest.split_once(']')?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    Some((n.parse().ok()?, rest.to_owned()))
}

/// The slot a domain path belongs to and the field name it has there: `variants[0].weight_g.min`
/// is variant 0's `weight_g`; `references[2].url` is the main form's `references`.
pub(crate) fn route(path: &str) -> (Slot, String) {
    let (slot, rest) = if let Some((v, rest)) = index(path, "variants") {
        if let Some((s, rest)) = index(&rest, "specimens") {
            if let Some((p, rest)) = index(&rest, "photos") {
                (Slot::SpecimenPhoto(v, s, p), rest)
            } else {
                (Slot::Specimen(v, s), rest)
            }
        } else {
            (Slot::Variant(v), rest)
        }
    } else if let Some((p, rest)) = index(path, "photos") {
        (Slot::TypePhoto(p), rest)
    } else {
        (Slot::Main, path.to_owned())
    };
    if matches!(slot, Slot::Variant(_) | Slot::Specimen(..))
        && let Some(field) = super::rows::route(&rest)
    {
        return (slot, field);
    }
    let rest = rest.split('[').next().unwrap_or("");
    let mut field = rest.replace('.', "_");
    // Ranges are one pair of inputs: `weight_g_min` → `weight_g`.
    for range in ["size_mm", "weight_g"] {
        if field.starts_with(range) {
            field = range.to_owned();
        }
    }
    if field.starts_with("private_price") {
        field = if field.ends_with("currency") {
            "private_price_currency".into()
        } else {
            "private_price_amount".into()
        };
    }
    if field.is_empty() {
        field = "record".into();
    }
    (slot, field)
}

/// Every domain error, by slot and field.
pub(crate) fn route_errors(errors: &ValidationErrors) -> BTreeMap<Slot, Errors> {
    let mut out: BTreeMap<Slot, Errors> = BTreeMap::new();
    for e in &errors.0 {
        let (slot, field) = route(&e.field);
        add(out.entry(slot).or_default(), &field, e.message.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_paths_find_their_form_and_field() {
        assert_eq!(route("names.en"), (Slot::Main, "names_en".into()));
        assert_eq!(
            route("references[2].url"),
            (Slot::Main, "references".into())
        );
        assert_eq!(
            route("variants[1].weight_g"),
            (Slot::Variant(1), "weight_g".into())
        );
        assert_eq!(
            route("variants[0].specimens[2].private.price.currency"),
            (Slot::Specimen(0, 2), "private_price_currency".into())
        );
        assert_eq!(
            route("variants[0].specimens[2].photos[1].alt.en"),
            (Slot::SpecimenPhoto(0, 2, 1), "alt_en".into())
        );
        assert_eq!(route("photos[0].file"), (Slot::TypePhoto(0), "file".into()));
    }

    #[test]
    fn unreadable_input_is_kept_and_explained() {
        let fields = Fields(vec![
            ("established".into(), "1938-13".into()),
            ("slug".into(), "Not a slug!".into()),
            ("names_en".into(), "Name".into()),
        ]);
        let mut form = Form::from_fields(&fields, TYPE_FIELDS);
        let mut t = crate::admin::types::blank_type();
        apply_type(&mut form, &[], &mut t);
        assert!(form.errors.contains_key("established"), "{:?}", form.errors);
        assert!(form.errors.contains_key("slug"));
        assert_eq!(form.get("established"), "1938-13");
        assert_eq!(t.names.en, "Name");
    }
}
