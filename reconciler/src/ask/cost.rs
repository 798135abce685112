//! `/cost [env] [--period 7d]`: the report as the reply, and a notice per
//! environment (thread `cost:<env>`, chart attached).

use super::{Answer, AskContext, Request, Verdict};
use crate::cost::{self, CostError};
use bosun_commands::{Env, Period};
use tracing::warn;

/// Runs `/cost` for `request`.
pub async fn run(
    ctx: &AskContext<'_>,
    request: &Request,
    env: Option<&Env>,
    period: Period,
) -> Answer {
    let unavailable = |reply: String| Answer {
        verdict: Verdict::NotAvailable,
        reply,
    };
    let Some(deps) = ctx.cost else {
        return unavailable(
            "GPU cost reports are not available here: this bosun has no metrics access.".to_owned(),
        );
    };
    let Some(config) = ctx.config.cost.as_ref() else {
        return unavailable(CostError::NotConfigured.to_string());
    };
    let envs = match cost::envs_to_report(config, env) {
        Ok(envs) => envs,
        Err(error) => return unavailable(error.to_string()),
    };
    let report = match cost::report(deps.metrics.as_ref(), config, &envs, period, ctx.now).await {
        Ok(report) => report,
        Err(error) => {
            warn!(%error, "cost report failed");
            return unavailable(error.to_string());
        }
    };
    if !request.dry_run
        && let Err(error) = cost::announce(deps, &request.repo, &report, &request.id).await
    {
        warn!(%error, "cost notice not queued");
    }
    Answer {
        verdict: Verdict::Succeeded,
        reply: cost::markdown(&report),
    }
}
