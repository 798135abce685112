//! Handling one command request, whatever front-end it came from: parse
//! result in, permission decided, audited before it runs, run, outcome
//! audited, reply out. PR comments, chat and the CLI all come through here,
//! so the same words mean the same thing and the same person is allowed
//! the same things everywhere.

mod cost;
mod local;
mod run;

pub use local::{LocalAsk, LocalServices, handle_local, handle_local_with};

use crate::audit::{AuditDecision, AuditEntry, AuditLog, AuditOutcome, Place};
use crate::config::{Identity, RepoConfig, TeamCheck};
use crate::error::ReconcileError;
use crate::ids::RepoName;
use crate::ports::forge::Forge;
use crate::store::Store;
use bosun_commands::{
    ActorRoles, Allowed, Command, Decision, ParseError, render_parse_error, render_refusal,
};
use chrono::{DateTime, Utc};
use tracing::{info, warn};

/// A command someone asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// Stable across redeliveries of the same ask (comment id and text,
    /// interaction id, ...).
    pub id: String,
    /// Who asked.
    pub who: Identity,
    /// Whether they have write access to the repository.
    pub has_write: bool,
    /// Where they asked.
    pub place: Place,
    /// The repository it acts on.
    pub repo: RepoName,
    /// The text as written.
    pub text: String,
    /// What the text parsed to.
    pub parsed: Result<Command, ParseError>,
    /// Preview only: change nothing.
    pub dry_run: bool,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It ran.
    Succeeded,
    /// Not permitted.
    Refused,
    /// Not a valid command.
    Invalid,
    /// Understood, but its handler has not shipped.
    NotAvailable,
}

impl Verdict {
    /// The verdict's name in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Refused => "refused",
            Self::Invalid => "invalid",
            Self::NotAvailable => "not_available",
        }
    }

    /// The verdict named in the audit log.
    pub fn parse(text: &str) -> Self {
        match text {
            "refused" => Self::Refused,
            "invalid" => Self::Invalid,
            "not_available" => Self::NotAvailable,
            _ => Self::Succeeded,
        }
    }
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// How it ended.
    pub verdict: Verdict,
    /// What to tell the person (Markdown).
    pub reply: String,
}

/// The engine's optional services a request may use; `Default` has none.
/// Chat, pull request comments and local asks all hand them to
/// [`AskContext::new`].
#[derive(Default, Clone, Copy)]
pub struct AskServices<'a> {
    /// Terraform work (`/plan`, `/apply`, `/drift`), when this bosun runs Terraform.
    pub terraform: Option<&'a crate::terraform::TerraformService>,
    /// The environments' clusters, when configured (`None` in local mode).
    pub cluster: Option<&'a dyn crate::ports::cluster::Cluster>,
    /// Metrics, chart and notifier for `/cost`, when this bosun has them.
    pub cost: Option<&'a crate::cost::CostDeps>,
}

/// What handling a request works with.
pub struct AskContext<'a> {
    /// The code host.
    pub forge: &'a dyn Forge,
    /// The store (audit log, locks).
    pub store: &'a dyn Store,
    /// The repository's settings.
    pub config: &'a RepoConfig,
    /// Now.
    pub now: DateTime<Utc>,
    /// Terraform work (`/plan`, `/apply`, `/drift`), when this bosun runs Terraform.
    pub terraform: Option<&'a crate::terraform::TerraformService>,
    /// The environments' clusters, when configured (`None` in local mode).
    pub cluster: Option<&'a dyn crate::ports::cluster::Cluster>,
    /// Metrics, chart and notifier for `/cost`, when this bosun has them.
    pub cost: Option<&'a crate::cost::CostDeps>,
}

impl<'a> AskContext<'a> {
    /// The context of one request handled now, with `services`.
    pub fn new(
        forge: &'a dyn Forge,
        store: &'a dyn Store,
        config: &'a RepoConfig,
        services: AskServices<'a>,
    ) -> Self {
        AskContext {
            forge,
            store,
            config,
            now: Utc::now(),
            terraform: services.terraform,
            cluster: services.cluster,
            cost: services.cost,
        }
    }
}

struct ForgeTeams<'a>(&'a dyn Forge);

#[async_trait::async_trait]
impl TeamCheck for ForgeTeams<'_> {
    async fn is_member(&self, org: &str, team: &str, login: &str) -> bool {
        match self.0.is_team_member(org, team, login).await {
            Ok(member) => member,
            Err(error) => {
                warn!(%error, org, team, "team membership unknown; treated as not a member");
                false
            }
        }
    }
}

fn needed_words(needed: &Allowed) -> String {
    match needed {
        Allowed::AnyoneWithWrite => "write access".to_owned(),
        Allowed::Roles(roles) => {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            format!("role {}", names.join(" or "))
        }
    }
}

/// Handles one request. A request already handled (same id) is not run
/// again: its recorded reply is returned.
pub async fn handle(ctx: &AskContext<'_>, request: &Request) -> Result<Answer, ReconcileError> {
    let audit = AuditLog::new(ctx.store);
    if !request.dry_run
        && let Some(entry) = audit.get(&request.id)?
        && let Some(outcome) = entry.outcome
    {
        return Ok(Answer {
            verdict: Verdict::parse(&outcome.result),
            reply: outcome.reply,
        });
    }
    let (decision, command) = match &request.parsed {
        Err(error) => {
            let words = render_parse_error(error);
            let answer = Answer {
                verdict: Verdict::Invalid,
                reply: words.clone(),
            };
            let decision = AuditDecision::Invalid { error: words };
            return finish(ctx, request, decision, answer);
        }
        Ok(command) => {
            let roles = ctx
                .config
                .roles
                .roles_of(&request.who, &ForgeTeams(ctx.forge))
                .await;
            let actor = ActorRoles {
                has_write: request.has_write,
                roles,
            };
            // A dry run changes nothing: anyone with write access may preview.
            let decision = if request.dry_run && actor.has_write {
                Decision::Allowed
            } else {
                ctx.config.policy.decide(command, &actor)
            };
            (decision, command)
        }
    };
    if let Decision::Refused(refusal) = decision {
        let answer = Answer {
            verdict: Verdict::Refused,
            reply: render_refusal(command, &refusal),
        };
        let decision = AuditDecision::Refused {
            needed: needed_words(&refusal.needed),
        };
        return finish(ctx, request, decision, answer);
    }
    if !request.dry_run {
        audit.record(entry(ctx, request, AuditDecision::Allowed))?;
    }
    let answer = run::run(ctx, request, command).await?;
    finish(ctx, request, AuditDecision::Allowed, answer)
}

fn entry(ctx: &AskContext<'_>, request: &Request, decision: AuditDecision) -> AuditEntry {
    AuditEntry {
        id: request.id.clone(),
        at: ctx.now,
        who: request.who.clone(),
        place: request.place.clone(),
        text: request.text.clone(),
        decision,
        outcome: None,
    }
}

fn finish(
    ctx: &AskContext<'_>,
    request: &Request,
    decision: AuditDecision,
    answer: Answer,
) -> Result<Answer, ReconcileError> {
    info!(
        request = request.id,
        who = %request.who,
        text = request.text,
        verdict = answer.verdict.as_str(),
        dry_run = request.dry_run,
        "command"
    );
    if request.dry_run {
        return Ok(answer);
    }
    let audit = AuditLog::new(ctx.store);
    audit.record(entry(ctx, request, decision))?;
    audit.finish(
        &request.id,
        AuditOutcome {
            result: answer.verdict.as_str().to_owned(),
            reply: answer.reply.clone(),
            at: ctx.now,
        },
    )?;
    Ok(answer)
}
