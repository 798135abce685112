//! Which repository a chat channel acts on, and the chat settings of
//! `bosun serve` (flags with `BOSUN_*` twins).

use crate::settings::{SettingError, bad, comma_list, http_url, secrets};
use bosun_reconciler::ids::RepoName;
use clap::Args;
use secrecy::SecretString;
use std::collections::HashMap;

/// Chat flags of `bosun serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ChatArgs {
    /// Slack signing secrets, comma-separated (rotation); enables Slack.
    #[arg(long, env = "BOSUN_SLACK_SIGNING_SECRET", hide_env_values = true)]
    pub slack_signing_secret: Option<String>,
    /// Slack bot token (`xoxb-…`) for posting results; without it results go to the log.
    #[arg(long, env = "BOSUN_SLACK_BOT_TOKEN", hide_env_values = true)]
    pub slack_bot_token: Option<String>,
    /// Slack Web API base URL [default: https://slack.com/api/].
    #[arg(long, env = "BOSUN_SLACK_API_URL")]
    pub slack_api_url: Option<String>,
    /// Slack channels and the repository each acts on: `C123=acme/platform,C456=acme/infra`.
    #[arg(long, env = "BOSUN_SLACK_CHANNELS")]
    pub slack_channels: Option<String>,
    /// Discord application public key (hex); enables Discord.
    #[arg(long, env = "BOSUN_DISCORD_PUBLIC_KEY")]
    pub discord_public_key: Option<String>,
    /// Discord application id (for follow-ups and command registration).
    #[arg(long, env = "BOSUN_DISCORD_APP_ID")]
    pub discord_app_id: Option<String>,
    /// Discord bot token, for registering commands and posting to channels.
    #[arg(long, env = "BOSUN_DISCORD_BOT_TOKEN", hide_env_values = true)]
    pub discord_bot_token: Option<String>,
    /// Discord guild whose commands bosun registers at start-up.
    #[arg(long, env = "BOSUN_DISCORD_GUILD_ID")]
    pub discord_guild_id: Option<String>,
    /// Discord HTTP API base URL [default: https://discord.com/api/v10].
    #[arg(long, env = "BOSUN_DISCORD_API_URL")]
    pub discord_api_url: Option<String>,
    /// Discord channels and the repository each acts on: `1234=acme/platform`.
    #[arg(long, env = "BOSUN_DISCORD_CHANNELS")]
    pub discord_channels: Option<String>,
}

/// Slack settings after checking.
#[derive(Debug, Clone)]
pub struct SlackSettings {
    /// Signing secrets (several during a rotation).
    pub signing_secrets: Vec<SecretString>,
    /// Bot token for the Web API.
    pub bot_token: Option<SecretString>,
    /// Web API base URL, ending in `/`.
    pub api_url: String,
}

/// Discord settings after checking.
#[derive(Debug, Clone)]
pub struct DiscordSettings {
    /// The application's public key (hex, 32 bytes).
    pub public_key: String,
    /// The application id.
    pub app_id: Option<String>,
    /// The bot token.
    pub bot_token: Option<SecretString>,
    /// The guild whose commands are registered at start-up.
    pub guild_id: Option<String>,
    /// HTTP API base URL, without a trailing `/`.
    pub api_url: String,
}

/// Chat settings after checking.
#[derive(Debug, Clone, Default)]
pub struct ChatSettings {
    /// Slack, when a signing secret is set.
    pub slack: Option<SlackSettings>,
    /// Discord, when a public key is set.
    pub discord: Option<DiscordSettings>,
    /// Channel → repository.
    pub channels: HashMap<String, RepoName>,
}

fn url(name: &str, text: Option<&String>, default: &str) -> Result<String, SettingError> {
    http_url(name, text.map(String::as_str).unwrap_or(default).to_owned())
}

/// Reads `C123=acme/platform,C456=acme/infra`.
fn channel_map(
    name: &str,
    text: Option<&String>,
) -> Result<HashMap<String, RepoName>, SettingError> {
    let mut map = HashMap::new();
    for pair in comma_list(text.map(String::as_str).unwrap_or("")) {
        let (channel, repo) = pair
            .split_once('=')
            .ok_or_else(|| bad(name, format!("`{pair}` is not CHANNEL=owner/repo")))?;
        let repo: RepoName = repo
            .trim()
            .parse()
            .map_err(|e| bad(name, format!("`{pair}`: {e}")))?;
        map.insert(channel.trim().to_owned(), repo);
    }
    Ok(map)
}

impl ChatArgs {
    /// Checks the chat flags.
    pub fn resolve(&self) -> Result<ChatSettings, SettingError> {
        let slack = match self.slack_signing_secret.as_deref().map(secrets) {
            Some(signing_secrets) if !signing_secrets.is_empty() => {
                let mut api_url = url(
                    "BOSUN_SLACK_API_URL",
                    self.slack_api_url.as_ref(),
                    "https://slack.com/api/",
                )?;
                if !api_url.ends_with('/') {
                    api_url.push('/');
                }
                Some(SlackSettings {
                    signing_secrets,
                    bot_token: self.slack_bot_token.clone().map(SecretString::from),
                    api_url,
                })
            }
            _ => None,
        };
        let discord = match &self.discord_public_key {
            Some(key) if !key.trim().is_empty() => {
                let key = key.trim().to_owned();
                let bytes = hex::decode(&key)
                    .map_err(|_| bad("BOSUN_DISCORD_PUBLIC_KEY", "is not hexadecimal"))?;
                if bytes.len() != 32 {
                    return Err(bad(
                        "BOSUN_DISCORD_PUBLIC_KEY",
                        "must be 32 bytes (64 hex digits)",
                    ));
                }
                let api_url = url(
                    "BOSUN_DISCORD_API_URL",
                    self.discord_api_url.as_ref(),
                    "https://discord.com/api/v10",
                )?
                .trim_end_matches('/')
                .to_owned();
                Some(DiscordSettings {
                    public_key: key,
                    app_id: self.discord_app_id.clone(),
                    bot_token: self.discord_bot_token.clone().map(SecretString::from),
                    guild_id: self.discord_guild_id.clone(),
                    api_url,
                })
            }
            _ => None,
        };
        let mut channels = channel_map("BOSUN_SLACK_CHANNELS", self.slack_channels.as_ref())?;
        channels.extend(channel_map(
            "BOSUN_DISCORD_CHANNELS",
            self.discord_channels.as_ref(),
        )?);
        Ok(ChatSettings {
            slack,
            discord,
            channels,
        })
    }
}

/// Which repository each channel acts on; in local mode every channel acts
/// on the one managed checkout.
#[derive(Debug, Clone, Default)]
pub struct ChannelMap {
    /// Channel id → repository.
    pub channels: HashMap<String, RepoName>,
    /// The managed repository in local mode.
    pub local: Option<RepoName>,
}

impl ChannelMap {
    /// The repository a channel acts on, if any.
    pub fn repo_for(&self, channel: &str) -> Option<RepoName> {
        self.channels
            .get(channel)
            .cloned()
            .or_else(|| self.local.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_map_to_repositories_and_typos_are_named() {
        let args = ChatArgs {
            slack_signing_secret: Some("new,old".to_owned()),
            slack_channels: Some("C1=acme/platform, C2=acme/infra".to_owned()),
            ..ChatArgs::default()
        };
        let settings = args.resolve().unwrap();
        assert_eq!(settings.slack.unwrap().signing_secrets.len(), 2);
        assert_eq!(settings.channels["C2"].to_string(), "acme/infra");
        let args = ChatArgs {
            slack_channels: Some("C1:acme/platform".to_owned()),
            ..ChatArgs::default()
        };
        assert_eq!(args.resolve().unwrap_err().name, "BOSUN_SLACK_CHANNELS");
        let args = ChatArgs {
            discord_public_key: Some("abcd".to_owned()),
            ..ChatArgs::default()
        };
        assert_eq!(args.resolve().unwrap_err().name, "BOSUN_DISCORD_PUBLIC_KEY");
    }

    #[test]
    fn local_mode_links_every_channel_to_the_checkout() {
        let map = ChannelMap {
            channels: HashMap::new(),
            local: Some("local/checkout".parse().unwrap()),
        };
        assert_eq!(map.repo_for("C9").unwrap().to_string(), "local/checkout");
        assert!(ChannelMap::default().repo_for("C9").is_none());
    }
}
