//! The in-memory work queue in front of the store's persistent queue.
//!
//! Keys are deduplicated: a key waiting to run is held once however often it
//! is enqueued. At most one reconcile per key is in flight; a key enqueued
//! while its reconcile runs is marked dirty and runs again right after.
//! Failed keys come back after a delay chosen by the error policy.

use crate::ids::WorkKey;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Default)]
struct State {
    ready: VecDeque<WorkKey>,
    waiting: HashSet<WorkKey>,
    in_flight: HashSet<WorkKey>,
    dirty: HashSet<WorkKey>,
    delayed: HashSet<WorkKey>,
}

impl State {
    fn depth(&self) -> usize {
        self.waiting.len() + self.in_flight.len() + self.delayed.len()
    }

    fn push(&mut self, key: WorkKey) -> bool {
        if self.in_flight.contains(&key) {
            self.dirty.insert(key);
            false
        } else if self.waiting.insert(key.clone()) {
            self.ready.push_back(key);
            true
        } else {
            false
        }
    }
}

/// Deduplicating queue of work keys with one reconcile in flight per key.
#[derive(Default)]
pub struct WorkQueue {
    state: Mutex<State>,
    ready: Notify,
    changed: Notify,
}

impl WorkQueue {
    /// An empty queue.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves only plain collections behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a key unless it is waiting already.
    pub fn enqueue(&self, key: WorkKey) {
        let woke = self.lock().push(key);
        if woke {
            self.ready.notify_one();
        }
        self.changed.notify_waiters();
    }

    /// Waits for the next key that is not in flight and marks it in flight.
    pub async fn next(&self) -> WorkKey {
        loop {
            let notified = self.ready.notified();
            {
                let mut state = self.lock();
                if let Some(key) = state.ready.pop_front() {
                    state.waiting.remove(&key);
                    state.in_flight.insert(key.clone());
                    // Another worker may take the next key.
                    if !state.ready.is_empty() {
                        self.ready.notify_one();
                    }
                    return key;
                }
            }
            notified.await;
        }
    }

    /// Marks a key's reconcile finished. A key enqueued while it ran runs
    /// again at once; otherwise `retry_after` (from the error policy) brings
    /// it back later.
    pub fn done(self: &Arc<Self>, key: WorkKey, retry_after: Option<Duration>) {
        let requeue_now = {
            let mut state = self.lock();
            state.in_flight.remove(&key);
            let dirty = state.dirty.remove(&key);
            if !dirty && let Some(delay) = retry_after {
                state.delayed.insert(key.clone());
                let queue = Arc::clone(self);
                let key = key.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    queue.lock().delayed.remove(&key);
                    queue.enqueue(key);
                });
            }
            dirty
        };
        if requeue_now {
            self.enqueue(key);
        } else {
            self.changed.notify_waiters();
        }
    }

    /// Keys waiting, delayed or running.
    pub fn depth(&self) -> usize {
        self.lock().depth()
    }

    /// Waits until no key is waiting, delayed or running.
    pub async fn idle(&self) {
        loop {
            let changed = self.changed.notified();
            if self.depth() == 0 {
                return;
            }
            changed.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> WorkKey {
        format!("pr:acme/platform#{n}").parse().unwrap()
    }

    #[tokio::test]
    async fn a_key_waiting_twice_runs_once() {
        let queue = WorkQueue::new();
        queue.enqueue(key(1));
        queue.enqueue(key(1));
        queue.enqueue(key(2));
        assert_eq!(queue.depth(), 2);
        assert_eq!(queue.next().await, key(1));
        assert_eq!(queue.next().await, key(2));
    }

    #[tokio::test]
    async fn a_key_enqueued_while_running_runs_again_after() {
        let queue = WorkQueue::new();
        queue.enqueue(key(1));
        let running = queue.next().await;
        queue.enqueue(key(1));
        // Not handed out a second time while in flight.
        assert_eq!(queue.lock().ready.len(), 0);
        queue.done(running, None);
        assert_eq!(queue.next().await, key(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_key_comes_back_after_its_delay() {
        let queue = WorkQueue::new();
        queue.enqueue(key(3));
        let running = queue.next().await;
        queue.done(running, Some(Duration::from_secs(30)));
        assert_eq!(queue.depth(), 1);
        assert_eq!(queue.next().await, key(3));
    }

    #[tokio::test]
    async fn idle_resolves_when_everything_is_done() {
        let queue = WorkQueue::new();
        queue.enqueue(key(4));
        let running = queue.next().await;
        let waiter = {
            let queue = Arc::clone(&queue);
            tokio::spawn(async move { queue.idle().await })
        };
        queue.done(running, None);
        waiter.await.unwrap();
        assert_eq!(queue.depth(), 0);
    }
}
