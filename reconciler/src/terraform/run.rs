//! Running one project: read its files at a commit, write the checkout,
//! plan through the runner.

use super::TfContext;
use super::checkout::{project_files, write_checkout};
use super::init_key::init_key;
use crate::config::{TfBinary, TfProject};
use crate::error::ReconcileError;
use crate::ids::{RepoName, Sha};
use crate::plan::PlanSummary;
use crate::plan::redact::Redacted;
use crate::ports::forge::RepoFile;
use crate::ports::runner::{PlanOutcome, PlanRequest, RunnerError};
use std::path::{Path, PathBuf};

/// A finished plan and where it was made.
pub(super) struct Planned {
    /// What the runner said.
    pub outcome: PlanOutcome,
    /// Its summary.
    pub summary: PlanSummary,
    /// The checkout (the project's folder is under it).
    pub checkout: PathBuf,
}

/// The program for a project: the runner's own for Terraform, `tofu` for OpenTofu.
pub(super) fn binary(project: &TfProject) -> Option<PathBuf> {
    match project.binary {
        TfBinary::Terraform => None,
        TfBinary::Tofu => Some(PathBuf::from(TfBinary::Tofu.program())),
    }
}

/// The workspace to select, `None` for `default`.
pub(super) fn workspace(project: &TfProject) -> Option<String> {
    (project.workspace != "default").then(|| project.workspace.clone())
}

/// The folder of `repo`'s runs under the work root.
pub(super) fn repo_dir(ctx: &TfContext<'_>, repo: &RepoName) -> PathBuf {
    ctx.service.work_root().join(repo.owner()).join(repo.name())
}

/// Plans `project` at `commit` in a fresh checkout at `dest`. The outer
/// error is the forge's (worth retrying); the inner one is a failure to
/// tell people about (Terraform's, or the checkout's), already masked.
pub(super) async fn plan_at(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    commit: &Sha,
    project: &TfProject,
    dest: &Path,
    refresh: bool,
) -> Result<Result<Planned, String>, ReconcileError> {
    let files = project_files(ctx.forge, repo, commit, &project.dir).await?;
    if files.files.is_empty() {
        return Ok(Err(format!(
            "`{}` has no files at {}",
            project.dir,
            commit.short()
        )));
    }
    let mut checkout = files.files.clone();
    for path in &project.var_files {
        match ctx.forge.file_at(repo, commit, path).await? {
            Some(text) => checkout.push(RepoFile {
                path: path.clone(),
                text,
            }),
            None => {
                return Ok(Err(format!(
                    "the variable file `{path}` (`var_files` of `{}`) does not exist at {}",
                    project.name,
                    commit.short()
                )));
            }
        }
    }
    if let Err(e) = write_checkout(dest, &checkout) {
        return Ok(Err(format!("could not write the checkout: {e}")));
    }
    let request = PlanRequest {
        working_dir: dest.join(&project.dir),
        plan_file: PathBuf::from(super::PLAN_FILE),
        binary: binary(project),
        timeout: ctx.service.timeout,
        refresh,
        vars: Vec::new(),
        workspace: workspace(project),
        // Absolute: Terraform runs in the project's folder, not here.
        var_files: project
            .var_files
            .iter()
            .map(|f| std::path::absolute(dest.join(f)).unwrap_or_else(|_| dest.join(f)))
            .collect(),
        init_key: init_key(project.binary.program(), &files),
    };
    Ok(match ctx.service.runner.plan(&request).await {
        Ok(outcome) => Ok(Planned {
            summary: PlanSummary::from_plan(&outcome.plan),
            outcome,
            checkout: dest.to_path_buf(),
        }),
        Err(error) => Err(failure_text(&error)),
    })
}

/// A runner error in words, with Terraform's (masked) last lines.
pub(super) fn failure_text(error: &RunnerError) -> String {
    match error {
        RunnerError::Failed { stderr_tail, .. } => match stderr_tail {
            Redacted::Shown(tail) if !tail.trim().is_empty() => {
                format!("{error}:\n\n```\n{}\n```", tail.trim_end())
            }
            _ => error.to_string(),
        },
        other => other.to_string(),
    }
}
