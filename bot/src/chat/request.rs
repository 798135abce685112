//! What every chat front-end does with a verified request before it
//! acknowledges: screen it (settings, grammar, permission), and store an
//! accepted one durably in the engine's inbox.

use super::ChatState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use bosun_reconciler::chat::{self, ChatRequest, Screened};
use bosun_reconciler::config::{self, ConfigError, Identity, RepoConfig};
use bosun_reconciler::engine::Ingested;
use bosun_reconciler::error::ReconcileError;
use bosun_reconciler::event::{Event, EventKind};
use bosun_reconciler::ids::DeliveryId;
use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::forge::Forge;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::{info, warn};

/// Longest the screening may take: chat wants its acknowledgement in 3 s.
const SCREEN_TIMEOUT: Duration = Duration::from_millis(2_000);

/// How long a repository's settings read for screening are reused. The
/// engine reads them afresh before it runs anything, so a change to
/// `.bosun.yaml` can only make an acknowledgement this much out of date.
const SETTINGS_FRESH_FOR: Duration = Duration::from_secs(5);

type Settings = Arc<Result<RepoConfig, ConfigError>>;

/// Repository settings recently read for screening.
#[derive(Default)]
pub struct SettingsCache {
    entries: Mutex<HashMap<RepoName, (Instant, Settings)>>,
}

impl SettingsCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RepoName, (Instant, Settings)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn get(&self, forge: &dyn Forge, repo: &RepoName) -> Result<Settings, ReconcileError> {
        if let Some((at, settings)) = self.lock().get(repo)
            && at.elapsed() < SETTINGS_FRESH_FOR
        {
            return Ok(Arc::clone(settings));
        }
        let settings = Arc::new(config::load(forge, repo).await?);
        self.lock()
            .insert(repo.clone(), (Instant::now(), Arc::clone(&settings)));
        Ok(settings)
    }
}

/// What happened to a request, for the acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Stored; it will run. `command` is its canonical text.
    Accepted {
        /// The command as understood.
        command: String,
    },
    /// Seen before (a retry or a replay): stored once, runs once.
    Duplicate {
        /// The command as understood.
        command: String,
    },
    /// Not permitted, or the settings cannot be used. Nothing stored.
    Refused {
        /// Why (Markdown).
        reply: String,
    },
    /// Not a valid command. Nothing stored.
    Invalid {
        /// What is wrong (Markdown).
        reply: String,
    },
    /// bosun could not decide or store it now; the person should retry.
    Unavailable,
    /// Permitted, but it wants the asker's confirmation first (a promotion
    /// into a protected environment). Nothing stored: the confirming click
    /// is a new request, checked again.
    NeedsConfirmation {
        /// The command as understood.
        command: String,
        /// The question to ask (Markdown).
        question: String,
    },
}

/// Whether a request may stop to ask its asker for confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// The front-end can ask (Slack and Discord buttons): a command that
    /// wants confirming is answered with the question, not stored.
    Ask,
    /// The asker has confirmed (the click on Confirm): the command runs.
    Given,
}

/// A chat route's raw body; an unreadable one (too large) is counted and
/// answered 413 (the status returned).
pub(crate) fn readable_body(
    state: &ChatState,
    source: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, StatusCode> {
    body.map_err(|_| {
        state.metrics.event_rejected(source, "unreadable_body");
        StatusCode::PAYLOAD_TOO_LARGE
    })
}

/// A 400 whose JSON body says what is wrong.
pub(crate) fn bad_request(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

/// What `who` asked in `channel`, acting on the repository that channel is
/// linked to; `None` when it is linked to none.
pub(crate) fn in_channel(
    state: &ChatState,
    delivery: &DeliveryId,
    who: Identity,
    channel: &str,
    text: String,
) -> Option<ChatRequest> {
    let repo = state.channels.repo_for(channel)?;
    Some(ChatRequest {
        id: delivery.as_str().to_owned(),
        who,
        channel: channel.to_owned(),
        repo,
        text,
    })
}

/// Screens `request` and stores it if it is accepted. `delivery` is the
/// vendor's stable id for the ask (its retries and replays keep it).
pub async fn take(
    state: &ChatState,
    source: &str,
    delivery: DeliveryId,
    request: ChatRequest,
    confirmation: Confirmation,
) -> Taken {
    let metrics = &state.metrics;
    let forge = Arc::clone(state.engine.forge());
    let screened = tokio::time::timeout(SCREEN_TIMEOUT, async {
        let settings = state.settings.get(forge.as_ref(), &request.repo).await?;
        Ok::<_, ReconcileError>(chat::screen_with(&settings, &request).await)
    })
    .await;
    let command = match screened {
        Ok(Ok(Screened::Accepted {
            command,
            confirm: Some(question),
        })) if confirmation == Confirmation::Ask => {
            info!(request = request.id, who = %request.who, command, "chat request awaits confirmation");
            return Taken::NeedsConfirmation { command, question };
        }
        Ok(Ok(Screened::Accepted { command, .. })) => command,
        Ok(Ok(Screened::Refused { reply })) => {
            metrics.event_rejected(source, "refused");
            info!(request = request.id, who = %request.who, text = request.text, "chat request refused");
            return Taken::Refused { reply };
        }
        Ok(Ok(Screened::Invalid { reply })) => {
            metrics.event_rejected(source, "invalid_command");
            return Taken::Invalid { reply };
        }
        Ok(Err(error)) => {
            metrics.event_rejected(source, error.metric_label());
            warn!(%error, "could not screen a chat request");
            return Taken::Unavailable;
        }
        Err(_) => {
            metrics.event_rejected(source, "screen_timeout");
            warn!("screening a chat request took too long");
            return Taken::Unavailable;
        }
    };
    let event = Event {
        delivery: delivery.clone(),
        received_at: chrono::Utc::now(),
        kind: EventKind::Chat(request),
    };
    let engine = Arc::clone(&state.engine);
    match tokio::task::spawn_blocking(move || engine.ingest(&event)).await {
        Ok(Ok(Ingested::Duplicate)) => {
            metrics.event_duplicate(source);
            Taken::Duplicate { command }
        }
        Ok(Ok(_)) => {
            metrics.event_received(source, "command");
            info!(
                delivery = delivery.as_str(),
                command, "chat request accepted"
            );
            Taken::Accepted { command }
        }
        Ok(Err(error)) => {
            metrics.event_rejected(source, error.metric_label());
            warn!(%error, "could not store a chat request");
            Taken::Unavailable
        }
        Err(join_error) => {
            metrics.event_rejected(source, "internal");
            warn!(%join_error, "storing a chat request panicked");
            Taken::Unavailable
        }
    }
}
