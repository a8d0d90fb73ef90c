//! `vitrina token create|list|revoke` through the real binary, on a fresh SQLite database.

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
        if let Some(text) = stdin
            && let Err(e) = input.write_all(text.as_bytes())
        {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn tokens_are_created_once_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, role) in [("anna", "owner"), ("boris", "viewer")] {
        let out = vitrina(d, &["user", "add", name, "--role", role], Some(PASSWORD));
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    let out = vitrina(
        d,
        &[
            "token", "create", "backup", "--user", "anna", "--scope", "write",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "the secret alone: {stdout:?}");
    let secret = lines[0];
    assert!(secret.starts_with("vt_") && secret.len() == 67, "{secret}");

    let out = vitrina(d, &["token", "list"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    assert!(listed.contains("anna") && listed.contains("backup") && listed.contains("write"));
    assert!(!listed.contains(secret), "never the secret");
    let id = listed.split('\t').next().unwrap().trim().to_owned();

    let out = vitrina(d, &["token", "list", "--user", "boris"], None);
    assert!(text(&out.stdout).contains("No tokens."));

    // A viewer's tokens can only read.
    let out = vitrina(
        d,
        &[
            "token", "create", "x", "--user", "boris", "--scope", "write",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("can only read"),
        "{}",
        text(&out.stderr)
    );

    let out = vitrina(d, &["token", "revoke", &id], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("Revoked token {id}")));
    let out = vitrina(d, &["token", "list"], None);
    assert!(text(&out.stdout).contains("No tokens."));
}

#[test]
fn bad_input_is_refused_with_a_message_and_the_readme_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = vitrina(
        d,
        &["user", "add", "anna", "--role", "owner"],
        Some(PASSWORD),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Usage: a bad scope is clap's error, exit 2.
    let out = vitrina(
        d,
        &["token", "create", "x", "--user", "anna", "--scope", "admin"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("read or write"),
        "{}",
        text(&out.stderr)
    );

    // Unknown user, unknown id, bad label: exit 1 with a message.
    for (args, says) in [
        (
            vec![
                "token", "create", "x", "--user", "nobody", "--scope", "read",
            ],
            "there is no user named \"nobody\"",
        ),
        (
            vec!["token", "list", "--user", "nobody"],
            "there is no user",
        ),
        (vec!["token", "revoke", "999"], "there is no token 999"),
        (
            vec!["token", "create", " ", "--user", "anna", "--scope", "read"],
            "label: this cannot be empty",
        ),
    ] {
        let out = vitrina(d, &args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stdout).is_empty(), "{args:?}");
    }
    let out = vitrina(d, &["token", "revoke", "abc"], None);
    assert_eq!(out.status.code(), Some(2));
}
