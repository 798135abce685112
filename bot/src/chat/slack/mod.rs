//! Slack: slash commands (`POST /slack/commands`) and interactions
//! (`POST /slack/interactions`) in, Block Kit messages out.

pub mod api;
pub mod blocks;
pub mod commands;
pub mod groups;
pub mod interactions;
pub mod sink;
pub mod verify;

use crate::chat::ChatState;
use crate::chat::request::readable_body;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use secrecy::SecretString;
use tracing::warn;

/// The metrics source of every Slack route.
const SOURCE: &str = "slack";

/// What the Slack routes need.
#[derive(Debug, Clone)]
pub struct SlackIngress {
    /// Signing secrets (several during a rotation).
    pub signing_secrets: Vec<SecretString>,
    /// Who is in which user group (kept fresh when a bot token is set).
    pub groups: std::sync::Arc<groups::SlackGroups>,
}

/// The chat identity of Slack user `user`, with their user groups.
pub(crate) fn identity(state: &ChatState, user: &str) -> bosun_reconciler::config::Identity {
    bosun_reconciler::config::Identity {
        frontend: bosun_reconciler::config::Frontend::Slack,
        id: user.to_owned(),
        groups: state
            .slack
            .as_ref()
            .map(|slack| slack.groups.groups_of(user))
            .unwrap_or_default(),
    }
}

/// A slash command's full text: `/promote` with `stg prd` is
/// `/promote stg prd`; `/bosun` with `promote stg prd` is `/promote stg prd`
/// (and `/bosun` alone asks for help).
pub fn command_text(command: &str, text: &str) -> String {
    let text = text.trim();
    let command = command.trim();
    if command == "/bosun" {
        if text.is_empty() {
            return "/help".to_owned();
        }
        let text = text.trim_start_matches('/');
        return format!("/{text}");
    }
    if text.is_empty() {
        command.to_owned()
    } else {
        format!("{command} {text}")
    }
}

/// Reads an `application/x-www-form-urlencoded` body already verified as
/// raw bytes, with axum's own form reader.
pub(crate) async fn read_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    use axum::extract::FromRequest;
    let request = axum::http::Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body.to_vec()))
        .map_err(|e| e.to_string())?;
    axum::Form::<T>::from_request(request, &())
        .await
        .map(|form| form.0)
        .map_err(|rejection| rejection.body_text())
}

/// Verifies a request's Slack signature at the current time.
pub(crate) fn check(
    ingress: Option<&SlackIngress>,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<(), verify::SlackSignatureError> {
    let Some(ingress) = ingress else {
        return Err(verify::SlackSignatureError::NoSecret);
    };
    verify::verify(
        &ingress.signing_secrets,
        headers.get("x-slack-signature").map(|v| v.as_bytes()),
        headers
            .get("x-slack-request-timestamp")
            .map(|v| v.as_bytes()),
        body,
        chrono::Utc::now().timestamp(),
    )
}

/// A Slack route's raw body once it is readable and signed; otherwise the
/// status to answer (413 or 401), counted (and a refusal logged as `refused a Slack
/// {what}`).
pub(crate) fn verified_body(
    state: &ChatState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    what: &str,
) -> Result<Bytes, StatusCode> {
    let body = readable_body(state, SOURCE, body)?;
    if let Err(error) = check(state.slack.as_ref(), headers, &body) {
        warn!(%error, "refused a Slack {what}");
        state.metrics.event_rejected(SOURCE, error.metric_label());
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_commands_become_command_lines() {
        assert_eq!(command_text("/promote", " stg prd "), "/promote stg prd");
        assert_eq!(command_text("/status", ""), "/status");
        assert_eq!(command_text("/bosun", "plan dev"), "/plan dev");
        assert_eq!(command_text("/bosun", "/plan dev"), "/plan dev");
        assert_eq!(command_text("/bosun", ""), "/help");
    }
}
