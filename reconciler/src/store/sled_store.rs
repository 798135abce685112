//! [`Store`] on sled, the embedded store: one directory under `--data-dir`.
//!
//! Trees: `deliveries` (delivery id → event JSON, the inbox and the
//! redelivery guard), `queue` (work key → generation), `key_events`
//! (work key, 0, sequence → delivery id), `records` (namespace, 0, key →
//! value) and `counters` (namespace → last id). Writes that must happen
//! together run in one sled transaction. Writes a caller relies on (a new
//! event, a record) are flushed before the call returns, so a `kill -9`
//! loses nothing a caller was told is stored. Bookkeeping that a crash may
//! lose without harm (a finished reconcile, a resync's keys: losing them only
//! runs an idempotent reconcile again) is left to the background flush.

use super::{Appended, PendingEvent, QueuedKey, Store, StoreError};
use crate::event::Event;
use crate::ids::WorkKey;
use chrono::{DateTime, Utc};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Transactional, Tree};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Page cache kept in memory (sled's default is 1 GB).
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// How often bookkeeping writes reach the disk without being asked.
const BACKGROUND_FLUSH_MS: u64 = 200;

/// Group commit: writes are numbered as they complete; a flush covers every
/// write numbered before it started, so a writer whose write an earlier
/// flush already covered returns without flushing again. Under concurrent
/// load one fsync serves many requests.
#[derive(Default)]
struct GroupCommit {
    written: AtomicU64,
    flushed: Mutex<u64>,
}

/// The embedded store.
pub struct SledStore {
    db: sled::Db,
    commit: GroupCommit,
    deliveries: Tree,
    queue: Tree,
    key_events: Tree,
    records: Tree,
    counters: Tree,
}

fn io(error: sled::Error) -> StoreError {
    StoreError::Io(error.to_string())
}

fn tx_error(error: TransactionError<StoreError>) -> StoreError {
    match error {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => io(e),
    }
}

fn joined(first: &str, second: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(first.len() + 1 + second.len());
    out.extend_from_slice(first.as_bytes());
    out.push(0);
    out.extend_from_slice(second);
    out
}

fn corrupt(key: &[u8], reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: reason.to_string(),
    }
}

fn read_u64(key: &[u8], value: &[u8]) -> Result<u64, StoreError> {
    let bytes: [u8; 8] = value
        .try_into()
        .map_err(|_| corrupt(key, "expected 8 bytes"))?;
    Ok(u64::from_be_bytes(bytes))
}

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .flush_every_ms(Some(BACKGROUND_FLUSH_MS))
            .open()
            .map_err(io)?;
        let tree = |name: &str| db.open_tree(name).map_err(io);
        Ok(Self {
            deliveries: tree("deliveries")?,
            queue: tree("queue")?,
            key_events: tree("key_events")?,
            records: tree("records")?,
            counters: tree("counters")?,
            db,
            commit: GroupCommit::default(),
        })
    }

    /// Returns once the writes this thread made so far are on disk.
    fn flush(&self) -> Result<(), StoreError> {
        let mine = self.commit.written.fetch_add(1, Ordering::SeqCst) + 1;
        let mut flushed = self
            .commit
            .flushed
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if *flushed >= mine {
            return Ok(());
        }
        // Every write numbered up to here completed before this flush starts.
        let covered = self.commit.written.load(Ordering::SeqCst);
        self.db.flush().map_err(io)?;
        *flushed = covered;
        Ok(())
    }
}

impl Store for SledStore {
    fn append_event(&self, event: &Event, keys: &[WorkKey]) -> Result<Appended, StoreError> {
        let id = event.delivery.as_str().as_bytes();
        let value = serde_json::to_vec(event).map_err(|e| corrupt(id, e))?;
        let outcome = (&self.deliveries, &self.queue, &self.key_events)
            .transaction(|(deliveries, queue, key_events)| {
                if deliveries.get(id)?.is_some() {
                    return Ok(Appended::Duplicate);
                }
                deliveries.insert(id, value.as_slice())?;
                for key in keys {
                    let generation = deliveries.generate_id()?;
                    let name = key.to_string();
                    queue.insert(name.as_bytes(), &generation.to_be_bytes())?;
                    key_events.insert(joined(&name, &generation.to_be_bytes()), id)?;
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(Appended::New)
            })
            .map_err(tx_error)?;
        if outcome == Appended::New {
            self.flush()?;
        }
        Ok(outcome)
    }

    fn enqueue(&self, keys: &[WorkKey]) -> Result<(), StoreError> {
        for key in keys {
            let generation = self.db.generate_id().map_err(io)?;
            self.queue
                .insert(key.to_string().as_bytes(), &generation.to_be_bytes())
                .map_err(io)?;
        }
        Ok(())
    }

    fn queued_keys(&self) -> Result<Vec<QueuedKey>, StoreError> {
        let mut keys = Vec::new();
        for entry in &self.queue {
            let (name, value) = entry.map_err(io)?;
            let text = std::str::from_utf8(&name).map_err(|e| corrupt(&name, e))?;
            keys.push(QueuedKey {
                key: text.parse().map_err(|e| corrupt(&name, e))?,
                generation: read_u64(&name, &value)?,
            });
        }
        keys.sort_by_key(|k| k.generation);
        Ok(keys)
    }

    fn generation(&self, key: &WorkKey) -> Result<Option<u64>, StoreError> {
        let name = key.to_string();
        match self.queue.get(name.as_bytes()).map_err(io)? {
            Some(value) => Ok(Some(read_u64(name.as_bytes(), &value)?)),
            None => Ok(None),
        }
    }

    fn pending_events(&self, key: &WorkKey) -> Result<Vec<PendingEvent>, StoreError> {
        let prefix = joined(&key.to_string(), &[]);
        let mut events = Vec::new();
        for entry in self.key_events.scan_prefix(&prefix) {
            let (name, delivery) = entry.map_err(io)?;
            let seq = read_u64(&name, &name[prefix.len()..])?;
            let Some(raw) = self.deliveries.get(&delivery).map_err(io)? else {
                // The delivery was pruned: nothing is left to hand over.
                continue;
            };
            let event: Event = serde_json::from_slice(&raw).map_err(|e| corrupt(&delivery, e))?;
            events.push(PendingEvent { seq, event });
        }
        Ok(events)
    }

    fn complete(
        &self,
        key: &WorkKey,
        generation: u64,
        handled: &[u64],
    ) -> Result<bool, StoreError> {
        let name = key.to_string();
        let still_queued = (&self.queue, &self.key_events)
            .transaction(|(queue, key_events)| {
                for seq in handled {
                    key_events.remove(joined(&name, &seq.to_be_bytes()))?;
                }
                let current = queue.get(name.as_bytes())?;
                let current = match current {
                    Some(value) => Some(
                        read_u64(name.as_bytes(), &value)
                            .map_err(ConflictableTransactionError::Abort)?,
                    ),
                    None => None,
                };
                if current == Some(generation) {
                    queue.remove(name.as_bytes())?;
                    Ok(false)
                } else {
                    Ok(current.is_some())
                }
            })
            .map_err(tx_error)?;
        Ok(still_queued)
    }

    fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut removed = 0;
        for entry in &self.deliveries {
            let (id, raw) = entry.map_err(io)?;
            let event: Event = serde_json::from_slice(&raw).map_err(|e| corrupt(&id, e))?;
            if event.received_at < before {
                self.deliveries.remove(&id).map_err(io)?;
                removed += 1;
            }
        }
        self.flush()?;
        Ok(removed)
    }

    fn get_record(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self
            .records
            .get(joined(namespace, key.as_bytes()))
            .map_err(io)?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn put_record(&self, namespace: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.records
            .insert(joined(namespace, key.as_bytes()), value)
            .map_err(io)?;
        self.flush()
    }

    fn delete_record(&self, namespace: &str, key: &str) -> Result<(), StoreError> {
        self.records
            .remove(joined(namespace, key.as_bytes()))
            .map_err(io)?;
        self.flush()
    }

    fn scan_records(
        &self,
        namespace: &str,
        prefix: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let start = joined(namespace, &[]).len();
        let mut out = Vec::new();
        for entry in self
            .records
            .scan_prefix(joined(namespace, prefix.as_bytes()))
        {
            let (name, value) = entry.map_err(io)?;
            let key = String::from_utf8(name[start..].to_vec()).map_err(|e| corrupt(&name, e))?;
            out.push((key, value.to_vec()));
        }
        Ok(out)
    }

    fn next_id(&self, namespace: &str) -> Result<u64, StoreError> {
        let next = self
            .counters
            .update_and_fetch(namespace.as_bytes(), |old| {
                let last = old
                    .and_then(|v| <[u8; 8]>::try_from(v).ok())
                    .map_or(0, u64::from_be_bytes);
                Some((last + 1).to_be_bytes().to_vec())
            })
            .map_err(io)?
            .ok_or_else(|| corrupt(namespace.as_bytes(), "counter vanished"))?;
        let id = read_u64(namespace.as_bytes(), &next)?;
        self.flush()?;
        Ok(id)
    }

    fn is_healthy(&self) -> bool {
        self.counters.get(b"health").is_ok()
    }
}
