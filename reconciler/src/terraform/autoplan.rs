//! Plans on pull requests: every project the head affects is planned once
//! per head commit (level-triggered: a reconcile that finds a plan for the
//! current head does nothing), under the project's lock or queued behind its
//! holder. Closing or merging releases the locks and hands each to the next
//! pull request in line; merging applies the `after_merge` environments.

use super::checkout::project_files;
use super::locks::{Claim, ProjectLocks};
use super::records::{
    AFFECTED, AFTER_MERGE, Affected, PLANS, PlanRecord, PlanState, get, plan_key, pr_key, put,
    put_plan_json,
};
use super::run::{Planned, failure_text, plan_at, repo_dir};
use super::{TfContext, words};
use crate::config::{ApplyMode, TfProject};
use crate::error::ReconcileError;
use crate::ids::{PrNumber, RepoName, WorkKey};
use crate::plan::comment::{check_name, check_summary, check_title, marker, render_comment};
use crate::ports::forge::{CheckConclusion, CheckSpec, CheckStatus, PrState, PullRequest};
use crate::ports::runner::ApplyRequest;
use tracing::info;

/// What happened to one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanResult {
    /// Planned at the head.
    Planned {
        /// The counts in words (`1 to add, ...` or `No changes`).
        title: String,
    },
    /// Already planned at the head; nothing ran.
    UpToDate,
    /// Waiting for the lock.
    Queued {
        /// The holder.
        holder: u64,
        /// Place in line.
        position: usize,
    },
    /// The plan failed (the message is masked).
    Failed(String),
}

/// Converges a pull request's Terraform side: plans while open; releases
/// locks when closed; applies `after_merge` environments when merged.
pub async fn reconcile_pr(ctx: &TfContext<'_>, pr: &PullRequest) -> Result<(), ReconcileError> {
    if ctx.config.terraform.projects.is_empty() {
        return Ok(());
    }
    match pr.state {
        PrState::Open => {
            let affected = affected_projects(ctx, pr).await?;
            let projects: Vec<&TfProject> = ctx
                .config
                .terraform
                .projects
                .iter()
                .filter(|p| affected.contains(&p.name))
                .collect();
            plan_projects(ctx, pr, &projects, false).await?;
        }
        PrState::Closed => {
            release_all(ctx, &pr.repo, pr.number)?;
        }
        PrState::Merged => {
            release_all(ctx, &pr.repo, pr.number)?;
            apply_after_merge(ctx, pr).await?;
        }
    }
    Ok(())
}

/// The projects the pull request's head affects (remembered per head).
pub async fn affected_projects(
    ctx: &TfContext<'_>,
    pr: &PullRequest,
) -> Result<Vec<String>, ReconcileError> {
    let key = pr_key(&pr.repo, pr.number);
    if let Some(known) = get::<Affected>(ctx.store, AFFECTED, &key)?
        && known.head_sha == pr.head_sha
    {
        return Ok(known.projects);
    }
    let changed = ctx.forge.changed_files(&pr.repo, pr.number).await?;
    let mut projects = Vec::new();
    for project in &ctx.config.terraform.projects {
        let globbed = changed.iter().any(|path| {
            project.var_files.contains(path)
                || project
                    .when_modified
                    .iter()
                    .any(|g| crate::glob::matches(g.trim_start_matches("./"), path))
        });
        let touched = globbed || {
            let files = project_files(ctx.forge, &pr.repo, &pr.head_sha, &project.dir).await?;
            changed.iter().any(|path| files.touched_by(path))
        };
        if touched {
            projects.push(project.name.clone());
        }
    }
    put(
        ctx.store,
        AFFECTED,
        &key,
        &Affected {
            head_sha: pr.head_sha.clone(),
            projects: projects.clone(),
        },
    )?;
    Ok(projects)
}

/// Plans `projects` on the pull request (again, when `force`).
pub async fn plan_projects(
    ctx: &TfContext<'_>,
    pr: &PullRequest,
    projects: &[&TfProject],
    force: bool,
) -> Result<Vec<(String, PlanResult)>, ReconcileError> {
    let mut results = Vec::new();
    for project in projects {
        let key = plan_key(&pr.repo, pr.number, &project.name);
        let record: Option<PlanRecord> = get(ctx.store, PLANS, &key)?;
        if !force && record.as_ref().is_some_and(|r| r.head_sha == pr.head_sha) {
            results.push((project.name.clone(), PlanResult::UpToDate));
            continue;
        }
        let claim = {
            let _serial = ctx.service.serial();
            ProjectLocks::new(ctx.store, &pr.repo).claim(&project.name, pr.number.0, ctx.now)?
        };
        if let Claim::Queued { holder, position } = claim {
            let body = words::queued(&project.name, holder, position);
            ctx.forge
                .upsert_comment(&pr.repo, pr.number, &marker(&project.name), &body)
                .await?;
            results.push((
                project.name.clone(),
                PlanResult::Queued { holder, position },
            ));
            continue;
        }
        let result = plan_one(ctx, pr, project).await?;
        results.push((project.name.clone(), result));
    }
    Ok(results)
}

async fn plan_one(
    ctx: &TfContext<'_>,
    pr: &PullRequest,
    project: &TfProject,
) -> Result<PlanResult, ReconcileError> {
    let dest = repo_dir(ctx, &pr.repo)
        .join(format!("pr-{}", pr.number.0))
        .join(&project.name);
    info!(repo = %pr.repo, number = %pr.number, project = %project.name, head = %pr.head_sha, "planning");
    let name = &project.name;
    let (state, result) = match plan_at(ctx, &pr.repo, &pr.head_sha, project, &dest, true).await? {
        Ok(Planned {
            outcome, summary, ..
        }) => {
            let comment = render_comment(name, &summary, &outcome.plan_text);
            let marker = marker(name);
            let head = format!("{marker}\n");
            let body = comment.strip_prefix(&head).unwrap_or(&comment);
            ctx.forge
                .upsert_comment(&pr.repo, pr.number, &marker, body)
                .await?;
            let title = check_title(&summary);
            ctx.forge
                .set_check(
                    &pr.repo,
                    &CheckSpec {
                        name: check_name(name),
                        head_sha: pr.head_sha.clone(),
                        status: CheckStatus::Completed(CheckConclusion::Success),
                        title: title.clone(),
                        summary: check_summary(name, &summary),
                    },
                )
                .await?;
            put_plan_json(
                ctx.store,
                &pr.repo,
                pr.number,
                project,
                &pr.head_sha,
                &outcome.raw_json.0,
            )?;
            (
                PlanState::Planned {
                    has_changes: summary.has_changes(),
                },
                PlanResult::Planned { title },
            )
        }
        Err(message) => {
            let body = words::plan_failed(name, pr.head_sha.short(), &message);
            ctx.forge
                .upsert_comment(&pr.repo, pr.number, &marker(name), &body)
                .await?;
            ctx.forge
                .set_check(
                    &pr.repo,
                    &CheckSpec {
                        name: check_name(name),
                        head_sha: pr.head_sha.clone(),
                        status: CheckStatus::Completed(CheckConclusion::Failure),
                        title: "Plan failed".to_owned(),
                        summary: message.clone(),
                    },
                )
                .await?;
            (
                PlanState::Failed {
                    message: message.clone(),
                },
                PlanResult::Failed(message),
            )
        }
    };
    put(
        ctx.store,
        PLANS,
        &plan_key(&pr.repo, pr.number, name),
        &PlanRecord {
            project: name.clone(),
            env: project.env.as_str().to_owned(),
            head_sha: pr.head_sha.clone(),
            checkout: dest,
            state,
            planned_at: ctx.now,
        },
    )?;
    // The gate reads the plan on the pull request's next reconcile.
    ctx.service.wake(WorkKey::pr(&pr.repo, pr.number));
    Ok(result)
}

/// Releases every project lock `number` holds or waits for; each freed lock
/// passes to the next in line, whose pull request is reconciled again.
pub fn release_all(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    number: PrNumber,
) -> Result<Vec<String>, ReconcileError> {
    let _serial = ctx.service.serial();
    let locks = ProjectLocks::new(ctx.store, repo);
    let projects = locks.projects_of(number.0)?;
    for project in &projects {
        if let Some(next) = locks.release(project, number.0, ctx.now)? {
            ctx.service.wake(WorkKey::pr(repo, PrNumber(next)));
        }
    }
    Ok(projects)
}

/// Releases the locks of `projects` held or awaited by `number`.
pub fn release(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    number: PrNumber,
    projects: &[&TfProject],
) -> Result<Vec<String>, ReconcileError> {
    let _serial = ctx.service.serial();
    let locks = ProjectLocks::new(ctx.store, repo);
    let mine = locks.projects_of(number.0)?;
    let mut released = Vec::new();
    for project in projects.iter().filter(|p| mine.contains(&p.name)) {
        if let Some(next) = locks.release(&project.name, number.0, ctx.now)? {
            ctx.service.wake(WorkKey::pr(repo, PrNumber(next)));
        }
        released.push(project.name.clone());
    }
    Ok(released)
}

/// Releases the locks of `projects` whoever holds them; returns the
/// projects whose lock was held.
pub fn release_holders(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    projects: &[&TfProject],
) -> Result<Vec<String>, ReconcileError> {
    let _serial = ctx.service.serial();
    let locks = ProjectLocks::new(ctx.store, repo);
    let mut released = Vec::new();
    for project in projects {
        let Some(holder) = locks.get(&project.name)?.holder else {
            continue;
        };
        if let Some(next) = locks.release(&project.name, holder, ctx.now)? {
            ctx.service.wake(WorkKey::pr(repo, PrNumber(next)));
        }
        released.push(project.name.clone());
    }
    Ok(released)
}

/// Applies, once per merged pull request, the `after_merge` projects it
/// affected: planned and applied at the merge commit (or the default
/// branch's tip), with the outcome posted on the pull request.
async fn apply_after_merge(ctx: &TfContext<'_>, pr: &PullRequest) -> Result<(), ReconcileError> {
    let affected: Option<Affected> = get(ctx.store, AFFECTED, &pr_key(&pr.repo, pr.number))?;
    let Some(affected) = affected else {
        return Ok(());
    };
    let commit = match &pr.merge_sha {
        Some(sha) => sha.clone(),
        None => {
            let branch = ctx.forge.default_branch(&pr.repo).await?;
            ctx.forge.resolve(&pr.repo, &branch).await?
        }
    };
    for project in ctx
        .config
        .terraform
        .projects
        .iter()
        .filter(|p| affected.projects.contains(&p.name))
        .filter(|p| ctx.config.terraform.env_rules(&p.env).apply_mode == ApplyMode::AfterMerge)
    {
        let key = plan_key(&pr.repo, pr.number, &project.name);
        if ctx.store.get_record(AFTER_MERGE, &key)?.is_some() {
            continue;
        }
        let dest = repo_dir(ctx, &pr.repo)
            .join(format!("merge-{}", pr.number.0))
            .join(&project.name);
        let text = match plan_at(ctx, &pr.repo, &commit, project, &dest, true).await? {
            Err(message) => format!(
                "Could not apply `{}` after the merge: the plan at {} failed.\n\n{message}",
                project.name,
                commit.short()
            ),
            Ok(planned) => {
                let request = ApplyRequest {
                    working_dir: planned.checkout.join(&project.dir),
                    plan_file: super::PLAN_FILE.into(),
                    binary: super::run::binary(project),
                    timeout: ctx.service.timeout,
                    vars: Vec::new(),
                };
                match ctx.service.runner.apply(&request).await {
                    Ok(outcome) => {
                        super::records::put_applied(
                            ctx.store,
                            &pr.repo,
                            &project.name,
                            &commit,
                            ctx.now,
                        )?;
                        let shown = match &outcome.output {
                            crate::plan::Redacted::Shown(text) => text.clone(),
                            crate::plan::Redacted::Withheld => String::new(),
                        };
                        let last = shown
                            .lines()
                            .rev()
                            .find(|l| l.starts_with("Apply complete!"))
                            .unwrap_or("Apply complete!");
                        format!(
                            "Applied `{}` after the merge, at {}: {last}",
                            project.name,
                            commit.short()
                        )
                    }
                    Err(error) => format!(
                        "Applying `{}` after the merge failed at {}.\n\n{}",
                        project.name,
                        commit.short(),
                        failure_text(&error)
                    ),
                }
            }
        };
        ctx.forge
            .upsert_comment(
                &pr.repo,
                pr.number,
                &crate::ports::forge::Marker::new("apply", &project.name),
                &text,
            )
            .await?;
        ctx.store
            .put_record(AFTER_MERGE, &key, commit.as_str().as_bytes())?;
    }
    Ok(())
}
