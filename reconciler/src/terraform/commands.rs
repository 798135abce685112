//! `/plan`, `/apply` and `/drift` as commands, for every front-end: on a
//! pull request they act on it; from a terminal or a channel, `/plan` and
//! `/drift` plan the default branch's tip (and change no pull request).

use super::TfContext;
use super::apply::{ApplyOutcome, apply_env};
use super::autoplan::{PlanResult, plan_projects, release};
use super::drift;
use super::run::{plan_at, repo_dir};
use crate::ask::{Answer, Request, Verdict};
use crate::audit::Place;
use crate::config::TfProject;
use crate::error::ReconcileError;
use crate::plan::comment::render_comment;
use crate::ports::forge::PrState;
use bosun_commands::Env;
use std::fmt::Write as _;

fn answer(verdict: Verdict, reply: String) -> Answer {
    Answer { verdict, reply }
}

fn no_project(env: &Env) -> Answer {
    answer(
        Verdict::Refused,
        format!(
            "No Terraform project deploys `{env}`: declare one under `terraform.projects` in `.bosun.yaml`. Nothing was done.",
            env = env.as_str()
        ),
    )
}

/// `/plan <env>`.
pub async fn plan(
    ctx: &TfContext<'_>,
    request: &Request,
    env: &Env,
) -> Result<Answer, ReconcileError> {
    let projects: Vec<&TfProject> = ctx.config.terraform.projects_of(env).collect();
    if projects.is_empty() {
        return Ok(no_project(env));
    }
    let names: Vec<String> = projects.iter().map(|p| format!("`{}`", p.name)).collect();
    if request.dry_run {
        return Ok(answer(
            Verdict::Succeeded,
            format!("Would plan {}.", names.join(", ")),
        ));
    }
    if let Place::PullRequest { repo, number } = &request.place {
        let pr = ctx.forge.pull_request(repo, *number).await?;
        if pr.state != PrState::Open {
            return Ok(answer(
                Verdict::Refused,
                format!("#{number} is not open: nothing to plan."),
            ));
        }
        let results = plan_projects(ctx, &pr, &projects, true).await?;
        let mut reply = String::new();
        for (project, result) in results {
            let line = match result {
                PlanResult::Planned { title } => {
                    format!("Planned `{project}` at {}: {title}.", pr.head_sha.short())
                }
                PlanResult::UpToDate => format!("`{project}` is planned at the head already."),
                PlanResult::Queued { holder, position } => format!(
                    "`{project}` is queued behind #{holder} (place {position} in line); bosun plans it when the lock is free."
                ),
                PlanResult::Failed(message) => {
                    format!("The plan of `{project}` failed:\n\n{message}")
                }
            };
            let _ = writeln!(reply, "{line}");
        }
        return Ok(answer(Verdict::Succeeded, reply));
    }
    // Elsewhere: the default branch's tip, shown and kept nowhere.
    let repo = &request.repo;
    let branch = ctx.forge.default_branch(repo).await?;
    let tip = ctx.forge.resolve(repo, &branch).await?;
    let mut reply = String::new();
    for project in projects {
        let dest = repo_dir(ctx, repo).join("plan").join(&project.name);
        match plan_at(ctx, repo, &tip, project, &dest, true).await? {
            Ok(planned) => {
                let comment =
                    render_comment(&project.name, &planned.summary, &planned.outcome.plan_text);
                let marker = format!("{}\n", crate::plan::comment::marker(&project.name));
                reply.push_str(comment.strip_prefix(&marker).unwrap_or(&comment));
            }
            Err(message) => {
                let _ = writeln!(
                    reply,
                    "The plan of `{}` at {} failed:\n\n{message}",
                    project.name,
                    tip.short()
                );
            }
        }
    }
    Ok(answer(Verdict::Succeeded, reply))
}

/// `/apply <env>` (on a pull request only).
pub async fn apply(
    ctx: &TfContext<'_>,
    request: &Request,
    env: &Env,
) -> Result<Answer, ReconcileError> {
    let Place::PullRequest { repo, number } = &request.place else {
        return Ok(answer(
            Verdict::Refused,
            format!(
                "`/apply {}` applies a pull request's saved plan: comment it on the pull request.",
                env.as_str()
            ),
        ));
    };
    if ctx.config.terraform.projects_of(env).next().is_none() {
        return Ok(no_project(env));
    }
    if request.dry_run {
        return Ok(answer(
            Verdict::Succeeded,
            format!("Would apply `{}` on #{number}.", env.as_str()),
        ));
    }
    Ok(match apply_env(ctx, *number, env, repo).await? {
        ApplyOutcome::Applied(reply) | ApplyOutcome::Failed(reply) => {
            answer(Verdict::Succeeded, reply)
        }
        ApplyOutcome::Refused(reply) => answer(Verdict::Refused, reply),
    })
}

/// `/drift [env]`.
pub async fn drift(
    ctx: &TfContext<'_>,
    request: &Request,
    env: Option<&Env>,
) -> Result<Answer, ReconcileError> {
    if let Some(env) = env
        && ctx.config.terraform.projects_of(env).next().is_none()
        && !ctx
            .cluster
            .is_some_and(|c| c.envs().iter().any(|e| e == env.as_str()))
    {
        return Ok(no_project(env));
    }
    if request.dry_run {
        return Ok(answer(
            Verdict::Succeeded,
            "Would plan the default branch with refresh, read Flux where a cluster is configured, and report drift.".to_owned(),
        ));
    }
    let report = drift::detect(ctx, &request.repo, env).await?;
    Ok(answer(Verdict::Succeeded, report.text()))
}

/// `/unlock <env>` also lets go of Terraform project locks of `env`: on a
/// pull request, the ones it holds or waits for; from a terminal or a
/// channel, whoever holds them (an operator's override). Each freed lock
/// passes to the next pull request in line, which is then planned. Returns
/// a line to add to the reply, if any lock was released.
pub fn unlock(
    ctx: &TfContext<'_>,
    request: &Request,
    env: &Env,
) -> Result<Option<String>, ReconcileError> {
    if request.dry_run {
        return Ok(None);
    }
    let projects: Vec<&TfProject> = ctx.config.terraform.projects_of(env).collect();
    let released = match &request.place {
        Place::PullRequest { repo, number } => release(ctx, repo, *number, &projects)?,
        _ => super::autoplan::release_holders(ctx, &request.repo, &projects)?,
    };
    Ok((!released.is_empty()).then(|| {
        let names: Vec<String> = released.iter().map(|p| format!("`{p}`")).collect();
        format!("Released the Terraform lock on {}.", names.join(", "))
    }))
}

/// Runs `/plan`, `/apply` or `/drift` for the ask layer (`ctx.terraform` is set).
pub async fn run(
    ctx: &crate::ask::AskContext<'_>,
    request: &Request,
    command: &bosun_commands::Command,
) -> Result<Answer, ReconcileError> {
    use bosun_commands::Command;
    let Some(service) = ctx.terraform else {
        return Ok(answer(
            Verdict::NotAvailable,
            crate::messages::not_available(command.name()),
        ));
    };
    let tf = TfContext {
        forge: ctx.forge,
        store: ctx.store,
        config: ctx.config,
        service,
        cluster: ctx.cluster,
        now: ctx.now,
    };
    match command {
        Command::Plan { env } => plan(&tf, request, env).await,
        Command::Apply { env } => apply(&tf, request, env).await,
        Command::Drift { env } => drift(&tf, request, env.as_ref()).await,
        other => Ok(answer(
            Verdict::NotAvailable,
            crate::messages::not_available(other.name()),
        )),
    }
}

/// [`unlock`] from the ask layer (nothing when Terraform is not set up).
pub fn unlock_from(
    ctx: &crate::ask::AskContext<'_>,
    request: &Request,
    env: &Env,
) -> Result<Option<String>, ReconcileError> {
    let Some(service) = ctx.terraform else {
        return Ok(None);
    };
    let tf = TfContext {
        forge: ctx.forge,
        store: ctx.store,
        config: ctx.config,
        service,
        cluster: ctx.cluster,
        now: ctx.now,
    };
    unlock(&tf, request, env)
}
