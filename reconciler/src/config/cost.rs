//! The `cost:` section of `.bosun.yaml`: where each environment's GPU metrics
//! are queried, what a GPU-hour costs per GPU model, when a namespace counts
//! as mostly idle, and when the weekly report is posted.
//!
//! ```yaml
//! cost:
//!   currency: USD
//!   prometheus: https://mimir.example/prometheus   # central API (optional)
//!   cluster_label: cluster                          # default `cluster`
//!   idle_threshold: 30                              # percent, default 30
//!   prices:                                         # per GPU-hour, by `modelName`
//!     NVIDIA A100-SXM4-80GB: 3.40
//!   envs:
//!     prd:
//!       cluster: aks-prd          # with the central API: the `cluster` label value
//!       schedule: { cron: "0 8 * * MON", time_zone: Asia/Dubai }
//!     dev:
//!       prometheus: http://prometheus.dev:9090   # its own API
//! ```
//!
//! Credentials (a bearer token for Mimir) are the server's settings, never
//! the repository's.

use super::repo_config::ConfigError;
use bosun_commands::{Env, EnvCatalog};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// The idle threshold when `.bosun.yaml` names none: 30 % utilisation.
pub const DEFAULT_IDLE_THRESHOLD: f64 = 30.0;

/// The `cost:` section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CostSection {
    #[serde(default)]
    currency: Option<Spanned<String>>,
    #[serde(default)]
    prometheus: Option<Spanned<String>>,
    #[serde(default)]
    cluster_label: Option<Spanned<String>>,
    #[serde(default)]
    idle_threshold: Option<Spanned<f64>>,
    #[serde(default)]
    prices: HashMap<Spanned<String>, Spanned<f64>>,
    #[serde(default)]
    envs: HashMap<Spanned<String>, EnvEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvEntry {
    #[serde(default)]
    prometheus: Option<Spanned<String>>,
    #[serde(default)]
    cluster: Option<Spanned<String>>,
    #[serde(default)]
    schedule: Option<ScheduleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleEntry {
    cron: Spanned<String>,
    #[serde(default)]
    time_zone: Option<Spanned<String>>,
}

/// Where one environment's metrics are queried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSource {
    /// The Prometheus-compatible API's base URL.
    pub url: String,
    /// `(label, value)` selecting the environment's series in a shared API
    /// (`cluster="aks-prd"`), when there is one.
    pub cluster: Option<(String, String)>,
}

/// A weekly (or any cron) report schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostSchedule {
    /// The cron expression (5 fields, or 6 with seconds first), validated.
    pub cron: String,
    /// The time zone it is read in.
    pub time_zone: Tz,
}

/// One environment's cost settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostEnv {
    /// Where its metrics are.
    pub source: MetricsSource,
    /// When its report is posted on its own.
    pub schedule: Option<CostSchedule>,
}

/// The cost settings of a repository (`cost:` in `.bosun.yaml`).
#[derive(Debug, Clone, PartialEq)]
pub struct CostConfig {
    /// The currency prices are in (`USD`).
    pub currency: String,
    /// Price per GPU-hour by GPU model (`modelName` as dcgm-exporter reports it).
    pub prices: BTreeMap<String, f64>,
    /// Utilisation (percent) under which a namespace gets a suggestion.
    pub idle_threshold: f64,
    /// The environments with cost reports, by name.
    pub envs: BTreeMap<Env, CostEnv>,
}

fn at<T>(spanned: &Spanned<T>, message: String) -> ConfigError {
    ConfigError {
        line: Some(spanned.referenced.line()),
        message,
    }
}

fn url(value: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
    let text = value.value.trim();
    if !(text.starts_with("http://") || text.starts_with("https://")) || text.len() < 10 {
        return Err(at(
            value,
            format!("{key}: `{text}` is not an http:// or https:// URL"),
        ));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

fn schedule(entry: &ScheduleEntry, key: &str) -> Result<CostSchedule, ConfigError> {
    let cron = entry.cron.value.trim();
    croner::Cron::from_str(cron).map_err(|e| {
        at(
            &entry.cron,
            format!("{key}.cron: `{cron}` is not a cron expression: {e}"),
        )
    })?;
    let time_zone = match &entry.time_zone {
        None => super::DEFAULT_TIME_ZONE,
        Some(zone) => zone.value.parse::<Tz>().map_err(|_| {
            at(
                zone,
                format!(
                    "{key}.time_zone: unknown time zone `{}` (an IANA name such as Europe/Berlin)",
                    zone.value
                ),
            )
        })?,
    };
    Ok(CostSchedule {
        cron: cron.to_owned(),
        time_zone,
    })
}

impl CostConfig {
    /// The settings for `env`, when it has cost reports.
    pub fn env(&self, env: &Env) -> Option<&CostEnv> {
        self.envs.get(env)
    }

    /// The price of a GPU-hour of `model`, when the table has it.
    pub fn price(&self, model: &str) -> Option<f64> {
        self.prices.get(model).copied()
    }

    /// Reads the section against the repository's environments.
    pub(super) fn parse(
        section: Option<CostSection>,
        envs: &EnvCatalog,
    ) -> Result<Option<Self>, ConfigError> {
        let Some(section) = section else {
            return Ok(None);
        };
        let central = section
            .prometheus
            .as_ref()
            .map(|u| url(u, "cost.prometheus"))
            .transpose()?;
        let cluster_label = match &section.cluster_label {
            Some(label) if !is_label_name(&label.value) => {
                return Err(at(
                    label,
                    format!(
                        "cost.cluster_label: `{}` is not a Prometheus label name",
                        label.value
                    ),
                ));
            }
            Some(label) => label.value.clone(),
            None => "cluster".to_owned(),
        };
        let idle_threshold = match &section.idle_threshold {
            Some(t) if !(0.0..=100.0).contains(&t.value) => {
                return Err(at(
                    t,
                    format!(
                        "cost.idle_threshold: {} is not a percentage between 0 and 100",
                        t.value
                    ),
                ));
            }
            Some(t) => t.value,
            None => DEFAULT_IDLE_THRESHOLD,
        };
        let mut prices = BTreeMap::new();
        for (model, price) in section.prices {
            if !price.value.is_finite() || price.value < 0.0 {
                return Err(at(
                    &price,
                    format!(
                        "cost.prices.{}: {} is not a price (a number of at least 0)",
                        model.value, price.value
                    ),
                ));
            }
            prices.insert(model.value, price.value);
        }
        let mut entries: Vec<_> = section.envs.into_iter().collect();
        entries.sort_by_key(|(k, _)| k.referenced.line());
        let mut by_env = BTreeMap::new();
        for (name, entry) in entries {
            let key = format!("cost.envs.{}", name.value);
            let env = envs.resolve(&name.value).ok_or_else(|| {
                let known: Vec<&str> = envs.envs().map(Env::as_str).collect();
                at(
                    &name,
                    format!(
                        "{key}: unknown environment `{}` (environments are {})",
                        name.value,
                        known.join(", ")
                    ),
                )
            })?;
            let own = entry
                .prometheus
                .as_ref()
                .map(|u| url(u, &format!("{key}.prometheus")))
                .transpose()?;
            let cluster = entry
                .cluster
                .as_ref()
                .map(|c| (cluster_label.clone(), c.value.clone()));
            let source = match (own, &central) {
                (Some(url), _) => MetricsSource { url, cluster },
                (None, Some(url)) if cluster.is_some() => MetricsSource {
                    url: url.clone(),
                    cluster,
                },
                (None, Some(_)) => {
                    return Err(at(
                        &name,
                        format!(
                            "{key}: needs `cluster` (the `{cluster_label}` label value of its series in the central `cost.prometheus`) or its own `prometheus`"
                        ),
                    ));
                }
                (None, None) => {
                    return Err(at(
                        &name,
                        format!(
                            "{key}: needs `prometheus` (its metrics API), or a central `cost.prometheus` and a `cluster`"
                        ),
                    ));
                }
            };
            let schedule = entry
                .schedule
                .as_ref()
                .map(|s| schedule(s, &format!("{key}.schedule")))
                .transpose()?;
            by_env.insert(env, CostEnv { source, schedule });
        }
        Ok(Some(Self {
            currency: section
                .currency
                .map(|c| c.value)
                .unwrap_or_else(|| "USD".to_owned()),
            prices,
            idle_threshold,
            envs: by_env,
        }))
    }
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use crate::config::RepoConfig;

    const EXAMPLE: &str = "\
cost:
  currency: EUR
  prometheus: https://mimir.example/prometheus/
  idle_threshold: 25
  prices:
    NVIDIA A100-SXM4-80GB: 3.4
    Tesla T4: 0.35
  envs:
    prd:
      cluster: aks-prd
      schedule: { cron: \"0 8 * * MON\", time_zone: Europe/Berlin }
    dev:
      prometheus: http://prometheus.dev:9090
";

    fn error(text: &str) -> (Option<u64>, String) {
        let e = RepoConfig::parse(text).unwrap_err();
        (e.line, e.message)
    }

    #[test]
    fn the_section_is_read_with_central_and_own_apis() {
        let config = RepoConfig::parse(EXAMPLE).unwrap();
        let cost = config.cost.unwrap();
        assert_eq!(cost.currency, "EUR");
        assert_eq!(cost.idle_threshold, 25.0);
        assert_eq!(cost.price("Tesla T4"), Some(0.35));
        let prd = cost.env(&config.envs.resolve("prd").unwrap()).unwrap();
        assert_eq!(prd.source.url, "https://mimir.example/prometheus");
        assert_eq!(
            prd.source.cluster,
            Some(("cluster".to_owned(), "aks-prd".to_owned()))
        );
        let schedule = prd.schedule.as_ref().unwrap();
        assert_eq!(schedule.time_zone, chrono_tz::Europe::Berlin);
        let dev = cost.env(&config.envs.resolve("dev").unwrap()).unwrap();
        assert_eq!(dev.source.url, "http://prometheus.dev:9090");
        assert_eq!(dev.source.cluster, None);
        assert!(RepoConfig::parse("{}").unwrap().cost.is_none());
    }

    #[test]
    fn mistakes_name_the_key_and_line() {
        let (line, message) =
            error("cost:\n  envs:\n    prd:\n      prometheus: http://p:9090\n      clster: x\n");
        assert_eq!(
            line, None,
            "the YAML reader puts the position in the message"
        );
        assert!(
            message.contains("clster") && message.contains("line 5"),
            "{message}"
        );

        let (line, message) = error(
            "cost:\n  envs:\n    prd:\n      prometheus: http://p:9090\n      schedule:\n        cron: \"0 99 * * *\"\n",
        );
        assert_eq!(line, Some(6));
        assert!(message.contains("cost.envs.prd.schedule.cron"), "{message}");

        let (line, message) = error(
            "cost:\n  envs:\n    prd:\n      prometheus: http://p:9090\n      schedule: { cron: \"0 8 * * 1\", time_zone: Mars/Olympus }\n",
        );
        assert_eq!(line, Some(5));
        assert!(message.contains("Mars/Olympus"), "{message}");

        let (line, message) = error("cost:\n  envs:\n    prdd:\n      prometheus: http://p:9090\n");
        assert_eq!(line, Some(3));
        assert!(message.contains("unknown environment `prdd`"), "{message}");

        let (line, message) =
            error("cost:\n  prometheus: https://mimir.example\n  envs:\n    prd: {}\n");
        assert_eq!(line, Some(4));
        assert!(message.contains("needs `cluster`"), "{message}");

        let (line, message) = error("cost:\n  prices:\n    T4: -1\n");
        assert_eq!(line, Some(3));
        assert!(message.contains("cost.prices.T4"), "{message}");

        let (line, message) = error("cost:\n  idle_threshold: 130\n");
        assert_eq!(line, Some(2));
        assert!(message.contains("cost.idle_threshold"), "{message}");

        let (_, message) = error("cost:\n  envs:\n    prd:\n      prometheus: prom:9090\n");
        assert!(message.contains("cost.envs.prd.prometheus"), "{message}");
    }
}
