//! `vitrina import` and `vitrina export`, the binary itself: a dry run writes nothing, a file
//! with a problem is refused whole (exit 1) unless `--partial`, an export imported into a new
//! data folder exports again to the same bytes, bad flags are usage errors, and a `kill -9`
//! in the middle of an import's write leaves the catalogue as it was.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{run, vitrina};

fn export(data: &Path, format: &str) -> Vec<u8> {
    let out = vitrina()
        .args(["export", "-", "--format", format, "--private", "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn demo(data: &Path) {
    let (code, text) = run(vitrina().args(["demo", "load", "--data"]).arg(data));
    assert_eq!(code, 0, "{text}");
}

const SHEET: &str = "\
title_en,title_ru,year_established,materials,condition,inventory
Stakhanovite badge,Знак «Стахановец»,1935,silver; enamel,very fine,S-1
Excellent miner,Отличник соцсоревнования,1947,brass,fine,S-2
";

#[test]
fn a_dry_run_writes_nothing_and_an_import_writes_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let file = dir.path().join("sheet.csv");
    std::fs::write(&file, SHEET).unwrap();
    let before = export(dir.path(), "json");
    let (code, text) = run(vitrina()
        .args(["import", "--dry-run", "--data"])
        .arg(dir.path())
        .arg(&file));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("2 to create"), "{text}");
    assert!(text.contains("Dry run"), "{text}");
    assert_eq!(
        export(dir.path(), "json"),
        before,
        "a dry run writes nothing"
    );

    let report = dir.path().join("report.json");
    let (code, text) = run(vitrina()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg("--report")
        .arg(&report)
        .arg(&file));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("2 created"), "{text}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["counts"]["create"], 2);
    let csv = String::from_utf8(export(dir.path(), "csv")).unwrap();
    assert!(csv.contains("Знак «Стахановец»"), "{csv}");
    // The same file again changes nothing.
    let (code, text) = run(vitrina()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(&file));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("2 unchanged"), "{text}");
}

#[test]
fn a_file_with_a_problem_is_refused_whole_with_exit_1_unless_partial() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "title_en,year_established\nGood,1938\nBad,13.13.1938\n",
    )
    .unwrap();
    let (code, text) = run(vitrina()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(&file));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("line 3"), "names the line: {text}");
    assert!(text.contains("Nothing was written"), "{text}");
    let (code, text) = run(vitrina()
        .args(["import", "--partial", "--data"])
        .arg(dir.path())
        .arg(&file));
    assert_eq!(code, 1, "something was refused: {text}");
    assert!(text.contains("1 created"), "{text}");
}

#[test]
fn an_export_imported_into_a_new_folder_exports_the_same_bytes() {
    let source = tempfile::tempdir().unwrap();
    demo(source.path());
    for format in ["csv", "excel", "json"] {
        let first = export(source.path(), format);
        let target = tempfile::tempdir().unwrap();
        let file = target.path().join(format!("export.{format}.csv"));
        std::fs::write(&file, &first).unwrap();
        let (code, text) = run(vitrina()
            .args(["import", "--data"])
            .arg(target.path())
            .arg(&file));
        assert_eq!(code, 0, "{format}: {text}");
        assert!(
            export(target.path(), format) == first,
            "{format}: the second export differs"
        );
    }
}

#[test]
fn bad_flags_and_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = run(vitrina().args(["import", "x.csv", "--mode", "merge"]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("create, upsert or replace"), "{text}");
    let (code, text) = run(vitrina().args(["import", "x.csv", "--delimiter", "::"]));
    assert_eq!(code, 2, "{text}");
    let (code, text) = run(vitrina()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(dir.path().join("missing.csv")));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("missing.csv"), "{text}");
    let binary = dir.path().join("garbage.bin");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 255, 1, 2, 3]).unwrap();
    let (code, text) = run(vitrina()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(&binary));
    assert_eq!(code, 1, "{text}");
    let (code, text) = run(vitrina()
        .args(["import", "--encoding", "ebcdic", "--data"])
        .arg(dir.path())
        .arg(&binary));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("ebcdic"), "{text}");
    let (code, text) = run(vitrina().args(["export", "-", "--format", "pdf"]));
    assert_eq!(code, 2, "{text}");
}

/// A sheet of `rows` distinct badges, large enough that writing it takes a while.
fn big_sheet(rows: usize) -> String {
    let mut s = String::from("title_en,title_ru,year_established,materials,description\n");
    for i in 0..rows {
        s.push_str(&format!(
            "Badge number {i},Знак номер {i},{},silver,\"A long enough description of badge {i}, \
             so that every row weighs something in the database.\"\n",
            1920 + i % 70
        ));
    }
    s
}

#[test]
fn a_kill_in_the_middle_of_an_import_leaves_the_catalogue_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let before = export(dir.path(), "json");
    let file = dir.path().join("big.csv");
    std::fs::write(&file, big_sheet(40_000)).unwrap();
    let wal = dir.path().join("vitrina.db-wal");
    let base = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let mut child = vitrina()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The write transaction has begun once the write-ahead log grows by megabytes.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut in_the_middle = false;
    while Instant::now() < deadline {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size > base + (4 << 20) {
            in_the_middle = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(
        in_the_middle,
        "the import ended ({status}) before its write could be caught"
    );
    assert_eq!(
        export(dir.path(), "json"),
        before,
        "the catalogue is as it was before the import"
    );
    // And the store is not left locked: a small import goes through.
    let small = dir.path().join("small.csv");
    std::fs::write(&small, SHEET).unwrap();
    let (code, text) = run(vitrina()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(&small));
    assert_eq!(code, 0, "{text}");
}
