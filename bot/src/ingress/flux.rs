//! `POST /webhooks/flux`: Flux notification-controller events from a
//! `generic-hmac` Provider. Verify `X-Signature` over the raw body, read the
//! event, store it durably (deduplicated by the body's digest), then answer.
//! Nothing consumes these events yet: they are recorded and wake no work.

use super::AppState;
use super::flux_payload;
use super::inbox;
use super::signature::verify_x_signature;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bosun_reconciler::event::EventKind;
use std::sync::Arc;
use tracing::warn;

const SOURCE: &str = "flux";

/// Handles one Flux event.
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
    let signature = headers.get("x-signature").map(|v| v.as_bytes());
    if let Err(error) = verify_x_signature(&state.flux_keys, signature, &body) {
        warn!(%error, "refused a Flux event");
        let (reason, status) = (error.metric_label(), StatusCode::UNAUTHORIZED);
        return inbox::reject(metrics, SOURCE, reason, status, error);
    }
    let event = match flux_payload::parse(&body) {
        Ok(event) => event,
        Err(error) => {
            return inbox::reject(metrics, SOURCE, "malformed", StatusCode::BAD_REQUEST, error);
        }
    };
    let metric_type = event.kind.to_ascii_lowercase();
    let delivery = flux_payload::delivery_id(&body);
    inbox::ingest(
        &state,
        SOURCE,
        &metric_type,
        delivery,
        EventKind::Flux(event),
    )
    .await
}
