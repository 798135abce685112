//! `POST /slack/interactions`: a click on a button bosun posted. Buttons
//! that run a command carry the command line as their `value`
//! (`/unlock prd`); a click is a new request by whoever clicked, verified,
//! screened and permission-checked like a typed command. A refusal is told
//! to the clicker alone through the interaction's `response_url`. Link
//! buttons (open the pull request) need nothing from bosun and are
//! acknowledged only. Confirm (`bosun-confirm`) runs the command it carries
//! without asking again and replaces the question with the acknowledgement;
//! Cancel (`bosun-cancel`) replaces it with "Cancelled" and stores nothing.

use super::{blocks, read_form, verified_body};
use crate::chat::ChatState;
use crate::chat::request::{Confirmation, Taken, bad_request, in_channel, take};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bosun_reconciler::chat::words;
use bosun_reconciler::ids::DeliveryId;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use tracing::warn;

const SOURCE: &str = "slack";

#[derive(Deserialize)]
struct Form {
    payload: String,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    trigger_id: String,
    user: Who,
    channel: Option<Who>,
    response_url: Option<String>,
    #[serde(default)]
    actions: Vec<Action>,
}

#[derive(Deserialize)]
struct Who {
    id: String,
}

#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    action_id: String,
    #[serde(default)]
    value: Option<String>,
}

/// Tells the clicker alone, through the interaction's `response_url`, in a
/// new ephemeral message.
fn tell_clicker(response_url: Option<String>, text: String) {
    let body = json!({ "response_type": "ephemeral", "replace_original": false, "text": text });
    answer_clicker(response_url, body);
}

/// Replaces the message the clicker clicked in (the confirmation question).
fn replace_for_clicker(response_url: Option<String>, text: String) {
    let body = json!({ "response_type": "ephemeral", "replace_original": true, "text": text });
    answer_clicker(response_url, body);
}

/// Sends `body` to the interaction's `response_url`, in the background.
fn answer_clicker(response_url: Option<String>, body: serde_json::Value) {
    let Some(url) = response_url else { return };
    tokio::spawn(async move {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = match reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
        {
            Ok(client) => client,
            Err(error) => return warn!(%error, "no HTTP client to answer a Slack interaction"),
        };
        if let Err(error) = client.post(&url).json(&body).send().await {
            warn!(%error, "could not answer a Slack interaction");
        }
    });
}

/// Handles one interaction.
pub async fn receive(
    State(state): State<Arc<ChatState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let metrics = &state.metrics;
    let body = match verified_body(&state, &headers, body, "interaction") {
        Ok(body) => body,
        Err(status) => return status.into_response(),
    };
    let payload: Payload = match read_form::<Form>(&body)
        .await
        .and_then(|form| serde_json::from_str(&form.payload).map_err(|e| e.to_string()))
    {
        Ok(payload) => payload,
        Err(error) => {
            metrics.event_rejected(SOURCE, "malformed");
            return bad_request(&error);
        }
    };
    let clicked = payload.actions.iter().find_map(|a| {
        let value = a.value.as_deref().filter(|v| v.starts_with('/'))?;
        Some((a.action_id.as_str(), value.to_owned()))
    });
    let (Some((action, text)), "block_actions") = (clicked, payload.kind.as_str()) else {
        // A link button, or an interaction bosun does not offer.
        return StatusCode::OK.into_response();
    };
    if action == blocks::CANCEL_ACTION {
        replace_for_clicker(payload.response_url, words::cancelled(&text));
        return StatusCode::OK.into_response();
    }
    let confirmation = if action == blocks::CONFIRM_ACTION {
        Confirmation::Given
    } else {
        Confirmation::Ask
    };
    let Some(channel) = payload.channel.map(|c| c.id) else {
        return bad_request("a button click without a channel");
    };
    let Ok(delivery) = DeliveryId::new(SOURCE, &payload.trigger_id) else {
        return bad_request("trigger_id is not a usable id");
    };
    let who = super::identity(&state, &payload.user.id);
    let Some(request) = in_channel(&state, &delivery, who, &channel, text) else {
        tell_clicker(payload.response_url, words::unlinked_channel(&channel));
        return StatusCode::OK.into_response();
    };
    match take(&state, SOURCE, delivery, request, confirmation).await {
        Taken::Accepted { command } if confirmation == Confirmation::Given => replace_for_clicker(
            payload.response_url,
            words::accepted(&command, &payload.user.id),
        ),
        Taken::Accepted { .. } | Taken::Duplicate { .. } => {}
        Taken::NeedsConfirmation { command, question } => {
            let mut body = blocks::ephemeral_confirmation(&question, &command);
            body["replace_original"] = json!(false);
            answer_clicker(payload.response_url, body);
        }
        Taken::Refused { reply } | Taken::Invalid { reply } => {
            tell_clicker(payload.response_url, reply)
        }
        Taken::Unavailable => tell_clicker(
            payload.response_url,
            "bosun cannot take requests right now; try again in a minute.".to_owned(),
        ),
    }
    StatusCode::OK.into_response()
}
