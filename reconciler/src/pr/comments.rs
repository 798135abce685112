//! Commands in pull request comments: each new command line in a comment by
//! someone with write access runs once, and gets one reply comment. An
//! edited comment runs only the commands the edit added.

use super::PrContext;
use crate::ask::{self, AskContext, Request};
use crate::audit::Place;
use crate::config::{ConfigError, Frontend, Identity, RepoConfig};
use crate::error::ReconcileError;
use crate::event::{CommentAction, CommentEvent, EventKind};
use crate::ids::{PrNumber, RepoName};
use crate::messages;
use crate::ports::forge::{Access, Marker};
use crate::store::PendingEvent;
use bosun_commands::{Invocation, parse_comment};
use tracing::warn;

/// At most this many commands of one comment run; the rest are ignored
/// (with a warning in the log), so one comment cannot flood the pull request.
pub const MAX_COMMANDS_PER_COMMENT: usize = 10;

/// The comments among `events` that may carry commands.
pub fn command_comments(events: &[PendingEvent]) -> Vec<&CommentEvent> {
    events
        .iter()
        .filter_map(|e| match &e.event.kind {
            EventKind::Comment(c) if c.on_pull_request && c.action != CommentAction::Deleted => {
                Some(c)
            }
            _ => None,
        })
        .collect()
}

/// The invocations a comment event asks for: all of them for a new
/// comment; for an edit, only those the edit added.
pub fn new_invocations(comment: &CommentEvent, config: &RepoConfig) -> Vec<Invocation> {
    let current = parse_comment(&comment.body, &config.envs);
    let CommentAction::Edited {
        previous_body: Some(previous),
    } = &comment.action
    else {
        return current;
    };
    let before = parse_comment(previous, &config.envs);
    current
        .into_iter()
        .filter(|inv| !before.iter().any(|b| b.result == inv.result))
        .collect()
}

/// Runs the commands of one comment and posts one reply per command.
pub async fn handle_comment(
    ctx: &PrContext<'_>,
    repo: &RepoName,
    number: PrNumber,
    comment: &CommentEvent,
    config: &Result<RepoConfig, ConfigError>,
) -> Result<(), ReconcileError> {
    if comment.author.login == ctx.bot_login {
        return Ok(());
    }
    let parsing_config = config.as_ref().cloned().unwrap_or_default();
    let mut invocations = new_invocations(comment, &parsing_config);
    if invocations.is_empty() {
        return Ok(());
    }
    if invocations.len() > MAX_COMMANDS_PER_COMMENT {
        warn!(
            comment = comment.comment_id,
            commands = invocations.len(),
            "too many commands in one comment; running the first {MAX_COMMANDS_PER_COMMENT}"
        );
        invocations.truncate(MAX_COMMANDS_PER_COMMENT);
    }
    let access = ctx.forge.access(repo, &comment.author.login).await?;
    let has_write = access >= Access::Write;
    for invocation in &invocations {
        // Keyed by the command's text, so an edit that adds a command gets a
        // new reply and leaves the replies to the old ones alone.
        let marker = Marker::new(
            "cmd",
            &format!("{}:{}", comment.comment_id, invocation.text),
        );
        let reply = match config {
            Err(error) => messages::config_error(&error.to_string()),
            Ok(config) => {
                let request = Request {
                    id: format!(
                        "{repo}#{number}/comment/{}/{}",
                        comment.comment_id, invocation.text
                    ),
                    who: Identity {
                        frontend: Frontend::Forge,
                        id: comment.author.login.clone(),
                        groups: Vec::new(),
                    },
                    has_write,
                    place: Place::PullRequest {
                        repo: repo.clone(),
                        number,
                    },
                    repo: repo.clone(),
                    text: invocation.text.clone(),
                    parsed: invocation.result.clone(),
                    dry_run: false,
                };
                let ask_ctx = AskContext::new(ctx.forge, ctx.store, config, ctx.services);
                ask::handle(&ask_ctx, &request).await?.reply
            }
        };
        let body = messages::pr_reply(&comment.author.login, &invocation.text, &reply);
        ctx.forge
            .upsert_comment(repo, number, &marker, &body)
            .await?;
    }
    Ok(())
}
