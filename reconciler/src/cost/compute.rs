//! From usage to money: cost = GPU-hours × price of the GPU model, split into
//! used (× utilisation) and idle (× (1 − utilisation)), compared with the
//! previous period, and the worst idle namespaces with a suggestion. Pure.
//!
//! A namespace whose GPUs dcgm-exporter did not see has no model and no
//! utilisation: its cost is *unknown* and reported as missing, never zero.
//! A namespace on several models is priced by each model's share of the
//! GPU-hours dcgm-exporter observed for it.

use super::promql::Window;
use super::usage::{EnvUsage, Gap, NamespaceUsage};
use crate::config::CostConfig;

/// Why a namespace's cost is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// dcgm-exporter has no series for its GPUs: no model, no utilisation.
    NoGpuMetrics,
    /// The price table has no price for this GPU model.
    NoPrice(String),
}

/// A namespace's known cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Money {
    /// GPU-hours × price.
    pub cost: f64,
    /// The part the GPUs were busy.
    pub used: f64,
    /// The part they were idle.
    pub idle: f64,
}

/// One namespace's row.
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceCost {
    /// The namespace.
    pub namespace: String,
    /// GPU-hours requested.
    pub gpu_hours: f64,
    /// Utilisation in `0..1`, when measured.
    pub utilisation: Option<f64>,
    /// Share of the requested GPU-hours dcgm-exporter observed (`0..1`).
    pub observed_share: Option<f64>,
    /// The GPU models seen.
    pub models: Vec<String>,
    /// The money, or why it is unknown.
    pub money: Result<Money, Missing>,
    /// The cost in the previous period, when known.
    pub previous_cost: Option<f64>,
}

/// A suggestion for a namespace that stays under the idle threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The namespace.
    pub namespace: String,
    /// Its utilisation (`0..1`).
    pub utilisation: f64,
    /// Its idle cost.
    pub idle: f64,
    /// GPUs requested on average over the period.
    pub average_gpus: f64,
    /// What to do, in words.
    pub advice: String,
}

/// One environment's report.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvCost {
    /// The environment.
    pub env: String,
    /// The period.
    pub window: Window,
    /// Per namespace, most expensive first (unknown costs last).
    pub rows: Vec<NamespaceCost>,
    /// Intervals without kube-state-metrics data.
    pub gaps: Vec<Gap>,
    /// Sum of the known costs.
    pub total: Money,
    /// GPU-hours of all namespaces.
    pub gpu_hours: f64,
    /// Sum of the known costs in the previous period, when it had any data.
    pub previous_total: Option<f64>,
    /// Worst idle namespaces under the threshold, worst first.
    pub suggestions: Vec<Suggestion>,
}

/// At most this many suggestions per environment.
const MAX_SUGGESTIONS: usize = 3;
/// The utilisation a right-sized namespace is assumed to reach.
const TARGET_UTILISATION: f64 = 0.7;

fn money(ns: &NamespaceUsage, config: &CostConfig) -> Result<Money, Missing> {
    let gpus = ns.gpus.as_ref().ok_or(Missing::NoGpuMetrics)?;
    let observed = gpus.total_observed();
    let utilisation = gpus.utilisation().ok_or(Missing::NoGpuMetrics)?;
    let mut price = 0.0;
    for (model, hours) in &gpus.observed_hours {
        let p = config
            .price(model)
            .ok_or_else(|| Missing::NoPrice(model.clone()))?;
        price += p * hours / observed;
    }
    let cost = ns.gpu_hours * price;
    Ok(Money {
        cost,
        used: cost * utilisation,
        idle: cost * (1.0 - utilisation),
    })
}

/// Whether kube-state-metrics reported at any time of the window.
fn has_data(usage: &EnvUsage) -> bool {
    usage.missing_hours() < usage.window.hours()
}

/// Whether the model can be cut into MIG slices.
fn has_mig(models: &[String]) -> bool {
    models.iter().any(|m| {
        ["A100", "A30", "H100", "H200", "H20", "B200"]
            .iter()
            .any(|k| m.contains(k))
    })
}

fn advice(average_gpus: f64, utilisation: f64, models: &[String]) -> String {
    let percent = utilisation * 100.0;
    if average_gpus > 1.5 {
        let needed = (average_gpus * utilisation / TARGET_UTILISATION)
            .ceil()
            .max(1.0);
        format!(
            "about {average_gpus:.1} GPUs requested at {percent:.0} % utilisation: {needed:.0} would do; run fewer replicas or request fewer GPUs per pod"
        )
    } else if has_mig(models) {
        format!(
            "one GPU at {percent:.0} % utilisation: a MIG slice (1g or 2g profile) would do; request `nvidia.com/mig-1g.10gb` instead of a whole GPU"
        )
    } else {
        format!(
            "one GPU at {percent:.0} % utilisation: share it (time-slicing) with another workload, or schedule the work in batches"
        )
    }
}

fn row(
    name: &str,
    ns: &NamespaceUsage,
    previous: Option<&EnvUsage>,
    config: &CostConfig,
) -> NamespaceCost {
    // Unknown when the previous period had no data at all or its cost is
    // unknown; zero when the namespace requested no GPUs then.
    let previous_cost =
        previous
            .filter(|p| has_data(p))
            .and_then(|p| match p.namespaces.get(name) {
                None => Some(0.0),
                Some(before) => money(before, config).ok().map(|m| m.cost),
            });
    NamespaceCost {
        namespace: name.to_owned(),
        gpu_hours: ns.gpu_hours,
        utilisation: ns.gpus.as_ref().and_then(|g| g.utilisation()),
        observed_share: ns
            .gpus
            .as_ref()
            .filter(|_| ns.gpu_hours > 0.0)
            .map(|g| (g.total_observed() / ns.gpu_hours).min(1.0)),
        models: ns
            .gpus
            .as_ref()
            .map(|g| g.observed_hours.keys().cloned().collect())
            .unwrap_or_default(),
        money: money(ns, config),
        previous_cost,
    }
}

/// Prices one environment's usage, against its previous period when known.
pub fn env_cost(
    env: &str,
    current: &EnvUsage,
    previous: Option<&EnvUsage>,
    config: &CostConfig,
) -> EnvCost {
    // Only namespaces that requested GPUs: GPUs without a pod show up under
    // the exporter's own namespace, which requested nothing.
    let mut rows: Vec<NamespaceCost> = current
        .namespaces
        .iter()
        .filter(|(_, ns)| ns.gpu_hours > 0.0)
        .map(|(name, ns)| row(name, ns, previous, config))
        .collect();
    rows.sort_by(|a, b| {
        let cost = |r: &NamespaceCost| {
            r.money
                .as_ref()
                .map(|m| m.cost)
                .unwrap_or(f64::NEG_INFINITY)
        };
        cost(b)
            .total_cmp(&cost(a))
            .then(a.namespace.cmp(&b.namespace))
    });
    let mut total = Money {
        cost: 0.0,
        used: 0.0,
        idle: 0.0,
    };
    for m in rows.iter().filter_map(|r| r.money.as_ref().ok()) {
        total.cost += m.cost;
        total.used += m.used;
        total.idle += m.idle;
    }
    let previous_total = previous.filter(|p| has_data(p)).map(|p| {
        p.namespaces
            .values()
            .filter(|ns| ns.gpu_hours > 0.0)
            .filter_map(|ns| money(ns, config).ok())
            .map(|m| m.cost)
            .sum()
    });
    let hours = current.window.hours();
    let mut suggestions: Vec<Suggestion> = rows
        .iter()
        .filter_map(|r| {
            let m = r.money.as_ref().ok()?;
            let utilisation = r.utilisation?;
            (utilisation * 100.0 < config.idle_threshold && m.idle > 0.0).then(|| {
                let average_gpus = r.gpu_hours / hours;
                Suggestion {
                    namespace: r.namespace.clone(),
                    utilisation,
                    idle: m.idle,
                    average_gpus,
                    advice: advice(average_gpus, utilisation, &r.models),
                }
            })
        })
        .collect();
    suggestions.sort_by(|a, b| b.idle.total_cmp(&a.idle));
    suggestions.truncate(MAX_SUGGESTIONS);
    EnvCost {
        env: env.to_owned(),
        window: current.window,
        gpu_hours: rows.iter().map(|r| r.gpu_hours).sum(),
        rows,
        gaps: current.gaps.clone(),
        total,
        previous_total,
        suggestions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::usage::GpuObservation;
    use chrono::{TimeDelta, TimeZone, Utc};
    use std::collections::BTreeMap;

    fn config() -> CostConfig {
        CostConfig {
            currency: "USD".into(),
            prices: [
                ("NVIDIA A100-SXM4-80GB".to_owned(), 3.0),
                ("Tesla T4".to_owned(), 0.5),
            ]
            .into_iter()
            .collect(),
            idle_threshold: 30.0,
            envs: BTreeMap::new(),
        }
    }

    fn window() -> Window {
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        Window {
            start,
            end: start + TimeDelta::hours(10),
            step: TimeDelta::minutes(1),
        }
    }

    fn ns(gpu_hours: f64, model: &str, observed: f64, busy: f64) -> NamespaceUsage {
        NamespaceUsage {
            gpu_hours,
            gpus: Some(GpuObservation {
                observed_hours: [(model.to_owned(), observed)].into_iter().collect(),
                busy_hours: busy,
            }),
        }
    }

    #[test]
    fn cost_is_hours_times_price_split_by_utilisation_with_the_change() {
        let current = EnvUsage {
            window: window(),
            namespaces: [
                (
                    "train".to_owned(),
                    ns(40.0, "NVIDIA A100-SXM4-80GB", 40.0, 32.0),
                ),
                (
                    "notebooks".to_owned(),
                    ns(10.0, "NVIDIA A100-SXM4-80GB", 10.0, 1.0),
                ),
                (
                    "batch".to_owned(),
                    NamespaceUsage {
                        gpu_hours: 5.0,
                        gpus: None,
                    },
                ),
                ("edge".to_owned(), ns(10.0, "NVIDIA L4", 10.0, 5.0)),
            ]
            .into_iter()
            .collect(),
            gaps: vec![],
        };
        let previous = EnvUsage {
            window: window().previous(),
            namespaces: [(
                "train".to_owned(),
                ns(20.0, "NVIDIA A100-SXM4-80GB", 20.0, 10.0),
            )]
            .into_iter()
            .collect(),
            gaps: vec![],
        };
        let report = env_cost("prd", &current, Some(&previous), &config());
        let train = report.rows.iter().find(|r| r.namespace == "train").unwrap();
        let m = train.money.as_ref().unwrap();
        assert_eq!(m.cost, 120.0);
        assert!((m.used - 96.0).abs() < 1e-9 && (m.idle - 24.0).abs() < 1e-9);
        assert_eq!(train.previous_cost, Some(60.0));
        let batch = report.rows.iter().find(|r| r.namespace == "batch").unwrap();
        assert_eq!(batch.money, Err(Missing::NoGpuMetrics));
        let edge = report.rows.iter().find(|r| r.namespace == "edge").unwrap();
        assert_eq!(edge.money, Err(Missing::NoPrice("NVIDIA L4".into())));
        assert_eq!(report.total.cost, 150.0);
        assert_eq!(report.gpu_hours, 65.0);
        assert_eq!(report.previous_total, Some(60.0));
        assert_eq!(report.rows[0].namespace, "train");
        assert_eq!(report.suggestions.len(), 1);
        let s = &report.suggestions[0];
        assert_eq!(s.namespace, "notebooks");
        assert!((s.idle - 27.0).abs() < 1e-9);
        assert!(s.advice.contains("MIG"), "{}", s.advice);
    }

    #[test]
    fn many_idle_gpus_suggest_fewer_replicas_and_small_ones_sharing() {
        let text = advice(4.0, 0.2, &["Tesla T4".into()]);
        assert!(
            text.contains("2 would do") && text.contains("fewer replicas"),
            "{text}"
        );
        let text = advice(1.0, 0.1, &["Tesla T4".into()]);
        assert!(text.contains("time-slicing"), "{text}");
    }
}
