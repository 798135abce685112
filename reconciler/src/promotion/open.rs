//! Opening (or updating) a promotion: check the rules, read both
//! environments' overlays on the default branch, work out what moves, write
//! the smallest edit on bosun's branch, and open or update one pull request.
//!
//! Every step is idempotent: the commit is found again when identical, the
//! pull request is found by its branch, the record is replaced. Asking
//! twice, or after a crash, ends in the same branch, pull request and record.

use super::publish::{Publication, publish};
use super::record::PromotionRecord;
use crate::audit::Place;
use crate::config::{Freeze, Identity, RepoConfig};
use crate::error::ReconcileError;
use crate::ids::RepoName;
use crate::locks::{EnvLock, Locks};
use crate::ports::forge::{Forge, RepoFile};
use crate::promote::{self, ChangeSet, PromoteError, VersionKey};
use crate::store::Store;
use bosun_commands::{App, Env};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

/// The folder whose per-environment overlays promotions move versions in.
pub const FLUX_CONFIG: &str = "flux-config";

/// A promotion someone asked for, already permitted.
pub struct PromoteAsk<'a> {
    /// The repository holding `flux-config/`.
    pub repo: &'a RepoName,
    /// The source environment.
    pub from: &'a Env,
    /// The target environment.
    pub to: &'a Env,
    /// Only these apps, when not empty.
    pub only: &'a [App],
    /// Skip the promotion order (the permission check already required the
    /// `platform` role for it).
    pub force: bool,
    /// Who asked.
    pub who: &'a Identity,
    /// Where they asked.
    pub place: &'a Place,
    /// Show what would happen; change nothing.
    pub dry_run: bool,
    /// Now.
    pub now: DateTime<Utc>,
    /// The clusters, to check the source is Ready (`None`: not checked).
    pub cluster: Option<&'a dyn crate::ports::cluster::Cluster>,
}

/// Why a promotion did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// The target environment is frozen by `/lock`.
    Locked(EnvLock),
    /// The target environment is in a freeze window.
    Frozen(Freeze),
    /// `from` does not feed `to` in the promotion order.
    OutOfOrder {
        /// The environment that feeds `to`, if any.
        expected: Option<String>,
    },
    /// Some source versions have not been on the default branch long enough.
    NotSoaked {
        /// The soak time required.
        soak: Duration,
        /// Each version too young, with when it landed.
        young: Vec<(String, DateTime<Utc>)>,
    },
    /// The overlays could not be read, or an app is unknown.
    Overlay(String),
    /// The source environment is not Ready at the default branch's tip.
    SourceNotReady(String),
}

/// What a promotion did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromoteOutcome {
    /// A pull request carries the promotion.
    Opened {
        /// The record saved for it.
        record: Box<PromotionRecord>,
        /// The change table.
        table: String,
        /// Whether the pull request was open already (and is now updated).
        updated: bool,
    },
    /// A dry run: what a promotion would move.
    Preview {
        /// The change table.
        table: String,
    },
    /// The target already runs the source's versions.
    NothingToPromote(String),
    /// A rule stopped it.
    Blocked(Blocked),
}

/// The branch a promotion from `from` to `to` lives on.
pub fn branch_name(from: &Env, to: &Env) -> String {
    format!("bosun/promote/{from}-to-{to}")
}

/// Whether `path` belongs to `env`'s overlays: a folder under
/// `flux-config/` named after the environment (bases and other
/// environments' folders do not).
pub(crate) fn in_overlay(path: &str, env: &Env) -> bool {
    let Some(rest) = path
        .strip_prefix(FLUX_CONFIG)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return false;
    };
    let mut folders: Vec<&str> = rest.split('/').collect();
    folders.pop();
    folders.contains(&env.as_str())
}

fn overlay<'f>(files: &'f [RepoFile], env: &Env) -> Vec<(&'f str, &'f str)> {
    files
        .iter()
        .filter(|f| in_overlay(&f.path, env))
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect()
}

fn overlay_error(env: &Env, error: &PromoteError) -> Blocked {
    match error {
        PromoteError::UnknownApp { .. } => Blocked::Overlay(error.to_string()),
        other => Blocked::Overlay(format!("the `{env}` overlays cannot be read: {other}")),
    }
}

/// When each moving version landed on the default branch: the last commit
/// that changed the source file holding it.
async fn landed(
    forge: &dyn Forge,
    repo: &RepoName,
    tip: &crate::ids::Sha,
    from: &promote::EnvVersions,
    changes: &ChangeSet,
) -> Result<BTreeMap<VersionKey, DateTime<Utc>>, ReconcileError> {
    let mut since = BTreeMap::new();
    for change in &changes.changes {
        if let Some(located) = from.get(&change.key)
            && let Some((_, at)) = forge.last_change(repo, tip, &located.site.path).await?
        {
            since.insert(change.key.clone(), at);
        }
    }
    Ok(since)
}

/// Checks the rules and opens or updates the promotion's pull request.
pub async fn promote(
    forge: &dyn Forge,
    store: &dyn Store,
    config: &RepoConfig,
    ask: &PromoteAsk<'_>,
) -> Result<PromoteOutcome, ReconcileError> {
    let rules = &config.promotion;
    let expected = rules.source_of(ask.to);
    if !ask.force && expected != Some(ask.from) {
        return Ok(PromoteOutcome::Blocked(Blocked::OutOfOrder {
            expected: expected.map(|e| e.as_str().to_owned()),
        }));
    }
    if let Some(lock) = Locks::new(store, ask.repo).get(ask.to)? {
        return Ok(PromoteOutcome::Blocked(Blocked::Locked(lock)));
    }
    if let Some(freeze) = rules.freeze_at(ask.to, ask.now) {
        return Ok(PromoteOutcome::Blocked(Blocked::Frozen(freeze)));
    }
    let default = forge.default_branch(ask.repo).await?;
    let tip = forge.resolve(ask.repo, &default).await?;
    let source = super::source_ready::check_source(ask.cluster, ask.from, &default, &tip).await;
    if let super::source_ready::SourceCheck::NotReady(reason) = &source
        && !ask.force
    {
        return Ok(PromoteOutcome::Blocked(Blocked::SourceNotReady(
            reason.clone(),
        )));
    }
    let files = forge
        .files_at(ask.repo, &tip, &[FLUX_CONFIG.to_owned()])
        .await?;
    let (from_files, to_files) = (overlay(&files, ask.from), overlay(&files, ask.to));
    let from_versions = match promote::extract(&from_files) {
        Ok(v) => v,
        Err(e) => return Ok(PromoteOutcome::Blocked(overlay_error(ask.from, &e))),
    };
    let to_versions = match promote::extract(&to_files) {
        Ok(v) => v,
        Err(e) => return Ok(PromoteOutcome::Blocked(overlay_error(ask.to, &e))),
    };
    let only: Vec<String> = ask.only.iter().map(|a| a.as_str().to_owned()).collect();
    let changes = match promote::plan(&from_versions, &to_versions, &only) {
        Ok(changes) => changes,
        Err(e) => return Ok(PromoteOutcome::Blocked(overlay_error(ask.to, &e))),
    };
    if changes.is_empty() {
        let text = promote::nothing_to_promote(ask.from.as_str(), ask.to.as_str(), &only);
        return Ok(PromoteOutcome::NothingToPromote(text));
    }
    let since = landed(forge, ask.repo, &tip, &from_versions, &changes).await?;
    if let Some(soak) = rules.soak(ask.to)
        && !ask.force
    {
        let soak_chrono = chrono::Duration::from_std(soak).unwrap_or(chrono::Duration::MAX);
        let young: Vec<(String, DateTime<Utc>)> = changes
            .changes
            .iter()
            .filter_map(|c| since.get(&c.key).map(|at| (c, *at)))
            .filter(|(_, at)| ask.now - *at < soak_chrono)
            .map(|(c, at)| (format!("{} {}", c.app, c.new.short()), at))
            .collect();
        if !young.is_empty() {
            return Ok(PromoteOutcome::Blocked(Blocked::NotSoaked { soak, young }));
        }
    }
    let mut table = promote::change_table(ask.from.as_str(), ask.to.as_str(), &changes, &since);
    table.push_str(&super::source_ready::note(&source, ask.from, &tip));
    if ask.dry_run {
        return Ok(PromoteOutcome::Preview { table });
    }
    let edited = promote::apply_changes(&to_files, &to_versions, &changes)
        .map_err(|e| ReconcileError::Promote(e.to_string()))?;
    let title = crate::messages::promotion_title(ask.from.as_str(), ask.to.as_str(), &changes);
    let body = crate::messages::promotion_body(
        ask.from.as_str(),
        ask.to.as_str(),
        &table,
        &ask.who.to_string(),
        &ask.place.to_string(),
    );
    let (record, updated) = publish(
        forge,
        store,
        Publication {
            repo: ask.repo,
            branch: branch_name(ask.from, ask.to),
            base: default,
            parent: tip,
            edited,
            title,
            body,
            label: format!("promote:{}", ask.to),
            changes: &changes,
            from: ask.from.as_str().to_owned(),
            to: ask.to.as_str().to_owned(),
            asked_by: ask.who.to_string(),
            asked_where: ask.place.to_string(),
            now: ask.now,
        },
    )
    .await?;
    Ok(PromoteOutcome::Opened {
        record: Box::new(record),
        table,
        updated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Env {
        bosun_commands::EnvCatalog::default()
            .resolve(name)
            .unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn overlays_are_the_folders_named_after_the_environment() {
        let prd = env("prd");
        assert!(in_overlay("flux-config/apps/prd/kustomization.yaml", &prd));
        assert!(in_overlay(
            "flux-config/infrastructure/controllers/prd/versions.yaml",
            &prd
        ));
        assert!(!in_overlay(
            "flux-config/apps/base/vllm/deployment.yaml",
            &prd
        ));
        assert!(!in_overlay("flux-config/apps/stg/kustomization.yaml", &prd));
        assert!(!in_overlay(
            "flux-config/clusters/prd-uaenorth/apps.yaml",
            &prd
        ));
        assert!(!in_overlay("terraform/envs/prd/main.tf", &prd));
        assert!(!in_overlay("flux-config/prd", &prd));
    }
}
