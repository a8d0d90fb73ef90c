//! `vitrina user add|list|passwd` through the real binary, on a fresh SQLite database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "correct horse battery";

fn vitrina(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vitrina"))
        .args(args)
        .arg("--data")
        .arg(dir)
        .env_remove("VITRINA_CONFIG")
        .env_remove("VITRINA_DATABASE_URL")
        .env_remove("VITRINA_DATA_DIR")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vitrina");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            // a refused command may exit before it reads stdin: a broken pipe is not a failure
            if let Err(e) = input.write_all(text.as_bytes()) {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
            }
        }
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn users_are_added_listed_and_given_new_passwords_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let out = vitrina(
        d,
        &["user", "add", "anna", "--role", "owner", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Added anna (owner)"));
    let out = vitrina(d, &["user", "list"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("vitrina.db"),
        "says where it looked"
    );
    assert!(text(&out.stdout).contains("anna"));

    // Not a terminal: stdin is read even without the flag.
    let out = vitrina(
        d,
        &["user", "add", "Борис", "--role", "viewer"],
        Some(PASSWORD),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = vitrina(d, &["user", "list"], None);
    let listed = text(&out.stdout);
    assert!(listed.contains("anna\towner"), "{listed}");
    assert!(listed.contains("Борис\tviewer"), "{listed}");

    // The stored password is an argon2id hash of what was piped in, not the password.
    let db = std::fs::read(d.join("vitrina.db")).unwrap();
    let db = String::from_utf8_lossy(&db);
    assert!(db.contains("$argon2id$"));
    assert!(!db.contains(PASSWORD));

    let out = vitrina(
        d,
        &["user", "passwd", "anna", "--password-stdin"],
        Some("another good password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Set the password of anna"));
}

#[test]
fn bad_names_roles_and_passwords_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let long = "x".repeat(65);
    let huge = "p".repeat(5000);
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["user", "add", "anna", "--role", "emperor"],
            PASSWORD,
            "unknown role",
        ),
        (&["user", "add", "anna"], PASSWORD, "--role"),
        (
            &["user", "add", &long, "--role", "owner"],
            PASSWORD,
            "at most 64 characters",
        ),
        (
            &["user", "add", " anna", "--role", "owner"],
            PASSWORD,
            "no spaces",
        ),
        (
            &["user", "add", "anna", "--role", "owner"],
            "short\n",
            "at least 10 characters",
        ),
        (
            &["user", "add", "anna", "--role", "owner"],
            "",
            "at least 10 characters",
        ),
        (
            &["user", "add", "anna", "--role", "owner"],
            &huge,
            "at most 1024 bytes",
        ),
        (&["user", "passwd", "nobody"], PASSWORD, "no user named"),
    ];
    for (args, stdin, message) in cases {
        let out = vitrina(d, args, Some(stdin));
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = text(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let out = vitrina(d, &["user", "list"], None);
    assert!(
        text(&out.stdout).contains("No users yet"),
        "nothing was half-added"
    );

    let ok = vitrina(
        d,
        &["user", "add", "anna", "--role", "owner"],
        Some(PASSWORD),
    );
    assert!(ok.status.success());
    let again = vitrina(
        d,
        &["user", "add", "anna", "--role", "editor"],
        Some(PASSWORD),
    );
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"));
}

/// `vitrina serve` on a new instance logs a one-time set-up link; opening it makes the owner.
#[tokio::test]
async fn a_new_instance_logs_a_setup_link_that_creates_the_owner() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vitrina"))
        .args(["serve", "--listen", "127.0.0.1:0", "--no-demo", "--data"])
        .arg(dir.path())
        .env_remove("VITRINA_CONFIG")
        .env_remove("VITRINA_DATABASE_URL")
        .env_remove("VITRINA_DATA_DIR")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The link comes right after "listening on"; if the server exits first, the channel closes.
    let mut seen = String::new();
    let link = loop {
        let Ok(line) = rx.recv() else {
            let _ = child.kill();
            panic!("no set-up link was logged:\n{seen}");
        };
        seen.push_str(&line);
        seen.push('\n');
        if let Some(i) = line.find("http://") {
            let rest = &line[i..];
            if rest.contains("/admin/setup/") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        }
    };
    assert!(seen.contains("WARN"), "logged as a warning:\n{seen}");
    std::thread::spawn(move || while rx.recv().is_ok() {});

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(client.get(&link).send().await.unwrap().status(), 200);
    let res = client
        .post(&link)
        .form(&[
            ("name", "anna"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(client.get(&link).send().await.unwrap().status(), 404);
    let _ = child.kill();
    let _ = child.wait();

    let out = vitrina(dir.path(), &["user", "list"], None);
    assert!(
        text(&out.stdout).contains("anna\towner"),
        "{}",
        text(&out.stdout)
    );
}

/// Regression: `vitrina user list` run from a folder without data (or with a mistyped
/// `--data`) silently created an empty `./vitrina-data` and answered "No users yet". Commands
/// that work on an existing collection now refuse, say where they looked, and create nothing.
#[test]
fn a_command_that_only_reads_refuses_a_missing_data_folder_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-collection");
    for args in [
        vec!["user", "list"],
        vec!["user", "passwd", "anna", "--password-stdin"],
        vec!["token", "list"],
        vec![
            "token", "create", "backup", "--user", "anna", "--scope", "read",
        ],
        vec!["token", "revoke", "1"],
    ] {
        let child = Command::new(env!("CARGO_BIN_EXE_vitrina"))
            .args(&args)
            .arg("--data")
            .arg(&missing)
            .env_remove("VITRINA_CONFIG")
            .env_remove("VITRINA_DATABASE_URL")
            .env_remove("VITRINA_DATA_DIR")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run vitrina");
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "{args:?} succeeded without data");
        let err = text(&out.stderr);
        assert!(
            err.contains("no-such-collection"),
            "{args:?} does not say where it looked: {err}"
        );
        assert!(err.contains("nothing was created"), "{args:?}: {err}");
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
        assert!(
            !dir.path().join("vitrina-data").exists(),
            "{args:?} created ./vitrina-data"
        );
    }
}
