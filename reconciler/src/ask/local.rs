//! Requests from a terminal: the CLI in a checkout, and `bosun send` to a
//! local server. The person is the operating system's user; having the
//! checkout (or the server's token) stands for write access.

use super::{Answer, AskContext, Request};
use crate::audit::Place;
use crate::config::{self, Frontend, Identity};
use crate::cost::CostDeps;
use crate::error::ReconcileError;
use crate::ids::RepoName;
use crate::messages;
use crate::ports::forge::Forge;
use crate::store::Store;
use bosun_commands::parse_command;

/// One command typed by a local user.
#[derive(Debug, Clone)]
pub struct LocalAsk {
    /// Unique per ask (so a retried send is answered once).
    pub id: String,
    /// The operating system user.
    pub user: String,
    /// CLI or local chat.
    pub frontend: Frontend,
    /// The repository it acts on.
    pub repo: RepoName,
    /// The command text, with or without the leading slash.
    pub text: String,
    /// Preview only.
    pub dry_run: bool,
}

/// Reads the repository's settings and handles a local ask.
pub async fn handle_local(
    forge: &dyn Forge,
    store: &dyn Store,
    ask: &LocalAsk,
) -> Result<Answer, ReconcileError> {
    handle_local_with(forge, store, None, ask).await
}

/// [`handle_local`] with what `/cost` needs.
pub async fn handle_local_with(
    forge: &dyn Forge,
    store: &dyn Store,
    cost: Option<&CostDeps>,
    ask: &LocalAsk,
) -> Result<Answer, ReconcileError> {
    let config = match config::load(forge, &ask.repo).await? {
        Ok(config) => config,
        Err(error) => {
            return Ok(Answer {
                verdict: super::Verdict::Invalid,
                reply: messages::config_error(&error.to_string()),
            });
        }
    };
    let text = ask.text.trim();
    let text = if text.starts_with('/') {
        text.to_owned()
    } else {
        format!("/{text}")
    };
    let request = Request {
        id: ask.id.clone(),
        who: Identity {
            frontend: ask.frontend,
            id: ask.user.clone(),
            groups: Vec::new(),
        },
        has_write: true,
        place: Place::Terminal {
            repo: ask.repo.clone(),
        },
        repo: ask.repo.clone(),
        parsed: parse_command(&text, &config.envs),
        text,
        dry_run: ask.dry_run,
    };
    let ctx = AskContext {
        forge,
        store,
        config: &config,
        now: chrono::Utc::now(),
        cost,
    };
    super::handle(&ctx, &request).await
}
