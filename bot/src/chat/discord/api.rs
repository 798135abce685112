//! The Discord HTTP API calls bosun makes, with reqwest against a
//! configurable base URL: interaction follow-ups and edits of the original
//! answer, channel messages with the bot token, and the bulk overwrite of a
//! guild's commands. A message with a file (a cost chart) goes as
//! `multipart/form-data`: the message in `payload_json`, naming the file in
//! its `attachments`, and the bytes in `files[0]`. Rate limits: a 429's
//! `Retry-After` (or its body's
//! `retry_after`) becomes [`SendError::RateLimited`], and a bucket emptied
//! (`X-RateLimit-Remaining: 0`) pauses every call until
//! `X-RateLimit-Reset-After` has passed.

use crate::chat::outbox::SendError;
use bosun_reconciler::ports::notify::Attachment;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a call sends.
enum Payload<'a> {
    /// A JSON body.
    Json(&'a Value),
    /// A message with one file.
    WithFile(&'a Value, &'a Attachment),
}

impl<'a> Payload<'a> {
    fn message(message: &'a Value, file: Option<&'a Attachment>) -> Self {
        match file {
            Some(file) => Self::WithFile(message, file),
            None => Self::Json(message),
        }
    }
}

/// `message` with `file` attached, as Discord takes it.
fn with_file(message: &Value, file: &Attachment) -> Result<Form, SendError> {
    let mut message = message.clone();
    message["attachments"] = json!([{ "id": 0, "filename": file.file_name }]);
    let part = Part::bytes(file.bytes.clone())
        .file_name(file.file_name.clone())
        .mime_str(&file.media_type)
        .map_err(|e| {
            SendError::Permanent(format!(
                "attachment {} has no usable media type {}: {e}",
                file.file_name, file.media_type
            ))
        })?;
    Ok(Form::new()
        .text("payload_json", message.to_string())
        .part("files[0]", part))
}

/// A Discord HTTP API client.
pub struct DiscordApi {
    http: reqwest::Client,
    base: String,
    bot_token: Option<SecretString>,
    paused_until: Mutex<Option<Instant>>,
}

fn seconds(text: &str) -> Option<Duration> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

impl DiscordApi {
    /// A client for `base` (`https://discord.com/api/v10`).
    pub fn new(base: &str, bot_token: Option<SecretString>) -> Result<Self, reqwest::Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            bot_token,
            paused_until: Mutex::new(None),
        })
    }

    /// Whether a bot token is configured (channel messages need one).
    pub fn has_bot_token(&self) -> bool {
        self.bot_token.is_some()
    }

    fn pause(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.paused_until.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Payload<'_>,
        with_bot: bool,
    ) -> Result<Value, SendError> {
        if let Some(until) = *self.pause() {
            let now = Instant::now();
            if until > now {
                return Err(SendError::RateLimited(until - now));
            }
        }
        let request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        let mut request = match body {
            Payload::Json(body) => request.json(body),
            Payload::WithFile(body, file) => request.multipart(with_file(body, file)?),
        };
        if with_bot {
            let token = self.bot_token.as_ref().ok_or_else(|| {
                SendError::Permanent("no Discord bot token is configured".to_owned())
            })?;
            request = request.header("authorization", format!("Bot {}", token.expose_secret()));
        }
        let response = request
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("{method} {path}: {e}")))?;
        let status = response.status();
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        if header("x-ratelimit-remaining").as_deref() == Some("0")
            && let Some(wait) = header("x-ratelimit-reset-after")
                .as_deref()
                .and_then(seconds)
        {
            *self.pause() = Some(Instant::now() + wait);
        }
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let wait = header("retry-after")
                .as_deref()
                .and_then(seconds)
                .or_else(|| {
                    body["retry_after"]
                        .as_f64()
                        .and_then(|s| seconds(&s.to_string()))
                })
                .unwrap_or(Duration::from_secs(1));
            return Err(SendError::RateLimited(wait));
        }
        if status.is_server_error() {
            return Err(SendError::Retry(format!("{method} {path}: HTTP {status}")));
        }
        if !status.is_success() {
            let message = body["message"].as_str().unwrap_or("refused");
            return Err(SendError::Permanent(format!(
                "{method} {path}: HTTP {status}: {message}"
            )));
        }
        Ok(body)
    }

    /// Edits an interaction's original (deferred) answer.
    pub async fn edit_original(
        &self,
        app_id: &str,
        token: &str,
        message: &Value,
    ) -> Result<(), SendError> {
        let path = format!("/webhooks/{app_id}/{token}/messages/@original");
        self.call(Method::PATCH, &path, Payload::Json(message), false)
            .await
            .map(drop)
    }

    /// Adds a follow-up message to an interaction, with `file` attached if any.
    pub async fn follow_up(
        &self,
        app_id: &str,
        token: &str,
        message: &Value,
        file: Option<&Attachment>,
    ) -> Result<(), SendError> {
        let path = format!("/webhooks/{app_id}/{token}");
        self.call(Method::POST, &path, Payload::message(message, file), false)
            .await
            .map(drop)
    }

    /// Posts a message to a channel, with `file` attached if any; returns its id.
    pub async fn post(
        &self,
        channel: &str,
        message: &Value,
        file: Option<&Attachment>,
    ) -> Result<String, SendError> {
        let path = format!("/channels/{channel}/messages");
        let answer = self
            .call(Method::POST, &path, Payload::message(message, file), true)
            .await?;
        answer["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| SendError::Retry("Discord answered a message without an id".to_owned()))
    }

    /// Edits a channel message.
    pub async fn edit(
        &self,
        channel: &str,
        message_id: &str,
        message: &Value,
    ) -> Result<(), SendError> {
        let path = format!("/channels/{channel}/messages/{message_id}");
        self.call(Method::PATCH, &path, Payload::Json(message), true)
            .await
            .map(drop)
    }

    /// Replaces a guild's commands with `commands` (idempotent).
    pub async fn overwrite_guild_commands(
        &self,
        app_id: &str,
        guild: &str,
        commands: &Value,
    ) -> Result<(), SendError> {
        let path = format!("/applications/{app_id}/guilds/{guild}/commands");
        self.call(Method::PUT, &path, Payload::Json(commands), true)
            .await
            .map(drop)
    }
}
