//! `POST /discord/interactions`: verify `X-Signature-Ed25519` over
//! `X-Signature-Timestamp` + raw body with the application's public key
//! (401 on failure: Discord probes with bad signatures and drops endpoints
//! that accept them), answer `PING` with `PONG`, and for an application
//! command (or a button whose `custom_id` is a command line): screen it,
//! store it if accepted and answer *deferred* (type 5) at once; a refusal is
//! an ephemeral message (type 4). The interaction's token is kept so the
//! result can edit the deferred answer within Discord's 15 minutes.
//!
//! A promotion into a protected environment is not stored at once: the
//! asker alone gets the question (ephemeral) with a Confirm button
//! (`custom_id` `confirm:<command>`) and a Cancel button (`cancel:<command>`).
//! Confirm is a new request by whoever clicks, checked again, answered
//! deferred in the channel like a command; Cancel replaces the question
//! (type 7) and stores nothing.

use super::register::CATCH_ALL;
use super::{INTERACTIONS, InteractionToken};
use crate::chat::ChatState;
use crate::chat::request::{Confirmation, Taken, bad_request, in_channel, readable_body, take};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use bosun_reconciler::chat::words;
use bosun_reconciler::config::{Frontend, Identity};
use bosun_reconciler::ids::DeliveryId;
use serde::Deserialize;
use serde_json::json;
use serenity::all::ButtonStyle;
use serenity::builder::{
    CreateActionRow, CreateButton, CreateInteractionResponse, CreateInteractionResponseMessage,
};
use std::sync::Arc;
use tracing::warn;

const SOURCE: &str = "discord";

#[derive(Deserialize)]
struct Interaction {
    id: String,
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default)]
    token: String,
    channel_id: Option<String>,
    member: Option<Member>,
    user: Option<User>,
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Member {
    user: User,
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct User {
    id: String,
}

#[derive(Deserialize)]
struct Data {
    name: Option<String>,
    custom_id: Option<String>,
    #[serde(default)]
    options: Vec<CommandOption>,
}

#[derive(Deserialize)]
struct CommandOption {
    value: Option<serde_json::Value>,
}

fn respond(response: CreateInteractionResponse) -> Response {
    (StatusCode::OK, Json(response)).into_response()
}

fn ephemeral(text: &str) -> Response {
    respond(CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text.chars().take(2_000).collect::<String>())
            .ephemeral(true),
    ))
}

/// The `custom_id` prefix of the button that confirms a command.
const CONFIRM_PREFIX: &str = "confirm:";
/// The `custom_id` prefix of the button that cancels it.
const CANCEL_PREFIX: &str = "cancel:";

/// What a button's `custom_id` asks.
enum Clicked<'a> {
    /// Run this command line.
    Command(&'a str),
    /// Run it, confirmed.
    Confirm(&'a str),
    /// Do not run it.
    Cancel(&'a str),
}

fn clicked(custom_id: &str) -> Option<Clicked<'_>> {
    let command = |rest: &'static str| {
        custom_id
            .strip_prefix(rest)
            .filter(|line| line.starts_with('/'))
    };
    if let Some(line) = command(CONFIRM_PREFIX) {
        Some(Clicked::Confirm(line))
    } else if let Some(line) = command(CANCEL_PREFIX) {
        Some(Clicked::Cancel(line))
    } else {
        custom_id
            .starts_with('/')
            .then_some(Clicked::Command(custom_id))
    }
}

/// The question put to the asker alone, with Confirm and Cancel buttons.
fn ask_to_confirm(question: &str, command: &str) -> Response {
    let buttons = vec![
        CreateButton::new(format!("{CONFIRM_PREFIX}{command}"))
            .label("Confirm")
            .style(ButtonStyle::Success),
        CreateButton::new(format!("{CANCEL_PREFIX}{command}"))
            .label("Cancel")
            .style(ButtonStyle::Secondary),
    ];
    respond(CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(question.chars().take(2_000).collect::<String>())
            .ephemeral(true)
            .components(vec![CreateActionRow::Buttons(buttons)]),
    ))
}

/// An application command's line: `/promote` with `stg prd` is
/// `/promote stg prd`; `/bosun` with `promote stg prd` is `/promote stg prd`.
/// A button's is in its `custom_id`.
fn command_line(data: &Data) -> Option<String> {
    if let Some(custom) = data.custom_id.as_deref() {
        return match clicked(custom)? {
            Clicked::Command(line) | Clicked::Confirm(line) | Clicked::Cancel(line) => {
                Some(line.to_owned())
            }
        };
    }
    let name = data.name.as_deref()?;
    let args: Vec<String> = data
        .options
        .iter()
        .filter_map(|o| o.value.as_ref())
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        })
        .collect();
    let args = args.join(" ");
    let name = if name == CATCH_ALL {
        "/bosun".to_owned()
    } else {
        format!("/{name}")
    };
    Some(crate::chat::slack::command_text(&name, &args))
}

/// Handles one interaction.
pub async fn receive(
    State(state): State<Arc<ChatState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let metrics = &state.metrics;
    let body = match readable_body(&state, SOURCE, body) {
        Ok(body) => body,
        Err(status) => return status.into_response(),
    };
    let Some(ingress) = state.discord.as_ref() else {
        metrics.event_rejected(SOURCE, "no_secret");
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verified = match (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) {
        (Some(signature), Some(timestamp)) => {
            ingress.verifier.verify(signature, timestamp, &body).is_ok()
        }
        _ => false,
    };
    if !verified {
        metrics.event_rejected(SOURCE, "signature_mismatch");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(error) => {
            metrics.event_rejected(SOURCE, "malformed");
            return bad_request(&error.to_string());
        }
    };
    // 1 PING, 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT.
    match interaction.kind {
        // PONG is exactly `{"type":1}`.
        1 => return (StatusCode::OK, Json(json!({ "type": 1 }))).into_response(),
        2 | 3 => {}
        _ => return ephemeral("bosun does not handle this kind of interaction."),
    }
    let Some(text) = interaction.data.as_ref().and_then(command_line) else {
        return ephemeral("bosun did not find a command in this interaction.");
    };
    let button = interaction
        .data
        .as_ref()
        .and_then(|d| d.custom_id.as_deref())
        .and_then(clicked);
    let confirmation = match button {
        Some(Clicked::Cancel(_)) => {
            return respond(CreateInteractionResponse::UpdateMessage(
                CreateInteractionResponseMessage::new()
                    .content(words::cancelled(&text))
                    .components(Vec::new()),
            ));
        }
        Some(Clicked::Confirm(_)) => Confirmation::Given,
        Some(Clicked::Command(_)) | None => Confirmation::Ask,
    };
    let (user, groups) = match (&interaction.member, &interaction.user) {
        (Some(member), _) => (member.user.id.clone(), member.roles.clone()),
        (None, Some(user)) => (user.id.clone(), Vec::new()),
        (None, None) => return ephemeral("bosun could not tell who asked."),
    };
    let Some(channel) = interaction.channel_id.clone() else {
        return ephemeral("bosun could not tell which channel this is.");
    };
    let Ok(delivery) = DeliveryId::new(SOURCE, &interaction.id) else {
        metrics.event_rejected(SOURCE, "malformed");
        return bad_request("unusable interaction id");
    };
    let who = Identity {
        frontend: Frontend::Discord,
        id: user,
        groups,
    };
    let Some(request) = in_channel(&state, &delivery, who, &channel, text) else {
        return ephemeral(&words::unlinked_channel(&channel));
    };
    // The token first: the engine may answer before this handler returns.
    let token = InteractionToken {
        app_id: ingress.app_id.clone(),
        token: interaction.token.clone(),
        channel: Some(request.channel.clone()),
    };
    let stored = serde_json::to_vec(&token).ok().map(|raw| {
        state
            .engine
            .store()
            .put_record(INTERACTIONS, &request.thread(), &raw)
    });
    if !matches!(stored, Some(Ok(()))) {
        warn!("could not keep a Discord interaction token");
        return ephemeral("bosun cannot take requests right now; try again in a minute.");
    }
    match take(&state, SOURCE, delivery, request, confirmation).await {
        Taken::Accepted { .. } | Taken::Duplicate { .. } => respond(
            CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new()),
        ),
        Taken::NeedsConfirmation { command, question } => ask_to_confirm(&question, &command),
        Taken::Refused { reply } | Taken::Invalid { reply } => ephemeral(&reply),
        Taken::Unavailable => {
            ephemeral("bosun cannot take requests right now; try again in a minute.")
        }
    }
}
