//! What bosun remembers about each promotion it opened: enough to report
//! back when the pull request merges and when Flux applies the merge in the
//! target environment.

use crate::ids::{PrNumber, RepoName, Sha};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

const NAMESPACE: &str = "promotion";

/// One version a promotion moves, as shown in its change table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedVersion {
    /// The app (`vllm-openai`).
    pub app: String,
    /// `image`, `chart` or `OCI ref`.
    pub kind: String,
    /// What the target environment ran before.
    pub from_version: String,
    /// What it runs after the promotion.
    pub to_version: String,
}

/// How Flux ended applying a merged promotion in the target environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// Whether the Kustomization reconciled successfully.
    pub succeeded: bool,
    /// The revision Flux reported (`main@sha1:…`).
    pub revision: String,
    /// Flux's reason (`ReconciliationSucceeded`, `HealthCheckFailed`, …).
    pub reason: String,
    /// Flux's message, for failures.
    pub message: String,
    /// When Flux reported it.
    pub at: DateTime<Utc>,
}

/// A promotion pull request bosun opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRecord {
    /// The repository holding `flux-config/`.
    pub repo: RepoName,
    /// The source environment.
    pub from: String,
    /// The target environment.
    pub to: String,
    /// The pull request.
    pub number: PrNumber,
    /// Its address.
    pub url: String,
    /// Its head branch (`bosun/promote/stg-to-prd`).
    pub branch: String,
    /// Who asked (`forge:alice`, `slack:U123`).
    pub asked_by: String,
    /// Where they asked (a pull request, a channel, a terminal).
    pub asked_where: String,
    /// What it moves.
    pub moves: Vec<MovedVersion>,
    /// The exact versions the target ran before, for `/rollback`.
    #[serde(default)]
    pub previous: Vec<crate::promote::VersionRef>,
    /// When bosun opened or last updated it.
    pub opened_at: DateTime<Utc>,
    /// The merge commit on the default branch, once merged.
    pub merged_sha: Option<Sha>,
    /// When it merged.
    pub merged_at: Option<DateTime<Utc>>,
    /// How Flux applied it, once it did.
    pub applied: Option<Applied>,
}

fn key(repo: &RepoName, number: PrNumber) -> String {
    format!("{repo}#{:010}", number.0)
}

fn corrupt(key: &str, e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        key: format!("{NAMESPACE}/{key}"),
        reason: e.to_string(),
    }
}

/// The promotion records in the store.
pub struct Promotions<'a> {
    store: &'a dyn Store,
}

impl<'a> Promotions<'a> {
    /// The records of `store`.
    pub fn new(store: &'a dyn Store) -> Self {
        Self { store }
    }

    /// Writes (or replaces) a record.
    pub fn save(&self, record: &PromotionRecord) -> Result<(), StoreError> {
        let key = key(&record.repo, record.number);
        let raw = serde_json::to_vec(record).map_err(|e| corrupt(&key, e))?;
        self.store.put_record(NAMESPACE, &key, &raw)
    }

    /// The record of a pull request, if bosun opened it as a promotion.
    pub fn get(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Option<PromotionRecord>, StoreError> {
        let key = key(repo, number);
        let raw = self.store.get_record(NAMESPACE, &key)?;
        raw.map(|r| serde_json::from_slice(&r).map_err(|e| corrupt(&key, e)))
            .transpose()
    }

    /// Every record, oldest pull request first per repository.
    pub fn all(&self) -> Result<Vec<PromotionRecord>, StoreError> {
        let mut records = Vec::new();
        for (key, raw) in self.store.scan_records(NAMESPACE, "")? {
            records.push(serde_json::from_slice(&raw).map_err(|e| corrupt(&key, e))?);
        }
        Ok(records)
    }
}
