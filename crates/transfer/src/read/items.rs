//! The items of list cells: references, categories, marks, engravings, hallmarks, photos.
//! Each takes one raw item (still escaped, see [`crate::syntax`]).

use vitrina_catalogue::{
    Dimension, Engraving, Hallmark, Measurement, Names, Photo, PhotoRole, Reference, Text, Unit,
};

use super::categories::Named;
use crate::Field;
use crate::syntax::{labelled, parts, unescape};
use crate::values::{self, ValueError, quoted};

/// An item's first part and its labelled parts (label, value); a flag's value is empty.
type Labelled = (String, Vec<(&'static str, String)>);

/// The labelled parts after an item's first, read against the labels and flags allowed.
fn labels(
    raw: &str,
    allowed: &[&'static str],
    flags: &[&'static str],
) -> Result<Labelled, ValueError> {
    let p = parts(raw);
    let first = unescape(p.first().copied().unwrap_or(""));
    let mut out = Vec::new();
    for part in p.iter().skip(1) {
        if part.is_empty() {
            continue;
        }
        if let Some(flag) = flags.iter().find(|f| f.eq_ignore_ascii_case(part)) {
            out.push((*flag, String::new()));
        } else if let Some((label, value)) = labelled(part, allowed) {
            if out.iter().any(|(l, _)| *l == label) {
                return Err(ValueError::new(format!(
                    "{}: “{label}:” is given twice",
                    quoted(&unescape(raw))
                )));
            }
            out.push((label, unescape(value)));
        } else {
            let mut accepted: Vec<String> = allowed.iter().map(|l| format!("{l}:")).collect();
            accepted.extend(flags.iter().map(|f| (*f).to_owned()));
            return Err(ValueError::new(format!(
                "{} in {}: after “|” write {}",
                quoted(&unescape(part)),
                quoted(&unescape(raw)),
                accepted.join(", ")
            )));
        }
    }
    Ok((first, out))
}

fn get(labels: &[(&'static str, String)], label: &str) -> String {
    labels
        .iter()
        .find(|(l, _)| *l == label)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn text(labels: &[(&'static str, String)], en: &str, ru: &str) -> Text {
    Text {
        en: get(labels, en),
        ru: get(labels, ru),
    }
}

/// `Kolesnikov, Badges of the USSR, no. 123 | url: https://…`
pub(super) fn reference(raw: &str) -> Result<Reference, ValueError> {
    let (citation, l) = labels(raw, &["url"], &[])?;
    let url = get(&l, "url");
    Ok(Reference {
        citation,
        url: (!url.is_empty()).then_some(url),
    })
}

/// `party-congress-badges | en: Party congress badges | ru: Знаки съездов`, or a name alone.
pub(super) fn category(raw: &str) -> Result<Named, ValueError> {
    let (name, l) = labels(raw, &["en", "ru"], &[])?;
    Ok(Named {
        name,
        en: get(&l, "en"),
        ru: get(&l, "ru"),
    })
}

/// A mark a variant carries: `ЛМД | ru: ЛМД (Ленинградский монетный двор)`.
pub(super) fn mark(raw: &str) -> Result<Text, ValueError> {
    let (en, l) = labels(raw, &["ru"], &[])?;
    Ok(Text {
        en,
        ru: get(&l, "ru"),
    })
}

const PLACE_LABELS: &[&str] = &["on", "at", "position"];

fn place(l: &[(&'static str, String)]) -> Result<Option<vitrina_catalogue::Placement>, ValueError> {
    let written = PLACE_LABELS
        .iter()
        .map(|p| get(l, p))
        .find(|s| !s.is_empty());
    written.map(|s| values::placement(&s)).transpose()
}

/// `No. 9 | on: reverse | en: The number 9 | ru: Номер 9`, or the engraved text alone.
pub(super) fn engraving(raw: &str) -> Result<Engraving, ValueError> {
    let (text, l) = labels(raw, &["on", "at", "position", "en", "ru"], &[])?;
    Ok(Engraving {
        text,
        position: place(&l)?,
        description: self::text(&l, "en", "ru"),
    })
}

/// `silver_proof | on: reverse bottom-left | en: Silver proof marks | ru: Пробирные клейма`;
/// `no silversmith` for a mark looked for and not there.
pub(super) fn hallmark(raw: &str) -> Result<Hallmark, ValueError> {
    let (kind, l) = labels(raw, &["on", "at", "position", "en", "ru"], &[])?;
    let (kind, present) = values::hallmark_kind(&kind)?;
    Ok(Hallmark {
        kind,
        present,
        position: place(&l)?,
        description: text(&l, "en", "ru"),
    })
}

/// A measurement from a column of its own (`Diameter, mm`: `24,5`).
pub(super) fn single_measurement(field: Field, s: &str) -> Result<Measurement, ValueError> {
    let dimension = match field {
        Field::Diameter => Dimension::Diameter,
        Field::Width => Dimension::Width,
        Field::Thickness => Dimension::Thickness,
        Field::Weight => Dimension::Weight,
        _ => Dimension::Height,
    };
    let default = if dimension.is_length() {
        Unit::Mm
    } else {
        Unit::G
    };
    let quantity = values::quantity(s, default)?;
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

/// The role a photo column gives its photos, if it gives one.
pub(super) fn role_of(field: Field) -> Option<PhotoRole> {
    match field {
        Field::PhotoObverse => Some(PhotoRole::Obverse),
        Field::PhotoReverse => Some(PhotoRole::Reverse),
        Field::PhotoMarks => Some(PhotoRole::Marks),
        Field::PhotoDetail => Some(PhotoRole::Detail),
        Field::PhotoDocument => Some(PhotoRole::Document),
        _ => None,
    }
}

/// Whether a name is a media key as the domain accepts it.
fn is_media_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 300
        && !s.starts_with('/')
        && !s
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
}

/// A media key for a file named in a sheet whose name is not one (`Знак 1.jpg` →
/// `import/znak-1.jpg`): operations attaches the uploaded file of that original name.
fn import_key(name: &str) -> String {
    let safe = Photo::safe_file_name(name);
    let mut key = String::with_capacity(safe.len());
    let mut dash = false;
    for c in deunicode::deunicode(&safe).chars() {
        if c == '.' {
            dash = false;
            if !key.ends_with('.') {
                key.push('.');
            }
        } else if c.is_ascii_alphanumeric() || c == '_' {
            if dash && !key.is_empty() && !key.ends_with('.') {
                key.push('-');
            }
            dash = false;
            key.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    let key: String = key.trim_matches('.').chars().take(200).collect();
    let key = key.trim_matches('.');
    if key.is_empty() {
        "import/photo".to_owned()
    } else {
        format!("import/{key}")
    }
}

const ROLE_WORDS: &[(PhotoRole, &str, &str)] = &[
    (PhotoRole::Obverse, "obverse", "аверс"),
    (PhotoRole::Reverse, "reverse", "реверс"),
    (PhotoRole::Marks, "marks", "клейма"),
    (PhotoRole::Detail, "detail", "деталь"),
    (PhotoRole::Document, "document", "документ"),
];

/// A photo: `obverse: demo/mopr.svg | alt: … | alt_ru: … | caption: … | caption_ru: … |
/// credit: … | width: 400 | height: 400 | illustration | original: IMG_1.JPG`. In a sheet, a
/// file name alone: its role is the one written before it (`reverse: b.jpg`), else the column's,
/// else the first of obverse and reverse that the record has no photo of yet, else detail. A name that is not a media key
/// becomes an `import/` key and is kept as the original name. Without an alt text, one is
/// made from the title and role ("MOPR badge, obverse").
pub(super) fn photo(
    raw: &str,
    column_role: Option<PhotoRole>,
    used: &mut Vec<PhotoRole>,
    names: &Names,
) -> Result<Photo, ValueError> {
    let (first, l) = labels(
        raw,
        &[
            "alt",
            "alt_ru",
            "caption",
            "caption_ru",
            "credit",
            "width",
            "height",
            "original",
        ],
        &["illustration"],
    )?;
    let (role, name) = match first.split_once(':') {
        Some((role, name)) => (Some(values::photo_role(role)?), name.trim()),
        None => (None, first.trim()),
    };
    let role = role.or(column_role).unwrap_or_else(|| {
        [PhotoRole::Obverse, PhotoRole::Reverse]
            .into_iter()
            .find(|r| !used.contains(r))
            .unwrap_or(PhotoRole::Detail)
    });
    used.push(role);
    if name.is_empty() {
        return Err(ValueError::new(format!(
            "{}: give the photo's file name",
            quoted(&first)
        )));
    }
    let (file, mut original_name) = if is_media_key(name) {
        (name.to_owned(), String::new())
    } else {
        (import_key(name), Photo::safe_file_name(name))
    };
    let original = get(&l, "original");
    if !original.is_empty() {
        original_name = original;
    }
    let number = |label: &str| -> Result<Option<u32>, ValueError> {
        let v = get(&l, label);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<u32>()
            .map(Some)
            .map_err(|_| ValueError::new(format!("{}: {label} is a number of pixels", quoted(&v))))
    };
    let mut alt = text(&l, "alt", "alt_ru");
    if alt.en.is_empty() {
        let (_, en, ru) = ROLE_WORDS
            .iter()
            .find(|(r, _, _)| *r == role)
            .copied()
            .unwrap_or((role, "photo", "фото"));
        alt.en = format!("{}, {en}", names.en);
        if alt.ru.is_empty() && !names.ru.is_empty() {
            alt.ru = format!("{}, {ru}", names.ru);
        }
    }
    Ok(Photo {
        id: None,
        role,
        file,
        alt,
        caption: text(&l, "caption", "caption_ru"),
        illustration: l.iter().any(|(label, _)| *label == "illustration"),
        width: number("width")?,
        height: number("height")?,
        credit: get(&l, "credit"),
        original_name,
    })
}

#[cfg(test)]
mod tests {
    use vitrina_catalogue::{Area, MarkKind, Side};

    use super::*;

    fn names() -> Names {
        Names {
            en: "MOPR badge".into(),
            ru: "Знак МОПР".into(),
            original: None,
        }
    }

    #[test]
    fn engravings_alone_or_with_place_and_description() {
        let e = engraving("№ 47765").unwrap();
        assert_eq!(
            (e.text.as_str(), e.position, e.description.is_empty()),
            ("№ 47765", None, true)
        );
        let e = engraving(r"No. 9 | on: reverse | en: The number 9 | ru: Номер\; 9").unwrap();
        assert_eq!(e.text, "No. 9");
        assert_eq!(e.position.unwrap().side, Side::Reverse);
        assert_eq!(e.description.ru, "Номер; 9");
        let e = engraving(" | on: reverse bottom-left | en: The recipient's name").unwrap();
        assert_eq!(e.text, "");
        assert_eq!(e.position.unwrap().area, Some(Area::BottomLeft));
        let err = engraving("x | colour: red").unwrap_err().to_string();
        assert!(err.contains("colour") && err.contains("on:"), "{err}");
        assert!(engraving("x | on: sideways").is_err());
        assert!(engraving("x | en: a | en: b").is_err());
    }

    #[test]
    fn hallmarks_with_kind_presence_and_place() {
        let h =
            hallmark("silver_proof | on: reverse bottom-left | en: Silver proof marks").unwrap();
        assert_eq!((h.kind, h.present), (MarkKind::SilverProof, true));
        assert_eq!(h.position.unwrap().area, Some(Area::BottomLeft));
        let h = hallmark("no silversmith").unwrap();
        assert_eq!((h.kind, h.present), (MarkKind::Silversmith, false));
        assert!(hallmark("925 | on: reverse").is_err());
    }

    #[test]
    fn references_marks_and_categories() {
        let r = reference(r"Kolesnikov\; no. 12 | url: https://example.org/a").unwrap();
        assert_eq!(r.citation, "Kolesnikov; no. 12");
        assert_eq!(r.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(reference("Book").unwrap().url, None);
        let m = mark("ЛМД | ru: ЛМД (Ленинград)").unwrap();
        assert_eq!((m.en.as_str(), m.ru.as_str()), ("ЛМД", "ЛМД (Ленинград)"));
        let c = category("mopr | en: The MOPR badge | ru: Знак МОПР").unwrap();
        assert_eq!(
            (c.name.as_str(), c.en.as_str(), c.ru.as_str()),
            ("mopr", "The MOPR badge", "Знак МОПР")
        );
    }

    #[test]
    fn photos_by_role_order_and_column() {
        let mut order = Vec::new();
        let p = photo("IMG_1.jpg", None, &mut order, &names()).unwrap();
        assert_eq!((p.role, p.file.as_str()), (PhotoRole::Obverse, "IMG_1.jpg"));
        assert_eq!(p.alt.en, "MOPR badge, obverse");
        assert_eq!(p.alt.ru, "Знак МОПР, аверс");
        let p = photo("IMG_2.jpg", None, &mut order, &names()).unwrap();
        assert_eq!(p.role, PhotoRole::Reverse);
        let p = photo("IMG_3.jpg", None, &mut order, &names()).unwrap();
        assert_eq!(p.role, PhotoRole::Detail);
        let p = photo("marks: m.jpg", None, &mut order, &names()).unwrap();
        assert_eq!(p.role, PhotoRole::Marks);
        let p = photo("doc.png", Some(PhotoRole::Document), &mut order, &names()).unwrap();
        assert_eq!(p.role, PhotoRole::Document);
        assert!(photo("selfie: a.jpg", None, &mut order, &names()).is_err());
        assert!(photo("obverse:", None, &mut order, &names()).is_err());
    }

    #[test]
    fn a_photo_with_every_detail() {
        let mut order = Vec::new();
        let p = photo(
            "obverse: demo/mopr.svg | alt: A star | alt_ru: Звезда | caption: c | caption_ru: к \
             | credit: Vitrina demo | width: 400 | height: 300 | illustration | original: IMG 1.JPG",
            None,
            &mut order,
            &names(),
        )
        .unwrap();
        assert_eq!(p.file, "demo/mopr.svg");
        assert_eq!((p.alt.en.as_str(), p.alt.ru.as_str()), ("A star", "Звезда"));
        assert_eq!((p.width, p.height), (Some(400), Some(300)));
        assert!(p.illustration);
        assert_eq!(p.credit, "Vitrina demo");
        assert_eq!(p.original_name, "IMG 1.JPG");
        assert!(photo("a.jpg | width: wide", None, &mut order, &names()).is_err());
    }

    #[test]
    fn a_file_name_that_is_not_a_media_key_keeps_its_name_as_the_original() {
        let mut order = Vec::new();
        let p = photo("Знак 1 (аверс).JPG", None, &mut order, &names()).unwrap();
        assert_eq!(p.file, "import/znak-1-avers.jpg");
        assert_eq!(p.original_name, "Знак 1 (аверс).JPG");
        assert!(is_media_key(&p.file));
        let p = photo("../../etc/passwd", None, &mut order, &names()).unwrap();
        assert!(
            is_media_key(&p.file) && p.file.starts_with("import/"),
            "{}",
            p.file
        );
        let p = photo("....", None, &mut order, &names()).unwrap();
        assert!(is_media_key(&p.file), "{}", p.file);
    }
}
