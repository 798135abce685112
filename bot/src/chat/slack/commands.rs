//! `POST /slack/commands`: a slash command. Verify the signature over the
//! raw body (401 and nothing else on failure), read the form, screen the
//! command, store it if accepted, and acknowledge at once with what was
//! understood (`in_channel`) or why it is refused (`ephemeral`). The result
//! follows in the channel as a message of its own thread. A promotion into
//! a protected environment is not stored yet: the asker alone is asked to
//! confirm it, with Confirm and Cancel buttons.

use super::{blocks, command_text, read_form, verified_body};
use crate::chat::ChatState;
use crate::chat::request::{Confirmation, Taken, bad_request, in_channel, take};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use bosun_reconciler::chat::words;
use bosun_reconciler::ids::DeliveryId;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

const SOURCE: &str = "slack";

/// The fields of a slash command bosun reads.
#[derive(Debug, Deserialize)]
struct SlashCommand {
    channel_id: String,
    user_id: String,
    command: String,
    #[serde(default)]
    text: String,
    trigger_id: String,
}

fn ack(response_type: &str, text: &str) -> Response {
    (
        StatusCode::OK,
        Json(json!({ "response_type": response_type, "text": text })),
    )
        .into_response()
}

/// The acknowledgement Slack shows for what happened to a request.
pub(crate) fn answer(taken: &Taken, user: &str) -> Response {
    match taken {
        Taken::Accepted { command } => {
            let text = words::accepted(command, user);
            match blocks::follow_up(command) {
                Some((label, next)) => {
                    let mut body =
                        serde_json::to_value(blocks::with_command_button(&text, &label, &next))
                            .unwrap_or_else(|_| json!({ "text": text }));
                    body["response_type"] = json!("in_channel");
                    (StatusCode::OK, Json(body)).into_response()
                }
                None => ack("in_channel", &text),
            }
        }
        Taken::NeedsConfirmation { command, question } => (
            StatusCode::OK,
            Json(blocks::ephemeral_confirmation(question, command)),
        )
            .into_response(),
        Taken::Duplicate { command } => ack("ephemeral", &words::already_received(command)),
        Taken::Refused { reply } | Taken::Invalid { reply } => ack("ephemeral", reply),
        Taken::Unavailable => ack(
            "ephemeral",
            "bosun cannot take requests right now (its store or the repository is unavailable); try again in a minute.",
        ),
    }
}

/// Handles one slash command.
pub async fn receive(
    State(state): State<Arc<ChatState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let metrics = &state.metrics;
    let body = match verified_body(&state, &headers, body, "request") {
        Ok(body) => body,
        Err(status) => return status.into_response(),
    };
    let command: SlashCommand = match read_form(&body).await {
        Ok(command) => command,
        Err(error) => {
            metrics.event_rejected(SOURCE, "malformed");
            return bad_request(&error);
        }
    };
    let Ok(delivery) = DeliveryId::new(SOURCE, &command.trigger_id) else {
        metrics.event_rejected(SOURCE, "malformed");
        return bad_request("trigger_id is not a usable id");
    };
    let who = super::identity(&state, &command.user_id);
    let text = command_text(&command.command, &command.text);
    let Some(request) = in_channel(&state, &delivery, who, &command.channel_id, text) else {
        metrics.event_rejected(SOURCE, "unlinked_channel");
        return ack("ephemeral", &words::unlinked_channel(&command.channel_id));
    };
    let taken = take(&state, SOURCE, delivery, request, Confirmation::Ask).await;
    answer(&taken, &command.user_id)
}
