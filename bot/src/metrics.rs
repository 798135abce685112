//! Prometheus metrics for the whole process, exposed at `GET /metrics`.
//!
//! One [`Metrics`] value is built at start-up and shared; the engine reports
//! through [`EngineObserver`], outbound clients through [`OutboundObserver`].

use bosun_reconciler::engine::EngineObserver;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

/// Labels of an event that was accepted.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    source: String,
    r#type: String,
}

/// Labels of a request that was refused before it reached the inbox.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RejectLabels {
    source: String,
    reason: String,
}

/// Labels naming a source.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
}

/// Labels of a failed reconcile.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    error: String,
}

/// Labels of a call bosun made to another service.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboundLabels {
    service: String,
    method: String,
    status: String,
}

/// Receives a note of every HTTP call bosun makes to a vendor API.
pub trait OutboundObserver: Send + Sync {
    /// One call to `service` ended with `status` (`None`: no response arrived).
    fn outbound_call(&self, service: &str, method: &str, status: Option<u16>);
}

/// Every metric bosun exports, with the registry that renders them.
pub struct Metrics {
    registry: Registry,
    received: Family<EventLabels, Counter>,
    rejected: Family<RejectLabels, Counter>,
    duplicates: Family<SourceLabels, Counter>,
    queue_depth: Gauge,
    reconcile_seconds: Histogram,
    reconcile_errors: Family<ErrorLabels, Counter>,
    outbound: Family<OutboundLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under the `bosun_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("bosun");
        let received = Family::<EventLabels, Counter>::default();
        let rejected = Family::<RejectLabels, Counter>::default();
        let duplicates = Family::<SourceLabels, Counter>::default();
        let queue_depth = Gauge::default();
        let buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0];
        let reconcile_seconds = Histogram::new(buckets);
        let reconcile_errors = Family::<ErrorLabels, Counter>::default();
        let outbound = Family::<OutboundLabels, Counter>::default();
        registry.register(
            "events_received",
            "Verified events accepted into the inbox, by source and type",
            received.clone(),
        );
        registry.register(
            "events_rejected",
            "Requests refused before the inbox, by source and reason",
            rejected.clone(),
        );
        registry.register(
            "events_duplicate",
            "Redeliveries of an event already in the inbox",
            duplicates.clone(),
        );
        registry.register(
            "queue_depth",
            "Work keys waiting or running",
            queue_depth.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Time spent in one reconcile of one key",
            reconcile_seconds.clone(),
        );
        registry.register(
            "reconcile_errors",
            "Failed reconciles, by error label",
            reconcile_errors.clone(),
        );
        registry.register(
            "outbound_requests",
            "Calls to vendor APIs, by service, method and HTTP status",
            outbound.clone(),
        );
        Self {
            registry,
            received,
            rejected,
            duplicates,
            queue_depth,
            reconcile_seconds,
            reconcile_errors,
            outbound,
        }
    }

    /// Counts an event accepted into the inbox.
    pub fn event_received(&self, source: &str, kind: &str) {
        self.received
            .get_or_create(&EventLabels {
                source: source.to_owned(),
                r#type: kind.to_owned(),
            })
            .inc();
    }

    /// Counts a request refused before the inbox.
    pub fn event_rejected(&self, source: &str, reason: &str) {
        self.rejected
            .get_or_create(&RejectLabels {
                source: source.to_owned(),
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// Counts a redelivery.
    pub fn event_duplicate(&self, source: &str) {
        self.duplicates
            .get_or_create(&SourceLabels {
                source: source.to_owned(),
            })
            .inc();
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

impl EngineObserver for Metrics {
    fn queue_depth(&self, depth: usize) {
        self.queue_depth
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    fn reconciled(&self, elapsed: Duration, error_label: Option<&'static str>) {
        self.reconcile_seconds.observe(elapsed.as_secs_f64());
        if let Some(label) = error_label {
            self.reconcile_errors
                .get_or_create(&ErrorLabels {
                    error: label.to_owned(),
                })
                .inc();
        }
    }
}

impl OutboundObserver for Metrics {
    fn outbound_call(&self, service: &str, method: &str, status: Option<u16>) {
        let status = status.map_or_else(|| "error".to_owned(), |s| s.to_string());
        self.outbound
            .get_or_create(&OutboundLabels {
                service: service.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
    }
}
