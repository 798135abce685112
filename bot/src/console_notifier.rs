//! The console sink for notices: in local mode (no chat configured) bosun
//! writes what it would post in chat to its log, once per notice id.

use async_trait::async_trait;
use bosun_reconciler::ports::notify::{Notice, Notifier, NotifyError};
use std::collections::HashSet;
use std::sync::Mutex;
use tracing::info;

/// Logs each notice once.
#[derive(Default)]
pub struct ConsoleNotifier {
    seen: Mutex<HashSet<String>>,
}

#[async_trait]
impl Notifier for ConsoleNotifier {
    async fn notify(&self, notice: Notice) -> Result<(), NotifyError> {
        let first = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(notice.id.clone());
        if first {
            info!(
                thread = %notice.thread,
                tone = ?notice.tone,
                headline = %notice.headline,
                reply = notice.reply.as_deref().unwrap_or(""),
                attachment = notice.attachment.as_ref().map(|a| a.file_name.as_str()).unwrap_or(""),
                "notice"
            );
        }
        Ok(())
    }
}
