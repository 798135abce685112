//! Flux notification-controller events (the JSON body its `generic` and
//! `generic-hmac` providers POST), read into bosun's domain event.
//!
//! As for GitHub, only the fields bosun uses are declared: an event that
//! gains fields still reads, one that lacks a needed field is malformed.
//! On the wire, the object's metadata keys are prefixed with its API group
//! (`kustomize.toolkit.fluxcd.io/revision`); the Alert's `eventMetadata`
//! (`env`, `cluster`, `region`) arrive in the same map, unprefixed.

use bosun_reconciler::event::{FluxEvent, FluxRevision, FluxSeverity};
use bosun_reconciler::ids::DeliveryId;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Why an event could not be read.
#[derive(Debug, thiserror::Error)]
#[error("malformed Flux event: {reason}")]
pub struct MalformedEvent {
    /// What serde (or the severity check) said.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    involved_object: InvolvedObject,
    severity: String,
    timestamp: DateTime<Utc>,
    message: String,
    reason: String,
    #[serde(default)]
    metadata: Option<BTreeMap<String, String>>,
    reporting_controller: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvolvedObject {
    kind: String,
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    api_version: String,
}

/// The delivery id of a Flux event: Flux sends no delivery header, and
/// identical bodies are the same event (Flux itself holds back identical
/// events for five minutes), so the id is `flux:` and the hex SHA-256 of
/// the raw body.
pub fn delivery_id(body: &[u8]) -> DeliveryId {
    let digest = hex::encode(Sha256::digest(body));
    DeliveryId::new("flux", &digest)
        .unwrap_or_else(|_| unreachable!("64 hexadecimal digits are a valid delivery id"))
}

/// Reads one Flux event.
pub fn parse(body: &[u8]) -> Result<FluxEvent, MalformedEvent> {
    let payload: Payload = serde_json::from_slice(body).map_err(|e| MalformedEvent {
        reason: e.to_string(),
    })?;
    let severity = match payload.severity.as_str() {
        "trace" => FluxSeverity::Trace,
        "info" => FluxSeverity::Info,
        "error" => FluxSeverity::Error,
        other => {
            return Err(MalformedEvent {
                reason: format!("unknown severity `{other}` (expected trace, info or error)"),
            });
        }
    };
    let metadata = payload.metadata.unwrap_or_default();
    let object = payload.involved_object;
    let revision = revision(&metadata, &object.api_version).map(FluxRevision::parse);
    Ok(FluxEvent {
        severity,
        reason: payload.reason,
        message: payload
            .message
            .chars()
            .take(FluxEvent::MAX_MESSAGE_CHARS)
            .collect(),
        timestamp: payload.timestamp,
        revision,
        env: metadata.get("env").cloned(),
        cluster: metadata.get("cluster").cloned(),
        reporting_controller: payload.reporting_controller,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
    })
}

/// The object's revision: the key prefixed with its own API group, else a
/// bare `revision`, else the first other `<group>/revision`.
fn revision<'a>(metadata: &'a BTreeMap<String, String>, api_version: &str) -> Option<&'a str> {
    let group = api_version.split_once('/').map_or("", |(group, _)| group);
    let own = format!("{group}/revision");
    metadata
        .get(&own)
        .or_else(|| metadata.get("revision"))
        .or_else(|| {
            metadata
                .iter()
                .find(|(key, _)| key.ends_with("/revision"))
                .map(|(_, value)| value)
        })
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// notification-controller's documented generic webhook body.
    const DOCS_EXAMPLE: &[u8] =
        include_bytes!("../../tests/fixtures/flux/event.generic-webhook.docs-example.json");
    const COMMIT: &str = "731f7eaddfb6af01cb2173e18f0f75b0ba780ef1";

    /// The documented event with `metadata` replaced, as an Alert with
    /// `eventMetadata` and a Flux 2 controller would send it.
    fn with_metadata(metadata: serde_json::Value) -> Vec<u8> {
        let mut event: serde_json::Value = serde_json::from_slice(DOCS_EXAMPLE).unwrap();
        event["metadata"] = metadata;
        serde_json::to_vec(&event).unwrap()
    }

    #[test]
    fn the_documented_generic_webhook_event_reads_with_its_old_style_revision() {
        let event = parse(DOCS_EXAMPLE).unwrap();
        assert_eq!(event.kind, "Kustomization");
        assert_eq!(event.name, "webapp");
        assert_eq!(event.namespace, "apps");
        assert_eq!(event.severity, FluxSeverity::Error);
        assert_eq!(event.reason, "ValidationFailed");
        assert_eq!(
            event.message,
            "service/apps/webapp validation error: spec.type: Unsupported value: Ingress"
        );
        assert_eq!(event.timestamp.to_rfc3339(), "2022-10-28T07:26:19+00:00");
        assert_eq!(event.reporting_controller, "kustomize-controller");
        let revision = event.revision.unwrap();
        assert_eq!(revision.raw, format!("main/{COMMIT}"));
        assert_eq!((revision.branch, revision.sha), (None, None));
        assert_eq!((event.env, event.cluster), (None, None));
    }

    #[test]
    fn alert_event_metadata_and_a_flux_2_revision_are_read_out() {
        let body = with_metadata(json!({
            "kustomize.toolkit.fluxcd.io/revision": format!("main@sha1:{COMMIT}"),
            "kustomize.toolkit.fluxcd.io/token": "ab12",
            "cluster": "prd-uaenorth",
            "env": "prd",
            "region": "uaenorth",
        }));
        let event = parse(&body).unwrap();
        assert_eq!(event.env.as_deref(), Some("prd"));
        assert_eq!(event.cluster.as_deref(), Some("prd-uaenorth"));
        let revision = event.revision.unwrap();
        assert_eq!(revision.branch.as_deref(), Some("main"));
        assert_eq!(revision.sha.map(String::from).as_deref(), Some(COMMIT));
    }

    #[test]
    fn the_revision_of_the_objects_own_group_wins_over_an_origin_or_another_group() {
        let body = with_metadata(json!({
            "helm.toolkit.fluxcd.io/revision": "6.0.1",
            "kustomize.toolkit.fluxcd.io/originRevision": format!("dev@sha1:{COMMIT}"),
            "kustomize.toolkit.fluxcd.io/revision": format!("main@sha1:{COMMIT}"),
        }));
        let revision = parse(&body).unwrap().revision.unwrap();
        assert_eq!(revision.raw, format!("main@sha1:{COMMIT}"));
    }

    #[test]
    fn an_oci_revision_keeps_only_its_raw_text() {
        let raw = format!("v1.0.1@sha256:{}", "c".repeat(64));
        let body = with_metadata(json!({ "kustomize.toolkit.fluxcd.io/revision": raw }));
        let revision = parse(&body).unwrap().revision.unwrap();
        assert_eq!(revision.raw, raw);
        assert_eq!((revision.branch, revision.sha), (None, None));
    }

    #[test]
    fn an_event_without_metadata_or_revision_has_none() {
        let mut event: serde_json::Value = serde_json::from_slice(DOCS_EXAMPLE).unwrap();
        event.as_object_mut().unwrap().remove("metadata");
        let read = parse(&serde_json::to_vec(&event).unwrap()).unwrap();
        assert_eq!(read.revision, None);
        let read = parse(&with_metadata(json!({ "env": "stg" }))).unwrap();
        assert_eq!(read.revision, None);
        assert_eq!(read.env.as_deref(), Some("stg"));
    }

    #[test]
    fn a_long_message_is_cut_to_a_thousand_characters() {
        let mut event: serde_json::Value = serde_json::from_slice(DOCS_EXAMPLE).unwrap();
        event["message"] = json!("é".repeat(39_000));
        let read = parse(&serde_json::to_vec(&event).unwrap()).unwrap();
        assert_eq!(read.message.chars().count(), FluxEvent::MAX_MESSAGE_CHARS);
    }

    #[test]
    fn missing_fields_unknown_severities_and_non_json_are_malformed() {
        let mut event: serde_json::Value = serde_json::from_slice(DOCS_EXAMPLE).unwrap();
        event.as_object_mut().unwrap().remove("involvedObject");
        assert!(parse(&serde_json::to_vec(&event).unwrap()).is_err());
        let mut event: serde_json::Value = serde_json::from_slice(DOCS_EXAMPLE).unwrap();
        event["severity"] = json!("warning");
        let error = parse(&serde_json::to_vec(&event).unwrap()).unwrap_err();
        assert!(error.to_string().contains("warning"), "{error}");
        assert!(parse(b"{not json").is_err());
    }

    #[test]
    fn identical_bodies_share_a_delivery_id_and_different_ones_do_not() {
        let id = delivery_id(DOCS_EXAMPLE);
        assert_eq!(id, delivery_id(DOCS_EXAMPLE));
        let digest = id.as_str().strip_prefix("flux:").unwrap();
        assert_eq!(digest.len(), 64);
        assert!(digest.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(id, delivery_id(b"{}"));
    }
}
