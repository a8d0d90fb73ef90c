//! `vitrina backup`, `restore` and `migrate`, as the binary: a backup made while the server
//! runs restores into a fresh data folder, a move to PostgreSQL and back keeps every public page
//! byte for byte, and a restore killed with SIGKILL half-way leaves the target as it was.
//!
//! The PostgreSQL database comes from [`vitrina_testkit::postgres`] (a unique name, dropped at
//! the end).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Server, run, vitrina};
use sha2::{Digest, Sha256};

/// Public pages in both languages: the home page, a category, types.
const PAGES: [&str; 8] = [
    "/",
    "/ru",
    "/categories/party-congress-badges",
    "/ru/categories/party-congress-badges",
    "/types/mopr-badge",
    "/ru/types/mopr-badge",
    "/types/nkvd-fireman-badge",
    "/ru/types/khalkhin-gol-1939",
];

/// The pages a server on `data` (and `extra` flags) answers, with their status.
fn pages(data: &Path, extra: &[&str]) -> Vec<(String, u16, String)> {
    let server = Server::start(data, extra);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let out = rt.block_on(async {
        let mut out = Vec::new();
        for path in PAGES {
            let response = reqwest::get(format!("{}{path}", server.base))
                .await
                .unwrap();
            let status = response.status().as_u16();
            out.push((path.to_owned(), status, response.text().await.unwrap()));
        }
        out
    });
    assert_eq!(server.terminate(), 0);
    out
}

fn assert_same_pages(before: &[(String, u16, String)], after: &[(String, u16, String)]) {
    for ((path, status, body), (_, status_after, body_after)) in before.iter().zip(after) {
        assert_eq!(*status, 200, "{path}");
        assert_eq!(status_after, status, "{path}");
        assert!(body == body_after, "{path} differs after the move");
    }
}

fn args(data: &Path, rest: &[&str]) -> std::process::Command {
    let mut cmd = vitrina();
    cmd.arg("--data").arg(data).args(rest);
    cmd
}

#[test]
fn a_backup_made_while_serving_restores_into_a_fresh_data_folder() {
    let source = tempfile::tempdir().unwrap();
    let target = tempfile::tempdir().unwrap();
    let archive = source.path().join("collection.zip");
    let (code, out) = run(&mut args(source.path(), &["demo", "load"]));
    assert_eq!(code, 0, "{out}");
    let before = pages(source.path(), &[]);

    // Backed up while the server serves the same folder.
    let server = Server::start(source.path(), &[]);
    let (code, out) = run(args(source.path(), &["backup", "--accounts"]).arg(&archive));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Backed up 8 badge types"), "{out}");
    assert_eq!(server.terminate(), 0);

    let (code, out) = run(args(target.path(), &["restore"]).arg(&archive));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Restored 8 badge types"), "{out}");
    assert_same_pages(&before, &pages(target.path(), &[]));

    // A second restore into the same folder is refused, and says how to replace.
    let (code, out) = run(args(target.path(), &["restore"]).arg(&archive));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("already holds")
            && out.contains("--replace")
            && out.contains("nothing was changed"),
        "{out}"
    );
    let (code, out) = run(args(target.path(), &["restore", "--replace"]).arg(&archive));
    assert_eq!(code, 0, "{out}");

    // A file that is not a backup is named as such.
    let junk = source.path().join("junk.zip");
    std::fs::write(&junk, b"not a zip").unwrap();
    let (code, out) = run(args(target.path(), &["restore"]).arg(&junk));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not a ZIP file"), "{out}");
}

#[test]
fn migrate_to_postgresql_and_back_keeps_every_public_page() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(vitrina_testkit::postgres::TestDatabase::create());
    let data = tempfile::tempdir().unwrap();
    let (code, out) = run(&mut args(data.path(), &["demo", "load"]));
    assert_eq!(code, 0, "{out}");
    let before = pages(data.path(), &[]);

    let (code, out) = run(&mut args(data.path(), &["migrate", "--to", db.url()]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Restored 8 badge types"), "{out}");
    assert_same_pages(&before, &pages(data.path(), &["--database", db.url()]));

    // Into a database that is not empty: refused.
    let (code, out) = run(&mut args(data.path(), &["migrate", "--to", db.url()]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("already holds"), "{out}");

    let back = format!("sqlite://{}", data.path().join("back.db").display());
    let (code, out) = run(&mut args(
        data.path(),
        &["--database", db.url(), "migrate", "--to", &back],
    ));
    assert_eq!(code, 0, "{out}");
    assert_same_pages(&before, &pages(data.path(), &["--database", &back]));
    drop(rt);
    drop(db);
}

/// A backup archive written by hand, as the format is documented: `n` minimal types, no
/// history, no originals.
fn big_archive(path: &Path, n: usize) {
    let mut types = Vec::new();
    for i in 1..=n {
        writeln!(
            types,
            r#"{{"id":{i},"slug":"generated-{i}","version":1,"names":{{"en":"Generated type {i}"}},"variants":[],"photos":[]}}"#
        )
        .unwrap();
    }
    let entries: Vec<(&str, Vec<u8>)> = vec![
        (
            "catalogue/collection.json",
            br#"{"title":{"en":"Generated"}}"#.to_vec(),
        ),
        ("catalogue/categories.jsonl", Vec::new()),
        ("catalogue/types.jsonl", types),
        ("history.jsonl", Vec::new()),
    ];
    let listed: Vec<serde_json::Value> = entries
        .iter()
        .map(|(name, bytes)| {
            let sha: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            serde_json::json!({"name": name, "size": bytes.len(), "sha256": sha})
        })
        .collect();
    let manifest = serde_json::json!({
        "format": "vitrina-backup",
        "format_version": 1,
        "vitrina_version": "0.1.0",
        "created_at": "2026-01-01T00:00:00Z",
        "engine": "sqlite",
        "accounts": false,
        "originals": false,
        "counts": {"categories": 0, "types": n, "revisions": 0, "users": 0, "tokens": 0, "originals": 0},
        "entries": listed,
    });
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in &entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("manifest.json", options).unwrap();
    zip.write_all(&serde_json::to_vec(&manifest).unwrap())
        .unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_restore_killed_half_way_leaves_the_target_as_it_was() {
    let target = tempfile::tempdir().unwrap();
    let archive = target.path().join("big.zip");
    big_archive(&archive, 60_000);
    let (code, out) = run(&mut args(target.path(), &["demo", "load"]));
    assert_eq!(code, 0, "{out}");
    let before = pages(target.path(), &[]);

    let mut child = args(target.path(), &["restore", "--replace"])
        .arg(&archive)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = String::new();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(120);
    // The types are being written: the transaction is open and the old types deleted in it.
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        seen.push_str(&line);
        seen.push('\n');
        if line.starts_with("Badge types") {
            break;
        }
    }
    assert!(seen.contains("Badge types"), "{seen}");
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(
        !exit.success(),
        "the restore finished before it was killed: make the archive larger"
    );

    assert_same_pages(&before, &pages(target.path(), &[]));
    // And the archive restores whole when nobody interrupts it.
    let (code, out) = run(args(target.path(), &["restore", "--replace"]).arg(&archive));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Restored 60000 badge types"), "{out}");
}
