//! Slack's Web API methods bosun calls (`chat.postMessage`, `chat.update`,
//! the external file upload, `usergroups.list`),
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
        Self::answer(method, response).await
    }

    /// Reads a Web API answer: 429 → its `Retry-After`, 5xx → retry,
    /// `ok: false` → the error (permanent or not), else the body.
    async fn answer<Rs: DeserializeOwned>(
        method: &str,
        response: reqwest::Response,
    ) -> Result<Rs, SendError> {
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

    /// Every user group of the workspace with its members' ids
    /// (`usergroups.list?include_users=true`, scope `usergroups:read`).
    pub async fn user_groups(&self) -> Result<Vec<(String, Vec<String>)>, SendError> {
        /// The two fields bosun reads of a user group (slack-morphism's
        /// model also demands fields Slack's own examples leave out).
        #[derive(serde::Deserialize)]
        struct Group {
            id: String,
            #[serde(default)]
            users: Vec<String>,
        }
        #[derive(serde::Deserialize)]
        struct Groups {
            usergroups: Vec<Group>,
        }
        let method = "usergroups.list";
        let response = self
            .http
            .get(format!("{}{method}", self.base))
            .bearer_auth(self.token.expose_secret())
            .query(&[("include_users", "true")])
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("{method}: {e}")))?;
        let answer: Groups = Self::answer(method, response).await?;
        Ok(answer
            .usergroups
            .into_iter()
            .map(|g| (g.id, g.users))
            .collect())
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

    /// Uploads a file into a thread with Slack's external upload flow:
    /// `files.getUploadURLExternal`, the bytes to the URL it gives, then
    /// `files.completeUploadExternal` sharing it in `channel` under `thread_ts`.
    pub async fn upload(
        &self,
        channel: &str,
        thread_ts: &str,
        attachment: &bosun_reconciler::ports::notify::Attachment,
    ) -> Result<(), SendError> {
        let method = "files.getUploadURLExternal";
        let response = self
            .http
            .post(format!("{}{method}", self.base))
            .bearer_auth(self.token.expose_secret())
            .query(&[
                ("filename", attachment.file_name.as_str()),
                ("length", &attachment.bytes.len().to_string()),
            ])
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("{method}: {e}")))?;
        let ticket: serde_json::Value = Self::answer(method, response).await?;
        let (Some(url), Some(file_id)) =
            (ticket["upload_url"].as_str(), ticket["file_id"].as_str())
        else {
            return Err(SendError::Retry(format!(
                "{method}: no upload_url or file_id"
            )));
        };
        let uploaded = self
            .http
            .post(url)
            .header("content-type", attachment.media_type.as_str())
            .body(attachment.bytes.clone())
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("file upload: {e}")))?;
        if !uploaded.status().is_success() {
            return Err(SendError::Retry(format!(
                "file upload: HTTP {}",
                uploaded.status()
            )));
        }
        let complete = serde_json::json!({
            "files": [{ "id": file_id, "title": attachment.file_name }],
            "channel_id": channel,
            "thread_ts": thread_ts,
        });
        let _: serde_json::Value = self.call("files.completeUploadExternal", &complete).await?;
        Ok(())
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
