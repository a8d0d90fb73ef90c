//! What the API sends: records as the catalogue holds them, plus the links a client needs
//! (the record's pages, every photo's derivatives). Written here, not in the domain, because
//! URLs are the web's business.

use serde::Serialize;
use utoipa::ToSchema;
use vitrina_catalogue::{
    BadgeType, Category, Collection, Issuer, Material, Names, PartialDate, Photo, PhotoRole, Slug,
    Text,
};
use vitrina_storage::{CategorySummary, TypeSummary};

use crate::pages::derivative_urls;

/// One size of a photo.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rendition {
    /// The JPEG (or, for a drawing, the file itself).
    pub jpeg: String,
    /// The same size as WebP; absent for a single file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webp: Option<String>,
}

/// Where a photo can be fetched, in every size.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoUrls {
    /// The photo's media key, as in the record's `file`.
    pub file: String,
    /// 400 px on the long edge.
    pub thumb: Rendition,
    /// 1600 px.
    pub display: Rendition,
    /// 3200 px, for zooming.
    pub large: Rendition,
}

impl PhotoUrls {
    pub fn of(file: &str) -> Self {
        let [(tj, tw), (dj, dw), (lj, lw)] = derivative_urls(file);
        Self {
            file: file.to_owned(),
            thumb: Rendition { jpeg: tj, webp: tw },
            display: Rendition { jpeg: dj, webp: dw },
            large: Rendition { jpeg: lj, webp: lw },
        }
    }
}

/// A photo with its URLs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoRecord {
    #[serde(flatten)]
    pub photo: Photo,
    pub urls: PhotoUrls,
}

impl PhotoRecord {
    pub fn of(photo: Photo) -> Self {
        let urls = PhotoUrls::of(&photo.file);
        Self { photo, urls }
    }
}

/// The links of a type.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeUrls {
    /// The English page.
    pub html: String,
    /// The Russian page.
    pub html_ru: String,
    /// This record in the API.
    pub api: String,
    /// Every photo of the type and of its specimens, by `file`.
    pub photos: Vec<PhotoUrls>,
}

/// A badge type with its variants, specimens (private fields only for curators) and photos.
/// A record read here can be sent back to `PUT` as it is: `urls` is ignored there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeRecord {
    #[serde(flatten)]
    pub record: BadgeType,
    pub urls: TypeUrls,
}

impl TypeRecord {
    pub fn of(record: BadgeType) -> Self {
        let slug = record.slug.to_string();
        let mut photos: Vec<PhotoUrls> = Vec::new();
        for p in record
            .photos
            .iter()
            .chain(record.specimens().flat_map(|s| s.photos.iter()))
        {
            if !photos.iter().any(|u| u.file == p.file) {
                photos.push(PhotoUrls::of(&p.file));
            }
        }
        Self {
            urls: TypeUrls {
                html: format!("/types/{slug}"),
                html_ru: format!("/ru/types/{slug}"),
                api: format!("/api/v1/types/{slug}"),
                photos,
            },
            record,
        }
    }
}

/// What a list shows of a type (no aggregate is loaded for it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeCard {
    pub slug: Slug,
    pub names: Names,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub established: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Issuer>,
    pub materials: Vec<Material>,
    pub categories: Vec<Slug>,
    pub variant_count: u64,
    pub specimen_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<PhotoUrls>,
    /// `false` for a draft (only curators see drafts).
    pub published: bool,
    /// The English page.
    pub html: String,
    /// The full record.
    pub api: String,
}

impl TypeCard {
    pub fn of(s: TypeSummary) -> Self {
        let slug = s.slug.to_string();
        Self {
            html: format!("/types/{slug}"),
            api: format!("/api/v1/types/{slug}"),
            thumbnail: s.thumbnail.as_ref().map(|p| PhotoUrls::of(&p.file)),
            slug: s.slug,
            names: s.names,
            established: s.established,
            issuer: s.issuer,
            materials: s.materials,
            categories: s.categories,
            variant_count: s.variant_count,
            specimen_count: s.specimen_count,
            published: s.published,
        }
    }
}

/// A page of a list of types.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypePage {
    /// The types, each with the fields asked for (`fields`), all of them by default.
    #[schema(value_type = Vec<TypeCard>)]
    pub items: Vec<serde_json::Value>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// How many types match in all, when a search answered (a plain listing does not count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// A category with its counts and a link to its types.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryRecord {
    #[serde(flatten)]
    pub category: Category,
    /// The version to send back in `If-Match` (also the ETag of the category's own record).
    pub version: i64,
    pub type_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<PhotoUrls>,
    pub html: String,
    /// Its types, in collection order.
    pub types: String,
}

impl CategoryRecord {
    pub fn of(summary: CategorySummary) -> Self {
        let slug = summary.category.slug.to_string();
        Self {
            version: summary.category.version,
            type_count: summary.type_count,
            thumbnail: summary.thumbnail.as_ref().map(|p| PhotoUrls::of(&p.file)),
            html: format!("/categories/{slug}"),
            types: format!("/api/v1/types?category={slug}"),
            category: summary.category,
        }
    }
}

/// The categories in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryList {
    pub items: Vec<CategoryRecord>,
}

/// The collection's title and introduction, with where to go next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectionRecord {
    #[serde(flatten)]
    pub collection: Collection,
    pub categories: String,
    pub types: String,
    pub search: String,
    pub openapi: String,
}

impl CollectionRecord {
    pub fn of(collection: Collection) -> Self {
        Self {
            collection,
            categories: "/api/v1/categories".into(),
            types: "/api/v1/types".into(),
            search: "/api/v1/search".into(),
            openapi: "/api/v1/openapi.json".into(),
        }
    }
}

/// A photo's editable metadata (`PATCH …/photos/{id}`): every field optional.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoPatch {
    pub role: Option<PhotoRole>,
    pub alt: Option<Text>,
    pub caption: Option<Text>,
    pub credit: Option<String>,
    /// Move the photo to this place among the type's photos (0 = first).
    pub position: Option<u32>,
}

/// One revision in a record's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionEntry {
    pub id: i64,
    /// `create`, `update`, `delete` or `restore`.
    pub op: String,
    /// Who made the change.
    pub author: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// The record's slug at that revision.
    pub key: String,
    /// This revision with its changes.
    pub api: String,
}

/// One field changed by a revision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    /// `variants[0].weight_g`.
    pub path: String,
    /// The value before (any JSON value; absent for a field that was added).
    #[schema(value_type = Value)]
    pub before: Option<serde_json::Value>,
    /// The value after (any JSON value; absent for a field that was removed).
    #[schema(value_type = Value)]
    pub after: Option<serde_json::Value>,
}

/// A revision: who, when, the whole record as it stood, and what changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionDetail {
    #[serde(flatten)]
    pub entry: RevisionEntry,
    /// `type`, `category` or `collection`.
    pub kind: String,
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    pub changes: Vec<Change>,
}

/// A record's history, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct History {
    pub items: Vec<RevisionEntry>,
}
