//! What bosun remembers about plans, in store records: one [`PlanRecord`]
//! per (pull request, project), replaced by each plan (a new head makes the
//! old one stale), the projects a pull request's head affects, and the
//! `plan-json` record the merge gate reads.

use crate::config::TfProject;
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

/// The key of the gate's plan JSON of one project:
/// `owner/name#0000000042/prd-uaenorth`. Keyed by project, not environment:
/// two projects that deploy one environment each keep their own plan.
pub fn plan_json_key(repo: &RepoName, number: PrNumber, project: &str) -> String {
    format!("{}/{project}", pr_key(repo, number))
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

/// Writes the record the merge gate reads for `project`:
/// `{"head_sha", "env", "project", "plan"}`, `plan` being the whole
/// `show -json` document.
pub fn put_plan_json(
    store: &dyn Store,
    repo: &RepoName,
    number: PrNumber,
    project: &TfProject,
    head_sha: &Sha,
    raw_json: &[u8],
) -> Result<(), StoreError> {
    let key = plan_json_key(repo, number, &project.name);
    let plan: serde_json::Value =
        serde_json::from_slice(raw_json).map_err(|e| corrupt(PLAN_JSON, &key, e))?;
    let value = serde_json::json!({
        "head_sha": head_sha.as_str(),
        "env": project.env.as_str(),
        "project": project.name,
        "plan": plan,
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{TfBinary, TfProject};
    use crate::store::SledStore;

    fn project(name: &str, env: &str) -> TfProject {
        TfProject {
            name: name.to_owned(),
            env: bosun_commands::EnvCatalog::default().resolve(env).unwrap(),
            dir: format!("terraform/envs/{name}"),
            workspace: "default".to_owned(),
            binary: TfBinary::Terraform,
            when_modified: Vec::new(),
            var_files: Vec::new(),
        }
    }

    #[test]
    fn two_projects_of_one_environment_each_keep_their_plan_for_the_gate() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let repo = RepoName::new("acme", "infra").unwrap();
        let head: Sha = "a".repeat(40).parse().unwrap();
        for (name, marker) in [("prd-network", 1), ("prd-aks", 2)] {
            let plan = format!("{{\"format_version\":\"1.2\",\"marker\":{marker}}}");
            put_plan_json(
                &store,
                &repo,
                PrNumber(7),
                &project(name, "prd"),
                &head,
                plan.as_bytes(),
            )
            .unwrap();
        }
        let records = store
            .scan_records(PLAN_JSON, "acme/infra#0000000007/")
            .unwrap();
        let mut seen: Vec<(String, String, i64)> = records
            .iter()
            .map(|(_, raw)| {
                let record: serde_json::Value = serde_json::from_slice(raw).unwrap();
                (
                    record["project"].as_str().unwrap().to_owned(),
                    record["env"].as_str().unwrap().to_owned(),
                    record["plan"]["marker"].as_i64().unwrap(),
                )
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                ("prd-aks".to_owned(), "prd".to_owned(), 2),
                ("prd-network".to_owned(), "prd".to_owned(), 1)
            ]
        );
    }
}
