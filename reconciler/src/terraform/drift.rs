//! Drift: the default branch's tip planned with refresh, per project. What
//! the refresh found changed outside Terraform (`resource_drift`) is told
//! apart from configuration merged but never applied (`resource_changes`).
//! When the environment has a cluster, its Flux drift is read too (objects
//! not Ready, suspended, or applied at an older commit than the tip; see
//! [`crate::sync::flux_drift`]); without one the report says Flux was not
//! checked. One issue per environment ("Drift in prd", found by its hidden
//! marker) says what drifted and since when; a later run that finds neither
//! Terraform nor Flux drift closes it with a note. Each run with drift, and
//! the one that clears it, also sends a notice to the environment's channel.

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
use crate::sync::{BranchTip, FluxDrift, flux_drift};
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
    /// What each environment's cluster said, in environment order.
    pub flux: Vec<(String, FluxCheck)>,
}

/// What a drift run learnt from one environment's cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FluxCheck {
    /// No cluster is configured for the environment.
    NotChecked,
    /// The cluster was read: its Flux drift (empty: in sync).
    Checked(Vec<FluxDrift>),
    /// The cluster could not be read: why.
    Unreadable(String),
}

impl FluxCheck {
    /// Whether Flux drifts.
    pub fn has_drift(&self) -> bool {
        matches!(self, Self::Checked(drift) if !drift.is_empty())
    }

    /// The check in one line, when there is no drift to list.
    fn summary(&self) -> String {
        match self {
            Self::NotChecked => "not checked (no cluster configured)".to_owned(),
            Self::Checked(drift) if drift.is_empty() => "in sync".to_owned(),
            Self::Checked(drift) => format!("{} object(s) drifting", drift.len()),
            Self::Unreadable(reason) => format!("not checked: {reason}"),
        }
    }
}

impl DriftReport {
    /// Whether any project, or any environment's Flux, drifted.
    pub fn has_drift(&self) -> bool {
        self.projects.iter().any(|p| p.kind.is_drift())
            || self.flux.iter().any(|(_, check)| check.has_drift())
    }

    /// Whether some part could not be checked: a plan failed, or a
    /// configured cluster could not be read.
    pub fn has_errors(&self) -> bool {
        !self.failures.is_empty()
            || self
                .flux
                .iter()
                .any(|(_, check)| matches!(check, FluxCheck::Unreadable(_)))
    }

    /// The report in words.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.projects.is_empty() && self.failures.is_empty() && self.flux.is_empty() {
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
        for (env, check) in &self.flux {
            match check {
                FluxCheck::Checked(drift) if !drift.is_empty() => {
                    let _ = writeln!(out, "\n#### Flux in `{env}`: drift\n");
                    for item in drift {
                        let _ = writeln!(out, "- {}", item.describe());
                    }
                }
                other => {
                    let _ = writeln!(out, "\nFlux in `{env}`: {}.", other.summary());
                }
            }
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
    if let Some(cluster) = ctx.cluster {
        // Environments with a cluster and no Terraform project: Flux only.
        envs.extend(cluster.envs().into_iter().filter(|name| {
            ctx.config.envs.envs().any(|e| e.as_str() == name)
                && env.is_none_or(|e| e.as_str() == name)
        }));
    }
    envs.sort();
    envs.dedup();
    let at = BranchTip {
        branch: &branch,
        sha: &tip,
    };
    for env in envs {
        let flux = check_flux(ctx, &env, at.clone()).await;
        report.flux.push((env.clone(), flux.clone()));
        let failed = report.failures.iter().any(|(name, _)| {
            projects
                .iter()
                .any(|p| &p.name == name && p.env.as_str() == env)
        });
        if failed {
            continue;
        }
        report_env(ctx, repo, &env, &tip, &flux, &mut report).await?;
    }
    Ok(report)
}

/// Reads the Flux drift of `env` from its cluster, when it has one.
async fn check_flux(ctx: &TfContext<'_>, env: &str, tip: BranchTip<'_>) -> FluxCheck {
    let Some(cluster) = ctx.cluster else {
        return FluxCheck::NotChecked;
    };
    if !cluster.envs().iter().any(|e| e == env) {
        return FluxCheck::NotChecked;
    }
    match cluster.flux_objects(env).await {
        Ok(objects) => FluxCheck::Checked(flux_drift(&objects, Some(tip))),
        Err(error) => FluxCheck::Unreadable(error.to_string()),
    }
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

/// One row of the drift issue's Terraform table: the resource's address,
/// the kind of drift in words, and when it was first seen.
pub type TerraformRow = (String, &'static str, DateTime<Utc>);

/// The body of the drift issue (and notice) of `env`: the Terraform
/// resources that drift, then the Flux section. `terraform` is `None` when
/// no Terraform project deploys the environment; `flux_first` holds when
/// each of `flux`'s drifting objects was first seen, in its order.
pub fn issue_body(
    env: &str,
    tip: &crate::ids::Sha,
    terraform: Option<&[TerraformRow]>,
    flux: &FluxCheck,
    flux_first: &[DateTime<Utc>],
) -> String {
    let mut body = format!(
        "bosun checked `{env}` at {} (Terraform planned with refresh, Flux where a cluster is configured) and found drift.\n\n### Terraform\n\n",
        tip.short()
    );
    match terraform {
        None => body.push_str("No Terraform project deploys this environment.\n"),
        Some([]) => body.push_str("No drift.\n"),
        Some(rows) => {
            body.push_str("| resource | kind | first seen |\n|---|---|---|\n");
            for (address, kind, first) in rows {
                let _ = writeln!(
                    body,
                    "| `{address}` | {kind} | {} |",
                    first.format("%Y-%m-%d %H:%M UTC")
                );
            }
        }
    }
    body.push_str("\n### Flux\n\n");
    match flux {
        FluxCheck::Checked(drift) if !drift.is_empty() => {
            for (item, first) in drift.iter().zip(flux_first) {
                let _ = writeln!(
                    body,
                    "- {} (first seen {})",
                    item.describe(),
                    first.format("%Y-%m-%d %H:%M UTC")
                );
            }
        }
        other => {
            let _ = writeln!(body, "Flux: {}.", other.summary());
        }
    }
    body.push_str("\nbosun closes this issue when a later drift check finds none.\n");
    body
}

/// The first-seen key of a Flux object's drift (apart from resource addresses).
fn flux_key(drift: &FluxDrift) -> String {
    format!("flux:{}", drift.object())
}

/// Opens, updates or closes the environment's issue, and notifies. The
/// issue closes only when Terraform and Flux both show no drift; a cluster
/// that could not be read leaves a clean environment's issue as it is.
async fn report_env(
    ctx: &TfContext<'_>,
    repo: &RepoName,
    env: &str,
    tip: &crate::ids::Sha,
    flux: &FluxCheck,
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
    if drifting.is_empty() && !flux.has_drift() {
        if matches!(flux, FluxCheck::Unreadable(_)) {
            return Ok(());
        }
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
    let mut first_seen = |address: String| {
        let first = previous.resources.get(&address).copied().unwrap_or(ctx.now);
        seen.resources.insert(address, first);
        first
    };
    let mut rows: Vec<TerraformRow> = Vec::new();
    for project in &drifting {
        let lines = project
            .out_of_band
            .iter()
            .map(|r| (r, "changed outside Terraform"))
            .chain(
                project
                    .unapplied
                    .iter()
                    .map(|r| (r, "merged but never applied")),
            );
        for (resource, kind) in lines {
            rows.push((
                resource.address.clone(),
                kind,
                first_seen(resource.address.clone()),
            ));
        }
    }
    let flux_first: Vec<DateTime<Utc>> = match flux {
        FluxCheck::Checked(drift) => drift.iter().map(|d| first_seen(flux_key(d))).collect(),
        _ => Vec::new(),
    };
    let planned = report.projects.iter().any(|p| p.env == env);
    let body = issue_body(
        env,
        tip,
        planned.then_some(rows.as_slice()),
        flux,
        &flux_first,
    );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RepoConfig;
    use crate::plan::json::PlanJson;
    use crate::plan::redact::Redacted;
    use crate::ports::cluster::{
        Cluster, ClusterError, ConditionStatus, FluxKind, FluxObject, GpuNode, Readiness,
    };
    use crate::ports::runner::{
        ApplyOutcome, ApplyRequest, PlanExit, PlanOutcome, PlanRequest, RawPlanJson, Runner,
        RunnerError, StepDurations,
    };
    use crate::store::SledStore;
    use crate::terraform::TerraformService;
    use crate::testkit::MemoryForge;
    use crate::testkit::RecordingNotifier;
    use chrono::TimeZone;
    use std::sync::{Arc, Mutex};

    const DRIFT_JSON: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/terraform/show-json-v1.5.7/drift.output.json"
    ));

    /// Plans whatever `show -json` it holds (none: no changes).
    #[derive(Default)]
    struct FakeRunner(Mutex<PlanJson>);

    impl FakeRunner {
        fn set(&self, json: PlanJson) {
            *self.0.lock().unwrap() = json;
        }
    }

    #[async_trait::async_trait]
    impl Runner for FakeRunner {
        async fn plan(&self, _request: &PlanRequest) -> Result<PlanOutcome, RunnerError> {
            let plan = self.0.lock().unwrap().clone();
            Ok(PlanOutcome {
                exit: if plan.resource_changes.is_empty() {
                    PlanExit::NoChanges
                } else {
                    PlanExit::Changes
                },
                plan,
                raw_json: RawPlanJson::default(),
                plan_text: Redacted::Shown(String::new()),
                durations: StepDurations::default(),
            })
        }

        async fn apply(&self, _request: &ApplyRequest) -> Result<ApplyOutcome, RunnerError> {
            unreachable!("drift never applies")
        }
    }

    /// A cluster for `envs` whose Flux objects are set by the test; `Err`
    /// stands for an API server that cannot be reached.
    struct FakeCluster {
        envs: Vec<String>,
        objects: Mutex<Result<Vec<FluxObject>, String>>,
    }

    impl FakeCluster {
        fn new(envs: &[&str]) -> Self {
            Self {
                envs: envs.iter().map(|e| (*e).to_owned()).collect(),
                objects: Mutex::new(Ok(Vec::new())),
            }
        }

        fn set(&self, objects: Result<Vec<FluxObject>, String>) {
            *self.objects.lock().unwrap() = objects;
        }
    }

    #[async_trait::async_trait]
    impl Cluster for FakeCluster {
        fn envs(&self) -> Vec<String> {
            self.envs.clone()
        }

        async fn flux_objects(&self, env: &str) -> Result<Vec<FluxObject>, ClusterError> {
            self.objects
                .lock()
                .unwrap()
                .clone()
                .map_err(|reason| ClusterError::Unreachable {
                    env: env.to_owned(),
                    reason,
                })
        }

        async fn gpu_nodes(&self, _env: &str) -> Result<Vec<GpuNode>, ClusterError> {
            Ok(Vec::new())
        }
    }

    fn kustomization(suspended: bool) -> FluxObject {
        FluxObject {
            kind: FluxKind::Kustomization,
            namespace: "flux-system".to_owned(),
            name: "apps".to_owned(),
            suspended,
            revision: None,
            last_applied_revision: None,
            ready: Readiness {
                status: ConditionStatus::True,
                reason: "ReconciliationSucceeded".to_owned(),
                message: String::new(),
            },
            stalled: false,
        }
    }

    /// Everything a drift run needs, with `prd` deployed by one Terraform
    /// project and `dev` by none.
    struct World {
        _dir: tempfile::TempDir,
        forge: MemoryForge,
        store: SledStore,
        config: RepoConfig,
        runner: Arc<FakeRunner>,
        service: TerraformService,
        notifier: Arc<RecordingNotifier>,
        repo: RepoName,
    }

    impl World {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let forge = MemoryForge::new();
            let repo = RepoName::new("acme", "infra").unwrap();
            forge.seed(
                &repo,
                "main",
                &[(
                    "terraform/prd/main.tf",
                    "resource \"test_instance\" \"x\" {}\n",
                )],
                Utc::now(),
            );
            let store = SledStore::open(&dir.path().join("store")).unwrap();
            let config = RepoConfig::parse(
                "environments:\n  - name: dev\n  - name: prd\n    protected: true\nterraform:\n  projects:\n    - name: prd\n      env: prd\n      dir: terraform/prd\n",
            )
            .unwrap();
            let runner = Arc::new(FakeRunner::default());
            let notifier = Arc::new(RecordingNotifier::new());
            let service = TerraformService::new(
                Arc::clone(&runner) as Arc<dyn Runner>,
                dir.path().join("work"),
            )
            .with_notifier(Arc::clone(&notifier) as Arc<dyn crate::ports::notify::Notifier>);
            Self {
                _dir: dir,
                forge,
                store,
                config,
                runner,
                service,
                notifier,
                repo,
            }
        }

        async fn detect(&self, cluster: Option<&FakeCluster>, env: Option<&str>) -> DriftReport {
            let ctx = TfContext {
                forge: &self.forge,
                store: &self.store,
                config: &self.config,
                service: &self.service,
                cluster: cluster.map(|c| c as &dyn Cluster),
                now: Utc::now(),
            };
            let env = env.map(|e| self.config.envs.resolve(e).unwrap());
            detect(&ctx, &self.repo, env.as_ref()).await.unwrap()
        }

        fn issue(&self) -> crate::ports::forge::Issue {
            let issues = self.forge.issues(&self.repo);
            assert_eq!(issues.len(), 1, "one issue per environment: {issues:?}");
            issues[0].clone()
        }
    }

    #[tokio::test]
    async fn terraform_drift_without_a_cluster_says_flux_was_not_checked() {
        let w = World::new();
        w.runner.set(PlanJson::parse(DRIFT_JSON).unwrap());
        let report = w.detect(None, Some("prd")).await;
        assert!(report.has_drift());
        assert!(!report.has_errors());
        assert_eq!(report.flux, [("prd".to_owned(), FluxCheck::NotChecked)]);
        let text = report.text();
        assert!(
            text.contains("Flux in `prd`: not checked (no cluster configured)."),
            "{text}"
        );
        let issue = w.issue();
        assert!(issue.open);
        assert!(
            issue
                .body
                .contains("| `test_instance.should_refresh` | changed outside Terraform |"),
            "{}",
            issue.body
        );
        assert!(
            issue
                .body
                .contains("Flux: not checked (no cluster configured)."),
            "{}",
            issue.body
        );

        // Terraform clean and no cluster: the issue closes as before.
        w.runner.set(PlanJson::default());
        let report = w.detect(None, Some("prd")).await;
        assert!(!report.has_drift());
        assert!(!w.issue().open);
    }

    #[tokio::test]
    async fn the_issue_closes_only_when_terraform_and_flux_are_both_clean() {
        let w = World::new();
        let cluster = FakeCluster::new(&["prd"]);
        w.runner.set(PlanJson::parse(DRIFT_JSON).unwrap());
        cluster.set(Ok(vec![kustomization(true)]));
        let report = w.detect(Some(&cluster), Some("prd")).await;
        assert!(report.has_drift());
        let text = report.text();
        assert!(text.contains("#### Flux in `prd`: drift"), "{text}");
        assert!(
            text.contains("- `Kustomization/flux-system/apps` is suspended"),
            "{text}"
        );
        let body = w.issue().body;
        assert!(body.contains("changed outside Terraform"), "{body}");
        assert!(
            body.contains("- `Kustomization/flux-system/apps` is suspended (first seen "),
            "{body}"
        );

        // Terraform fixed, Flux still suspended: still drift, issue open.
        w.runner.set(PlanJson::default());
        let report = w.detect(Some(&cluster), Some("prd")).await;
        assert!(report.has_drift());
        let issue = w.issue();
        assert!(issue.open);
        assert!(
            issue.body.contains("### Terraform\n\nNo drift.\n"),
            "{}",
            issue.body
        );
        assert!(issue.body.contains("is suspended"), "{}", issue.body);

        // Both clean: closed, with a notice.
        cluster.set(Ok(vec![kustomization(false)]));
        let report = w.detect(Some(&cluster), Some("prd")).await;
        assert!(!report.has_drift());
        assert!(report.text().contains("Flux in `prd`: in sync."));
        assert!(!w.issue().open);
        let notices = w.notifier.thread("drift:acme/infra:prd");
        assert_eq!(notices.len(), 3);
        assert_eq!(notices[2].headline, "No more drift in prd");
    }

    #[tokio::test]
    async fn an_environment_with_a_cluster_and_no_terraform_project_is_checked_for_flux() {
        let w = World::new();
        let cluster = FakeCluster::new(&["dev", "elsewhere"]);
        cluster.set(Ok(vec![kustomization(true)]));
        let report = w.detect(Some(&cluster), Some("dev")).await;
        assert!(report.projects.is_empty());
        assert!(report.has_drift());
        let issue = w.issue();
        assert_eq!(issue.title, "Drift in dev");
        assert!(
            issue
                .body
                .contains("No Terraform project deploys this environment."),
            "{}",
            issue.body
        );
        // Every environment: the cluster's unknown `elsewhere` is left out.
        let report = w.detect(Some(&cluster), None).await;
        let envs: Vec<&str> = report.flux.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(envs, ["dev", "prd"]);
        assert_eq!(report.flux[1].1, FluxCheck::NotChecked);
    }

    #[tokio::test]
    async fn an_unreadable_cluster_is_an_error_and_closes_nothing() {
        let w = World::new();
        let cluster = FakeCluster::new(&["prd"]);
        cluster.set(Ok(vec![kustomization(true)]));
        w.detect(Some(&cluster), Some("prd")).await;
        assert!(w.issue().open);
        cluster.set(Err("connection refused".to_owned()));
        let report = w.detect(Some(&cluster), Some("prd")).await;
        assert!(!report.has_drift());
        assert!(report.has_errors());
        assert!(
            report.text().contains("connection refused"),
            "{}",
            report.text()
        );
        assert!(w.issue().open, "not known clean: the issue stays open");
    }

    #[test]
    fn the_combined_drift_issue_body() {
        let tip: crate::ids::Sha = "696f056df216eea4f9401adbee0ff744d4df390f".parse().unwrap();
        let first = Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap();
        let later = Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap();
        let rows: Vec<TerraformRow> = vec![
            (
                "azurerm_kubernetes_cluster.main".to_owned(),
                "changed outside Terraform",
                first,
            ),
            (
                "module.dns.azurerm_dns_a_record.api".to_owned(),
                "merged but never applied",
                later,
            ),
        ];
        let flux = FluxCheck::Checked(vec![
            FluxDrift::NotReady {
                object: "HelmRelease/apps/qdrant".to_owned(),
                reason: "UpgradeFailed".to_owned(),
                message: "timed out waiting for the condition".to_owned(),
                stalled: true,
            },
            FluxDrift::Suspended {
                object: "Kustomization/flux-system/monitoring".to_owned(),
            },
            FluxDrift::Behind {
                object: "Kustomization/flux-system/apps".to_owned(),
                at: "main@sha1:1111111111111111111111111111111111111111".to_owned(),
                tip: tip.clone(),
            },
        ]);
        insta::assert_snapshot!(issue_body(
            "prd",
            &tip,
            Some(&rows),
            &flux,
            &[first, later, later]
        ));
    }
}
