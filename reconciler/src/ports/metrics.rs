//! The `Metrics` port: PromQL queries against a Prometheus-compatible API
//! (Prometheus, Mimir, Thanos), answered as typed series.
//!
//! The engine writes PromQL and reads numbers; how the query travels (HTTP,
//! bearer token, timeouts) is the adapter's business (`bot::cost::prometheus`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// One series of a range query: its labels and its points, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' labels (without `__name__` when the query aggregated it away).
    pub labels: BTreeMap<String, String>,
    /// `(evaluation time, value)` pairs, one per step where the series had a value.
    pub points: Vec<(DateTime<Utc>, f64)>,
}

impl Series {
    /// The value of a label, or `""` when the series does not carry it
    /// (PromQL treats a missing label and an empty one alike).
    pub fn label(&self, name: &str) -> &str {
        self.labels.get(name).map(String::as_str).unwrap_or("")
    }
}

/// One sample of an instant query.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The sample's labels.
    pub labels: BTreeMap<String, String>,
    /// Its value.
    pub value: f64,
}

/// A range query: evaluated at `start`, `start + step`, ... up to `end` inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeQuery {
    /// The PromQL expression.
    pub promql: String,
    /// The first evaluation time.
    pub start: DateTime<Utc>,
    /// The last evaluation time (inclusive).
    pub end: DateTime<Utc>,
    /// The distance between evaluations.
    pub step: Duration,
}

/// Why a query has no answer.
#[derive(Debug, Error)]
pub enum MetricsError {
    /// The server could not be reached, or did not answer in time.
    #[error("the metrics server at {url} could not be reached: {reason}")]
    Unreachable {
        /// The server.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server refused the query (bad PromQL, too many points, auth).
    #[error("the metrics server at {url} refused the query ({status}): {reason}")]
    Refused {
        /// The server.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's error text.
        reason: String,
    },
    /// The answer was not a Prometheus API answer of the expected shape.
    #[error("the metrics server at {url} answered something unexpected: {reason}")]
    Malformed {
        /// The server.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// A Prometheus-compatible query API.
#[async_trait]
pub trait Metrics: Send + Sync {
    /// Evaluates an expression over a time range (`/api/v1/query_range`).
    async fn query_range(&self, query: &RangeQuery) -> Result<Vec<Series>, MetricsError>;

    /// Evaluates an expression at one instant (`/api/v1/query`).
    async fn query(&self, promql: &str, at: DateTime<Utc>) -> Result<Vec<Sample>, MetricsError>;
}

/// Opens a [`Metrics`] client for an API base URL (the adapter holds the
/// credentials, which never come from the repository).
pub trait MetricsConnector: Send + Sync {
    /// A client for the API at `base_url` (e.g. `http://prometheus:9090` or
    /// `https://mimir.example/prometheus`).
    fn connect(&self, base_url: &str) -> Result<Arc<dyn Metrics>, MetricsError>;
}
