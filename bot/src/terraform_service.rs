//! Issue 5 wiring: the Terraform service (the [`TerraformRunner`] with
//! per-run checkouts under the data directory), drift schedules registered
//! with the [`Scheduler`], and `bosun drift` with its exit codes
//! (0 none, 2 drift, 1 error).

use crate::cli::CommandArgs;
use crate::local_forge::LocalForge;
use crate::runner::{InitCache, TerraformRunner};
use crate::scheduler::{JobAction, Recurring};
use anyhow::Context;
use bosun_reconciler::config::{self, RepoConfig};
use bosun_reconciler::engine::Engine;
use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::notify::Notifier;
use bosun_reconciler::store::{SledStore, Store, StoreError};
use bosun_reconciler::terraform::{TerraformService, TfContext, drift};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use tracing::{info, warn};

/// The program bosun runs for Terraform unless a project says `tofu`.
pub const BINARY_ENV: &str = "BOSUN_TERRAFORM_BINARY";

/// How many Terraform runs may go at once.
pub const CONCURRENCY: usize = 2;

/// The Terraform service of a bosun whose data lives in `data_dir`: per-run
/// checkouts under `terraform/`, kept `.terraform` folders under
/// `terraform-cache/init/`, and a provider plugin cache under
/// `terraform-cache/plugins/` unless `TF_PLUGIN_CACHE_DIR` names one.
pub fn service(data_dir: &Path, notifier: Option<Arc<dyn Notifier>>) -> TerraformService {
    let binary = std::env::var(BINARY_ENV).unwrap_or_else(|_| "terraform".to_owned());
    let cache = data_dir.join("terraform-cache");
    let runner = TerraformRunner::new(binary, CONCURRENCY)
        .with_init_cache(InitCache::new(cache.join("init")));
    let runner = match runner
        .clone()
        .with_default_plugin_cache(cache.join("plugins"))
    {
        Ok(runner) => runner,
        Err(error) => {
            warn!(%error, "no provider plugin cache: every init downloads its providers");
            runner
        }
    };
    let runner = Arc::new(runner);
    let service = TerraformService::new(runner, data_dir.join("terraform"));
    match notifier {
        Some(notifier) => service.with_notifier(notifier),
        None => service,
    }
}

/// One recurring drift check per environment with a `drift` schedule in
/// `repo`'s `.bosun.yaml` (none when this bosun runs no Terraform).
pub fn drift_jobs(engine: &Arc<Engine>, repo: &RepoName, settings: &RepoConfig) -> Vec<Recurring> {
    if engine.terraform().is_none() {
        return Vec::new();
    }
    let mut jobs = Vec::new();
    for (env, schedule) in settings.terraform.drift_schedules() {
        let name = format!("drift:{repo}:{env}");
        let engine = Arc::clone(engine);
        let repo = repo.clone();
        let env_name = env.to_owned();
        let action: JobAction = Arc::new(move || {
            let engine = Arc::clone(&engine);
            let repo = repo.clone();
            let env_name = env_name.clone();
            Box::pin(async move {
                // The run goes on in its own task: the clock never waits.
                tokio::spawn(async move {
                    if let Err(error) = scheduled_drift(&engine, &repo, &env_name).await {
                        warn!(%repo, env = %env_name, %error, "scheduled drift check failed");
                    }
                });
            })
        });
        jobs.push(Recurring {
            name,
            cron: schedule.cron.clone(),
            time_zone: schedule.time_zone,
            action,
        });
    }
    jobs
}

async fn scheduled_drift(
    engine: &Engine,
    repo: &bosun_reconciler::ids::RepoName,
    env: &str,
) -> anyhow::Result<()> {
    let Some(service) = engine.terraform() else {
        return Ok(());
    };
    let settings = config::load(engine.forge().as_ref(), repo).await??;
    let env = settings
        .envs
        .resolve(env)
        .with_context(|| format!("environment {env} is gone from .bosun.yaml"))?;
    let ctx = TfContext {
        forge: engine.forge().as_ref(),
        store: engine.store().as_ref(),
        config: &settings,
        service,
        cluster: engine.cluster().map(|c| c.as_ref()),
        now: chrono::Utc::now(),
    };
    let report = drift::detect(&ctx, repo, Some(&env)).await?;
    info!(%repo, env = env.as_str(), drift = report.has_drift(), "scheduled drift check done");
    Ok(())
}

/// `bosun drift [env]`: plans the checkout's default branch with refresh,
/// prints the report, and exits 0 (no drift), 2 (drift) or 1 (error).
pub async fn drift_cli(args: &CommandArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.local.data_dir)
        .with_context(|| format!("creating {}", args.local.data_dir.display()))?;
    let store = SledStore::open(&args.local.data_dir.join("store")).map_err(|e| match e {
        StoreError::Io(reason) if reason.contains("lock") || reason.contains("WouldBlock") => {
            anyhow::anyhow!(
                "the store in {} is held by a running `bosun serve`; use `bosun send '/drift'` instead",
                args.local.data_dir.display()
            )
        }
        other => anyhow::anyhow!("opening the store: {other}"),
    })?;
    let store: Arc<dyn Store> = Arc::new(store);
    let forge = LocalForge::open(&args.local.repo, Arc::clone(&store))
        .with_context(|| format!("opening {} as a git checkout", args.local.repo.display()))?;
    let settings = config::load(&forge, forge.repo_name())
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let env = match args.words.as_slice() {
        [] => None,
        [word] => Some(settings.envs.resolve(word).with_context(|| {
            let known: Vec<&str> = settings.envs.envs().map(|e| e.as_str()).collect();
            format!(
                "unknown environment `{word}` (environments are {})",
                known.join(", ")
            )
        })?),
        _ => anyhow::bail!("usage: bosun drift [env]"),
    };
    let service = service(&args.local.data_dir, None);
    let ctx = TfContext {
        forge: &forge,
        store: store.as_ref(),
        config: &settings,
        service: &service,
        // `bosun drift` reads no cluster settings: Terraform only.
        cluster: None,
        now: chrono::Utc::now(),
    };
    let report = drift::detect(&ctx, forge.repo_name(), env.as_ref()).await?;
    println!("{}", report.text().trim_end());
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else if report.has_drift() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
