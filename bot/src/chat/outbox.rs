//! The durable outbox every chat notifier shares.
//!
//! [`Outbox::notify`] stores the notice under its id (namespace
//! `<sink>-outbox`) and returns: the notice is accepted. An id already in the
//! outbox, or already delivered (namespace `<sink>-sent`), is ignored, so a
//! notice is delivered at most once. A background task delivers the outbox
//! in the order notices were accepted; a notice whose delivery failed stays
//! in the store and is tried again after a backoff (or after the pause the
//! vendor asked for), and later notices of its thread wait for it, so an edit
//! never overtakes the message it edits. A notice that keeps failing for
//! reasons that will not heal (a channel that does not exist) moves to
//! `<sink>-dead` after [`MAX_ATTEMPTS`] tries: kept, logged, not retried.
//!
//! A crash after a delivery and before it is marked sent delivers it again
//! (chat APIs take no idempotency key); the window is one HTTP round trip.

use async_trait::async_trait;
use bosun_reconciler::ports::notify::{Notice, Notifier, NotifyError};
use bosun_reconciler::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tracing::{info, warn};

/// Tries before a failing notice is set aside as dead.
pub const MAX_ATTEMPTS: u32 = 12;

/// Why one delivery did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The vendor asked to wait this long (HTTP 429 `Retry-After`).
    #[error("rate limited; retry after {0:?}")]
    RateLimited(Duration),
    /// A failure that may heal (network, 5xx).
    #[error("delivery failed: {0}")]
    Retry(String),
    /// A failure that will not heal by itself (unknown channel, bad token).
    #[error("delivery refused: {0}")]
    Permanent(String),
}

/// What a sink did with a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Posted or edited.
    Posted,
    /// Not for this chat (no channel for its route here).
    NotForThisChat,
}

/// One chat's way of posting a notice (thread bookkeeping included).
#[async_trait]
pub trait Sink: Send + Sync {
    /// The sink's name, used in store namespaces (`slack`, `discord`).
    fn name(&self) -> &'static str;
    /// Delivers one notice: posts a thread's first message, or edits it and
    /// replies in the thread.
    async fn deliver(&self, notice: &Notice) -> Result<Delivered, SendError>;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    seq: u64,
    notice: Notice,
    attempts: u32,
    not_before: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

/// A durable outbox in front of a [`Sink`].
pub struct Outbox {
    store: Arc<dyn Store>,
    sink: Arc<dyn Sink>,
    wake: Notify,
    pending: watch::Sender<usize>,
    /// Held while the outbox changes and its count is published, so the
    /// count never misses a notice accepted during a round.
    counting: std::sync::Mutex<()>,
    retry_base: Duration,
}

/// The store namespace of the notices `sink` has yet to deliver.
fn outbox_ns(sink: &dyn Sink) -> String {
    format!("{}-outbox", sink.name())
}

impl Outbox {
    /// An outbox over `store` delivering through `sink`. Call
    /// [`Outbox::spawn`] to start delivering.
    pub fn new(store: Arc<dyn Store>, sink: Arc<dyn Sink>) -> Arc<Self> {
        Self::with_retry_base(store, sink, Duration::from_secs(1))
    }

    /// Like [`Outbox::new`] with a shorter first retry delay (tests). What
    /// an earlier process left in the store counts as pending from the start,
    /// so [`Outbox::drained`] waits for it too.
    pub fn with_retry_base(
        store: Arc<dyn Store>,
        sink: Arc<dyn Sink>,
        base: Duration,
    ) -> Arc<Self> {
        let left = store
            .scan_records(&outbox_ns(sink.as_ref()), "")
            .map_or(0, |entries| entries.len());
        Arc::new(Self {
            store,
            sink,
            wake: Notify::new(),
            pending: watch::channel(left).0,
            counting: std::sync::Mutex::new(()),
            retry_base: base,
        })
    }

    fn outbox_ns(&self) -> String {
        outbox_ns(self.sink.as_ref())
    }

    fn sent_ns(&self) -> String {
        format!("{}-sent", self.sink.name())
    }

    fn dead_ns(&self) -> String {
        format!("{}-dead", self.sink.name())
    }

    /// Starts the delivery task; it runs until the process ends.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let outbox = Arc::clone(self);
        tokio::spawn(async move { outbox.run().await })
    }

    /// Waits until the outbox holds nothing left to deliver (dead notices
    /// aside). For tests and shutdown.
    pub async fn drained(&self) {
        let mut rx = self.pending.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// Notices set aside after [`MAX_ATTEMPTS`] failures.
    pub fn dead(&self) -> Result<Vec<Notice>, StoreError> {
        let mut notices = Vec::new();
        for (_, raw) in self.store.scan_records(&self.dead_ns(), "")? {
            if let Ok(entry) = serde_json::from_slice::<Entry>(&raw) {
                notices.push(entry.notice);
            }
        }
        Ok(notices)
    }

    /// The notices waiting for delivery, each with its last error.
    pub fn waiting(&self) -> Result<Vec<(Notice, Option<String>)>, StoreError> {
        Ok(self
            .entries()?
            .into_iter()
            .map(|e| (e.notice, e.last_error))
            .collect())
    }

    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        let mut entries = Vec::new();
        for (key, raw) in self.store.scan_records(&self.outbox_ns(), "")? {
            match serde_json::from_slice::<Entry>(&raw) {
                Ok(entry) => entries.push(entry),
                Err(error) => warn!(key, %error, "unreadable outbox entry left in place"),
            }
        }
        entries.sort_by_key(|e| e.seq);
        Ok(entries)
    }

    fn save(&self, entry: &Entry) -> Result<(), StoreError> {
        let raw = serde_json::to_vec(entry).map_err(|e| StoreError::Corrupt {
            key: entry.notice.id.clone(),
            reason: e.to_string(),
        })?;
        self.store
            .put_record(&self.outbox_ns(), &entry.notice.id, &raw)
    }

    async fn run(self: Arc<Self>) {
        loop {
            let wait = match self.round().await {
                Ok(wait) => wait,
                Err(error) => {
                    warn!(%error, sink = self.sink.name(), "the outbox could not be read");
                    Some(self.retry_base)
                }
            };
            match wait {
                Some(wait) => {
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.wake.notified() => {}
                    }
                }
                None => self.wake.notified().await,
            }
        }
    }

    /// Delivers what is due; returns how long until the next retry is due.
    async fn round(&self) -> Result<Option<Duration>, StoreError> {
        let entries = self.entries()?;
        let mut blocked_threads: HashSet<String> = HashSet::new();
        let mut next: Option<Duration> = None;
        for mut entry in entries {
            let id = entry.notice.id.clone();
            if self.store.get_record(&self.sent_ns(), &id)?.is_some() {
                // Delivered before a crash, not yet cleared.
                self.store.delete_record(&self.outbox_ns(), &id)?;
                continue;
            }
            if blocked_threads.contains(&entry.notice.thread) {
                continue;
            }
            let now = Utc::now();
            if let Some(at) = entry.not_before.filter(|at| *at > now) {
                blocked_threads.insert(entry.notice.thread.clone());
                let wait = (at - now).to_std().unwrap_or_default();
                next = Some(next.map_or(wait, |n| n.min(wait)));
                continue;
            }
            match self.sink.deliver(&entry.notice).await {
                Ok(delivered) => {
                    self.store.put_record(&self.sent_ns(), &id, b"1")?;
                    self.store.delete_record(&self.outbox_ns(), &id)?;
                    info!(
                        sink = self.sink.name(),
                        notice = id,
                        ?delivered,
                        "notice delivered"
                    );
                }
                Err(error) => {
                    entry.attempts += 1;
                    entry.last_error = Some(error.to_string());
                    let give_up =
                        matches!(error, SendError::Permanent(_)) && entry.attempts >= MAX_ATTEMPTS;
                    if give_up {
                        warn!(sink = self.sink.name(), notice = id, %error, "notice set aside as dead");
                        let raw = serde_json::to_vec(&entry).unwrap_or_default();
                        self.store.put_record(&self.dead_ns(), &id, &raw)?;
                        self.store.delete_record(&self.outbox_ns(), &id)?;
                        continue;
                    }
                    let wait = match error {
                        SendError::RateLimited(wait) => wait,
                        SendError::Retry(_) | SendError::Permanent(_) => {
                            self.backoff(entry.attempts)
                        }
                    };
                    warn!(sink = self.sink.name(), notice = id, %error, retry_in = ?wait, "notice not delivered yet");
                    entry.not_before = chrono::Duration::from_std(wait)
                        .ok()
                        .map(|d| Utc::now() + d);
                    self.save(&entry)?;
                    blocked_threads.insert(entry.notice.thread.clone());
                    next = Some(next.map_or(wait, |n| n.min(wait)));
                    if matches!(error, SendError::RateLimited(_)) {
                        // The vendor asked everyone to wait: stop this round.
                        break;
                    }
                }
            }
        }
        let _counting = self.counting.lock().unwrap_or_else(|e| e.into_inner());
        let remaining = self.store.scan_records(&self.outbox_ns(), "")?.len();
        self.pending.send_replace(remaining);
        Ok(next)
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let exponent = attempts.saturating_sub(1).min(10);
        self.retry_base
            .saturating_mul(1 << exponent)
            .min(Duration::from_secs(300))
    }
}

#[async_trait]
impl Notifier for Outbox {
    async fn notify(&self, notice: Notice) -> Result<(), NotifyError> {
        let id = notice.id.clone();
        let not_queued = |e: StoreError| NotifyError::NotQueued {
            id: id.clone(),
            reason: e.to_string(),
        };
        let seen = self
            .store
            .get_record(&self.sent_ns(), &id)
            .map_err(not_queued)?
            .is_some()
            || self
                .store
                .get_record(&self.outbox_ns(), &id)
                .map_err(not_queued)?
                .is_some()
            || self
                .store
                .get_record(&self.dead_ns(), &id)
                .map_err(not_queued)?
                .is_some();
        if seen {
            return Ok(());
        }
        let seq = self.store.next_id(&self.outbox_ns()).map_err(not_queued)?;
        let _counting = self.counting.lock().unwrap_or_else(|e| e.into_inner());
        let entry = Entry {
            seq,
            notice,
            attempts: 0,
            not_before: None,
            last_error: None,
        };
        self.save(&entry).map_err(not_queued)?;
        self.pending.send_modify(|n| *n += 1);
        self.wake.notify_one();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_reconciler::ports::notify::{Route, Tone};
    use bosun_reconciler::store::SledStore;
    use std::sync::Mutex;

    /// A sink that fails while `failing` is set and records what it posted.
    struct Recorder {
        failing: Mutex<Option<SendError>>,
        posted: Mutex<Vec<String>>,
    }

    impl Recorder {
        fn new(failing: Option<SendError>) -> Arc<Self> {
            Arc::new(Self {
                failing: Mutex::new(failing),
                posted: Mutex::new(Vec::new()),
            })
        }
        fn posted(&self) -> Vec<String> {
            self.posted.lock().unwrap().clone()
        }
    }

    #[async_trait]
    impl Sink for Recorder {
        fn name(&self) -> &'static str {
            "test"
        }
        async fn deliver(&self, notice: &Notice) -> Result<Delivered, SendError> {
            if let Some(error) = self.failing.lock().unwrap().clone() {
                return Err(error);
            }
            self.posted.lock().unwrap().push(notice.id.clone());
            Ok(Delivered::Posted)
        }
    }

    fn notice(id: &str, thread: &str) -> Notice {
        Notice {
            id: id.to_owned(),
            thread: thread.to_owned(),
            route: Route::Repo,
            repo: None,
            headline: id.to_owned(),
            body: String::new(),
            tone: Tone::Info,
            links: Vec::new(),
            reply: None,
            attachment: None,
        }
    }

    #[tokio::test]
    async fn a_notice_survives_a_restart_and_is_delivered_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let failing = Recorder::new(Some(SendError::Retry("Slack is down".to_owned())));
        {
            let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());
            let outbox = Outbox::with_retry_base(store, failing.clone(), Duration::from_millis(1));
            outbox.notify(notice("a:1", "a")).await.unwrap();
            outbox.notify(notice("a:2", "a")).await.unwrap();
            outbox.notify(notice("a:1", "a")).await.unwrap();
            // One round fails; nothing is delivered, everything is kept.
            outbox.round().await.unwrap();
            let waiting = outbox.waiting().unwrap();
            assert_eq!(waiting.len(), 2);
            assert_eq!(
                waiting[0].1.as_deref(),
                Some("delivery failed: Slack is down")
            );
        }
        // "Restart": a new outbox over the same store, with Slack back.
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());
        let working = Recorder::new(None);
        let outbox = Outbox::with_retry_base(store, working.clone(), Duration::from_millis(1));
        outbox.spawn();
        outbox.wake.notify_one();
        tokio::time::timeout(Duration::from_secs(10), outbox.drained())
            .await
            .unwrap();
        assert_eq!(working.posted(), ["a:1", "a:2"]);
        // Delivered ids are never delivered again.
        outbox.notify(notice("a:2", "a")).await.unwrap();
        outbox.drained().await;
        assert_eq!(working.posted(), ["a:1", "a:2"]);
        assert!(failing.posted().is_empty());
    }

    #[tokio::test]
    async fn a_notice_that_cannot_heal_is_set_aside_after_its_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());
        let sink = Recorder::new(Some(SendError::Permanent("channel_not_found".to_owned())));
        let outbox = Outbox::with_retry_base(store, sink, Duration::ZERO);
        outbox.notify(notice("b:1", "b")).await.unwrap();
        for _ in 0..MAX_ATTEMPTS {
            outbox.round().await.unwrap();
        }
        assert!(outbox.waiting().unwrap().is_empty());
        assert_eq!(outbox.dead().unwrap().len(), 1);
        // A dead id is not accepted again either.
        outbox.notify(notice("b:1", "b")).await.unwrap();
        assert!(outbox.waiting().unwrap().is_empty());
    }
}
