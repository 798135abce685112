//! Closing the loop with Flux: a merged promotion waits until the target
//! environment's Kustomization reports on a revision containing the merge,
//! then bosun says on the pull request whether the environment runs the new
//! versions, or why Flux could not apply them.
//!
//! Every update of a record goes through this module under one lock, so the
//! pull request's reconcile (which records the merge) and the environment's
//! (which records what Flux said) never overwrite each other's work. Each
//! update upserts the comment before it saves the record: a crash between
//! the two reruns to the same comment and the same record.

use crate::error::ReconcileError;
use crate::event::{EventKind, FluxEvent, FluxSeverity};
use crate::ids::{RepoName, Sha};
use crate::messages;
use crate::ports::forge::{Forge, ForgeError, Marker, PrState, PullRequest};
use crate::promotion::{Applied, PromotionRecord, Promotions};
use crate::store::{PendingEvent, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tokio::sync::Mutex;
use tracing::{debug, info};

/// The one lock around read-modify-write updates of promotion records.
static UPDATES: Mutex<()> = Mutex::const_new(());

/// The reason of the Flux event that says a Kustomization applied a revision
/// (and, when it waits for them, found its workloads healthy).
pub const SUCCEEDED: &str = "ReconciliationSucceeded";

/// The marker of the comment that follows a promotion after it merges.
pub fn applied_marker() -> Marker {
    Marker::new("promotion", "applied")
}

/// What a Flux event says about the revision it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The Kustomization applied the revision.
    Succeeded,
    /// Reconciling, building, fetching or health-checking failed.
    Failed,
}

/// What an event says about a promotion, or `None` when it says nothing
/// (progress, trace detail, or no git commit to compare with).
pub fn outcome(event: &FluxEvent) -> Option<Outcome> {
    event.revision.as_ref()?.sha.as_ref()?;
    match event.severity {
        FluxSeverity::Error => Some(Outcome::Failed),
        FluxSeverity::Info if event.reason == SUCCEEDED => Some(Outcome::Succeeded),
        FluxSeverity::Info | FluxSeverity::Trace => None,
    }
}

/// Whether an event, at a revision containing the merge, replaces what the
/// record says: anything replaces nothing, a success replaces a failure, a
/// failure replaces an older failure, and nothing replaces a success.
pub fn replaces(current: Option<&Applied>, event: &FluxEvent, outcome: Outcome) -> bool {
    match (current, outcome) {
        (None, _) => true,
        (Some(applied), _) if applied.succeeded => false,
        (Some(_), Outcome::Succeeded) => true,
        (Some(failed), Outcome::Failed) => event.timestamp >= failed.at,
    }
}

/// Records the merge of `pr` if it is a promotion bosun opened and bosun has
/// not recorded its merge yet: the merge commit, `merged_at`, and the comment
/// saying bosun waits for the target environment. Returns whether it did.
pub async fn record_merge(
    forge: &dyn Forge,
    store: &dyn Store,
    pr: &PullRequest,
    merged_at: DateTime<Utc>,
) -> Result<bool, ReconcileError> {
    if pr.state != PrState::Merged || pr.merge_sha.is_none() {
        return Ok(false);
    }
    let _guard = UPDATES.lock().await;
    let Some(record) = Promotions::new(store).get(&pr.repo, pr.number)? else {
        return Ok(false);
    };
    let before = record.merged_sha.is_some();
    let record = merge_locked(forge, store, record, pr, merged_at).await?;
    Ok(!before && record.merged_sha.is_some())
}

/// [`record_merge`] with the lock held and the record read.
async fn merge_locked(
    forge: &dyn Forge,
    store: &dyn Store,
    mut record: PromotionRecord,
    pr: &PullRequest,
    merged_at: DateTime<Utc>,
) -> Result<PromotionRecord, ReconcileError> {
    let Some(sha) = pr.merge_sha.clone().filter(|_| pr.state == PrState::Merged) else {
        return Ok(record);
    };
    if record.merged_sha.is_some() {
        return Ok(record);
    }
    let body = messages::promotion_waiting(&record.to, &sha);
    forge
        .upsert_comment(&record.repo, record.number, &applied_marker(), &body)
        .await?;
    info!(repo = %record.repo, number = %record.number, merge = %sha, to = %record.to, "promotion merged");
    record.merged_sha = Some(sha);
    record.merged_at = Some(merged_at);
    Promotions::new(store).save(&record)?;
    Ok(record)
}

/// Converges every promotion to `env` on what the pending Flux events say:
/// for each event (in arrival order) at a revision containing a promotion's
/// merge, records how Flux applied it and upserts the comment that says so.
/// A promotion whose merge bosun has not recorded yet (its Flux event came
/// first) has its pull request read, and its merge recorded, first.
pub async fn reconcile_env(
    forge: &dyn Forge,
    store: &dyn Store,
    env: &str,
    events: &[PendingEvent],
) -> Result<(), ReconcileError> {
    let reports: Vec<(&FluxEvent, Outcome)> = events
        .iter()
        .filter_map(|pending| match &pending.event.kind {
            EventKind::Flux(e) if e.kind == "Kustomization" && e.env.as_deref() == Some(env) => {
                outcome(e).map(|o| (e, o))
            }
            _ => None,
        })
        .collect();
    if reports.is_empty() {
        debug!(env, "no Flux event says anything about a promotion");
        return Ok(());
    }
    let _guard = UPDATES.lock().await;
    let waiting = Promotions::new(store)
        .all()?
        .into_iter()
        .filter(|r| r.to == env && !r.applied.as_ref().is_some_and(|a| a.succeeded));
    for record in waiting {
        let Some(record) = with_merge(forge, store, record).await? else {
            continue;
        };
        converge(forge, store, record, &reports).await?;
    }
    Ok(())
}

/// The record with its merge recorded, or `None` when it has not merged.
async fn with_merge(
    forge: &dyn Forge,
    store: &dyn Store,
    record: PromotionRecord,
) -> Result<Option<PromotionRecord>, ReconcileError> {
    if record.merged_sha.is_some() {
        return Ok(Some(record));
    }
    let pr = match forge.pull_request(&record.repo, record.number).await {
        Ok(pr) => pr,
        Err(ForgeError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let record = merge_locked(forge, store, record, &pr, Utc::now()).await?;
    Ok(record.merged_sha.is_some().then_some(record))
}

/// Applies the reports to one merged record; upserts its comment and saves
/// it when what it says changed.
async fn converge(
    forge: &dyn Forge,
    store: &dyn Store,
    mut record: PromotionRecord,
    reports: &[(&FluxEvent, Outcome)],
) -> Result<(), ReconcileError> {
    let Some(merged) = record.merged_sha.clone() else {
        return Ok(());
    };
    let mut contains: HashMap<Sha, bool> = HashMap::new();
    let mut next = record.applied.clone();
    for (event, outcome) in reports {
        let Some(at) = event.revision.as_ref().and_then(|r| r.sha.as_ref()) else {
            continue;
        };
        if !replaces(next.as_ref(), event, *outcome) {
            continue;
        }
        let found = match contains.get(at) {
            Some(found) => *found,
            None => {
                let found = includes(forge, &record.repo, &merged, at).await?;
                contains.insert(at.clone(), found);
                found
            }
        };
        if found {
            next = Some(Applied {
                succeeded: *outcome == Outcome::Succeeded,
                revision: event
                    .revision
                    .as_ref()
                    .map(|r| r.raw.clone())
                    .unwrap_or_default(),
                reason: event.reason.clone(),
                message: event.message.clone(),
                at: event.timestamp,
            });
        }
    }
    let Some(applied) = next.filter(|n| Some(n) != record.applied.as_ref()) else {
        return Ok(());
    };
    let body = if applied.succeeded {
        messages::promotion_applied(&record.to, &record.moves, &applied, record.merged_at)
    } else {
        messages::promotion_failed(&record.to, &applied, record.merged_at)
    };
    forge
        .upsert_comment(&record.repo, record.number, &applied_marker(), &body)
        .await?;
    info!(repo = %record.repo, number = %record.number, to = %record.to,
        succeeded = applied.succeeded, revision = %applied.revision, "promotion applied");
    record.applied = Some(applied);
    Promotions::new(store).save(&record)?;
    Ok(())
}

/// Whether `revision` contains `merged`; a commit the forge does not know
/// (another repository's, say) does not.
async fn includes(
    forge: &dyn Forge,
    repo: &RepoName,
    merged: &Sha,
    revision: &Sha,
) -> Result<bool, ReconcileError> {
    match forge.is_ancestor(repo, merged, revision).await {
        Ok(found) => Ok(found),
        Err(ForgeError::NotFound(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
