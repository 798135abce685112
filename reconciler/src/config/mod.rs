//! A managed repository's own settings: `.bosun.yaml` at the root of its
//! default branch. Read from the default branch only, so a pull request can
//! never change the rules that judge it.

mod alerts;
mod chat;
mod cost;
mod gate;
mod promotion;
mod repo_config;
mod roles;
mod terraform;

pub use alerts::{AlertRules, DEFAULT_DIGEST_CRON, DigestSchedule};
pub use chat::{ChatChannels, ChatConfig};
pub use cost::{CostConfig, CostEnv, CostSchedule, DEFAULT_IDLE_THRESHOLD, MetricsSource};
pub use gate::{DEFAULT_ARTIFACT, DEFAULT_TIMEOUT, GateSettings};
pub use promotion::{DEFAULT_TIME_ZONE, Freeze, PromotionRules};
pub use repo_config::{ConfigError, REPO_CONFIG_PATH, RepoConfig};
pub use roles::{Frontend, Identity, RoleMap, TeamCheck};
pub use terraform::{
    ApplyMode, ApplyRequirements, DEFAULT_DRIFT_TIME_ZONE, DriftSchedule, TerraformRules, TfBinary,
    TfEnvRules, TfProject,
};

use crate::ids::RepoName;
use crate::ports::forge::{Forge, ForgeError};

/// Reads a repository's `.bosun.yaml` from its default branch: the settings,
/// or what is wrong with them. A repository without the file gets defaults.
pub async fn load(
    forge: &dyn Forge,
    repo: &RepoName,
) -> Result<Result<RepoConfig, ConfigError>, ForgeError> {
    Ok(match forge.file(repo, REPO_CONFIG_PATH).await? {
        Some(text) => RepoConfig::parse(&text),
        None => Ok(RepoConfig::default()),
    })
}
