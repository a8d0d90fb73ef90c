//! The records of a collection.

use serde::{Deserialize, Serialize};

use crate::{
    CategoryId, Measurement, PartialDate, Period, PhotoId, Range, Slug, SpecimenId, TypeId,
    VariantId,
};

/// The interface and content languages Vitrina speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }
}

/// A text in English with an optional Russian version; Russian falls back to English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ru: String,
}

impl Text {
    pub fn en(s: impl Into<String>) -> Self {
        Self {
            en: s.into(),
            ru: String::new(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ru if !self.ru.is_empty() => &self.ru,
            _ => &self.en,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.en.trim().is_empty() && self.ru.trim().is_empty()
    }
}

/// The collection as a whole: what the home page says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    pub title: Text,
    /// Markdown.
    #[serde(default)]
    pub introduction: Text,
}

/// A section of the collection ("Communist Party Congress badges"). A type may sit in several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<CategoryId>,
    pub slug: Slug,
    #[serde(default)]
    pub position: i64,
    pub title: Text,
    /// Markdown.
    #[serde(default)]
    pub introduction: Text,
    /// A draft (`false`) is seen only by signed-in curators. Records from the demo fixture and
    /// imports are published unless they say otherwise; records created in the workspace start
    /// as drafts.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub published: bool,
    /// Optimistic-concurrency version, bumped by storage on every save. Storage bookkeeping, so
    /// it is never part of the record's JSON (exports, history, the API).
    #[serde(default, skip_serializing)]
    pub version: i64,
}

/// The writing system of an inscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    Cyrillic,
    Latin,
    /// The traditional (Uyghur-derived, vertical) Mongolian script.
    Mongolian,
    Other,
}

/// A badge's name in the script and language of its own inscription, where that differs from
/// the English and Russian names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginalName {
    /// The inscription as written; empty when the script is known but the text is not recorded.
    #[serde(default)]
    pub text: String,
    pub script: Script,
    /// An ISO 639-1 code: `mn`, `ru`.
    pub language: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ru: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<OriginalName>,
}

impl Names {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ru if !self.ru.is_empty() => &self.ru,
            _ => &self.en,
        }
    }
}

/// The body that established or issued a badge: the Party, the NKVD, MOPR, a military school.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// The acronym as used on badges and in literature: `МОПР`, `НКВД`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub abbreviation: String,
    /// The romanised acronym: `MOPR`, `NKVD`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub abbreviation_latin: String,
    /// The full name.
    pub name: Text,
}

/// An event a badge commemorates or was awarded for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub place: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub citation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A badge type: the design, as established, with its variants and the collector's pieces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BadgeType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<TypeId>,
    pub slug: Slug,
    /// Order in the collection; ties broken by name.
    #[serde(default)]
    pub position: i64,
    /// Optimistic-concurrency version, bumped by storage on every save.
    #[serde(default)]
    pub version: i64,
    /// A draft (`false`) is never public: not listed, not searchable, its page not found.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub published: bool,
    /// The categories this type is shown in, by slug.
    #[serde(default)]
    pub categories: Vec<Slug>,
    pub names: Names,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Issuer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub established: Option<PartialDate>,
    /// The period of award or issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    /// Markdown; rendered and sanitised by the web layer.
    #[serde(default)]
    pub description: Text,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub variants: Vec<Variant>,
    #[serde(default)]
    pub photos: Vec<Photo>,
}

impl BadgeType {
    /// Every distinct material of every variant, in order of first appearance.
    pub fn materials(&self) -> Vec<Material> {
        let mut out = Vec::new();
        for v in &self.variants {
            for m in v.materials.iter().chain(v.plating.iter()) {
                if !out.contains(m) {
                    out.push(*m);
                }
            }
        }
        out
    }

    pub fn specimens(&self) -> impl Iterator<Item = &Specimen> {
        self.variants.iter().flat_map(|v| v.specimens.iter())
    }

    /// The first photo of a role, from the type's own photos, else from its specimens'.
    pub fn photo(&self, role: PhotoRole) -> Option<&Photo> {
        self.photos
            .iter()
            .chain(self.specimens().flat_map(|s| s.photos.iter()))
            .find(|p| p.role == role)
    }

    /// The image that stands for this type in lists: its obverse, else any photo.
    pub fn thumbnail(&self) -> Option<&Photo> {
        self.photo(PhotoRole::Obverse).or_else(|| {
            self.photos
                .first()
                .or_else(|| self.specimens().flat_map(|s| s.photos.iter()).next())
        })
    }

    /// Drops everything a public reader must not see. Storage already leaves private fields
    /// unloaded for [`crate::Access::Public`]; this is the second lock on the same door.
    pub fn into_public(mut self) -> Self {
        for v in &mut self.variants {
            for s in &mut v.specimens {
                s.private = None;
                for p in &mut s.photos {
                    p.original_name.clear();
                }
            }
        }
        for p in &mut self.photos {
            p.original_name.clear();
        }
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Material {
    Gold,
    Silver,
    Platinum,
    Bronze,
    Brass,
    Copper,
    Tombac,
    Aluminium,
    Steel,
    Enamel,
}

impl Material {
    pub fn key(self) -> &'static str {
        match self {
            Material::Gold => "gold",
            Material::Silver => "silver",
            Material::Platinum => "platinum",
            Material::Bronze => "bronze",
            Material::Brass => "brass",
            Material::Copper => "copper",
            Material::Tombac => "tombac",
            Material::Aluminium => "aluminium",
            Material::Steel => "steel",
            Material::Enamel => "enamel",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fitting {
    ScrewBack,
    Pin,
    Brooch,
    Suspension,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SerialRange {
    pub from: u32,
    pub to: u32,
}

/// A variant of a type: the same design in another metal, finish, fitting or maker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<VariantId>,
    pub name: Text,
    #[serde(default)]
    pub materials: Vec<Material>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plating: Option<Material>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitting: Option<Fitting>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub maker: String,
    /// The marks a genuine piece carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Text>,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub enamel: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_mm: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_g: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_numbers: Option<SerialRange>,
    /// How this variant compares with the others ("a heavier model than the 60th").
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub notes: Text,
    #[serde(default)]
    pub specimens: Vec<Specimen>,
}

/// Which face of a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Obverse,
    Reverse,
    Edge,
}

/// Where on a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Top,
    Bottom,
    Left,
    Right,
    Centre,
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// A place on the badge: "bottom left of the reverse".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    pub side: Side,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<Area>,
}

/// Something engraved on a piece: a number, a recipient's name, a dedication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Engraving {
    /// The engraved text as it reads; empty when its content is described but not transcribed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Placement>,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// An assay or proof mark guaranteeing the metal's fineness.
    SilverProof,
    GoldProof,
    /// The silversmith's or maker's mark.
    Silversmith,
    Mint,
    Other,
}

/// A hallmark on a piece, or its recorded absence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hallmark {
    pub kind: MarkKind,
    /// `false` records that the mark was looked for and is not there.
    #[serde(default = "yes")]
    pub present: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Placement>,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Mint,
    Excellent,
    VeryFine,
    Fine,
    Good,
    Fair,
    Poor,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Rarity {
    Common,
    Uncommon,
    Scarce,
    Rare,
    VeryRare,
    ExtremelyRare,
}

/// A price as paid, kept as an exact decimal string with an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub amount: String,
    pub currency: String,
}

/// What only the collector sees. Never on the public site, API, search, feeds or exports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecimenPrivate {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provenance: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub storage_location: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

impl SpecimenPrivate {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A piece in the collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Specimen {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<SpecimenId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub inventory_number: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engravings: Vec<Engraving>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hallmarks: Vec<Hallmark>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<Measurement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rarity: Option<Rarity>,
    /// Public notes, Markdown.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub notes: Text,
    #[serde(default)]
    pub photos: Vec<Photo>,
    /// Loaded only for [`crate::Access::Private`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<SpecimenPrivate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PhotoRole {
    Obverse,
    Reverse,
    Marks,
    Detail,
    Document,
}

/// An image of a type or a specimen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<PhotoId>,
    pub role: PhotoRole,
    /// The media key, relative to the media store: `demo/mopr-obverse.svg`.
    pub file: String,
    pub alt: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub caption: Text,
    /// A drawing standing in for a photograph; labelled as such wherever shown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub illustration: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub credit: String,
    /// The file's name as it was uploaded (`IMG_0042.JPG`), made safe to show
    /// ([`Photo::safe_file_name`]). For the curator only: a name may say whose or where the
    /// photo is, so storage keeps it beside the photo's row and public outputs leave it out
    /// ([`BadgeType::into_public`], summaries). Saved empty, the stored name is kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub original_name: String,
}

impl Photo {
    /// A file name as a browser or an archive gives it, made safe to keep and show: the last
    /// path component only (`C:\Users\anna\IMG_1.JPG` → `IMG_1.JPG`), no control or
    /// direction-changing characters, whitespace runs as one space, at most 255 characters.
    pub fn safe_file_name(raw: &str) -> String {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let mut out = String::with_capacity(last.len());
        let mut space = false;
        for c in last.chars() {
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
            if c.is_control() || bidi || c == '\u{FEFF}' {
                continue;
            }
            if c.is_whitespace() {
                space = true;
                continue;
            }
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
        let out: String = out.chars().take(255).collect();
        if out == "." || out == ".." {
            String::new()
        } else {
            out
        }
    }

    /// The photo as public outputs show it: without what only the curator sees.
    pub fn public(&self) -> Photo {
        Photo {
            original_name: String::new(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod photo_name_tests {
    use super::Photo;

    #[test]
    fn an_uploaded_file_name_is_kept_safe_to_show() {
        assert_eq!(Photo::safe_file_name("IMG_0042.JPG"), "IMG_0042.JPG");
        assert_eq!(
            Photo::safe_file_name("C:\\Users\\anna\\IMG_1.JPG"),
            "IMG_1.JPG"
        );
        assert_eq!(Photo::safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(Photo::safe_file_name("a\u{202E}gpj.exe"), "agpj.exe");
        assert_eq!(
            Photo::safe_file_name("  my \t\n badge .jpg "),
            "my badge .jpg"
        );
        assert_eq!(Photo::safe_file_name("bad\0name\u{7}.png"), "badname.png");
        assert_eq!(Photo::safe_file_name(".."), "");
        assert_eq!(Photo::safe_file_name("dir/"), "");
        assert_eq!(Photo::safe_file_name(&"я".repeat(400)).chars().count(), 255);
        assert_eq!(Photo::safe_file_name("Знак МОПР.jpg"), "Знак МОПР.jpg");
    }
}
