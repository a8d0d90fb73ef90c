//! Bringing a collection in and taking it out, through the one door, against a real SQLite
//! store (and the search index): collectors' files as they come, dry runs, all-or-nothing and
//! partial imports, modes and keys, a second import that changes nothing, photos from a ZIP,
//! presets, and export → import → export giving the same file.

use std::io::Write;
use std::sync::Arc;

use vitrina_catalogue::{Access, Slug};
use vitrina_operations::Catalogue;
use vitrina_operations::export::ExportFormat;
use vitrina_operations::import::{ColumnChoice, ImportOptions, Key, Mode, Report};
use vitrina_search::{Query, SearchIndex};
use vitrina_storage::{Author, RecordKind};

struct Fixture {
    catalogue: Catalogue,
    media: vitrina_media::Pipeline,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vitrina.db").display());
    let store = vitrina_operations::open_store(&url).await.unwrap();
    let index = SearchIndex::open(&dir.path().join("search")).unwrap();
    let catalogue = Catalogue::new(store).with_search(Arc::new(index));
    let media_store = Arc::new(vitrina_media::LocalStore::new(dir.path().join("media")));
    let media = vitrina_media::Pipeline::new(media_store, vitrina_media::Limits::default());
    Fixture {
        catalogue,
        media,
        _dir: dir,
    }
}

fn olga() -> Author {
    Author {
        user: None,
        name: "olga".into(),
    }
}

async fn import(f: &Fixture, name: &str, bytes: &[u8], options: &ImportOptions) -> Report {
    f.catalogue
        .import_file(name, bytes, options, Some(&f.media), &olga(), &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn types(f: &Fixture) -> Vec<vitrina_catalogue::BadgeType> {
    f.catalogue.snapshot(true).await.unwrap().types
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

/// A collector's sheet as `gen_catalog.py` writes one: one row per badge.
const COLLECTOR: &str = "\
id,title_en,title_ru,category,year_established,materials,variants,maker_mark,engraving,condition,rarity,dimensions_mm,weight_g,description
1,60 Years of the Border Troops,60 лет Пограничных войск,Anniversary,1978,brass,\"V1 pin-back, cold enamel\",Копейский завод,,Mint; traces of cleaning,Rare,37.3x41.1,18.3,A rare type.
2,Active member of MOPR,Активисту МОПР,MOPR,1925,\"silver, enamel\",\"V1 screw-back, cold enamel\",Vilnius «Sigma»,\"From the collective of the ZIL, 1925\",Fair; small dent on reverse,Scarce,14.7x15.1,4.2,\"Comes from a Novosibirsk veteran.\"
3,Delegate badge of the XXIV Congress of the CPSU (type 2),Знак делегата XXIV съезда КПСС (тип 2),Party congress,1971,\"brass, enamel\",\"V1 screw-back, small nut; V2 clutch back, no number\",Копейский завод,№ 47765,Good; original nut,Common,14.7x17.6,4.6,Established in 1971.
";

#[tokio::test]
async fn a_collectors_sheet_is_planned_then_imported_and_found_by_search() {
    let f = fixture().await;
    let options = ImportOptions::default();
    let plan = f
        .catalogue
        .plan_import("badges.csv", COLLECTOR.as_bytes(), &options)
        .await
        .unwrap();
    assert!(plan.problems.is_empty(), "{:#?}", plan.problems);
    assert_eq!((plan.counts.rows, plan.counts.create), (3, 3));
    assert_eq!(
        plan.counts.categories, 3,
        "Anniversary, MOPR, Party congress"
    );
    assert_eq!(plan.source.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(plan.source.delimiter, Some(','));
    assert!(plan.preview.iter().any(|t| t.names.ru == "Активисту МОПР"));
    assert!(plan.can_apply);
    assert!(types(&f).await.is_empty(), "a plan writes nothing");

    let report = import(&f, "badges.csv", COLLECTOR.as_bytes(), &options).await;
    assert!(report.applied);
    assert_eq!(report.written.created, 3);
    let stored = types(&f).await;
    assert_eq!(stored.len(), 3);
    let mopr = stored
        .iter()
        .find(|t| t.names.en == "Active member of MOPR")
        .unwrap();
    assert_eq!(mopr.established.unwrap().year, 1925);
    assert_eq!(mopr.specimens().next().unwrap().inventory_number, "2");
    let history = f
        .catalogue
        .store()
        .record_history(RecordKind::Type, mopr.slug.as_str())
        .await
        .unwrap();
    assert_eq!(history[0].author.name, "olga");
    let hits = f.catalogue.search(Query::text("МОПР")).await.unwrap();
    assert!(
        hits.hits.iter().any(|h| h.slug == mopr.slug.as_str()),
        "the import is in the search index"
    );
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let f = fixture().await;
    let options = ImportOptions::default();
    import(&f, "badges.csv", COLLECTOR.as_bytes(), &options).await;
    let before = types(&f).await;
    let revisions = f
        .catalogue
        .collection_history(vitrina_storage::Page::new(0, 100))
        .await
        .unwrap();
    let again = import(&f, "badges.csv", COLLECTOR.as_bytes(), &options).await;
    assert_eq!(again.plan.counts.unchanged, 3, "{:?}", again.plan.counts);
    assert_eq!((again.written.created, again.written.updated), (0, 0));
    assert_eq!(types(&f).await, before);
    let after = f
        .catalogue
        .collection_history(vitrina_storage::Page::new(0, 100))
        .await
        .unwrap();
    assert_eq!(after.len(), revisions.len(), "no revision recorded");
}

#[tokio::test]
async fn a_russian_excel_csv_in_windows_1251_with_semicolons_and_crlf_is_read() {
    let f = fixture().await;
    let text = "Название;Название (англ.);Год учреждения;Материал;Состояние\r\n\
                Знак МОПР;MOPR badge;1922;серебро; отличное\r\n\
                Знак «Халхин-Гол»;Khalkhin Gol badge;1939;латунь;хорошее\r\n";
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad);
    let report = import(&f, "знаки.csv", &bytes, &ImportOptions::default()).await;
    assert!(
        report.plan.problems.is_empty(),
        "{:#?}",
        report.plan.problems
    );
    assert_eq!(report.plan.source.encoding.as_deref(), Some("Windows-1251"));
    assert_eq!(report.plan.source.delimiter, Some(';'));
    let stored = types(&f).await;
    let mopr = stored.iter().find(|t| t.names.en == "MOPR badge").unwrap();
    assert_eq!(mopr.names.ru, "Знак МОПР");
    assert_eq!(mopr.established.unwrap().year, 1922);
}

#[tokio::test]
async fn one_bad_row_refuses_the_file_unless_partial_and_says_where() {
    let f = fixture().await;
    let text = "title_en,year_established,condition\n\
                Good badge,1938,mint\n\
                Bad badge,1938-13,mint\n\
                ,1940,fine\n";
    let report = import(&f, "mixed.csv", text.as_bytes(), &ImportOptions::default()).await;
    assert!(!report.applied);
    assert!(
        types(&f).await.is_empty(),
        "all or nothing: nothing written"
    );
    let problems = &report.plan.problems;
    let month = problems.iter().find(|p| p.line == Some(3)).expect("line 3");
    assert_eq!(month.column.as_deref(), Some("year_established"));
    assert!(
        problems.iter().any(|p| p.line == Some(4)),
        "no title: {problems:#?}"
    );
    assert_eq!(report.plan.counts.refused, 2, "{problems:#?}");

    let partial = ImportOptions {
        partial: true,
        ..ImportOptions::default()
    };
    let report = import(&f, "mixed.csv", text.as_bytes(), &partial).await;
    assert!(report.applied);
    assert_eq!(report.written.created, 1);
    assert!(report.refused_any());
    assert_eq!(types(&f).await[0].names.en, "Good badge");
}

#[tokio::test]
async fn an_unreadable_file_is_refused_with_its_line_and_nothing_is_written() {
    let f = fixture().await;
    let mut bytes = b"title_en,title_ru\nFine,\xd0\x97\xd0\xbd\xd0\xb0\xd0\xba\n".to_vec();
    bytes.extend_from_slice(b"Broken,\xd0\x97\xff\xd0\n");
    let err = f
        .catalogue
        .import_file(
            "broken.csv",
            &bytes,
            &ImportOptions::default(),
            None,
            &olga(),
            &|_, _| {},
        )
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains('3'), "names line 3: {message}");
    assert_eq!(err.code(), "unreadable");
    let unterminated = b"title_en,notes\nA,\"never closed\nB,x\n";
    let err = f
        .catalogue
        .plan_import("q.csv", unterminated, &ImportOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert!(types(&f).await.is_empty());
}

#[tokio::test]
async fn modes_create_upsert_and_replace_and_the_inventory_key() {
    let f = fixture().await;
    import(
        &f,
        "badges.csv",
        COLLECTOR.as_bytes(),
        &ImportOptions::default(),
    )
    .await;
    let changed = COLLECTOR.replace("Rare,37.3x41.1", "Very rare,37.3x41.1");
    // create: what is there is left alone
    let create = ImportOptions {
        mode: Mode::Create,
        ..ImportOptions::default()
    };
    let report = import(&f, "badges.csv", changed.as_bytes(), &create).await;
    assert_eq!(
        (report.plan.counts.create, report.plan.counts.unchanged),
        (0, 3)
    );
    // upsert by inventory number: the changed piece's type is updated
    let by_inventory = ImportOptions {
        key: Key::Inventory,
        ..ImportOptions::default()
    };
    let report = import(&f, "badges.csv", changed.as_bytes(), &by_inventory).await;
    assert_eq!(
        (report.plan.counts.update, report.plan.counts.unchanged),
        (1, 2)
    );
    // replace: the catalogue becomes the file
    let one = COLLECTOR.lines().take(2).collect::<Vec<_>>().join("\n");
    let replace = ImportOptions {
        mode: Mode::Replace,
        ..ImportOptions::default()
    };
    let report = import(&f, "one.csv", one.as_bytes(), &replace).await;
    assert_eq!(report.plan.counts.delete, 2);
    assert_eq!(types(&f).await.len(), 1);
}

#[tokio::test]
async fn a_mapping_chosen_by_the_user_is_kept_as_a_preset_for_the_next_file() {
    let f = fixture().await;
    let text = "Bezeichnung,Jahr\nMOPR badge,1922\n";
    let plan = f
        .catalogue
        .plan_import("de.csv", text.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert!(
        plan.columns.iter().all(|c| c.field.is_none()),
        "unknown headers are ignored"
    );
    let mapped = ImportOptions {
        mapping: Some(vec![
            ColumnChoice {
                header: "Bezeichnung".into(),
                field: Some("title_en".into()),
            },
            ColumnChoice {
                header: "Jahr".into(),
                field: Some("established".into()),
            },
        ]),
        save_preset: Some("German dealer".into()),
        ..ImportOptions::default()
    };
    let report = import(&f, "de.csv", text.as_bytes(), &mapped).await;
    assert_eq!(report.written.created, 1, "{:#?}", report.plan.problems);
    let presets = f.catalogue.import_presets().await.unwrap();
    assert_eq!(presets.len(), 1);
    let next = "Bezeichnung,Jahr\nNKVD badge,1937\n";
    let by_preset = ImportOptions {
        preset: Some("German dealer".into()),
        ..ImportOptions::default()
    };
    let report = import(&f, "de2.csv", next.as_bytes(), &by_preset).await;
    assert_eq!(report.written.created, 1, "{:#?}", report.plan.problems);
    let missing = ImportOptions {
        preset: Some("nobody's".into()),
        ..ImportOptions::default()
    };
    let err = f
        .catalogue
        .plan_import("de.csv", text.as_bytes(), &missing)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not-found");
}

#[tokio::test]
async fn export_import_export_gives_the_same_files() {
    let source = fixture().await;
    source.catalogue.load_demo().await.unwrap();
    let demo = vitrina_operations::demo::snapshot().unwrap();
    for (format, private) in [
        (ExportFormat::Csv, false),
        (ExportFormat::Csv, true),
        (ExportFormat::Excel, true),
        (ExportFormat::Json, true),
        (ExportFormat::Xlsx, false),
    ] {
        let first = source.catalogue.export(format, private).await.unwrap();
        assert_eq!(first.types, demo.types.len());
        assert!(first.file_name.contains("-private") == private);
        let target = fixture().await;
        let report = import(
            &target,
            &first.file_name,
            &first.bytes,
            &ImportOptions::default(),
        )
        .await;
        assert!(
            report.plan.problems.is_empty(),
            "{format:?}: {:#?}",
            report.plan.problems
        );
        let second = target.catalogue.export(format, private).await.unwrap();
        if format == ExportFormat::Xlsx {
            // A workbook's zip carries a timestamp: compare what it holds.
            let read = |b: &[u8]| {
                vitrina_formats::read_sheet(b, None, &Default::default())
                    .unwrap()
                    .table
            };
            assert_eq!(read(&first.bytes), read(&second.bytes), "{format:?}");
        } else {
            if first.bytes != second.bytes {
                let dir = std::env::temp_dir();
                std::fs::write(dir.join("vitrina-first-export"), &first.bytes).unwrap();
                std::fs::write(dir.join("vitrina-second-export"), &second.bytes).unwrap();
                panic!(
                    "{format:?}, private {private}: the second export differs (both in {})",
                    dir.display()
                );
            }
        }
    }
}

#[tokio::test]
async fn a_public_export_holds_no_private_field() {
    let f = fixture().await;
    f.catalogue.load_demo().await.unwrap();
    let mut t = f.catalogue.curator_type(&slug("mopr-badge")).await.unwrap();
    let piece = &mut t.variants[0].specimens[0];
    piece.private = Some(vitrina_catalogue::SpecimenPrivate {
        provenance: "PRIVATE-PROVENANCE-estate-of-ivanov".into(),
        storage_location: "PRIVATE-PLACE-safe-2".into(),
        ..Default::default()
    });
    f.catalogue.save_type(&t).await.unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Excel] {
        let public = f.catalogue.export(format, false).await.unwrap();
        let text = String::from_utf8_lossy(&public.bytes);
        assert!(!text.contains("PRIVATE-"), "{format:?}");
        let private = f.catalogue.export(format, true).await.unwrap();
        assert!(String::from_utf8_lossy(&private.bytes).contains("PRIVATE-PLACE-safe-2"));
    }
}

/// A PNG the photo pipeline accepts.
fn png() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/images/formats/pil123rgba.png"
    );
    std::fs::read(path).expect("the test image")
}

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, bytes) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

#[tokio::test]
async fn a_zip_brings_the_sheet_and_its_photos_through_the_photo_pipeline() {
    let f = fixture().await;
    let sheet =
        "title_en,photo_obverse,photo_reverse\nMOPR badge,photos/mopr-front.png,МОПР оборот.PNG\n";
    let bytes = zip(&[
        ("sheet.csv", sheet.as_bytes()),
        ("photos/mopr-front.png", &png()),
        ("МОПР оборот.png", &png()[..]),
    ]);
    let report = import(&f, "with-photos.zip", &bytes, &ImportOptions::default()).await;
    assert!(report.applied, "{:#?}", report.plan.problems);
    assert_eq!(report.plan.counts.photos, 2);
    let t = &types(&f).await[0];
    let photo = t
        .photo(vitrina_catalogue::PhotoRole::Obverse)
        .expect("the photo");
    assert!(photo.file.starts_with("photos/"), "{}", photo.file);
    assert_eq!(photo.original_name, "mopr-front.png");
    assert!(photo.width.is_some());
    let reverse = t
        .photo(vitrina_catalogue::PhotoRole::Reverse)
        .expect("the reverse");
    assert_eq!(reverse.original_name, "МОПР оборот.png");
    assert_eq!(reverse.file, photo.file, "the same picture is stored once");

    // A row naming a picture the ZIP lacks is refused, and so is the file.
    let sheet = "title_en,photo_obverse\nNKVD badge,missing.jpg\n";
    let bytes = zip(&[("sheet.csv", sheet.as_bytes()), ("other.png", &png())]);
    let report = import(&f, "missing.zip", &bytes, &ImportOptions::default()).await;
    assert!(!report.applied);
    assert!(report.plan.problems[0].message.contains("missing.jpg"));
}

#[tokio::test]
async fn hostile_zips_are_refused_before_anything_is_stored() {
    let f = fixture().await;
    // A bomb: 300 MB of zeros in a few hundred kilobytes.
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("sheet.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b"title_en\nA\n").unwrap();
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        w.start_file("bomb.png", opts).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..300 {
            w.write_all(&zeros).unwrap();
        }
        w.finish().unwrap();
    }
    let err = f
        .catalogue
        .plan_import("bomb.zip", &buf.into_inner(), &ImportOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unreadable", "{err}");
    let climbing = zip(&[
        ("sheet.csv", b"title_en\nA\n"),
        ("../../etc/evil.png", &png()),
    ]);
    let err = f
        .catalogue
        .plan_import("climb.zip", &climbing, &ImportOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unreadable", "{err}");
    assert!(types(&f).await.is_empty());
}

#[tokio::test]
async fn vitrinas_json_export_of_the_demo_is_imported_whole() {
    let source = fixture().await;
    source.catalogue.load_demo().await.unwrap();
    let json = source
        .catalogue
        .export(ExportFormat::Json, true)
        .await
        .unwrap();
    let target = fixture().await;
    let report = import(
        &target,
        "export.json",
        &json.bytes,
        &ImportOptions::default(),
    )
    .await;
    let demo = vitrina_operations::demo::snapshot().unwrap();
    assert_eq!(
        report.written.created as usize,
        demo.types.len(),
        "{:#?}",
        report.plan.problems
    );
    assert_eq!(report.written.categories as usize, demo.categories.len());
    let a = source
        .catalogue
        .curator_type(&slug("mopr-badge"))
        .await
        .unwrap();
    let b = target
        .catalogue
        .curator_type(&slug("mopr-badge"))
        .await
        .unwrap();
    assert_eq!(a.names, b.names);
    assert_eq!(a.variants.len(), b.variants.len());
    let _ = Access::Private;
}
