//! `kill -9` right after bosun acknowledged deliveries, then a restart over
//! the same data directory: every acknowledged delivery must still be known
//! (a redelivery is answered `duplicate`), so none was lost.
//!
//! This fails if bosun ever answers before the event is stored. It does not
//! tell an fsync'd store from one whose writes merely reached the operating
//! system (both survive `kill -9`; only power loss, which cannot be staged
//! here, tells them apart): on this machine it also passed with the flush
//! removed.

#[path = "support/git_cli.rs"]
mod git_cli;

use bosun::ingress::signature::sign_sha256;
use git_cli::git;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

const SECRET: &str = "kill9-secret";

fn start(repo: &Path, data: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--repo"])
        .arg(repo)
        .arg("--data-dir")
        .arg(data)
        .env("BOSUN_GITHUB_WEBHOOK_SECRET", SECRET)
        .env("BOSUN_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = log
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("bosun is ready"));
    assert!(ready, "bosun serve did not become ready");
    std::thread::spawn(move || log.for_each(drop));
    child
}

/// Posts one signed delivery; returns the HTTP status line's code.
fn post(port: u16, delivery: &str, body: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!(
        "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\
         X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: {delivery}\r\nX-Hub-Signature-256: {}\r\n\
         Content-Length: {}\r\n\r\n",
        sign_sha256(SECRET, body),
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn every_acknowledged_delivery_survives_kill_9() {
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| git(repo.path(), args);
    git(&["init", "-q", "-b", "main"]);
    git(&["commit", "-q", "--allow-empty", "-m", "init"]);
    let data = tempfile::tempdir().unwrap();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github/webhooks/pull_request.opened.json"
    ))
    .unwrap();

    let port = free_port();
    let mut first = start(repo.path(), data.path(), port);
    let deliveries: Vec<String> = (0..50).map(|i| format!("kill9-{i}")).collect();
    for delivery in &deliveries {
        assert_eq!(post(port, delivery, &body), 202, "{delivery} accepted");
    }
    // SIGKILL: no shutdown, no flush on exit.
    first.kill().unwrap();
    first.wait().unwrap();

    let port = free_port();
    let mut second = start(repo.path(), data.path(), port);
    for delivery in &deliveries {
        assert_eq!(
            post(port, delivery, &body),
            200,
            "{delivery} was remembered"
        );
    }
    assert_eq!(
        post(port, "kill9-new", &body),
        202,
        "a new delivery is still new"
    );
    second.kill().unwrap();
    second.wait().unwrap();
}
