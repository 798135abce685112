//! The scheduled cost reports: one recurring job per environment whose
//! `cost.envs.<env>.schedule` is set in a managed repository's `.bosun.yaml`.
//!
//! Schedules are read when the server starts; each run reads `.bosun.yaml`
//! again, so a price or a URL changed since is used (a new or changed
//! schedule needs a restart). A run reports the default period (7 days)
//! ending at the last whole hour, and its notices are keyed by the period's
//! end, so a run repeated for the same period posts nothing twice.

use crate::scheduler::{JobAction, Recurring};
use bosun_commands::{Env, Period};
use bosun_reconciler::config::{self, RepoConfig};
use bosun_reconciler::cost::{self, CostDeps, Window};

use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::forge::Forge;
use chrono::Utc;
use std::sync::Arc;
use tracing::{info, warn};

/// Reports `env` of `repo` for the last 7 days and tells people.
pub async fn report_once(
    forge: &dyn Forge,
    deps: &CostDeps,
    repo: &RepoName,
    env: &Env,
) -> Result<(), String> {
    let settings = config::load(forge, repo)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let cost_config = settings
        .cost
        .ok_or_else(|| cost::CostError::NotConfigured.to_string())?;
    let now = Utc::now();
    let period = Period::DEFAULT;
    let report = cost::report(
        deps.metrics.as_ref(),
        &cost_config,
        std::slice::from_ref(env),
        period,
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    let end = Window::ending(now, period.as_duration()).end;
    cost::announce(
        deps,
        repo,
        &report,
        &format!("scheduled:{}", end.to_rfc3339()),
    )
    .await
    .map_err(|e| e.to_string())
}

/// One job per environment of `repo` whose `cost:` entry has a schedule.
pub fn jobs_for(
    forge: &Arc<dyn Forge>,
    deps: &Arc<CostDeps>,
    repo: &RepoName,
    settings: &RepoConfig,
) -> Vec<Recurring> {
    let mut jobs = Vec::new();
    let Some(cost_config) = &settings.cost else {
        return jobs;
    };
    for (env, entry) in cost_config.envs.clone() {
        let Some(schedule) = entry.schedule else {
            continue;
        };
        let (forge, deps, repo_for_job, env_for_job) = (
            Arc::clone(forge),
            Arc::clone(deps),
            repo.clone(),
            env.clone(),
        );
        let action: JobAction = Arc::new(move || {
            let (forge, deps, repo, env) = (
                Arc::clone(&forge),
                Arc::clone(&deps),
                repo_for_job.clone(),
                env_for_job.clone(),
            );
            Box::pin(async move {
                match report_once(forge.as_ref(), &deps, &repo, &env).await {
                    Ok(()) => info!(%repo, env = env.as_str(), "scheduled cost report sent"),
                    Err(error) => {
                        warn!(%repo, env = env.as_str(), %error, "scheduled cost report failed")
                    }
                }
            })
        });
        jobs.push(Recurring {
            name: format!("cost:{repo}:{}", env.as_str()),
            cron: schedule.cron,
            time_zone: schedule.time_zone,
            action,
        });
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_reconciler::engine::{Engine, EngineConfig, EngineDeps, NoObserver};
    use bosun_reconciler::store::SledStore;
    use bosun_reconciler::testkit::{MemoryForge, RecordingNotifier};

    #[tokio::test]
    async fn each_scheduled_environment_of_each_repository_gets_a_job() {
        let forge = Arc::new(MemoryForge::new());
        let repo: RepoName = "acme/flux".parse().unwrap();
        forge.open_pr(&repo, 1, "alice", &[]);
        forge.put_file(
            &repo,
            ".bosun.yaml",
            "cost:\n  envs:\n    prd:\n      prometheus: http://127.0.0.1:9\n      schedule: { cron: \"0 8 * * MON\", time_zone: Europe/Berlin }\n    dev:\n      prometheus: http://127.0.0.1:9\n",
        );
        let other: RepoName = "acme/empty".parse().unwrap();
        forge.open_pr(&other, 1, "alice", &[]);
        let dir = tempfile::tempdir().unwrap();
        let notifier = Arc::new(RecordingNotifier::new());
        let engine = Engine::new(EngineDeps {
            store: Arc::new(SledStore::open(&dir.path().join("store")).unwrap()),
            forge,
            observer: Arc::new(NoObserver),
            notifier: notifier.clone(),
            config: EngineConfig::default(),
        });
        engine.set_cost(Arc::new(crate::cost::deps(None, notifier).unwrap()));
        let jobs: Vec<Recurring> = crate::schedules::jobs(&engine)
            .await
            .into_iter()
            .filter(|job| job.name.starts_with("cost:"))
            .collect();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].name, "cost:acme/flux:prd");
        assert_eq!(jobs[0].cron, "0 8 * * MON");
        assert_eq!(jobs[0].time_zone, chrono_tz::Europe::Berlin);
        let scheduler = crate::schedules::start(&engine).await.unwrap().unwrap();
        scheduler.stop().await.unwrap();
    }
}
