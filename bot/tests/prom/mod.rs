//! A real Prometheus for tests: a generated OpenMetrics dataset is backfilled
//! into a fresh TSDB with `promtool tsdb create-blocks-from openmetrics`, and
//! `prometheus` serves it on 127.0.0.1 (no scraping). Both binaries come from
//! Debian's `prometheus` package, installed by `scripts/tools.sh`.
//!
//! Backfilled blocks carry no staleness markers, so a series that stopped
//! would stay visible for the default 5-minute lookback. A live Prometheus
//! marks a vanished series stale at the next scrape; to behave the same with
//! the dataset's 60-second samples, the server runs with a lookback just
//! under one sample interval (`--query.lookback-delta=59s`).

pub mod dataset;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prometheus, stopped when dropped.
pub struct Prometheus {
    child: Child,
    /// Its API base URL.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tool(name: &str) -> String {
    let found = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "`{name}` is not on PATH: run `source scripts/tools.sh && install_test_tools` (it installs Debian's prometheus package binaries), or run the tests with scripts/test"
    );
    name.to_owned()
}

fn backfill(openmetrics: &str, dir: &Path) -> std::path::PathBuf {
    let input = dir.join("dataset.om");
    std::fs::write(&input, openmetrics).unwrap();
    let tsdb = dir.join("tsdb");
    let output = Command::new(tool("promtool"))
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&tsdb)
        .output()
        .expect("promtool runs");
    assert!(
        output.status.success(),
        "promtool could not backfill: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    tsdb
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Prometheus {
    /// Backfills `openmetrics` and starts Prometheus on it; returns once
    /// Prometheus says it is ready.
    pub fn start(openmetrics: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tsdb = backfill(openmetrics, dir.path());
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, "scrape_configs: []\n").unwrap();
        let port = free_port();
        let mut child = Command::new(tool("prometheus"))
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", tsdb.display()))
            .arg("--storage.tsdb.retention.time=3650d")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--query.lookback-delta=59s")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("prometheus starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut log = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let ready = line.contains("Server is ready to receive web requests");
                log.push(line);
                if ready {
                    let _ = tx.send(Ok(()));
                    // Keep draining so Prometheus never blocks on a full pipe.
                    continue;
                }
            }
            let _ = tx.send(Err(log.join("\n")));
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        match rx.recv_timeout(deadline - Instant::now()) {
            Ok(Ok(())) => {}
            Ok(Err(log)) => panic!("prometheus stopped before it was ready:\n{log}"),
            Err(_) => panic!("prometheus was not ready within 120 s"),
        }
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }
}
