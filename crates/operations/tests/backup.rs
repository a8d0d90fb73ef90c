//! Backup and restore through `Catalogue`: a round trip with photo originals, the checksums in
//! the manifest, and every kind of bad archive refused with a clear error before anything in
//! the target changes (truncated, an entry damaged, a ZIP bomb, names climbing out with `..` or
//! starting at `/`, a newer format, a target that is not empty).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};
use vitrina_catalogue::{Access, Photo, PhotoRole, Role, Slug, Text, User};
use vitrina_media::{LocalStore, Pipeline};
use vitrina_operations::backup::{BackupError, BackupOptions, Quiet};
use vitrina_operations::{Catalogue, Store, open_store};
use vitrina_storage::Page;

/// A store, its catalogue and its media, in a folder of their own.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    store: Arc<dyn Store>,
    catalogue: Catalogue,
    media: Pipeline,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let store = open_store(&format!("sqlite://{}", root.join("vitrina.db").display()))
        .await
        .unwrap();
    let media = Pipeline::new(
        Arc::new(LocalStore::new(root.join("media"))),
        vitrina_media::Limits::default(),
    );
    Site {
        _dir: dir,
        catalogue: Catalogue::new(store.clone()),
        root,
        store,
        media,
    }
}

fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/images/formats")
            .join(name),
    )
    .unwrap()
}

/// The demo, a user, and two uploaded photos on a demo type (one named by history only).
async fn filled() -> (Site, Vec<String>) {
    let s = site().await;
    s.catalogue.load_demo().await.unwrap();
    let mut anna = User::new("anna", Role::Owner);
    anna.created_at = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    s.store
        .create_user(&anna, "$argon2id$hash-of-anna")
        .await
        .unwrap();
    let mut hashes = Vec::new();
    for name in ["hopper.jpg", "pil123rgba.png"] {
        let ingested = s.media.ingest(testdata(name).into()).await.unwrap();
        hashes.push(ingested.hash.clone());
        let slug = Slug::parse("mopr-badge").unwrap();
        let mut t = s.catalogue.curator_type(&slug).await.unwrap();
        t.photos.push(Photo {
            id: None,
            role: PhotoRole::Obverse,
            file: ingested.file,
            alt: Text {
                en: "A photo".into(),
                ru: String::new(),
            },
            caption: Text::default(),
            illustration: false,
            width: Some(128),
            height: Some(128),
            credit: String::new(),
            original_name: name.into(),
        });
        s.catalogue.save_type(&t).await.unwrap();
    }
    // The second photo leaves the type again: only its history names it now.
    let slug = Slug::parse("mopr-badge").unwrap();
    let mut t = s.catalogue.curator_type(&slug).await.unwrap();
    t.photos.pop();
    s.catalogue.save_type(&t).await.unwrap();
    (s, hashes)
}

/// Everything a target holds that a restore could change.
async fn state(
    s: &Site,
) -> (
    bool,
    Vec<vitrina_catalogue::BadgeType>,
    usize,
    Vec<String>,
    usize,
) {
    let (summaries, _) = s.catalogue.curator_types(Page::new(0, 500)).await.unwrap();
    let mut types = Vec::new();
    for summary in summaries {
        types.push(s.catalogue.curator_type(&summary.slug).await.unwrap());
    }
    (
        s.store.is_empty().await.unwrap(),
        types,
        s.catalogue
            .collection_history(Page::new(0, 500))
            .await
            .unwrap()
            .len(),
        s.media.store().list("originals/").await.unwrap(),
        s.store.users().await.unwrap().len(),
    )
}

async fn backup(s: &Site, accounts: bool) -> PathBuf {
    let path = s.root.join("backup.zip");
    s.catalogue
        .backup(
            s.media.store().as_ref(),
            &path,
            BackupOptions {
                accounts,
                originals: true,
            },
            &Quiet,
        )
        .await
        .expect("a backup");
    path
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every entry of a ZIP, by name, in order.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (String::from_utf8_lossy(f.name_raw()).into_owned(), bytes)
        })
        .collect()
}

/// A new ZIP of these entries (deflated, except where `stored`).
fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// The archive at `from`, changed by `change` (entries, and the manifest as JSON), at `to`.
fn tampered(
    from: &Path,
    to: &Path,
    change: impl FnOnce(&mut Vec<(String, Vec<u8>)>, &mut Value),
) -> PathBuf {
    let mut all = entries(from);
    let at = all.iter().position(|(n, _)| n == "manifest.json").unwrap();
    let (_, manifest) = all.remove(at);
    let mut manifest: Value = serde_json::from_slice(&manifest).unwrap();
    change(&mut all, &mut manifest);
    all.push((
        "manifest.json".into(),
        serde_json::to_vec(&manifest).unwrap(),
    ));
    write_zip(to, &all);
    to.to_owned()
}

/// Adds an entry and lists it in the manifest with its true size and checksum.
fn add_listed(all: &mut Vec<(String, Vec<u8>)>, manifest: &mut Value, name: &str, bytes: Vec<u8>) {
    manifest["entries"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": name, "size": bytes.len(), "sha256": sha(&bytes)}));
    all.push((name.into(), bytes));
}

#[tokio::test]
async fn a_backup_restores_whole_with_its_photo_originals() {
    let (source, hashes) = filled().await;
    let path = backup(&source, true).await;

    // The manifest's checksums are the entries'.
    let all = entries(&path);
    let manifest: Value =
        serde_json::from_slice(&all.iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap();
    let listed = manifest["entries"].as_array().unwrap();
    assert_eq!(listed.len(), all.len() - 1, "every other entry is listed");
    for e in listed {
        let name = e["name"].as_str().unwrap();
        let (_, bytes) = all.iter().find(|(n, _)| n == name).unwrap();
        assert_eq!(e["sha256"].as_str().unwrap(), sha(bytes), "{name}");
        assert_eq!(e["size"].as_u64().unwrap(), bytes.len() as u64, "{name}");
    }
    for hash in &hashes {
        assert!(
            all.iter()
                .any(|(n, _)| *n == format!("media/originals/{hash}")),
            "the original {hash} is archived (even one only history names)"
        );
    }
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["counts"]["users"], 1);

    let target = site().await;
    let report = target
        .catalogue
        .restore(&target.media, &path, false, &Quiet)
        .await
        .expect("a restore into an empty store");
    assert_eq!(report.originals_added, 2);
    assert!(report.missing_originals.is_empty());

    let (_, source_types, source_history, _, _) = state(&source).await;
    let (empty, types, history, originals, users) = state(&target).await;
    assert!(!empty);
    assert_eq!(
        types, source_types,
        "every type, private fields and ids included"
    );
    assert_eq!(history, source_history);
    assert_eq!(users, 1);
    assert_eq!(
        target
            .store
            .password_hash(target.store.user_by_name("anna").await.unwrap().id.unwrap())
            .await
            .unwrap(),
        "$argon2id$hash-of-anna"
    );
    for hash in &hashes {
        assert!(originals.contains(&format!("originals/{hash}")));
        assert_eq!(
            target
                .media
                .store()
                .get(&format!("originals/{hash}"))
                .await
                .unwrap()
                .unwrap()
                .len(),
            source
                .media
                .store()
                .get(&format!("originals/{hash}"))
                .await
                .unwrap()
                .unwrap()
                .len()
        );
        assert!(
            target
                .media
                .store()
                .exists(&format!("queue/{hash}"))
                .await
                .unwrap(),
            "the web sizes of {hash} are queued"
        );
    }
    let slug = Slug::parse("mopr-badge").unwrap();
    assert_eq!(
        target
            .catalogue
            .public_type(&slug)
            .await
            .unwrap()
            .badge_type,
        source
            .catalogue
            .public_type(&slug)
            .await
            .unwrap()
            .badge_type
    );
    let private = target
        .store
        .badge_type(&slug, Access::Private)
        .await
        .unwrap();
    assert_eq!(private.photos.last().unwrap().original_name, "hopper.jpg");

    // Without --accounts there are no accounts in it, and a restore leaves the target's.
    let path = backup(&source, false).await;
    assert!(
        !entries(&path)
            .iter()
            .any(|(n, _)| n.starts_with("accounts/"))
    );
}

/// Restores `archive` into a fresh target that already holds a user and an original, and
/// checks that it is refused with an error `expect` accepts and that nothing changed.
async fn refused(archive: &Path, expect: impl Fn(&BackupError) -> bool) -> String {
    let target = site().await;
    target
        .store
        .create_user(&User::new("zoe", Role::Owner), "$argon2id$zoe")
        .await
        .unwrap();
    target
        .media
        .ingest(testdata("hopper.jpg").into())
        .await
        .unwrap();
    let before = state(&target).await;
    let err = target
        .catalogue
        .restore(&target.media, archive, false, &Quiet)
        .await
        .expect_err("the archive is refused");
    assert!(expect(&err), "unexpected error: {err:?}");
    assert_eq!(state(&target).await, before, "nothing changed after: {err}");
    err.to_string()
}

#[tokio::test]
async fn bad_archives_are_refused_before_anything_changes() {
    let (source, hashes) = filled().await;
    let good = backup(&source, true).await;
    let dir = tempfile::tempdir().unwrap();
    let at = |n: &str| dir.path().join(n);

    // Truncated: the end of the file (the ZIP's directory) is gone.
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(at("truncated.zip"), &bytes[..bytes.len() / 2]).unwrap();
    let m = refused(&at("truncated.zip"), |e| {
        matches!(e, BackupError::NotAnArchive(_))
    })
    .await;
    assert!(m.contains("truncated"), "{m}");

    // Not a ZIP at all.
    std::fs::write(at("text.zip"), b"hello").unwrap();
    refused(&at("text.zip"), |e| {
        matches!(e, BackupError::NotAnArchive(_))
    })
    .await;

    // A damaged original: its bytes changed, the manifest not.
    let original = format!("media/originals/{}", hashes[0]);
    let damaged = tampered(&good, &at("damaged.zip"), |all, _| {
        let (_, bytes) = all.iter_mut().find(|(n, _)| *n == original).unwrap();
        bytes[100] ^= 0xff;
    });
    let m = refused(&damaged, |e| matches!(e, BackupError::Damaged(_))).await;
    assert!(m.contains("checksum") && m.contains(&original), "{m}");

    // A damaged record: a type's line changed.
    let damaged = tampered(&good, &at("damaged-types.zip"), |all, _| {
        let (_, bytes) = all
            .iter_mut()
            .find(|(n, _)| n == "catalogue/types.jsonl")
            .unwrap();
        bytes.truncate(bytes.len() / 2);
    });
    refused(&damaged, |e| matches!(e, BackupError::Damaged(_))).await;

    // A ZIP bomb: 50 MB of zeros, listed with its true size and checksum.
    let bomb = tampered(&good, &at("bomb.zip"), |all, manifest| {
        all.retain(|(n, _)| n != "history.jsonl");
        let entries = manifest["entries"].as_array_mut().unwrap();
        entries.retain(|e| e["name"] != "history.jsonl");
        add_listed(all, manifest, "history.jsonl", vec![b' '; 50_000_000]);
    });
    let m = refused(&bomb, |e| matches!(e, BackupError::Hostile(_))).await;
    assert!(m.contains("ZIP bomb"), "{m}");

    // Names that climb out of any folder, or start at its root, even when listed.
    for name in ["../evil", "media/originals/../../evil", "/etc/cron.d/evil"] {
        let hostile = tampered(&good, &at("hostile.zip"), |all, manifest| {
            add_listed(all, manifest, name, b"* * * * * root true\n".to_vec());
        });
        let m = refused(&hostile, |e| {
            matches!(e, BackupError::Hostile(_) | BackupError::NotAnArchive(_))
        })
        .await;
        assert!(m.contains("evil"), "{m}");
    }

    // An entry the manifest does not list.
    let unlisted = tampered(&good, &at("unlisted.zip"), |all, _| {
        all.push((format!("media/originals/{}", "0".repeat(64)), b"x".to_vec()));
    });
    let m = refused(&unlisted, |e| matches!(e, BackupError::Hostile(_))).await;
    assert!(m.contains("not in the manifest"), "{m}");

    // An original whose name is not its content's hash, listed with its true checksum.
    let misnamed = tampered(&good, &at("misnamed.zip"), |all, manifest| {
        add_listed(
            all,
            manifest,
            &format!("media/originals/{}", "a".repeat(64)),
            testdata("hopper.jpg"),
        );
        manifest["counts"]["originals"] = (hashes.len() as u64 + 1).into();
    });
    refused(&misnamed, |e| matches!(e, BackupError::Damaged(_))).await;

    // A newer format.
    let newer = tampered(&good, &at("newer.zip"), |_, manifest| {
        manifest["format_version"] = 99.into();
        manifest["vitrina_version"] = "9.0.0".into();
        manifest["a_field_from_the_future"] = true.into();
    });
    let m = refused(&newer, |e| matches!(e, BackupError::TooNew { .. })).await;
    assert!(
        m.contains("newer Vitrina (9.0.0") && m.contains("upgrade"),
        "{m}"
    );

    // Counts that do not add up.
    let miscounted = tampered(&good, &at("miscounted.zip"), |_, manifest| {
        manifest["counts"]["types"] = 1.into();
    });
    refused(&miscounted, |e| matches!(e, BackupError::Damaged(_))).await;

    // The good one still restores (the checks above refused the changes, not the archive).
    let target = site().await;
    target
        .catalogue
        .restore(&target.media, &good, false, &Quiet)
        .await
        .expect("the untouched archive restores");
}

#[tokio::test]
async fn a_target_that_is_not_empty_needs_replace() {
    let (source, _) = filled().await;
    let path = backup(&source, false).await;
    let target = site().await;
    target.catalogue.load_demo().await.unwrap();
    let before = state(&target).await;
    let err = target
        .catalogue
        .restore(&target.media, &path, false, &Quiet)
        .await
        .expect_err("a target with a collection is refused");
    assert!(matches!(err, BackupError::NotEmpty(_)), "{err:?}");
    assert!(err.to_string().contains("already holds"), "{err}");
    assert_eq!(state(&target).await, before);

    let generation = target.catalogue.generation();
    target
        .catalogue
        .restore(&target.media, &path, true, &Quiet)
        .await
        .expect("--replace replaces");
    assert!(
        target.catalogue.generation() > generation,
        "pages see the restore"
    );
    let (_, source_types, source_history, _, _) = state(&source).await;
    let (_, types, history, _, _) = state(&target).await;
    assert_eq!(types, source_types);
    assert_eq!(history, source_history);
}

/// Written after the round trip: the restored store's id counters carry on past the archive's,
/// so what is made next never takes a restored id.
#[tokio::test]
async fn what_is_written_after_a_restore_gets_new_ids() {
    let (source, _) = filled().await;
    let path = backup(&source, true).await;
    let target = site().await;
    target
        .catalogue
        .restore(&target.media, &path, false, &Quiet)
        .await
        .unwrap();
    let slug = Slug::parse("mopr-badge").unwrap();
    let mut t = target.catalogue.curator_type(&slug).await.unwrap();
    let mut copy = t.photos[0].clone();
    copy.id = None;
    t.photos.push(copy);
    let saved = target.catalogue.save_type(&t).await.unwrap();
    let ids: Vec<_> = saved.photos.iter().map(|p| p.id.unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    let users: BTreeMap<String, _> = target
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.name, u.id))
        .collect();
    let new = target
        .store
        .create_user(&User::new("new", Role::Viewer), "$argon2id$x")
        .await
        .unwrap();
    assert!(users.values().all(|id| *id < new.id));
}
