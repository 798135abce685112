//! The Slack [`Sink`]: a notice's thread is one Slack message. The first
//! notice of a thread posts it (to the channel its route names) and
//! remembers `(channel, ts)` under `slack-thread/<thread>`; later notices
//! `chat.update` it and post their reply in its thread.

use super::api::SlackApi;
use super::blocks;
use crate::chat::outbox::{Delivered, SendError, Sink};
use async_trait::async_trait;
use bosun_reconciler::audit::Place;
use bosun_reconciler::config::{self, ChatConfig};
use bosun_reconciler::ports::forge::Forge;
use bosun_reconciler::ports::notify::{Notice, Route};
use bosun_reconciler::store::Store;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const THREADS: &str = "slack-thread";

/// Where a thread's first message is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackThread {
    /// The channel id.
    pub channel: String,
    /// The message's timestamp (its id).
    pub ts: String,
}

/// Whether a channel id is Slack's (`C…`, `G…`, `D…`); Discord's are numbers.
pub fn is_slack_channel(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Posts notices to Slack.
pub struct SlackSink {
    api: SlackApi,
    store: Arc<dyn Store>,
    forge: Arc<dyn Forge>,
}

impl SlackSink {
    /// A sink posting with `api`, keeping threads in `store`, reading
    /// channels from the repositories' `.bosun.yaml` through `forge`.
    pub fn new(api: SlackApi, store: Arc<dyn Store>, forge: Arc<dyn Forge>) -> Self {
        Self { api, store, forge }
    }

    /// The thread's first message, if it was posted.
    pub fn thread(&self, thread: &str) -> Result<Option<SlackThread>, SendError> {
        let raw = self
            .store
            .get_record(THREADS, thread)
            .map_err(|e| SendError::Retry(e.to_string()))?;
        Ok(raw.and_then(|r| serde_json::from_slice(&r).ok()))
    }

    async fn chat_config(&self, notice: &Notice) -> Result<ChatConfig, SendError> {
        let Some(repo) = &notice.repo else {
            return Ok(ChatConfig::default());
        };
        match config::load(self.forge.as_ref(), repo).await {
            Ok(Ok(config)) => Ok(config.chat),
            // A broken .bosun.yaml is reported where it is read; post nowhere extra.
            Ok(Err(_)) => Ok(ChatConfig::default()),
            Err(error) => Err(SendError::Retry(format!(
                "reading {repo}'s settings: {error}"
            ))),
        }
    }

    /// The channel a thread starts in, if Slack has one for the route.
    async fn channel(&self, notice: &Notice) -> Result<Option<String>, SendError> {
        let env = match &notice.route {
            Route::Origin {
                place: Place::Channel { id },
                ..
            } if is_slack_channel(id) => {
                return Ok(Some(id.clone()));
            }
            Route::Origin { env, .. } => env.clone(),
            Route::Env(env) => Some(env.clone()),
            Route::Repo => None,
        };
        let chat = self.chat_config(notice).await?;
        Ok(match env {
            Some(env) => chat.slack.for_env(&env).map(str::to_owned),
            None => chat.slack.default.clone(),
        })
    }
}

#[async_trait]
impl Sink for SlackSink {
    fn name(&self) -> &'static str {
        "slack"
    }

    async fn deliver(&self, notice: &Notice) -> Result<Delivered, SendError> {
        if let Some(thread) = self.thread(&notice.thread)? {
            self.api
                .update(&thread.channel, &thread.ts, blocks::first_message(notice))
                .await?;
            if let Some(reply) = &notice.reply {
                self.api
                    .post_message(&thread.channel, Some(&thread.ts), blocks::reply(reply))
                    .await?;
            }
            if let Some(attachment) = &notice.attachment {
                self.api
                    .upload(&thread.channel, &thread.ts, attachment)
                    .await?;
            }
            return Ok(Delivered::Posted);
        }
        let Some(channel) = self.channel(notice).await? else {
            return Ok(Delivered::NotForThisChat);
        };
        let ts = self
            .api
            .post_message(&channel, None, blocks::first_message(notice))
            .await?;
        let thread = SlackThread {
            channel: channel.clone(),
            ts: ts.clone(),
        };
        let raw = serde_json::to_vec(&thread).map_err(|e| SendError::Retry(e.to_string()))?;
        self.store
            .put_record(THREADS, &notice.thread, &raw)
            .map_err(|e| SendError::Retry(e.to_string()))?;
        if let Some(reply) = &notice.reply {
            self.api
                .post_message(&channel, Some(&ts), blocks::reply(reply))
                .await?;
        }
        if let Some(attachment) = &notice.attachment {
            self.api.upload(&channel, &ts, attachment).await?;
        }
        Ok(Delivered::Posted)
    }
}
