//! Editing a record at a known version: replace it whole, patch part of it (JSON Merge Patch,
//! RFC 7396), create, publish or unpublish. Every door that edits — the REST API today, import
//! and the workspace next — calls these, so "read, check the version, change, validate, save"
//! is written once.
//!
//! The version the caller read is checked before anything is changed (a stale one is
//! [`Error::Stale`] with the version now stored), and again by storage inside the saving
//! transaction, so a save that slips in between still cannot be overwritten silently.

use serde_json::Value;
use vitrina_catalogue::{
    Access, BadgeType, Category, Collection, Photo, PhotoId, PhotoRole, Slug, Text,
    ValidationErrors,
};
use vitrina_storage::{Author, StorageError};

use crate::{Catalogue, Error, Result};

/// Publish or withdraw a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    Publish,
    Unpublish,
}

/// What may change of a photo's metadata; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoChange {
    pub role: Option<PhotoRole>,
    pub alt: Option<Text>,
    pub caption: Option<Text>,
    pub credit: Option<String>,
    /// The photo's new place among its owner's photos (0 = first; past the end = last).
    pub position: Option<usize>,
}

/// The photos list (the type's own, or a specimen's) holding photo `id`.
fn photos_with(t: &mut BadgeType, id: PhotoId) -> Option<&mut Vec<Photo>> {
    if t.photos.iter().any(|p| p.id == Some(id)) {
        return Some(&mut t.photos);
    }
    t.variants
        .iter_mut()
        .flat_map(|v| v.specimens.iter_mut())
        .map(|s| &mut s.photos)
        .find(|photos| photos.iter().any(|p| p.id == Some(id)))
}

/// A record that would not read back from the JSON it was patched into: addressed to the field
/// serde names when it can, else to the record.
fn unreadable(err: serde_json::Error) -> Error {
    let mut errors = ValidationErrors::default();
    let message = err.to_string();
    // serde_json says "unknown field `x`, expected one of …" or "invalid type: … at line …";
    // the path is not known at this level, the message is the useful part.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    errors.add("", message);
    Error::Invalid(errors)
}

/// Applies an RFC 7396 merge patch to a record's JSON and reads it back.
fn merge<T: serde::Serialize + serde::de::DeserializeOwned>(
    record: &T,
    patch: &Value,
) -> Result<T> {
    if !patch.is_object() {
        let mut errors = ValidationErrors::default();
        errors.add("", "a merge patch is a JSON object");
        return Err(Error::Invalid(errors));
    }
    let mut doc = serde_json::to_value(record).map_err(unreadable)?;
    json_patch::merge(&mut doc, patch);
    serde_json::from_value(doc).map_err(unreadable)
}

impl Catalogue {
    /// The stored type at `version`, private fields included; a stale version is
    /// [`Error::Stale`].
    async fn type_at(&self, slug: &Slug, version: i64) -> Result<BadgeType> {
        let current = self.store.badge_type(slug, Access::Private).await?;
        if current.version != version {
            return Err(Error::Stale {
                current: current.version,
            });
        }
        Ok(current)
    }

    /// Saves a type that was read at `version`; a version conflict inside the transaction (a
    /// save that came in between) is reported as [`Error::Stale`] with the version now stored.
    async fn save_type_at(
        &self,
        slug: &Slug,
        badge_type: BadgeType,
        author: &Author,
    ) -> Result<BadgeType> {
        match self.save_type_by(&badge_type, author).await {
            Err(Error::Storage(StorageError::Conflict(m))) => {
                match self.store.badge_type(slug, Access::Private).await {
                    Ok(now) if now.version != badge_type.version => Err(Error::Stale {
                        current: now.version,
                    }),
                    _ => Err(Error::Storage(StorageError::Conflict(m))),
                }
            }
            other => other,
        }
    }

    /// Creates a type. Ids and versions in the body are ignored: storage assigns them.
    pub async fn create_type(
        &self,
        mut badge_type: BadgeType,
        author: &Author,
    ) -> Result<BadgeType> {
        badge_type.id = None;
        badge_type.version = 0;
        for v in &mut badge_type.variants {
            v.id = None;
            for s in &mut v.specimens {
                s.id = None;
                for p in &mut s.photos {
                    p.id = None;
                }
            }
        }
        for p in &mut badge_type.photos {
            p.id = None;
        }
        self.save_type_by(&badge_type, author).await
    }

    /// Replaces the type stored under `slug`, read at `version`, with `new` (which may carry a
    /// new slug). Children with ids keep them; children without get new ones; children left
    /// out are removed.
    pub async fn replace_type(
        &self,
        slug: &Slug,
        version: i64,
        mut new: BadgeType,
        author: &Author,
    ) -> Result<BadgeType> {
        // Only the id and the version are needed, not the stored type: one light read.
        let (id, current) = self.store.type_version(slug).await?;
        if current != version {
            return Err(Error::Stale { current });
        }
        new.id = Some(id);
        new.version = current;
        self.save_type_at(slug, new, author).await
    }

    /// Applies a JSON Merge Patch (RFC 7396) to the type read at `version`.
    pub async fn patch_type(
        &self,
        slug: &Slug,
        version: i64,
        patch: &Value,
        author: &Author,
    ) -> Result<BadgeType> {
        let current = self.type_at(slug, version).await?;
        let mut patched: BadgeType = merge(&current, patch)?;
        patched.id = current.id;
        patched.version = current.version;
        self.save_type_at(slug, patched, author).await
    }

    /// Publishes or withdraws the type read at `version`.
    pub async fn publish_type(
        &self,
        slug: &Slug,
        version: i64,
        publication: Publication,
        author: &Author,
    ) -> Result<BadgeType> {
        let mut current = self.type_at(slug, version).await?;
        current.published = publication == Publication::Publish;
        self.save_type_at(slug, current, author).await
    }

    /// Changes one photo's metadata (and its place among its owner's photos) on the type read
    /// at `version`.
    pub async fn change_photo(
        &self,
        slug: &Slug,
        version: i64,
        id: PhotoId,
        change: PhotoChange,
        author: &Author,
    ) -> Result<BadgeType> {
        let mut t = self.type_at(slug, version).await?;
        let photos = photos_with(&mut t, id)
            .ok_or_else(|| StorageError::not_found("photo", format!("{slug}/{id}")))?;
        let at = photos.iter().position(|p| p.id == Some(id)).unwrap_or(0);
        let mut photo = photos.remove(at);
        if let Some(role) = change.role {
            photo.role = role;
        }
        if let Some(alt) = change.alt {
            photo.alt = alt;
        }
        if let Some(caption) = change.caption {
            photo.caption = caption;
        }
        if let Some(credit) = change.credit {
            photo.credit = credit;
        }
        let to = change.position.unwrap_or(at).min(photos.len());
        photos.insert(to, photo);
        self.save_type_at(slug, t, author).await
    }

    /// Removes one photo from the type read at `version`. The stored files stay: they are
    /// content-addressed and may be shared, and history can bring the photo back.
    pub async fn remove_photo(
        &self,
        slug: &Slug,
        version: i64,
        id: PhotoId,
        author: &Author,
    ) -> Result<BadgeType> {
        let mut t = self.type_at(slug, version).await?;
        let photos = photos_with(&mut t, id)
            .ok_or_else(|| StorageError::not_found("photo", format!("{slug}/{id}")))?;
        photos.retain(|p| p.id != Some(id));
        self.save_type_at(slug, t, author).await
    }

    /// The stored category at `version` (for curators: drafts too).
    async fn category_at(&self, slug: &Slug, version: i64) -> Result<Category> {
        let current = self.store.category(slug).await?;
        if current.version != version {
            return Err(Error::Stale {
                current: current.version,
            });
        }
        Ok(current)
    }

    async fn save_category_at(
        &self,
        slug: &Slug,
        category: Category,
        author: &Author,
    ) -> Result<Category> {
        match self.save_category_by(&category, author).await {
            Err(Error::Storage(StorageError::Conflict(m))) => match self.store.category(slug).await
            {
                Ok(now) if now.version != category.version => Err(Error::Stale {
                    current: now.version,
                }),
                _ => Err(Error::Storage(StorageError::Conflict(m))),
            },
            other => other,
        }
    }

    /// Creates a category; an id or version in the body is ignored.
    pub async fn create_category(
        &self,
        mut category: Category,
        author: &Author,
    ) -> Result<Category> {
        category.id = None;
        category.version = 0;
        self.save_category_by(&category, author).await
    }

    /// Replaces the category stored under `slug`, read at `version`.
    pub async fn replace_category(
        &self,
        slug: &Slug,
        version: i64,
        mut new: Category,
        author: &Author,
    ) -> Result<Category> {
        let current = self.category_at(slug, version).await?;
        new.id = current.id;
        new.version = current.version;
        self.save_category_at(slug, new, author).await
    }

    /// Applies a JSON Merge Patch to the category read at `version`.
    pub async fn patch_category(
        &self,
        slug: &Slug,
        version: i64,
        patch: &Value,
        author: &Author,
    ) -> Result<Category> {
        let current = self.category_at(slug, version).await?;
        let mut patched: Category = merge(&current, patch)?;
        patched.id = current.id;
        patched.version = current.version;
        self.save_category_at(slug, patched, author).await
    }

    /// Publishes or withdraws the category read at `version`.
    pub async fn publish_category(
        &self,
        slug: &Slug,
        version: i64,
        publication: Publication,
        author: &Author,
    ) -> Result<Category> {
        let mut current = self.category_at(slug, version).await?;
        current.published = publication == Publication::Publish;
        self.save_category_at(slug, current, author).await
    }

    /// The collection's title and introduction (empty on a new store).
    pub async fn collection(&self) -> Result<Collection> {
        Ok(self.store.collection().await?.unwrap_or_default())
    }

    /// Applies a JSON Merge Patch to the collection's title and introduction.
    pub async fn patch_collection(&self, patch: &Value, author: &Author) -> Result<Collection> {
        let current = self.collection().await?;
        let patched: Collection = merge(&current, patch)?;
        self.put_collection_by(&patched, author).await?;
        Ok(patched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrina_catalogue::Text;

    #[test]
    fn a_merge_patch_changes_only_what_it_names_and_null_removes() {
        let c = Collection {
            title: Text {
                en: "Soviet Badges".into(),
                ru: "Советские знаки".into(),
            },
            introduction: Text {
                en: "Intro".into(),
                ru: "Введение".into(),
            },
        };
        let patched: Collection = merge(
            &c,
            &serde_json::json!({"title": {"en": "Badges", "ru": null}}),
        )
        .unwrap();
        assert_eq!(patched.title.en, "Badges");
        assert_eq!(patched.title.ru, "");
        assert_eq!(patched.introduction, c.introduction);
    }

    #[test]
    fn a_patch_that_is_not_an_object_or_names_unknown_fields_is_invalid() {
        let c = Collection::default();
        for patch in [serde_json::json!([1]), serde_json::json!({"colour": "red"})] {
            let err = merge(&c, &patch).unwrap_err();
            assert_eq!(err.code(), "invalid", "{patch}");
            assert!(!err.validation().unwrap().0[0].message.is_empty());
        }
    }
}
