//! A notifier that keeps every notice it accepts, for assertions.

use crate::ports::notify::{Notice, Notifier, NotifyError};
use async_trait::async_trait;
use std::sync::Mutex;
use tokio::sync::Notify;

/// Keeps accepted notices in order; a repeated id is ignored, as the
/// [`Notifier`] contract says.
#[derive(Default)]
pub struct RecordingNotifier {
    notices: Mutex<Vec<Notice>>,
    accepted: Notify,
}

impl RecordingNotifier {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every notice accepted so far.
    pub fn notices(&self) -> Vec<Notice> {
        self.notices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The notices of one thread.
    pub fn thread(&self, thread: &str) -> Vec<Notice> {
        self.notices()
            .into_iter()
            .filter(|n| n.thread == thread)
            .collect()
    }

    /// Waits until the notices of `thread` satisfy `done` and returns them:
    /// woken by each accepted notice, never by a timer (callers bound it with
    /// `tokio::time::timeout`).
    pub async fn wait_for(&self, thread: &str, done: impl Fn(&[Notice]) -> bool) -> Vec<Notice> {
        loop {
            let accepted = self.accepted.notified();
            tokio::pin!(accepted);
            // Registered before looking, so a notice accepted in between still wakes us.
            accepted.as_mut().enable();
            let notices = self.thread(thread);
            if done(&notices) {
                return notices;
            }
            accepted.await;
        }
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn notify(&self, notice: Notice) -> Result<(), NotifyError> {
        let mut notices = self
            .notices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !notices.iter().any(|n| n.id == notice.id) {
            notices.push(notice);
            self.accepted.notify_waiters();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::notify::{Route, Tone};
    use std::sync::Arc;

    fn notice(id: &str) -> Notice {
        Notice {
            id: id.into(),
            thread: "t".into(),
            route: Route::Repo,
            repo: None,
            headline: id.into(),
            body: String::new(),
            tone: Tone::Info,
            links: Vec::new(),
            reply: None,
            attachment: None,
        }
    }

    #[tokio::test]
    async fn a_waiter_wakes_on_the_notice_it_waits_for_and_repeats_are_ignored() {
        let recorder = Arc::new(RecordingNotifier::new());
        let waiter = {
            let recorder = recorder.clone();
            tokio::spawn(async move { recorder.wait_for("t", |n| n.len() == 2).await })
        };
        recorder.notify(notice("a")).await.unwrap();
        recorder.notify(notice("a")).await.unwrap();
        recorder.notify(notice("b")).await.unwrap();
        let seen = waiter.await.unwrap();
        let ids: Vec<&str> = seen.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }
}
