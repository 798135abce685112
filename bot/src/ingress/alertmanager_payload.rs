//! Alertmanager webhook notifications (payload version 4), read into
//! bosun's [`AlertBatch`], with each alert's environment taken from the
//! first configured label it carries (`env`, `environment`, `cluster`).
//!
//! Only the fields bosun uses are declared; a notification that lacks one it
//! needs is malformed.

use bosun_reconciler::alerts::{Alert, AlertBatch, AlertStatus};
use bosun_reconciler::ids::{DeliveryId, WorkKey};
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The labels tried, in order, for an alert's environment by default.
pub const DEFAULT_ENV_LABELS: [&str; 3] = ["env", "environment", "cluster"];

/// Why a notification could not be read.
#[derive(Debug, thiserror::Error)]
#[error("malformed Alertmanager notification: {reason}")]
pub struct MalformedNotification {
    /// What serde (or a check) said.
    pub reason: String,
}

fn malformed(reason: impl ToString) -> MalformedNotification {
    MalformedNotification {
        reason: reason.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    version: String,
    group_key: String,
    status: String,
    #[serde(default)]
    receiver: String,
    #[serde(default, rename = "externalURL")]
    external_url: String,
    #[serde(default)]
    truncated_alerts: u64,
    alerts: Vec<PayloadAlert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayloadAlert {
    #[serde(default)]
    status: Option<String>,
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: DateTime<Utc>,
    #[serde(default)]
    ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    fingerprint: Option<String>,
}

fn status(text: &str) -> Result<AlertStatus, MalformedNotification> {
    match text {
        "firing" => Ok(AlertStatus::Firing),
        "resolved" => Ok(AlertStatus::Resolved),
        other => Err(malformed(format!(
            "unknown status `{other}` (expected firing or resolved)"
        ))),
    }
}

/// Alertmanager's fingerprint when the sender left it out: the first 16
/// hex digits of the SHA-256 of the sorted labels.
fn fingerprint_of(labels: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in labels {
        hasher.update(key.as_bytes());
        hasher.update([0xff]);
        hasher.update(value.as_bytes());
        hasher.update([0xff]);
    }
    hex::encode(hasher.finalize())[..16].to_owned()
}

/// The environment of an alert: the first of `env_labels` it carries with a
/// usable name, else [`AlertBatch::UNLABELLED`]. Returns the label used.
fn env_of<'a>(
    labels: &BTreeMap<String, String>,
    env_labels: &'a [String],
) -> (String, Option<&'a str>) {
    for label in env_labels {
        if let Some(value) = labels.get(label)
            && WorkKey::env(value).is_some()
        {
            return (value.clone(), Some(label.as_str()));
        }
    }
    (AlertBatch::UNLABELLED.to_owned(), None)
}

/// Reads one notification; `env_labels` are the labels tried for each
/// alert's environment, in order.
pub fn parse(body: &[u8], env_labels: &[String]) -> Result<AlertBatch, MalformedNotification> {
    let payload: Payload = serde_json::from_slice(body).map_err(malformed)?;
    if payload.version != "4" {
        return Err(malformed(format!(
            "unsupported payload version `{}` (bosun reads version 4)",
            payload.version
        )));
    }
    let batch_status = status(&payload.status)?;
    let mut alerts = Vec::with_capacity(payload.alerts.len());
    for alert in payload.alerts {
        let alert_status = match &alert.status {
            Some(text) => status(text)?,
            None => batch_status,
        };
        let fingerprint = alert
            .fingerprint
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| fingerprint_of(&alert.labels));
        let (env, env_label) = env_of(&alert.labels, env_labels);
        let name = alert
            .labels
            .get("alertname")
            .cloned()
            .unwrap_or_else(|| "unnamed".to_owned());
        // Alertmanager writes the zero time (year 1) for "no end".
        let ends_at = alert
            .ends_at
            .filter(|end| end.year() > 1 && alert_status == AlertStatus::Resolved);
        let summary = alert
            .annotations
            .get("summary")
            .or_else(|| alert.annotations.get("description"))
            .cloned();
        let severity = alert.labels.get("severity").cloned();
        let labels = alert
            .labels
            .into_iter()
            .filter(|(k, _)| k != "alertname" && Some(k.as_str()) != env_label)
            .collect();
        alerts.push(Alert {
            name,
            env,
            status: alert_status,
            fingerprint,
            starts_at: alert.starts_at,
            ends_at,
            summary,
            labels,
            severity,
        });
    }
    Ok(AlertBatch {
        group_key: payload.group_key,
        status: batch_status,
        receiver: payload.receiver,
        external_url: payload.external_url,
        alerts,
        truncated: payload.truncated_alerts,
    })
}

/// The delivery id of a notification: Alertmanager sends none, and resends
/// the same group state on every `repeat_interval`, so the id is
/// `alertmanager:` and the SHA-256 of what the notification says: the group
/// key, its status, and each alert's fingerprint, status and start (and end,
/// once resolved).
pub fn delivery_id(batch: &AlertBatch) -> DeliveryId {
    let mut lines: Vec<String> = batch
        .alerts
        .iter()
        .map(|a| {
            format!(
                "{}|{:?}|{}|{}",
                a.fingerprint,
                a.status,
                a.starts_at.to_rfc3339(),
                a.ends_at.map(|e| e.to_rfc3339()).unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    let mut hasher = Sha256::new();
    hasher.update(batch.group_key.as_bytes());
    hasher.update(format!("\n{:?}\n", batch.status).as_bytes());
    hasher.update(lines.join("\n").as_bytes());
    let digest = hex::encode(hasher.finalize());
    DeliveryId::new("alertmanager", &digest)
        .unwrap_or_else(|_| unreachable!("64 hexadecimal digits are a valid delivery id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWELVE: &[u8] = include_bytes!(
        "../../tests/fixtures/alertmanager/prometheus-msteams.prom_post_request_12_alerts.json"
    );
    const VERSION_1: &[u8] =
        include_bytes!("../../tests/fixtures/alertmanager/am-pr4561-exec-testdata.success.json");

    fn labels() -> Vec<String> {
        DEFAULT_ENV_LABELS.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_real_notification_reads_with_fingerprints_and_no_end_while_firing() {
        let batch = parse(TWELVE, &labels()).unwrap();
        assert_eq!(batch.alerts.len(), 12);
        assert_eq!(batch.status, AlertStatus::Firing);
        for alert in &batch.alerts {
            assert_eq!(alert.status, AlertStatus::Firing);
            assert_eq!(alert.ends_at, None);
            assert_eq!(alert.fingerprint.len(), 16);
        }
        assert_eq!(
            delivery_id(&batch),
            delivery_id(&parse(TWELVE, &labels()).unwrap())
        );
    }

    #[test]
    fn the_environment_is_the_first_configured_label_and_is_not_kept_as_a_label() {
        let body = serde_json::json!({
            "version": "4", "groupKey": "{}:{alertname=\"GpuHot\"}", "status": "resolved",
            "alerts": [
                {"status": "resolved", "labels": {"alertname": "GpuHot", "cluster": "prd-uaenorth", "environment": "prd", "gpu": "3"},
                 "startsAt": "2026-11-23T03:00:00Z", "endsAt": "2026-11-23T03:12:00Z", "fingerprint": "abc"},
                {"labels": {"alertname": "GpuHot", "env": "bad value"}, "startsAt": "2026-11-23T03:00:00Z"}
            ]
        });
        let batch = parse(body.to_string().as_bytes(), &labels()).unwrap();
        assert_eq!(batch.alerts[0].env, "prd");
        assert!(!batch.alerts[0].labels.contains_key("environment"));
        assert_eq!(
            batch.alerts[0].labels.get("cluster").map(String::as_str),
            Some("prd-uaenorth")
        );
        assert!(batch.alerts[0].ends_at.is_some());
        assert_eq!(batch.alerts[1].env, AlertBatch::UNLABELLED);
        assert_eq!(batch.alerts[1].status, AlertStatus::Resolved);
        let only_cluster = parse(body.to_string().as_bytes(), &["cluster".to_owned()]).unwrap();
        assert_eq!(only_cluster.alerts[0].env, "prd-uaenorth");
    }

    #[test]
    fn another_version_an_unknown_status_or_a_missing_field_is_malformed() {
        let error = parse(VERSION_1, &labels()).unwrap_err().to_string();
        assert!(error.contains("version `1`"), "{error}");
        let bad_status = br#"{"version":"4","groupKey":"k","status":"burning","alerts":[]}"#;
        assert!(
            parse(bad_status, &labels())
                .unwrap_err()
                .to_string()
                .contains("burning")
        );
        let no_alerts = br#"{"version":"4","groupKey":"k","status":"firing"}"#;
        assert!(
            parse(no_alerts, &labels())
                .unwrap_err()
                .to_string()
                .contains("alerts")
        );
        assert!(parse(b"not json", &labels()).is_err());
    }
}
