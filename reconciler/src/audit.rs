//! The audit log: every command from every front-end, written before it
//! runs, with who asked, where, the text, the decision and, later, the
//! outcome. Entries are keyed by the request's id, so a request handled
//! twice (after a crash) stays one entry and never runs twice.

use crate::config::Identity;
use crate::ids::{PrNumber, RepoName};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

const NAMESPACE: &str = "audit";

/// Where a command was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// A comment on a pull request.
    PullRequest {
        /// The repository.
        repo: RepoName,
        /// The pull request.
        number: PrNumber,
    },
    /// A chat channel (Slack or Discord channel id).
    Channel {
        /// The channel's id.
        id: String,
    },
    /// A terminal, in a checkout of this repository.
    Terminal {
        /// The repository the checkout belongs to.
        repo: RepoName,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PullRequest { repo, number } => write!(f, "{repo}#{number}"),
            Self::Channel { id } => write!(f, "channel {id}"),
            Self::Terminal { repo } => write!(f, "terminal ({repo})"),
        }
    }
}

/// What bosun decided about a request before running it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum AuditDecision {
    /// Permitted; it runs.
    Allowed,
    /// Not permitted; `needed` says what would have been.
    Refused {
        /// The role or access that would have been needed.
        needed: String,
    },
    /// Not a valid command.
    Invalid {
        /// The parse error, in words.
        error: String,
    },
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditOutcome {
    /// `succeeded`, `failed`, `refused`, `invalid` or `not_available`.
    pub result: String,
    /// The reply bosun gave, so a request handled again answers the same.
    pub reply: String,
    /// When it ended.
    pub at: DateTime<Utc>,
}

/// One request in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The request's id (stable across redeliveries).
    pub id: String,
    /// When it was first recorded.
    pub at: DateTime<Utc>,
    /// Who asked, as the front-end knows them.
    pub who: Identity,
    /// Where.
    pub place: Place,
    /// The command text as written.
    pub text: String,
    /// The decision.
    pub decision: AuditDecision,
    /// The outcome, once known.
    pub outcome: Option<AuditOutcome>,
}

/// The audit log in the store.
pub struct AuditLog<'a> {
    store: &'a dyn Store,
}

fn decode(raw: &[u8], key: &str) -> Result<AuditEntry, StoreError> {
    serde_json::from_slice(raw).map_err(|e| StoreError::Corrupt {
        key: format!("{NAMESPACE}/{key}"),
        reason: e.to_string(),
    })
}

fn encode(entry: &AuditEntry) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(entry).map_err(|e| StoreError::Corrupt {
        key: format!("{NAMESPACE}/{}", entry.id),
        reason: e.to_string(),
    })
}

impl<'a> AuditLog<'a> {
    /// The audit log of `store`.
    pub fn new(store: &'a dyn Store) -> Self {
        Self { store }
    }

    /// The entry for a request id, if it was recorded.
    pub fn get(&self, id: &str) -> Result<Option<AuditEntry>, StoreError> {
        let raw = self.store.get_record(NAMESPACE, id)?;
        raw.map(|r| decode(&r, id)).transpose()
    }

    /// Records a request before it runs; a request recorded already keeps
    /// its first entry, which is returned.
    pub fn record(&self, entry: AuditEntry) -> Result<AuditEntry, StoreError> {
        if let Some(existing) = self.get(&entry.id)? {
            return Ok(existing);
        }
        self.store
            .put_record(NAMESPACE, &entry.id, &encode(&entry)?)?;
        Ok(entry)
    }

    /// Adds the outcome to a recorded request.
    pub fn finish(&self, id: &str, outcome: AuditOutcome) -> Result<(), StoreError> {
        let Some(mut entry) = self.get(id)? else {
            return Err(StoreError::Corrupt {
                key: format!("{NAMESPACE}/{id}"),
                reason: "finished before it was recorded".to_owned(),
            });
        };
        entry.outcome = Some(outcome);
        self.store.put_record(NAMESPACE, id, &encode(&entry)?)
    }

    /// Every entry recorded at or after `since`, oldest first.
    pub fn since(&self, since: DateTime<Utc>) -> Result<Vec<AuditEntry>, StoreError> {
        let mut entries = Vec::new();
        for (key, raw) in self.store.scan_records(NAMESPACE, "")? {
            let entry = decode(&raw, &key)?;
            if entry.at >= since {
                entries.push(entry);
            }
        }
        entries.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        Ok(entries)
    }
}
