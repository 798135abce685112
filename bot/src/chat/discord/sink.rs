//! The Discord [`Sink`]. A chat request's answer edits the interaction's
//! deferred answer (`PATCH …/messages/@original`), and later notices of its
//! thread edit it again and add follow-ups. A thread that did not start
//! with an interaction (a promotion asked on a pull request, drift) is a
//! channel message posted with the bot token, edited in place, with replies
//! that reference it. A notice's attachment (a cost chart) follows as a
//! message of its own in the thread, carrying the file.

use super::api::DiscordApi;
use super::messages;
use super::{INTERACTIONS, InteractionToken};
use crate::chat::outbox::{Delivered, SendError, Sink};
use async_trait::async_trait;
use bosun_reconciler::audit::Place;
use bosun_reconciler::config;
use bosun_reconciler::ports::forge::Forge;
use bosun_reconciler::ports::notify::{Attachment, Notice, Route};
use bosun_reconciler::store::Store;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

const THREADS: &str = "discord-thread";

/// Where a thread's first message is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiscordThread {
    /// The original answer of an interaction.
    Interaction(InteractionToken),
    /// A channel message.
    Channel {
        /// The channel id.
        channel: String,
        /// The message id.
        message: String,
    },
}

fn is_discord_channel(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_digit())
}

/// Posts notices to Discord.
pub struct DiscordSink {
    api: DiscordApi,
    store: Arc<dyn Store>,
    forge: Arc<dyn Forge>,
}

impl DiscordSink {
    /// A sink posting with `api`, keeping threads in `store`, reading
    /// channels from the repositories' `.bosun.yaml` through `forge`.
    pub fn new(api: DiscordApi, store: Arc<dyn Store>, forge: Arc<dyn Forge>) -> Self {
        Self { api, store, forge }
    }

    fn record<T: serde::de::DeserializeOwned>(
        &self,
        ns: &str,
        key: &str,
    ) -> Result<Option<T>, SendError> {
        let raw = self
            .store
            .get_record(ns, key)
            .map_err(|e| SendError::Retry(e.to_string()))?;
        Ok(raw.and_then(|r| serde_json::from_slice(&r).ok()))
    }

    fn remember(&self, thread: &str, at: &DiscordThread) -> Result<(), SendError> {
        let raw = serde_json::to_vec(at).map_err(|e| SendError::Retry(e.to_string()))?;
        self.store
            .put_record(THREADS, thread, &raw)
            .map_err(|e| SendError::Retry(e.to_string()))
    }

    async fn channel(&self, notice: &Notice) -> Result<Option<String>, SendError> {
        let env = match &notice.route {
            Route::Origin {
                place: Place::Channel { id },
                ..
            } if is_discord_channel(id) => {
                return Ok(Some(id.clone()));
            }
            Route::Origin { env, .. } => env.clone(),
            Route::Env(env) => Some(env.clone()),
            Route::Repo => None,
        };
        let Some(repo) = &notice.repo else {
            return Ok(None);
        };
        let chat = match config::load(self.forge.as_ref(), repo).await {
            Ok(Ok(config)) => config.chat,
            Ok(Err(_)) => return Ok(None),
            Err(error) => {
                return Err(SendError::Retry(format!(
                    "reading {repo}'s settings: {error}"
                )));
            }
        };
        Ok(match env {
            Some(env) => chat.discord.for_env(&env).map(str::to_owned),
            None => chat.discord.default.clone(),
        })
    }

    /// Adds `body` (with `file`, if any) to the thread at `at`.
    async fn add(
        &self,
        at: &DiscordThread,
        mut body: serde_json::Value,
        file: Option<&Attachment>,
    ) -> Result<(), SendError> {
        match at {
            DiscordThread::Interaction(token) => {
                self.api
                    .follow_up(&token.app_id, &token.token, &body, file)
                    .await
            }
            DiscordThread::Channel { channel, message } => {
                body["message_reference"] = json!({ "message_id": message });
                self.api.post(channel, &body, file).await.map(drop)
            }
        }
    }

    /// The notice's reply and attachment, added to its thread.
    async fn add_to_thread(&self, at: &DiscordThread, notice: &Notice) -> Result<(), SendError> {
        if let Some(reply) = &notice.reply {
            self.add(at, messages::reply(reply), None).await?;
        }
        if let Some(file) = &notice.attachment {
            self.add(at, json!({}), Some(file)).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Sink for DiscordSink {
    fn name(&self) -> &'static str {
        "discord"
    }

    async fn deliver(&self, notice: &Notice) -> Result<Delivered, SendError> {
        let first = messages::first_message(notice);
        if let Some(at) = self.record::<DiscordThread>(THREADS, &notice.thread)? {
            let edited = match &at {
                DiscordThread::Interaction(token) => {
                    self.api
                        .edit_original(&token.app_id, &token.token, &first)
                        .await
                }
                DiscordThread::Channel { channel, message } => {
                    self.api.edit(channel, message, &first).await
                }
            };
            let at = match (edited, &at) {
                (Ok(()), _) => at,
                // The interaction's token expired: the thread goes on as a
                // channel message in the same channel.
                (Err(SendError::Permanent(_)), DiscordThread::Interaction(token))
                    if token.channel.is_some() && self.api.has_bot_token() =>
                {
                    let channel = token.channel.clone().unwrap_or_default();
                    let message = self.api.post(&channel, &first, None).await?;
                    let moved = DiscordThread::Channel { channel, message };
                    self.remember(&notice.thread, &moved)?;
                    moved
                }
                (Err(error), _) => return Err(error),
            };
            self.add_to_thread(&at, notice).await?;
            return Ok(Delivered::Posted);
        }
        // A chat request's answer: its id names the interaction.
        let at = if let Some(token) = self.record::<InteractionToken>(INTERACTIONS, &notice.id)? {
            self.api
                .edit_original(&token.app_id, &token.token, &first)
                .await?;
            DiscordThread::Interaction(token)
        } else {
            if !self.api.has_bot_token() {
                return Ok(Delivered::NotForThisChat);
            }
            let Some(channel) = self.channel(notice).await? else {
                return Ok(Delivered::NotForThisChat);
            };
            let message = self.api.post(&channel, &first, None).await?;
            DiscordThread::Channel { channel, message }
        };
        self.remember(&notice.thread, &at)?;
        self.add_to_thread(&at, notice).await?;
        Ok(Delivered::Posted)
    }
}
