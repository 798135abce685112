//! The durable store: the inbox of verified events, the persistent part of the
//! work queue, records kept by adapters and domain services, and the audit log.
//!
//! [`Store`] is a trait so that a shared SQL store can back several replicas
//! later; [`SledStore`] is the embedded implementation used today.

mod sled_store;

pub use sled_store::SledStore;

use crate::event::Event;
use crate::ids::WorkKey;
use chrono::{DateTime, Utc};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed (disk full, corruption, I/O).
    #[error("storage failed: {0}")]
    Io(String),
    /// A stored value could not be read back.
    #[error("stored value for {key} is unreadable: {reason}")]
    Corrupt {
        /// The key whose value is unreadable.
        key: String,
        /// What went wrong.
        reason: String,
    },
}

impl StoreError {
    /// A short label for metrics.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Self::Io(_) => "store_io",
            Self::Corrupt { .. } => "store_corrupt",
        }
    }
}

/// What happened to an event offered to the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// First delivery: stored, and its keys enqueued.
    New,
    /// A redelivery of an event already in the inbox: nothing changed.
    Duplicate,
}

/// An event waiting to be handled by a reconcile of one key.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEvent {
    /// Its place in the store, to mark it handled.
    pub seq: u64,
    /// The event.
    pub event: Event,
}

/// A key in the persistent queue and the generation it was last enqueued at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedKey {
    /// The key.
    pub key: WorkKey,
    /// Grows every time the key is enqueued; a reconcile removes the key only
    /// if nobody enqueued it again while it ran.
    pub generation: u64,
}

/// The durable state behind the engine.
///
/// Every method is atomic. Events and records are durable when the call
/// returns; queue bookkeeping (`enqueue`, `complete`) may be lost in a crash,
/// which only makes an idempotent reconcile run again.
pub trait Store: Send + Sync {
    /// Stores a verified event and enqueues `keys` for it in one step, unless
    /// an event with the same delivery id is already stored.
    fn append_event(&self, event: &Event, keys: &[WorkKey]) -> Result<Appended, StoreError>;

    /// Enqueues keys with no event (start-up and periodic resync).
    fn enqueue(&self, keys: &[WorkKey]) -> Result<(), StoreError>;

    /// Every key in the persistent queue, oldest first by generation.
    fn queued_keys(&self) -> Result<Vec<QueuedKey>, StoreError>;

    /// The generation a key is queued at, if it is queued.
    fn generation(&self, key: &WorkKey) -> Result<Option<u64>, StoreError>;

    /// The events waiting for a reconcile of `key`, in arrival order.
    fn pending_events(&self, key: &WorkKey) -> Result<Vec<PendingEvent>, StoreError>;

    /// Records that a reconcile of `key`, which started at `generation`,
    /// handled the events `handled`. The key leaves the queue unless it was
    /// enqueued again since. Returns whether it is still queued.
    fn complete(&self, key: &WorkKey, generation: u64, handled: &[u64])
    -> Result<bool, StoreError>;

    /// Forgets delivery ids received before `before` (their events were
    /// handled long ago); returns how many were removed.
    fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<usize, StoreError>;

    /// Reads a record kept by an adapter or a domain service.
    fn get_record(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Writes a record.
    fn put_record(&self, namespace: &str, key: &str, value: &[u8]) -> Result<(), StoreError>;

    /// Removes a record (nothing happens if there is none).
    fn delete_record(&self, namespace: &str, key: &str) -> Result<(), StoreError>;

    /// Every record of a namespace whose key starts with `prefix`, by key.
    fn scan_records(
        &self,
        namespace: &str,
        prefix: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError>;

    /// A number never returned before for this namespace (ids for records).
    fn next_id(&self, namespace: &str) -> Result<u64, StoreError>;

    /// Whether the store is open and answering.
    fn is_healthy(&self) -> bool;
}
