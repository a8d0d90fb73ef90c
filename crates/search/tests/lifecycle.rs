//! The index on disk: created when missing, rebuilt when stale or damaged, kept when current.

mod common;

use common::{badge, demo, search};
use vitrina_search::{RebuildReason, SCHEMA_VERSION, SearchError, SearchIndex};

#[test]
fn a_new_folder_needs_a_rebuild_and_a_rebuilt_index_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("search");
    let index = SearchIndex::open(&dir).unwrap();
    assert_eq!(index.needs_rebuild(), Some(RebuildReason::Missing));
    assert_eq!(index.rebuild(demo().types).unwrap(), 8);
    assert_eq!(index.needs_rebuild(), None);
    drop(index);

    let index = SearchIndex::open(&dir).unwrap();
    assert_eq!(index.needs_rebuild(), None);
    assert_eq!(index.len(), 8);
    assert_eq!(search(&index, "МОПР").hits[0].slug, "mopr-badge");
}

#[test]
fn another_schema_version_is_detected_and_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(tmp.path()).unwrap();
    index.rebuild(demo().types).unwrap();
    drop(index);
    std::fs::write(tmp.path().join("vitrina-search-version"), "0\n").unwrap();
    let index = SearchIndex::open(tmp.path()).unwrap();
    assert_eq!(
        index.needs_rebuild(),
        Some(RebuildReason::SchemaChanged {
            found: Some(0),
            expected: SCHEMA_VERSION
        })
    );
    assert!(index.is_empty());
    assert!(
        index
            .needs_rebuild()
            .unwrap()
            .to_string()
            .contains("schema version 0")
    );
}

#[test]
fn an_unfinished_rebuild_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(tmp.path()).unwrap();
    index.rebuild(demo().types).unwrap();
    drop(index);
    // What a crash between the commit and the version file leaves behind.
    std::fs::remove_file(tmp.path().join("vitrina-search-version")).unwrap();
    let index = SearchIndex::open(tmp.path()).unwrap();
    assert_eq!(index.needs_rebuild(), Some(RebuildReason::Incomplete));
}

#[test]
fn a_corrupt_index_is_replaced_by_an_empty_one() {
    let tmp = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(tmp.path()).unwrap();
    index.rebuild(demo().types).unwrap();
    drop(index);
    std::fs::write(tmp.path().join("meta.json"), "{ not json").unwrap();
    let index = SearchIndex::open(tmp.path()).unwrap();
    assert!(matches!(
        index.needs_rebuild(),
        Some(RebuildReason::Corrupt(_))
    ));
    assert!(index.is_empty());
    index.rebuild(demo().types).unwrap();
    assert_eq!(index.len(), 8);
}

#[test]
fn a_folder_with_other_files_is_never_wiped() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("collection.sqlite"), "precious").unwrap();
    let err = SearchIndex::open(tmp.path()).unwrap_err();
    assert!(matches!(err, SearchError::NotAnIndex(_)), "{err}");
    assert!(tmp.path().join("collection.sqlite").exists());
}

#[test]
fn index_replace_and_remove_single_types() {
    let index = SearchIndex::in_memory().unwrap();
    assert_eq!(index.needs_rebuild(), None);
    let mut t = badge(
        r#"
        slug = "gto-badge"
        names = { en = "Ready for Labour and Defence badge", ru = "Значок ГТО" }
        "#,
    );
    index.index_type(&t).unwrap();
    index.commit().unwrap();
    assert_eq!(search(&index, "znachok").total, 1);

    // Indexing the same slug again replaces it.
    t.names.ru = "Знак ГТО".into();
    index.index_type(&t).unwrap();
    index.commit().unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(search(&index, "znachok").total, 0);
    assert_eq!(search(&index, "znak GTO").total, 1);

    index.remove_type("gto-badge").unwrap();
    index.commit().unwrap();
    assert!(index.is_empty());
}

#[test]
fn a_commit_can_carry_the_last_applied_change() {
    let tmp = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(tmp.path()).unwrap();
    index.rebuild(demo().types).unwrap();
    index.remove_type("mopr-badge").unwrap();
    index.commit_through("seq=42").unwrap();
    drop(index);
    let index = SearchIndex::open(tmp.path()).unwrap();
    assert_eq!(
        index.last_commit_payload().unwrap().as_deref(),
        Some("seq=42")
    );
    assert_eq!(index.len(), 7);
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}
