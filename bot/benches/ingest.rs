//! The webhook ingest path without HTTP, one step at a time, on GitHub's real
//! `pull_request.opened` payload: signature check, payload parsing, and the
//! durable append (with and without the flush that makes it survive a crash).
//!
//! `cargo bench -p bosun --bench ingest`. Prints wall and CPU microseconds
//! per call (CPU from /proc, in 10 ms ticks: meaningful over many calls).

use bosun::ingress::github_payload::parse;
use bosun::ingress::signature::{sign_sha256, verify_sha256};
use bosun_reconciler::event::Event;
use bosun_reconciler::ids::DeliveryId;
use bosun_reconciler::store::{SledStore, Store};
use secrecy::SecretString;
use std::hint::black_box;
use std::time::Instant;

/// CPU time this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn per_call(label: &str, iterations: u32, mut step: impl FnMut(u32)) {
    for i in 0..iterations / 10 {
        step(u32::MAX - i);
    }
    let cpu = cpu_seconds();
    let started = Instant::now();
    for i in 0..iterations {
        step(i);
    }
    let calls = f64::from(iterations);
    let wall = started.elapsed().as_secs_f64() * 1e6 / calls;
    let cpu = (cpu_seconds() - cpu) * 1e6 / calls;
    println!("{label:<42} wall {wall:>8.2} µs   cpu {cpu:>8.2} µs");
}

fn main() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github/webhooks/pull_request.opened.json"
    ))
    .expect("fixture");
    let secrets = vec![SecretString::from("bench-secret")];
    let signature = sign_sha256("bench-secret", &body);
    println!("payload: {} bytes", body.len());

    per_call("verify X-Hub-Signature-256", 100_000, |_| {
        black_box(verify_sha256(&secrets, Some(signature.as_bytes()), &body)).ok();
    });
    per_call("parse payload into an event", 100_000, |_| {
        black_box(parse("pull_request", &body).ok());
    });
    let kind = parse("pull_request", &body).ok().flatten().expect("event");
    let keys = kind.keys();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SledStore::open(dir.path()).expect("store");
    per_call("append event + enqueue + flush (durable)", 5_000, |i| {
        let event = Event {
            delivery: DeliveryId::new("github", &format!("bench-{i}")).expect("id"),
            received_at: chrono::Utc::now(),
            kind: kind.clone(),
        };
        store.append_event(&event, &keys).expect("append");
    });
    let store = std::sync::Arc::new(store);
    for threads in [4_u32, 16] {
        let per_thread = 1_000;
        let cpu = cpu_seconds();
        let started = Instant::now();
        std::thread::scope(|scope| {
            for t in 0..threads {
                let store = &store;
                let kind = &kind;
                let keys = &keys;
                scope.spawn(move || {
                    for i in 0..per_thread {
                        let id = format!("concurrent-{threads}-{t}-{i}");
                        let event = Event {
                            delivery: DeliveryId::new("github", &id).expect("id"),
                            received_at: chrono::Utc::now(),
                            kind: kind.clone(),
                        };
                        store.append_event(&event, keys).expect("append");
                    }
                });
            }
        });
        let calls = f64::from(threads * per_thread);
        let wall = started.elapsed().as_secs_f64() * 1e6 / calls;
        let cpu = (cpu_seconds() - cpu) * 1e6 / calls;
        let label = format!("durable append, {threads} threads at once");
        println!("{label:<42} wall {wall:>8.2} µs   cpu {cpu:>8.2} µs");
    }
    per_call("append of a duplicate (no write)", 100_000, |i| {
        let event = Event {
            delivery: DeliveryId::new("github", &format!("bench-{}", i % 1000)).expect("id"),
            received_at: chrono::Utc::now(),
            kind: kind.clone(),
        };
        store.append_event(&event, &keys).expect("append");
    });
}
