//! The PromQL behind a cost report, and the window it is evaluated over.
//!
//! Each query is a range query evaluated at `start, start + step, ...,
//! end - step`; a point at `t` stands for the interval `[t, t + step)`, so
//! summing `value × step` over the points integrates the value over
//! `[start, end)` exactly when the data changes on step boundaries, and to
//! within one step otherwise.
//!
//! - **GPUs requested** per namespace, from kube-state-metrics, counting only
//!   pods that are `Running` (a `Pending` pod holds no GPU; completed pods
//!   keep their request series in kube-state-metrics):
//!
//!   ```promql
//!   sum by (namespace) (
//!     kube_pod_container_resource_requests{resource="nvidia_com_gpu", <env>}
//!     * on (<cluster label,> namespace, pod) group_left ()
//!       (max by (<cluster label,> namespace, pod) (kube_pod_status_phase{phase="Running", <env>}) == 1)
//!   )
//!   ```
//!
//! - **Coverage**: whether kube-state-metrics reported at all at a step
//!   (`count(kube_pod_status_phase{<env>})`). Steps without it are a gap:
//!   GPU-hours there are unknown, not zero.
//!
//! - **Utilisation** per namespace and GPU model, from dcgm-exporter, as the
//!   sum (busy GPUs) and the count (observed GPUs) of each GPU's utilisation
//!   in `0..1`. `DCGM_FI_DEV_GPU_UTIL` is a percentage; on MIG slices it is
//!   absent and `DCGM_FI_PROF_GR_ENGINE_ACTIVE` (a ratio) stands in (`or`
//!   keeps the first where both exist). When the scrape renamed the pod's
//!   labels (no `honor_labels`), `exported_namespace` carries the pod's
//!   namespace and replaces `namespace`:
//!
//!   ```promql
//!   sum by (namespace, modelName) (label_replace(
//!     (DCGM_FI_DEV_GPU_UTIL{<env>} / 100) or DCGM_FI_PROF_GR_ENGINE_ACTIVE{<env>},
//!     "namespace", "$1", "exported_namespace", "(.+)"))
//!   ```
//!   and the same with `count`. GPUs that serve no pod (empty namespace) are
//!   left out.

use crate::config::MetricsSource;
use crate::ports::metrics::RangeQuery;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::time::Duration;

/// Prometheus refuses range queries of more than 11,000 points per series.
const MAX_POINTS: i64 = 11_000;

/// The interval a report covers, and its resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// Exclusive end.
    pub end: DateTime<Utc>,
    /// The resolution (a whole number of minutes).
    pub step: TimeDelta,
}

impl Window {
    /// The `period` that ends at the last whole hour before `now`, at the
    /// finest whole-minute step that stays under the API's point limit.
    pub fn ending(now: DateTime<Utc>, period: Duration) -> Self {
        let end = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now);
        let length = TimeDelta::from_std(period).unwrap_or(TimeDelta::days(7));
        let minutes = length.num_minutes().max(1);
        let step_minutes = (minutes + MAX_POINTS - 1) / MAX_POINTS;
        Self {
            start: end - length,
            end,
            step: TimeDelta::minutes(step_minutes.max(1)),
        }
    }

    /// The window of the same length just before this one.
    pub fn previous(&self) -> Self {
        let length = self.end - self.start;
        Self {
            start: self.start - length,
            end: self.start,
            step: self.step,
        }
    }

    /// Its length in hours.
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }

    /// The step in hours.
    pub fn step_hours(&self) -> f64 {
        self.step.num_seconds() as f64 / 3600.0
    }

    /// The number of evaluation points.
    pub fn points(&self) -> i64 {
        (self.end - self.start).num_seconds() / self.step.num_seconds().max(1)
    }

    fn range(&self, promql: String) -> RangeQuery {
        RangeQuery {
            promql,
            start: self.start,
            end: self.end - self.step,
            step: self.step.to_std().unwrap_or(Duration::from_secs(60)),
        }
    }
}

/// The queries of one environment over one window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostQueries {
    /// GPUs requested by running pods, per namespace.
    pub requested: RangeQuery,
    /// Whether kube-state-metrics reported at each step.
    pub coverage: RangeQuery,
    /// Sum of GPU utilisation (0..1) per namespace and model.
    pub busy: RangeQuery,
    /// Number of GPUs observed per namespace and model.
    pub observed: RangeQuery,
}

/// Escapes a label value for a PromQL string literal.
fn quote(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

impl CostQueries {
    /// The queries for `source` over `window`.
    pub fn new(source: &MetricsSource, window: &Window) -> Self {
        let (env, on) = match &source.cluster {
            Some((label, value)) => (format!(", {label}={}", quote(value)), format!("{label}, ")),
            None => (String::new(), String::new()),
        };
        let bare_env = env.trim_start_matches(", ").to_owned();
        let requested = format!(
            "sum by (namespace) (kube_pod_container_resource_requests{{resource=\"nvidia_com_gpu\"{env}}} \
             * on ({on}namespace, pod) group_left () \
             (max by ({on}namespace, pod) (kube_pod_status_phase{{phase=\"Running\"{env}}}) == 1))"
        );
        let coverage = format!("count(kube_pod_status_phase{{{bare_env}}})");
        let utilisation = format!(
            "label_replace((DCGM_FI_DEV_GPU_UTIL{{{bare_env}}} / 100) or DCGM_FI_PROF_GR_ENGINE_ACTIVE{{{bare_env}}}, \
             \"namespace\", \"$1\", \"exported_namespace\", \"(.+)\")"
        );
        Self {
            requested: window.range(requested),
            coverage: window.range(coverage),
            busy: window.range(format!("sum by (namespace, modelName) ({utilisation})")),
            observed: window.range(format!("count by (namespace, modelName) ({utilisation})")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_window_ends_at_the_last_whole_hour_under_the_point_limit() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 41, 7).unwrap();
        let week = Window::ending(now, Duration::from_secs(7 * 86_400));
        assert_eq!(
            week.end,
            Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
        );
        assert_eq!(
            week.start,
            Utc.with_ymd_and_hms(2026, 11, 16, 9, 0, 0).unwrap()
        );
        assert_eq!(week.step, TimeDelta::minutes(1));
        let quarter = Window::ending(now, Duration::from_secs(90 * 86_400));
        assert_eq!(quarter.step, TimeDelta::minutes(12));
        assert!(quarter.points() <= MAX_POINTS);
        assert_eq!(week.previous().end, week.start);
    }

    #[test]
    fn queries_select_the_cluster_and_join_on_it() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let window = Window::ending(now, Duration::from_secs(86_400));
        let source = MetricsSource {
            url: "http://m".into(),
            cluster: Some(("cluster".into(), "aks-\"prd\"".into())),
        };
        let q = CostQueries::new(&source, &window);
        assert!(
            q.requested
                .promql
                .contains(r#"resource="nvidia_com_gpu", cluster="aks-\"prd\"""#),
            "{}",
            q.requested.promql
        );
        assert!(q.requested.promql.contains("on (cluster, namespace, pod)"));
        assert_eq!(
            q.coverage.promql,
            r#"count(kube_pod_status_phase{cluster="aks-\"prd\""})"#
        );
        assert_eq!(q.busy.end, window.end - window.step);
        let plain = CostQueries::new(
            &MetricsSource {
                url: "http://m".into(),
                cluster: None,
            },
            &window,
        );
        assert_eq!(plain.coverage.promql, "count(kube_pod_status_phase{})");
        assert!(plain.requested.promql.contains("on (namespace, pod)"));
    }
}
