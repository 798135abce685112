//! End to end: Alertmanager notifications through the real router, engine
//! and store, summarised into one thread per alert group. The first test
//! runs a REAL Prometheus whose rule fires, and a REAL Alertmanager whose
//! webhook receiver points at bosun.

mod support;

use axum::http::StatusCode;
use bosun_reconciler::ports::notify::{Notice, Tone};
use serde_json::{Value, json};
use std::time::Duration;
use support::github::GitHubFake;
use support::harness::{ALERTMANAGER_TOKEN, Harness};
use support::monitoring;

/// The `GpuHot` rule of prd (one group) with this expression.
fn gpu_hot_rule(expr: &str) -> String {
    format!(
        r#"
groups:
  - name: gpu
    interval: 1s
    rules:
      - alert: GpuHot
        expr: {expr}
        for: 0s
        labels:
          env: prd
          severity: warning
        annotations:
          summary: "GPU {{{{ $labels.gpu }}}} is hot"
"#
    )
}

/// Three GPUs hot in prd: three alerts of one group.
fn firing_rule() -> String {
    gpu_hot_rule(
        r#">-
          label_replace(vector(1), "gpu", "0", "", "")
          or label_replace(vector(1), "gpu", "1", "", "")
          or label_replace(vector(1), "gpu", "2", "", "")"#,
    )
}

/// The same rule (same name and labels, so Prometheus keeps its state
/// across the reload), no longer holding.
fn resolved_rule() -> String {
    gpu_hot_rule("vector(1) < 0")
}

fn alertmanager_config(bosun: std::net::SocketAddr, token: &str) -> String {
    // The receiver lists bosun twice: every notification arrives twice,
    // as a retried delivery would, and must count once.
    let hook = format!(
        r#"      - url: http://{bosun}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: {token}
"#
    );
    format!(
        r#"route:
  receiver: bosun
  group_by: [alertname, env]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: bosun
    webhook_configs:
{hook}{hook}"#
    )
}

fn prometheus_config(alertmanager: std::net::SocketAddr) -> String {
    format!(
        r#"global:
  evaluation_interval: 1s
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["{alertmanager}"]
"#
    )
}

/// Waits (at most `secs`) until the thread's notices satisfy `done`; woken
/// by each notice bosun accepts.
async fn until(
    h: &Harness,
    thread: &str,
    secs: u64,
    done: impl Fn(&[Notice]) -> bool,
    logs: impl Fn() -> String,
) -> Vec<Notice> {
    let notices = &h.bosun().notices;
    match tokio::time::timeout(Duration::from_secs(secs), notices.wait_for(thread, done)).await {
        Ok(notices) => notices,
        Err(_) => panic!(
            "thread {thread} did not get there within {secs} s: {:#?}\n{}",
            notices.thread(thread),
            logs()
        ),
    }
}

/// The sum of the samples whose line starts with `line_start`.
fn metric(h: &Harness, line_start: &str) -> f64 {
    h.metrics()
        .lines()
        .filter(|l| l.starts_with(line_start))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_alertmanager_fed_by_a_real_rule_makes_one_thread_updated_when_it_resolves() {
    let h = Harness::new(GitHubFake::start().await).await;
    h.start();
    let bosun = h.serve_http().await;
    let am_dir = tempfile::tempdir().unwrap();
    let prom_dir = tempfile::tempdir().unwrap();
    let am = monitoring::alertmanager(
        am_dir.path(),
        &alertmanager_config(bosun, ALERTMANAGER_TOKEN),
    );
    am.ready().await;
    let prom = monitoring::prometheus(
        prom_dir.path(),
        &prometheus_config(am.address),
        &firing_rule(),
    );
    prom.ready().await;
    let logs = || format!("alertmanager:\n{}\nprometheus:\n{}", am.log(), prom.log());

    let thread = "alert:prd:GpuHot";
    let firing = until(&h, thread, 60, |n| !n.is_empty(), logs).await;
    let first = &firing[0];
    assert_eq!(
        first.headline, "Firing: GpuHot in prd (3 of 3 alerts)",
        "{first:#?}"
    );
    assert_eq!(first.tone, Tone::Warning);
    for gpu in 0..3 {
        assert!(
            first.body.contains(&format!("GPU {gpu} is hot")),
            "{}",
            first.body
        );
    }

    // The rule stops holding: Prometheus resolves its alerts at once.
    std::fs::write(prom.dir.join("rules.yml"), resolved_rule()).unwrap();
    prom.reload().await;
    let resolved = until(
        &h,
        thread,
        60,
        |n| n.last().is_some_and(|n| n.headline.starts_with("Resolved")),
        logs,
    )
    .await;
    h.settle().await;
    let last = resolved.last().unwrap();
    assert!(
        last.headline
            .starts_with("Resolved: GpuHot in prd (lasted "),
        "{last:#?}"
    );
    assert_eq!(last.tone, Tone::Success);
    assert!(
        last.reply
            .as_deref()
            .is_some_and(|r| r.contains("3 alerts resolved")),
        "{last:#?}"
    );

    // One thread for the whole group, nothing else told, each step once.
    let all = h.bosun().notices.notices();
    assert!(all.iter().all(|n| n.thread == thread), "{all:#?}");
    let ids: std::collections::BTreeSet<_> = all.iter().map(|n| &n.id).collect();
    assert_eq!(ids.len(), all.len());
    // Every notification came twice and counted once.
    let accepted = metric(&h, "bosun_events_received_total{source=\"alertmanager\"");
    let duplicates = metric(&h, "bosun_events_duplicate_total{source=\"alertmanager\"");
    assert!(accepted >= 2.0, "{}", h.metrics());
    assert!(duplicates >= 1.0, "{}", h.metrics());
}

fn notification(status: &str, env: &str, ends_at: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "version": "4",
        "groupKey": "{}:{alertname=\"NodeDown\"}",
        "status": status,
        "receiver": "bosun",
        "externalURL": "http://alertmanager.example:9093",
        "truncatedAlerts": 0,
        "groupLabels": {"alertname": "NodeDown"},
        "commonLabels": {"alertname": "NodeDown"},
        "commonAnnotations": {},
        "alerts": [{
            "status": status,
            "labels": {"alertname": "NodeDown", "environment": env, "instance": "node-1"},
            "annotations": {"summary": "node-1 is down"},
            "startsAt": "2026-11-23T03:00:00Z",
            "endsAt": ends_at,
            "generatorURL": "http://prometheus.example/graph",
            "fingerprint": "1f2e3d4c5b6a7980"
        }]
    }))
    .unwrap()
}

#[tokio::test]
async fn the_route_refuses_bad_tokens_and_malformed_bodies_and_counts_a_redelivery_once() {
    let h = Harness::new(GitHubFake::start().await).await;
    h.start();
    h.settle().await;
    let body = notification("firing", "stg", "0001-01-01T00:00:00Z");
    for token in [None, Some("Bearer wrong"), Some(ALERTMANAGER_TOKEN)] {
        let (status, reply) = h.post_alertmanager(body.clone(), token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {reply}");
    }
    assert!(h.bosun().notices.notices().is_empty());

    let bearer = format!("Bearer {ALERTMANAGER_TOKEN}");
    let (status, reply) = h
        .post_alertmanager(b"{\"version\":\"4\"".to_vec(), Some(&bearer))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    let old = include_bytes!("fixtures/alertmanager/am-pr4561-exec-testdata.success.json");
    let (status, reply) = h.post_alertmanager(old.to_vec(), Some(&bearer)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        reply["error"].as_str().unwrap().contains("version `1`"),
        "{reply}"
    );

    let (status, _) = h.post_alertmanager(body.clone(), Some(&bearer)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, reply) = h
        .post_alertmanager(body, Some("Bearer the-previous-alertmanager-token"))
        .await;
    assert_eq!(
        (status, reply["status"].clone()),
        (StatusCode::OK, Value::from("duplicate"))
    );
    h.settle().await;
    let resolved = notification("resolved", "stg", "2026-11-23T03:25:00Z");
    let (status, _) = h.post_alertmanager(resolved, Some(&bearer)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.settle().await;

    let thread = h.bosun().notices.thread("alert:stg:NodeDown");
    let headlines: Vec<&str> = thread.iter().map(|n| n.headline.as_str()).collect();
    assert_eq!(
        headlines,
        [
            "Firing: NodeDown in stg (1 of 1 alert)",
            "Resolved: NodeDown in stg (lasted 25 min)"
        ]
    );
}

#[tokio::test]
async fn the_real_twelve_alert_notification_is_one_message() {
    let h = Harness::new(GitHubFake::start().await).await;
    h.start();
    let body =
        include_bytes!("fixtures/alertmanager/prometheus-msteams.prom_post_request_12_alerts.json");
    let bearer = format!("Bearer {ALERTMANAGER_TOKEN}");
    let (status, reply) = h.post_alertmanager(body.to_vec(), Some(&bearer)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    h.settle().await;
    let notices = h.bosun().notices.notices();
    let threads: std::collections::BTreeSet<_> =
        notices.iter().map(|n| n.thread.as_str()).collect();
    // The fixture's twelve alerts carry no environment label.
    assert!(
        threads.iter().all(|t| t.starts_with("alert:unlabelled:")),
        "{threads:?}"
    );
    assert_eq!(threads.len(), 12, "twelve alert names");
    assert_eq!(notices.len(), threads.len(), "one message per alert name");
}

/// notification-controller's documented event, as prd's Alert sends it.
fn flux_event(severity: &str, reason: &str, timestamp: &str) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&support::harness::flux_event(
        "event.generic-webhook.docs-example",
    ))
    .unwrap();
    event["severity"] = json!(severity);
    event["reason"] = json!(reason);
    event["timestamp"] = json!(timestamp);
    event["metadata"]["env"] = json!("prd");
    serde_json::to_vec(&event).unwrap()
}

#[tokio::test]
async fn a_failing_flux_object_is_one_thread_closed_when_it_reconciles_again() {
    let h = Harness::new(GitHubFake::start().await).await;
    h.start();
    let thread = "flux:prd:Kustomization/apps/webapp";
    for minute in ["07:26", "07:31"] {
        // The same failure reported again is not news.
        let body = flux_event(
            "error",
            "ValidationFailed",
            &format!("2022-10-28T{minute}:19Z"),
        );
        assert_eq!(h.deliver_flux(body).await.0, StatusCode::ACCEPTED);
        h.settle().await;
    }
    let failing = h.bosun().notices.thread(thread);
    assert_eq!(failing.len(), 1, "{failing:#?}");
    assert_eq!(
        failing[0].headline,
        "Failing: Kustomization/apps/webapp in prd (ValidationFailed)"
    );
    assert!(
        failing[0]
            .body
            .contains("spec.type: Unsupported value: Ingress")
    );
    assert_eq!(failing[0].tone, Tone::Failure);

    let healthy = flux_event("info", "ReconciliationSucceeded", "2022-10-28T07:56:19Z");
    assert_eq!(h.deliver_flux(healthy).await.0, StatusCode::ACCEPTED);
    h.settle().await;
    let notices = h.bosun().notices.notices();
    assert_eq!(notices.len(), 2, "{notices:#?}");
    let last = &notices[1];
    assert_eq!(last.thread, thread);
    assert_eq!(
        last.headline,
        "Recovered: Kustomization/apps/webapp in prd (failed for 30 min)"
    );
    assert_eq!(last.tone, Tone::Success);
}
