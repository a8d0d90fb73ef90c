//! Helpers shared by the binary's tests: run `vitrina`, start `vitrina serve` on a free port.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn vitrina() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vitrina"));
    // a clean environment: no stray VITRINA_* from the developer's shell
    for (k, _) in std::env::vars() {
        if k.starts_with("VITRINA_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

pub fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("run vitrina");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A running `vitrina serve` on a free port; killed on drop.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data: &std::path::Path, extra: &[&str]) -> Server {
        let mut child = vitrina()
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn vitrina serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = String::new();
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                seen.push_str(&line);
                seen.push('\n');
                if let Some(i) = line.find("listening on http://") {
                    let addr = line[i + "listening on http://".len()..].trim().to_owned();
                    // keep draining stderr so the child never blocks on a full pipe
                    std::thread::spawn(move || while rx.recv().is_ok() {});
                    return Server {
                        child,
                        base: format!("http://{addr}"),
                    };
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("vitrina serve exited early ({status}):\n{seen}");
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("vitrina serve did not start in time:\n{seen}");
    }

    pub fn terminate(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("vitrina did not stop on SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
