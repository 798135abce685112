//! Reconciling one pull request: the sticky environments comment, and (with
//! later services) commands, plans and the gate.

pub mod comments;
pub mod touched;

use crate::config::{self, RepoConfig};
use crate::error::ReconcileError;
use crate::event::EventKind;
use crate::ids::{PrNumber, RepoName};
use crate::messages;
use crate::ports::forge::{Forge, ForgeError, Marker, PrState};
use crate::promotion;
use crate::store::{PendingEvent, Store};
use chrono::{DateTime, Utc};
use tracing::debug;

/// What a pull request's reconcile works with.
pub struct PrContext<'a> {
    /// The code host.
    pub forge: &'a dyn Forge,
    /// The durable store.
    pub store: &'a dyn Store,
    /// bosun's own login on the forge.
    pub bot_login: String,
    /// Renders overlays for the merge gate (issue 6), when configured.
    pub renderer: Option<&'a dyn crate::ports::renderer::Renderer>,
    /// Terraform, the environments' clusters and `/cost`, as far as this
    /// bosun has them.
    pub services: crate::ask::AskServices<'a>,
}

/// The marker of the sticky environments comment.
pub fn envs_marker() -> Marker {
    Marker::new("envs", "pr")
}

/// Converges one pull request on what bosun should have said and done.
/// Returns when to look at it again without a new event (a pending gate's
/// deadline), if ever.
pub async fn reconcile(
    ctx: &PrContext<'_>,
    repo: &RepoName,
    number: PrNumber,
    events: &[PendingEvent],
) -> Result<Option<std::time::Duration>, ReconcileError> {
    let pr = match ctx.forge.pull_request(repo, number).await {
        Ok(pr) => pr,
        Err(ForgeError::NotFound(_)) => {
            debug!(%repo, %number, "pull request is gone");
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    if pr.state == PrState::Merged {
        let merged_at = merge_reported_at(events).unwrap_or_else(Utc::now);
        promotion::applied::record_merge(ctx.forge, ctx.store, &pr, merged_at).await?;
    }
    let config = config::load(ctx.forge, repo).await?;
    let gate_ctx = crate::gating::GateContext {
        forge: ctx.forge,
        store: ctx.store,
        renderer: ctx.renderer,
    };
    crate::gating::ingest_runs(&gate_ctx, repo, events).await?;
    if pr.state == PrState::Open {
        let fallback = RepoConfig::default();
        let usable = config.as_ref().unwrap_or(&fallback);
        ensure_envs_comment(ctx, repo, number, usable).await?;
    }
    for comment in comments::command_comments(events) {
        comments::handle_comment(ctx, repo, number, comment, &config).await?;
    }
    if let (Some(service), Ok(config)) = (ctx.services.terraform, &config) {
        let tf = crate::terraform::TfContext {
            forge: ctx.forge,
            store: ctx.store,
            config,
            service,
            cluster: ctx.services.cluster,
            now: Utc::now(),
        };
        crate::terraform::autoplan::reconcile_pr(&tf, &pr).await?;
    }
    // Last, so a gate input that fails to load never holds up commands.
    if pr.state == PrState::Open
        && let Ok(config) = &config
        && let Some(gate) = &config.gate
    {
        let (_, recheck_in) = crate::gating::reconcile_pr(&gate_ctx, &pr, config, gate).await?;
        return Ok(recheck_in);
    }
    Ok(None)
}

/// Upserts the comment listing the environments the pull request touches.
/// A pull request that touches none gets no comment, unless it had one
/// (its changes moved away from every environment): that one is updated.
async fn ensure_envs_comment(
    ctx: &PrContext<'_>,
    repo: &RepoName,
    number: PrNumber,
    config: &RepoConfig,
) -> Result<(), ReconcileError> {
    let catalog = &config.envs;
    let files = ctx.forge.changed_files(repo, number).await?;
    let touched = touched::touched_envs(&files, catalog);
    let marker = envs_marker();
    if touched.is_empty() {
        let comments = ctx.forge.comments(repo, number).await?;
        let had_one = comments
            .iter()
            .any(|c| c.author == ctx.bot_login && marker.is_in(&c.body));
        if !had_one {
            return Ok(());
        }
    }
    let body = messages::envs_comment(&touched, catalog);
    ctx.forge
        .upsert_comment(repo, number, &marker, &body)
        .await?;
    Ok(())
}

/// When bosun first heard that the pull request merged, if one of the
/// pending events says so: closer to the merge than the reconcile's clock.
fn merge_reported_at(events: &[PendingEvent]) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter(|p| matches!(&p.event.kind, EventKind::PullRequest(e) if e.merged))
        .map(|p| p.event.received_at)
        .min()
}
