//! `POST /webhooks/github`: verify the signature over the raw body, read the
//! payload into a domain event, store it durably, then answer.

use super::AppState;
use super::github_payload::{self, PayloadError};
use super::signature::verify_sha256;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use bosun_reconciler::engine::Ingested;
use bosun_reconciler::event::Event;
use bosun_reconciler::ids::DeliveryId;
use serde_json::json;
use std::sync::Arc;
use tracing::{info, warn};

const SOURCE: &str = "github";

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

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
        Err(rejection) => {
            let status = rejection.status();
            let reason = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "unreadable_body"
            };
            metrics.event_rejected(SOURCE, reason);
            return reply(status, json!({ "error": rejection.body_text() }));
        }
    };
    let signature = headers.get("x-hub-signature-256").map(|v| v.as_bytes());
    if let Err(error) = verify_sha256(&state.github_secrets, signature, &body) {
        metrics.event_rejected(SOURCE, error.metric_label());
        warn!(%error, "refused a GitHub delivery");
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({ "error": error.to_string() }),
        );
    }
    let (Some(event_type), Some(delivery)) = (
        header(&headers, "x-github-event"),
        header(&headers, "x-github-delivery"),
    ) else {
        metrics.event_rejected(SOURCE, "missing_headers");
        let error = "X-GitHub-Event and X-GitHub-Delivery are required";
        return reply(StatusCode::BAD_REQUEST, json!({ "error": error }));
    };
    let delivery = match DeliveryId::new(SOURCE, delivery) {
        Ok(id) => id,
        Err(error) => {
            metrics.event_rejected(SOURCE, "bad_delivery_id");
            return reply(
                StatusCode::BAD_REQUEST,
                json!({ "error": error.to_string() }),
            );
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
            metrics.event_rejected(SOURCE, "malformed");
            let error = format!("malformed {event} payload: {reason}");
            return reply(StatusCode::BAD_REQUEST, json!({ "error": error }));
        }
    };
    let label = kind.label();
    let event = Event {
        delivery: delivery.clone(),
        received_at: chrono::Utc::now(),
        kind,
    };
    let engine = Arc::clone(&state.engine);
    let outcome = tokio::task::spawn_blocking(move || engine.ingest(&event)).await;
    match outcome {
        Ok(Ok(Ingested::Duplicate)) => {
            metrics.event_duplicate(SOURCE);
            reply(
                StatusCode::OK,
                json!({ "status": "duplicate", "delivery": delivery.as_str() }),
            )
        }
        Ok(Ok(ingested)) => {
            metrics.event_received(SOURCE, label);
            info!(
                delivery = delivery.as_str(),
                event = label,
                ?ingested,
                "accepted"
            );
            reply(
                StatusCode::ACCEPTED,
                json!({ "status": "accepted", "delivery": delivery.as_str() }),
            )
        }
        Ok(Err(error)) => {
            metrics.event_rejected(SOURCE, error.metric_label());
            warn!(%error, "could not store a delivery");
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "the inbox is unavailable; retry" }),
            )
        }
        Err(join_error) => {
            metrics.event_rejected(SOURCE, "internal");
            warn!(%join_error, "storing a delivery panicked");
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": "internal error" }),
            )
        }
    }
}
