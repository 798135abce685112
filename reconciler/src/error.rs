//! Why a reconcile failed, as outcomes the error policy can act on.

use crate::ports::forge::ForgeError;
use crate::store::StoreError;
use std::time::Duration;

/// A failed reconcile.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The forge refused or failed.
    #[error(transparent)]
    Forge(#[from] ForgeError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A promotion's edit did not read back as planned (a bug in bosun).
    #[error("promotion edit failed: {0}")]
    Promote(String),
    /// A notice for people could not be queued.
    #[error(transparent)]
    Notify(#[from] crate::ports::notify::NotifyError),
}

impl ReconcileError {
    /// A short label for metrics and logs.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Self::Forge(e) => e.metric_label(),
            Self::Store(e) => e.metric_label(),
            Self::Promote(_) => "promote_edit",
            Self::Notify(_) => "notify",
        }
    }

    /// The pause the other side asked for, if it asked.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Forge(ForgeError::RateLimited { retry_after }) => Some(*retry_after),
            _ => None,
        }
    }
}
