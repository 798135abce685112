//! A notifier that keeps every notice it accepts, for assertions.

use crate::ports::notify::{Notice, Notifier, NotifyError};
use async_trait::async_trait;
use std::sync::Mutex;

/// Keeps accepted notices in order; a repeated id is ignored, as the
/// [`Notifier`] contract says.
#[derive(Default)]
pub struct RecordingNotifier {
    notices: Mutex<Vec<Notice>>,
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
        }
        Ok(())
    }
}
