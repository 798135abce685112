//! Commands asked in chat (Slack slash commands, Discord application
//! commands), after the front-end verified the request.
//!
//! A chat request goes through two steps:
//!
//! 1. [`screen`], at the edge, before the acknowledgement: the repository's
//!    settings are read, the text parsed and the permission decided, so the
//!    acknowledgement (which chat must get within 3 s) already says what was
//!    understood or why it is refused. Nothing is recorded: a refused or
//!    invalid request is answered and forgotten.
//! 2. [`reconcile`], in the engine, for accepted requests stored durably as
//!    [`EventKind::Chat`] events on the key `chat:<repo>`: the request runs
//!    through [`ask::handle`] (decided again, audited with the chat identity,
//!    run, outcome audited) and its answer becomes a [`Notice`] routed to the
//!    channel it came from. A rerun after a crash answers with the recorded
//!    reply and the notice id is delivered once.
//!
//! [`progress`] follows promotions after their pull request opens: merged,
//! applied by Flux, or failed, in the promotion's thread.

pub mod progress;
pub mod words;

use crate::ask::{self, Answer, AskContext, AskServices, Request, Verdict};
use crate::audit::Place;
use crate::config::{self, Identity, RepoConfig, TeamCheck};
use crate::error::ReconcileError;
use crate::event::EventKind;
use crate::ids::RepoName;
use crate::ports::forge::Forge;
use crate::ports::notify::{Link, Notice, Notifier, Route, Tone};
use crate::promotion::{Promotions, branch_name, rollback_branch};
use crate::store::{PendingEvent, Store};
use bosun_commands::{
    ActorRoles, Command, Decision, EnvCatalog, parse_command, render_parse_error, render_refusal,
};
use serde::{Deserialize, Serialize};
use tracing::info;

/// One command asked in a chat channel, verified by its front-end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Stable across retries and replays of the same ask
    /// (`slack:<trigger_id>`, `discord:<interaction id>`).
    pub id: String,
    /// Who asked, as the front-end knows them.
    pub who: Identity,
    /// The channel it was asked in.
    pub channel: String,
    /// The repository the channel is linked to.
    pub repo: RepoName,
    /// The command text, with its leading slash (`/promote stg prd`).
    pub text: String,
}

impl ChatRequest {
    /// The thread the answer goes to when the command opens no promotion.
    pub fn thread(&self) -> String {
        format!("chat:{}", self.id)
    }
}

/// What [`screen`] decided, for the acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screened {
    /// Understood and permitted: it will run. `command` is its canonical text.
    Accepted {
        /// The command as bosun understood it (`/promote stg prd`).
        command: String,
        /// A question to put to the asker before it runs, when the command
        /// changes a protected environment in a way chat should confirm
        /// (a promotion into `prd`): a front-end with buttons asks it first.
        confirm: Option<String>,
    },
    /// Understood, not permitted (or the settings cannot be used).
    Refused {
        /// Why, in words (Markdown).
        reply: String,
    },
    /// Not a valid command.
    Invalid {
        /// What is wrong, in words (Markdown).
        reply: String,
    },
}

/// Chat front-ends never ask forge teams: Slack groups and Discord roles
/// come with the identity.
struct NoTeams;

#[async_trait::async_trait]
impl TeamCheck for NoTeams {
    async fn is_member(&self, _org: &str, _team: &str, _login: &str) -> bool {
        false
    }
}

/// The roles a chat identity holds, and whether it counts as having write
/// access: in chat, being named in the repository's `roles:` is what stands
/// for write access (a chat account has no access to the repository itself).
async fn actor(config: &RepoConfig, who: &Identity) -> ActorRoles {
    let roles = config.roles.roles_of(who, &NoTeams).await;
    ActorRoles {
        has_write: !roles.is_empty(),
        roles,
    }
}

/// Decides, before the acknowledgement, whether a chat request will run:
/// the settings are read, the text parsed, the permission decided. Changes
/// nothing.
pub async fn screen(forge: &dyn Forge, request: &ChatRequest) -> Result<Screened, ReconcileError> {
    let config = config::load(forge, &request.repo).await?;
    Ok(screen_with(&config, request).await)
}

/// [`screen`] with the repository's settings already read (a front-end may
/// keep them for a few seconds: the engine decides again, on fresh
/// settings, before anything runs).
pub async fn screen_with(
    config: &Result<RepoConfig, config::ConfigError>,
    request: &ChatRequest,
) -> Screened {
    let config = match config {
        Ok(config) => config,
        Err(error) => {
            return Screened::Refused {
                reply: crate::messages::config_error(&error.to_string()),
            };
        }
    };
    let command = match parse_command(&request.text, &config.envs) {
        Ok(command) => command,
        Err(error) => {
            return Screened::Invalid {
                reply: render_parse_error(&error),
            };
        }
    };
    let actor = actor(config, &request.who).await;
    match config.policy.decide(&command, &actor) {
        Decision::Allowed => Screened::Accepted {
            confirm: confirmation(&command, &config.envs),
            command: command.to_string(),
        },
        Decision::Refused(refusal) => Screened::Refused {
            reply: render_refusal(&command, &refusal),
        },
    }
}

/// The question to ask before `command` runs from chat: a promotion into a
/// protected environment opens the pull request that will change it, so the
/// asker confirms with a click (and whoever clicks is checked again).
fn confirmation(command: &Command, envs: &EnvCatalog) -> Option<String> {
    match command {
        Command::Promote { from, to, .. } if envs.is_protected(to) => {
            Some(words::confirm_promotion(from.as_str(), to.as_str()))
        }
        _ => None,
    }
}

/// What a chat reconcile works with.
pub struct ChatContext<'a> {
    /// The code host.
    pub forge: &'a dyn Forge,
    /// The durable store.
    pub store: &'a dyn Store,
    /// Where answers go.
    pub notifier: &'a dyn Notifier,
    /// Terraform, the environments' clusters (`/status`, promotion source
    /// checks) and `/cost`, as far as this bosun has them.
    pub services: AskServices<'a>,
}

/// Runs every pending chat request of `repo` and sends each answer to its
/// channel.
pub async fn reconcile(
    ctx: &ChatContext<'_>,
    repo: &RepoName,
    events: &[PendingEvent],
) -> Result<(), ReconcileError> {
    let requests: Vec<&ChatRequest> = events
        .iter()
        .filter_map(|pending| match &pending.event.kind {
            EventKind::Chat(request) if request.repo == *repo => Some(request),
            _ => None,
        })
        .collect();
    if requests.is_empty() {
        return Ok(());
    }
    let config = config::load(ctx.forge, repo).await?;
    for request in requests {
        let parsed = config
            .as_ref()
            .ok()
            .map(|config| parse_command(&request.text, &config.envs));
        let answer = match &config {
            Err(error) => Answer {
                verdict: Verdict::Refused,
                reply: crate::messages::config_error(&error.to_string()),
            },
            Ok(config) => run(ctx, config, request).await?,
        };
        let command = parsed.and_then(Result::ok);
        let notice = answer_notice(ctx.store, request, command.as_ref(), &answer)?;
        info!(
            request = request.id,
            verdict = answer.verdict.as_str(),
            "chat request answered"
        );
        ctx.notifier.notify(notice).await?;
    }
    Ok(())
}

async fn run(
    ctx: &ChatContext<'_>,
    config: &RepoConfig,
    request: &ChatRequest,
) -> Result<Answer, ReconcileError> {
    let actor = actor(config, &request.who).await;
    let ask = Request {
        id: request.id.clone(),
        who: request.who.clone(),
        has_write: actor.has_write,
        place: Place::Channel {
            id: request.channel.clone(),
        },
        repo: request.repo.clone(),
        text: request.text.clone(),
        parsed: parse_command(&request.text, &config.envs),
        dry_run: false,
    };
    let ask_ctx = AskContext::new(ctx.forge, ctx.store, config, ctx.services);
    ask::handle(&ask_ctx, &ask).await
}

/// The notice that carries a request's answer. A promotion or rollback that
/// opened (or updated) a pull request answers in that promotion's thread, so
/// its later steps (merged, applied) edit the same message.
fn answer_notice(
    store: &dyn Store,
    request: &ChatRequest,
    command: Option<&Command>,
    answer: &Answer,
) -> Result<Notice, ReconcileError> {
    let env = command.and_then(target_env);
    let promotion = match (answer.verdict, command) {
        (Verdict::Succeeded, Some(command)) => open_promotion(store, &request.repo, command)?,
        _ => None,
    };
    let (thread, links) = match &promotion {
        Some(record) => (
            progress::thread(&record.repo, record.number),
            vec![Link {
                label: format!("Pull request #{}", record.number.0),
                url: record.url.clone(),
            }],
        ),
        None => (request.thread(), Vec::new()),
    };
    Ok(Notice {
        id: request.thread(),
        thread,
        route: Route::Origin {
            place: Place::Channel {
                id: request.channel.clone(),
            },
            env,
        },
        repo: Some(request.repo.clone()),
        headline: words::answer_headline(&request.text, answer.verdict),
        body: answer.reply.clone(),
        tone: match answer.verdict {
            Verdict::Succeeded if promotion.is_some() => Tone::Progress,
            Verdict::Succeeded => Tone::Success,
            Verdict::NotAvailable => Tone::Info,
            Verdict::Refused | Verdict::Invalid => Tone::Failure,
        },
        links,
        reply: None,
        attachment: None,
    })
}

/// The environment a command is about, for routing.
fn target_env(command: &Command) -> Option<String> {
    match command {
        Command::Promote { to, .. } => Some(to.as_str().to_owned()),
        Command::Rollback { env, .. } => Some(env.as_str().to_owned()),
        _ => None,
    }
}

/// The unmerged promotion or rollback a command opened or updated: the one
/// on the command's branch (bosun keeps one pull request per branch).
fn open_promotion(
    store: &dyn Store,
    repo: &RepoName,
    command: &Command,
) -> Result<Option<crate::promotion::PromotionRecord>, ReconcileError> {
    let branch = match command {
        Command::Promote { from, to, .. } => branch_name(from, to),
        Command::Rollback { env, .. } => rollback_branch(env),
        _ => return Ok(None),
    };
    Ok(Promotions::new(store)
        .all()?
        .into_iter()
        .filter(|r| r.repo == *repo && r.branch == branch && r.merged_sha.is_none())
        .max_by_key(|r| r.number.0))
}
