//! Hands every notice to each configured chat's outbox (each decides whether
//! the notice is for it), and to the console log, which keeps local mode
//! and an unconfigured chat readable.

use async_trait::async_trait;
use bosun_reconciler::ports::notify::{Notice, Notifier, NotifyError};
use std::sync::Arc;

/// Several notifiers as one.
pub struct FanOut {
    notifiers: Vec<Arc<dyn Notifier>>,
}

impl FanOut {
    /// Notifies each of `notifiers`, in order.
    pub fn new(notifiers: Vec<Arc<dyn Notifier>>) -> Self {
        Self { notifiers }
    }
}

#[async_trait]
impl Notifier for FanOut {
    async fn notify(&self, notice: Notice) -> Result<(), NotifyError> {
        for notifier in &self.notifiers {
            notifier.notify(notice.clone()).await?;
        }
        Ok(())
    }
}
