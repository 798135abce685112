//! `/rollback <env> [to <sha-or-pr>]`: a pull request that restores the
//! versions an environment had before its last promotion (or before the
//! named promotion, or at the named commit), through the same minimal edits
//! as a promotion. A `/lock` stops it; a freeze window does not, since a
//! rollback is how an incident in a freeze window ends.

use super::open::{Blocked, FLUX_CONFIG, in_overlay};
use super::publish::{Publication, publish};
use super::record::{PromotionRecord, Promotions};
use crate::audit::Place;
use crate::config::Identity;
use crate::error::ReconcileError;
use crate::ids::{PrNumber, RepoName};
use crate::locks::Locks;
use crate::ports::forge::Forge;
use crate::promote::{self, Change, ChangeSet, VersionRef};
use crate::store::Store;
use bosun_commands::{Env, RollbackTarget};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A rollback someone asked for, already permitted.
pub struct RollbackAsk<'a> {
    /// The repository holding `flux-config/`.
    pub repo: &'a RepoName,
    /// The environment to roll back.
    pub env: &'a Env,
    /// What to return to: before the last promotion when `None`.
    pub to: Option<&'a RollbackTarget>,
    /// Who asked.
    pub who: &'a Identity,
    /// Where they asked.
    pub place: &'a Place,
    /// Show what would happen; change nothing.
    pub dry_run: bool,
    /// Now.
    pub now: DateTime<Utc>,
}

/// What a rollback did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackOutcome {
    /// A pull request carries the rollback.
    Opened {
        /// The record saved for it (the Flux loop reports on it too).
        record: Box<PromotionRecord>,
        /// The change table.
        table: String,
        /// Whether the pull request was open already.
        updated: bool,
    },
    /// A dry run: what a rollback would move.
    Preview {
        /// The change table.
        table: String,
    },
    /// The environment already runs the versions asked for.
    NothingToDo(String),
    /// Something stopped it.
    Blocked(Blocked),
}

/// The branch a rollback of `env` lives on.
pub fn rollback_branch(env: &Env) -> String {
    format!("bosun/rollback/{env}")
}

fn last_promotion(
    records: Vec<PromotionRecord>,
    repo: &RepoName,
    env: &Env,
    number: Option<PrNumber>,
) -> Option<PromotionRecord> {
    records
        .into_iter()
        .filter(|r| &r.repo == repo && r.to == env.as_str() && r.merged_at.is_some())
        .filter(|r| number.is_none_or(|n| r.number == n))
        .max_by_key(|r| r.merged_at)
}

/// The versions to return to, or why there are none.
async fn targets(
    forge: &dyn Forge,
    store: &dyn Store,
    ask: &RollbackAsk<'_>,
) -> Result<Result<Vec<VersionRef>, String>, ReconcileError> {
    let env = ask.env;
    match ask.to {
        Some(RollbackTarget::Commit(text)) => {
            let commit = match forge.resolve(ask.repo, text).await {
                Ok(commit) => commit,
                Err(crate::ports::forge::ForgeError::NotFound(_)) => {
                    return Ok(Err(format!("there is no commit `{text}`")));
                }
                Err(e) => return Err(e.into()),
            };
            let files = forge
                .files_at(ask.repo, &commit, &[FLUX_CONFIG.to_owned()])
                .await?;
            let overlay: Vec<(&str, &str)> = files
                .iter()
                .filter(|f| in_overlay(&f.path, env))
                .map(|f| (f.path.as_str(), f.text.as_str()))
                .collect();
            Ok(promote::extract(&overlay)
                .map(|v| v.versions().cloned().collect())
                .map_err(|e| format!("the `{env}` overlays at `{text}` cannot be read: {e}")))
        }
        Some(RollbackTarget::PullRequest(number)) => {
            let records = Promotions::new(store).all()?;
            Ok(
                last_promotion(records, ask.repo, env, Some(PrNumber(*number)))
                    .map(|r| r.previous)
                    .ok_or_else(|| format!("#{number} is not a merged promotion to `{env}`")),
            )
        }
        None => {
            let records = Promotions::new(store).all()?;
            Ok(last_promotion(records, ask.repo, env, None)
                .map(|r| r.previous)
                .ok_or_else(|| format!("bosun has no merged promotion to `{env}` to roll back")))
        }
    }
}

/// Checks the lock and opens or updates the rollback's pull request.
pub async fn rollback(
    forge: &dyn Forge,
    store: &dyn Store,
    ask: &RollbackAsk<'_>,
) -> Result<RollbackOutcome, ReconcileError> {
    if let Some(lock) = Locks::new(store, ask.repo).get(ask.env)? {
        return Ok(RollbackOutcome::Blocked(Blocked::Locked(lock)));
    }
    let wanted = match targets(forge, store, ask).await? {
        Ok(wanted) => wanted,
        Err(problem) => return Ok(RollbackOutcome::Blocked(Blocked::Overlay(problem))),
    };
    let default = forge.default_branch(ask.repo).await?;
    let tip = forge.resolve(ask.repo, &default).await?;
    let files = forge
        .files_at(ask.repo, &tip, &[FLUX_CONFIG.to_owned()])
        .await?;
    let overlay: Vec<(&str, &str)> = files
        .iter()
        .filter(|f| in_overlay(&f.path, ask.env))
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect();
    let current = match promote::extract(&overlay) {
        Ok(current) => current,
        Err(e) => {
            let problem = format!("the `{}` overlays cannot be read: {e}", ask.env);
            return Ok(RollbackOutcome::Blocked(Blocked::Overlay(problem)));
        }
    };
    let mut changes = ChangeSet::default();
    for target in wanted {
        match current.get(&target.key()) {
            Some(now) if !now.version.same_version(&target) => changes.changes.push(Change {
                key: target.key(),
                app: target.app().to_owned(),
                kind: target.kind(),
                current: now.version.clone(),
                new: target,
            }),
            Some(_) => {}
            None => changes.only_in_from.push(target.key()),
        }
    }
    let env = ask.env.as_str();
    if changes.is_empty() {
        return Ok(RollbackOutcome::NothingToDo(
            crate::messages::rollback_nothing(env),
        ));
    }
    let table = promote::change_table("the target", env, &changes, &BTreeMap::new());
    if ask.dry_run {
        return Ok(RollbackOutcome::Preview { table });
    }
    let targets: Vec<VersionRef> = changes.targets().cloned().collect();
    let edited = promote::apply(&overlay, &current, &targets)
        .map_err(|e| ReconcileError::Promote(e.to_string()))?;
    let title = crate::messages::rollback_title(env, &changes);
    let body =
        crate::messages::rollback_body(env, &table, &ask.who.to_string(), &ask.place.to_string());
    let (record, updated) = publish(
        forge,
        store,
        Publication {
            repo: ask.repo,
            branch: rollback_branch(ask.env),
            base: default,
            parent: tip,
            edited,
            title,
            body,
            label: format!("rollback:{env}"),
            changes: &changes,
            from: "rollback".to_owned(),
            to: env.to_owned(),
            asked_by: ask.who.to_string(),
            asked_where: ask.place.to_string(),
            now: ask.now,
        },
    )
    .await?;
    Ok(RollbackOutcome::Opened {
        record: Box::new(record),
        table,
        updated,
    })
}
