//! What bosun remembers about plans, in store records: one [`PlanRecord`]
//! per (pull request, project), replaced by each plan (a new head makes the
//! old one stale), the projects a pull request's head affects, and the
//! `plan-json` record the merge gate reads.

use crate::ids::{PrNumber, RepoName, Sha};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Plans of pull requests.
pub const PLANS: &str = "tf-plan";
/// The projects a pull request's head affects.
pub const AFFECTED: &str = "tf-affected";
/// Applies made after a merge.
pub const AFTER_MERGE: &str = "tf-after-merge";
/// The plan JSON the gate reads (contract with the merge gate).
pub const PLAN_JSON: &str = "plan-json";
/// The commit each project was last applied at, keyed `owner/name/project`.
pub const APPLIED: &str = "tf-applied";

/// The commit a project was last applied at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedAt {
    /// The commit whose configuration was applied.
    pub sha: Sha,
    /// When.
    pub at: DateTime<Utc>,
}

/// Remembers that `project` of `repo` was applied at `sha`.
pub fn put_applied(
    store: &dyn Store,
    repo: &RepoName,
    project: &str,
    sha: &Sha,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    put(
        store,
        APPLIED,
        &format!("{repo}/{project}"),
        &AppliedAt {
            sha: sha.clone(),
            at,
        },
    )
}

/// How a project's latest plan on a pull request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PlanState {
    /// Planned; the saved plan is in the checkout.
    Planned {
        /// Whether the plan changes anything.
        has_changes: bool,
    },
    /// The plan failed.
    Failed {
        /// What went wrong (masked).
        message: String,
    },
    /// The saved plan was applied.
    Applied {
        /// When.
        at: DateTime<Utc>,
    },
}

/// A project's latest plan on a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// The project.
    pub project: String,
    /// Its environment.
    pub env: String,
    /// The commit planned.
    pub head_sha: Sha,
    /// The checkout the plan was made in (the project's folder is under it).
    pub checkout: PathBuf,
    /// How it stands.
    pub state: PlanState,
    /// When it was planned.
    pub planned_at: DateTime<Utc>,
}

/// The projects a pull request's head affects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// The head they were computed at.
    pub head_sha: Sha,
    /// The projects' names.
    pub projects: Vec<String>,
}

/// The key of a pull request's records: `owner/name#0000000042`.
pub fn pr_key(repo: &RepoName, number: PrNumber) -> String {
    format!("{repo}#{:010}", number.0)
}

/// The key of a project's plan on a pull request.
pub fn plan_key(repo: &RepoName, number: PrNumber, project: &str) -> String {
    format!("{}/{project}", pr_key(repo, number))
}

/// The key of the gate's plan JSON: `owner/name#0000000042/prd`.
pub fn plan_json_key(repo: &RepoName, number: PrNumber, env: &str) -> String {
    format!("{}/{env}", pr_key(repo, number))
}

fn corrupt(namespace: &str, key: &str, e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        key: format!("{namespace}/{key}"),
        reason: e.to_string(),
    }
}

/// Reads a JSON record.
pub fn get<T: DeserializeOwned>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
) -> Result<Option<T>, StoreError> {
    store
        .get_record(namespace, key)?
        .map(|raw| serde_json::from_slice(&raw).map_err(|e| corrupt(namespace, key, e)))
        .transpose()
}

/// Writes a JSON record.
pub fn put<T: Serialize>(
    store: &dyn Store,
    namespace: &str,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    let raw = serde_json::to_vec(value).map_err(|e| corrupt(namespace, key, e))?;
    store.put_record(namespace, key, &raw)
}

/// Writes the record the merge gate reads: `{"head_sha", "env", "plan"}`,
/// `plan` being the whole `show -json` document.
pub fn put_plan_json(
    store: &dyn Store,
    repo: &RepoName,
    number: PrNumber,
    env: &str,
    head_sha: &Sha,
    raw_json: &[u8],
) -> Result<(), StoreError> {
    let key = plan_json_key(repo, number, env);
    let plan: serde_json::Value =
        serde_json::from_slice(raw_json).map_err(|e| corrupt(PLAN_JSON, &key, e))?;
    let value = serde_json::json!({ "head_sha": head_sha.as_str(), "env": env, "plan": plan });
    put(store, PLAN_JSON, &key, &value)
}

/// Every plan record of a pull request.
pub fn plans_of(
    store: &dyn Store,
    repo: &RepoName,
    number: PrNumber,
) -> Result<Vec<PlanRecord>, StoreError> {
    let prefix = format!("{}/", pr_key(repo, number));
    store
        .scan_records(PLANS, &prefix)?
        .into_iter()
        .map(|(key, raw)| serde_json::from_slice(&raw).map_err(|e| corrupt(PLANS, &key, e)))
        .collect()
}
