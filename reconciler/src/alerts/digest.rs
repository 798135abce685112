//! The daily digest of an environment: what fired in the last 24 hours, what
//! is still firing, the noisiest alerts, and the Flux objects still failing.
//! Computed from the groups kept in the store, so it survives restarts.

use super::flux_errors::FluxFailure;
use super::group::AlertGroup;
use chrono::{DateTime, Duration, Utc};

/// How many alerts the digest names as the noisiest.
pub const NOISIEST: usize = 5;

/// One environment's day, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The environment.
    pub env: String,
    /// The start of the day covered.
    pub from: DateTime<Utc>,
    /// Its end (when the digest was due).
    pub to: DateTime<Utc>,
    /// Firings that started in the day, all alerts together.
    pub fired: usize,
    /// Alert names that fired in the day.
    pub names_fired: usize,
    /// Alert names firing now, with how many of their alerts fire.
    pub still_firing: Vec<(String, usize)>,
    /// The alert names that fired most in the day, most first.
    pub noisiest: Vec<(String, usize)>,
    /// Flux objects failing now: object, reason, since.
    pub flux_failing: Vec<(String, String, DateTime<Utc>)>,
}

/// The digest of `env` for the 24 hours before `to`.
pub fn digest(env: &str, to: DateTime<Utc>, groups: &[AlertGroup], flux: &[FluxFailure]) -> Digest {
    let from = to - Duration::hours(24);
    let mut counts: Vec<(String, usize)> = groups
        .iter()
        .filter(|g| g.env == env)
        .map(|g| (g.name.clone(), g.fired_between(from, to)))
        .filter(|(_, n)| *n > 0)
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let still_firing = groups
        .iter()
        .filter(|g| g.env == env)
        .map(|g| (g.name.clone(), g.firing().count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let flux_failing = flux
        .iter()
        .filter(|f| f.env == env && f.failing)
        .map(|f| (f.object.clone(), f.reason.clone(), f.since))
        .collect();
    Digest {
        env: env.to_owned(),
        from,
        to,
        fired: counts.iter().map(|(_, n)| n).sum(),
        names_fired: counts.len(),
        still_firing,
        noisiest: counts.into_iter().take(NOISIEST).collect(),
        flux_failing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::batch::AlertStatus;
    use crate::alerts::group::Changes;
    use crate::alerts::group::tests::{alert, at};

    #[test]
    fn the_digest_counts_the_day_names_what_still_fires_and_ranks_the_noisiest() {
        let mut hot = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        for (start, end) in [(1, 2), (3, 4), (5, 6)] {
            hot.apply(&alert("a", AlertStatus::Firing, start, None), &mut changes);
            hot.apply(
                &alert("a", AlertStatus::Resolved, start, Some(end)),
                &mut changes,
            );
        }
        let mut down = AlertGroup::new("prd", "NodeDown");
        let mut node = alert("n1", AlertStatus::Firing, 10, None);
        node.name = "NodeDown".to_owned();
        down.apply(&node, &mut changes);
        let mut elsewhere = AlertGroup::new("stg", "GpuHot");
        let mut stg = alert("s", AlertStatus::Firing, 10, None);
        stg.env = "stg".to_owned();
        elsewhere.apply(&stg, &mut changes);
        // Yesterday's firing is outside the day.
        let mut old = AlertGroup::new("prd", "DiskFull");
        old.apply(&alert("d", AlertStatus::Resolved, 1, Some(2)), &mut changes);
        old.history[0].starts_at = at(1) - Duration::days(2);

        let day = digest("prd", at(30), &[hot, down, elsewhere, old], &[]);
        assert_eq!(day.fired, 4);
        assert_eq!(day.names_fired, 2);
        assert_eq!(
            day.noisiest,
            [("GpuHot".to_owned(), 3), ("NodeDown".to_owned(), 1)]
        );
        assert_eq!(day.still_firing, [("NodeDown".to_owned(), 1)]);
    }
}
