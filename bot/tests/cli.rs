//! The `bosun` binary as a person runs it: one-shot commands against a real
//! git checkout, `bosun serve` in local mode, `bosun send` and `bosun audit`.

#[path = "support/git_cli.rs"]
mod git_cli;

use git_cli::{bosun, git, stdout};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A checkout whose `.bosun.yaml` makes `alice` a platform engineer.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(
        dir.path().join(".bosun.yaml"),
        "roles:\n  platform:\n    local_users: [alice]\n",
    )
    .unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    dir
}

/// Copies the project's `flux-config/` into the checkout and commits it.
fn with_flux_config(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../flux-config");
    copy(&source, &dir.join("flux-config"));
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "flux-config"]);
}

#[test]
fn promote_dry_run_prints_the_change_table_and_changes_nothing() {
    let dir = checkout();
    with_flux_config(dir.path());
    let output = bosun(dir.path(), "bob", &["promote", "stg", "prd", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("(dry run: nothing was changed)"), "{text}");
    assert!(
        text.contains("| qdrant | chart | `1.15.4` | `1.16.0` |"),
        "{text}"
    );
    let branches = Command::new("git")
        .args(["branch", "--list", "bosun/*"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(branches.stdout.is_empty(), "a dry run creates no branch");
}

#[test]
fn promote_in_local_mode_creates_the_branch_and_a_local_pull_request() {
    let dir = checkout();
    with_flux_config(dir.path());
    let output = bosun(dir.path(), "alice", &["promote", "stg", "prd", "qdrant"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        stdout(&output).contains("Opened promotion pull request #1"),
        "{output:?}"
    );
    let diff = Command::new("git")
        .args([
            "diff",
            "main",
            "bosun/promote/stg-to-prd",
            "--unified=0",
            "--no-color",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&diff.stdout).into_owned();
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        ["-      version: 1.15.4", "+      version: 1.16.0"],
        "{diff}"
    );
    let status = bosun(dir.path(), "alice", &["status"]);
    assert!(
        stdout(&status).contains("Open pull requests watched: 1."),
        "{status:?}"
    );
}

#[test]
fn the_same_words_are_refused_or_allowed_as_in_chat() {
    let dir = checkout();
    let refused = bosun(dir.path(), "bob", &["lock", "prd", "release", "weekend"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stdout(&refused).contains("`platform` or `sre` role"),
        "{refused:?}"
    );

    let locked = bosun(dir.path(), "alice", &["lock", "prd", "release", "weekend"]);
    assert_eq!(locked.status.code(), Some(0), "{locked:?}");
    let status = bosun(dir.path(), "bob", &["status", "prod"]);
    assert_eq!(status.status.code(), Some(0));
    assert!(
        stdout(&status).contains("locked by cli:alice"),
        "{status:?}"
    );

    let invalid = bosun(dir.path(), "alice", &["promote", "stg", "prdd"]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(stdout(&invalid).contains("`prd`"), "{invalid:?}");
}

#[test]
fn the_audit_log_lists_every_command_with_its_decision() {
    let dir = checkout();
    bosun(dir.path(), "bob", &["unlock", "prd"]);
    bosun(dir.path(), "alice", &["help", "lock"]);
    let output = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["audit", "--json", "--since", "1h", "--data-dir"])
        .arg(dir.path().join(".bosun"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let entries: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["who"]["id"], "bob");
    assert_eq!(entries[0]["decision"]["decision"], "refused");
    assert_eq!(entries[1]["text"], "/help lock");
    assert_eq!(entries[1]["outcome"]["result"], "succeeded");
}

#[test]
fn a_bad_setting_stops_start_up_and_names_it() {
    let dir = checkout();
    let output = bosun(dir.path(), "alice", &["serve", "--workers", "0"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("BOSUN_WORKERS"), "{stderr}");
}

/// `bosun serve` on a free port; returns the child and its address.
fn serve(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["serve", "--listen", "127.0.0.1:0", "--repo"])
        .arg(dir)
        .arg("--data-dir")
        .arg(dir.join(".bosun"))
        .env("BOSUN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.trim()
                .strip_prefix("status:  http://")
                .map(|rest| rest.trim_end_matches("/api/v1/status").to_owned())
        })
        .expect("serve prints its status address");
    // Keep reading what it prints, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    (child, format!("http://{address}"))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn send_asks_a_running_local_server_and_audit_reads_through_it() {
    let dir = checkout();
    let (child, address) = serve(dir.path());
    let _server = Server(child);
    let send = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["send", "/status", "--server", &address, "--data-dir"])
        .arg(dir.path().join(".bosun"))
        .env("USER", "alice")
        .output()
        .unwrap();
    assert!(send.status.success(), "{send:?}");
    assert!(stdout(&send).contains("**Status of `local/"), "{send:?}");

    // The server holds the store, so audit asks it.
    let audit = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["audit", "--json", "--server", &address, "--data-dir"])
        .arg(dir.path().join(".bosun"))
        .output()
        .unwrap();
    assert!(audit.status.success(), "{audit:?}");
    let entries: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    assert_eq!(entries[0]["who"]["frontend"], "local_chat");
    assert_eq!(entries[0]["text"], "/status");

    // A one-shot command cannot open the store the server holds, and says why.
    let blocked = bosun(dir.path(), "alice", &["status"]);
    assert_eq!(blocked.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&blocked.stderr);
    assert!(stderr.contains("bosun send"), "{stderr}");
}

/// `GET /healthz` over a plain socket; `None` while nothing answers.
fn healthz(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

#[test]
fn serve_keeps_running_when_its_output_is_closed() {
    let dir = checkout();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // A pipe nobody reads: every line bosun prints meets a closed pipe.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--repo"])
        .arg(dir.path())
        .arg("--data-dir")
        .arg(dir.path().join(".bosun"))
        .env("BOSUN_LOG", "info")
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The log on standard error says when it is ready (after the banner).
    let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = log
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("bosun is ready"));
    std::thread::spawn(move || log.for_each(drop));
    let mut server = Server(child);
    assert!(ready, "bosun serve never logged that it is ready");
    let answer = healthz(port).expect("bosun serve answers /healthz");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(server.0.try_wait().unwrap().is_none(), "still running");
}
