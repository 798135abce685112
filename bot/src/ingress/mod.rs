//! The HTTP front door: one route per vendor, each verifying before it
//! parses, persisting before it answers; health, readiness, metrics and
//! status. [`app`] builds the router so tests drive it in-process.

mod alertmanager;
pub mod alertmanager_payload;
mod api;
mod flux;
pub mod flux_payload;
mod github;
pub mod github_payload;
mod health;
mod inbox;
pub mod signature;

pub use alertmanager::AlertIngress;

use crate::metrics::Metrics;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use bosun_reconciler::engine::Engine;
use secrecy::SecretString;
use std::sync::Arc;

/// GitHub never delivers a payload over 25 MB.
pub const DEFAULT_MAX_BODY: usize = 25 * 1024 * 1024;

/// Facts about this process shown at `GET /api/v1/status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServiceInfo {
    /// `github` or `local`.
    pub forge: String,
    /// Where the store lives.
    pub data_dir: String,
    /// The managed repository in local mode.
    pub repo: Option<String>,
}

/// What every route shares.
pub struct AppState {
    /// The engine that owns the inbox and the queue.
    pub engine: Arc<Engine>,
    /// Process metrics.
    pub metrics: Arc<Metrics>,
    /// Secrets that may sign GitHub webhooks (several during a rotation).
    pub github_secrets: Vec<SecretString>,
    /// Keys that may sign Flux `generic-hmac` events (several during a
    /// rotation); empty refuses every Flux event.
    pub flux_keys: Vec<SecretString>,
    /// The largest request body accepted.
    pub max_body: usize,
    /// Shown on the status route.
    pub info: ServiceInfo,
    /// The token of the local API (`bosun send`, `bosun audit`).
    pub api_token: Option<SecretString>,
    /// Alertmanager's tokens and the labels naming an alert's environment.
    pub alerts: AlertIngress,
}

/// The router with every route bosun serves.
pub fn app(state: Arc<AppState>) -> Router {
    let max_body = state.max_body;
    Router::new()
        .route(
            "/webhooks/github",
            post(github::receive).layer(DefaultBodyLimit::max(max_body)),
        )
        .route(
            "/webhooks/flux",
            post(flux::receive).layer(DefaultBodyLimit::max(max_body)),
        )
        .route(
            "/webhooks/alertmanager",
            post(alertmanager::receive).layer(DefaultBodyLimit::max(max_body)),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/api/v1/status", get(health::status))
        .route("/api/v1/commands", post(api::command))
        .route("/api/v1/audit", get(api::audit))
        .with_state(state)
}
