//! A real Prometheus and a real Alertmanager on 127.0.0.1, each in its own
//! temporary directory, killed when dropped. `scripts/tools.sh` installs
//! both (Debian `prometheus` and `prometheus-alertmanager`).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

    /// Waits until `GET /-/ready` answers 200 (at most 30 s).
    pub async fn ready(&self) {
        let url = format!("http://{}/-/ready", self.address);
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{url} not ready within 30 s; log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
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

fn spawn(binary: &Path, args: &[String], dir: &Path, port: u16) -> Running {
    let log = std::fs::File::create(dir.join("log")).expect("log file");
    let child = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
    Running {
        child,
        address: SocketAddr::from(([127, 0, 0, 1], port)),
        dir: dir.to_owned(),
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
    spawn(&binary, &args, dir, port)
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
    spawn(&binary, &args, dir, port)
}
