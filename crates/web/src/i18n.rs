//! The site's two languages: interface strings, and the formatting of dates, numbers,
//! measurements and labels the way an English or a Russian reader expects them.
//!
//! Everything here is plain functions over the domain types, so it is tested without a server.

use std::collections::BTreeMap;

use vitrina_catalogue::{
    Area, Condition, Dimension, Fitting, Lang, MarkKind, Material, Measurement, PartialDate,
    Period, PhotoRole, Placement, Precision, Rarity, Script, Side, Unit,
};

/// The interface strings of one language, by key. Templates read them as `t.key`.
pub fn strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    STRINGS
        .iter()
        .map(|(key, en, ru)| (*key, if lang == Lang::Ru { *ru } else { *en }))
        .collect()
}

/// One string by key (for the few that Rust code needs).
pub fn t(lang: Lang, key: &str) -> &'static str {
    STRINGS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, ru)| if lang == Lang::Ru { *ru } else { *en })
        .unwrap_or("")
}

/// (key, English, Russian)
const STRINGS: &[(&str, &str, &str)] = &[
    ("skip_to_content", "Skip to content", "Перейти к содержанию"),
    ("site_nav", "Site", "Навигация по сайту"),
    ("home", "Collection", "Коллекция"),
    ("language", "Language", "Язык"),
    ("switch_language", "Русский", "English"),
    (
        "switch_language_label",
        "Читать по-русски",
        "Read in English",
    ),
    (
        "categories",
        "Sections of the collection",
        "Разделы коллекции",
    ),
    ("types_count_one", "type", "тип"),
    ("types_count_few", "types", "типа"),
    ("types_count_many", "types", "типов"),
    ("breadcrumbs", "Breadcrumbs", "Навигационная цепочка"),
    (
        "types_in_category",
        "Badges in this section",
        "Знаки раздела",
    ),
    (
        "no_types",
        "No badges have been catalogued in this section yet.",
        "В этом разделе пока нет описанных знаков.",
    ),
    ("pagination", "Pages", "Страницы"),
    ("previous_page", "Previous page", "Предыдущая страница"),
    ("next_page", "Next page", "Следующая страница"),
    (
        "page_of",
        "Page {page} of {pages}",
        "Страница {page} из {pages}",
    ),
    ("established", "Established", "Учреждён"),
    ("period", "Period of award", "Период вручения"),
    ("issuer", "Issuer", "Учредитель"),
    ("event", "Event", "Событие"),
    ("materials", "Materials", "Материалы"),
    ("variants_count", "Variants", "Варианты"),
    (
        "specimens_count",
        "Pieces in the collection",
        "Экземпляров в коллекции",
    ),
    ("names", "Names", "Названия"),
    ("name_en", "English", "По-английски"),
    ("name_ru", "Russian", "По-русски"),
    ("inscription", "Inscription", "Надпись"),
    ("facts", "Facts", "Сведения"),
    ("variants", "Variants", "Варианты"),
    ("variant", "Variant", "Вариант"),
    ("plating", "Plating", "Покрытие"),
    ("fitting", "Fitting", "Крепление"),
    ("maker", "Maker", "Изготовитель"),
    ("marks", "Marks", "Клейма"),
    ("enamel", "Enamel", "Эмаль"),
    ("size", "Size", "Размер"),
    ("weight", "Weight", "Вес"),
    ("serial_numbers", "Serial numbers", "Номера"),
    ("notes", "Notes", "Примечания"),
    ("specimens", "In the collection", "Экземпляры коллекции"),
    ("specimen", "Piece", "Экземпляр"),
    ("engravings", "Engravings", "Гравировка"),
    ("hallmarks", "Hallmarks", "Клейма"),
    ("measurements", "Measurements", "Размеры и вес"),
    ("condition", "Condition", "Сохранность"),
    ("rarity", "Rarity", "Редкость"),
    ("absent", "absent", "отсутствует"),
    ("photos", "Images", "Изображения"),
    ("illustration", "Illustration", "Иллюстрация"),
    (
        "photo_of",
        "Image {n} of {count}",
        "Изображение {n} из {count}",
    ),
    ("back_to_type", "Back to the badge", "Назад к знаку"),
    ("previous_photo", "Previous image", "Предыдущее изображение"),
    ("next_photo", "Next image", "Следующее изображение"),
    (
        "illustration_note",
        "A drawing standing in for a photograph.",
        "Рисунок вместо фотографии.",
    ),
    ("description", "Description", "Описание"),
    ("references", "References", "Литература и источники"),
    ("previous_type", "Previous", "Предыдущий"),
    ("next_type", "Next", "Следующий"),
    ("type_navigation", "Other badges", "Другие знаки"),
    ("in_sections", "Sections", "Разделы"),
    ("not_found_title", "Page not found", "Страница не найдена"),
    (
        "not_found_text",
        "There is no page at this address. It may have moved, or the address may be mistyped.",
        "По этому адресу страницы нет. Возможно, она перенесена или адрес набран с ошибкой.",
    ),
    ("forbidden_title", "Not allowed", "Нет доступа"),
    (
        "forbidden_text",
        "You may not do this. If you sent a form, it may have come from another site or an old page: reload the page and try again.",
        "Это действие вам недоступно. Если вы отправляли форму, она могла прийти с другого сайта или со старой страницы: обновите страницу и попробуйте ещё раз.",
    ),
    ("bad_request_title", "Bad request", "Неверный запрос"),
    (
        "bad_request_text",
        "The address could not be understood.",
        "Не удалось разобрать адрес.",
    ),
    (
        "unavailable_title",
        "Temporarily unavailable",
        "Временно недоступно",
    ),
    (
        "unavailable_text",
        "The collection cannot be reached just now. Please try again in a minute.",
        "Коллекция сейчас недоступна. Попробуйте, пожалуйста, через минуту.",
    ),
    ("error_title", "Something went wrong", "Что-то пошло не так"),
    (
        "error_text",
        "An error occurred on our side. It has been recorded.",
        "На нашей стороне произошла ошибка. Она записана.",
    ),
    (
        "back_home",
        "Return to the collection",
        "Вернуться к коллекции",
    ),
    (
        "footer_note",
        "A catalogue of Soviet badges.",
        "Каталог советских знаков.",
    ),
    ("no_image", "No image", "Нет изображения"),
    ("search", "Search", "Поиск"),
    (
        "search_label",
        "Search the collection",
        "Поиск по коллекции",
    ),
    ("search_placeholder", "Search badges…", "Найти знак…"),
    ("search_button", "Search", "Найти"),
    ("search_results_list", "Suggestions", "Подсказки"),
    (
        "search_all_results",
        "All results for “{q}”",
        "Все результаты по запросу «{q}»",
    ),
    (
        "search_results_for",
        "Results for “{q}”",
        "Результаты по запросу «{q}»",
    ),
    ("search_everything", "The whole collection", "Вся коллекция"),
    ("results_one", "result", "результат"),
    ("results_few", "results", "результата"),
    ("results_many", "results", "результатов"),
    ("no_results", "No results", "Ничего не найдено"),
    (
        "no_results_text",
        "Nothing in the collection matches this search. Check the spelling, use fewer words or filters, or browse a section:",
        "В коллекции нет ничего по этому запросу. Проверьте написание, уберите лишние слова или фильтры — или откройте раздел:",
    ),
    ("did_you_mean", "Did you mean", "Возможно, вы имели в виду"),
    (
        "without_filters",
        "Search without the filters",
        "Искать без фильтров",
    ),
    ("refine", "Refine", "Уточнить"),
    ("facet_category", "Section", "Раздел"),
    ("facet_issuer", "Issuer", "Учредитель"),
    ("facet_material", "Material", "Материал"),
    (
        "facet_decade",
        "Decade established",
        "Десятилетие учреждения",
    ),
    ("facet_condition", "Condition", "Сохранность"),
    ("facet_rarity", "Rarity", "Редкость"),
    ("facet_photos", "Images", "Изображения"),
    ("photos_yes", "With images", "С изображениями"),
    ("photos_no", "Without images", "Без изображений"),
    ("decade_suffix", "s", "-е"),
    (
        "selected_remove",
        "selected; remove the filter",
        "выбрано; снять фильтр",
    ),
    ("clear_filters", "Clear all filters", "Сбросить все фильтры"),
    ("ranges", "Year, size and weight", "Год, размер и вес"),
    ("year_established", "Year established", "Год учреждения"),
    ("size_mm", "Size, mm", "Размер, мм"),
    ("weight_g", "Weight, g", "Вес, г"),
    ("range_from", "from", "от"),
    ("range_to", "to", "до"),
    ("apply", "Apply", "Применить"),
    ("sort_by", "Sort by", "Сортировать"),
    ("sort_relevance", "relevance", "по релевантности"),
    ("sort_year", "year", "по году"),
    ("sort_name", "name", "по названию"),
    (
        "search_error_title",
        "This search cannot be run",
        "Этот запрос выполнить нельзя",
    ),
    (
        "error_query_too_long",
        "The search is too long: at most 500 characters, please.",
        "Запрос слишком длинный: не больше 500 символов.",
    ),
    (
        "error_too_many_words",
        "The search has too many words: at most 32, please.",
        "В запросе слишком много слов: не больше 32.",
    ),
    (
        "error_bad_year",
        "A year must be a whole number, such as 1939.",
        "Год должен быть целым числом, например 1939.",
    ),
    (
        "error_bad_number",
        "Size and weight must be numbers, such as 22 or 3.5.",
        "Размер и вес должны быть числами, например 22 или 3,5.",
    ),
    (
        "error_bad_page",
        "There is no such page of results.",
        "Такой страницы результатов нет.",
    ),
    (
        "error_bad_sort",
        "Results can be sorted by relevance, year or name.",
        "Результаты можно сортировать по релевантности, году или названию.",
    ),
    (
        "error_bad_filter",
        "A filter in the address is not valid.",
        "Фильтр в адресе указан неверно.",
    ),
    (
        "error_bad_text",
        "The search could not be read.",
        "Не удалось прочитать запрос.",
    ),
];

/// The Russian plural form of `n`: `one` (1, 21), `few` (2–4, 22–24), `many` (the rest).
pub fn plural_ru(n: u64) -> &'static str {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        "one"
    } else if (2..=4).contains(&d10) && !(12..=14).contains(&d100) {
        "few"
    } else {
        "many"
    }
}

/// "12 types" / "12 типов".
pub fn count_types(lang: Lang, n: u64) -> String {
    let form = match lang {
        Lang::En if n == 1 => "one",
        Lang::En => "many",
        Lang::Ru => plural_ru(n),
    };
    let word = t(lang, &format!("types_count_{form}"));
    format!("{n} {word}")
}

/// "12 results" / "12 результатов".
pub fn count_results(lang: Lang, n: u64) -> String {
    let form = match lang {
        Lang::En if n == 1 => "one",
        Lang::En => "many",
        Lang::Ru => plural_ru(n),
    };
    let word = t(lang, &format!("results_{form}"));
    format!("{n} {word}")
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Nominative: "май 1940 г.".
const MONTHS_RU: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];
/// Genitive: "15 июня 1932 г.".
const MONTHS_RU_GEN: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// A date at its own precision: "1938", "May 1940", "15 June 1932", "1930s", "c. 1935";
/// "1938 г.", "май 1940 г.", "15 июня 1932 г.", "1930-е гг.", "около 1935 г.".
pub fn date(lang: Lang, d: &PartialDate) -> String {
    match (lang, d.approximate) {
        (_, false) => date_exact(lang, d, false),
        (Lang::En, true) => format!("c. {}", date_exact(lang, d, false)),
        // "около" takes the genitive: "около мая 1940 г.", "около 1930-х гг.".
        (Lang::Ru, true) => format!("около {}", date_exact(lang, d, true)),
    }
}

/// A date without its "circa"; in Russian, `genitive` gives the form that follows "около" and
/// "с" ("мая 1940 г.", "1930-х гг.").
fn date_exact(lang: Lang, d: &PartialDate, genitive: bool) -> String {
    let m = d.month.map(|m| usize::from(m.clamp(1, 12)) - 1);
    match (lang, d.precision(), m) {
        (Lang::En, Precision::Decade, _) => format!("{}s", d.year),
        (Lang::En, Precision::Year, _) | (Lang::En, _, None) => d.year.to_string(),
        (Lang::En, Precision::Month, Some(m)) => format!("{} {}", MONTHS_EN[m], d.year),
        (Lang::En, Precision::Day, Some(m)) => {
            format!("{} {} {}", d.day.unwrap_or(1), MONTHS_EN[m], d.year)
        }
        (Lang::Ru, Precision::Decade, _) if genitive => format!("{}-х гг.", d.year),
        (Lang::Ru, Precision::Decade, _) => format!("{}-е гг.", d.year),
        (Lang::Ru, Precision::Year, _) | (Lang::Ru, _, None) => format!("{} г.", d.year),
        (Lang::Ru, Precision::Month, Some(m)) if genitive => {
            format!("{} {} г.", MONTHS_RU_GEN[m], d.year)
        }
        (Lang::Ru, Precision::Month, Some(m)) => format!("{} {} г.", MONTHS_RU[m], d.year),
        (Lang::Ru, Precision::Day, Some(m)) => {
            format!("{} {} {} г.", d.day.unwrap_or(1), MONTHS_RU_GEN[m], d.year)
        }
    }
}

/// A date without the Russian "г."/"гг." (used inside periods, which carry "гг." once).
fn date_bare(lang: Lang, d: &PartialDate) -> String {
    let s = date(lang, d);
    match s.strip_suffix(" гг.").or_else(|| s.strip_suffix(" г.")) {
        Some(bare) => bare.to_owned(),
        None => s,
    }
}

/// "1922–1932", "since 1922", "1930s–1940s"; "1922–1932 гг.", "с 1922 г.", "примерно с 1922 г.".
pub fn period(lang: Lang, p: &Period) -> String {
    match (&p.to, lang) {
        (None, Lang::En) if p.from.precision() == Precision::Decade && !p.from.approximate => {
            format!("since the {}", date(lang, &p.from))
        }
        (None, Lang::En) => format!("since {}", date(lang, &p.from)),
        (None, Lang::Ru) if p.from.approximate => {
            format!("примерно с {}", date_exact(lang, &p.from, true))
        }
        (None, Lang::Ru) => format!("с {}", date_exact(lang, &p.from, true)),
        (Some(to), _) => {
            let (a, b) = (date_bare(lang, &p.from), date_bare(lang, to));
            // A spaced dash when either end has inner spaces ("May 1940 – 1945").
            let dash = if a.contains(' ') || b.contains(' ') {
                " – "
            } else {
                "–"
            };
            let years =
                |d: &PartialDate| matches!(d.precision(), Precision::Year | Precision::Decade);
            let both_years = years(&p.from) && years(to);
            match lang {
                Lang::En => format!("{a}{dash}{b}"),
                Lang::Ru if both_years => format!("{a}{dash}{b} гг."),
                Lang::Ru => format!("{a}{dash}{b} г."),
            }
        }
    }
}

/// A number with at most `decimals` digits after the point, trailing zeros dropped, and the
/// decimal comma in Russian: `3.2` → "3.2" / "3,2".
pub fn number(lang: Lang, value: f64, decimals: usize) -> String {
    let mut s = format!("{value:.decimals$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    if lang == Lang::Ru {
        s = s.replace('.', ",");
    }
    s
}

/// An amount as the collector wrote it ("1/8", "3.20"), with the Russian decimal comma.
fn amount_as_written(lang: Lang, written: &str) -> String {
    if lang == Lang::Ru {
        written.replace('.', ",")
    } else {
        written.to_owned()
    }
}

/// The unit after a number. Russian inches agree with the number: 1 дюйм, 2 дюйма, 5 дюймов,
/// and fractions and decimals take "дюйма".
fn unit_label(lang: Lang, unit: Unit, written: &str) -> &'static str {
    match (lang, unit) {
        (Lang::En, u) => u.symbol(),
        (Lang::Ru, Unit::Mm) => "мм",
        (Lang::Ru, Unit::Cm) => "см",
        (Lang::Ru, Unit::G) => "г",
        (Lang::Ru, Unit::Oz) => "унц.",
        (Lang::Ru, Unit::Inch) => match written.parse::<u64>() {
            Ok(n) => match plural_ru(n) {
                "one" => "дюйм",
                "few" => "дюйма",
                _ => "дюймов",
            },
            Err(_) => "дюйма",
        },
    }
}

/// A measurement in the collector's words and in the other system:
/// "≈ 1/8 in (≈ 3.2 mm)", "22 mm (≈ 0.87 in)"; "≈ 1/8 дюйма (≈ 3,2 мм)".
pub fn quantity(lang: Lang, m: &Measurement) -> String {
    let q = &m.quantity;
    let written = q.value.as_str();
    let about = if q.approximate { "≈ " } else { "" };
    let original = format!(
        "{about}{} {}",
        amount_as_written(lang, written),
        unit_label(lang, q.unit, written)
    );
    let (value, unit, decimals) = if q.is_metric() {
        (q.imperial(), q.imperial_unit(), 2)
    } else {
        (q.metric(), q.metric_unit(), 1)
    };
    // Centimetres are shown with their millimetres too: the site speaks millimetres.
    let other = if q.unit == Unit::Cm {
        format!(
            "{} {}",
            number(lang, q.metric(), 1),
            unit_label(lang, Unit::Mm, "")
        )
    } else {
        let shown = number(lang, value, decimals);
        format!("≈ {shown} {}", unit_label(lang, unit, &shown))
    };
    if q.unit == Unit::Cm {
        let imperial = number(lang, q.imperial(), 2);
        return format!(
            "{original} ({other}, ≈ {imperial} {})",
            unit_label(lang, Unit::Inch, &imperial)
        );
    }
    format!("{original} ({other})")
}

/// A range of millimetres or grams: "20–24.5 mm", "22 mm"; with imperial alongside.
pub fn range(lang: Lang, min: f64, max: f64, unit: Unit) -> String {
    let metric = |v: f64| number(lang, v, 1);
    let (imperial_unit, factor) = match unit {
        Unit::G => (Unit::Oz, 1.0 / 28.349_523_125),
        _ => (Unit::Inch, 1.0 / 25.4),
    };
    let imperial = |v: f64| number(lang, v * factor, 2);
    let metric_unit = unit_label(lang, unit, "");
    let imp = if (max - min).abs() < f64::EPSILON {
        imperial(min)
    } else {
        format!("{}–{}", imperial(min), imperial(max))
    };
    let imp_unit = unit_label(lang, imperial_unit, &imp);
    if (max - min).abs() < f64::EPSILON {
        format!("{} {metric_unit} (≈ {imp} {imp_unit})", metric(min))
    } else {
        format!(
            "{}–{} {metric_unit} (≈ {imp} {imp_unit})",
            metric(min),
            metric(max)
        )
    }
}

pub fn dimension(lang: Lang, d: Dimension) -> &'static str {
    match (lang, d) {
        (Lang::En, Dimension::Height) => "Height",
        (Lang::En, Dimension::Width) => "Width",
        (Lang::En, Dimension::Diameter) => "Diameter",
        (Lang::En, Dimension::Thickness) => "Thickness",
        (Lang::En, Dimension::Weight) => "Weight",
        (Lang::Ru, Dimension::Height) => "Высота",
        (Lang::Ru, Dimension::Width) => "Ширина",
        (Lang::Ru, Dimension::Diameter) => "Диаметр",
        (Lang::Ru, Dimension::Thickness) => "Толщина",
        (Lang::Ru, Dimension::Weight) => "Вес",
    }
}

pub fn material(lang: Lang, m: Material) -> &'static str {
    match (lang, m) {
        (Lang::En, m) => m.key(),
        (Lang::Ru, Material::Gold) => "золото",
        (Lang::Ru, Material::Silver) => "серебро",
        (Lang::Ru, Material::Platinum) => "платина",
        (Lang::Ru, Material::Bronze) => "бронза",
        (Lang::Ru, Material::Brass) => "латунь",
        (Lang::Ru, Material::Copper) => "медь",
        (Lang::Ru, Material::Tombac) => "томпак",
        (Lang::Ru, Material::Aluminium) => "алюминий",
        (Lang::Ru, Material::Steel) => "сталь",
        (Lang::Ru, Material::Enamel) => "эмаль",
    }
}

/// A plating as a word on its own: "gold plating" / "позолота".
pub fn plating(lang: Lang, m: Material) -> String {
    match (lang, m) {
        (Lang::En, m) => format!("{}-plated", m.key()),
        (Lang::Ru, Material::Gold) => "позолота".to_owned(),
        (Lang::Ru, Material::Silver) => "серебрение".to_owned(),
        (Lang::Ru, Material::Copper) => "меднение".to_owned(),
        (Lang::Ru, m) => format!("покрытие: {}", material(Lang::Ru, m)),
    }
}

/// The metals of a variant in words: "gold-plated silver, enamel" / "серебро с позолотой, эмаль".
pub fn materials_phrase(lang: Lang, materials: &[Material], plated: Option<Material>) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(materials.len() + 1);
    for (i, m) in materials.iter().enumerate() {
        let word = material(lang, *m);
        match (i, plated, lang) {
            (0, Some(p), Lang::En) => parts.push(format!("{}-plated {word}", p.key())),
            (0, Some(Material::Gold), Lang::Ru) => parts.push(format!("{word} с позолотой")),
            (0, Some(Material::Silver), Lang::Ru) => parts.push(format!("{word} с серебрением")),
            (0, Some(p), Lang::Ru) => {
                parts.push(format!("{word} (покрытие: {})", material(Lang::Ru, p)))
            }
            _ => parts.push(word.to_owned()),
        }
    }
    if materials.is_empty()
        && let Some(p) = plated
    {
        parts.push(plating(lang, p));
    }
    parts.join(", ")
}

/// A plain list of materials: "silver, gold, enamel".
pub fn materials_list(lang: Lang, materials: &[Material]) -> String {
    materials
        .iter()
        .map(|m| material(lang, *m))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn fitting(lang: Lang, f: Fitting) -> &'static str {
    match (lang, f) {
        (Lang::En, Fitting::ScrewBack) => "screw back",
        (Lang::En, Fitting::Pin) => "pin",
        (Lang::En, Fitting::Brooch) => "brooch",
        (Lang::En, Fitting::Suspension) => "suspension",
        (Lang::Ru, Fitting::ScrewBack) => "винт с гайкой",
        (Lang::Ru, Fitting::Pin) => "булавка",
        (Lang::Ru, Fitting::Brooch) => "брошь",
        (Lang::Ru, Fitting::Suspension) => "подвеска",
    }
}

pub fn side(lang: Lang, s: Side) -> &'static str {
    match (lang, s) {
        (Lang::En, Side::Obverse) => "obverse",
        (Lang::En, Side::Reverse) => "reverse",
        (Lang::En, Side::Edge) => "edge",
        (Lang::Ru, Side::Obverse) => "лицевая сторона",
        (Lang::Ru, Side::Reverse) => "оборотная сторона",
        (Lang::Ru, Side::Edge) => "гурт",
    }
}

pub fn area(lang: Lang, a: Area) -> &'static str {
    match (lang, a) {
        (Lang::En, Area::Top) => "top",
        (Lang::En, Area::Bottom) => "bottom",
        (Lang::En, Area::Left) => "left",
        (Lang::En, Area::Right) => "right",
        (Lang::En, Area::Centre) => "centre",
        (Lang::En, Area::TopLeft) => "top left",
        (Lang::En, Area::TopRight) => "top right",
        (Lang::En, Area::BottomLeft) => "bottom left",
        (Lang::En, Area::BottomRight) => "bottom right",
        (Lang::Ru, Area::Top) => "вверху",
        (Lang::Ru, Area::Bottom) => "внизу",
        (Lang::Ru, Area::Left) => "слева",
        (Lang::Ru, Area::Right) => "справа",
        (Lang::Ru, Area::Centre) => "в центре",
        (Lang::Ru, Area::TopLeft) => "вверху слева",
        (Lang::Ru, Area::TopRight) => "вверху справа",
        (Lang::Ru, Area::BottomLeft) => "внизу слева",
        (Lang::Ru, Area::BottomRight) => "внизу справа",
    }
}

/// "reverse, bottom left" / "оборотная сторона, внизу слева".
pub fn placement(lang: Lang, p: &Placement) -> String {
    match p.area {
        Some(a) => format!("{}, {}", side(lang, p.side), area(lang, a)),
        None => side(lang, p.side).to_owned(),
    }
}

pub fn mark_kind(lang: Lang, k: MarkKind) -> &'static str {
    match (lang, k) {
        (Lang::En, MarkKind::SilverProof) => "silver proof mark",
        (Lang::En, MarkKind::GoldProof) => "gold proof mark",
        (Lang::En, MarkKind::Silversmith) => "silversmith's mark",
        (Lang::En, MarkKind::Mint) => "mint mark",
        (Lang::En, MarkKind::Other) => "mark",
        (Lang::Ru, MarkKind::SilverProof) => "пробирное клеймо серебра",
        (Lang::Ru, MarkKind::GoldProof) => "пробирное клеймо золота",
        (Lang::Ru, MarkKind::Silversmith) => "клеймо мастера",
        (Lang::Ru, MarkKind::Mint) => "клеймо монетного двора",
        (Lang::Ru, MarkKind::Other) => "клеймо",
    }
}

pub fn condition(lang: Lang, c: Condition) -> &'static str {
    match (lang, c) {
        (Lang::En, Condition::Mint) => "Mint",
        (Lang::En, Condition::Excellent) => "Excellent",
        (Lang::En, Condition::VeryFine) => "Very fine",
        (Lang::En, Condition::Fine) => "Fine",
        (Lang::En, Condition::Good) => "Good",
        (Lang::En, Condition::Fair) => "Fair",
        (Lang::En, Condition::Poor) => "Poor",
        (Lang::Ru, Condition::Mint) => "безупречное",
        (Lang::Ru, Condition::Excellent) => "отличное",
        (Lang::Ru, Condition::VeryFine) => "очень хорошее",
        (Lang::Ru, Condition::Fine) => "хорошее",
        (Lang::Ru, Condition::Good) => "удовлетворительное",
        (Lang::Ru, Condition::Fair) => "посредственное",
        (Lang::Ru, Condition::Poor) => "плохое",
    }
}

pub fn rarity(lang: Lang, r: Rarity) -> &'static str {
    match (lang, r) {
        (Lang::En, Rarity::Common) => "Common",
        (Lang::En, Rarity::Uncommon) => "Uncommon",
        (Lang::En, Rarity::Scarce) => "Scarce",
        (Lang::En, Rarity::Rare) => "Rare",
        (Lang::En, Rarity::VeryRare) => "Very rare",
        (Lang::En, Rarity::ExtremelyRare) => "Extremely rare",
        (Lang::Ru, Rarity::Common) => "распространённый",
        (Lang::Ru, Rarity::Uncommon) => "нечастый",
        (Lang::Ru, Rarity::Scarce) => "малораспространённый",
        (Lang::Ru, Rarity::Rare) => "редкий",
        (Lang::Ru, Rarity::VeryRare) => "очень редкий",
        (Lang::Ru, Rarity::ExtremelyRare) => "исключительно редкий",
    }
}

pub fn photo_role(lang: Lang, r: PhotoRole) -> &'static str {
    match (lang, r) {
        (Lang::En, PhotoRole::Obverse) => "Obverse",
        (Lang::En, PhotoRole::Reverse) => "Reverse",
        (Lang::En, PhotoRole::Marks) => "Marks",
        (Lang::En, PhotoRole::Detail) => "Details",
        (Lang::En, PhotoRole::Document) => "Documents",
        (Lang::Ru, PhotoRole::Obverse) => "Лицевая сторона",
        (Lang::Ru, PhotoRole::Reverse) => "Оборотная сторона",
        (Lang::Ru, PhotoRole::Marks) => "Клейма",
        (Lang::Ru, PhotoRole::Detail) => "Детали",
        (Lang::Ru, PhotoRole::Document) => "Документы",
    }
}

pub fn script(lang: Lang, s: Script) -> &'static str {
    match (lang, s) {
        (Lang::En, Script::Cyrillic) => "Cyrillic script",
        (Lang::En, Script::Latin) => "Latin script",
        (Lang::En, Script::Mongolian) => "traditional Mongolian script",
        (Lang::En, Script::Other) => "another script",
        (Lang::Ru, Script::Cyrillic) => "кириллица",
        (Lang::Ru, Script::Latin) => "латиница",
        (Lang::Ru, Script::Mongolian) => "старомонгольское письмо",
        (Lang::Ru, Script::Other) => "другое письмо",
    }
}

/// The BCP 47 script subtag, for the `lang` attribute of an inscription: `mn-Mong`.
pub fn script_subtag(s: Script) -> Option<&'static str> {
    match s {
        Script::Cyrillic => Some("Cyrl"),
        Script::Latin => Some("Latn"),
        Script::Mongolian => Some("Mong"),
        Script::Other => None,
    }
}

/// The name of a language by its ISO 639-1 code; the code itself when unknown.
pub fn language_name(lang: Lang, code: &str) -> String {
    let name = match (lang, code) {
        (Lang::En, "mn") => "Mongolian",
        (Lang::En, "ru") => "Russian",
        (Lang::En, "en") => "English",
        (Lang::En, "uk") => "Ukrainian",
        (Lang::En, "be") => "Belarusian",
        (Lang::En, "kk") => "Kazakh",
        (Lang::En, "de") => "German",
        (Lang::En, "fr") => "French",
        (Lang::En, "zh") => "Chinese",
        (Lang::En, "tt") => "Tatar",
        (Lang::En, "ka") => "Georgian",
        (Lang::En, "hy") => "Armenian",
        (Lang::Ru, "mn") => "монгольский язык",
        (Lang::Ru, "ru") => "русский язык",
        (Lang::Ru, "en") => "английский язык",
        (Lang::Ru, "uk") => "украинский язык",
        (Lang::Ru, "be") => "белорусский язык",
        (Lang::Ru, "kk") => "казахский язык",
        (Lang::Ru, "de") => "немецкий язык",
        (Lang::Ru, "fr") => "французский язык",
        (Lang::Ru, "zh") => "китайский язык",
        (Lang::Ru, "tt") => "татарский язык",
        (Lang::Ru, "ka") => "грузинский язык",
        (Lang::Ru, "hy") => "армянский язык",
        _ => return code.to_owned(),
    };
    match lang {
        Lang::En => format!("{name} language"),
        Lang::Ru => name.to_owned(),
    }
}

/// "No. 9" / "№ 9".
pub fn serial(lang: Lang, from: u32, to: u32) -> String {
    let sign = if lang == Lang::Ru { "№" } else { "No." };
    if from == to {
        format!("{sign} {from}")
    } else {
        format!("{sign} {from}–{to}")
    }
}

/// A label with its first letter upper-case ("silver proof mark" → "Silver proof mark").
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use vitrina_catalogue::{Amount, Quantity};

    use super::*;

    fn d(s: &str) -> PartialDate {
        PartialDate::parse(s).unwrap()
    }

    #[test]
    fn dates_read_at_their_precision_in_both_languages() {
        assert_eq!(date(Lang::En, &d("1938")), "1938");
        assert_eq!(date(Lang::En, &d("1940-05")), "May 1940");
        assert_eq!(date(Lang::En, &d("1932-06-15")), "15 June 1932");
        assert_eq!(date(Lang::Ru, &d("1938")), "1938 г.");
        assert_eq!(date(Lang::Ru, &d("1940-05")), "май 1940 г.");
        assert_eq!(date(Lang::Ru, &d("1932-06-15")), "15 июня 1932 г.");
    }

    #[test]
    fn approximate_dates_and_decades_read_naturally() {
        assert_eq!(date(Lang::En, &d("1935~")), "c. 1935");
        assert_eq!(date(Lang::Ru, &d("1935~")), "около 1935 г.");
        assert_eq!(date(Lang::En, &d("193X")), "1930s");
        assert_eq!(date(Lang::Ru, &d("193X")), "1930-е гг.");
        assert_eq!(date(Lang::En, &d("193X~")), "c. 1930s");
        assert_eq!(date(Lang::Ru, &d("193X~")), "около 1930-х гг.");
        assert_eq!(date(Lang::En, &d("1940-05~")), "c. May 1940");
        assert_eq!(date(Lang::Ru, &d("1940-05~")), "около мая 1940 г.");
        assert_eq!(date(Lang::Ru, &d("1932-06-15~")), "около 15 июня 1932 г.");
    }

    #[test]
    fn periods_of_decades_and_approximate_years() {
        let p = |a: &str, b: Option<&str>| Period {
            from: d(a),
            to: b.map(d),
        };
        assert_eq!(period(Lang::En, &p("193X", Some("194X"))), "1930s–1940s");
        assert_eq!(
            period(Lang::Ru, &p("193X", Some("194X"))),
            "1930-е–1940-е гг."
        );
        assert_eq!(
            period(Lang::En, &p("1922~", Some("1932"))),
            "c. 1922 – 1932"
        );
        assert_eq!(
            period(Lang::Ru, &p("1922~", Some("1932"))),
            "около 1922 – 1932 гг."
        );
        assert_eq!(period(Lang::En, &p("193X", None)), "since the 1930s");
        assert_eq!(period(Lang::Ru, &p("193X", None)), "с 1930-х гг.");
        assert_eq!(period(Lang::En, &p("1922~", None)), "since c. 1922");
        assert_eq!(period(Lang::Ru, &p("1922~", None)), "примерно с 1922 г.");
        assert_eq!(period(Lang::Ru, &p("1940-05", None)), "с мая 1940 г.");
    }

    #[test]
    fn periods_use_an_en_dash_and_russian_years_take_gg() {
        let p = Period {
            from: d("1922"),
            to: Some(d("1932")),
        };
        assert_eq!(period(Lang::En, &p), "1922–1932");
        assert_eq!(period(Lang::Ru, &p), "1922–1932 гг.");
        let open = Period {
            from: d("1922"),
            to: None,
        };
        assert_eq!(period(Lang::En, &open), "since 1922");
        assert_eq!(period(Lang::Ru, &open), "с 1922 г.");
        let months = Period {
            from: d("1940-05"),
            to: Some(d("1945")),
        };
        assert_eq!(period(Lang::En, &months), "May 1940 – 1945");
        assert_eq!(period(Lang::Ru, &months), "май 1940 – 1945 г.");
    }

    #[test]
    fn numbers_take_a_decimal_comma_in_russian_and_drop_trailing_zeros() {
        assert_eq!(number(Lang::En, 3.175, 1), "3.2");
        assert_eq!(number(Lang::Ru, 3.175, 1), "3,2");
        assert_eq!(number(Lang::En, 22.0, 1), "22");
        assert_eq!(number(Lang::Ru, 0.866, 2), "0,87");
        assert_eq!(number(Lang::En, 0.001, 1), "0");
    }

    fn m(value: &str, unit: Unit, approximate: bool, dimension: Dimension) -> Measurement {
        Measurement {
            dimension,
            quantity: Quantity {
                value: Amount::parse(value).unwrap(),
                unit,
                approximate,
            },
        }
    }

    #[test]
    fn measurements_keep_the_collectors_value_and_show_the_other_system() {
        let eighth = m("1/8", Unit::Inch, true, Dimension::Thickness);
        assert_eq!(quantity(Lang::En, &eighth), "≈ 1/8 in (≈ 3.2 mm)");
        assert_eq!(quantity(Lang::Ru, &eighth), "≈ 1/8 дюйма (≈ 3,2 мм)");
        let mm = m("22", Unit::Mm, false, Dimension::Diameter);
        assert_eq!(quantity(Lang::En, &mm), "22 mm (≈ 0.87 in)");
        assert_eq!(quantity(Lang::Ru, &mm), "22 мм (≈ 0,87 дюйма)");
        let grams = m("12.5", Unit::G, false, Dimension::Weight);
        assert_eq!(quantity(Lang::En, &grams), "12.5 g (≈ 0.44 oz)");
        assert_eq!(quantity(Lang::Ru, &grams), "12,5 г (≈ 0,44 унц.)");
        let inch = m("1", Unit::Inch, false, Dimension::Height);
        assert_eq!(quantity(Lang::Ru, &inch), "1 дюйм (≈ 25,4 мм)");
        let cm = m("2.5", Unit::Cm, false, Dimension::Height);
        assert_eq!(quantity(Lang::En, &cm), "2.5 cm (25 mm, ≈ 0.98 in)");
    }

    #[test]
    fn ranges_show_both_systems() {
        assert_eq!(
            range(Lang::En, 20.0, 24.5, Unit::Mm),
            "20–24.5 mm (≈ 0.79–0.96 in)"
        );
        assert_eq!(
            range(Lang::Ru, 22.0, 22.0, Unit::Mm),
            "22 мм (≈ 0,87 дюйма)"
        );
        assert_eq!(
            range(Lang::En, 14.0, 16.0, Unit::G),
            "14–16 g (≈ 0.49–0.56 oz)"
        );
    }

    #[test]
    fn labels_read_naturally() {
        let p = Placement {
            side: Side::Reverse,
            area: Some(Area::BottomLeft),
        };
        assert_eq!(placement(Lang::En, &p), "reverse, bottom left");
        assert_eq!(placement(Lang::Ru, &p), "оборотная сторона, внизу слева");
        assert_eq!(
            materials_phrase(
                Lang::En,
                &[Material::Silver, Material::Enamel],
                Some(Material::Gold)
            ),
            "gold-plated silver, enamel"
        );
        assert_eq!(
            materials_phrase(Lang::Ru, &[Material::Silver], Some(Material::Gold)),
            "серебро с позолотой"
        );
        assert_eq!(count_types(Lang::Ru, 1), "1 тип");
        assert_eq!(count_types(Lang::Ru, 3), "3 типа");
        assert_eq!(count_types(Lang::Ru, 11), "11 типов");
        assert_eq!(count_types(Lang::En, 1), "1 type");
        assert_eq!(count_types(Lang::En, 2), "2 types");
        assert_eq!(serial(Lang::En, 9, 9), "No. 9");
    }

    #[test]
    fn every_string_exists_in_both_languages() {
        for (key, en, ru) in STRINGS {
            assert!(!en.is_empty() && !ru.is_empty(), "{key}");
        }
        assert_eq!(strings(Lang::En).len(), STRINGS.len(), "duplicate keys");
    }
}
