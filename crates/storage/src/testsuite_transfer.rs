//! What import and export ask of storage, the same on every backend: every type a page at a
//! time, a batch in one transaction (all or nothing), inventory numbers' owners, presets and
//! jobs. [`transfer_tests!`] turns each check into one `#[tokio::test]`.
//!
//! [`transfer_tests!`]: crate::transfer_tests

use vitrina_catalogue::{Access, Slug};

use crate::testsuite::{category, full_type, minimal_type, slug};
use crate::{Author, Batch, JobState, JobUpdate, RecordKind, StorageError, Store};

/// Expands to one `#[tokio::test]` per check; `$fresh` as for `storage_tests!`.
#[macro_export]
macro_rules! transfer_tests {
    ($fresh:path) => {
        $crate::transfer_tests!(@each $fresh;
            every_type_comes_a_page_at_a_time_drafts_and_private_fields_included,
            a_batch_lands_whole_with_its_history_or_not_at_all,
            a_batch_deletes_first_and_keeps_private_fields_it_does_not_carry,
            inventory_numbers_name_their_types,
            presets_are_kept_by_name,
            jobs_keep_their_state_and_a_dead_process_leaves_them_interrupted,
        );
    };
    (@each $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let (store, guard) = $fresh().await;
                $crate::testsuite_transfer::$check(&store).await;
                $crate::Store::close(&store).await;
                drop(guard);
            }
        )*
    };
}

fn olga() -> Author {
    Author {
        user: None,
        name: "olga".into(),
    }
}

pub async fn every_type_comes_a_page_at_a_time_drafts_and_private_fields_included(
    store: &dyn Store,
) {
    store.save_category(&category("c", 1)).await.unwrap();
    let mut draft = minimal_type("draft", "A draft");
    draft.published = false;
    store.save_type(&draft).await.unwrap();
    store.save_type(&full_type("full", &["c"])).await.unwrap();
    for i in 0..5 {
        store
            .save_type(&minimal_type(&format!("t{i}"), &format!("Type {i}")))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = store
            .all_types_after(after, 3, Access::Private)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        after = page.last().unwrap().id.unwrap().get();
        seen.extend(page);
    }
    assert_eq!(seen.len(), 7);
    let ids: Vec<i64> = seen.iter().map(|t| t.id.unwrap().get()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");
    assert!(seen.iter().any(|t| !t.published), "drafts included");
    let full = seen.iter().find(|t| t.slug.as_str() == "full").unwrap();
    assert!(full.version > 0);
    assert!(
        full.specimens().any(|s| s.private.is_some()),
        "private fields"
    );
    let slugs = store.all_slugs().await.unwrap();
    assert_eq!(
        slugs,
        seen.iter().map(|t| t.slug.clone()).collect::<Vec<_>>()
    );
    let public = store.all_types_after(0, 100, Access::Public).await.unwrap();
    assert!(
        public
            .iter()
            .all(|t| t.specimens().all(|s| s.private.is_none()))
    );
    assert!(
        public
            .iter()
            .flat_map(|t| t.photos.iter())
            .all(|p| p.original_name.is_empty())
    );
}

pub async fn a_batch_lands_whole_with_its_history_or_not_at_all(store: &dyn Store) {
    store
        .save_type(&minimal_type("kept", "Kept"))
        .await
        .unwrap();
    let mut renamed = minimal_type("kept", "Kept, renamed");
    renamed.categories = vec![slug("new-category")];
    let collection = vitrina_catalogue::Collection {
        title: vitrina_catalogue::Text::en("Olga's badges"),
        ..Default::default()
    };
    let batch = Batch {
        collection: Some(collection.clone()),
        categories: vec![category("new-category", 5)],
        types: vec![renamed, full_type("created", &["new-category"])],
        delete: vec![],
    };
    let written = store.write_batch(&batch, &olga(), &|_| {}).await.unwrap();
    assert_eq!(
        (
            written.categories,
            written.created,
            written.updated,
            written.deleted
        ),
        (1, 1, 1, 0)
    );
    assert!(written.collection);
    assert_eq!(store.collection().await.unwrap(), Some(collection));
    let kept = store
        .badge_type(&slug("kept"), Access::Private)
        .await
        .unwrap();
    assert_eq!(kept.names.en, "Kept, renamed");
    assert_eq!(kept.version, 2);
    let history = store
        .record_history(RecordKind::Type, "created")
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].author.name, "olga");
    assert!(store.last_change().await.unwrap() > 0);

    // One bad record (a category that does not exist) and nothing of the batch lands.
    let mut bad = minimal_type("bad", "Bad");
    bad.categories = vec![slug("no-such-category")];
    let batch = Batch {
        collection: None,
        categories: vec![category("another", 6)],
        types: vec![minimal_type("fine", "Fine"), bad],
        delete: vec![slug("kept")],
    };
    let err = store
        .write_batch(&batch, &olga(), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(
        store
            .badge_type(&slug("fine"), Access::Private)
            .await
            .is_err()
    );
    assert!(
        store
            .badge_type(&slug("kept"), Access::Private)
            .await
            .is_ok()
    );
    assert!(store.category(&slug("another")).await.is_err());
}

pub async fn a_batch_deletes_first_and_keeps_private_fields_it_does_not_carry(store: &dyn Store) {
    store.save_category(&category("c", 1)).await.unwrap();
    let stored = store.save_type(&full_type("full", &["c"])).await.unwrap();
    store
        .save_type(&minimal_type("gone", "Gone"))
        .await
        .unwrap();
    // The record as a public export carries it: ids kept, no private fields.
    let mut again = stored.clone().into_public();
    again.names.en = "Full, edited".into();
    let batch = Batch {
        collection: None,
        categories: vec![],
        types: vec![again],
        delete: vec![slug("gone"), slug("never-was")],
    };
    let written = store.write_batch(&batch, &olga(), &|_| {}).await.unwrap();
    assert_eq!((written.updated, written.deleted), (1, 1));
    let now = store
        .badge_type(&slug("full"), Access::Private)
        .await
        .unwrap();
    assert_eq!(now.names.en, "Full, edited");
    let private = |t: &vitrina_catalogue::BadgeType| {
        t.specimens().map(|s| s.private.clone()).collect::<Vec<_>>()
    };
    assert_eq!(private(&now), private(&stored), "private fields kept");
    assert!(
        store
            .badge_type(&slug("gone"), Access::Private)
            .await
            .is_err()
    );
    let history = store
        .record_history(RecordKind::Type, "gone")
        .await
        .unwrap();
    assert_eq!(history[0].op, crate::HistoryOp::Delete);
}

pub async fn inventory_numbers_name_their_types(store: &dyn Store) {
    store.save_category(&category("c", 1)).await.unwrap();
    let t = full_type("full", &["c"]);
    let numbers: Vec<String> = t
        .specimens()
        .map(|s| s.inventory_number.clone())
        .filter(|n| !n.is_empty())
        .collect();
    assert!(!numbers.is_empty(), "the full type has numbered pieces");
    store.save_type(&t).await.unwrap();
    store
        .save_type(&minimal_type("bare", "Bare"))
        .await
        .unwrap();
    let owners = store.inventory_owners().await.unwrap();
    assert_eq!(owners.len(), numbers.len());
    for (number, owner) in owners {
        assert!(numbers.contains(&number));
        assert_eq!(owner, Slug::parse("full").unwrap());
    }
}

pub async fn presets_are_kept_by_name(store: &dyn Store) {
    assert!(store.presets().await.unwrap().is_empty());
    let a = serde_json::json!({"columns": [{"header": "Название", "field": "title_ru"}]});
    let b = serde_json::json!({"columns": []});
    store.save_preset("dealer", &a).await.unwrap();
    store.save_preset("anna's sheet", &b).await.unwrap();
    store.save_preset("dealer", &b).await.unwrap();
    let presets = store.presets().await.unwrap();
    assert_eq!(
        presets,
        vec![("anna's sheet".into(), b.clone()), ("dealer".into(), b)]
    );
    store.delete_preset("dealer").await.unwrap();
    assert!(matches!(
        store.delete_preset("dealer").await,
        Err(StorageError::NotFound { .. })
    ));
    assert_eq!(store.presets().await.unwrap().len(), 1);
}

pub async fn jobs_keep_their_state_and_a_dead_process_leaves_them_interrupted(store: &dyn Store) {
    let input = serde_json::json!({"file": "imports/1/a.csv", "mode": "upsert"});
    let job = store.create_job("import", &olga(), &input).await.unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert_eq!(job.input, input);
    assert_eq!(job.report, None);
    assert_eq!(job.author.name, "olga");
    let running = store
        .update_job(
            job.id,
            &JobUpdate {
                state: Some(JobState::Running),
                progress: Some((10, 100)),
                ..JobUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (running.state, running.done, running.total),
        (JobState::Running, 10, 100)
    );
    assert_eq!(running.input, input, "kept when not given");
    let report = serde_json::json!({"created": 3});
    let other = store.create_job("import", &olga(), &input).await.unwrap();
    store
        .update_job(
            other.id,
            &JobUpdate {
                state: Some(JobState::Done),
                report: Some(report.clone()),
                ..JobUpdate::default()
            },
        )
        .await
        .unwrap();
    // A new process: the running job cannot be running any more.
    assert_eq!(store.interrupt_jobs(0).await.unwrap(), 1);
    assert_eq!(
        store.job(job.id).await.unwrap().state,
        JobState::Interrupted
    );
    let done = store.job(other.id).await.unwrap();
    assert_eq!((done.state, done.report), (JobState::Done, Some(report)));
    let jobs = store.jobs(10).await.unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        [other.id, job.id]
    );
    assert!(matches!(
        store.job(999_999).await,
        Err(StorageError::NotFound { .. })
    ));
    // A job updated just now is left alone by a node that starts beside it.
    store
        .update_job(
            job.id,
            &JobUpdate {
                state: Some(JobState::Running),
                ..JobUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(store.interrupt_jobs(3600).await.unwrap(), 0);
}
