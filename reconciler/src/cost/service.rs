//! Producing a cost report: query each environment's metrics for the period
//! and the one before, price it, and tell people (a notice per environment
//! on its thread `cost:<env>`, with the chart attached).

use super::compute::{EnvCost, env_cost};
use super::promql::{CostQueries, Window};
use super::render::{self, CostReport};
use super::usage::{CostSeries, EnvUsage, usage};
use crate::config::{CostConfig, MetricsSource};
use crate::ids::RepoName;
use crate::ports::chart::CostChart;
use crate::ports::metrics::{Metrics, MetricsConnector, MetricsError};
use crate::ports::notify::{Attachment, Notice, Notifier, NotifyError, Route, Tone};
use bosun_commands::{Env, Period};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use thiserror::Error;
use tracing::warn;

/// What producing cost reports needs from the outside world.
#[derive(Clone)]
pub struct CostDeps {
    /// Opens a metrics client per API.
    pub metrics: Arc<dyn MetricsConnector>,
    /// Draws the chart.
    pub chart: Arc<dyn CostChart>,
    /// Tells people.
    pub notifier: Arc<dyn Notifier>,
}

/// Why there is no report.
#[derive(Debug, Error)]
pub enum CostError {
    /// `.bosun.yaml` has no `cost:` section.
    #[error("GPU cost reports are not set up: add a `cost:` section to .bosun.yaml")]
    NotConfigured,
    /// The environment has no entry under `cost.envs`.
    #[error("GPU cost reports are not set up for {env} (set up: {configured})")]
    EnvNotConfigured {
        /// The environment asked for.
        env: String,
        /// The ones that are.
        configured: String,
    },
    /// Its metrics could not be read.
    #[error("GPU cost for {env} is unavailable: {source}")]
    Metrics {
        /// The environment.
        env: String,
        /// Why.
        source: MetricsError,
    },
    /// The notice could not be queued.
    #[error(transparent)]
    Notify(#[from] NotifyError),
}

/// Queries one environment's usage over a window (the four queries run concurrently).
pub async fn measure(
    metrics: &dyn Metrics,
    source: &MetricsSource,
    window: Window,
) -> Result<EnvUsage, MetricsError> {
    let q = CostQueries::new(source, &window);
    let (requested, coverage, busy, observed) = tokio::try_join!(
        metrics.query_range(&q.requested),
        metrics.query_range(&q.coverage),
        metrics.query_range(&q.busy),
        metrics.query_range(&q.observed),
    )?;
    Ok(usage(
        window,
        &CostSeries {
            requested,
            coverage,
            busy,
            observed,
        },
    ))
}

/// The environments a report covers: the one asked for, or every
/// environment with cost settings.
pub fn envs_to_report(config: &CostConfig, asked: Option<&Env>) -> Result<Vec<Env>, CostError> {
    match asked {
        Some(env) if config.env(env).is_some() => Ok(vec![env.clone()]),
        Some(env) => Err(CostError::EnvNotConfigured {
            env: env.as_str().to_owned(),
            configured: configured(config),
        }),
        None if config.envs.is_empty() => Err(CostError::EnvNotConfigured {
            env: "any environment".to_owned(),
            configured: configured(config),
        }),
        None => Ok(config.envs.keys().cloned().collect()),
    }
}

fn configured(config: &CostConfig) -> String {
    let names: Vec<&str> = config.envs.keys().map(Env::as_str).collect();
    if names.is_empty() {
        "none; add `cost.envs`".to_owned()
    } else {
        names.join(", ")
    }
}

/// Prices one environment over `window` and the window before it.
pub async fn env_report(
    connector: &dyn MetricsConnector,
    config: &CostConfig,
    env: &Env,
    window: Window,
) -> Result<EnvCost, CostError> {
    let failed = |source| CostError::Metrics {
        env: env.as_str().to_owned(),
        source,
    };
    let settings = config.env(env).ok_or_else(|| CostError::EnvNotConfigured {
        env: env.as_str().to_owned(),
        configured: configured(config),
    })?;
    let metrics = connector.connect(&settings.source.url).map_err(failed)?;
    let (current, previous) = tokio::try_join!(
        measure(metrics.as_ref(), &settings.source, window),
        measure(metrics.as_ref(), &settings.source, window.previous()),
    )
    .map_err(failed)?;
    Ok(env_cost(env.as_str(), &current, Some(&previous), config))
}

/// The report for `envs` over the `period` that ended at the last whole hour.
pub async fn report(
    connector: &dyn MetricsConnector,
    config: &CostConfig,
    envs: &[Env],
    period: Period,
    now: DateTime<Utc>,
) -> Result<CostReport, CostError> {
    let window = Window::ending(now, period.as_duration());
    let mut out = Vec::new();
    for env in envs {
        out.push(env_report(connector, config, env, window).await?);
    }
    Ok(CostReport {
        period: period.to_string(),
        currency: config.currency.clone(),
        envs: out,
    })
}

/// The notice of one environment's part of a report: on the thread
/// `cost:<env>` in the environment's channel, the chart attached.
pub fn notice(
    report: &CostReport,
    env: &EnvCost,
    repo: &RepoName,
    id: String,
    chart: Option<Vec<u8>>,
) -> Notice {
    let single = CostReport {
        period: report.period.clone(),
        currency: report.currency.clone(),
        envs: vec![env.clone()],
    };
    Notice {
        id,
        thread: format!("cost:{}", env.env),
        route: Route::Env(env.env.clone()),
        repo: Some(repo.clone()),
        headline: render::headline(&single),
        body: render::markdown(&single),
        tone: if env.suggestions.is_empty() {
            Tone::Info
        } else {
            Tone::Warning
        },
        links: Vec::new(),
        reply: Some(format!(
            "Report up to {} UTC",
            env.window.end.format("%Y-%m-%d %H:%M")
        )),
        attachment: chart.map(|bytes| Attachment {
            file_name: format!("gpu-cost-{}.png", env.env),
            media_type: "image/png".to_owned(),
            bytes,
        }),
    }
}

/// Tells people about a report: one notice per environment, each id made of
/// `id_prefix` and the environment, so asking again with the same id posts
/// nothing twice. A chart that cannot be drawn leaves the notice without it.
pub async fn announce(
    deps: &CostDeps,
    repo: &RepoName,
    report: &CostReport,
    id_prefix: &str,
) -> Result<(), CostError> {
    for env in &report.envs {
        let chart = match deps.chart.used_vs_idle(env, &report.currency) {
            Ok(png) => Some(png),
            Err(error) => {
                warn!(env = env.env, %error, "the cost chart could not be drawn");
                None
            }
        };
        let id = format!("cost:{}:{id_prefix}", env.env);
        deps.notifier
            .notify(notice(report, env, repo, id, chart))
            .await?;
    }
    Ok(())
}
