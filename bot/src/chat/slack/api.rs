//! Slack's Web API methods bosun calls (`chat.postMessage`, `chat.update`),
//! with slack-morphism's request and response models over reqwest, so the
//! base URL can point anywhere (a fake in tests) and a 429's `Retry-After`
//! reaches the outbox.

use crate::chat::outbox::SendError;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use slack_morphism::prelude::*;
use std::time::Duration;

/// Errors that will not heal by retrying.
const PERMANENT: &[&str] = &[
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "message_not_found",
    "cant_update_message",
    "invalid_blocks",
    "msg_too_long",
];

/// A Slack Web API client for one bot token.
#[derive(Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base: String,
    token: SecretString,
}

impl SlackApi {
    /// A client for `base` (ending in `/`, like `https://slack.com/api/`).
    pub fn new(base: &str, token: SecretString) -> Result<Self, reqwest::Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Self {
            http,
            base: base.to_owned(),
            token,
        })
    }

    async fn call<Rq: Serialize, Rs: DeserializeOwned>(
        &self,
        method: &str,
        request: &Rq,
    ) -> Result<Rs, SendError> {
        let response = self
            .http
            .post(format!("{}{method}", self.base))
            .bearer_auth(self.token.expose_secret())
            .json(request)
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("{method}: {e}")))?;
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(1);
            return Err(SendError::RateLimited(Duration::from_secs(wait)));
        }
        if status.is_server_error() {
            return Err(SendError::Retry(format!("{method}: HTTP {status}")));
        }
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|e| SendError::Retry(format!("{method}: unreadable answer: {e}")))?;
        if body["ok"].as_bool() != Some(true) {
            let error = body["error"].as_str().unwrap_or("unknown_error").to_owned();
            return Err(if PERMANENT.contains(&error.as_str()) {
                SendError::Permanent(format!("{method}: {error}"))
            } else {
                SendError::Retry(format!("{method}: {error}"))
            });
        }
        serde_json::from_value(body)
            .map_err(|e| SendError::Retry(format!("{method}: unexpected answer: {e}")))
    }

    /// Posts a message (in a thread when `thread_ts` is set); returns its `ts`.
    pub async fn post_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        content: SlackMessageContent,
    ) -> Result<String, SendError> {
        let mut request =
            SlackApiChatPostMessageRequest::new(SlackChannelId(channel.to_owned()), content);
        if let Some(ts) = thread_ts {
            request = request.with_thread_ts(SlackTs(ts.to_owned()));
        }
        let answer: SlackApiChatPostMessageResponse =
            self.call("chat.postMessage", &request).await?;
        Ok(answer.ts.0)
    }

    /// Replaces a message's content.
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        content: SlackMessageContent,
    ) -> Result<(), SendError> {
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(channel.to_owned()),
            content,
            SlackTs(ts.to_owned()),
        );
        let _: serde_json::Value = self.call("chat.update", &request).await?;
        Ok(())
    }
}
