//! Flux error events summarised like alerts: one thread per Flux object per
//! environment, opened by its first error, updated while it keeps failing,
//! and closed when the object reconciles again.

use crate::event::{FluxEvent, FluxSeverity};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A Flux object's failure as bosun keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FluxFailure {
    /// The environment.
    pub env: String,
    /// `Kustomization/flux-system/apps`.
    pub object: String,
    /// Whether it is failing now.
    pub failing: bool,
    /// When the current (or last) failure started.
    pub since: DateTime<Utc>,
    /// The last event considered, to ignore older redeliveries.
    pub last_event_at: DateTime<Utc>,
    /// When it recovered, once it did.
    pub recovered_at: Option<DateTime<Utc>>,
    /// Flux's reason for the last error.
    pub reason: String,
    /// Flux's message for the last error.
    pub message: String,
    /// The revision the last error was about.
    pub revision: Option<String>,
    /// Grows with every change; names the change's notice.
    pub revision_count: u64,
}

/// The object an event is about: `<kind>/<namespace>/<name>`.
pub fn object_of(event: &FluxEvent) -> String {
    format!("{}/{}/{}", event.kind, event.namespace, event.name)
}

/// What an event did to a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FluxChange {
    /// The object started failing.
    Failed,
    /// It failed again, differently or at another revision.
    StillFailing,
    /// It reconciled again.
    Recovered,
}

impl FluxFailure {
    /// The chat thread: `flux:<env>:<kind>/<namespace>/<name>`.
    pub fn thread(&self) -> String {
        format!("flux:{}:{}", self.env, self.object)
    }

    /// How long the failure lasted, once recovered.
    pub fn lasted(&self) -> Option<Duration> {
        self.recovered_at.map(|end| end - self.since)
    }

    /// Folds one event into what is known of the object (`None`: nothing
    /// known yet). Returns the new state and what changed, or `None` when
    /// the event changes nothing (an info event while healthy, a trace, a
    /// repeat, or an event older than the last one considered).
    pub fn fold(
        current: Option<&FluxFailure>,
        env: &str,
        event: &FluxEvent,
    ) -> Option<(FluxFailure, FluxChange)> {
        if current.is_some_and(|c| event.timestamp < c.last_event_at) {
            return None;
        }
        let revision = event.revision.as_ref().map(|r| r.raw.clone());
        match (event.severity, current) {
            (FluxSeverity::Trace, _) => None,
            (FluxSeverity::Info, Some(c)) if c.failing => {
                let mut next = c.clone();
                next.failing = false;
                next.recovered_at = Some(event.timestamp);
                next.last_event_at = event.timestamp;
                next.revision_count += 1;
                Some((next, FluxChange::Recovered))
            }
            (FluxSeverity::Info, _) => None,
            (FluxSeverity::Error, Some(c)) if c.failing => {
                let same = c.reason == event.reason
                    && c.message == event.message
                    && c.revision == revision;
                if same {
                    return None;
                }
                let mut next = c.clone();
                next.last_event_at = event.timestamp;
                next.reason = event.reason.clone();
                next.message = event.message.clone();
                next.revision = revision;
                next.revision_count += 1;
                Some((next, FluxChange::StillFailing))
            }
            (FluxSeverity::Error, previous) => Some((
                FluxFailure {
                    env: env.to_owned(),
                    object: object_of(event),
                    failing: true,
                    since: event.timestamp,
                    last_event_at: event.timestamp,
                    recovered_at: None,
                    reason: event.reason.clone(),
                    message: event.message.clone(),
                    revision,
                    revision_count: previous.map_or(0, |p| p.revision_count) + 1,
                },
                FluxChange::Failed,
            )),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::FluxRevision;

    pub(crate) fn event(severity: FluxSeverity, reason: &str, minute: u32) -> FluxEvent {
        FluxEvent {
            kind: "Kustomization".to_owned(),
            name: "apps".to_owned(),
            namespace: "flux-system".to_owned(),
            severity,
            reason: reason.to_owned(),
            message: format!("{reason}: deployment/web not ready"),
            timestamp: crate::alerts::group::tests::at(minute),
            revision: Some(FluxRevision::parse(
                "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1",
            )),
            env: Some("prd".to_owned()),
            cluster: None,
            reporting_controller: "kustomize-controller".to_owned(),
        }
    }

    #[test]
    fn an_error_opens_a_failure_and_a_success_closes_it_with_its_duration() {
        let (failed, change) = FluxFailure::fold(
            None,
            "prd",
            &event(FluxSeverity::Error, "HealthCheckFailed", 1),
        )
        .unwrap();
        assert_eq!(change, FluxChange::Failed);
        assert_eq!(failed.thread(), "flux:prd:Kustomization/flux-system/apps");
        let repeat = event(FluxSeverity::Error, "HealthCheckFailed", 2);
        assert_eq!(FluxFailure::fold(Some(&failed), "prd", &repeat), None);
        let other = event(FluxSeverity::Error, "BuildFailed", 3);
        let (still, change) = FluxFailure::fold(Some(&failed), "prd", &other).unwrap();
        assert_eq!(
            (change, still.reason.as_str()),
            (FluxChange::StillFailing, "BuildFailed")
        );
        let ok = event(FluxSeverity::Info, "ReconciliationSucceeded", 11);
        let (recovered, change) = FluxFailure::fold(Some(&still), "prd", &ok).unwrap();
        assert_eq!(change, FluxChange::Recovered);
        assert_eq!(recovered.lasted(), Some(Duration::minutes(10)));
    }

    #[test]
    fn info_while_healthy_and_older_events_change_nothing() {
        let ok = event(FluxSeverity::Info, "ReconciliationSucceeded", 1);
        assert_eq!(FluxFailure::fold(None, "prd", &ok), None);
        let (failed, _) =
            FluxFailure::fold(None, "prd", &event(FluxSeverity::Error, "BuildFailed", 5)).unwrap();
        let older = event(FluxSeverity::Info, "ReconciliationSucceeded", 4);
        assert_eq!(FluxFailure::fold(Some(&failed), "prd", &older), None);
    }
}
