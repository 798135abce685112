//! Building the chat side of `bosun serve` from settings: the notifier the
//! engine posts through (the console, plus Slack and Discord outboxes when
//! configured) and the state of the chat routes.

use super::discord::api::DiscordApi;
use super::discord::sink::DiscordSink;
use super::discord::{DiscordIngress, register};
use super::fanout::FanOut;
use super::outbox::Outbox;
use super::slack::SlackIngress;
use super::slack::api::SlackApi;
use super::slack::groups::REFRESH_EVERY;
use super::slack::sink::SlackSink;
use super::{ChannelMap, ChatSettings, ChatState};
use crate::metrics::Metrics;
use anyhow::Context;
use bosun_reconciler::engine::Engine;
use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::forge::Forge;
use bosun_reconciler::ports::notify::Notifier;
use bosun_reconciler::store::Store;
use serenity::interactions_endpoint::Verifier;
use std::sync::Arc;
use tracing::{info, warn};

/// The notifier for the engine and the outboxes behind it.
pub struct ChatNotifier {
    /// What the engine notifies.
    pub notifier: Arc<dyn Notifier>,
    /// The chat outboxes (start them with [`Outbox::spawn`]).
    pub outboxes: Vec<Arc<Outbox>>,
}

/// The console sink, plus an outbox per chat that can post.
pub fn notifier(
    settings: &ChatSettings,
    store: &Arc<dyn Store>,
    forge: &Arc<dyn Forge>,
) -> anyhow::Result<ChatNotifier> {
    let mut outboxes = Vec::new();
    if let Some(slack) = &settings.slack
        && let Some(token) = &slack.bot_token
    {
        let api =
            SlackApi::new(&slack.api_url, token.clone()).context("building the Slack client")?;
        let sink = SlackSink::new(api, Arc::clone(store), Arc::clone(forge));
        outboxes.push(Outbox::new(Arc::clone(store), Arc::new(sink)));
    }
    if let Some(discord) = &settings.discord {
        let api = DiscordApi::new(&discord.api_url, discord.bot_token.clone())
            .context("building the Discord client")?;
        let sink = DiscordSink::new(api, Arc::clone(store), Arc::clone(forge));
        outboxes.push(Outbox::new(Arc::clone(store), Arc::new(sink)));
    }
    let mut notifiers: Vec<Arc<dyn Notifier>> =
        vec![Arc::new(crate::console_notifier::ConsoleNotifier::default())];
    notifiers.extend(outboxes.iter().map(|o| Arc::clone(o) as Arc<dyn Notifier>));
    Ok(ChatNotifier {
        notifier: Arc::new(FanOut::new(notifiers)),
        outboxes,
    })
}

/// The state of the chat routes.
pub fn state(
    settings: &ChatSettings,
    engine: Arc<Engine>,
    metrics: Arc<Metrics>,
    local_repo: Option<RepoName>,
) -> anyhow::Result<ChatState> {
    let discord = match &settings.discord {
        Some(discord) => {
            let key: [u8; 32] = hex::decode(&discord.public_key)
                .ok()
                .and_then(|k| k.try_into().ok())
                .context("BOSUN_DISCORD_PUBLIC_KEY must be 32 bytes of hex")?;
            let verifier = Verifier::try_new(key).map_err(|_| {
                anyhow::anyhow!("BOSUN_DISCORD_PUBLIC_KEY is not an Ed25519 public key")
            })?;
            Some(DiscordIngress {
                verifier,
                app_id: discord.app_id.clone().unwrap_or_default(),
            })
        }
        None => None,
    };
    Ok(ChatState {
        engine,
        metrics,
        channels: ChannelMap {
            channels: settings.channels.clone(),
            local: local_repo,
        },
        slack: settings.slack.as_ref().map(|s| SlackIngress {
            signing_secrets: s.signing_secrets.clone(),
            groups: Default::default(),
        }),
        discord,
        settings: Default::default(),
    })
}

/// Keeps the Slack user groups of `state` fresh in the background (every
/// [`REFRESH_EVERY`]), when Slack is configured with a bot token; without
/// one, only roles given by Slack user id apply.
pub fn keep_slack_groups_fresh(settings: &ChatSettings, state: &ChatState) -> anyhow::Result<()> {
    let (Some(slack), Some(ingress)) = (&settings.slack, &state.slack) else {
        return Ok(());
    };
    let Some(token) = &slack.bot_token else {
        return Ok(());
    };
    let api = SlackApi::new(&slack.api_url, token.clone()).context("building the Slack client")?;
    ingress.groups.keep_fresh(api, REFRESH_EVERY);
    Ok(())
}

/// Registers bosun's commands in the configured Discord guild, in the
/// background (a failure is logged; the commands stay as they were).
pub fn register_discord_commands(settings: &ChatSettings) {
    let Some(discord) = settings.discord.clone() else {
        return;
    };
    let (Some(app_id), Some(guild)) = (discord.app_id.clone(), discord.guild_id.clone()) else {
        return;
    };
    if discord.bot_token.is_none() {
        warn!(
            "BOSUN_DISCORD_GUILD_ID is set without BOSUN_DISCORD_BOT_TOKEN: commands are not registered"
        );
        return;
    }
    tokio::spawn(async move {
        let api = match DiscordApi::new(&discord.api_url, discord.bot_token.clone()) {
            Ok(api) => api,
            Err(error) => return warn!(%error, "building the Discord client"),
        };
        match register::register(&api, &app_id, &guild).await {
            Ok(()) => info!(guild, "Discord commands registered"),
            Err(error) => warn!(%error, guild, "could not register the Discord commands"),
        }
    });
}
