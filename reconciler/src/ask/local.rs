//! Requests from a terminal: the CLI in a checkout, and `bosun send` to a
//! local server. The person is the operating system's user; having the
//! checkout (or the server's token) stands for write access.

use super::{Answer, AskContext, AskServices, Request};
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
    handle_local_with(forge, store, LocalServices::default(), ask).await
}

/// The optional services a local request may use; `Default` has none.
#[derive(Default, Clone, Copy)]
pub struct LocalServices<'a> {
    /// Terraform work (`/plan`, `/apply`, `/drift`).
    pub terraform: Option<&'a crate::terraform::TerraformService>,
    /// Metrics, chart and notifier for `/cost`.
    pub cost: Option<&'a CostDeps>,
}

impl<'a> From<LocalServices<'a>> for AskServices<'a> {
    /// A local request's services: no clusters.
    fn from(services: LocalServices<'a>) -> Self {
        AskServices {
            terraform: services.terraform,
            cluster: None,
            cost: services.cost,
        }
    }
}

/// [`handle_local`] with the services this bosun has.
pub async fn handle_local_with(
    forge: &dyn Forge,
    store: &dyn Store,
    services: LocalServices<'_>,
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
    let ctx = AskContext::new(forge, store, &config, services.into());
    super::handle(&ctx, &request).await
}
