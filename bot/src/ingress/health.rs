//! Liveness, readiness, metrics and status routes.

use super::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;
use std::sync::Arc;

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: ready only when the store is open and the workers run.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let store = state.engine.store().is_healthy();
    let workers = state.engine.is_running();
    let status = if store && workers {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(json!({ "store": store, "workers": workers }))).into_response()
}

/// `GET /metrics`: Prometheus text exposition.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (
        [(header::CONTENT_TYPE, content_type)],
        state.metrics.render(),
    )
        .into_response()
}

/// `GET /api/v1/status`: what this process is and how busy it is.
pub async fn status(State(state): State<Arc<AppState>>) -> Response {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "forge": state.info.forge,
        "data_dir": state.info.data_dir,
        "repo": state.info.repo,
        "ready": state.engine.is_running() && state.engine.store().is_healthy(),
        "queue_depth": state.engine.queue_depth(),
    }))
    .into_response()
}
