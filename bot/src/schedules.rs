//! Every recurring job of `bosun serve`, read once at start-up from each
//! managed repository's `.bosun.yaml` (read once per repository): drift
//! checks (`terraform.envs.<env>.drift`), daily alert digests
//! (`alerts.digest`) and weekly cost reports (`cost.envs.<env>.schedule`),
//! all on one [`Scheduler`]. A repository whose settings cannot be read is
//! logged and skipped; a changed schedule takes effect at the next start.

use crate::scheduler::{Recurring, ScheduleError, Scheduler};
use bosun_reconciler::config;
use bosun_reconciler::engine::Engine;
use std::collections::BTreeSet;
use std::sync::Arc;
use tracing::{info, warn};

/// The jobs of every managed repository. A job named twice (an environment's
/// digest asked by two repositories) runs once.
pub async fn jobs(engine: &Arc<Engine>) -> Vec<Recurring> {
    let forge = Arc::clone(engine.forge());
    let repos = match forge.managed_repos().await {
        Ok(repos) => repos,
        Err(error) => {
            warn!(%error, "no schedules: the managed repositories are unknown");
            return Vec::new();
        }
    };
    let mut jobs = Vec::new();
    let mut names = BTreeSet::new();
    for repo in repos {
        let settings = match config::load(forge.as_ref(), &repo).await {
            Ok(Ok(settings)) => settings,
            Ok(Err(error)) => {
                warn!(%repo, %error, "no schedules from this repository: .bosun.yaml is not valid");
                continue;
            }
            Err(error) => {
                warn!(%repo, %error, "no schedules from this repository: .bosun.yaml unreadable");
                continue;
            }
        };
        let drift = crate::terraform_service::drift_jobs(engine, &repo, &settings);
        let digests = settings
            .alerts
            .digest
            .iter()
            .flat_map(|schedule| crate::alert_digest::jobs(engine, schedule));
        let cost = engine
            .cost()
            .map(|deps| crate::cost::schedule::jobs_for(&forge, deps, &repo, &settings))
            .unwrap_or_default();
        for job in drift.into_iter().chain(digests).chain(cost) {
            if names.insert(job.name.clone()) {
                jobs.push(job);
            }
        }
    }
    jobs
}

/// Starts every job on one scheduler; `None` when there is none.
pub async fn start(engine: &Arc<Engine>) -> Result<Option<Scheduler>, ScheduleError> {
    let jobs = jobs(engine).await;
    if jobs.is_empty() {
        return Ok(None);
    }
    info!(jobs = jobs.len(), "schedules started");
    Scheduler::start(jobs).await.map(Some)
}
