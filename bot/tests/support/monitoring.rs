//! A real Prometheus and a real Alertmanager on 127.0.0.1, each in its own
//! temporary directory, killed when dropped. `scripts/tools.sh` installs
//! both (Debian `prometheus` and `prometheus-alertmanager`). A process is
//! ready when it logs so (read from its stderr, which is also kept in
//! `<dir>/log`): no polling.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

/// The line Prometheus logs once it serves its API.
pub const PROMETHEUS_READY: &str = "Server is ready to receive web requests";
/// The line Alertmanager logs once its listener is bound (after its configuration loaded).
pub const ALERTMANAGER_READY: &str = "msg=\"Listening on\"";
/// How long a process may take to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(120);

/// The first of `names` found on `PATH`, or a panic naming `scripts/tools.sh`.
pub fn tool(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "none of {names:?} is on PATH: run `source scripts/tools.sh && install_test_tools` \
         (or scripts/test), which installs Prometheus and Alertmanager"
    );
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A running process, killed when dropped.
pub struct Running {
    child: Child,
    /// Where it listens.
    pub address: SocketAddr,
    /// Its working directory (configuration, data, log).
    pub dir: PathBuf,
    /// Told once the process logged its ready line, or that it ended first;
    /// taken by the first wait.
    ready: Mutex<Option<mpsc::Receiver<bool>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// Waits (without blocking the runtime) until the process logged its
    /// ready line; panics with its log if it ended first or took too long.
    pub async fn ready(&self) {
        let Some(told) = self.take_ready() else {
            return;
        };
        let outcome = tokio::task::spawn_blocking(move || told.recv_timeout(READY_WITHIN))
            .await
            .expect("the ready wait runs");
        self.judge(outcome);
    }

    /// [`Running::ready`] for callers that are not async.
    pub fn wait_ready(&self) {
        if let Some(told) = self.take_ready() {
            let outcome = told.recv_timeout(READY_WITHIN);
            self.judge(outcome);
        }
    }

    fn take_ready(&self) -> Option<mpsc::Receiver<bool>> {
        self.ready
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    fn judge(&self, outcome: Result<bool, mpsc::RecvTimeoutError>) {
        match outcome {
            Ok(true) => {}
            Ok(false) | Err(mpsc::RecvTimeoutError::Disconnected) => panic!(
                "{} stopped before it was ready; log:\n{}",
                self.address,
                self.log()
            ),
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "{} was not ready within {READY_WITHIN:?}; log:\n{}",
                self.address,
                self.log()
            ),
        }
    }

    /// Asks the process to read its configuration again (`POST /-/reload`).
    pub async fn reload(&self) {
        let url = format!("http://{}/-/reload", self.address);
        let response = reqwest::Client::new()
            .post(&url)
            .send()
            .await
            .expect("reload");
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
    }
}

/// Starts `binary` with `args` in `dir`, listening on `port`; it is ready
/// once a line of its stderr contains `ready_line` (see [`Running::ready`]).
pub fn start(
    binary: &Path,
    args: &[String],
    dir: &Path,
    port: u16,
    ready_line: &'static str,
) -> Running {
    let mut log = std::fs::File::create(dir.join("log")).expect("log file");
    let mut child = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tell, told) = mpsc::channel();
    std::thread::spawn(move || {
        let mut ready = false;
        // Read to the end, so the process never blocks on a full pipe.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = writeln!(log, "{line}");
            if !ready && line.contains(ready_line) {
                ready = true;
                let _ = tell.send(true);
            }
        }
        let _ = tell.send(false);
    });
    Running {
        child,
        address: SocketAddr::from(([127, 0, 0, 1], port)),
        dir: dir.to_owned(),
        ready: Mutex::new(Some(told)),
    }
}

/// Starts Alertmanager in `dir` with `config` (YAML).
pub fn alertmanager(dir: &Path, config: &str) -> Running {
    let binary = tool(&["prometheus-alertmanager", "alertmanager"]);
    std::fs::write(dir.join("alertmanager.yml"), config).expect("config");
    let port = free_port();
    let args = vec![
        "--config.file=alertmanager.yml".to_owned(),
        "--storage.path=data".to_owned(),
        format!("--web.listen-address=127.0.0.1:{port}"),
        // A single instance: no gossip port.
        "--cluster.listen-address=".to_owned(),
    ];
    start(&binary, &args, dir, port, ALERTMANAGER_READY)
}

/// Starts Prometheus in `dir` with `config` and a rule file `rules.yml`
/// holding `rules` (both YAML); `/-/reload` is enabled.
pub fn prometheus(dir: &Path, config: &str, rules: &str) -> Running {
    let binary = tool(&["prometheus"]);
    std::fs::write(dir.join("prometheus.yml"), config).expect("config");
    std::fs::write(dir.join("rules.yml"), rules).expect("rules");
    let port = free_port();
    let args = vec![
        "--config.file=prometheus.yml".to_owned(),
        "--storage.tsdb.path=data".to_owned(),
        format!("--web.listen-address=127.0.0.1:{port}"),
        "--web.enable-lifecycle".to_owned(),
        // Alerts evaluated before Alertmanager is discovered are dropped;
        // resend every second instead of every minute.
        "--rules.alert.resend-delay=1s".to_owned(),
    ];
    start(&binary, &args, dir, port, PROMETHEUS_READY)
}
