//! From range-query series to what an environment's GPUs did over a window:
//! GPU-hours requested per namespace, GPU-hours observed and busy per
//! namespace and model, and the hours nobody reported (gaps). Pure.

use super::promql::Window;
use crate::ports::metrics::Series;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// What dcgm-exporter saw of one namespace's GPUs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GpuObservation {
    /// GPU-hours observed, by GPU model (`modelName`).
    pub observed_hours: BTreeMap<String, f64>,
    /// GPU-hours the GPUs were busy (utilisation integrated over time).
    pub busy_hours: f64,
}

impl GpuObservation {
    /// All GPU-hours observed, whatever the model.
    pub fn total_observed(&self) -> f64 {
        self.observed_hours.values().sum()
    }

    /// Busy over observed, in `0..1`; `None` when nothing was observed.
    pub fn utilisation(&self) -> Option<f64> {
        let observed = self.total_observed();
        (observed > 0.0).then(|| (self.busy_hours / observed).clamp(0.0, 1.0))
    }
}

/// One namespace over a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamespaceUsage {
    /// GPU-hours requested by its running pods.
    pub gpu_hours: f64,
    /// What dcgm-exporter saw; `None` when it has no series for the namespace.
    pub gpus: Option<GpuObservation>,
}

/// An interval with no kube-state-metrics data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// First step without data.
    pub start: DateTime<Utc>,
    /// End of the last step without data.
    pub end: DateTime<Utc>,
}

/// One environment over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvUsage {
    /// The window.
    pub window: Window,
    /// Per namespace.
    pub namespaces: BTreeMap<String, NamespaceUsage>,
    /// Intervals where kube-state-metrics reported nothing.
    pub gaps: Vec<Gap>,
}

impl EnvUsage {
    /// Hours of the window that have no data.
    pub fn missing_hours(&self) -> f64 {
        self.gaps
            .iter()
            .map(|g| (g.end - g.start).num_seconds() as f64 / 3600.0)
            .sum()
    }
}

/// The series of the four cost queries (see [`super::promql::CostQueries`]).
#[derive(Debug, Clone, Default)]
pub struct CostSeries {
    /// GPUs requested per namespace.
    pub requested: Vec<Series>,
    /// kube-state-metrics presence.
    pub coverage: Vec<Series>,
    /// Busy GPUs per namespace and model.
    pub busy: Vec<Series>,
    /// Observed GPUs per namespace and model.
    pub observed: Vec<Series>,
}

/// Value × step summed over a series' points inside the window, in hours.
fn integrate(series: &Series, window: &Window) -> f64 {
    series
        .points
        .iter()
        .filter(|(t, v)| *t >= window.start && *t < window.end && v.is_finite())
        .map(|(_, v)| v * window.step_hours())
        .sum()
}

fn gaps(coverage: &[Series], window: &Window) -> Vec<Gap> {
    let present: BTreeSet<DateTime<Utc>> = coverage
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(_, v)| *v > 0.0)
        .map(|(t, _)| *t)
        .collect();
    let mut gaps: Vec<Gap> = Vec::new();
    let mut t = window.start;
    while t < window.end {
        if !present.contains(&t) {
            match gaps.last_mut() {
                Some(gap) if gap.end == t => gap.end = t + window.step,
                _ => gaps.push(Gap {
                    start: t,
                    end: t + window.step,
                }),
            }
        }
        t += window.step;
    }
    gaps
}

/// Integrates the series over the window.
pub fn usage(window: Window, series: &CostSeries) -> EnvUsage {
    let mut namespaces: BTreeMap<String, NamespaceUsage> = BTreeMap::new();
    for s in &series.requested {
        let namespace = s.label("namespace");
        if namespace.is_empty() {
            continue;
        }
        namespaces
            .entry(namespace.to_owned())
            .or_default()
            .gpu_hours += integrate(s, &window);
    }
    for (list, busy) in [(&series.observed, false), (&series.busy, true)] {
        for s in list {
            let namespace = s.label("namespace");
            if namespace.is_empty() {
                continue;
            }
            let hours = integrate(s, &window);
            let gpus = namespaces
                .entry(namespace.to_owned())
                .or_default()
                .gpus
                .get_or_insert_with(GpuObservation::default);
            if busy {
                gpus.busy_hours += hours;
            } else {
                let model = match s.label("modelName") {
                    "" => "unknown model",
                    model => model,
                };
                *gpus.observed_hours.entry(model.to_owned()).or_default() += hours;
            }
        }
    }
    EnvUsage {
        window,
        namespaces,
        gaps: gaps(&series.coverage, &window),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn window() -> Window {
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        Window {
            start,
            end: start + TimeDelta::hours(4),
            step: TimeDelta::minutes(30),
        }
    }

    fn series(labels: &[(&str, &str)], values: &[(i64, f64)]) -> Series {
        let w = window();
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: values
                .iter()
                .map(|(minutes, v)| (w.start + TimeDelta::minutes(*minutes), *v))
                .collect(),
        }
    }

    #[test]
    fn requests_integrate_as_value_times_step_and_gaps_are_found() {
        let requested = series(&[("namespace", "ml")], &[(0, 2.0), (30, 2.0), (60, 4.0)]);
        // Coverage for the first two hours and the last hour: 02:00-03:00 is a gap.
        let coverage = series(
            &[],
            &[
                (0, 9.0),
                (30, 9.0),
                (60, 9.0),
                (90, 9.0),
                (180, 9.0),
                (210, 9.0),
            ],
        );
        let busy = series(
            &[("namespace", "ml"), ("modelName", "Tesla T4")],
            &[(0, 0.5), (30, 1.0)],
        );
        let observed = series(
            &[("namespace", "ml"), ("modelName", "Tesla T4")],
            &[(0, 2.0), (30, 2.0)],
        );
        let usage = usage(
            window(),
            &CostSeries {
                requested: vec![requested],
                coverage: vec![coverage],
                busy: vec![busy],
                observed: vec![observed],
            },
        );
        let ml = &usage.namespaces["ml"];
        assert_eq!(ml.gpu_hours, 4.0);
        let gpus = ml.gpus.as_ref().unwrap();
        assert_eq!(gpus.total_observed(), 2.0);
        assert_eq!(gpus.busy_hours, 0.75);
        assert_eq!(gpus.utilisation(), Some(0.375));
        assert_eq!(usage.gaps.len(), 1);
        assert_eq!(usage.gaps[0].start, window().start + TimeDelta::hours(2));
        assert_eq!(usage.gaps[0].end, window().start + TimeDelta::hours(3));
        assert_eq!(usage.missing_hours(), 1.0);
    }

    #[test]
    fn a_namespace_without_dcgm_series_has_no_observation() {
        let usage = usage(
            window(),
            &CostSeries {
                requested: vec![series(&[("namespace", "batch")], &[(0, 1.0)])],
                ..CostSeries::default()
            },
        );
        assert_eq!(usage.namespaces["batch"].gpus, None);
        assert_eq!(usage.missing_hours(), 4.0);
    }
}
