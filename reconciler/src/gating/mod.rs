//! The merge gate wired to the world: `bosun/gate` on a pull request's head
//! commit, from the Trivy reports CI uploaded for that commit, the Rego
//! policies of the DEFAULT branch (a pull request that edits `policies/` is
//! judged by the old ones, and the summary says so), the terraform plans
//! made at that commit, and the manifests of every overlay the pull
//! request touches, rendered by the [`Renderer`] port.
//!
//! | module | concept |
//! |---|---|
//! | `reports.rs` | a completed workflow run's artifact downloaded once, unzipped, its reports stored per commit |
//! | `overlays.rs` | which kustomize overlays a change touches |
//! | `evaluate.rs` | raw material in, verdict and problems out (shared with `bosun gate`) |
//! | `outcome.rs` | the check and the sticky comment; timeouts |
//!
//! The gate runs for repositories whose `.bosun.yaml` has a `gate:`
//! section. It is level-triggered like every reconcile: each run of a pull
//! request's key re-reads everything, and writes the check only when its
//! text changed.

pub mod evaluate;
pub mod outcome;
pub mod overlays;
pub mod reports;

use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::config::{GateSettings, RepoConfig};
use crate::error::ReconcileError;
use crate::gate::{GateState, PlanInput, PolicySource};
use crate::ids::{RepoName, Sha};
use crate::ports::forge::{Forge, PullRequest};
use crate::ports::renderer::Renderer;
use crate::store::{PendingEvent, Store};
use evaluate::{GateMaterial, RenderedOverlay, evaluate};
use outcome::{Outcome, Waited, gate_marker};

/// Where the policies live, on the default branch.
pub const POLICIES_DIR: &str = "policies";
/// The exceptions file among the policies.
pub const EXCEPTIONS_PATH: &str = "policies/exceptions.yaml";
/// Store namespace of the plans the terraform service records
/// (`owner/name#<pr, 10 digits>/<env>` → `{head_sha, env, plan}`).
pub const PLAN_JSON: &str = "plan-json";
/// Store namespace: when the gate first waited on a commit (RFC 3339).
pub const PENDING_SINCE: &str = "gate-pending";
/// Store namespace: a fingerprint of the last check written per pull request.
pub const PUBLISHED: &str = "gate-published";

/// What the gate works with.
pub struct GateContext<'a> {
    /// The code host.
    pub forge: &'a dyn Forge,
    /// The durable store.
    pub store: &'a dyn Store,
    /// Renders overlays; `None` makes touched overlays a problem.
    pub renderer: Option<&'a dyn Renderer>,
}

/// Ingests the completed workflow runs among `events` for `repo` (when it
/// has a gate), so their reports are there for the next evaluation.
pub async fn ingest_runs(
    ctx: &GateContext<'_>,
    repo: &RepoName,
    events: &[PendingEvent],
) -> Result<(), ReconcileError> {
    let runs = reports::completed_runs(events);
    if runs.is_empty() {
        return Ok(());
    }
    let Ok(config) = crate::config::load(ctx.forge, repo).await? else {
        return Ok(());
    };
    let Some(settings) = config.gate else {
        return Ok(());
    };
    for run in runs.into_iter().filter(|r| &r.repo == repo) {
        reports::ingest_run(ctx.forge, ctx.store, run, &settings.artifact).await?;
    }
    Ok(())
}

/// Evaluates the gate for an open pull request and publishes the check and
/// the sticky comment. Also returns, for a gate still pending, how long until
/// its timeout: the engine looks again then, so a missing input fails the
/// gate at its deadline even when no other event comes.
pub async fn reconcile_pr(
    ctx: &GateContext<'_>,
    pr: &PullRequest,
    config: &RepoConfig,
    settings: &GateSettings,
) -> Result<(Outcome, Option<std::time::Duration>), ReconcileError> {
    let material = collect(ctx, pr, config).await?;
    let now = Utc::now();
    let evaluation = evaluate(&material, settings, now.date_naive());
    let waited = match &evaluation.verdict.state {
        GateState::Pending { .. } => Some(Waited {
            waited: waiting_since(ctx.store, &pr.repo, &pr.head_sha, now)?,
            timeout: settings.timeout,
        }),
        _ => None,
    };
    let outcome = outcome::outcome(&evaluation, waited);
    publish(ctx, pr, &outcome).await?;
    let recheck_in = match (&outcome.state, waited) {
        // A second past the deadline, so the next look is at or past it.
        (GateState::Pending { .. }, Some(w)) => {
            Some(w.timeout.saturating_sub(w.waited) + std::time::Duration::from_secs(1))
        }
        _ => None,
    };
    Ok((outcome, recheck_in))
}

/// How long the gate has waited on `sha`, remembering the first wait.
fn waiting_since(
    store: &dyn Store,
    repo: &RepoName,
    sha: &Sha,
    now: DateTime<Utc>,
) -> Result<std::time::Duration, ReconcileError> {
    let key = format!("{repo}@{sha}");
    let first = store
        .get_record(PENDING_SINCE, &key)?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
        .map(|t| t.with_timezone(&Utc));
    let first = match first {
        Some(first) => first,
        None => {
            store.put_record(PENDING_SINCE, &key, now.to_rfc3339().as_bytes())?;
            now
        }
    };
    Ok((now - first).to_std().unwrap_or_default())
}

async fn publish(
    ctx: &GateContext<'_>,
    pr: &PullRequest,
    outcome: &Outcome,
) -> Result<(), ReconcileError> {
    let check = outcome.check();
    let mut hasher = DefaultHasher::new();
    (
        check.head_sha.as_str(),
        format!("{:?}", check.status),
        &check.title,
        &check.summary,
    )
        .hash(&mut hasher);
    let fingerprint = format!("{:016x}", hasher.finish());
    let key = format!("{}#{}", pr.repo, pr.number);
    let last = ctx.store.get_record(PUBLISHED, &key)?;
    if last.as_deref() != Some(fingerprint.as_bytes()) {
        ctx.forge.set_check(&pr.repo, &check).await?;
    }
    ctx.forge
        .upsert_comment(&pr.repo, pr.number, &gate_marker(), &outcome.comment())
        .await?;
    ctx.store
        .put_record(PUBLISHED, &key, fingerprint.as_bytes())?;
    Ok(())
}

#[derive(Deserialize)]
struct RecordedPlan {
    head_sha: Sha,
    env: String,
    plan: serde_json::Value,
}

/// Gathers everything the gate reads for the pull request's head.
async fn collect(
    ctx: &GateContext<'_>,
    pr: &PullRequest,
    config: &RepoConfig,
) -> Result<GateMaterial, ReconcileError> {
    let (repo, head) = (&pr.repo, &pr.head_sha);
    let mut notes = Vec::new();
    let changed = ctx.forge.changed_files(repo, pr.number).await?;
    let branch = ctx.forge.default_branch(repo).await?;
    let base = ctx.forge.resolve(repo, &branch).await?;
    let policy_files = ctx
        .forge
        .files_at(repo, &base, &[POLICIES_DIR.to_owned()])
        .await?;
    let policies: Vec<PolicySource> = policy_files
        .iter()
        .filter(|f| f.path.ends_with(".rego") && !f.path.ends_with("_test.rego"))
        .map(|f| PolicySource {
            path: f.path.clone(),
            rego: f.text.clone(),
        })
        .collect();
    let exceptions = policy_files
        .iter()
        .find(|f| f.path == EXCEPTIONS_PATH)
        .map(|f| f.text.clone());
    if changed
        .iter()
        .any(|p| p.starts_with(&format!("{POLICIES_DIR}/")))
    {
        notes.push(format!(
            "This pull request changes `{POLICIES_DIR}/`: it is judged by the policies of `{branch}` at `{}`; its own take effect once merged.",
            base.short()
        ));
    }
    if policies.is_empty() {
        notes.push(format!(
            "`{branch}` has no Rego policies under `{POLICIES_DIR}/`: only the Trivy reports are judged."
        ));
    }
    let plans = recorded_plans(ctx.store, pr)?;
    let manifests = render_touched(ctx, pr, config, &changed).await?;
    Ok(GateMaterial {
        head_sha: head.clone(),
        reports: reports::stored_reports(ctx.store, repo, head)?,
        ignore_text: ctx.forge.file_at(repo, head, ".trivyignore").await?,
        ignore_yaml: ctx.forge.file_at(repo, head, ".trivyignore.yaml").await?,
        policies,
        exceptions,
        plans,
        manifests,
        notes,
        wait_for_reports: true,
    })
}

/// The plans recorded for the pull request at its current head.
fn recorded_plans(store: &dyn Store, pr: &PullRequest) -> Result<Vec<PlanInput>, ReconcileError> {
    let prefix = format!("{}#{:010}/", pr.repo, pr.number.0);
    let mut plans = Vec::new();
    for (key, value) in store.scan_records(PLAN_JSON, &prefix)? {
        let Ok(recorded) = serde_json::from_slice::<RecordedPlan>(&value) else {
            tracing::warn!(%key, "a recorded plan is not readable; skipped");
            continue;
        };
        if recorded.head_sha != pr.head_sha {
            continue;
        }
        let json = match recorded.plan {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        plans.push(PlanInput {
            environment: recorded.env,
            json,
        });
    }
    Ok(plans)
}

async fn render_touched(
    ctx: &GateContext<'_>,
    pr: &PullRequest,
    config: &RepoConfig,
    changed: &[String],
) -> Result<Vec<RenderedOverlay>, ReconcileError> {
    let root = format!("{}/", overlays::FLUX_ROOT);
    if !changed.iter().any(|p| p.starts_with(&root)) {
        return Ok(Vec::new());
    }
    let files = ctx
        .forge
        .files_at(&pr.repo, &pr.head_sha, &[overlays::FLUX_ROOT.to_owned()])
        .await?;
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let all = overlays::overlays(&paths, &config.envs);
    let mut out = Vec::new();
    for overlay in overlays::touched(&all, changed) {
        let yaml = match ctx.renderer {
            Some(renderer) => renderer
                .render(&files, &overlay.path)
                .await
                .map_err(|e| e.to_string()),
            None => Err(format!(
                "{}: bosun has no manifest renderer configured",
                overlay.path
            )),
        };
        out.push(RenderedOverlay {
            overlay: overlay.path,
            env: overlay.env,
            yaml,
        });
    }
    Ok(out)
}
