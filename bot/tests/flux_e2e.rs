//! End to end: Flux notification-controller events, signed as a
//! `generic-hmac` Provider signs them (`X-Signature: sha256=<hex HMAC-SHA256
//! of the body>`), through the real router, engine and store.

mod support;

use axum::http::StatusCode;
use bosun::ingress::signature::sign_sha256;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use support::github::GitHubFake;
use support::harness::{FLUX_KEY, Harness, SECRET, flux_event};

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
