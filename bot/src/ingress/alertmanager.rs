//! `POST /webhooks/alertmanager`: Alertmanager webhook notifications. Check
//! the `Authorization: Bearer` token (constant time, several accepted during
//! a rotation), read the notification, store it durably (deduplicated by
//! what it says, see [`alertmanager_payload::delivery_id`]), then answer.
//! The environments' reconciles fold it into one thread per alert group.

use super::AppState;
use super::alertmanager_payload;
use super::inbox;
use crate::token::authorized;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use bosun_reconciler::event::EventKind;
use secrecy::SecretString;
use std::sync::Arc;
use tracing::warn;

const SOURCE: &str = "alertmanager";

/// What the Alertmanager route needs from the settings.
#[derive(Debug, Clone, Default)]
pub struct AlertIngress {
    /// Bearer tokens Alertmanager may present (several during a rotation);
    /// empty refuses every notification.
    pub tokens: Vec<SecretString>,
    /// The labels tried, in order, for an alert's environment.
    pub env_labels: Vec<String>,
}

impl AlertIngress {
    /// Whether `header` carries one of the tokens. Every token is compared
    /// (in constant time), so the answer's timing says nothing about which.
    fn accepts(&self, header: Option<&str>) -> bool {
        self.tokens
            .iter()
            .fold(false, |ok, token| authorized(token, header) | ok)
    }
}

/// Handles one Alertmanager notification.
pub async fn receive(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let metrics = &state.metrics;
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return inbox::refuse_body(metrics, SOURCE, &rejection),
    };
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !state.alerts.accepts(header) {
        warn!("refused an Alertmanager notification: bad or missing bearer token");
        let message = "missing or wrong bearer token";
        return inbox::reject(
            metrics,
            SOURCE,
            "bad_token",
            StatusCode::UNAUTHORIZED,
            message,
        );
    }
    let batch = match alertmanager_payload::parse(&body, &state.alerts.env_labels) {
        Ok(batch) => batch,
        Err(error) => {
            return inbox::reject(metrics, SOURCE, "malformed", StatusCode::BAD_REQUEST, error);
        }
    };
    let metric_type = match batch.status {
        bosun_reconciler::alerts::AlertStatus::Firing => "firing",
        bosun_reconciler::alerts::AlertStatus::Resolved => "resolved",
    };
    let delivery = alertmanager_payload::delivery_id(&batch);
    inbox::ingest(
        &state,
        SOURCE,
        metric_type,
        delivery,
        EventKind::Alerts(batch),
    )
    .await
}
