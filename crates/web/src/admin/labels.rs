//! Field names as the forms label them, for the messages that name a field away from it (the
//! summary at the top of a page, a form's own list of problems): "Established", not
//! "established"; "Engraving 2 · Side", not "engravings_1_side".

/// The label of a form field by its name; an unknown name is shown as it is.
pub(crate) fn field_label(name: &str) -> String {
    if let Some(label) = plain(name) {
        return label.to_owned();
    }
    // A row of a repeating list: `engravings_1_side`.
    for (list, row) in [
        ("engravings", "Engraving"),
        ("hallmarks", "Hallmark"),
        ("measurements", "Measurement"),
        ("marks", "Mark"),
    ] {
        let Some(rest) = name.strip_prefix(list).and_then(|r| r.strip_prefix('_')) else {
            continue;
        };
        let (index, field) = rest.split_once('_').unwrap_or((rest, ""));
        let Ok(i) = index.parse::<usize>() else {
            continue;
        };
        let field = match (list, field) {
            (_, "") => return format!("{row} {}", i + 1),
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
        return format!("{row} {} · {field}", i + 1);
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
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::field_label;

    #[test]
    fn fields_are_named_as_the_forms_label_them() {
        assert_eq!(field_label("established"), "Established");
        assert_eq!(field_label("private_price_currency"), "Currency");
        assert_eq!(field_label("engravings_1_side"), "Engraving 2 · Side");
        assert_eq!(field_label("hallmarks_0"), "Hallmark 1");
        assert_eq!(field_label("marks_2_ru"), "Mark 3 · Mark (Russian)");
        assert_eq!(field_label("measurements_x_unit"), "measurements_x_unit");
        assert_eq!(field_label("unheard_of"), "unheard_of");
    }
}
