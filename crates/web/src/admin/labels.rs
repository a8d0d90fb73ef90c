//! Field names as the forms label them, for the messages that name a field away from it (the
//! summary at the top of a page, a form's own list of problems): "Established", not
//! "established"; "Engraving 2 · Side", not "engravings_1_side".

use vitrina_catalogue::Lang;

use super::lang::{tr, trf};

/// The label of a form field by its name, in `lang`; an unknown name is shown as it is.
pub(crate) fn field_label(lang: Lang, name: &str) -> String {
    if let Some(label) = plain(name) {
        return tr(lang, label).to_owned();
    }
    // A row of a repeating list: `engravings_1_side`.
    for (list, row) in [
        ("engravings", "Engraving {n}"),
        ("hallmarks", "Hallmark {n}"),
        ("measurements", "Measurement {n}"),
        ("marks", "Mark {n}"),
    ] {
        let Some(rest) = name.strip_prefix(list).and_then(|r| r.strip_prefix('_')) else {
            continue;
        };
        let (index, field) = rest.split_once('_').unwrap_or((rest, ""));
        let Ok(i) = index.parse::<usize>() else {
            continue;
        };
        let field = match (list, field) {
            (_, "") => return trf(lang, row, &[("n", &(i + 1).to_string())]),
            ("marks", "en") => "Mark (English)",
            ("marks", "ru") => "Mark (Russian)",
            ("engravings", "text") => "Text as engraved",
            ("hallmarks", "kind") => "Kind of mark",
            ("hallmarks", "absent") => "Recorded absent",
            ("measurements", "dimension") => "What is measured",
            ("measurements", "amount") => "Amount",
            ("measurements", "unit") => "Unit",
            ("measurements", "approximate") => "About",
            (_, "side") => "Side",
            (_, "area") => "Area",
            (_, "description_en") => "Description (English)",
            (_, "description_ru") => "Description (Russian)",
            (_, other) => other,
        };
        return format!(
            "{} · {}",
            trf(lang, row, &[("n", &(i + 1).to_string())]),
            tr(lang, field)
        );
    }
    name.to_owned()
}

fn plain(name: &str) -> Option<&'static str> {
    Some(match name {
        // The type.
        "slug" => "Slug",
        "position" => "Position in the collection",
        "published" => "Published",
        "names_en" => "Name (English)",
        "names_ru" => "Name (Russian)",
        "names_original_text" => "Original inscription",
        "names_original_script" => "Script of the original",
        "names_original_language" => "Language of the original",
        "categories" => "Categories",
        "issuer_abbreviation" => "Issuer: abbreviation",
        "issuer_abbreviation_latin" => "Issuer: abbreviation, Latin",
        "issuer_name_en" => "Issuer: name (English)",
        "issuer_name_ru" => "Issuer: name (Russian)",
        "established" => "Established",
        "period" | "period_from" => "Awarded from",
        "period_to" => "Awarded until",
        "event_name_en" => "Event (English)",
        "event_name_ru" => "Event (Russian)",
        "event_date" => "Event date",
        "event_place_en" => "Event place (English)",
        "event_place_ru" => "Event place (Russian)",
        "description_en" => "Description (English)",
        "description_ru" => "Description (Russian)",
        "references" => "References",
        // Variants.
        "name_en" => "Name (English)",
        "name_ru" => "Name (Russian)",
        "materials" => "Materials",
        "plating" => "Plating",
        "fitting" => "Fitting",
        "maker" => "Maker",
        "enamel_en" => "Enamel (English)",
        "enamel_ru" => "Enamel (Russian)",
        "size_mm" | "size_mm_min" => "Size from (mm)",
        "size_mm_max" => "Size to (mm)",
        "weight_g" | "weight_g_min" => "Weight from (g)",
        "weight_g_max" => "Weight to (g)",
        "serial_numbers" | "serial_numbers_from" => "Serial numbers from",
        "serial_numbers_to" => "Serial numbers to",
        "notes_en" => "Notes (English)",
        "notes_ru" => "Notes (Russian)",
        "marks" => "Marks a genuine piece carries",
        // Specimens.
        "inventory_number" => "Inventory number",
        "condition" => "Condition",
        "rarity" => "Rarity",
        "engravings" => "Engravings",
        "hallmarks" => "Hallmarks",
        "measurements" => "Measurements",
        "private_provenance" => "Provenance",
        "private_acquired" => "Acquired (date)",
        "private_price_amount" | "private_price" => "Price paid",
        "private_price_currency" => "Currency",
        "private_storage_location" => "Storage location",
        "private_notes" => "Private notes",
        // Photos.
        "role" => "Role",
        "alt_en" => "Alt text (English)",
        "alt_ru" => "Alt text (Russian)",
        "caption_en" => "Caption (English)",
        "caption_ru" => "Caption (Russian)",
        "credit" => "Credit",
        "file" => "File",
        // Accounts and tokens.
        "name" => "Name",
        "password" => "Password",
        "password_again" => "Password again",
        "label" => "Label",
        "scope" => "Scope",
        _ => return None,
    })
}

/// Every field name [`plain`] knows (for the test that each has its Russian).
#[cfg(test)]
const NAMES: &[&str] = &[
    "slug",
    "position",
    "published",
    "names_en",
    "names_ru",
    "names_original_text",
    "names_original_script",
    "names_original_language",
    "categories",
    "issuer_abbreviation",
    "issuer_abbreviation_latin",
    "issuer_name_en",
    "issuer_name_ru",
    "established",
    "period",
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
    "name_en",
    "name_ru",
    "materials",
    "plating",
    "fitting",
    "maker",
    "enamel_en",
    "enamel_ru",
    "size_mm",
    "size_mm_min",
    "size_mm_max",
    "weight_g",
    "weight_g_min",
    "weight_g_max",
    "serial_numbers",
    "serial_numbers_from",
    "serial_numbers_to",
    "notes_en",
    "notes_ru",
    "marks",
    "inventory_number",
    "condition",
    "rarity",
    "engravings",
    "hallmarks",
    "measurements",
    "private_provenance",
    "private_acquired",
    "private_price_amount",
    "private_price",
    "private_price_currency",
    "private_storage_location",
    "private_notes",
    "role",
    "alt_en",
    "alt_ru",
    "caption_en",
    "caption_ru",
    "credit",
    "file",
    "name",
    "password",
    "password_again",
    "label",
    "scope",
];

#[cfg(test)]
mod tests {
    use super::{field_label, plain};
    use vitrina_catalogue::Lang;

    #[test]
    fn fields_are_named_as_the_forms_label_them() {
        let en = |n| field_label(Lang::En, n);
        assert_eq!(en("established"), "Established");
        assert_eq!(en("private_price_currency"), "Currency");
        assert_eq!(en("engravings_1_side"), "Engraving 2 · Side");
        assert_eq!(en("hallmarks_0"), "Hallmark 1");
        assert_eq!(en("marks_2_ru"), "Mark 3 · Mark (Russian)");
        assert_eq!(en("measurements_x_unit"), "measurements_x_unit");
        assert_eq!(en("unheard_of"), "unheard_of");
    }

    #[test]
    fn russian_pages_name_fields_in_russian() {
        let ru = |n| field_label(Lang::Ru, n);
        assert_eq!(ru("established"), "Учреждён");
        assert_eq!(ru("engravings_1_side"), "Гравировка 2 · Сторона");
        assert_eq!(ru("hallmarks_0"), "Клеймо 1");
        // Every label the forms name has its Russian.
        for name in super::NAMES {
            let label = plain(name).unwrap();
            assert_ne!(ru(name), label, "{name}: {label:?} has no Russian");
        }
    }
}
