//! What Alertmanager told bosun, already read at the edge: one notification
//! of one alert group, with each alert's environment resolved from its labels.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether an alert (or a whole notification) is firing or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// The condition holds.
    Firing,
    /// The condition stopped holding at `ends_at`.
    Resolved,
}

/// One alert of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// The `alertname` label.
    pub name: String,
    /// The environment, from the configured labels (`env`, `environment`,
    /// `cluster`), or [`AlertBatch::UNLABELLED`].
    pub env: String,
    /// Firing or resolved.
    pub status: AlertStatus,
    /// Alertmanager's fingerprint of the label set (computed from the labels
    /// at the edge when an older sender omits it).
    pub fingerprint: String,
    /// When it started firing.
    pub starts_at: DateTime<Utc>,
    /// When it resolved (`None` while firing).
    pub ends_at: Option<DateTime<Utc>>,
    /// The `summary` annotation, else `description`, when present.
    pub summary: Option<String>,
    /// The labels that tell alerts of one group apart (every label but
    /// `alertname` and the environment's).
    pub labels: BTreeMap<String, String>,
    /// The `severity` label, when present.
    pub severity: Option<String>,
}

/// One Alertmanager notification (webhook payload version 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertBatch {
    /// Alertmanager's key of the group the notification is about.
    pub group_key: String,
    /// The notification's status (firing while any alert fires).
    pub status: AlertStatus,
    /// The receiver that sent it.
    pub receiver: String,
    /// Alertmanager's own address, for links.
    pub external_url: String,
    /// The alerts, each with its environment.
    pub alerts: Vec<Alert>,
    /// Alerts Alertmanager left out because of `max_alerts`.
    pub truncated: u64,
}

impl AlertBatch {
    /// The environment of an alert that carries none of the labels.
    pub const UNLABELLED: &'static str = "unlabelled";

    /// The environments the notification's alerts belong to, sorted, once each.
    pub fn envs(&self) -> Vec<&str> {
        let mut envs: Vec<&str> = self.alerts.iter().map(|a| a.env.as_str()).collect();
        envs.sort_unstable();
        envs.dedup();
        envs
    }
}

/// The daily digest of an environment is due (asked by the schedule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestDue {
    /// The environment.
    pub env: String,
    /// When it was due: the digest covers the 24 hours before.
    pub at: DateTime<Utc>,
}
