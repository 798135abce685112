//! One alert group as bosun keeps it: every alert of one name in one
//! environment, what each is doing now, and the history of firings the daily
//! digest counts. Folding notifications into it is pure and idempotent: a
//! redelivered or out-of-date notification changes nothing.

use super::batch::{Alert, AlertStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long the history of firings is kept (the digest looks back one day).
pub const HISTORY_DAYS: i64 = 8;

/// One alert as last reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedAlert {
    /// Firing or resolved.
    pub status: AlertStatus,
    /// When this firing started.
    pub starts_at: DateTime<Utc>,
    /// When it resolved.
    pub ends_at: Option<DateTime<Utc>>,
    /// Its summary.
    pub summary: Option<String>,
    /// The labels that set it apart in its group.
    pub labels: BTreeMap<String, String>,
    /// Its severity.
    pub severity: Option<String>,
}

/// One firing, for the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firing {
    /// The alert's fingerprint.
    pub fingerprint: String,
    /// When it started.
    pub starts_at: DateTime<Utc>,
    /// When it resolved, once known.
    pub ends_at: Option<DateTime<Utc>>,
}

/// Every alert of one name in one environment: one chat thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertGroup {
    /// The environment.
    pub env: String,
    /// The alert name.
    pub name: String,
    /// The alerts of the current episode, by fingerprint. A firing after
    /// everything resolved starts a new episode and forgets resolved alerts.
    pub alerts: BTreeMap<String, TrackedAlert>,
    /// Firings of the last [`HISTORY_DAYS`] days, oldest first.
    pub history: Vec<Firing>,
    /// Grows with every change; names the change's notice.
    pub revision: u64,
}

/// What one fold changed, for the thread's reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Fingerprints that started firing.
    pub fired: Vec<String>,
    /// Fingerprints that resolved.
    pub resolved: Vec<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.fired.is_empty() && self.resolved.is_empty()
    }
}

impl AlertGroup {
    /// An empty group.
    pub fn new(env: &str, name: &str) -> Self {
        Self {
            env: env.to_owned(),
            name: name.to_owned(),
            alerts: BTreeMap::new(),
            history: Vec::new(),
            revision: 0,
        }
    }

    /// The store key of a group: `<env>/<name>`.
    pub fn key(env: &str, name: &str) -> String {
        format!("{env}/{name}")
    }

    /// The chat thread of a group: `alert:<env>:<name>`.
    pub fn thread(&self) -> String {
        format!("alert:{}:{}", self.env, self.name)
    }

    /// Alerts firing now.
    pub fn firing(&self) -> impl Iterator<Item = (&String, &TrackedAlert)> {
        self.alerts
            .iter()
            .filter(|(_, a)| a.status == AlertStatus::Firing)
    }

    /// Whether any alert fires.
    pub fn is_firing(&self) -> bool {
        self.firing().next().is_some()
    }

    /// How long the current episode lasted, once every alert resolved:
    /// from the first start to the last end.
    pub fn lasted(&self) -> Option<Duration> {
        if self.is_firing() || self.alerts.is_empty() {
            return None;
        }
        let start = self.alerts.values().map(|a| a.starts_at).min()?;
        let end = self.alerts.values().filter_map(|a| a.ends_at).max()?;
        Some(end - start)
    }

    /// Folds one alert in; records what changed in `changes`.
    pub fn apply(&mut self, alert: &Alert, changes: &mut Changes) {
        let current = self.alerts.get(&alert.fingerprint);
        let changed = match (alert.status, current) {
            // Older than what is known: a late redelivery.
            (_, Some(known)) if alert.starts_at < known.starts_at => false,
            (AlertStatus::Firing, Some(known)) => {
                known.status == AlertStatus::Resolved && alert.starts_at > known.starts_at
            }
            (AlertStatus::Firing, None) => true,
            (AlertStatus::Resolved, Some(known)) => known.status == AlertStatus::Firing,
            (AlertStatus::Resolved, None) => true,
        };
        if !changed {
            return;
        }
        if alert.status == AlertStatus::Firing && !self.is_firing() {
            self.alerts.clear();
        }
        self.alerts.insert(
            alert.fingerprint.clone(),
            TrackedAlert {
                status: alert.status,
                starts_at: alert.starts_at,
                ends_at: alert.ends_at,
                summary: alert.summary.clone(),
                labels: alert.labels.clone(),
                severity: alert.severity.clone(),
            },
        );
        self.record_history(alert);
        match alert.status {
            AlertStatus::Firing => changes.fired.push(alert.fingerprint.clone()),
            AlertStatus::Resolved => changes.resolved.push(alert.fingerprint.clone()),
        }
    }

    fn record_history(&mut self, alert: &Alert) {
        let same =
            |f: &&mut Firing| f.fingerprint == alert.fingerprint && f.starts_at == alert.starts_at;
        match self.history.iter_mut().find(same) {
            Some(firing) => firing.ends_at = alert.ends_at.or(firing.ends_at),
            None => {
                self.history.push(Firing {
                    fingerprint: alert.fingerprint.clone(),
                    starts_at: alert.starts_at,
                    ends_at: alert.ends_at,
                });
                self.history.sort_by_key(|f| f.starts_at);
            }
        }
    }

    /// Forgets firings that ended more than [`HISTORY_DAYS`] before `now`.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let horizon = now - Duration::days(HISTORY_DAYS);
        self.history
            .retain(|f| f.ends_at.is_none_or(|end| end >= horizon));
    }

    /// Firings that started in `(from, to]`.
    pub fn fired_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> usize {
        self.history
            .iter()
            .filter(|f| f.starts_at > from && f.starts_at <= to)
            .count()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn at(minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-11-23T03:{minute:02}:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    pub(crate) fn alert(fp: &str, status: AlertStatus, start: u32, end: Option<u32>) -> Alert {
        Alert {
            name: "GpuHot".to_owned(),
            env: "prd".to_owned(),
            status,
            fingerprint: fp.to_owned(),
            starts_at: at(start),
            ends_at: end.map(at),
            summary: Some(format!("GPU {fp} is hot")),
            labels: BTreeMap::from([("gpu".to_owned(), fp.to_owned())]),
            severity: Some("warning".to_owned()),
        }
    }

    #[test]
    fn forty_alerts_of_one_name_are_one_group_and_a_redelivery_changes_nothing() {
        let mut group = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        for i in 0..40 {
            group.apply(
                &alert(&format!("g{i:02}"), AlertStatus::Firing, 1, None),
                &mut changes,
            );
        }
        assert_eq!(changes.fired.len(), 40);
        assert_eq!(group.firing().count(), 40);
        let mut again = Changes::default();
        for i in 0..40 {
            group.apply(
                &alert(&format!("g{i:02}"), AlertStatus::Firing, 1, None),
                &mut again,
            );
        }
        assert!(again.is_empty());
        assert_eq!(group.history.len(), 40);
    }

    #[test]
    fn resolving_every_alert_ends_the_episode_with_how_long_it_lasted() {
        let mut group = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        group.apply(&alert("a", AlertStatus::Firing, 1, None), &mut changes);
        group.apply(&alert("b", AlertStatus::Firing, 3, None), &mut changes);
        group.apply(&alert("a", AlertStatus::Resolved, 1, Some(5)), &mut changes);
        assert_eq!(group.lasted(), None, "b still fires");
        group.apply(
            &alert("b", AlertStatus::Resolved, 3, Some(13)),
            &mut changes,
        );
        assert_eq!(group.lasted(), Some(Duration::minutes(12)));
        assert_eq!(changes.resolved, ["a", "b"]);
    }

    #[test]
    fn a_late_firing_redelivery_does_not_undo_a_resolve() {
        let mut group = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        group.apply(&alert("a", AlertStatus::Firing, 1, None), &mut changes);
        group.apply(&alert("a", AlertStatus::Resolved, 1, Some(4)), &mut changes);
        let mut late = Changes::default();
        group.apply(&alert("a", AlertStatus::Firing, 1, None), &mut late);
        assert!(late.is_empty());
        assert!(!group.is_firing());
    }

    #[test]
    fn a_flapping_alert_stays_in_its_group_and_counts_each_firing() {
        let mut group = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        for (start, end) in [(1, 2), (3, 4), (5, 6)] {
            group.apply(&alert("a", AlertStatus::Firing, start, None), &mut changes);
            group.apply(
                &alert("a", AlertStatus::Resolved, start, Some(end)),
                &mut changes,
            );
        }
        assert_eq!(group.fired_between(at(0), at(59)), 3);
        assert_eq!(group.fired_between(at(2), at(59)), 2);
        assert_eq!(group.alerts.len(), 1);
        assert_eq!(group.lasted(), Some(Duration::minutes(1)));
    }

    #[test]
    fn history_older_than_the_horizon_is_forgotten_unless_still_firing() {
        let mut group = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        group.apply(&alert("a", AlertStatus::Resolved, 1, Some(2)), &mut changes);
        group.apply(&alert("b", AlertStatus::Firing, 1, None), &mut changes);
        group.prune(at(2) + Duration::days(HISTORY_DAYS + 1));
        assert_eq!(group.history.len(), 1);
        assert_eq!(group.history[0].fingerprint, "b");
    }
}
