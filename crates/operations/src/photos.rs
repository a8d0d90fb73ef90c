//! Photos on a type: attaching uploads that were streamed to temporary files
//! ([`vitrina_media::Staged`]) to the type or one of its specimens.
//!
//! [`attach`] reads the type (which must exist), checks the specimen, ingests every file (the
//! original stored privately once under its content hash, its derivatives queued), appends the
//! photo records and saves the type as the curator, retrying when another save got in between.
//! When the save fails, the originals this call stored are removed again, so a failed upload
//! leaves nothing behind.

use vitrina_catalogue::{BadgeType, Photo, PhotoRole, Slug, SpecimenId, Text, Validate};
use vitrina_media::{Ingested, MediaError, Pipeline, Staged};
use vitrina_storage::{Author, StorageError};

use crate::{Catalogue, Error};

/// Saving the type is tried this often when another save got in between.
const SAVE_ATTEMPTS: usize = 3;

/// One staged file and what the form said about it.
#[derive(Debug)]
pub struct NewPhoto {
    /// The file name as uploaded, for messages.
    pub name: String,
    pub role: PhotoRole,
    /// The alt text; empty means "<type name>, <role>".
    pub alt: String,
    pub staged: Staged,
}

/// Photos to attach to a type, or to one of its specimens.
#[derive(Debug)]
pub struct Attach {
    pub slug: Slug,
    pub specimen: Option<SpecimenId>,
    pub photos: Vec<NewPhoto>,
}

/// A photo that was attached.
#[derive(Debug, Clone)]
pub struct Attached {
    pub name: String,
    pub role: PhotoRole,
    pub ingested: Ingested,
}

/// What [`attach`] did: the files it stored, in the order given, and the type as saved (the
/// new photos carry their ids there).
#[derive(Debug)]
pub struct Attachment {
    pub attached: Vec<Attached>,
    pub saved: BadgeType,
}

impl Attachment {
    /// The photos this call attached, as saved (with their ids), on the type or the specimen.
    pub fn photos(&self) -> Vec<&Photo> {
        let all: Vec<&Photo> = self
            .saved
            .photos
            .iter()
            .chain(self.saved.specimens().flat_map(|s| s.photos.iter()))
            .collect();
        self.attached
            .iter()
            .filter_map(|a| all.iter().find(|p| p.file == a.ingested.file).copied())
            .collect()
    }
}

/// Why photos could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The type could not be read or saved (not found, conflict, invalid, storage).
    #[error(transparent)]
    Catalogue(#[from] Error),
    /// A file was refused or could not be stored; `name` is the file's.
    #[error("{name}: {error}")]
    Media { name: String, error: MediaError },
    /// The specimen is not one of this type's.
    #[error("the chosen specimen is not one of this type's")]
    NotASpecimen,
}

/// Attaches `request.photos` to the type (or specimen), saving it as `author`; see the module.
pub async fn attach(
    catalogue: &Catalogue,
    media: &Pipeline,
    request: Attach,
    author: &Author,
    alt_for: impl Fn(&PhotoRole) -> String,
) -> Result<Attachment, PhotoError> {
    let Attach {
        slug,
        specimen,
        photos,
    } = request;
    let mut badge_type = catalogue.curator_type(&slug).await?;
    if let Some(id) = specimen
        && !badge_type.specimens().any(|s| s.id == Some(id))
    {
        return Err(PhotoError::NotASpecimen);
    }
    let attached = ingest(media, photos).await?;
    let mut attempt = 0;
    let saved = loop {
        attempt += 1;
        if attempt > 1 {
            // another save got in between: append to what is stored now
            badge_type = match catalogue.curator_type(&slug).await {
                Ok(t) => t,
                Err(e) => {
                    forget(media, &attached).await;
                    return Err(e.into());
                }
            };
        }
        let type_name = badge_type.names.en.clone();
        let target = match specimen {
            None => &mut badge_type.photos,
            Some(id) => match badge_type
                .variants
                .iter_mut()
                .flat_map(|v| v.specimens.iter_mut())
                .find(|s| s.id == Some(id))
            {
                Some(specimen) => &mut specimen.photos,
                None => {
                    forget(media, &attached).await;
                    return Err(PhotoError::NotASpecimen);
                }
            },
        };
        for (done, alt) in &attached {
            let photo = record(done, alt, &type_name, &alt_for);
            // the same picture twice on one record is one photo
            if !target.iter().any(|p| p.file == photo.file) {
                target.push(photo);
            }
        }
        match catalogue.save_type_by(&badge_type, author).await {
            Ok(saved) => break saved,
            Err(Error::Storage(StorageError::Conflict(_))) if attempt < SAVE_ATTEMPTS => continue,
            Err(e) => {
                forget(media, &attached).await;
                return Err(e.into());
            }
        }
    };
    Ok(Attachment {
        attached: attached.into_iter().map(|(a, _)| a).collect(),
        saved,
    })
}

/// Saves `badge_type` as `author` (a new type, or a stored one at the version it was read at)
/// with `photos` added to its own photos, in one save: the workspace's type page, where a
/// record and its photos are entered together. The files are stored first; when the save is
/// refused (invalid, a stale version, a taken slug) the originals this call stored are removed
/// again and the error is returned as the save's.
pub async fn save_with_photos(
    catalogue: &Catalogue,
    media: &Pipeline,
    mut badge_type: BadgeType,
    photos: Vec<NewPhoto>,
    author: &Author,
    alt_for: impl Fn(&PhotoRole) -> String,
) -> Result<Attachment, PhotoError> {
    // Refuse an invalid record before storing any file.
    if let Err(errors) = crate::text::normalized_record(&badge_type).validate() {
        return Err(PhotoError::Catalogue(Error::Invalid(errors)));
    }
    let attached = ingest(media, photos).await?;
    let type_name = badge_type.names.en.clone();
    for (done, alt) in &attached {
        let photo = record(done, alt, &type_name, &alt_for);
        if !badge_type.photos.iter().any(|p| p.file == photo.file) {
            badge_type.photos.push(photo);
        }
    }
    match catalogue.save_type_by(&badge_type, author).await {
        Ok(saved) => Ok(Attachment {
            attached: attached.into_iter().map(|(a, _)| a).collect(),
            saved,
        }),
        Err(e) => {
            forget(media, &attached).await;
            Err(e.into())
        }
    }
}

/// Stores every staged file (originals once, derivatives queued), in order; on a refusal the
/// ones already stored are removed again.
async fn ingest(
    media: &Pipeline,
    photos: Vec<NewPhoto>,
) -> Result<Vec<(Attached, String)>, PhotoError> {
    let mut attached: Vec<(Attached, String)> = Vec::with_capacity(photos.len());
    for photo in photos {
        match media.ingest_staged(photo.staged).await {
            Ok(ingested) => attached.push((
                Attached {
                    name: photo.name,
                    role: photo.role,
                    ingested,
                },
                photo.alt,
            )),
            Err(error) => {
                forget(media, &attached).await;
                return Err(PhotoError::Media {
                    name: photo.name,
                    error,
                });
            }
        }
    }
    Ok(attached)
}

/// Removes what this call stored (originals that were new), after a failure.
async fn forget(media: &Pipeline, attached: &[(Attached, String)]) {
    for (done, _) in attached {
        let ingested = &done.ingested;
        if !ingested.duplicate
            && let Err(e) = media.remove(&ingested.hash).await
        {
            tracing::error!(hash = %ingested.hash, error = %e, "could not remove an unsaved upload");
        }
    }
}

fn record(
    done: &Attached,
    alt: &str,
    type_name: &str,
    alt_for: &impl Fn(&PhotoRole) -> String,
) -> Photo {
    let (width, height) = done.ingested.inspection.upright_size();
    let alt = if alt.trim().is_empty() {
        format!("{type_name}, {}", alt_for(&done.role))
    } else {
        alt.trim().to_owned()
    };
    Photo {
        id: None,
        role: done.role,
        file: done.ingested.file.clone(),
        alt: Text {
            en: alt,
            ru: String::new(),
        },
        caption: Text::default(),
        illustration: false,
        width: Some(width),
        height: Some(height),
        credit: String::new(),
        original_name: Photo::safe_file_name(&done.name),
    }
}
