//! Running an allowed command. Commands whose services come with later work
//! answer that they are not available yet, and change nothing.

use super::{Answer, AskContext, Request, Verdict};
use crate::error::ReconcileError;
use crate::locks::{EnvLock, Locks};
use crate::messages::{self, EnvStatus, StatusView};
use bosun_commands::{Command, Env, help_text};

fn ok(reply: String) -> Answer {
    Answer {
        verdict: Verdict::Succeeded,
        reply,
    }
}

/// Runs `command` for `request`.
pub async fn run(
    ctx: &AskContext<'_>,
    request: &Request,
    command: &Command,
) -> Result<Answer, ReconcileError> {
    let locks = Locks::new(ctx.store, &request.repo);
    match command {
        Command::Help { topic } => Ok(ok(help_text(*topic, &ctx.config.envs))),
        Command::Status { env } => {
            let envs: Vec<Env> = match env {
                Some(env) => vec![env.clone()],
                None => ctx.config.envs.envs().cloned().collect(),
            };
            let mut rows = Vec::new();
            for env in envs {
                rows.push(EnvStatus {
                    aliases: ctx.config.envs.aliases(&env).map(str::to_owned).collect(),
                    protected: ctx.config.envs.is_protected(&env),
                    lock: locks.get(&env)?,
                    name: env.as_str().to_owned(),
                });
            }
            let open = ctx.forge.open_pull_requests(&request.repo).await?;
            Ok(ok(messages::status(&StatusView {
                repo: request.repo.to_string(),
                envs: rows,
                open_pull_requests: open.len(),
            })))
        }
        Command::Lock { env, reason } => {
            let wanted = EnvLock {
                env: env.as_str().to_owned(),
                by: request.who.to_string(),
                reason: reason.clone(),
                since: ctx.now,
            };
            let holding = if request.dry_run {
                locks
                    .get(env)?
                    .filter(|l| l.by != wanted.by)
                    .unwrap_or(wanted.clone())
            } else {
                locks.lock(wanted.clone())?
            };
            let by_other = holding.by != wanted.by;
            Ok(ok(messages::locked(&holding, by_other)))
        }
        Command::Unlock { env } => {
            let was = if request.dry_run {
                locks.get(env)?
            } else {
                locks.unlock(env)?
            };
            Ok(ok(messages::unlocked(env.as_str(), was.as_ref())))
        }
        Command::Plan { .. }
        | Command::Apply { .. }
        | Command::Promote { .. }
        | Command::Rollback { .. }
        | Command::Drift { .. }
        | Command::Cost { .. } => Ok(Answer {
            verdict: Verdict::NotAvailable,
            reply: messages::not_available(command.name()),
        }),
    }
}
