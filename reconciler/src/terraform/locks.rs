//! Locks per (repository, project), with a FIFO queue: a pull request that
//! plans a project takes its lock; another that needs it waits in line and
//! is told its place; when the holder merges, closes or `/unlock`s, the lock
//! passes to the first in line, whose plan then runs. Locks live in the
//! store and survive restarts.
//!
//! These are not the environment freezes of `/lock <env>` ([`crate::locks`]):
//! a freeze stops every apply to an environment; a project lock decides
//! which pull request may apply a project next.

use crate::ids::RepoName;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::records::{get, put};

/// The namespace of project locks.
pub const NAMESPACE: &str = "tf-lock";

/// A project's lock and its queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectLock {
    /// The pull request holding it.
    pub holder: Option<u64>,
    /// Since when.
    pub since: Option<DateTime<Utc>>,
    /// The pull requests waiting, first in line first.
    pub queue: Vec<u64>,
}

/// What asking for a lock gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The pull request holds it (now or already).
    Held,
    /// It waits: behind `holder`, at `position` in line (1 is next).
    Queued {
        /// The pull request holding the lock.
        holder: u64,
        /// Its place in line, from 1.
        position: usize,
    },
}

/// The project locks of one repository.
pub struct ProjectLocks<'a> {
    store: &'a dyn Store,
    repo: &'a RepoName,
}

impl<'a> ProjectLocks<'a> {
    /// The locks of `repo` in `store`. Callers serialise changes (one
    /// read-modify-write at a time).
    pub fn new(store: &'a dyn Store, repo: &'a RepoName) -> Self {
        Self { store, repo }
    }

    fn key(&self, project: &str) -> String {
        format!("{}/{project}", self.repo)
    }

    /// The lock of `project` (free and with nobody waiting when never taken).
    pub fn get(&self, project: &str) -> Result<ProjectLock, StoreError> {
        Ok(get(self.store, NAMESPACE, &self.key(project))?.unwrap_or_default())
    }

    fn put(&self, project: &str, lock: &ProjectLock) -> Result<(), StoreError> {
        if lock.holder.is_none() && lock.queue.is_empty() {
            return self.store.delete_record(NAMESPACE, &self.key(project));
        }
        put(self.store, NAMESPACE, &self.key(project), lock)
    }

    /// Takes the lock of `project` for `pr` if it is free, or joins its
    /// queue (once) if another holds it.
    pub fn claim(&self, project: &str, pr: u64, now: DateTime<Utc>) -> Result<Claim, StoreError> {
        let mut lock = self.get(project)?;
        match lock.holder {
            Some(holder) if holder == pr => Ok(Claim::Held),
            None if lock.queue.first().is_none_or(|first| *first == pr) => {
                lock.queue.retain(|n| *n != pr);
                lock.holder = Some(pr);
                lock.since = Some(now);
                self.put(project, &lock)?;
                Ok(Claim::Held)
            }
            _ => {
                if !lock.queue.contains(&pr) {
                    lock.queue.push(pr);
                    self.put(project, &lock)?;
                }
                let position = lock.queue.iter().position(|n| *n == pr).unwrap_or(0) + 1;
                Ok(Claim::Queued {
                    holder: lock.holder.or(lock.queue.first().copied()).unwrap_or(pr),
                    position,
                })
            }
        }
    }

    /// Lets go of `project` for `pr` (holding or waiting). A freed lock
    /// passes to the first in line, whose number is returned.
    pub fn release(
        &self,
        project: &str,
        pr: u64,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        let mut lock = self.get(project)?;
        lock.queue.retain(|n| *n != pr);
        let mut next = None;
        if lock.holder == Some(pr) {
            lock.holder = None;
            lock.since = None;
            if !lock.queue.is_empty() {
                let first = lock.queue.remove(0);
                lock.holder = Some(first);
                lock.since = Some(now);
                next = Some(first);
            }
        }
        self.put(project, &lock)?;
        Ok(next)
    }

    /// Every project whose lock `pr` holds or waits for.
    pub fn projects_of(&self, pr: u64) -> Result<Vec<String>, StoreError> {
        let prefix = format!("{}/", self.repo);
        let mut out = Vec::new();
        for (key, raw) in self.store.scan_records(NAMESPACE, &prefix)? {
            let lock: ProjectLock =
                serde_json::from_slice(&raw).map_err(|e| StoreError::Corrupt {
                    key: format!("{NAMESPACE}/{key}"),
                    reason: e.to_string(),
                })?;
            if lock.holder == Some(pr) || lock.queue.contains(&pr) {
                out.push(key[prefix.len()..].to_owned());
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    #[test]
    fn a_held_lock_queues_others_in_order_and_passes_to_the_first_in_line() {
        let dir = tempfile::tempdir().unwrap();
        let repo = RepoName::new("acme", "infra").unwrap();
        {
            let store = SledStore::open(dir.path()).unwrap();
            let locks = ProjectLocks::new(&store, &repo);
            assert_eq!(locks.claim("prd", 12, now()).unwrap(), Claim::Held);
            assert_eq!(locks.claim("prd", 12, now()).unwrap(), Claim::Held);
            assert_eq!(
                locks.claim("prd", 13, now()).unwrap(),
                Claim::Queued {
                    holder: 12,
                    position: 1
                }
            );
            assert_eq!(
                locks.claim("prd", 14, now()).unwrap(),
                Claim::Queued {
                    holder: 12,
                    position: 2
                }
            );
            // Asking again does not move anyone back in line.
            assert_eq!(
                locks.claim("prd", 13, now()).unwrap(),
                Claim::Queued {
                    holder: 12,
                    position: 1
                }
            );
            assert_eq!(locks.claim("dev", 14, now()).unwrap(), Claim::Held);
            assert_eq!(locks.projects_of(14).unwrap(), ["dev", "prd"]);
        }
        // The queue survives a restart.
        let store = SledStore::open(dir.path()).unwrap();
        let locks = ProjectLocks::new(&store, &repo);
        assert_eq!(locks.get("prd").unwrap().queue, [13, 14]);
        // One that gives up waiting leaves the line; the holder's release
        // passes the lock on.
        assert_eq!(locks.release("prd", 14, now()).unwrap(), None);
        assert_eq!(locks.release("prd", 12, now()).unwrap(), Some(13));
        let lock = locks.get("prd").unwrap();
        assert_eq!((lock.holder, lock.queue.len()), (Some(13), 0));
        assert_eq!(
            locks.claim("prd", 12, now()).unwrap(),
            Claim::Queued {
                holder: 13,
                position: 1
            }
        );
        assert_eq!(locks.release("prd", 13, now()).unwrap(), Some(12));
        assert_eq!(locks.release("prd", 12, now()).unwrap(), None);
        assert_eq!(locks.get("prd").unwrap(), ProjectLock::default());
        assert!(store.scan_records(NAMESPACE, "").unwrap().len() == 1);
    }
}
