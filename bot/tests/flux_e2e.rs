//! End to end: Flux notification-controller events, signed as a
//! `generic-hmac` Provider signs them (`X-Signature: sha256=<hex HMAC-SHA256
//! of the body>`), through the real router, engine and store.

mod support;

use axum::http::StatusCode;
use bosun::ingress::signature::sign_sha256;
use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use bosun_reconciler::promotion::{MovedVersion, PromotionRecord, Promotions};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use support::github::{BOT_LOGIN, FakePr, GitHubFake};
use support::harness::{
    FLUX_KEY, Harness, SECRET, closed_merged, flux_event, stg_to_prd_promotion,
};

/// notification-controller's documented generic webhook body.
const DOCS_EXAMPLE: &str = "event.generic-webhook.docs-example";

async fn harness() -> Harness {
    Harness::new(GitHubFake::start().await).await
}

/// The delivery id bosun must give a body: `flux:` and its SHA-256.
fn expected_delivery(body: &[u8]) -> String {
    format!("flux:{}", hex::encode(Sha256::digest(body)))
}

/// The documented event as prd-uaenorth's Alerts send it: Flux 2 revision
/// form, the Alert's `eventMetadata`, another object.
fn prd_helmrelease_event() -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&flux_event(DOCS_EXAMPLE)).unwrap();
    event["involvedObject"]["kind"] = json!("HelmRelease");
    event["involvedObject"]["apiVersion"] = json!("helm.toolkit.fluxcd.io/v2");
    event["severity"] = json!("info");
    event["reason"] = json!("UpgradeSucceeded");
    event["metadata"] = json!({
        "helm.toolkit.fluxcd.io/revision": "4.11.3",
        "helm.toolkit.fluxcd.io/token": "e1f2",
        "cluster": "prd-uaenorth",
        "env": "prd",
        "region": "uaenorth",
    });
    serde_json::to_vec(&event).unwrap()
}

#[tokio::test]
async fn a_signed_flux_event_is_stored_once_and_its_redelivery_is_a_duplicate() {
    let mut h = harness().await;
    h.start();
    h.settle().await;
    let start_up_requests = h.github.requests().len();
    let body = flux_event(DOCS_EXAMPLE);
    let (status, reply) = h.deliver_flux(body.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(reply["status"], "accepted");
    assert_eq!(reply["delivery"], expected_delivery(&body).as_str());
    h.settle().await;
    assert_eq!(
        h.bosun().engine.queue_depth(),
        0,
        "Flux events wake no work"
    );
    assert_eq!(
        h.github.requests().len(),
        start_up_requests,
        "a Flux event reaches nothing on GitHub"
    );

    let (status, reply) = h.deliver_flux(body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["status"], "duplicate");
    // The event was durable before the 202: it is still known after a crash.
    h.crash_and_restart().await;
    let (status, reply) = h.deliver_flux(body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["status"], "duplicate");
}

#[tokio::test]
async fn events_of_each_object_kind_are_counted_by_kind() {
    let h = harness().await;
    assert_eq!(
        h.deliver_flux(flux_event(DOCS_EXAMPLE)).await.0,
        StatusCode::ACCEPTED
    );
    let (status, reply) = h.deliver_flux(prd_helmrelease_event()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(
        h.deliver_flux(prd_helmrelease_event()).await.0,
        StatusCode::OK
    );
    let metrics = h.metrics();
    for line in [
        r#"bosun_events_received_total{source="flux",type="kustomization"} 1"#,
        r#"bosun_events_received_total{source="flux",type="helmrelease"} 1"#,
        r#"bosun_events_duplicate_total{source="flux"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
    assert!(!metrics.contains(r#"source="github""#), "{metrics}");
}

#[tokio::test]
async fn bad_missing_or_wrong_algorithm_signatures_are_refused_and_change_nothing() {
    let h = harness().await;
    let body = flux_event(DOCS_EXAMPLE);
    let forged = sign_sha256("not-the-flux-key", &body);
    let github_secret = sign_sha256(SECRET, &body);
    let mut sha512 = <Hmac<Sha512> as KeyInit>::new_from_slice(FLUX_KEY.as_bytes()).unwrap();
    sha512.update(&body);
    let sha512 = format!("sha512={}", hex::encode(sha512.finalize().into_bytes()));
    let cases = [
        (None, "signature_missing"),
        (Some(forged), "signature_mismatch"),
        (Some(github_secret), "signature_mismatch"),
        (Some(sha512), "signature_unsupported_hash"),
        (Some("sha256=zz".to_owned()), "signature_malformed"),
    ];
    for (signature, _) in &cases {
        let (status, reply) = h.post_flux(body.clone(), signature.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{signature:?}");
        assert!(reply["error"].is_string(), "{reply}");
    }
    let (_, reply) = h.post_flux(body.clone(), cases[3].0.clone()).await;
    assert!(
        reply["error"].as_str().unwrap().contains("only sha256"),
        "{reply}"
    );
    let metrics = h.metrics();
    for (reason, count) in [
        ("signature_missing", 1),
        ("signature_mismatch", 2),
        ("signature_unsupported_hash", 2),
        ("signature_malformed", 1),
    ] {
        let line =
            format!(r#"bosun_events_rejected_total{{source="flux",reason="{reason}"}} {count}"#);
        assert!(metrics.contains(&line), "{line} not in\n{metrics}");
    }
    assert!(
        !metrics.contains("bosun_events_received_total{"),
        "{metrics}"
    );
    assert_eq!(h.bosun().engine.queue_depth(), 0);
    assert!(h.github.requests().is_empty(), "{:#?}", h.github.requests());
    // Nothing was stored: the same body, properly signed, is new.
    let (status, reply) = h.deliver_flux(body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(reply["status"], "accepted");
}

#[tokio::test]
async fn an_event_signed_with_a_retired_key_is_still_accepted_during_rotation() {
    let h = harness().await;
    let body = flux_event(DOCS_EXAMPLE);
    let signature = sign_sha256("the-previous-flux-key", &body);
    let (status, reply) = h.post_flux(body, Some(signature)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
}

#[tokio::test]
async fn without_a_flux_key_every_flux_event_is_refused() {
    let h = Harness::with_flux_keys(GitHubFake::start().await, Vec::new()).await;
    let body = flux_event(DOCS_EXAMPLE);
    for signature in [
        Some(sign_sha256(FLUX_KEY, &body)),
        Some(sign_sha256("", &body)),
        None,
    ] {
        let (status, reply) = h.post_flux(body.clone(), signature).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply["error"], "no webhook secret is configured");
    }
    assert!(
        h.metrics()
            .contains(r#"bosun_events_rejected_total{source="flux",reason="no_secret"} 3"#),
        "{}",
        h.metrics()
    );
}

#[tokio::test]
async fn malformed_or_oversized_bodies_are_refused_after_the_signature() {
    let h = harness().await;
    let garbage = b"{not json".to_vec();
    let (status, reply) = h
        .post_flux(garbage.clone(), Some(sign_sha256(FLUX_KEY, &garbage)))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = reply["error"].as_str().unwrap();
    assert!(error.contains("malformed Flux event"), "{error}");

    let mut event: Value = serde_json::from_slice(&flux_event(DOCS_EXAMPLE)).unwrap();
    event["severity"] = json!("warning");
    let (status, reply) = h.deliver_flux(serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        reply["error"].as_str().unwrap().contains("warning"),
        "{reply}"
    );

    // Garbage without a valid signature is a 401, not a 400: nothing parses
    // an unverified body.
    let (status, _) = h.post_flux(garbage, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let huge = vec![b' '; bosun::ingress::DEFAULT_MAX_BODY + 1];
    let signature = sign_sha256(FLUX_KEY, &huge);
    let (status, _) = h.post_flux(huge, Some(signature)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let metrics = h.metrics();
    for line in [
        r#"bosun_events_rejected_total{source="flux",reason="malformed"} 2"#,
        r#"bosun_events_rejected_total{source="flux",reason="too_large"} 1"#,
        r#"bosun_events_rejected_total{source="flux",reason="signature_missing"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
    assert!(
        !metrics.contains("bosun_events_received_total{"),
        "{metrics}"
    );
}

/// The repository of the GitHub fixtures.
const REPO: &str = "Codertocat/Hello-World";

/// A fake GitHub with an open promotion from stg to prd (recorded as the
/// code that opens promotions records it), merged through bosun's forge;
/// returns the harness, the PR's number and its merge commit.
async fn merged_promotion() -> (Harness, u64, String) {
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    let number = github.add_pr(
        REPO,
        FakePr::new("bosun/promote/stg-to-prd")
            .author(BOT_LOGIN)
            .files(&["flux-config/apps/prd/vllm.yaml"]),
    );
    let h = Harness::new(github).await;
    let repo: RepoName = REPO.parse().unwrap();
    let record = PromotionRecord {
        moves: vec![MovedVersion {
            app: "vllm-openai".to_owned(),
            kind: "image".to_owned(),
            from_version: "v0.6.2".to_owned(),
            to_version: "v0.6.3".to_owned(),
        }],
        ..stg_to_prd_promotion(REPO, number)
    };
    Promotions::new(h.bosun().engine.store().as_ref())
        .save(&record)
        .unwrap();
    h.bosun()
        .engine
        .forge()
        .merge(&repo, PrNumber(number))
        .await
        .unwrap();
    let merge = h.github.pr(REPO, number).merge_commit_sha.expect("merged");
    assert_eq!(h.github.branch_tip(REPO, "main"), Some(merge.clone()));
    h.start();
    h.settle().await;
    (h, number, merge)
}

/// What prd's Kustomization says, as its Alert (with `env: prd`) sends it.
fn prd_kustomization(severity: &str, reason: &str, message: &str, commit: &str) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&flux_event(DOCS_EXAMPLE)).unwrap();
    event["involvedObject"]["name"] = json!("apps");
    event["involvedObject"]["namespace"] = json!("flux-system");
    event["severity"] = json!(severity);
    event["reason"] = json!(reason);
    event["message"] = json!(message);
    event["timestamp"] = json!(chrono::Utc::now().to_rfc3339());
    event["metadata"] = json!({
        "kustomize.toolkit.fluxcd.io/revision": format!("main@sha1:{commit}"),
        "cluster": "prd-uaenorth",
        "env": "prd",
    });
    serde_json::to_vec(&event).unwrap()
}

fn promotion_comments(h: &Harness, number: u64) -> Vec<String> {
    h.github
        .comments(REPO, number)
        .into_iter()
        .filter(|c| c.author == BOT_LOGIN && c.body.starts_with("<!-- bosun:promotion:applied -->"))
        .map(|c| c.body)
        .collect()
}

/// Delivers the merge, then a commit on top of it on main; returns that commit.
async fn merge_reported_and_main_moved_on(h: &Harness, number: u64, merge: &str) -> String {
    let head = h.github.pr(REPO, number).head_sha;
    let status = h
        .deliver(
            "pull_request",
            "d-merged",
            closed_merged(number, &head, merge),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.settle().await;
    let comments = promotion_comments(h, number);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    let short = &merge[..7];
    assert!(
        comments[0].contains(&format!("waiting for `prd` to apply `{short}`")),
        "{comments:#?}"
    );
    let record = Promotions::new(h.bosun().engine.store().as_ref())
        .get(&REPO.parse().unwrap(), PrNumber(number))
        .unwrap()
        .unwrap();
    assert_eq!(record.merged_sha, Some(merge.parse::<Sha>().unwrap()));
    h.github
        .seed_files(REPO, "main", &[("README.md", "later\n")], "Later change")
}

#[tokio::test]
async fn a_merged_promotion_is_reported_running_once_prd_reconciles_a_revision_containing_it() {
    let (h, number, merge) = merged_promotion().await;
    let tip = merge_reported_and_main_moved_on(&h, number, &merge).await;
    let body = prd_kustomization(
        "info",
        "ReconciliationSucceeded",
        "Reconciliation finished in 2s, next run in 10m0s",
        &tip,
    );
    let (status, reply) = h.deliver_flux(body.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    h.settle().await;
    let comments = promotion_comments(&h, number);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(
        comments[0].contains("`prd` now runs the new versions"),
        "{comments:#?}"
    );
    assert!(
        comments[0].contains(&format!("main@sha1:{tip}")),
        "{comments:#?}"
    );
    assert!(comments[0].contains("after the merge"), "{comments:#?}");
    assert!(comments[0].contains("`v0.6.3`"), "{comments:#?}");

    let writes = h.github.writes().len();
    assert_eq!(h.deliver_flux(body).await.0, StatusCode::OK);
    h.settle().await;
    assert_eq!(
        h.github.writes().len(),
        writes,
        "a redelivery writes nothing"
    );
}

#[tokio::test]
async fn a_failed_health_check_at_the_merge_is_reported_with_a_rollback_suggestion() {
    let (h, number, merge) = merged_promotion().await;
    merge_reported_and_main_moved_on(&h, number, &merge).await;
    let body = prd_kustomization(
        "error",
        "HealthCheckFailed",
        "Health check failed after 5m0s: timeout waiting for: [Deployment/ai/vllm-openai status: 'InProgress']",
        &merge,
    );
    let (status, reply) = h.deliver_flux(body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    h.settle().await;
    let comments = promotion_comments(&h, number);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(
        comments[0].contains("`prd` did not apply the promotion"),
        "{comments:#?}"
    );
    assert!(
        comments[0].contains("Deployment/ai/vllm-openai"),
        "{comments:#?}"
    );
    assert!(comments[0].contains("`/rollback prd`"), "{comments:#?}");
}
