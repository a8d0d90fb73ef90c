//! The demo collection: the "Soviet Badges" page every fact of which Vitrina shows on first
//! start. The fixture (`demo/collection.toml`) and its illustrations (`demo/media/`) are plain
//! files in the repository, embedded in the binary at build time.

use rust_embed::Embed;
use vitrina_catalogue::{Snapshot, Validate};

use crate::{Error, Result};

/// The fixture, as people read and edit it.
pub const FIXTURE: &str = include_str!("../../../demo/collection.toml");

/// The prefix of media keys served from the embedded demo media.
pub const MEDIA_PREFIX: &str = "demo/";

#[derive(Embed)]
#[folder = "../../demo/media/"]
struct Media;

/// The demo collection, parsed and validated.
pub fn snapshot() -> Result<Snapshot> {
    let snapshot: Snapshot = toml::from_str(FIXTURE).map_err(|e| Error::Demo(e.to_string()))?;
    snapshot
        .validate()
        .map_err(|e| Error::Demo(e.to_string()))?;
    Ok(snapshot)
}

/// The bytes of a demo media file, by media key (`demo/mopr-badge-obverse.svg`).
pub fn media(key: &str) -> Option<std::borrow::Cow<'static, [u8]>> {
    let name = key.strip_prefix(MEDIA_PREFIX)?;
    Media::get(name).map(|f| f.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_parses_validates_and_every_photo_it_names_is_embedded() {
        let snapshot = snapshot().unwrap();
        assert_eq!(snapshot.categories.len(), 7);
        for t in &snapshot.types {
            let photos = t
                .photos
                .iter()
                .chain(t.specimens().flat_map(|s| s.photos.iter()));
            for p in photos {
                assert!(
                    media(&p.file).is_some(),
                    "{} names {} which is not embedded",
                    t.slug,
                    p.file
                );
            }
        }
    }

    #[test]
    fn media_outside_the_demo_prefix_is_not_served() {
        assert!(media("../Cargo.toml").is_none());
        assert!(media("demo/../../Cargo.toml").is_none());
        assert!(media("other/x.svg").is_none());
    }
}
