//! `/apply <env>` on a pull request: the saved plans of the environment's
//! projects are applied only when every requirement holds, and a refusal
//! lists every one that does not. When every planned project of the pull
//! request is applied, bosun merges it (unless `automerge: false`).

use super::locks::ProjectLocks;
use super::records::{
    AFFECTED, Affected, PLANS, PlanRecord, PlanState, get, plan_key, plans_of, pr_key, put,
};
use super::run::{binary, failure_text};
use super::{TfContext, words};
use crate::config::{ApplyMode, TfProject};
use crate::error::ReconcileError;
use crate::ids::PrNumber;
use crate::locks::Locks;
use crate::plan::Redacted;
use crate::ports::forge::{
    Access, CheckConclusion, CheckStatus, MergeOutcome, PrState, PullRequest, Review,
};
use crate::ports::runner::ApplyRequest;
use bosun_commands::Env;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The check `/apply` requires green when `gate: true`.
pub const GATE_CHECK: &str = "bosun/gate";

/// How an `/apply` ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// Applied (and maybe merged); the reply says what.
    Applied(String),
    /// Not applied: the reply lists every unmet requirement.
    Refused(String),
    /// Terraform failed while applying.
    Failed(String),
}

/// Applies `env` on pull request `number`.
pub async fn apply_env(
    ctx: &TfContext<'_>,
    number: PrNumber,
    env: &Env,
    repo: &crate::ids::RepoName,
) -> Result<ApplyOutcome, ReconcileError> {
    let pr = ctx.forge.pull_request(repo, number).await?;
    let projects: Vec<&TfProject> = ctx.config.terraform.projects_of(env).collect();
    let name = env.as_str();
    if projects.is_empty() {
        return Ok(ApplyOutcome::Refused(format!(
            "No Terraform project deploys `{name}`: declare one under `terraform.projects` in `.bosun.yaml`."
        )));
    }
    let mut unmet = unmet_requirements(ctx, &pr, env, &projects).await?;
    let mut records = Vec::new();
    for project in &projects {
        let record: Option<PlanRecord> =
            get(ctx.store, PLANS, &plan_key(repo, number, &project.name))?;
        match record {
            None => unmet.push(format!(
                "`{}` has no plan on this pull request: comment `/plan {name}`",
                project.name
            )),
            Some(record) if record.head_sha != pr.head_sha => unmet.push(format!(
                "the plan of `{}` is stale: it was made at {} and the head is {} (comment `/plan {name}`)",
                project.name,
                record.head_sha.short(),
                pr.head_sha.short()
            )),
            Some(PlanRecord {
                state: PlanState::Failed { .. },
                ..
            }) => unmet.push(format!(
                "the last plan of `{}` failed: fix it and comment `/plan {name}`",
                project.name
            )),
            Some(record) => records.push(((*project).clone(), record)),
        }
    }
    if !unmet.is_empty() {
        return Ok(ApplyOutcome::Refused(words::apply_refused(name, &unmet)));
    }
    let mut outputs = Vec::new();
    for (project, record) in &mut records {
        if let PlanState::Applied { .. } = record.state {
            outputs.push((project.name.clone(), "Already applied.".to_owned()));
            continue;
        }
        let request = ApplyRequest {
            working_dir: record.checkout.join(&project.dir),
            plan_file: PathBuf::from(super::PLAN_FILE),
            binary: binary(project),
            timeout: ctx.service.timeout,
            vars: Vec::new(),
        };
        match ctx.service.runner.apply(&request).await {
            Ok(outcome) => {
                let text = match outcome.output {
                    Redacted::Shown(text) => text,
                    Redacted::Withheld => String::new(),
                };
                outputs.push((project.name.clone(), text));
            }
            Err(error) => {
                return Ok(ApplyOutcome::Failed(format!(
                    "Applying `{}` failed.\n\n{}",
                    project.name,
                    failure_text(&error)
                )));
            }
        }
        record.state = PlanState::Applied { at: ctx.now };
        super::records::put_applied(ctx.store, repo, &project.name, &record.head_sha, ctx.now)?;
        put(
            ctx.store,
            PLANS,
            &plan_key(repo, number, &project.name),
            &*record,
        )?;
    }
    let applied: Vec<PlanRecord> = records.into_iter().map(|(_, r)| r).collect();
    let mut reply = words::applied(name, &applied, &outputs);
    if ctx.config.terraform.automerge && every_plan_applied(ctx, &pr)? {
        match ctx.forge.merge(repo, number).await {
            Ok(MergeOutcome::Merged(sha)) => {
                reply.push_str(&format!(
                    "\nEvery planned environment is applied: merged at {}.\n",
                    sha.short()
                ));
            }
            Ok(MergeOutcome::AlreadyMerged) => {}
            Err(error) => {
                reply.push_str(&format!(
                    "\nEvery planned environment is applied, but merging failed: {error}\n"
                ));
            }
        }
    }
    Ok(ApplyOutcome::Applied(reply))
}

/// Whether every `before_merge` project the head affects (and every one
/// planned on demand) has a plan at the head that is applied or changes
/// nothing.
fn every_plan_applied(ctx: &TfContext<'_>, pr: &PullRequest) -> Result<bool, ReconcileError> {
    let plans = plans_of(ctx.store, &pr.repo, pr.number)?;
    let affected: Option<Affected> = get(ctx.store, AFFECTED, &pr_key(&pr.repo, pr.number))?;
    let mut wanted: Vec<&str> = affected
        .iter()
        .filter(|a| a.head_sha == pr.head_sha)
        .flat_map(|a| a.projects.iter().map(String::as_str))
        .collect();
    wanted.extend(plans.iter().map(|p| p.project.as_str()));
    wanted.sort_unstable();
    wanted.dedup();
    let before_merge = |name: &str| {
        ctx.config
            .terraform
            .projects
            .iter()
            .find(|p| p.name == name)
            .is_some_and(|p| {
                ctx.config.terraform.env_rules(&p.env).apply_mode == ApplyMode::BeforeMerge
            })
    };
    let done = |name: &str| {
        plans.iter().any(|plan| {
            plan.project == name
                && plan.head_sha == pr.head_sha
                && matches!(
                    plan.state,
                    PlanState::Applied { .. } | PlanState::Planned { has_changes: false }
                )
        })
    };
    let wanted: Vec<&str> = wanted.into_iter().filter(|n| before_merge(n)).collect();
    Ok(!wanted.is_empty() && wanted.iter().all(|n| done(n)))
}

/// Every requirement of `env` that does not hold for the pull request.
async fn unmet_requirements(
    ctx: &TfContext<'_>,
    pr: &PullRequest,
    env: &Env,
    projects: &[&TfProject],
) -> Result<Vec<String>, ReconcileError> {
    let rules = ctx.config.terraform.env_rules(env);
    let name = env.as_str();
    let mut unmet = Vec::new();
    if pr.state != PrState::Open {
        unmet.push("the pull request is not open".to_owned());
    }
    if rules.apply_mode == ApplyMode::AfterMerge {
        unmet.push(format!(
            "`{name}` is applied after merge (`apply_mode: after_merge`): merge the pull request instead"
        ));
    }
    if let Some(freeze) = Locks::new(ctx.store, &pr.repo).get(env)? {
        unmet.push(format!(
            "`{name}` is frozen by {} (`/unlock {name}` lifts it)",
            freeze.by
        ));
    }
    let wanted = rules.requirements;
    if wanted.approved > 0 {
        let approvers = approvers(ctx, pr).await?;
        if approvers.len() < wanted.approved as usize {
            unmet.push(format!(
                "needs {} approving review{} from people with write access other than the author; has {}",
                wanted.approved,
                if wanted.approved == 1 { "" } else { "s" },
                approvers.len()
            ));
        }
    }
    if wanted.mergeable && pr.mergeable != Some(true) {
        unmet.push(match pr.mergeable {
            Some(false) => "the pull request is not mergeable (conflicts or blocked)".to_owned(),
            _ => "GitHub has not said yet whether the pull request is mergeable".to_owned(),
        });
    }
    if wanted.gate {
        let status = ctx
            .forge
            .check_status(&pr.repo, &pr.head_sha, GATE_CHECK)
            .await?;
        if status != Some(CheckStatus::Completed(CheckConclusion::Success)) {
            unmet.push(format!(
                "`{GATE_CHECK}` is not green on {} ({})",
                pr.head_sha.short(),
                match status {
                    None => "no such check".to_owned(),
                    Some(s) => format!("{s:?}").to_lowercase(),
                }
            ));
        }
    }
    if wanted.undiverged {
        let base = ctx.forge.resolve(&pr.repo, &pr.base_ref).await?;
        if !ctx.forge.is_ancestor(&pr.repo, &base, &pr.head_sha).await? {
            unmet.push(format!(
                "the head does not contain `{}`'s tip {}: update the branch",
                pr.base_ref,
                base.short()
            ));
        }
    }
    let locks = ProjectLocks::new(ctx.store, &pr.repo);
    for project in projects {
        let lock = locks.get(&project.name)?;
        match lock.holder {
            Some(holder) if holder == pr.number.0 => {}
            Some(holder) => unmet.push(format!("the `{}` lock is held by #{holder}", project.name)),
            None => unmet.push(format!(
                "this pull request does not hold the `{}` lock (comment `/plan {name}`)",
                project.name
            )),
        }
    }
    Ok(unmet)
}

/// The people other than the author, with write access, whose latest
/// review approves.
async fn approvers(ctx: &TfContext<'_>, pr: &PullRequest) -> Result<Vec<String>, ReconcileError> {
    let reviews: Vec<Review> = ctx.forge.reviews(&pr.repo, pr.number).await?;
    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    for review in reviews {
        if review.state == "COMMENTED" {
            continue;
        }
        latest.insert(review.reviewer.clone(), review.state.to_uppercase());
    }
    let mut out = Vec::new();
    for (reviewer, state) in latest {
        if state != "APPROVED" || reviewer.eq_ignore_ascii_case(&pr.author) {
            continue;
        }
        if ctx.forge.access(&pr.repo, &reviewer).await? >= Access::Write {
            out.push(reviewer);
        }
    }
    Ok(out)
}
