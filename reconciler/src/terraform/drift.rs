//! Drift: the default branch's tip planned with refresh, per project. What
//! the refresh found changed outside Terraform (`resource_drift`) is told
//! apart from configuration merged but never applied (`resource_changes`).
//! One issue per environment ("Drift in prd", found by its hidden marker)
//! says what drifted and since when; a later run that finds none closes it
//! with a note. Each run with drift, and the one that clears it, also sends
//! a notice to the environment's channel.

use super::checkout::project_files;
use super::records::{APPLIED, AppliedAt};
use super::records::{get, put};
use super::run::{plan_at, repo_dir};
use super::{TfContext, words};
use crate::config::TfProject;
use crate::error::ReconcileError;
use crate::ids::RepoName;
use crate::plan::{DriftKind, PlanSummary, ResourceLine};
use crate::ports::forge::Marker;
use crate::ports::notify::{Notice, Route, Tone};
use bosun_commands::Env;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tracing::warn;

/// When each drifting resource was first seen, per (repository, environment).
pub const FIRST_SEEN: &str = "tf-drift";

/// One project's drift.
#[derive(Debug, Clone)]
pub struct ProjectDrift {
    /// The project.
    pub project: String,
    /// Its environment.
    pub env: String,
    /// Its kind.
    pub kind: DriftKind,
    /// Changed outside Terraform: what the refresh found (`resource_drift`),
    /// and changes the last applied configuration would make too (the state
    /// or the infrastructure moved since that apply).
    pub out_of_band: Vec<ResourceLine>,
    /// Configuration merged but never applied: changes the last applied
    /// configuration would not make (all changes, when bosun never applied
    /// the project and cannot tell).
    pub unapplied: Vec<ResourceLine>,
}

/// What one drift run found.
#[derive(Debug, Clone, Default)]
pub struct DriftReport {
    /// Every project planned.
    pub projects: Vec<ProjectDrift>,
    /// Projects whose plan failed, with why.
    pub failures: Vec<(String, String)>,
    /// The issues opened, updated or closed: (environment, number, open).
    pub issues: Vec<(String, u64, bool)>,
}

impl DriftReport {
    /// Whether any project drifted.
    pub fn has_drift(&self) -> bool {
        self.projects.iter().any(|p| p.kind.is_drift())
    }

    /// The report in words.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.projects.is_empty() && self.failures.is_empty() {
            return "No Terraform project to check for drift.\n".to_owned();
        }
        let _ = writeln!(
            out,
            "Drift check: {}.\n",
            if self.has_drift() {
                "drift found"
            } else {
                "no drift"
            }
        );
        for project in &self.projects {
            out.push_str(&words::drift_report(
                &project.project,
                &project.env,
                project.kind,
                &project.out_of_band,
                &project.unapplied,
            ));
        }
        for (project, message) in &self.failures {
            let _ = writeln!(out, "\n#### `{project}`: the plan failed\n\n{message}");
        }
        for (env, number, open) in &self.issues {
            let _ = writeln!(
                out,
                "\n{} #{number} for `{env}`.",
                if *open {
                    "Drift issue"
                } else {
                    "Closed drift issue"
                }
            );
        }
        out
    }
}

/// The hidden marker of the drift issue of `env`.
pub fn issue_marker(env: &str) -> Marker {
    Marker::new("drift", env)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FirstSeen {
    /// Resource address → when first seen drifting.
    resources: BTreeMap<String, DateTime<Utc>>,
}

/// Looks for drift in `env` (or every environment with a project) of `repo`.
pub async fn detect(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    env: Option<&Env>,
) -> Result<DriftReport, ReconcileError> {
    let branch = ctx.forge.default_branch(repo).await?;
    let tip = ctx.forge.resolve(repo, &branch).await?;
    let projects: Vec<&TfProject> = ctx
        .config
        .terraform
        .projects
        .iter()
        .filter(|p| env.is_none_or(|e| &p.env == e))
        .collect();
    let mut report = DriftReport::default();
    for project in &projects {
        let dest = repo_dir(ctx, repo).join("drift").join(&project.name);
        match plan_at(ctx, repo, &tip, project, &dest, true).await? {
            Ok(planned) => match classify(ctx, repo, &tip, project, planned.summary).await? {
                Ok(drift) => report.projects.push(drift),
                Err(message) => report.failures.push((project.name.clone(), message)),
            },
            Err(message) => report.failures.push((project.name.clone(), message)),
        }
    }
    let mut envs: Vec<String> = projects.iter().map(|p| p.env.as_str().to_owned()).collect();
    envs.sort();
    envs.dedup();
    for env in envs {
        let failed = report.failures.iter().any(|(name, _)| {
            projects
                .iter()
                .any(|p| &p.name == name && p.env.as_str() == env)
        });
        if failed {
            continue;
        }
        report_env(ctx, repo, &env, &tip, &mut report).await?;
    }
    Ok(report)
}

/// Tells changes made outside Terraform from configuration merged but never
/// applied. A plan of the tip shows both as `resource_changes` (only a
/// provider whose refresh reads the real infrastructure fills
/// `resource_drift`); the configuration bosun last applied tells them apart:
/// a change it would make too happened outside Terraform.
async fn classify(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    tip: &crate::ids::Sha,
    project: &TfProject,
    summary: PlanSummary,
) -> Result<Result<ProjectDrift, String>, ReconcileError> {
    let mut drift = ProjectDrift {
        project: project.name.clone(),
        env: project.env.as_str().to_owned(),
        kind: DriftKind::None,
        out_of_band: summary.drift.clone(),
        unapplied: Vec::new(),
    };
    if summary.has_changes() {
        let applied: Option<AppliedAt> =
            get(ctx.store, APPLIED, &format!("{repo}/{}", project.name))?;
        let outside: Vec<String> = match applied {
            None => Vec::new(),
            Some(applied) if &applied.sha == tip => summary
                .resources
                .iter()
                .map(|r| r.address.clone())
                .collect(),
            Some(applied) => {
                let now = project_files(ctx.forge, repo, tip, &project.dir).await?;
                let then = project_files(ctx.forge, repo, &applied.sha, &project.dir).await?;
                if now.files == then.files {
                    summary
                        .resources
                        .iter()
                        .map(|r| r.address.clone())
                        .collect()
                } else {
                    let dest = repo_dir(ctx, repo)
                        .join("drift-applied")
                        .join(&project.name);
                    match plan_at(ctx, repo, &applied.sha, project, &dest, true).await? {
                        Ok(base) => base
                            .summary
                            .resources
                            .iter()
                            .map(|r| r.address.clone())
                            .collect(),
                        Err(message) => return Ok(Err(message)),
                    }
                }
            }
        };
        for line in summary.resources {
            if outside.contains(&line.address) {
                drift.out_of_band.push(line);
            } else {
                drift.unapplied.push(line);
            }
        }
    }
    drift.kind = match (!drift.out_of_band.is_empty(), !drift.unapplied.is_empty()) {
        (false, false) => DriftKind::None,
        (true, false) => DriftKind::OutOfBand,
        (false, true) => DriftKind::Unapplied,
        (true, true) => DriftKind::OutOfBandAndUnapplied,
    };
    Ok(Ok(drift))
}

/// Opens, updates or closes the environment's issue, and notifies.
async fn report_env(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    env: &str,
    tip: &crate::ids::Sha,
    report: &mut DriftReport,
) -> Result<(), ReconcileError> {
    let key = format!("{repo}/{env}");
    let drifting: Vec<&ProjectDrift> = report
        .projects
        .iter()
        .filter(|p| p.env == env && p.kind.is_drift())
        .collect();
    let marker = issue_marker(env);
    let thread = format!("drift:{repo}:{env}");
    if drifting.is_empty() {
        ctx.store.delete_record(FIRST_SEEN, &key)?;
        let note = format!(
            "No drift in `{env}` at {} ({}): closing.",
            tip.short(),
            ctx.now.format("%Y-%m-%d %H:%M UTC")
        );
        if let Some(number) = ctx.forge.close_issue(repo, &marker, &note).await? {
            report.issues.push((env.to_owned(), number.0, false));
            notify(
                ctx,
                repo,
                env,
                &thread,
                Tone::Success,
                format!("No more drift in {env}"),
                note,
            )
            .await;
        }
        return Ok(());
    }
    let previous: FirstSeen = get(ctx.store, FIRST_SEEN, &key)?.unwrap_or_default();
    let mut seen = FirstSeen::default();
    let mut body = format!(
        "bosun planned `{env}` at {} with refresh and found drift.\n\n| resource | kind | first seen |\n|---|---|---|\n",
        tip.short()
    );
    for project in &drifting {
        let rows = project
            .out_of_band
            .iter()
            .map(|r| (r, "changed outside Terraform"))
            .chain(
                project
                    .unapplied
                    .iter()
                    .map(|r| (r, "merged but never applied")),
            );
        for (resource, kind) in rows {
            let first = previous
                .resources
                .get(&resource.address)
                .copied()
                .unwrap_or(ctx.now);
            seen.resources.insert(resource.address.clone(), first);
            let _ = writeln!(
                body,
                "| `{}` | {kind} | {} |",
                resource.address,
                first.format("%Y-%m-%d %H:%M UTC")
            );
        }
    }
    body.push_str("\nbosun closes this issue when a later drift check finds none.\n");
    put(ctx.store, FIRST_SEEN, &key, &seen)?;
    let number = ctx
        .forge
        .upsert_issue(repo, &marker, &format!("Drift in {env}"), &body)
        .await?;
    report.issues.push((env.to_owned(), number.0, true));
    notify(
        ctx,
        repo,
        env,
        &thread,
        Tone::Warning,
        format!("Drift in {env}"),
        body,
    )
    .await;
    Ok(())
}

async fn notify(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    env: &str,
    thread: &str,
    tone: Tone,
    headline: String,
    body: String,
) {
    let Some(notifier) = &ctx.service.notifier else {
        return;
    };
    let notice = Notice {
        id: format!("{thread}:{}", ctx.now.timestamp_millis()),
        thread: thread.to_owned(),
        route: Route::Env(env.to_owned()),
        repo: Some(repo.clone()),
        headline,
        body: body.clone(),
        tone,
        links: Vec::new(),
        reply: Some(body),
        attachment: None,
    };
    if let Err(error) = notifier.notify(notice).await {
        warn!(%error, %repo, env, "drift notice not sent");
    }
}
