//! The fields a column can hold, their names in Vitrina's export, their labels for the mapping
//! screen, and the headers they are recognised from.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use vitrina_catalogue::Lang;

/// Which record a field belongs to. A row's cells at the specimen level make a specimen, at
/// the variant level a variant, and the type's cells are repeated on each of its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Type,
    Variant,
    Specimen,
    /// A specimen's private fields: written only when the export includes them.
    Private,
}

macro_rules! fields {
    ($( $(#[$doc:meta])* $name:ident = $key:literal, $level:ident, $en:literal, $ru:literal, [$($alias:literal),* $(,)?]; )*) => {
        /// One thing a column can hold: every field of a type, its variants, its specimens (public
        /// and private) and photos, at the granularity of a collector's sheet. Serialised as its
        /// key ([`Field::key`]), which is also its column in Vitrina's export.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $( $(#[$doc])* $name, )*
        }

        impl Field {
            /// Every field, in the order of Vitrina's export.
            pub const ALL: &'static [Field] = &[$(Field::$name),*];

            /// The column name in Vitrina's export (`title_en`, `variant_weight_g`), and the
            /// field's name in a saved mapping.
            pub fn key(self) -> &'static str {
                match self { $(Field::$name => $key,)* }
            }

            pub fn level(self) -> Level {
                match self { $(Field::$name => Level::$level,)* }
            }

            /// The field's name on the mapping screen.
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Field::$name, Lang::En) => $en, (Field::$name, Lang::Ru) => $ru,)*
                }
            }

            /// The headers, besides its key, that this field is recognised from (written as
            /// people write them; compared without case, spaces or punctuation).
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $(Field::$name => &[$($alias),*],)* }
            }
        }
    };
}

fields! {
    /// The type's stable key: rows with the same slug are one type.
    Slug = "slug", Type, "Slug (key)", "Ключ (slug)", ["key", "url", "ключ", "слаг", "type slug"];
    Position = "position", Type, "Position", "Порядок", ["order", "sort", "sort order", "порядок", "позиция", "сортировка"];
    Published = "published", Type, "Published", "Опубликован", ["public", "visible", "publish", "опубликован", "опубликовано", "публикация", "показывать"];
    Categories = "categories", Type, "Categories", "Разделы", ["category", "section", "sections", "group", "категория", "категории", "раздел", "разделы", "рубрика", "рубрики", "группа", "серия"];
    /// The type's main (English) title. A sheet's only title column, in any language, is this.
    Title = "title_en", Type, "Title", "Название", ["title", "name", "name en", "badge", "badge name", "название", "наименование", "знак", "название знака"];
    TitleRu = "title_ru", Type, "Title in Russian", "Название по-русски", ["name ru", "russian title", "russian name", "русское название", "название на русском"];
    OriginalName = "original_name", Type, "Name in the original script", "Название в оригинале", ["original", "original title", "original text", "название в оригинале", "оригинальное название", "оригинал"];
    OriginalScript = "original_script", Type, "Script of the original name", "Письменность оригинала", ["script", "письменность", "алфавит"];
    OriginalLanguage = "original_language", Type, "Language of the original name (ISO 639)", "Язык оригинала (ISO 639)", ["language", "язык", "язык оригинала"];
    Issuer = "issuer_en", Type, "Issuer", "Учредитель", ["issuer", "issued by", "established by", "awarding body", "organisation", "organization", "учредитель", "ведомство", "кем учрежден", "организация"];
    IssuerRu = "issuer_ru", Type, "Issuer in Russian", "Учредитель по-русски", [];
    IssuerAbbreviation = "issuer_abbreviation", Type, "Issuer's abbreviation", "Аббревиатура учредителя", ["abbreviation", "аббревиатура", "сокращение"];
    IssuerAbbreviationLatin = "issuer_abbreviation_latin", Type, "Issuer's abbreviation in Latin letters", "Аббревиатура латиницей", ["abbreviation latin", "latin abbreviation", "аббревиатура латиницей"];
    Established = "established", Type, "Established", "Учреждён", ["year established", "established year", "date established", "year", "instituted", "год учреждения", "учрежден", "дата учреждения", "год"];
    /// The period of award or issue: `1922–1932`, `1922–` (still), `1930s`.
    Period = "period", Type, "Period of award", "Период вручения", ["period of award", "award period", "years awarded", "years of issue", "years", "период", "период вручения", "годы вручения", "годы выпуска", "период выпуска", "годы"];
    Event = "event_en", Type, "Event", "Событие", ["event", "occasion", "событие", "повод"];
    EventRu = "event_ru", Type, "Event in Russian", "Событие по-русски", [];
    EventDate = "event_date", Type, "Date of the event", "Дата события", ["event year", "date of event", "дата события", "год события"];
    EventPlace = "event_place_en", Type, "Place of the event", "Место события", ["event place", "place", "место события", "место"];
    EventPlaceRu = "event_place_ru", Type, "Place of the event in Russian", "Место события по-русски", [];
    /// Markdown.
    Description = "description_en", Type, "Description (Markdown)", "Описание (Markdown)", ["description", "desc", "about", "описание"];
    DescriptionRu = "description_ru", Type, "Description in Russian (Markdown)", "Описание по-русски (Markdown)", [];
    References = "references", Type, "References", "Литература", ["reference", "literature", "sources", "bibliography", "catalogue", "catalog", "литература", "источники", "ссылки", "каталог"];
    /// Photos of the type as a whole.
    TypePhotos = "type_photos", Type, "Photos of the type", "Фото типа", ["type photo", "фото типа"];

    /// A variant's number within its type (Vitrina's export): rows with the same number are one
    /// variant.
    VariantNo = "variant_no", Variant, "Variant number", "Номер варианта", ["variant number", "№ варианта", "номер варианта"];
    /// Several variants in one cell (`V1 pin-back, cold enamel; V2 clutch back`): one variant
    /// per item, named by it, its fitting the first one it names; the row's other variant
    /// cells apply to each, and the row's specimen goes to the first.
    Variants = "variants", Variant, "Variants (several in one cell)", "Варианты (несколько в ячейке)", ["варианты"];
    VariantName = "variant_en", Variant, "Variant", "Вариант", ["variant", "variant name", "вариант", "название варианта", "разновидность"];
    VariantNameRu = "variant_ru", Variant, "Variant in Russian", "Вариант по-русски", [];
    Materials = "materials", Variant, "Materials", "Материалы", ["material", "metal", "metals", "материал", "материалы", "металл", "металлы"];
    Plating = "plating", Variant, "Plating", "Покрытие", ["gilding", "coating", "finish", "покрытие", "позолота"];
    Fitting = "fitting", Variant, "Fitting", "Крепление", ["fittings", "attachment", "fastening", "fastener", "крепление", "тип крепления", "застежка"];
    Maker = "maker", Variant, "Maker", "Изготовитель", ["maker mark", "makers mark", "manufacturer", "mint", "producer", "made by", "изготовитель", "производитель", "завод", "монетный двор"];
    /// The marks a genuine piece of the variant carries.
    Marks = "marks", Variant, "Marks", "Клейма", ["mark", "клеймо", "клейма", "маркировка"];
    Enamel = "enamel_en", Variant, "Enamel", "Эмаль", ["enamel", "enamels", "эмаль", "эмали"];
    EnamelRu = "enamel_ru", Variant, "Enamel in Russian", "Эмаль по-русски", [];
    /// The variant's range of sizes, in millimetres: `20–24.5`.
    VariantSize = "variant_size_mm", Variant, "Size of the variant (mm, a range)", "Размер варианта (мм, диапазон)", ["variant size", "size range", "размер варианта"];
    /// The variant's range of weights, in grams.
    VariantWeight = "variant_weight_g", Variant, "Weight of the variant (g, a range)", "Вес варианта (г, диапазон)", ["variant weight", "weight range", "вес варианта"];
    SerialNumbers = "serial_numbers", Variant, "Serial numbers", "Серийные номера", ["serials", "serial range", "номера", "серийные номера", "диапазон номеров"];
    VariantNotes = "variant_notes_en", Variant, "Notes on the variant", "Заметки о варианте", ["variant notes", "примечание к варианту", "заметки о варианте"];
    VariantNotesRu = "variant_notes_ru", Variant, "Notes on the variant in Russian", "Заметки о варианте по-русски", [];

    /// A specimen's number within its variant (Vitrina's export).
    SpecimenNo = "specimen_no", Specimen, "Specimen number", "Номер экземпляра", ["specimen number", "№ экземпляра", "номер экземпляра"];
    InventoryNumber = "inventory_number", Specimen, "Inventory number", "Инвентарный номер", ["id", "inventory", "inventory no", "inv", "inv no", "inv nr", "no", "nr", "#", "№", "№ п/п", "item no", "lot", "инв №", "инв. №", "инвентарный номер", "инв номер", "код", "лот"];
    Condition = "condition", Specimen, "Condition", "Сохранность", ["grade", "state", "preservation", "сохранность", "состояние"];
    Rarity = "rarity", Specimen, "Rarity", "Редкость", ["редкость"];
    Engravings = "engravings", Specimen, "Engravings", "Гравировка", ["engraving", "engraved", "гравировка", "гравировки"];
    Hallmarks = "hallmarks", Specimen, "Hallmarks", "Пробирные клейма", ["hallmark", "assay marks", "proof marks", "пробирные клейма", "проба"];
    Measurements = "measurements", Specimen, "Measurements", "Измерения", ["measures", "измерения", "замеры"];
    /// One or two dimensions (`37.3x41.1`: width × height; one value: height), mm unless
    /// written otherwise.
    Dimensions = "dimensions", Specimen, "Dimensions (width × height)", "Размеры (ширина × высота)", ["dimensions mm", "size", "size mm", "размер", "размеры", "габариты"];
    Diameter = "diameter", Specimen, "Diameter", "Диаметр", ["диаметр"];
    Height = "height", Specimen, "Height", "Высота", ["высота"];
    Width = "width", Specimen, "Width", "Ширина", ["ширина"];
    Thickness = "thickness", Specimen, "Thickness", "Толщина", ["толщина"];
    /// The specimen's weight, grams unless written otherwise.
    Weight = "weight", Specimen, "Weight", "Вес", ["weight g", "mass", "вес", "масса"];
    /// Public notes on the specimen (Markdown). A sheet's plain "Notes" column is taken as
    /// private ([`Field::PrivateNotes`]): a collector's own sheet is private until said otherwise.
    Notes = "notes_en", Specimen, "Public notes (Markdown)", "Публичные заметки (Markdown)", ["public notes", "публичные заметки", "заметки для сайта"];
    NotesRu = "notes_ru", Specimen, "Public notes in Russian (Markdown)", "Публичные заметки по-русски (Markdown)", [];
    /// Photos of the specimen: `obverse: a.jpg; reverse: b.jpg`, or names alone (obverse,
    /// reverse, then details).
    Photos = "photos", Specimen, "Photos", "Фото", ["photo", "images", "image", "pictures", "picture", "files", "фото", "фотографии", "фотография", "изображения", "изображение", "снимки", "файлы"];
    PhotoObverse = "photo_obverse", Specimen, "Photo of the obverse", "Фото аверса", ["obverse", "obverse photo", "front", "аверс", "фото аверса", "лицевая сторона"];
    PhotoReverse = "photo_reverse", Specimen, "Photo of the reverse", "Фото реверса", ["reverse", "reverse photo", "back photo", "реверс", "фото реверса", "оборот", "оборотная сторона"];
    PhotoMarks = "photo_marks", Specimen, "Photo of the marks", "Фото клейм", ["marks photo", "фото клейм", "фото клейма"];
    PhotoDetail = "photo_detail", Specimen, "Photo of a detail", "Фото детали", ["detail", "detail photo", "фото детали", "деталь"];
    PhotoDocument = "photo_document", Specimen, "Photo of a document", "Фото документа", ["document", "document photo", "award document", "документ", "фото документа", "удостоверение"];

    Provenance = "provenance", Private, "Provenance (private)", "Происхождение (личное)", ["source", "origin", "bought from", "acquired from", "seller", "vendor", "происхождение", "источник", "продавец", "откуда", "куплен у", "где куплен"];
    Acquired = "acquired", Private, "Acquired (private)", "Приобретён (личное)", ["date acquired", "acquisition date", "purchased", "purchase date", "bought", "date of purchase", "дата покупки", "дата приобретения", "приобретен", "куплен", "когда куплен"];
    /// The price paid with its currency: `120 USD`, `$120`, `1 500 руб.`.
    Price = "price", Private, "Price paid (private)", "Цена покупки (личное)", ["cost", "paid", "purchase price", "цена", "стоимость", "цена покупки"];
    /// The currency of a price column that gives bare numbers.
    Currency = "currency", Private, "Currency of the price (private)", "Валюта цены (личное)", ["валюта"];
    StorageLocation = "storage_location", Private, "Storage location (private)", "Место хранения (личное)", ["storage", "location", "box", "stored", "место хранения", "хранение", "где хранится", "коробка", "ящик"];
    PrivateNotes = "private_notes", Private, "Private notes", "Личные заметки", ["notes", "note", "comment", "comments", "remarks", "примечание", "примечания", "заметки", "комментарий", "комментарии", "личные заметки"];
}

impl Field {
    /// A field by its key.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.key() == key)
    }

    pub fn is_private(self) -> bool {
        self.level() == Level::Private
    }

    /// The field of a bilingual pair's other language: `Title` ⇄ `TitleRu`.
    pub fn russian(self) -> Option<Field> {
        Some(match self {
            Field::Title => Field::TitleRu,
            Field::Issuer => Field::IssuerRu,
            Field::Event => Field::EventRu,
            Field::EventPlace => Field::EventPlaceRu,
            Field::Description => Field::DescriptionRu,
            Field::VariantName => Field::VariantNameRu,
            Field::Enamel => Field::EnamelRu,
            Field::VariantNotes => Field::VariantNotesRu,
            Field::Notes => Field::NotesRu,
            _ => return None,
        })
    }

    /// The field a header names, if any: by Vitrina's key or an alias in English or Russian,
    /// compared without case, spaces or punctuation; a language mark (`(RU)`, `рус.`, `_en`)
    /// picks the language of a bilingual field, and a unit (`, mm`, `(г)`) is ignored.
    pub fn recognise(header: &str) -> Option<Field> {
        recognise(header).map(|r| r.field)
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        Field::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("there is no field called {key:?}")))
    }
}

/// What recognition found: the field, and whether the header said its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recognised {
    pub field: Field,
    pub explicit_language: bool,
    pub cyrillic: bool,
}

/// A header as compared: lower case, letters, digits, `№` and `#` only, `ё` read as `е`.
pub(crate) fn normalise(header: &str) -> String {
    header
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'ё' => Some('е'),
            c if c.is_alphanumeric() || c == '№' || c == '#' => Some(c),
            _ => None,
        })
        .collect()
}

fn table() -> &'static HashMap<String, Field> {
    static TABLE: OnceLock<HashMap<String, Field>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = HashMap::new();
        for &f in Field::ALL {
            // Keys win over aliases; the first alias listed wins over later ones.
            t.insert(normalise(f.key()), f);
        }
        for &f in Field::ALL {
            for alias in f.aliases() {
                t.entry(normalise(alias)).or_insert(f);
            }
        }
        t
    })
}

const ENGLISH_MARKS: &[&str] = &[
    "english",
    "eng",
    "en",
    "поанглийски",
    "наанглийском",
    "английский",
    "англ",
];
const RUSSIAN_MARKS: &[&str] = &[
    "russian",
    "rus",
    "ru",
    "порусски",
    "нарусском",
    "русский",
    "рус",
];
const UNITS: &[&str] = &[
    "millimetres",
    "millimeters",
    "grams",
    "inches",
    "mm",
    "cm",
    "in",
    "g",
    "гр",
    "мм",
    "см",
    "г",
];

pub(crate) fn recognise(header: &str) -> Option<Recognised> {
    let norm = normalise(header);
    if norm.is_empty() {
        return None;
    }
    let cyrillic = header.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}'));
    let table = table();
    let found = |field| Recognised {
        field,
        explicit_language: false,
        cyrillic,
    };
    if let Some(&f) = table.get(&norm) {
        let is_russian_half = Field::ALL.iter().any(|p| p.russian() == Some(f));
        let says_english = f.russian().is_some()
            && ENGLISH_MARKS
                .iter()
                .any(|m| norm.ends_with(m) || norm.starts_with(m));
        let explicit = is_russian_half || says_english;
        return Some(Recognised {
            explicit_language: explicit,
            ..found(f)
        });
    }
    // A language mark before or after a bilingual field's name.
    for (marks, russian) in [(ENGLISH_MARKS, false), (RUSSIAN_MARKS, true)] {
        for mark in marks {
            let bases = [norm.strip_suffix(mark), norm.strip_prefix(mark)];
            for base in bases.into_iter().flatten() {
                if let Some(&f) = table.get(base)
                    && let Some(ru) = f.russian()
                {
                    return Some(Recognised {
                        field: if russian { ru } else { f },
                        explicit_language: true,
                        cyrillic,
                    });
                }
            }
        }
    }
    // A unit after the name: "Weight, g", "Диаметр (мм)".
    for unit in UNITS {
        if let Some(base) = norm.strip_suffix(unit)
            && let Some(&f) = table.get(base)
        {
            return Some(found(f));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn is(header: &str, field: Field) {
        assert_eq!(Field::recognise(header), Some(field), "{header:?}");
    }

    #[test]
    fn every_key_is_unique_and_recognises_its_own_field() {
        let mut keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Field::ALL.len());
        for &f in Field::ALL {
            is(f.key(), f);
            assert_eq!(Field::from_key(f.key()), Some(f));
            assert!(!f.label(Lang::En).is_empty() && !f.label(Lang::Ru).is_empty());
        }
    }

    #[test]
    fn no_alias_is_claimed_by_two_fields() {
        let mut seen: HashMap<String, Field> = HashMap::new();
        for &f in Field::ALL {
            for name in f.aliases().iter().chain([&f.key()]) {
                if let Some(other) = seen.insert(normalise(name), f) {
                    assert_eq!(other, f, "{name:?} is claimed twice");
                }
            }
        }
    }

    #[test]
    fn headers_in_english_russian_and_vitrinas_own_names() {
        is("title_en", Field::Title);
        is("name", Field::Title);
        is("Title", Field::Title);
        is("Название", Field::Title);
        is("Название (англ.)", Field::Title);
        is("Название (рус.)", Field::TitleRu);
        is("Title (RU)", Field::TitleRu);
        is("Russian title", Field::TitleRu);
        is("Год учреждения", Field::Established);
        is("материал", Field::Materials);
        is("year_established", Field::Established);
        is("maker_mark", Field::Maker);
        is("dimensions_mm", Field::Dimensions);
        is("weight_g", Field::Weight);
        is("Weight, g", Field::Weight);
        is("Вес (г)", Field::Weight);
        is("Диаметр, мм", Field::Diameter);
        is("Инв. №", Field::InventoryNumber);
        is("id", Field::InventoryNumber);
        is("ID", Field::InventoryNumber);
        is("  Description  ", Field::Description);
        is("Описание (рус.)", Field::DescriptionRu);
        is("DESCRIPTION_RU", Field::DescriptionRu);
        is("Сохранность", Field::Condition);
        is("Крепление", Field::Fitting);
        is("Цена", Field::Price);
        is("Место хранения", Field::StorageLocation);
        is("Примечание", Field::PrivateNotes);
        is("notes", Field::PrivateNotes);
        is("notes_en", Field::Notes);
        is("Фото аверса", Field::PhotoObverse);
        is("category", Field::Categories);
        is("Раздел", Field::Categories);
        is("variants", Field::Variants);
        is("Вариант", Field::VariantName);
        is("Event (EN)", Field::Event);
        is("Учредитель (рус.)", Field::IssuerRu);
    }

    #[test]
    fn unknown_headers_are_not_fields() {
        for h in [
            "",
            "   ",
            "museum_accession_code",
            "Колонка 7",
            "x",
            "—",
            "dated",
        ] {
            assert_eq!(Field::recognise(h), None, "{h:?}");
        }
    }

    #[test]
    fn fields_serialise_as_their_keys() {
        let json = serde_json::to_string(&[Field::Title, Field::VariantWeight]).unwrap();
        assert_eq!(json, r#"["title_en","variant_weight_g"]"#);
        let back: Vec<Field> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [Field::Title, Field::VariantWeight]);
        let err = serde_json::from_str::<Field>(r#""colour""#).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
