//! Change freezes: `/lock <env>` stops changes to an environment until
//! `/unlock <env>`. A lock names who set it, why and since when; it lives in
//! the store and survives restarts.

use crate::ids::RepoName;
use crate::store::{Store, StoreError};
use bosun_commands::Env;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

const NAMESPACE: &str = "env_lock";

/// A change freeze on one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvLock {
    /// The environment.
    pub env: String,
    /// Who set it (`forge:alice`).
    pub by: String,
    /// Why, if they said.
    pub reason: Option<String>,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// The locks of one repository.
pub struct Locks<'a> {
    store: &'a dyn Store,
    repo: &'a RepoName,
}

fn key(repo: &RepoName, env: &str) -> String {
    format!("{repo}/{env}")
}

fn corrupt(key: &str, e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        key: format!("{NAMESPACE}/{key}"),
        reason: e.to_string(),
    }
}

impl<'a> Locks<'a> {
    /// The locks of `repo` in `store`.
    pub fn new(store: &'a dyn Store, repo: &'a RepoName) -> Self {
        Self { store, repo }
    }

    /// The lock on `env`, if any.
    pub fn get(&self, env: &Env) -> Result<Option<EnvLock>, StoreError> {
        let key = key(self.repo, env.as_str());
        let raw = self.store.get_record(NAMESPACE, &key)?;
        raw.map(|r| serde_json::from_slice(&r).map_err(|e| corrupt(&key, e)))
            .transpose()
    }

    /// Locks `env`. Returns the lock that holds afterwards: the new one, or
    /// someone else's that was there first (which is left alone). Locking
    /// again by the same person updates the reason.
    pub fn lock(&self, lock: EnvLock) -> Result<EnvLock, StoreError> {
        let key = key(self.repo, &lock.env);
        if let Some(raw) = self.store.get_record(NAMESPACE, &key)? {
            let existing: EnvLock = serde_json::from_slice(&raw).map_err(|e| corrupt(&key, e))?;
            if existing.by != lock.by {
                return Ok(existing);
            }
        }
        let raw = serde_json::to_vec(&lock).map_err(|e| corrupt(&key, e))?;
        self.store.put_record(NAMESPACE, &key, &raw)?;
        Ok(lock)
    }

    /// Removes the lock on `env`; returns what it was.
    pub fn unlock(&self, env: &Env) -> Result<Option<EnvLock>, StoreError> {
        let previous = self.get(env)?;
        if previous.is_some() {
            self.store
                .delete_record(NAMESPACE, &key(self.repo, env.as_str()))?;
        }
        Ok(previous)
    }
}
