//! The local API, authenticated by the data directory's token:
//! `POST /api/v1/commands` runs one command (what `bosun send` uses) and
//! `GET /api/v1/audit` lists the audit log (what `bosun audit` uses while a
//! server holds the store).

use super::AppState;
use crate::token::authorized;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use bosun_reconciler::ask::{LocalAsk, LocalServices, handle_local_with};
use bosun_reconciler::audit::AuditLog;
use bosun_reconciler::config::Frontend;
use bosun_reconciler::ids::RepoName;
use bosun_reconciler::messages;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use tracing::error;

/// The body of `POST /api/v1/commands`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandBody {
    /// The command, e.g. `/status prd`.
    pub text: String,
    /// A unique id for this ask; a retry with the same id is answered once.
    pub id: String,
    /// The local user asking.
    pub user: String,
    /// The repository, when the server manages more than one.
    #[serde(default)]
    pub repo: Option<RepoName>,
    /// Preview only.
    #[serde(default)]
    pub dry_run: bool,
}

/// The refusal to send when the request does not carry the token.
fn refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let header = headers.get("authorization").and_then(|v| v.to_str().ok());
    if state
        .api_token
        .as_ref()
        .is_some_and(|t| authorized(t, header))
    {
        return None;
    }
    state.metrics.event_rejected("local_api", "bad_token");
    let body = Json(json!({ "error": "missing or wrong token" }));
    Some((StatusCode::UNAUTHORIZED, body).into_response())
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// `POST /api/v1/commands`.
pub async fn command(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<CommandBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => return bad_request(rejection.body_text()),
    };
    if body.id.is_empty() || body.id.len() > 200 || body.user.is_empty() {
        return bad_request("`id` (1-200 characters) and `user` are required".to_owned());
    }
    let repo = match (body.repo, &state.info.repo) {
        (Some(repo), _) => repo,
        (None, Some(local)) => match local.parse() {
            Ok(repo) => repo,
            Err(e) => return bad_request(format!("{e}")),
        },
        (None, None) => {
            return bad_request("`repo` is required: this server manages several".to_owned());
        }
    };
    let ask = LocalAsk {
        id: format!("local:{}", body.id),
        user: body.user,
        frontend: Frontend::LocalChat,
        repo,
        text: body.text,
        dry_run: body.dry_run,
    };
    let engine = &state.engine;
    let services = LocalServices {
        terraform: engine.terraform().map(|t| t.as_ref()),
        cost: engine.cost().map(|c| c.as_ref()),
    };
    let answer = handle_local_with(
        engine.forge().as_ref(),
        engine.store().as_ref(),
        services,
        &ask,
    )
    .await;
    // Terraform work may have freed a lock: the next pull request in line is planned.
    if let Some(terraform) = engine.terraform()
        && let Err(error) = engine.enqueue(&terraform.take_wakes())
    {
        error!(%error, "could not enqueue the pull requests Terraform work woke");
    }
    match answer {
        Ok(answer) => Json(json!({
            "verdict": answer.verdict.as_str(),
            "reply": answer.reply,
        }))
        .into_response(),
        Err(e) => {
            error!(error = %e, request = ask.id, "local command failed");
            let reply = messages::internal_error(&ask.id);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "verdict": "failed", "reply": reply })),
            )
                .into_response()
        }
    }
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// How far back, e.g. `24h` (default) or `7d`.
    #[serde(default)]
    pub since: Option<String>,
}

/// `GET /api/v1/audit`.
pub async fn audit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let span = query.since.as_deref().unwrap_or("24h");
    let since = match crate::audit_cli::since(span) {
        Ok(since) => since,
        Err(e) => return bad_request(e),
    };
    match AuditLog::new(state.engine.store().as_ref()).since(since) {
        Ok(entries) => Json(entries).into_response(),
        Err(e) => {
            error!(error = %e, "reading the audit log failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": "the audit log is unavailable" })),
            )
                .into_response()
        }
    }
}
