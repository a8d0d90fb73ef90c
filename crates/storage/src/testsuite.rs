//! The storage story every backend must tell the same way. Each check takes a *fresh, empty*
//! store and panics with a message on the first thing that differs; [`storage_tests!`] turns the
//! whole list into one `#[tokio::test]` per check, so a backend cannot forget one.
//!
//! [`storage_tests!`]: crate::storage_tests

use vitrina_catalogue::{
    Access, Amount, Area, BadgeType, Category, Collection, Condition, Dimension, Engraving, Event,
    Fitting, Hallmark, Issuer, Lang, MarkKind, Material, Measurement, Names, OriginalName,
    PartialDate, Period, Photo, PhotoRole, Placement, Price, Quantity, Range, Rarity, Reference,
    Script, SerialRange, Side, Slug, Snapshot, Specimen, SpecimenPrivate, Text, Unit, Variant,
};

use crate::{
    Author, Change, ChangeOp, HistoryOp, Page, RecordKind, StorageError, Store, TypeCursor,
    TypeFilter, TypeSummary, diff,
};

/// Expands to one `#[tokio::test]` per check. `$fresh` is an async fn returning
/// `(store, guard)`: a new empty store, and anything that must live until the test ends (a temp
/// dir, a database to drop).
#[macro_export]
macro_rules! storage_tests {
    ($fresh:path) => {
        $crate::storage_tests!(@each $fresh;
            round_trip_of_a_full_aggregate,
            public_access_never_returns_private_data,
            saving_without_private_fields_keeps_the_stored_ones,
            child_ids_are_kept_and_new_ones_assigned,
            a_stale_version_is_a_conflict_and_changes_nothing,
            a_failing_save_leaves_nothing_behind,
            import_is_all_or_nothing_and_replaces_by_slug,
            categories_count_their_types_and_show_a_thumbnail,
            types_are_ordered_paged_and_filtered,
            neighbours_follow_collection_order,
            the_public_type_page_is_the_public_type_and_its_neighbours,
            deleting_a_type_deletes_its_children_and_private_rows,
            deleting_or_renaming_a_category_keeps_its_types,
            a_taken_slug_is_a_conflict,
            missing_records_are_not_found,
            hostile_strings_are_stored_verbatim_or_refused,
            collection_and_housekeeping,
            every_write_logs_its_changes,
            a_failed_write_logs_nothing,
            changes_since_pages_in_order,
            drafts_are_never_public,
            a_stale_category_is_a_conflict,
            every_change_is_in_history,
            a_deleted_type_is_restored_with_its_id_and_history,
            restoring_an_earlier_version_makes_a_new_one,
            a_deleted_category_is_restored,
            a_type_moves_anywhere_in_one_transaction,
            a_category_moves_anywhere_in_one_transaction,
            a_delete_at_a_stale_version_is_a_conflict_and_deletes_nothing,
            keyset_pages_walk_the_same_order_as_types,
            summaries_by_slug_come_in_the_order_asked,
            a_save_rewrites_what_moved_and_keeps_the_rest,
            a_photos_original_name_is_the_curators_alone,
        );
    };
    (@each $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let (store, guard) = $fresh().await;
                $crate::testsuite::$check(&store).await;
                $crate::Store::close(&store).await;
                drop(guard);
            }
        )*
    };
}

/// A slug from a literal (a test type's, known good).
pub fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("a test slug")
}

fn text(en: &str, ru: &str) -> Text {
    Text {
        en: en.into(),
        ru: ru.into(),
    }
}

fn date(s: &str) -> PartialDate {
    PartialDate::parse(s).expect("a test date")
}

/// A photo with every field set.
pub fn photo(file: &str, role: PhotoRole) -> Photo {
    Photo {
        id: None,
        role,
        file: file.into(),
        alt: text("The obverse", "Аверс"),
        caption: text("Caption", "Подпись"),
        illustration: true,
        width: Some(800),
        height: Some(600),
        credit: "Photo: the collector".into(),
        original_name: "IMG_0042.JPG".into(),
    }
}

/// The smallest valid type.
pub fn minimal_type(s: &str, name: &str) -> BadgeType {
    BadgeType {
        id: None,
        slug: slug(s),
        position: 0,
        version: 0,
        published: true,
        categories: vec![],
        names: Names {
            en: name.into(),
            ..Names::default()
        },
        issuer: None,
        established: None,
        period: None,
        event: None,
        description: Text::default(),
        references: vec![],
        variants: vec![],
        photos: vec![],
    }
}

pub fn category(s: &str, position: i64) -> Category {
    Category {
        id: None,
        slug: slug(s),
        position,
        title: text(&format!("Category {s}"), "Категория"),
        published: true,
        version: 0,
        introduction: text("*Markdown*", "*Маркдаун*"),
    }
}

fn private(provenance: &str) -> SpecimenPrivate {
    SpecimenPrivate {
        provenance: provenance.into(),
        acquired: Some(date("1998-04")),
        price: Some(Price {
            amount: "120.50".into(),
            currency: "EUR".into(),
        }),
        storage_location: "Box 3, tray 2".into(),
        notes: "Bought from a dealer in Riga".into(),
    }
}

fn specimen(inventory: &str, private_fields: Option<SpecimenPrivate>) -> Specimen {
    Specimen {
        id: None,
        inventory_number: inventory.into(),
        engravings: vec![
            Engraving {
                text: "№ 1234".into(),
                position: Some(Placement {
                    side: Side::Reverse,
                    area: Some(Area::BottomLeft),
                }),
                description: text("A serial number", "Номер"),
            },
            Engraving {
                text: String::new(),
                position: None,
                description: text("A scratched dedication", ""),
            },
        ],
        hallmarks: vec![
            Hallmark {
                kind: MarkKind::SilverProof,
                present: true,
                position: Some(Placement {
                    side: Side::Reverse,
                    area: Some(Area::Centre),
                }),
                description: text("Hammer and sickle, 875", "Серп и молот, 875"),
            },
            Hallmark {
                kind: MarkKind::Silversmith,
                present: false,
                position: None,
                description: Text::default(),
            },
        ],
        measurements: vec![
            Measurement {
                dimension: Dimension::Thickness,
                quantity: Quantity {
                    value: Amount::parse("1/8").expect("1/8"),
                    unit: Unit::Inch,
                    approximate: true,
                },
            },
            Measurement {
                dimension: Dimension::Weight,
                quantity: Quantity {
                    value: Amount::parse("24.30").expect("24.30"),
                    unit: Unit::G,
                    approximate: false,
                },
            },
        ],
        condition: Some(Condition::VeryFine),
        rarity: Some(Rarity::VeryRare),
        notes: text("Light wear on the enamel.", "Лёгкий износ эмали."),
        photos: vec![photo(
            &format!("specimens/{inventory}-reverse.jpg"),
            PhotoRole::Reverse,
        )],
        private: private_fields,
    }
}

/// A type with every field set, two variants, three specimens (two with private fields) and
/// photos on the type and on a specimen.
pub fn full_type(s: &str, categories: &[&str]) -> BadgeType {
    let variant = |name: &str, specimens: Vec<Specimen>| Variant {
        id: None,
        name: text(name, "Серебро"),
        materials: vec![Material::Silver, Material::Enamel],
        plating: Some(Material::Gold),
        fitting: Some(Fitting::ScrewBack),
        maker: "Monetny Dvor".into(),
        marks: vec![text("ЛМД", "ЛМД")],
        enamel: text("Red", "Красная"),
        size_mm: Some(Range {
            min: 20.0,
            max: 24.5,
        }),
        weight_g: Some(Range {
            min: 12.25,
            max: 14.0,
        }),
        serial_numbers: Some(SerialRange { from: 1, to: 5000 }),
        notes: text("The early model.", "Ранний тип."),
        specimens,
    };
    BadgeType {
        id: None,
        slug: slug(s),
        position: 3,
        version: 0,
        published: true,
        categories: categories.iter().map(|c| slug(c)).collect(),
        names: Names {
            en: "MOPR badge".into(),
            ru: "Знак МОПР".into(),
            original: Some(OriginalName {
                text: "МОПР".into(),
                script: Script::Cyrillic,
                language: "ru".into(),
            }),
        },
        issuer: Some(Issuer {
            abbreviation: "МОПР".into(),
            abbreviation_latin: "MOPR".into(),
            name: text(
                "International Red Aid",
                "Международная организация помощи борцам революции",
            ),
        }),
        established: Some(date("1932")),
        period: Some(Period {
            from: date("1932-06"),
            to: Some(date("1947-12-31")),
        }),
        event: Some(Event {
            name: text("Tenth anniversary", "Десятилетие"),
            date: Some(date("1932-11-07")),
            place: text("Moscow", "Москва"),
        }),
        description: text("# MOPR\n\nA *badge*.", "# МОПР\n\nЗнак."),
        references: vec![
            Reference {
                citation: "Kolesnikov, p. 12".into(),
                url: Some("https://example.org/mopr".into()),
            },
            Reference {
                citation: "A catalogue".into(),
                url: None,
            },
        ],
        variants: vec![
            variant(
                "Silver",
                vec![
                    specimen("A-1", Some(private("Estate of I. Ivanov"))),
                    specimen("A-2", None),
                ],
            ),
            variant(
                "Bronze",
                vec![specimen("B-1", Some(private("Auction lot 77")))],
            ),
        ],
        photos: vec![
            photo("types/mopr-obverse.jpg", PhotoRole::Obverse),
            photo("types/mopr-document.jpg", PhotoRole::Document),
        ],
    }
}

/// Clears every id and the version, to compare a stored value with what was given.
fn without_ids(mut t: BadgeType) -> BadgeType {
    t.id = None;
    t.version = 0;
    for p in &mut t.photos {
        p.id = None;
    }
    for v in &mut t.variants {
        v.id = None;
        for s in &mut v.specimens {
            s.id = None;
            for p in &mut s.photos {
                p.id = None;
            }
        }
    }
    t
}

fn all_ids_set(t: &BadgeType) -> bool {
    t.id.is_some()
        && t.photos.iter().all(|p| p.id.is_some())
        && t.variants.iter().all(|v| v.id.is_some())
        && t.specimens()
            .all(|s| s.id.is_some() && s.photos.iter().all(|p| p.id.is_some()))
}

async fn save(store: &dyn Store, t: &BadgeType) -> BadgeType {
    match store.save_type(t).await {
        Ok(saved) => saved,
        Err(e) => panic!("saving {} failed: {e}", t.slug),
    }
}

async fn read(store: &dyn Store, s: &str, access: Access) -> BadgeType {
    match store.badge_type(&slug(s), access).await {
        Ok(t) => t,
        Err(e) => panic!("reading {s} failed: {e}"),
    }
}

async fn save_categories(store: &dyn Store, slugs: &[&str]) {
    for (i, s) in slugs.iter().enumerate() {
        store
            .save_category(&category(s, i as i64))
            .await
            .expect("saving a category");
    }
}

pub async fn round_trip_of_a_full_aggregate(store: &dyn Store) {
    save_categories(store, &["party", "awards"]).await;
    let given = full_type("mopr", &["awards", "party"]);
    let saved = save(store, &given).await;
    assert!(all_ids_set(&saved), "every record gets an id: {saved:#?}");
    assert_eq!(saved.version, 1, "a new type is stored at version 1");
    assert_eq!(
        without_ids(saved.clone()),
        given,
        "save returns what was given, with ids"
    );
    let back = read(store, "mopr", Access::Private).await;
    assert_eq!(
        back, saved,
        "a private read returns the aggregate exactly as saved"
    );
    let thickness = &back.variants[0].specimens[0].measurements[0].quantity;
    assert_eq!(thickness.value.as_str(), "1/8");
    assert_eq!(thickness.unit, Unit::Inch);
    assert!(!back.variants[0].specimens[0].hallmarks[1].present);
    assert_eq!(back.names.get(Lang::Ru), "Знак МОПР");
}

pub async fn public_access_never_returns_private_data(store: &dyn Store) {
    save(store, &full_type("mopr", &[])).await;
    let public = read(store, "mopr", Access::Public).await;
    assert!(
        public.specimens().all(|s| s.private.is_none()),
        "a public read carries no private fields"
    );
    assert_eq!(public.specimens().count(), 3);
    let private = read(store, "mopr", Access::Private).await;
    assert_eq!(
        public,
        private.clone().into_public(),
        "public = private minus private fields"
    );
    let (list, _) = store
        .types(&TypeFilter::default(), Page::new(0, 10))
        .await
        .unwrap();
    let listed = format!("{list:?}");
    assert!(
        !listed.contains("Estate of I. Ivanov") && !listed.contains("120.50"),
        "{listed}"
    );
}

/// A photo's original file name is stored for the curator, never in what the public reads (the
/// type, the summaries); a save that does not carry it (a public read saved back, an API
/// client) keeps it, and a new one replaces it.
pub async fn a_photos_original_name_is_the_curators_alone(store: &dyn Store) {
    save(store, &full_type("mopr", &[])).await;
    let private = read(store, "mopr", Access::Private).await;
    assert_eq!(private.photos[0].original_name, "IMG_0042.JPG");
    assert_eq!(
        private.variants[0].specimens[0].photos[0].original_name,
        "IMG_0042.JPG"
    );
    let public = read(store, "mopr", Access::Public).await;
    let everything = format!("{public:?}");
    assert!(!everything.contains("IMG_0042"), "{everything}");
    let (list, _) = store
        .types(&TypeFilter::default(), Page::new(0, 10))
        .await
        .unwrap();
    let summaries = store.summaries(&[slug("mopr")], false).await.unwrap();
    let listed = format!("{list:?} {summaries:?}");
    assert!(!listed.contains("IMG_0042"), "{listed}");

    // Saved back from the public read: the names stay.
    let saved = save(store, &public).await;
    assert_eq!(
        saved.photos[0].original_name, "IMG_0042.JPG",
        "the saved type carries it"
    );
    let again = read(store, "mopr", Access::Private).await;
    assert_eq!(again.photos[0].original_name, "IMG_0042.JPG");
    assert_eq!(again.photos[1].original_name, "IMG_0042.JPG");
    // A new name replaces it; the history records it, as it records private fields.
    let mut renamed = again.clone();
    renamed.photos[1].original_name = "reverse-scan.tif".into();
    save(store, &renamed).await;
    let after = read(store, "mopr", Access::Private).await;
    assert_eq!(after.photos[1].original_name, "reverse-scan.tif");
    assert_eq!(after.photos[0].original_name, "IMG_0042.JPG");
    let history = store
        .record_history(RecordKind::Type, "mopr")
        .await
        .unwrap();
    assert_eq!(
        history[0].record["photos"][1]["original_name"],
        serde_json::json!("reverse-scan.tif")
    );
}

/// A type read publicly and saved back must not lose its specimens' private fields; an empty
/// private value clears them.
pub async fn saving_without_private_fields_keeps_the_stored_ones(store: &dyn Store) {
    save(store, &full_type("mopr", &[])).await;
    let public = read(store, "mopr", Access::Public).await;
    let saved = save(store, &public).await;
    let back = read(store, "mopr", Access::Private).await;
    assert_eq!(back, saved);
    assert_eq!(
        back.variants[0].specimens[0]
            .private
            .as_ref()
            .map(|p| p.provenance.as_str()),
        Some("Estate of I. Ivanov")
    );
    let mut cleared = back.clone();
    cleared.variants[0].specimens[0].private = Some(SpecimenPrivate::default());
    save(store, &cleared).await;
    let back = read(store, "mopr", Access::Private).await;
    assert_eq!(back.variants[0].specimens[0].private, None);
    assert!(back.variants[1].specimens[0].private.is_some());
}

pub async fn child_ids_are_kept_and_new_ones_assigned(store: &dyn Store) {
    let first = save(store, &full_type("mopr", &[])).await;
    let mut edit = first.clone();
    let kept_variant = edit.variants[0].id;
    let kept_specimen = edit.variants[0].specimens[0].id;
    let dropped_specimen = edit.variants[0].specimens[1].id;
    let dropped_variant = edit.variants[1].id;
    let kept_photo = edit.photos[0].id;
    edit.variants[0].specimens.remove(1);
    edit.variants.remove(1);
    edit.variants[0]
        .specimens
        .push(specimen("A-3", Some(private("New"))));
    edit.variants[0].name.en = "Silver, renamed".into();
    edit.photos
        .push(photo("types/mopr-detail.jpg", PhotoRole::Detail));
    let second = save(store, &edit).await;
    assert_eq!(second.id, first.id, "the type keeps its id");
    assert_eq!(second.version, first.version + 1);
    assert_eq!(second.variants.len(), 1);
    assert_eq!(second.variants[0].id, kept_variant);
    assert_eq!(second.variants[0].specimens[0].id, kept_specimen);
    assert_eq!(second.photos[0].id, kept_photo);
    let new_specimen = second.variants[0].specimens[1]
        .id
        .expect("a new specimen id");
    let new_photo = second.photos[2].id.expect("a new photo id");
    let old_specimens: Vec<_> = first.specimens().filter_map(|s| s.id).collect();
    assert!(
        !old_specimens.contains(&new_specimen),
        "ids are never reused"
    );
    assert!(!first.photos.iter().any(|p| p.id == Some(new_photo)));
    assert!(Some(new_specimen) != dropped_specimen && second.variants[0].id != dropped_variant);
    assert_eq!(read(store, "mopr", Access::Private).await, second);

    // A specimen may move to another variant of the same type and keeps its id and private data.
    let mut moved = second.clone();
    let mut bronze = full_type("x", &[]).variants.remove(1);
    bronze.specimens.clear();
    moved.variants.push(bronze);
    let s = moved.variants[0].specimens.remove(0);
    moved.variants[1].specimens.push(s);
    let third = save(store, &moved).await;
    assert_eq!(third.variants[1].specimens[0].id, kept_specimen);
    let back = read(store, "mopr", Access::Private).await;
    assert_eq!(back, third);
    assert!(back.variants[1].specimens[0].private.is_some());
}

pub async fn a_stale_version_is_a_conflict_and_changes_nothing(store: &dyn Store) {
    let first = save(store, &full_type("mopr", &[])).await;
    let mut a = first.clone();
    a.names.en = "Edited by A".into();
    let after_a = save(store, &a).await;
    let mut b = first.clone();
    b.names.en = "Edited by B".into();
    b.variants.clear();
    let err = store
        .save_type(&b)
        .await
        .expect_err("a stale version must be refused");
    assert!(matches!(err, StorageError::Conflict(_)), "{err:?}");
    assert_eq!(
        read(store, "mopr", Access::Private).await,
        after_a,
        "nothing changed"
    );
}

pub async fn a_failing_save_leaves_nothing_behind(store: &dyn Store) {
    save_categories(store, &["party"]).await;
    // A new type in an unknown category: refused, and no row of it is left.
    let bad = full_type("mopr", &["party", "no-such-category"]);
    let err = store.save_type(&bad).await.expect_err("unknown category");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(matches!(
        store.badge_type(&slug("mopr"), Access::Private).await,
        Err(StorageError::NotFound { .. })
    ));
    assert_eq!(
        store
            .types(&TypeFilter::default(), Page::new(0, 10))
            .await
            .unwrap()
            .1,
        0
    );
    assert_eq!(store.categories().await.unwrap()[0].type_count, 0);

    // An update that fails half-way (the category is checked after the children changed in the
    // input) leaves the stored type as it was.
    let stored = save(store, &full_type("mopr", &["party"])).await;
    let mut edit = stored.clone();
    edit.variants.remove(0);
    edit.names.en = "Changed".into();
    edit.categories.push(slug("nowhere"));
    let err = store.save_type(&edit).await.expect_err("unknown category");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert_eq!(read(store, "mopr", Access::Private).await, stored);

    // An invalid record is refused before anything is written.
    let mut invalid = full_type("other", &[]);
    invalid.variants[0].weight_g = Some(Range {
        min: 30.0,
        max: 1.0,
    });
    let err = store.save_type(&invalid).await.expect_err("invalid record");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(
        store
            .badge_type(&slug("other"), Access::Public)
            .await
            .is_err()
    );

    // A child id that belongs to another type is refused (it would steal its private data).
    let mut thief = full_type("thief", &[]);
    thief.variants[0].specimens[0].id = stored.variants[0].specimens[0].id;
    thief.variants[0].specimens[0].private = None;
    let err = store
        .save_type(&thief)
        .await
        .expect_err("a foreign specimen id");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(
        store
            .badge_type(&slug("thief"), Access::Public)
            .await
            .is_err()
    );
    assert_eq!(read(store, "mopr", Access::Private).await, stored);
}

pub async fn import_is_all_or_nothing_and_replaces_by_slug(store: &dyn Store) {
    let mut snapshot = Snapshot {
        collection: Collection {
            title: text("A collection", "Коллекция"),
            introduction: text("Hello", "Привет"),
        },
        categories: vec![category("party", 0), category("awards", 1)],
        types: (0..20)
            .map(|i| full_type(&format!("type-{i}"), &["party"]))
            .collect(),
    };
    let mut broken = snapshot.clone();
    broken.types[17].names.en = String::new();
    let err = store.import(&broken).await.expect_err("one invalid type");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    assert!(
        store.is_empty().await.unwrap(),
        "a refused import writes nothing"
    );

    store.import(&snapshot).await.expect("import");
    assert_eq!(
        store.collection().await.unwrap(),
        Some(snapshot.collection.clone())
    );
    assert_eq!(store.type_slugs().await.unwrap().len(), 20);
    let t = read(store, "type-3", Access::Private).await;
    assert_eq!(without_ids(t.clone()), snapshot.types[3]);
    assert!(all_ids_set(&t));

    // Importing again replaces by slug: same type id, new content, nothing duplicated; ids from
    // the file that are not this database's do not matter.
    snapshot.types[3].names.en = "Replaced".into();
    snapshot.types[3].variants.truncate(1);
    snapshot.types[3].variants[0].id = Some(vitrina_catalogue::VariantId::new(999_999));
    snapshot.types.push(minimal_type("brand-new", "Brand new"));
    snapshot.categories[1].title.en = "Awards, renamed".into();
    store.import(&snapshot).await.expect("second import");
    let replaced = read(store, "type-3", Access::Private).await;
    assert_eq!(replaced.id, t.id);
    assert_eq!(replaced.names.en, "Replaced");
    assert_eq!(replaced.variants.len(), 1);
    assert_ne!(
        replaced.variants[0].id,
        Some(vitrina_catalogue::VariantId::new(999_999))
    );
    assert_eq!(store.type_slugs().await.unwrap().len(), 21);
    assert_eq!(
        store.category(&slug("awards")).await.unwrap().title.en,
        "Awards, renamed"
    );
    assert_eq!(store.categories().await.unwrap().len(), 2);

    // A snapshot naming an unknown category is refused as a whole.
    let mut unknown = snapshot.clone();
    unknown.types[0].categories.push(slug("ghost"));
    unknown.types[1].names.en = "Should not land".into();
    assert!(store.import(&unknown).await.is_err());
    assert_ne!(
        read(store, "type-1", Access::Public).await.names.en,
        "Should not land"
    );
}

pub async fn categories_count_their_types_and_show_a_thumbnail(store: &dyn Store) {
    save_categories(store, &["party", "awards", "empty"]).await;
    let mut bare = minimal_type("bare", "A bare type");
    bare.categories = vec![slug("party")];
    save(store, &bare).await;
    let mut pictured = full_type("pictured", &["party", "awards"]);
    pictured.position = 5;
    save(store, &pictured).await;
    let mut early = full_type("early", &["awards"]);
    early.position = 1;
    early.photos[0].file = "types/early.jpg".into();
    save(store, &early).await;

    let cats = store.categories().await.unwrap();
    let slugs: Vec<&str> = cats.iter().map(|c| c.category.slug.as_str()).collect();
    assert_eq!(slugs, ["party", "awards", "empty"], "in order of position");
    assert!(cats.iter().all(|c| c.category.id.is_some()));
    let counts: Vec<u64> = cats.iter().map(|c| c.type_count).collect();
    assert_eq!(counts, [2, 2, 0]);
    // The first type in order that has a picture illustrates the category.
    assert_eq!(
        cats[0].thumbnail.as_ref().map(|p| p.file.as_str()),
        Some("types/mopr-obverse.jpg")
    );
    assert_eq!(
        cats[1].thumbnail.as_ref().map(|p| p.file.as_str()),
        Some("types/early.jpg")
    );
    assert_eq!(cats[2].thumbnail, None);
}

pub async fn types_are_ordered_paged_and_filtered(store: &dyn Store) {
    save_categories(store, &["even"]).await;
    // Position first, then English name, then id (insertion order).
    let order = [
        (0, "Alpha", "a"),
        (0, "Beta", "b"),
        (0, "Beta", "b-twin"),
        (1, "Aardvark", "c"),
        (2, "Zulu", "d"),
        (-1, "Last name", "first"),
    ];
    for (i, (position, name, s)) in order.iter().enumerate() {
        let mut t = minimal_type(s, name);
        t.position = *position;
        if i % 2 == 0 {
            t.categories = vec![slug("even")];
        }
        save(store, &t).await;
    }
    let expected = ["first", "a", "b", "b-twin", "c", "d"];
    let slugs: Vec<String> = store
        .type_slugs()
        .await
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(slugs, expected);

    let (page, total) = store
        .types(&TypeFilter::default(), Page::new(2, 3))
        .await
        .unwrap();
    assert_eq!(total, 6);
    let got: Vec<&str> = page.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(got, ["b", "b-twin", "c"]);
    let (page, total) = store
        .types(&TypeFilter::default(), Page::new(100, 3))
        .await
        .unwrap();
    assert!(page.is_empty());
    assert_eq!(total, 6);

    let filter = TypeFilter {
        category: Some(slug("even")),
        ..Default::default()
    };
    let (page, total) = store.types(&filter, Page::new(0, 2)).await.unwrap();
    assert_eq!(total, 3);
    let got: Vec<&str> = page.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(got, ["a", "b-twin"]);
    assert_eq!(page[0].categories, vec![slug("even")]);

    let unknown = TypeFilter {
        category: Some(slug("no-such")),
        ..Default::default()
    };
    assert!(matches!(
        store.types(&unknown, Page::new(0, 10)).await,
        Err(StorageError::NotFound { .. })
    ));

    // The summary is what TypeSummary::of says.
    let full = save(store, &full_type("full", &["even"])).await;
    let (page, _) = store.types(&filter, Page::new(0, 10)).await.unwrap();
    let listed = page
        .iter()
        .find(|s| s.slug.as_str() == "full")
        .expect("listed");
    let expected = crate::TypeSummary::of(&full.clone().into_public(), full.id.expect("id"));
    assert_eq!(*listed, expected);
    assert_eq!(listed.variant_count, 2);
    assert_eq!(listed.specimen_count, 3);
}

pub async fn neighbours_follow_collection_order(store: &dyn Store) {
    for (position, name, s) in [(1, "B", "two"), (0, "Z", "one"), (1, "C", "three")] {
        let mut t = minimal_type(s, name);
        t.position = position;
        save(store, &t).await;
    }
    let n = store.neighbours(&slug("two")).await.unwrap();
    assert_eq!(
        n.previous.map(|s| s.slug.to_string()).as_deref(),
        Some("one")
    );
    assert_eq!(n.next.map(|s| s.slug.to_string()).as_deref(), Some("three"));
    let n = store.neighbours(&slug("one")).await.unwrap();
    assert!(n.previous.is_none());
    let n = store.neighbours(&slug("three")).await.unwrap();
    assert!(n.next.is_none());
    assert_eq!(
        n.previous.map(|s| s.slug.to_string()).as_deref(),
        Some("two")
    );
}

pub async fn the_public_type_page_is_the_public_type_and_its_neighbours(store: &dyn Store) {
    save_categories(store, &["party"]).await;
    for (position, s) in [(0, "one"), (1, "two"), (2, "three")] {
        let mut t = full_type(s, &["party"]);
        t.position = position;
        save(store, &t).await;
    }
    for s in ["one", "two", "three"] {
        let (page_type, page_neighbours) = store.public_type_page(&slug(s)).await.unwrap();
        let public = store.badge_type(&slug(s), Access::Public).await.unwrap();
        assert_eq!(page_type, public, "{s}: the same type as a public read");
        assert!(
            page_type.specimens().all(|sp| sp.private.is_none()),
            "{s}: no private data on the public page"
        );
        assert_eq!(
            page_neighbours,
            store.neighbours(&slug(s)).await.unwrap(),
            "{s}"
        );
    }
    assert!(matches!(
        store.public_type_page(&slug("four")).await,
        Err(StorageError::NotFound { .. })
    ));
}

pub async fn deleting_a_type_deletes_its_children_and_private_rows(store: &dyn Store) {
    save_categories(store, &["party"]).await;
    let stored = save(store, &full_type("mopr", &["party"])).await;
    store.delete_type(&slug("mopr")).await.expect("delete");
    assert!(matches!(
        store.badge_type(&slug("mopr"), Access::Private).await,
        Err(StorageError::NotFound { .. })
    ));
    assert_eq!(store.categories().await.unwrap()[0].type_count, 0);
    assert!(store.type_slugs().await.unwrap().is_empty());

    // The deleted specimens are gone for good: their ids cannot be claimed again, and a new type
    // under the same slug starts with no private data.
    let mut again = full_type("mopr", &["party"]);
    again.variants[0].specimens[0].id = stored.variants[0].specimens[0].id;
    again.variants[0].specimens[0].private = None;
    assert!(matches!(
        store.save_type(&again).await,
        Err(StorageError::Invalid(_))
    ));
    for v in &mut again.variants {
        for s in &mut v.specimens {
            s.id = None;
            s.private = None;
        }
    }
    let fresh = save(store, &again).await;
    assert_ne!(fresh.id, stored.id, "type ids are not reused");
    let back = read(store, "mopr", Access::Private).await;
    assert!(
        back.specimens().all(|s| s.private.is_none()),
        "no private row survived: {back:#?}"
    );
    assert!(
        back.specimens()
            .all(|s| !stored.specimens().any(|o| o.id == s.id))
    );
}

pub async fn deleting_or_renaming_a_category_keeps_its_types(store: &dyn Store) {
    save_categories(store, &["party", "awards"]).await;
    save(store, &full_type("mopr", &["party", "awards"])).await;
    let mut awards = store.category(&slug("awards")).await.unwrap();
    awards.slug = slug("honours");
    awards.title.en = "Honours".into();
    let renamed = store.save_category(&awards).await.expect("rename");
    assert_eq!(renamed.id, awards.id);
    let t = read(store, "mopr", Access::Private).await;
    assert_eq!(t.categories, vec![slug("party"), slug("honours")]);
    assert!(matches!(
        store.category(&slug("awards")).await,
        Err(StorageError::NotFound { .. })
    ));

    store
        .delete_category(&slug("party"))
        .await
        .expect("delete category");
    let t = read(store, "mopr", Access::Private).await;
    assert_eq!(t.categories, vec![slug("honours")]);
    let (list, total) = store
        .types(&TypeFilter::default(), Page::new(0, 10))
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(list[0].categories, vec![slug("honours")]);
    // The type can be saved as read (it names no deleted category).
    save(store, &t).await;
    let cats = store.categories().await.unwrap();
    assert_eq!(cats.len(), 1);
    assert_eq!(cats[0].type_count, 1);
}

pub async fn a_taken_slug_is_a_conflict(store: &dyn Store) {
    save(store, &minimal_type("mopr", "MOPR")).await;
    let err = store
        .save_type(&minimal_type("mopr", "Another"))
        .await
        .expect_err("taken");
    assert!(matches!(err, StorageError::Conflict(_)), "{err:?}");
    let mut other = save(store, &minimal_type("other", "Other")).await;
    other.slug = slug("mopr");
    let err = store
        .save_type(&other)
        .await
        .expect_err("renaming onto a taken slug");
    assert!(matches!(err, StorageError::Conflict(_)), "{err:?}");
    assert_eq!(read(store, "other", Access::Public).await.names.en, "Other");
    assert_eq!(read(store, "mopr", Access::Public).await.names.en, "MOPR");

    save_categories(store, &["party"]).await;
    let err = store
        .save_category(&category("party", 9))
        .await
        .expect_err("taken");
    assert!(matches!(err, StorageError::Conflict(_)), "{err:?}");
}

pub async fn missing_records_are_not_found(store: &dyn Store) {
    let nope = slug("nope");
    let not_found = |r: &Result<(), StorageError>| matches!(r, Err(StorageError::NotFound { .. }));
    assert!(not_found(
        &store.badge_type(&nope, Access::Public).await.map(drop)
    ));
    assert!(not_found(
        &store.badge_type(&nope, Access::Private).await.map(drop)
    ));
    assert!(not_found(&store.delete_type(&nope).await));
    assert!(not_found(&store.neighbours(&nope).await.map(drop)));
    assert!(not_found(&store.category(&nope).await.map(drop)));
    assert!(not_found(&store.delete_category(&nope).await));
    let mut ghost = minimal_type("ghost", "Ghost");
    ghost.id = Some(vitrina_catalogue::TypeId::new(424_242));
    assert!(not_found(&store.save_type(&ghost).await.map(drop)));
    let mut ghost = category("ghost", 0);
    ghost.id = Some(vitrina_catalogue::CategoryId::new(424_242));
    assert!(not_found(&store.save_category(&ghost).await.map(drop)));
    assert!(
        store.is_empty().await.unwrap(),
        "nothing was created on the way"
    );
}

pub async fn hostile_strings_are_stored_verbatim_or_refused(store: &dyn Store) {
    let hostile = [
        "'; DROP TABLE badge_types; --",
        "Robert'); DELETE FROM specimens WHERE ('1'='1",
        "\"double\" 'single' `back` \\ backslash %_ like",
        "Знак «Отличник» — ёлка 🎖️🇷🇺 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ",
        "{\"json\": [1, 2]} $1 ? :name",
    ];
    for (i, h) in hostile.iter().enumerate() {
        let mut t = full_type(&format!("hostile-{i}"), &[]);
        t.names.en = (*h).into();
        t.names.ru = (*h).into();
        t.description.en = format!("{h}\n\ttabs and newlines stay");
        t.variants[0].specimens[0]
            .private
            .as_mut()
            .expect("private")
            .provenance = (*h).into();
        let saved = save(store, &t).await;
        let back = read(store, &format!("hostile-{i}"), Access::Private).await;
        assert_eq!(back, saved);
        assert_eq!(back.names.en, *h);
        assert_eq!(
            back.variants[0].specimens[0]
                .private
                .as_ref()
                .expect("private")
                .provenance,
            *h
        );
    }
    assert_eq!(
        store.type_slugs().await.unwrap().len(),
        hostile.len(),
        "no table was dropped"
    );

    let mut nul = minimal_type("nul", "NUL\u{0} byte");
    nul.description.en = "x".into();
    assert!(matches!(
        store.save_type(&nul).await,
        Err(StorageError::Invalid(_))
    ));
    let mut long = minimal_type("long", "Long");
    long.description.en = "й".repeat(100_001);
    assert!(matches!(
        store.save_type(&long).await,
        Err(StorageError::Invalid(_))
    ));
    // Exactly at the limit is fine, and comes back whole.
    long.description.en = "й".repeat(100_000);
    save(store, &long).await;
    assert_eq!(
        read(store, "long", Access::Public)
            .await
            .description
            .en
            .chars()
            .count(),
        100_000
    );
    let mut c = category("nul", 0);
    c.title.en = "bad\u{0}".into();
    assert!(matches!(
        store.save_category(&c).await,
        Err(StorageError::Invalid(_))
    ));
}

pub async fn collection_and_housekeeping(store: &dyn Store) {
    store.ping().await.expect("ping");
    assert!(store.is_empty().await.unwrap());
    assert_eq!(store.collection().await.unwrap(), None);
    assert!(store.categories().await.unwrap().is_empty());
    assert_eq!(
        store
            .types(&TypeFilter::default(), Page::new(0, 10))
            .await
            .unwrap(),
        (vec![], 0)
    );
    assert!(matches!(store.engine(), "sqlite" | "postgres"));
    let c = Collection {
        title: text("Soviet badges", "Советские знаки"),
        introduction: text("", ""),
    };
    store.put_collection(&c).await.unwrap();
    assert!(!store.is_empty().await.unwrap());
    assert_eq!(store.collection().await.unwrap(), Some(c.clone()));
    let mut c2 = c.clone();
    c2.introduction = text("Now with an *introduction*.", "");
    store.put_collection(&c2).await.unwrap();
    assert_eq!(store.collection().await.unwrap(), Some(c2));
    let bad = Collection::default();
    assert!(matches!(
        store.put_collection(&bad).await,
        Err(StorageError::Invalid(_))
    ));
}

/// Every change logged after `after`, as `(slug, op)`, checking that `seq` increases and that
/// the last one is [`crate::ChangeLog::last_change`].
async fn logged_since(store: &dyn Store, after: i64) -> Vec<(String, ChangeOp)> {
    let changes = store
        .changes_since(after, 10_000)
        .await
        .expect("changes_since");
    let mut previous = after;
    for c in &changes {
        assert!(c.seq > previous, "seq must increase: {changes:?}");
        previous = c.seq;
    }
    assert_eq!(
        store.last_change().await.expect("last_change"),
        previous,
        "last_change is the highest seq"
    );
    changes
        .into_iter()
        .map(|c| (c.slug.to_string(), c.op))
        .collect()
}

fn upsert(s: &str) -> (String, ChangeOp) {
    (s.to_owned(), ChangeOp::Upsert)
}

fn delete(s: &str) -> (String, ChangeOp) {
    (s.to_owned(), ChangeOp::Delete)
}

pub async fn every_write_logs_its_changes(store: &dyn Store) {
    assert_eq!(store.last_change().await.unwrap(), 0, "an empty log");
    assert!(store.changes_since(0, 10).await.unwrap().is_empty());

    // Categories and the collection alone change no type: nothing to log.
    save_categories(store, &["party", "awards", "empty"]).await;
    store
        .put_collection(&Collection {
            title: text("Badges", "Знаки"),
            introduction: Text::default(),
        })
        .await
        .unwrap();
    assert!(logged_since(store, 0).await.is_empty());

    // A new type, then a new version of it.
    let mut last = store.last_change().await.unwrap();
    let mopr = save(store, &full_type("mopr", &["party", "awards"])).await;
    assert_eq!(logged_since(store, last).await, [upsert("mopr")]);
    last = store.last_change().await.unwrap();
    let mut edited = mopr.clone();
    edited.names.en = "MOPR, edited".into();
    let edited = save(store, &edited).await;
    assert_eq!(logged_since(store, last).await, [upsert("mopr")]);

    // Saved under a new slug: the old one is deleted, the new one upserted.
    last = store.last_change().await.unwrap();
    let mut moved = edited.clone();
    moved.slug = slug("mopr-1932");
    save(store, &moved).await;
    assert_eq!(
        logged_since(store, last).await,
        [delete("mopr"), upsert("mopr-1932")]
    );

    // An import: one upsert per type, new or replaced.
    save(store, &minimal_type("plain", "Plain")).await;
    last = store.last_change().await.unwrap();
    let snapshot = Snapshot {
        collection: Collection {
            title: text("Badges", "Знаки"),
            introduction: Text::default(),
        },
        categories: vec![category("party", 0)],
        types: vec![
            minimal_type("plain", "Plain, imported"),
            minimal_type("imported", "Imported"),
        ],
    };
    store.import(&snapshot).await.expect("import");
    assert_eq!(
        logged_since(store, last).await,
        [upsert("plain"), upsert("imported")]
    );

    // A category renamed or deleted rewrites its types' category lists: an upsert per type.
    let mut in_awards = minimal_type("decorated", "Decorated");
    in_awards.categories = vec![slug("awards")];
    save(store, &in_awards).await;
    last = store.last_change().await.unwrap();
    let mut awards = store.category(&slug("awards")).await.unwrap();
    awards.slug = slug("honours");
    store.save_category(&awards).await.expect("rename");
    let mut got = logged_since(store, last).await;
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, [upsert("decorated"), upsert("mopr-1932")]);
    // A category edited without a new slug, or one with no types, changes no type.
    last = store.last_change().await.unwrap();
    let mut honours = store.category(&slug("honours")).await.unwrap();
    honours.title.en = "Honours".into();
    store.save_category(&honours).await.expect("retitle");
    store.delete_category(&slug("empty")).await.expect("delete");
    assert!(logged_since(store, last).await.is_empty());
    store
        .delete_category(&slug("party"))
        .await
        .expect("delete category");
    assert_eq!(logged_since(store, last).await, [upsert("mopr-1932")]);

    // A deleted type.
    last = store.last_change().await.unwrap();
    store
        .delete_type(&slug("plain"))
        .await
        .expect("delete type");
    assert_eq!(logged_since(store, last).await, [delete("plain")]);
}

pub async fn a_failed_write_logs_nothing(store: &dyn Store) {
    save_categories(store, &["party"]).await;
    let stored = save(store, &full_type("mopr", &["party"])).await;
    save(store, &minimal_type("other", "Other")).await;
    let last = store.last_change().await.unwrap();
    assert!(last > 0);

    // A stale version.
    let mut stale = stored.clone();
    stale.version -= 1;
    stale.names.en = "Stale".into();
    assert!(store.save_type(&stale).await.is_err());
    // A taken slug, new and by renaming.
    assert!(
        store
            .save_type(&minimal_type("mopr", "Taken"))
            .await
            .is_err()
    );
    let mut onto = read(store, "other", Access::Public).await;
    onto.slug = slug("mopr");
    assert!(store.save_type(&onto).await.is_err());
    // An unknown category, found only inside the transaction.
    let mut ghost = stored.clone();
    ghost.categories.push(slug("ghost"));
    assert!(store.save_type(&ghost).await.is_err());
    // Missing records.
    assert!(store.delete_type(&slug("nope")).await.is_err());
    assert!(store.delete_category(&slug("nope")).await.is_err());
    // An import that fails part way: one type names an unknown category.
    let mut snapshot = Snapshot {
        collection: Collection {
            title: text("Badges", "Знаки"),
            introduction: Text::default(),
        },
        categories: vec![category("party", 0)],
        types: (0..5)
            .map(|i| minimal_type(&format!("t-{i}"), "Imported"))
            .collect(),
    };
    snapshot.types[3].categories.push(slug("ghost"));
    assert!(store.import(&snapshot).await.is_err());
    // A rename onto a taken category slug, which would have retagged mopr.
    save_categories(store, &["awards"]).await;
    let mut party = store.category(&slug("party")).await.unwrap();
    party.slug = slug("awards");
    assert!(store.save_category(&party).await.is_err());

    assert_eq!(
        store.last_change().await.unwrap(),
        last,
        "a refused write logs nothing"
    );
    assert!(store.changes_since(last, 100).await.unwrap().is_empty());
    assert_eq!(
        read(store, "mopr", Access::Public).await.names.en,
        "MOPR badge"
    );
}

pub async fn changes_since_pages_in_order(store: &dyn Store) {
    for i in 0..7 {
        save(store, &minimal_type(&format!("t-{i}"), "Paged")).await;
    }
    let all: Vec<Change> = store.changes_since(0, 100).await.unwrap();
    assert_eq!(all.len(), 7);
    let slugs: Vec<String> = all.iter().map(|c| c.slug.to_string()).collect();
    let expected: Vec<String> = (0..7).map(|i| format!("t-{i}")).collect();
    assert_eq!(slugs, expected, "in the order they were made");
    assert!(all.iter().all(|c| c.op == ChangeOp::Upsert));
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));

    let mut paged = Vec::new();
    let mut after = 0;
    let mut sizes = Vec::new();
    loop {
        let page = store.changes_since(after, 3).await.unwrap();
        sizes.push(page.len());
        let Some(last) = page.last() else { break };
        after = last.seq;
        paged.extend(page);
    }
    assert_eq!(sizes, [3, 3, 1, 0]);
    assert_eq!(paged, all, "pages join up without gaps or repeats");
    // From the middle; after the end; one at a time.
    assert_eq!(
        store.changes_since(all[4].seq, 100).await.unwrap(),
        all[5..]
    );
    let last = store.last_change().await.unwrap();
    assert_eq!(last, all[6].seq);
    assert!(store.changes_since(last, 100).await.unwrap().is_empty());
    assert_eq!(store.changes_since(0, 1).await.unwrap(), all[..1]);
}

// Drafts, history and restore.

fn editor() -> Author {
    Author::user(vitrina_catalogue::UserId::new(7), "Editor Anna")
}

pub async fn drafts_are_never_public(store: &dyn Store) {
    save_categories(store, &["party"]).await;
    save(store, &minimal_type("a-public", "A public")).await;
    let mut draft = minimal_type("b-draft", "B draft");
    draft.published = false;
    draft.categories = vec![slug("party")];
    let last = store.last_change().await.unwrap();
    let stored = store.save_type(&draft).await.unwrap();
    assert!(!stored.published);
    save(store, &minimal_type("c-public", "C public")).await;
    // Followers are told the draft is gone.
    assert_eq!(logged_since(store, last).await[0], delete("b-draft"));

    // The public sees no trace of it.
    assert!(matches!(
        store.badge_type(&slug("b-draft"), Access::Public).await,
        Err(StorageError::NotFound { .. })
    ));
    assert!(matches!(
        store.public_type_page(&slug("b-draft")).await,
        Err(StorageError::NotFound { .. })
    ));
    let (list, total) = store
        .types(&TypeFilter::default(), Page::new(0, 10))
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert!(list.iter().all(|t| t.slug.as_str() != "b-draft"));
    let n = store.neighbours(&slug("a-public")).await.unwrap();
    assert_eq!(n.next.unwrap().slug.as_str(), "c-public");
    let (_, n) = store.public_type_page(&slug("c-public")).await.unwrap();
    assert_eq!(n.previous.unwrap().slug.as_str(), "a-public");
    assert_eq!(
        store.type_slugs().await.unwrap(),
        vec![slug("a-public"), slug("c-public")]
    );
    let party = |all: Vec<crate::CategorySummary>| {
        all.into_iter()
            .find(|c| c.category.slug.as_str() == "party")
            .unwrap()
            .type_count
    };
    assert_eq!(party(store.categories().await.unwrap()), 0);
    let in_party = TypeFilter {
        category: Some(slug("party")),
        ..Default::default()
    };
    assert_eq!(store.types(&in_party, Page::new(0, 10)).await.unwrap().1, 0);

    // Curators see it.
    assert!(
        !store
            .badge_type(&slug("b-draft"), Access::Private)
            .await
            .unwrap()
            .published
    );
    let drafts = TypeFilter {
        drafts: true,
        ..Default::default()
    };
    assert_eq!(store.types(&drafts, Page::new(0, 10)).await.unwrap().1, 3);
    let drafts_in_party = TypeFilter {
        category: Some(slug("party")),
        drafts: true,
    };
    assert_eq!(
        store
            .types(&drafts_in_party, Page::new(0, 10))
            .await
            .unwrap()
            .1,
        1
    );
    assert_eq!(party(store.all_categories().await.unwrap()), 1);

    // Published, it is public everywhere.
    let mut t = store
        .badge_type(&slug("b-draft"), Access::Private)
        .await
        .unwrap();
    t.published = true;
    let last = store.last_change().await.unwrap();
    store.save_type(&t).await.unwrap();
    assert_eq!(logged_since(store, last).await, vec![upsert("b-draft")]);
    store
        .badge_type(&slug("b-draft"), Access::Public)
        .await
        .unwrap();
    assert_eq!(store.type_slugs().await.unwrap().len(), 3);
    assert_eq!(party(store.categories().await.unwrap()), 1);

    // A draft category is left out of the public list, but curators see it.
    let mut c = category("hidden", 5);
    c.published = false;
    store.save_category(&c).await.unwrap();
    assert!(
        store
            .categories()
            .await
            .unwrap()
            .iter()
            .all(|c| c.category.slug.as_str() != "hidden")
    );
    assert!(
        store
            .all_categories()
            .await
            .unwrap()
            .iter()
            .any(|c| c.category.slug.as_str() == "hidden" && !c.category.published)
    );
    assert!(!store.category(&slug("hidden")).await.unwrap().published);
}

pub async fn a_stale_category_is_a_conflict(store: &dyn Store) {
    let c = store.save_category(&category("party", 0)).await.unwrap();
    assert_eq!(c.version, 1);
    let mut first = store.category(&slug("party")).await.unwrap();
    assert_eq!(first.version, 1);
    let mut second = first.clone();
    first.title = text("First", "Первый");
    let saved = store.save_category(&first).await.unwrap();
    assert_eq!(saved.version, 2);
    second.title = text("Second", "Второй");
    assert!(matches!(
        store.save_category(&second).await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(
        store.category(&slug("party")).await.unwrap().title.en,
        "First"
    );
}

pub async fn every_change_is_in_history(store: &dyn Store) {
    let anna = editor();
    let c = store
        .save_category_by(&category("party", 0), &anna)
        .await
        .unwrap();
    let t = store
        .save_type_by(&full_type("mopr", &["party"]), &anna)
        .await
        .unwrap();
    let mut changed = t.clone();
    changed.variants[0].weight_g = Some(Range {
        min: 9.5,
        max: 14.0,
    });
    changed.names.en = "MOPR, changed".into();
    let changed = store.save_type_by(&changed, &anna).await.unwrap();
    // Renaming the category rewrites the type: both are recorded.
    let mut renamed = c.clone();
    renamed.slug = slug("communist-party");
    store.save_category_by(&renamed, &anna).await.unwrap();
    store
        .put_collection_by(
            &Collection {
                title: text("Badges", "Знаки"),
                introduction: Text::default(),
            },
            &anna,
        )
        .await
        .unwrap();

    let history = store
        .record_history(RecordKind::Type, "mopr")
        .await
        .unwrap();
    let ops: Vec<(HistoryOp, i64)> = history.iter().map(|r| (r.op, r.version)).collect();
    assert_eq!(
        ops,
        [
            (HistoryOp::Update, 3),
            (HistoryOp::Update, 2),
            (HistoryOp::Create, 1)
        ]
    );
    assert!(history.iter().all(|r| r.author == anna));
    assert!(history.iter().all(|r| r.kind == RecordKind::Type));
    assert_eq!(history[0].record["categories"][0], "communist-party");
    // History keeps private fields: it is for curators.
    assert!(
        history[2].record.to_string().contains("provenance"),
        "{}",
        history[2].record
    );
    let d = diff(Some(&history[2].record), Some(&history[1].record));
    let paths: Vec<&str> = d.iter().map(|c| c.path.as_str()).collect();
    assert!(paths.contains(&"names.en"), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("variants[0].weight_g")),
        "{paths:?}"
    );
    assert_eq!(history[1].version, changed.version);

    // The category's history is found under its old slug and its new one.
    let old = store
        .record_history(RecordKind::Category, "party")
        .await
        .unwrap();
    let new = store
        .record_history(RecordKind::Category, "communist-party")
        .await
        .unwrap();
    assert_eq!(old, new);
    assert_eq!(old.len(), 2);
    assert_eq!(old[0].op, HistoryOp::Update);
    assert_eq!(old[0].record["slug"], "communist-party");

    // The whole collection's history, newest first, paged; one revision by id.
    let all = store.collection_history(Page::new(0, 100)).await.unwrap();
    // category, type ×2, the rename (category and type), collection
    assert_eq!(all.len(), 6);
    assert_eq!(all[0].kind, RecordKind::Collection);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id));
    let page = store.collection_history(Page::new(2, 2)).await.unwrap();
    assert_eq!(page, all[2..4].to_vec());
    assert_eq!(store.revision(all[3].id).await.unwrap(), all[3]);
    assert!(matches!(
        store.revision(i64::MAX).await,
        Err(StorageError::NotFound { .. })
    ));
    assert!(
        store
            .record_history(RecordKind::Type, "nope")
            .await
            .unwrap()
            .is_empty()
    );

    // A refused write records nothing.
    let mut stale = changed.clone();
    stale.version = 1;
    assert!(store.save_type_by(&stale, &anna).await.is_err());
    assert_eq!(
        store
            .collection_history(Page::new(0, 100))
            .await
            .unwrap()
            .len(),
        6
    );
    // Imports are recorded, by the system.
    store
        .import(&Snapshot {
            collection: Collection {
                title: text("Imported", "Импорт"),
                introduction: Text::default(),
            },
            categories: vec![category("awards", 1)],
            types: vec![minimal_type("imported", "Imported")],
        })
        .await
        .unwrap();
    let imported = store
        .record_history(RecordKind::Type, "imported")
        .await
        .unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].author, Author::system());
    assert_eq!(imported[0].op, HistoryOp::Create);
}

pub async fn a_deleted_type_is_restored_with_its_id_and_history(store: &dyn Store) {
    save_categories(store, &["party", "awards"]).await;
    let anna = editor();
    let t = store
        .save_type_by(&full_type("mopr", &["party", "awards"]), &anna)
        .await
        .unwrap();
    store.delete_type_by(&slug("mopr"), &anna).await.unwrap();
    store.delete_category(&slug("awards")).await.unwrap();
    let history = store
        .record_history(RecordKind::Type, "mopr")
        .await
        .unwrap();
    assert_eq!(history[0].op, HistoryOp::Delete);
    assert_eq!(history[0].version, 1);
    let record: BadgeType = serde_json::from_value(history[0].record.clone()).unwrap();
    assert_eq!(record.id, t.id);

    let last = store.last_change().await.unwrap();
    let restored = store.restore_type(&record, &anna).await.unwrap();
    assert_eq!(restored.id, t.id);
    assert_eq!(restored.version, 2);
    // The deleted category is left out; everything else is back, private fields included.
    assert_eq!(restored.categories, vec![slug("party")]);
    let back = read(store, "mopr", Access::Private).await;
    assert_eq!(
        without_ids(back.clone()).variants,
        without_ids(t.clone()).variants
    );
    assert!(all_ids_set(&back));
    assert_eq!(logged_since(store, last).await, vec![upsert("mopr")]);
    let history = store
        .record_history(RecordKind::Type, "mopr")
        .await
        .unwrap();
    let ops: Vec<HistoryOp> = history.iter().map(|r| r.op).collect();
    assert_eq!(
        ops,
        [HistoryOp::Restore, HistoryOp::Delete, HistoryOp::Create]
    );
    assert_eq!(history[0].version, 2);
    // A restored type is saved on from the version it came back at.
    let mut again = back;
    again.names.en = "Again".into();
    assert_eq!(store.save_type(&again).await.unwrap().version, 3);
}

pub async fn restoring_an_earlier_version_makes_a_new_one(store: &dyn Store) {
    let anna = editor();
    let t = store
        .save_type_by(&full_type("mopr", &[]), &anna)
        .await
        .unwrap();
    let mut changed = t.clone();
    changed.names.en = "Changed".into();
    changed.variants.remove(1);
    changed.published = false;
    store.save_type_by(&changed, &anna).await.unwrap();
    let history = store
        .record_history(RecordKind::Type, "mopr")
        .await
        .unwrap();
    let first: BadgeType = serde_json::from_value(history[1].record.clone()).unwrap();
    let restored = store.restore_type(&first, &anna).await.unwrap();
    assert_eq!(restored.version, 3);
    assert_eq!(restored.names.en, t.names.en);
    assert!(restored.published);
    assert_eq!(restored.variants.len(), t.variants.len());
    assert_eq!(
        without_ids(read(store, "mopr", Access::Private).await),
        without_ids(t.clone())
    );
    // Restoring a version whose slug another type took since is a conflict, and changes nothing.
    let mut renamed = read(store, "mopr", Access::Private).await;
    renamed.slug = slug("mopr-renamed");
    store.save_type(&renamed).await.unwrap();
    save(store, &minimal_type("mopr", "Squatter")).await;
    assert!(matches!(
        store.restore_type(&first, &anna).await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(
        read(store, "mopr", Access::Private).await.names.en,
        "Squatter"
    );
}

pub async fn a_deleted_category_is_restored(store: &dyn Store) {
    let anna = editor();
    let mut c = category("party", 3);
    c.published = false;
    let c = store.save_category_by(&c, &anna).await.unwrap();
    store
        .delete_category_by(&slug("party"), &anna)
        .await
        .unwrap();
    assert!(store.category(&slug("party")).await.is_err());
    let history = store
        .record_history(RecordKind::Category, "party")
        .await
        .unwrap();
    assert_eq!(history[0].op, HistoryOp::Delete);
    let record: Category = serde_json::from_value(history[0].record.clone()).unwrap();
    assert_eq!(record.id, c.id);
    let restored = store.restore_category(&record, &anna).await.unwrap();
    assert_eq!(restored.id, c.id);
    assert_eq!(restored.version, 2);
    let back = store.category(&slug("party")).await.unwrap();
    assert_eq!(back.position, 3);
    assert!(!back.published);
    assert_eq!(back.version, 2);
    let history = store
        .record_history(RecordKind::Category, "party")
        .await
        .unwrap();
    assert_eq!(history[0].op, HistoryOp::Restore);
    assert_eq!(history.len(), 3);
}

/// Every type in collection order through [`crate::TypeStore::types`], 500 at a time.
async fn every_type(store: &dyn Store, filter: &TypeFilter) -> Vec<TypeSummary> {
    let mut out = Vec::new();
    loop {
        let (page, total) = store
            .types(filter, Page::new(out.len() as u64, Page::MAX_LIMIT))
            .await
            .expect("listing types");
        let done = page.is_empty();
        out.extend(page);
        if done || out.len() as u64 >= total {
            return out;
        }
    }
}

fn slugs_of(types: &[TypeSummary]) -> Vec<String> {
    types.iter().map(|t| t.slug.to_string()).collect()
}

/// A snapshot of `n` minimal types, `t-0000`…, named `Type 0000`…, each then shaped by `each`.
pub fn many_types(
    n: usize,
    categories: Vec<Category>,
    each: impl Fn(usize, &mut BadgeType),
) -> Snapshot {
    Snapshot {
        collection: Collection {
            title: Text::en("Many"),
            introduction: Text::default(),
        },
        categories,
        types: (0..n)
            .map(|i| {
                let mut t = minimal_type(&format!("t-{i:04}"), &format!("Type {i:04}"));
                each(i, &mut t);
                t
            })
            .collect(),
    }
}

pub async fn a_type_moves_anywhere_in_one_transaction(store: &dyn Store) {
    // 700 types at one position, so names order them; one is a draft (moves count drafts).
    let snapshot = many_types(700, vec![], |i, t| t.published = i != 350);
    store.import(&snapshot).await.expect("import");
    let all = TypeFilter {
        drafts: true,
        ..TypeFilter::default()
    };
    let mut expected = slugs_of(&every_type(store, &all).await);
    assert_eq!(expected.len(), 700);
    let curator = Author::user(vitrina_catalogue::UserId::new(7), "curator");

    // The 600th to the front: past the 500 a page holds.
    let before = store
        .badge_type(&slug("t-0599"), Access::Private)
        .await
        .unwrap();
    let logged = store.last_change().await.unwrap();
    store
        .move_type_by(&slug("t-0599"), 0, &curator)
        .await
        .expect("move to the front");
    let moved = expected.remove(599);
    expected.insert(0, moved);
    assert_eq!(slugs_of(&every_type(store, &all).await), expected);
    let after = store
        .badge_type(&slug("t-0599"), Access::Private)
        .await
        .unwrap();
    assert_eq!(after.version, before.version + 1, "a move is a new version");
    let history = store
        .record_history(RecordKind::Type, "t-0599")
        .await
        .unwrap();
    assert_eq!(history[0].op, HistoryOp::Update);
    assert_eq!(history[0].author, curator);
    assert_eq!(
        history[0].record["position"],
        serde_json::json!(after.position)
    );
    let changes = store.changes_since(logged, 1000).await.unwrap();
    assert!(
        changes.iter().any(|c| c.slug.as_str() == "t-0599"),
        "{changes:?}"
    );

    // Past the end is last.
    store
        .move_type_by(&slug("t-0000"), 10_000, &curator)
        .await
        .expect("move to the end");
    let moved = expected.remove(1);
    expected.push(moved);
    assert_eq!(slugs_of(&every_type(store, &all).await), expected);

    // Into the middle of types that share a position: the list is renumbered, in one go.
    store
        .move_type_by(&slug("t-0698"), 350, &curator)
        .await
        .expect("move into the middle");
    let from = expected.iter().position(|s| s == "t-0698").unwrap();
    let moved = expected.remove(from);
    expected.insert(350, moved);
    let listed = every_type(store, &all).await;
    assert_eq!(slugs_of(&listed), expected);
    // Still a permutation: every type once, none lost or doubled.
    let mut sorted = slugs_of(&listed);
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 700);
    // The public list follows the same order, without the draft.
    let public: Vec<String> = expected
        .iter()
        .filter(|s| *s != "t-0350")
        .cloned()
        .collect();
    assert_eq!(
        slugs_of(&every_type(store, &TypeFilter::default()).await),
        public
    );
    assert_eq!(
        store
            .type_slugs()
            .await
            .unwrap()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        public
    );

    // A failing move (an unknown type) changes nothing: order, versions, history, log.
    let logged = store.last_change().await.unwrap();
    let revisions = store.collection_history(Page::new(0, 10)).await.unwrap();
    assert!(matches!(
        store.move_type_by(&slug("no-such"), 0, &curator).await,
        Err(StorageError::NotFound { .. })
    ));
    assert_eq!(every_type(store, &all).await, listed);
    assert_eq!(store.last_change().await.unwrap(), logged);
    assert_eq!(
        store.collection_history(Page::new(0, 10)).await.unwrap(),
        revisions
    );
    // Nor does a move to where it already is.
    store
        .move_type_by(&slug("t-0698"), 350, &curator)
        .await
        .unwrap();
    assert_eq!(every_type(store, &all).await, listed);
    assert_eq!(store.last_change().await.unwrap(), logged);
}

pub async fn a_category_moves_anywhere_in_one_transaction(store: &dyn Store) {
    save_categories(store, &["a", "b", "c", "d"]).await;
    let mut draft = category("e", 4);
    draft.published = false;
    store.save_category(&draft).await.unwrap();
    let order = |cats: Vec<crate::CategorySummary>| -> Vec<String> {
        cats.iter().map(|c| c.category.slug.to_string()).collect()
    };
    let curator = Author::user(vitrina_catalogue::UserId::new(7), "curator");
    store
        .move_category_by(&slug("e"), 0, &curator)
        .await
        .unwrap();
    assert_eq!(
        order(store.all_categories().await.unwrap()),
        ["e", "a", "b", "c", "d"]
    );
    assert_eq!(
        order(store.categories().await.unwrap()),
        ["a", "b", "c", "d"]
    );
    store
        .move_category_by(&slug("a"), 99, &curator)
        .await
        .unwrap();
    assert_eq!(
        order(store.all_categories().await.unwrap()),
        ["e", "b", "c", "d", "a"]
    );
    let before = store.category(&slug("c")).await.unwrap();
    store
        .move_category_by(&slug("c"), 1, &curator)
        .await
        .unwrap();
    assert_eq!(
        order(store.all_categories().await.unwrap()),
        ["e", "c", "b", "d", "a"]
    );
    let after = store.category(&slug("c")).await.unwrap();
    assert_eq!(after.version, before.version + 1);
    let history = store
        .record_history(RecordKind::Category, "c")
        .await
        .unwrap();
    assert_eq!(history[0].op, HistoryOp::Update);
    assert_eq!(history[0].author, curator);
    // Positions that leave no room: renumbered.
    for (i, s) in ["e", "c", "b", "d", "a"].iter().enumerate() {
        let mut c = store.category(&slug(s)).await.unwrap();
        c.position = i as i64;
        store.save_category(&c).await.unwrap();
    }
    store
        .move_category_by(&slug("a"), 1, &curator)
        .await
        .unwrap();
    assert_eq!(
        order(store.all_categories().await.unwrap()),
        ["e", "a", "c", "b", "d"]
    );
    let untouched = store.all_categories().await.unwrap();
    assert!(matches!(
        store.move_category_by(&slug("no-such"), 0, &curator).await,
        Err(StorageError::NotFound { .. })
    ));
    assert_eq!(store.all_categories().await.unwrap(), untouched);
}

pub async fn a_delete_at_a_stale_version_is_a_conflict_and_deletes_nothing(store: &dyn Store) {
    save_categories(store, &["c"]).await;
    let t = save(store, &minimal_type("t", "T")).await;
    let t2 = save(store, &t).await;
    assert_eq!(t2.version, t.version + 1);
    let logged = store.last_change().await.unwrap();
    assert!(matches!(
        store
            .delete_type_at(&slug("t"), t.version, &Author::system())
            .await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(read(store, "t", Access::Private).await, t2);
    assert_eq!(
        store.last_change().await.unwrap(),
        logged,
        "a refused delete logs nothing"
    );
    store
        .delete_type_at(&slug("t"), t2.version, &Author::system())
        .await
        .expect("a delete at the stored version");
    assert!(matches!(
        store.badge_type(&slug("t"), Access::Private).await,
        Err(StorageError::NotFound { .. })
    ));
    let history = store.record_history(RecordKind::Type, "t").await.unwrap();
    assert_eq!(history[0].op, HistoryOp::Delete);
    assert!(matches!(
        store
            .delete_type_at(&slug("t"), t2.version, &Author::system())
            .await,
        Err(StorageError::NotFound { .. })
    ));

    let c = store.category(&slug("c")).await.unwrap();
    let c2 = store.save_category(&c).await.unwrap();
    assert!(matches!(
        store
            .delete_category_at(&slug("c"), c.version, &Author::system())
            .await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(store.category(&slug("c")).await.unwrap(), c2);
    store
        .delete_category_at(&slug("c"), c2.version, &Author::system())
        .await
        .expect("a delete at the stored version");
    assert!(matches!(
        store.category(&slug("c")).await,
        Err(StorageError::NotFound { .. })
    ));
}

/// Every type through [`crate::TypeStore::types_after`], `limit` at a time.
async fn walk(store: &dyn Store, filter: &TypeFilter, limit: u64) -> Vec<TypeSummary> {
    let mut out: Vec<TypeSummary> = Vec::new();
    loop {
        let cursor = out.last().map(TypeCursor::of);
        let page = store
            .types_after(filter, cursor.as_ref(), limit)
            .await
            .expect("a keyset page");
        assert!(page.len() as u64 <= limit);
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

pub async fn keyset_pages_walk_the_same_order_as_types(store: &dyn Store) {
    // Shared positions, shared names (the id decides), names that sort by bytes (Ä, Cyrillic,
    // lower case after upper), drafts, and two categories.
    let names = ["Alpha", "alpha", "Ärmel", "Знак", "Zulu", "Beta"];
    let snapshot = many_types(
        1234,
        vec![category("odd", 0), category("few", 1)],
        |i, t| {
            t.position = (i % 7) as i64 - 3;
            t.names.en = names[i % names.len()].to_owned();
            t.published = i % 10 != 0;
            if i % 2 == 1 {
                t.categories.push(slug("odd"));
            }
            if i % 97 == 0 {
                t.categories.push(slug("few"));
            }
        },
    );
    store.import(&snapshot).await.expect("import");
    for drafts in [false, true] {
        for category in [None, Some(slug("odd")), Some(slug("few"))] {
            let filter = TypeFilter { category, drafts };
            let expected = every_type(store, &filter).await;
            assert!(!expected.is_empty());
            let walked = walk(store, &filter, 100).await;
            assert_eq!(walked.len(), expected.len(), "{filter:?}");
            assert_eq!(walked, expected, "{filter:?}");
        }
    }
    assert_eq!(
        walk(
            store,
            &TypeFilter {
                drafts: true,
                category: None
            },
            100
        )
        .await
        .len(),
        1234
    );
    assert!(
        walk(store, &TypeFilter::default(), 100)
            .await
            .iter()
            .all(|t| t.published)
    );
    // A cursor past the end is an empty page; an unknown category is not found.
    let last = every_type(store, &TypeFilter::default())
        .await
        .pop()
        .unwrap();
    let page = store
        .types_after(&TypeFilter::default(), Some(&TypeCursor::of(&last)), 10)
        .await
        .unwrap();
    assert!(page.is_empty());
    let unknown = TypeFilter {
        category: Some(slug("no-such")),
        drafts: false,
    };
    assert!(matches!(
        store.types_after(&unknown, None, 10).await,
        Err(StorageError::NotFound { .. })
    ));
}

pub async fn summaries_by_slug_come_in_the_order_asked(store: &dyn Store) {
    save_categories(store, &["c"]).await;
    let a = save(store, &full_type("a", &["c"])).await;
    save(store, &minimal_type("b", "B")).await;
    let mut draft = minimal_type("draft", "Draft");
    draft.published = false;
    save(store, &draft).await;
    let asked = [slug("b"), slug("missing"), slug("draft"), slug("a")];
    let got = store.summaries(&asked, false).await.unwrap();
    assert_eq!(slugs_of(&got), ["b", "a"]);
    let expected = TypeSummary::of(&a.clone().into_public(), a.id.unwrap());
    assert_eq!(got[1], expected);
    let got = store.summaries(&asked, true).await.unwrap();
    assert_eq!(slugs_of(&got), ["b", "draft", "a"]);
    assert!(!got[1].published);
    assert!(store.summaries(&[], true).await.unwrap().is_empty());
}

/// Regression for the leaner save (it rewrites only the rows that moved, and the category links
/// only when what they copy changed): every kind of change still lands, and an unchanged
/// resave keeps the links, the children and their private fields.
pub async fn a_save_rewrites_what_moved_and_keeps_the_rest(store: &dyn Store) {
    save_categories(store, &["party", "awards"]).await;
    let in_category = |c: &str| TypeFilter {
        category: Some(slug(c)),
        ..Default::default()
    };
    let mut other = minimal_type("other", "Middle");
    other.categories = vec![slug("party")];
    save(store, &other).await;
    let mut first = full_type("mopr", &["party"]);
    first.position = 0;
    first.names.en = "Alpha".into();
    let first = save(store, &first).await;
    assert_eq!(
        slugs_of(&every_type(store, &in_category("party")).await),
        ["mopr", "other"]
    );
    // the handle knows the last change it wrote, without asking
    let last = store.last_change().await.unwrap();
    assert!(last > 0);
    assert_eq!(store.written_through(), last);

    // Resaved as read: links, children and private fields stay.
    let again = save(store, &first).await;
    assert_eq!(
        slugs_of(&every_type(store, &in_category("party")).await),
        ["mopr", "other"]
    );
    assert_eq!(read(store, "mopr", Access::Private).await, again);
    let privates = |t: &BadgeType| -> Vec<_> { t.specimens().map(|s| s.private.clone()).collect() };
    assert_eq!(privates(&again), privates(&first));
    assert!(privates(&first).iter().any(Option::is_some));

    // A new English name re-sorts the category's list; a new position too.
    let mut renamed = again.clone();
    renamed.names.en = "Zulu".into();
    let renamed = save(store, &renamed).await;
    assert_eq!(
        slugs_of(&every_type(store, &in_category("party")).await),
        ["other", "mopr"]
    );
    let mut moved = renamed.clone();
    moved.position = -1;
    let moved = save(store, &moved).await;
    assert_eq!(
        slugs_of(&every_type(store, &in_category("party")).await),
        ["mopr", "other"]
    );

    // Withdrawn: gone from the public count; re-filed: in the other category only.
    let mut draft = moved.clone();
    draft.published = false;
    let draft = save(store, &draft).await;
    // a draft's version is there for a write at a known version
    assert_eq!(
        store.type_version(&slug("mopr")).await.unwrap(),
        (draft.id.unwrap(), draft.version)
    );
    assert!(matches!(
        store.type_version(&slug("no-such-type")).await,
        Err(StorageError::NotFound { .. })
    ));
    let counts = |cats: Vec<crate::CategorySummary>| -> Vec<u64> {
        cats.iter().map(|c| c.type_count).collect()
    };
    assert_eq!(counts(store.categories().await.unwrap()), [1, 0]);
    let mut refiled = draft.clone();
    refiled.published = true;
    refiled.categories = vec![slug("awards")];
    let refiled = save(store, &refiled).await;
    assert_eq!(counts(store.categories().await.unwrap()), [1, 1]);
    assert_eq!(
        slugs_of(&every_type(store, &in_category("awards")).await),
        ["mopr"]
    );
    assert_eq!(
        slugs_of(&every_type(store, &in_category("party")).await),
        ["other"]
    );

    // Children reordered and a specimen moved between variants: read back as saved.
    let mut shuffled = refiled.clone();
    shuffled.variants.swap(0, 1);
    shuffled.variants[0].specimens.reverse();
    let s = shuffled.variants[1].specimens.remove(0);
    shuffled.variants[0].specimens.push(s);
    shuffled.photos.reverse();
    let shuffled = save(store, &shuffled).await;
    let back = read(store, "mopr", Access::Private).await;
    assert_eq!(back, shuffled);
    let ids = |t: &BadgeType| -> Vec<_> { t.specimens().map(|s| s.id).collect() };
    let mut before = ids(&refiled);
    let mut after = ids(&back);
    before.sort();
    after.sort();
    assert_eq!(before, after, "the same specimens, moved");
    let private_of = |t: &BadgeType| -> Vec<_> {
        let mut p: Vec<_> = t.specimens().map(|s| (s.id, s.private.clone())).collect();
        p.sort_by_key(|(id, _)| *id);
        p
    };
    assert_eq!(
        private_of(&back),
        private_of(&refiled),
        "private fields moved with them"
    );
}

/// For each engine's plan test: 20,000 types in two categories, at 7 positions, every tenth a
/// draft — enough rows that a planner would rather seek an index than scan.
pub fn keyset_plan_snapshot() -> Snapshot {
    many_types(
        20_000,
        vec![category("odd", 0), category("even", 1)],
        |i, t| {
            t.position = (i % 7) as i64;
            t.published = i % 10 != 0;
            t.categories = vec![slug(["odd", "even"][i % 2])];
        },
    )
}

/// The keyset pages a plan test explains over [`keyset_plan_snapshot`]: the public list, one
/// category, and the curators' list with drafts, each from the start and from deep in it.
pub fn keyset_plan_pages() -> Vec<(TypeFilter, Option<TypeCursor>)> {
    let deep = TypeCursor {
        position: 5,
        name_en: "Type 15000".into(),
        id: 15_000,
    };
    let filters = [
        TypeFilter::default(),
        TypeFilter {
            category: Some(slug("even")),
            ..Default::default()
        },
        TypeFilter {
            drafts: true,
            ..Default::default()
        },
    ];
    filters
        .into_iter()
        .flat_map(|f| [(f.clone(), None), (f, Some(deep.clone()))])
        .collect()
}
