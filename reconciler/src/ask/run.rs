//! Running an allowed command. Commands whose services come with later work
//! answer that they are not available yet, and change nothing.

use super::{Answer, AskContext, Request, Verdict};
use crate::error::ReconcileError;
use crate::locks::{EnvLock, Locks};
use crate::messages;
use crate::promotion::{self, Blocked, PromoteAsk, PromoteOutcome, RollbackAsk, RollbackOutcome};
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
        Command::Status { env } => Ok(ok(
            crate::status::answer(ctx, &request.repo, env.as_ref()).await?
        )),
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
            let mut reply = messages::unlocked(env.as_str(), was.as_ref());
            if let Some(line) = crate::terraform::commands::unlock_from(ctx, request, env)? {
                reply.push_str(&format!("\n{line}\n"));
            }
            Ok(ok(reply))
        }
        Command::Promote {
            from,
            to,
            only,
            force,
        } => {
            let ask = PromoteAsk {
                repo: &request.repo,
                from,
                to,
                only,
                force: *force,
                who: &request.who,
                place: &request.place,
                dry_run: request.dry_run,
                now: ctx.now,
                cluster: ctx.cluster,
            };
            let outcome = promotion::promote(ctx.forge, ctx.store, ctx.config, &ask).await?;
            Ok(promotion_answer(from, to, outcome))
        }
        Command::Rollback { env, to } => {
            let ask = RollbackAsk {
                repo: &request.repo,
                env,
                to: to.as_ref(),
                who: &request.who,
                place: &request.place,
                dry_run: request.dry_run,
                now: ctx.now,
            };
            let outcome = promotion::rollback(ctx.forge, ctx.store, &ask).await?;
            Ok(rollback_answer(env, outcome))
        }
        Command::Cost { env, period } => {
            Ok(super::cost::run(ctx, request, env.as_ref(), *period).await)
        }
        Command::Plan { .. } | Command::Apply { .. } | Command::Drift { .. }
            if ctx.terraform.is_some() =>
        {
            crate::terraform::commands::run(ctx, request, command).await
        }
        Command::Plan { .. } | Command::Apply { .. } | Command::Drift { .. } => Ok(Answer {
            verdict: Verdict::NotAvailable,
            reply: messages::not_available(command.name()),
        }),
    }
}

/// Words for a rollback's outcome.
fn rollback_answer(env: &Env, outcome: RollbackOutcome) -> Answer {
    let env = env.as_str();
    match outcome {
        RollbackOutcome::Opened {
            record,
            table,
            updated,
        } => ok(messages::rollback_opened(
            record.number.0,
            &record.url,
            env,
            &table,
            updated,
        )),
        RollbackOutcome::Preview { table } => ok(messages::rollback_preview(env, &table)),
        RollbackOutcome::NothingToDo(text) => ok(text),
        RollbackOutcome::Blocked(blocked) => blocked_answer("rolled back", env, env, blocked),
    }
}

/// Words for a rule that stopped a promotion or rollback: a refusal.
fn blocked_answer(not_done: &str, from: &str, to: &str, blocked: Blocked) -> Answer {
    let reply = match blocked {
        Blocked::Locked(lock) => messages::promotion_locked(not_done, to, &lock),
        Blocked::Frozen(freeze) => {
            messages::promotion_frozen(not_done, to, &freeze.name, freeze.until)
        }
        Blocked::OutOfOrder { expected } => {
            messages::promotion_out_of_order(from, to, expected.as_deref())
        }
        Blocked::NotSoaked { soak, young } => messages::promotion_not_soaked(from, soak, &young),
        Blocked::Overlay(problem) => messages::promotion_overlay_problem(not_done, &problem),
        Blocked::SourceNotReady(reason) => messages::promotion_overlay_problem(
            not_done,
            &format!(
                "`{from}` is not Ready at the default branch's tip: {reason} (`--force` promotes anyway)"
            ),
        ),
    };
    Answer {
        verdict: Verdict::Refused,
        reply,
    }
}

/// Words for a promotion's outcome. A rule that stopped it is a refusal.
fn promotion_answer(from: &Env, to: &Env, outcome: PromoteOutcome) -> Answer {
    let (from, to) = (from.as_str(), to.as_str());
    match outcome {
        PromoteOutcome::Opened {
            record,
            table,
            updated,
        } => ok(messages::promotion_opened(
            record.number.0,
            &record.url,
            to,
            &table,
            updated,
        )),
        PromoteOutcome::Preview { table } => ok(messages::promotion_preview(from, to, &table)),
        PromoteOutcome::NothingToPromote(text) => ok(text),
        PromoteOutcome::Blocked(blocked) => blocked_answer("promoted", from, to, blocked),
    }
}
