//! The `chat:` section of `.bosun.yaml`: where a repository's notices go in
//! Slack and Discord when they did not start in a chat channel.
//!
//! ```yaml
//! chat:
//!   slack:
//!     channel: C0PLATFORM      # the repository's default channel
//!     envs:
//!       prd: C0PRD             # an environment's channel (drift, alerts, promotions)
//!   discord:
//!     channel: "1180000000000000001"
//!     envs:
//!       prd: "1180000000000000002"
//! ```

use super::repo_config::ConfigError;
use bosun_commands::{Env, EnvCatalog};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashMap};

/// The `chat:` section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChatSection {
    #[serde(default)]
    slack: Option<VendorSection>,
    #[serde(default)]
    discord: Option<VendorSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorSection {
    #[serde(default)]
    channel: Option<Spanned<String>>,
    #[serde(default)]
    envs: HashMap<Spanned<String>, Spanned<String>>,
}

/// One chat's channels for a repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatChannels {
    /// The repository's default channel.
    pub default: Option<String>,
    /// Each environment's channel.
    pub envs: BTreeMap<Env, String>,
}

impl ChatChannels {
    /// The channel of `env`, else the repository's default.
    pub fn for_env(&self, env: &str) -> Option<&str> {
        self.envs
            .iter()
            .find(|(e, _)| e.as_str() == env)
            .map(|(_, c)| c.as_str())
            .or(self.default.as_deref())
    }
}

/// Where a repository's notices go in each chat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatConfig {
    /// Slack channel ids.
    pub slack: ChatChannels,
    /// Discord channel ids.
    pub discord: ChatChannels,
}

fn channel_id(value: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
    let id = value.value.trim();
    let valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(id.to_owned())
    } else {
        Err(ConfigError {
            line: Some(value.referenced.line()),
            message: format!("{key}: `{}` is not a channel id", value.value),
        })
    }
}

fn vendor(
    section: Option<VendorSection>,
    name: &str,
    catalog: &EnvCatalog,
) -> Result<ChatChannels, ConfigError> {
    let Some(section) = section else {
        return Ok(ChatChannels::default());
    };
    let default = section
        .channel
        .as_ref()
        .map(|c| channel_id(c, &format!("chat.{name}.channel")))
        .transpose()?;
    let mut entries: Vec<_> = section.envs.into_iter().collect();
    entries.sort_by_key(|(k, _)| k.referenced.line());
    let mut envs = BTreeMap::new();
    for (env, channel) in entries {
        let key = format!("chat.{name}.envs.{}", env.value);
        let resolved = catalog.resolve(&env.value).ok_or_else(|| {
            let known: Vec<&str> = catalog.envs().map(Env::as_str).collect();
            ConfigError {
                line: Some(env.referenced.line()),
                message: format!(
                    "{key}: unknown environment `{}` (environments are {})",
                    env.value,
                    known.join(", ")
                ),
            }
        })?;
        envs.insert(resolved, channel_id(&channel, &key)?);
    }
    Ok(ChatChannels { default, envs })
}

impl ChatConfig {
    /// Reads the section against the file's environments.
    pub(super) fn parse(
        section: Option<ChatSection>,
        catalog: &EnvCatalog,
    ) -> Result<Self, ConfigError> {
        let Some(section) = section else {
            return Ok(Self::default());
        };
        Ok(Self {
            slack: vendor(section.slack, "slack", catalog)?,
            discord: vendor(section.discord, "discord", catalog)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RepoConfig;

    #[test]
    fn channels_per_environment_fall_back_to_the_repository_default() {
        let config = RepoConfig::parse(
            "chat:\n  slack:\n    channel: C0REPO\n    envs:\n      prod: C0PRD\n  discord:\n    envs:\n      stg: \"1180\"\n",
        )
        .unwrap();
        assert_eq!(config.chat.slack.for_env("prd"), Some("C0PRD"));
        assert_eq!(config.chat.slack.for_env("dev"), Some("C0REPO"));
        assert_eq!(config.chat.discord.for_env("stg"), Some("1180"));
        assert_eq!(config.chat.discord.for_env("prd"), None);
    }

    #[test]
    fn chat_errors_name_the_key_and_its_line() {
        let error = RepoConfig::parse("chat:\n  slack:\n    envs:\n      prdd: C1\n").unwrap_err();
        assert_eq!(error.line, Some(4), "{error}");
        assert!(
            error
                .message
                .contains("chat.slack.envs.prdd: unknown environment"),
            "{error}"
        );
        let error = RepoConfig::parse("chat:\n  slack:\n    channel: \"#general\"\n").unwrap_err();
        assert_eq!(error.line, Some(3), "{error}");
        assert!(error.message.contains("chat.slack.channel"), "{error}");
        let error = RepoConfig::parse("chat:\n  slak:\n    channel: C1\n").unwrap_err();
        assert!(error.to_string().contains("slak"), "{error}");
    }
}
