//! Slash-command acknowledgement latency against a running `bosun serve`
//! (local mode over a temporary checkout whose `.bosun.yaml` gives the
//! bench user a role): rounds of 200 concurrent `/status` commands, each
//! signed as Slack signs it with its own `trigger_id`, timed from sending
//! to the acknowledgement. Each ack includes the signature check, reading
//! `.bosun.yaml`, parsing, the permission decision and the durable append.
//!
//! `cargo bench -p bosun --bench slack_ack` (ROUNDS=5 by default).
//! Prints p50, p99 and max over every request. Target: p99 < 50 ms.

use bosun::chat::slack::verify::sign;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "bench-slack-secret";
const CONCURRENT: usize = 200;

/// Blocks until `bosun serve` logs "bosun is ready" (on stdout or stderr),
/// then keeps draining both so it never blocks on a full pipe.
fn wait_until_ready(server: &mut std::process::Child) {
    use std::io::{BufRead, BufReader};
    let (tell, told) = std::sync::mpsc::channel();
    let pipes: Vec<Box<dyn std::io::Read + Send>> = vec![
        Box::new(server.stdout.take().expect("piped stdout")),
        Box::new(server.stderr.take().expect("piped stderr")),
    ];
    for pipe in pipes {
        let tell = tell.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if line.contains("bosun is ready") {
                    let _ = tell.send(());
                }
            }
        });
    }
    told.recv_timeout(Duration::from_secs(30))
        .expect("bosun serve did not become ready within 30 s");
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@bosun.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let work = tempfile::tempdir().expect("temp dir");
    let repo = work.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(
        repo.join(".bosun.yaml"),
        "roles:\n  sre:\n    slack_users: [U0BENCH]\n",
    )
    .unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "bench"]);
    let port = 18000 + (std::process::id() % 1000) as u16;
    let mut server = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(work.path().join("data"))
        .arg("--repo")
        .arg(&repo)
        .env("BOSUN_SLACK_SIGNING_SECRET", SECRET)
        // Quiet, but for the line that says it is ready.
        .env("BOSUN_LOG", "warn,bosun::serve=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bosun serve starts");
    wait_until_ready(&mut server);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENT)
        .build()
        .expect("client");
    let base = format!("http://127.0.0.1:{port}");
    let mut latencies = Vec::new();
    for round in 0..=rounds {
        let mut tasks = Vec::new();
        for i in 0..CONCURRENT {
            let client = client.clone();
            let url = format!("{base}/slack/commands");
            tasks.push(tokio::spawn(async move {
                let body = format!(
                    "team_id=T0&channel_id=C0BENCH&user_id=U0BENCH&command=%2Fstatus&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id={round}.{i}.bench"
                );
                let now = chrono::Utc::now().timestamp();
                let signature = sign(SECRET, now, body.as_bytes());
                let started = Instant::now();
                let response = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-slack-request-timestamp", now.to_string())
                    .header("x-slack-signature", signature)
                    .body(body)
                    .send()
                    .await
                    .expect("request");
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                let elapsed = started.elapsed();
                assert!(status.is_success() && text.contains("in_channel"), "{status} {text}");
                elapsed
            }));
        }
        for task in tasks {
            let elapsed = task.await.expect("request task");
            // Round 0 warms connections and caches.
            if round > 0 {
                latencies.push(elapsed);
            }
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    latencies.sort();
    println!(
        "slack slash-command ack, {} requests in rounds of {CONCURRENT} concurrent, {} cores: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}
