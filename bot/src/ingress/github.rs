//! `POST /webhooks/github`: verify the signature over the raw body, read the
//! payload into a domain event, store it durably, then answer.

use super::AppState;
use super::github_payload::{self, PayloadError};
use super::inbox::{self, reply};
use super::signature::verify_sha256;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bosun_reconciler::ids::DeliveryId;
use serde_json::json;
use std::sync::Arc;
use tracing::warn;

const SOURCE: &str = "github";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Handles one GitHub delivery.
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
    let signature = headers.get("x-hub-signature-256").map(|v| v.as_bytes());
    if let Err(error) = verify_sha256(&state.github_secrets, signature, &body) {
        warn!(%error, "refused a GitHub delivery");
        let (reason, status) = (error.metric_label(), StatusCode::UNAUTHORIZED);
        return inbox::reject(metrics, SOURCE, reason, status, error);
    }
    let (Some(event_type), Some(delivery)) = (
        header(&headers, "x-github-event"),
        header(&headers, "x-github-delivery"),
    ) else {
        let error = "X-GitHub-Event and X-GitHub-Delivery are required";
        return inbox::reject(
            metrics,
            SOURCE,
            "missing_headers",
            StatusCode::BAD_REQUEST,
            error,
        );
    };
    let delivery = match DeliveryId::new(SOURCE, delivery) {
        Ok(id) => id,
        Err(error) => {
            let status = StatusCode::BAD_REQUEST;
            return inbox::reject(metrics, SOURCE, "bad_delivery_id", status, error);
        }
    };
    let kind = match github_payload::parse(event_type, &body) {
        Ok(Some(kind)) => kind,
        Ok(None) => {
            metrics.event_rejected(SOURCE, "unhandled_type");
            let note = format!("event type `{event_type}` is not handled; ignored");
            return reply(
                StatusCode::ACCEPTED,
                json!({ "status": "ignored", "reason": note }),
            );
        }
        Err(PayloadError::Malformed { event, reason }) => {
            let error = format!("malformed {event} payload: {reason}");
            return inbox::reject(metrics, SOURCE, "malformed", StatusCode::BAD_REQUEST, error);
        }
    };
    let label = kind.label();
    inbox::ingest(&state, SOURCE, label, delivery, kind).await
}
