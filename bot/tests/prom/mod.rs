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

#[path = "../support/monitoring.rs"]
mod monitoring;

use monitoring::{PROMETHEUS_READY, Running, free_port, tool};
use std::path::Path;
use std::process::Command;

/// A running Prometheus, stopped when dropped.
pub struct Prometheus {
    _server: Running,
    /// Its API base URL.
    pub url: String,
    _dir: tempfile::TempDir,
}

fn backfill(openmetrics: &str, dir: &Path) -> std::path::PathBuf {
    let input = dir.join("dataset.om");
    std::fs::write(&input, openmetrics).unwrap();
    let tsdb = dir.join("tsdb");
    let output = Command::new(tool(&["promtool"]))
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&tsdb)
        .output()
        .expect("promtool runs");
    assert!(
        output.status.success(),
        "promtool could not backfill into {}: {}\n(promtool preallocates \
         512 MiB chunk segments while writing, so the temporary directory \
         needs that much free space)",
        tsdb.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    tsdb
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
        let args = vec![
            format!("--config.file={}", config.display()),
            format!("--storage.tsdb.path={}", tsdb.display()),
            "--storage.tsdb.retention.time=3650d".to_owned(),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--query.lookback-delta=59s".to_owned(),
        ];
        let server = monitoring::start(
            &tool(&["prometheus"]),
            &args,
            dir.path(),
            port,
            PROMETHEUS_READY,
        );
        server.wait_ready();
        Self {
            _server: server,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }
}
