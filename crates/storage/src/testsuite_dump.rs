//! Backup and restore as every backend must do them: a dump sees one moment while writes go
//! on, a restore into an empty store gives back the same records, ids, versions, history and
//! (when asked) accounts, and a refused or failed restore changes nothing. [`dump_tests!`] turns
//! each check into one `#[tokio::test]` with two fresh stores, a source and a target.
//!
//! [`dump_tests!`]: crate::dump_tests

use time::OffsetDateTime;
use vitrina_catalogue::{Access, BadgeType, Collection, Role, Text, TokenScope, User};

use crate::testsuite::{category, full_type, minimal_type, slug};
use crate::{
    ApiToken, Author, ChangeOp, DumpCounts, Page, RestoreOptions, Revision, StorageError, Store,
    StoredUser, TypeFilter,
};

/// Expands to one `#[tokio::test]` per check; `$fresh` as for `storage_tests!`, called twice.
#[macro_export]
macro_rules! dump_tests {
    ($fresh:path) => {
        $crate::dump_tests!(@each $fresh;
            a_restore_into_an_empty_store_gives_back_the_same_collection,
            a_dump_sees_one_moment_while_writes_go_on,
            a_store_that_is_not_empty_is_refused_and_unchanged,
            a_failed_restore_changes_nothing,
            replace_swaps_everything_and_tells_followers,
            accounts_stay_unless_they_are_restored,
        );
    };
    (@each $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let (source, source_guard) = $fresh().await;
                let (target, target_guard) = $fresh().await;
                $crate::testsuite_dump::$check(&source, &target).await;
                $crate::Store::close(&source).await;
                $crate::Store::close(&target).await;
                drop(source_guard);
                drop(target_guard);
            }
        )*
    };
}

/// Everything a dump reads, in small pages (so that paging is exercised).
#[derive(Debug, Default)]
pub struct Everything {
    pub counts: DumpCounts,
    pub collection: Option<Collection>,
    pub categories: Vec<vitrina_catalogue::Category>,
    pub types: Vec<BadgeType>,
    pub revisions: Vec<Revision>,
    pub users: Vec<StoredUser>,
    pub tokens: Vec<ApiToken>,
}

pub async fn dump_all(store: &dyn Store) -> Everything {
    let mut dump = store.dump().await.expect("open a dump");
    let everything = read_all(&mut *dump).await;
    dump.finish().await.expect("end the dump");
    everything
}

async fn read_all(dump: &mut dyn crate::DumpReader) -> Everything {
    let mut out = Everything {
        counts: dump.counts().await.expect("counts"),
        collection: dump.collection().await.expect("collection"),
        categories: dump.categories().await.expect("categories"),
        ..Everything::default()
    };
    loop {
        let after = out.types.last().and_then(|t| t.id);
        let page = dump.types(after, 2).await.expect("a page of types");
        if page.is_empty() {
            break;
        }
        out.types.extend(page);
    }
    loop {
        let after = out.revisions.last().map_or(0, |r| r.id);
        let page = dump.revisions(after, 3).await.expect("a page of history");
        if page.is_empty() {
            break;
        }
        out.revisions.extend(page);
    }
    out.users = dump.users().await.expect("users");
    out.tokens = dump.tokens().await.expect("tokens");
    out
}

/// Writes `everything` into `store` as one restore.
pub async fn restore_all(
    store: &dyn Store,
    everything: &Everything,
    options: RestoreOptions,
) -> Result<(), StorageError> {
    let mut restore = store.restore(options).await?;
    if let Some(c) = &everything.collection {
        restore.collection(c).await?;
    }
    restore.categories(&everything.categories).await?;
    for page in everything.types.chunks(2) {
        restore.types(page).await?;
    }
    for page in everything.revisions.chunks(3) {
        restore.revisions(page).await?;
    }
    if options.accounts {
        restore.users(&everything.users).await?;
        restore.tokens(&everything.tokens).await?;
    }
    restore.commit().await
}

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

/// A source with a bit of everything: a collection, a draft category, a full type with private
/// fields and photos' original names, a draft type, a deleted type (history only), edits by a
/// user, and accounts with a token.
async fn fill(store: &dyn Store) -> User {
    let mut anna = User::new("anna", Role::Owner);
    anna.created_at = now();
    let anna = store
        .create_user(&anna, "$argon2id$hash-of-anna")
        .await
        .unwrap();
    let mut boris = User::new("boris", Role::Viewer);
    boris.created_at = now();
    boris.disabled = true;
    store
        .create_user(&boris, "$argon2id$hash-of-boris")
        .await
        .unwrap();
    store
        .create_token(&ApiToken {
            id: None,
            user_id: anna.id.unwrap(),
            label: "backup script".into(),
            scope: TokenScope::Write,
            prefix: "vt_abc".into(),
            hash: "0123abcd".into(),
            created_at: now(),
            last_used_at: Some(now()),
        })
        .await
        .unwrap();
    let author = Author::user(anna.id.unwrap(), "anna");
    store
        .put_collection_by(
            &Collection {
                title: Text {
                    en: "Badges".into(),
                    ru: "Знаки".into(),
                },
                introduction: Text::default(),
            },
            &author,
        )
        .await
        .unwrap();
    store
        .save_category_by(&category("party", 0), &author)
        .await
        .unwrap();
    let mut draft_category = category("drafts", 1);
    draft_category.published = false;
    store
        .save_category_by(&draft_category, &author)
        .await
        .unwrap();
    let mopr = store
        .save_type_by(&full_type("mopr", &["party", "drafts"]), &author)
        .await
        .unwrap();
    let mut edited = mopr.clone();
    edited.names.en = "MOPR badge, edited".into();
    store.save_type_by(&edited, &author).await.unwrap();
    let mut draft = minimal_type("draft-type", "A draft");
    draft.published = false;
    store.save_type_by(&draft, &author).await.unwrap();
    store
        .save_type(&minimal_type("gone", "Deleted"))
        .await
        .unwrap();
    store.delete_type_by(&slug("gone"), &author).await.unwrap();
    store
        .save_type(&minimal_type("plain", "Plain"))
        .await
        .unwrap();
    anna
}

async fn whole_history(store: &dyn Store) -> Vec<Revision> {
    store
        .collection_history(Page::new(0, Page::MAX_LIMIT))
        .await
        .unwrap()
}

async fn private_types(store: &dyn Store) -> Vec<BadgeType> {
    let filter = TypeFilter {
        category: None,
        drafts: true,
    };
    let (summaries, _) = store.types(&filter, Page::new(0, 100)).await.unwrap();
    let mut out = Vec::new();
    for s in summaries {
        out.push(store.badge_type(&s.slug, Access::Private).await.unwrap());
    }
    out
}

pub async fn a_restore_into_an_empty_store_gives_back_the_same_collection(
    source: &dyn Store,
    target: &dyn Store,
) {
    fill(source).await;
    let everything = dump_all(source).await;
    assert_eq!(
        everything.counts,
        DumpCounts {
            collection: true,
            categories: 2,
            types: 3,
            revisions: everything.revisions.len() as u64,
            users: 2,
            tokens: 1,
        }
    );
    assert_eq!(everything.types.len(), 3, "drafts are in a dump");
    let mopr = everything
        .types
        .iter()
        .find(|t| t.slug.as_str() == "mopr")
        .expect("mopr in the dump");
    assert!(
        mopr.specimens().any(|s| s.private.is_some()),
        "private fields are in a dump"
    );
    assert!(
        mopr.photos
            .iter()
            .all(|p| p.original_name == "IMG_0042.JPG"),
        "original names are in a dump"
    );
    assert!(
        everything.revisions.windows(2).all(|w| w[0].id < w[1].id),
        "history oldest first"
    );
    let last_seq_before = target.last_change().await.unwrap();

    restore_all(
        target,
        &everything,
        RestoreOptions {
            replace: false,
            accounts: true,
        },
    )
    .await
    .expect("restore into an empty store");

    assert_eq!(
        target.collection().await.unwrap(),
        source.collection().await.unwrap()
    );
    assert_eq!(
        target.all_categories().await.unwrap(),
        source.all_categories().await.unwrap(),
        "categories with ids, versions, drafts, counts and thumbnails"
    );
    assert_eq!(
        target.categories().await.unwrap(),
        source.categories().await.unwrap()
    );
    assert_eq!(private_types(target).await, private_types(source).await);
    let public = TypeFilter::default();
    assert_eq!(
        target.types(&public, Page::new(0, 100)).await.unwrap(),
        source.types(&public, Page::new(0, 100)).await.unwrap(),
        "the public list, summaries and all"
    );
    assert_eq!(
        target.public_type_page(&slug("mopr")).await.unwrap(),
        source.public_type_page(&slug("mopr")).await.unwrap()
    );
    assert_eq!(whole_history(target).await, whole_history(source).await);
    assert_eq!(
        target
            .record_history(crate::RecordKind::Type, "gone")
            .await
            .unwrap(),
        source
            .record_history(crate::RecordKind::Type, "gone")
            .await
            .unwrap(),
        "a deleted type's history comes along"
    );
    assert_eq!(target.users().await.unwrap(), source.users().await.unwrap());
    let anna = target.user_by_name("anna").await.unwrap();
    assert_eq!(
        target.password_hash(anna.id.unwrap()).await.unwrap(),
        "$argon2id$hash-of-anna"
    );
    assert_eq!(
        target.tokens(anna.id.unwrap()).await.unwrap(),
        source.tokens(anna.id.unwrap()).await.unwrap()
    );
    assert!(target.token_by_hash("0123abcd").await.unwrap().is_some());

    // Followers see every restored type: published ones come, drafts go.
    let logged: Vec<(String, ChangeOp)> = target
        .changes_since(last_seq_before, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.slug.as_str().to_owned(), c.op))
        .collect();
    for t in &everything.types {
        let op = if t.published {
            ChangeOp::Upsert
        } else {
            ChangeOp::Delete
        };
        assert!(
            logged.contains(&(t.slug.as_str().to_owned(), op)),
            "{} is in the change log: {logged:?}",
            t.slug
        );
    }
    assert!(target.written_through() >= target.last_change().await.unwrap());

    // New records after a restore get ids past the restored ones, and a restored type can be
    // saved at its version.
    let max_type = everything.types.iter().filter_map(|t| t.id).max().unwrap();
    let new = target
        .save_type(&minimal_type("new-after-restore", "New"))
        .await
        .expect("a save after a restore");
    assert!(
        new.id.unwrap() > max_type,
        "{:?} after {max_type:?}",
        new.id
    );
    let restored = target
        .badge_type(&slug("mopr"), Access::Private)
        .await
        .unwrap();
    let mut edit = restored.clone();
    let mut photo = edit.photos[0].clone();
    photo.id = None;
    edit.photos.push(photo);
    edit.names.en = "Edited after a restore".into();
    let saved = target
        .save_type(&edit)
        .await
        .expect("save at the restored version");
    assert_eq!(saved.version, restored.version + 1);
    let history = whole_history(target).await;
    assert!(
        history[0].id > everything.revisions.last().unwrap().id,
        "new revisions come after the restored ones"
    );
    let user = target
        .create_user(&User::new("carla", Role::Editor), "$argon2id$x")
        .await
        .expect("a new user after a restore");
    assert!(user.id.unwrap().get() > anna.id.unwrap().get());
    let c = target
        .save_category(&category("new-category", 5))
        .await
        .expect("a new category after a restore");
    assert!(c.id.is_some());
}

pub async fn a_dump_sees_one_moment_while_writes_go_on(source: &dyn Store, _target: &dyn Store) {
    fill(source).await;
    let mut dump = source.dump().await.expect("open a dump");
    let counts = dump.counts().await.unwrap();
    // Writes land while the dump is open…
    let mopr = source
        .badge_type(&slug("mopr"), Access::Private)
        .await
        .unwrap();
    let mut edited = mopr.clone();
    edited.names.en = "Written during the dump".into();
    source
        .save_type(&edited)
        .await
        .expect("a write during a dump");
    source
        .save_type(&minimal_type("late", "Late"))
        .await
        .expect("another write during a dump");
    source.delete_type(&slug("plain")).await.unwrap();
    source
        .create_user(&User::new("late-user", Role::Viewer), "$argon2id$x")
        .await
        .unwrap();
    // …and the dump sees none of them.
    let seen = read_all(&mut *dump).await;
    dump.finish().await.unwrap();
    assert_eq!(seen.counts, counts);
    assert_eq!(seen.types.len() as u64, counts.types);
    assert_eq!(seen.revisions.len() as u64, counts.revisions);
    assert_eq!(seen.users.len() as u64, counts.users);
    let slugs: Vec<&str> = seen.types.iter().map(|t| t.slug.as_str()).collect();
    assert!(
        slugs.contains(&"plain") && !slugs.contains(&"late"),
        "{slugs:?}"
    );
    let seen_mopr = seen
        .types
        .iter()
        .find(|t| t.slug.as_str() == "mopr")
        .unwrap();
    assert_eq!(seen_mopr.version, mopr.version);
    assert_eq!(seen_mopr.names.en, mopr.names.en);
    // The store itself has moved on.
    assert_eq!(
        source
            .badge_type(&slug("mopr"), Access::Public)
            .await
            .unwrap()
            .names
            .en,
        "Written during the dump"
    );
}

/// What a store holds, to tell whether anything changed.
async fn state(
    store: &dyn Store,
) -> (
    Option<Collection>,
    Vec<BadgeType>,
    Vec<Revision>,
    usize,
    i64,
) {
    (
        store.collection().await.unwrap(),
        private_types(store).await,
        whole_history(store).await,
        store.users().await.unwrap().len(),
        store.last_change().await.unwrap(),
    )
}

pub async fn a_store_that_is_not_empty_is_refused_and_unchanged(
    source: &dyn Store,
    target: &dyn Store,
) {
    fill(source).await;
    let everything = dump_all(source).await;
    target
        .save_type(&minimal_type("already-here", "Already here"))
        .await
        .unwrap();
    let before = state(target).await;
    let err = restore_all(target, &everything, RestoreOptions::default())
        .await
        .expect_err("a store that holds a type is refused");
    match err {
        StorageError::Conflict(m) => assert!(
            m.contains("not empty") && m.contains("1 badge types"),
            "{m}"
        ),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(state(target).await, before);

    // Emptied of types, the history of the deleted one is still there.
    target.delete_type(&slug("already-here")).await.unwrap();
    let err = restore_all(
        target,
        &everything,
        RestoreOptions {
            replace: false,
            accounts: false,
        },
    )
    .await
    .expect_err("history left by a deleted type is not an empty store");
    assert!(matches!(err, StorageError::Conflict(_)), "{err:?}");
}

pub async fn a_failed_restore_changes_nothing(source: &dyn Store, target: &dyn Store) {
    fill(source).await;
    let mut everything = dump_all(source).await;
    target
        .save_type(&minimal_type("already-here", "Already here"))
        .await
        .unwrap();
    let before = state(target).await;

    // A type that names a category the archive does not hold: refused half-way, with the
    // old records deleted inside the transaction already.
    let mut broken = everything.types.clone();
    broken[0].categories.push(slug("no-such-category"));
    let mut bad = Everything {
        types: broken,
        ..Everything::default()
    };
    bad.collection.clone_from(&everything.collection);
    bad.categories.clone_from(&everything.categories);
    let err = restore_all(
        target,
        &bad,
        RestoreOptions {
            replace: true,
            accounts: true,
        },
    )
    .await
    .expect_err("an unknown category is refused");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert_eq!(state(target).await, before, "nothing changed");

    // A record without its ids cannot be restored as it was.
    everything.types[1].id = None;
    let err = restore_all(
        target,
        &everything,
        RestoreOptions {
            replace: true,
            accounts: false,
        },
    )
    .await
    .expect_err("a type without its id is refused");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert_eq!(state(target).await, before, "nothing changed");
}

pub async fn replace_swaps_everything_and_tells_followers(source: &dyn Store, target: &dyn Store) {
    fill(source).await;
    let everything = dump_all(source).await;
    target.save_category(&category("party", 0)).await.unwrap();
    target
        .save_type(&minimal_type("only-in-target", "Only in the target"))
        .await
        .unwrap();
    target
        .save_type(&minimal_type("plain", "Plain, the target's"))
        .await
        .unwrap();
    let seq = target.last_change().await.unwrap();
    restore_all(
        target,
        &everything,
        RestoreOptions {
            replace: true,
            accounts: false,
        },
    )
    .await
    .expect("a replace");
    assert_eq!(private_types(target).await, private_types(source).await);
    assert_eq!(whole_history(target).await, whole_history(source).await);
    assert!(matches!(
        target
            .badge_type(&slug("only-in-target"), Access::Private)
            .await,
        Err(StorageError::NotFound { .. })
    ));
    let logged: Vec<(String, ChangeOp)> = target
        .changes_since(seq, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.slug.as_str().to_owned(), c.op))
        .collect();
    assert_eq!(
        logged.first(),
        Some(&("only-in-target".to_owned(), ChangeOp::Delete)),
        "what went is logged first: {logged:?}"
    );
    assert!(logged.contains(&("plain".to_owned(), ChangeOp::Upsert)));
    assert!(logged.contains(&("mopr".to_owned(), ChangeOp::Upsert)));
    assert!(logged.contains(&("draft-type".to_owned(), ChangeOp::Delete)));
}

pub async fn accounts_stay_unless_they_are_restored(source: &dyn Store, target: &dyn Store) {
    fill(source).await;
    let everything = dump_all(source).await;
    let mut zoe = User::new("zoe", Role::Owner);
    zoe.created_at = now();
    target.create_user(&zoe, "$argon2id$zoe").await.unwrap();

    // Into a store with users of its own: without accounts they stay, and it counts as empty.
    restore_all(
        target,
        &everything,
        RestoreOptions {
            replace: false,
            accounts: false,
        },
    )
    .await
    .expect("users alone do not make a store non-empty");
    let names: Vec<String> = target
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["zoe"]);

    // A replace with accounts: the archive's users and tokens, nobody else.
    restore_all(
        target,
        &everything,
        RestoreOptions {
            replace: true,
            accounts: true,
        },
    )
    .await
    .expect("a replace with accounts");
    assert_eq!(target.users().await.unwrap(), source.users().await.unwrap());
    assert!(matches!(
        target.user_by_name("zoe").await,
        Err(StorageError::NotFound { .. })
    ));
    assert_eq!(private_types(target).await, private_types(source).await);
}
