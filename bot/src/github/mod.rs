//! The GitHub adapter: the [`bosun_reconciler::ports::forge::Forge`] port over
//! octocrab with GitHub App authentication.

mod api;
mod artifacts;
mod auth;
mod checks;
mod comments;
mod config;
mod convert;
mod errors;
mod forge;
mod git_data;
mod git_trees;
mod issues;
mod people;
mod pulls;
mod repos;
mod retry;
mod throttle;

pub use config::{DEFAULT_API_URL, GitHubConfig, GitHubSetupError};
pub use forge::GitHubForge;
pub use retry::RetryPolicy;
pub use throttle::ThrottleLimits;

use crate::metrics::OutboundObserver;
use bosun_reconciler::ports::forge::Forge;
use std::sync::Arc;

/// The GitHub forge for the app in the binary's settings, with default
/// retries, write pacing and timeouts; every call is reported to `observer`.
pub fn from_settings(
    app: &crate::settings::GitHubApp,
    observer: Arc<dyn OutboundObserver>,
) -> Result<Arc<dyn Forge>, GitHubSetupError> {
    let mut config = GitHubConfig::new(app.app_id, app.private_key.clone());
    config.api_url = app.api_url.clone();
    Ok(Arc::new(GitHubForge::new(config, observer)?))
}
