//! What every webhook route does around its vendor-specific part: refuse a
//! body it could not read (413 over the limit), answer in JSON, and hand a
//! verified event to the engine, answering 202 once it is durable or 200 for
//! a redelivery.

use super::AppState;
use crate::metrics::Metrics;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use bosun_reconciler::engine::Ingested;
use bosun_reconciler::event::{Event, EventKind};
use bosun_reconciler::ids::DeliveryId;
use serde_json::json;
use std::sync::Arc;
use tracing::{info, warn};

/// A JSON answer.
pub(super) fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

/// Refuses a request: counts `reason` as a rejection of `source` and answers
/// `status` with `{"error": message}`.
pub(super) fn reject(
    metrics: &Metrics,
    source: &str,
    reason: &str,
    status: StatusCode,
    message: impl std::fmt::Display,
) -> Response {
    metrics.event_rejected(source, reason);
    reply(status, json!({ "error": message.to_string() }))
}

/// The answer to a body that could not be read: 413 over the limit,
/// counted as a rejection of `source`.
pub(super) fn refuse_body(metrics: &Metrics, source: &str, rejection: &BytesRejection) -> Response {
    let status = rejection.status();
    let reason = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "too_large"
    } else {
        "unreadable_body"
    };
    metrics.event_rejected(source, reason);
    reply(status, json!({ "error": rejection.body_text() }))
}

/// Stores a verified event and answers: 202 once it is durable, 200
/// `duplicate` for a delivery id seen before, 503 when the store fails.
/// `metric_type` is the type counted in `bosun_events_received_total`.
pub(super) async fn ingest(
    state: &AppState,
    source: &str,
    metric_type: &str,
    delivery: DeliveryId,
    kind: EventKind,
) -> Response {
    let metrics = &state.metrics;
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
            metrics.event_duplicate(source);
            reply(
                StatusCode::OK,
                json!({ "status": "duplicate", "delivery": delivery.as_str() }),
            )
        }
        Ok(Ok(ingested)) => {
            metrics.event_received(source, metric_type);
            info!(
                delivery = delivery.as_str(),
                event = label,
                r#type = metric_type,
                ?ingested,
                "accepted"
            );
            reply(
                StatusCode::ACCEPTED,
                json!({ "status": "accepted", "delivery": delivery.as_str() }),
            )
        }
        Ok(Err(error)) => {
            metrics.event_rejected(source, error.metric_label());
            warn!(%error, "could not store a delivery");
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "the inbox is unavailable; retry" }),
            )
        }
        Err(join_error) => {
            metrics.event_rejected(source, "internal");
            warn!(%join_error, "storing a delivery panicked");
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": "internal error" }),
            )
        }
    }
}
