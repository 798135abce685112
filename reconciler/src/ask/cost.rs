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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Place;
    use crate::config::{Frontend, Identity, RepoConfig};
    use crate::cost::{CostDeps, EnvCost};
    use crate::ports::chart::CostChart;
    use crate::ports::metrics::{Metrics, MetricsConnector, MetricsError};
    use crate::store::SledStore;
    use crate::testkit::{MemoryForge, RecordingNotifier};
    use bosun_commands::parse_command;
    use std::sync::Arc;

    /// A metrics API nobody can reach.
    struct Down;

    impl MetricsConnector for Down {
        fn connect(&self, base_url: &str) -> Result<Arc<dyn Metrics>, MetricsError> {
            Err(MetricsError::Unreachable {
                url: base_url.to_owned(),
                reason: "connection refused".to_owned(),
            })
        }
    }

    struct NoChart;

    impl CostChart for NoChart {
        fn used_vs_idle(&self, _: &EnvCost, _: &str) -> Result<Vec<u8>, String> {
            Err("no chart".to_owned())
        }
    }

    async fn ask(config: &str, text: &str, deps: Option<&CostDeps>) -> Answer {
        let config = RepoConfig::parse(config).unwrap();
        let forge = MemoryForge::new();
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(&dir.path().join("store")).unwrap();
        let ctx = AskContext {
            forge: &forge,
            store: &store,
            config: &config,
            now: chrono::Utc::now(),
            terraform: None,
            cluster: None,
            cost: deps,
        };
        let repo: crate::ids::RepoName = "acme/flux".parse().unwrap();
        let command = parse_command(text, &config.envs).unwrap();
        let request = Request {
            id: "t:1".into(),
            who: Identity {
                frontend: Frontend::Cli,
                id: "alice".into(),
                groups: vec![],
            },
            has_write: true,
            place: Place::Terminal { repo: repo.clone() },
            repo,
            text: text.into(),
            parsed: Ok(command.clone()),
            dry_run: false,
        };
        let bosun_commands::Command::Cost { env, period } = command else {
            panic!("not /cost");
        };
        run(&ctx, &request, env.as_ref(), period).await
    }

    const CONFIG: &str = "cost:\n  envs:\n    prd:\n      prometheus: http://127.0.0.1:9\n";

    #[tokio::test]
    async fn without_metrics_access_or_settings_cost_is_not_available() {
        let notifier = Arc::new(RecordingNotifier::new());
        let deps = CostDeps {
            metrics: Arc::new(Down),
            chart: Arc::new(NoChart),
            notifier: notifier.clone(),
        };
        let answer = ask(CONFIG, "/cost prd", None).await;
        assert_eq!(answer.verdict, Verdict::NotAvailable);
        assert!(
            answer.reply.contains("no metrics access"),
            "{}",
            answer.reply
        );

        let answer = ask("", "/cost", Some(&deps)).await;
        assert_eq!(answer.verdict, Verdict::NotAvailable);
        assert!(
            answer.reply.contains("add a `cost:` section"),
            "{}",
            answer.reply
        );

        let answer = ask(CONFIG, "/cost prd", Some(&deps)).await;
        assert_eq!(answer.verdict, Verdict::NotAvailable);
        assert!(
            answer.reply.contains("GPU cost for prd is unavailable")
                && answer.reply.contains("could not be reached"),
            "{}",
            answer.reply
        );
        assert!(
            notifier.notices().is_empty(),
            "nothing is posted without a report"
        );
    }
}
