//! Domain events: what the outside world told bosun, with vendor payloads
//! already translated at the edge.
//!
//! Events are hints. Each names the work keys it touches; the reconcile of a
//! key reads the current state and decides. Events that carry a request
//! (a comment with commands) are kept with the key until a reconcile of that
//! key has handled them.

use crate::ids::{DeliveryId, PrNumber, RepoName, Sha, WorkKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One verified delivery from a vendor, translated into bosun's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The vendor's id for this delivery; redeliveries keep it.
    pub delivery: DeliveryId,
    /// When bosun received it.
    pub received_at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
}

/// Who did something on a forge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// The login (`octocat`, `bosun[bot]`).
    pub login: String,
    /// Whether the forge marks the account as a bot or app.
    pub is_bot: bool,
}

impl Actor {
    /// A human account.
    pub fn user(login: &str) -> Self {
        Self {
            login: login.to_owned(),
            is_bot: false,
        }
    }
}

/// The kinds of event bosun understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A webhook was set up or tested.
    Ping {
        /// GitHub's zen line, kept for the log.
        zen: String,
    },
    /// A pull request was opened, updated, reopened or closed.
    PullRequest(PullRequestEvent),
    /// A comment on a pull request or issue was created, edited or deleted.
    Comment(CommentEvent),
    /// A review was submitted on a pull request.
    Review(ReviewEvent),
    /// Commits were pushed to a branch or tag.
    Push(PushEvent),
    /// A check run changed state.
    CheckRun(CheckRunEvent),
    /// A workflow run changed state.
    WorkflowRun(WorkflowRunEvent),
    /// The app was installed on, or removed from, repositories.
    Installation(InstallationEvent),
    /// Flux's notification-controller reported on an object it reconciles.
    Flux(FluxEvent),
    /// Alertmanager notified about one alert group (issue 8).
    Alerts(crate::alerts::AlertBatch),
    /// An environment's daily alert digest is due (issue 8).
    AlertDigest(crate::alerts::DigestDue),
    /// Someone asked for a command in chat (Slack, Discord).
    Chat(crate::chat::ChatRequest),
}

/// What happened to a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrAction {
    /// Newly opened.
    Opened,
    /// New commits on the head branch.
    Synchronize,
    /// Reopened after being closed.
    Reopened,
    /// Closed, merged or not.
    Closed,
    /// Any other action (labels, edits, reviews requested...).
    Other,
}

/// A change to a pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequestEvent {
    /// The repository.
    pub repo: RepoName,
    /// The pull request's number.
    pub number: PrNumber,
    /// What happened.
    pub action: PrAction,
    /// The head commit after the change.
    pub head_sha: Sha,
    /// Whether the pull request is merged (only when closed).
    pub merged: bool,
    /// The commit the merge made on the base branch, when merged.
    #[serde(default)]
    pub merge_sha: Option<Sha>,
    /// Who made the change.
    pub sender: Actor,
}

/// What happened to a comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CommentAction {
    /// A new comment.
    Created,
    /// An edit; `previous_body` is the text before it, when the forge says.
    Edited {
        /// The comment's text before the edit.
        previous_body: Option<String>,
    },
    /// The comment was deleted.
    Deleted,
}

/// A comment on a pull request or an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentEvent {
    /// The repository.
    pub repo: RepoName,
    /// The pull request's or issue's number.
    pub number: PrNumber,
    /// Whether `number` is a pull request (GitHub sends PR comments as issue comments).
    pub on_pull_request: bool,
    /// The forge's id of the comment.
    pub comment_id: u64,
    /// What happened to the comment.
    pub action: CommentAction,
    /// The comment's author.
    pub author: Actor,
    /// The comment's text (after the change).
    pub body: String,
}

/// A review submitted on a pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewEvent {
    /// The repository.
    pub repo: RepoName,
    /// The pull request's number.
    pub number: PrNumber,
    /// The reviewer.
    pub reviewer: Actor,
    /// `approved`, `changes_requested`, `commented` or `dismissed`.
    pub state: String,
}

/// Commits pushed to a ref.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushEvent {
    /// The repository.
    pub repo: RepoName,
    /// The full ref (`refs/heads/main`).
    pub git_ref: String,
    /// The ref's commit after the push (all zeros when deleted).
    pub after: String,
    /// Who pushed.
    pub pusher: Actor,
}

/// A check run changed state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRunEvent {
    /// The repository.
    pub repo: RepoName,
    /// The check's name.
    pub name: String,
    /// The commit checked.
    pub head_sha: Sha,
    /// `queued`, `in_progress` or `completed`.
    pub status: String,
    /// The conclusion once completed.
    pub conclusion: Option<String>,
    /// The pull requests the commit belongs to.
    pub pull_requests: Vec<PrNumber>,
}

/// A workflow run changed state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunEvent {
    /// The repository.
    pub repo: RepoName,
    /// The run's id (to fetch its artifacts).
    pub run_id: u64,
    /// The workflow's name.
    pub name: String,
    /// The commit the workflow ran on.
    pub head_sha: Sha,
    /// The conclusion once completed.
    pub conclusion: Option<String>,
    /// The pull requests the commit belongs to.
    pub pull_requests: Vec<PrNumber>,
}

/// The app was installed on, or removed from, repositories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstallationEvent {
    /// `created`, `deleted`, `added`, `removed`, ...
    pub action: String,
    /// The repositories named by the event.
    pub repos: Vec<RepoName>,
}

/// Flux's severity of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FluxSeverity {
    /// Detail below `info`, sent only to Alerts that ask for it.
    Trace,
    /// A reconciliation happened (applied, up to date, progressing).
    Info,
    /// A reconciliation failed.
    Error,
}

/// The revision a Flux object reports (`<branch>@sha1:<commit>` since Flux 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FluxRevision {
    /// The text exactly as Flux sent it.
    pub raw: String,
    /// The branch or tag before `@sha1:`, when the revision has that form.
    pub branch: Option<String>,
    /// The git commit after `sha1:`, when the revision names one.
    pub sha: Option<Sha>,
}

impl FluxRevision {
    /// Reads a revision. Only the Flux ≥ 2 git form (`main@sha1:<40 hex>`,
    /// or `sha1:<40 hex>` for a bare commit) yields a branch and a commit;
    /// any other form (the old `main/<sha>`, OCI `v1.0.1@sha256:<digest>`,
    /// a chart version) keeps only the raw text.
    pub fn parse(raw: &str) -> Self {
        let (branch, digest) = match raw.rsplit_once('@') {
            Some((branch, digest)) if !branch.is_empty() => (Some(branch), digest),
            Some(_) => (None, ""),
            None => (None, raw),
        };
        let sha = digest
            .strip_prefix("sha1:")
            .and_then(|hex| hex.parse::<Sha>().ok())
            .filter(|sha| sha.as_str().len() == 40);
        Self {
            raw: raw.to_owned(),
            branch: sha.as_ref().and(branch).map(str::to_owned),
            sha,
        }
    }
}

/// An event Flux's notification-controller sent about one object it
/// reconciles, with the Alert's `eventMetadata` (`env`, `cluster`) read out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FluxEvent {
    /// The object's kind (`Kustomization`, `HelmRelease`, `GitRepository`...).
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The object's namespace.
    pub namespace: String,
    /// How bad it is.
    pub severity: FluxSeverity,
    /// Flux's short reason (`ReconciliationSucceeded`, `HealthCheckFailed`...).
    pub reason: String,
    /// Flux's message, cut to [`FluxEvent::MAX_MESSAGE_CHARS`] characters.
    pub message: String,
    /// When the controller emitted the event.
    pub timestamp: DateTime<Utc>,
    /// The revision the object reconciled, when the event names one.
    pub revision: Option<FluxRevision>,
    /// The environment, from the Alert's `eventMetadata` key `env`.
    pub env: Option<String>,
    /// The cluster, from the Alert's `eventMetadata` key `cluster`.
    pub cluster: Option<String>,
    /// The controller that sent the event (`kustomize-controller`...).
    pub reporting_controller: String,
}

impl FluxEvent {
    /// Longest message kept; Flux sends up to 39,000 characters.
    pub const MAX_MESSAGE_CHARS: usize = 1_000;
}

impl EventKind {
    /// The work keys this event touches, in a stable order without repeats.
    pub fn keys(&self) -> Vec<WorkKey> {
        let mut keys = match self {
            Self::Ping { .. } => Vec::new(),
            Self::PullRequest(e) => vec![WorkKey::pr(&e.repo, e.number)],
            Self::Comment(e) if e.on_pull_request => vec![WorkKey::pr(&e.repo, e.number)],
            Self::Comment(_) => Vec::new(),
            Self::Review(e) => vec![WorkKey::pr(&e.repo, e.number)],
            Self::Push(e) => vec![WorkKey::Repository {
                repo: e.repo.clone(),
            }],
            Self::CheckRun(e) => pr_keys(&e.repo, &e.pull_requests),
            // A run GitHub lists no pull request for (a fork's) wakes the
            // repository, whose reconcile reads it and wakes its pull requests.
            Self::WorkflowRun(e) if e.pull_requests.is_empty() => vec![WorkKey::Repository {
                repo: e.repo.clone(),
            }],
            Self::WorkflowRun(e) => pr_keys(&e.repo, &e.pull_requests),
            Self::Installation(e) if e.action == "deleted" || e.action == "removed" => Vec::new(),
            Self::Installation(e) => e
                .repos
                .iter()
                .map(|repo| WorkKey::Repository { repo: repo.clone() })
                .collect(),
            // A Kustomization's events tell whether a promotion reached its
            // environment; every object's errors and recoveries are
            // summarised in the environment's alert threads.
            Self::Flux(e) => e
                .env
                .as_deref()
                .and_then(WorkKey::env)
                .into_iter()
                .collect(),
            Self::Alerts(batch) => batch.envs().into_iter().filter_map(WorkKey::env).collect(),
            Self::AlertDigest(due) => WorkKey::env(&due.env).into_iter().collect(),
            Self::Chat(e) => vec![WorkKey::Chat {
                repo: e.repo.clone(),
            }],
        };
        keys.sort();
        keys.dedup();
        keys
    }

    /// A short name for logs and metrics (`pull_request`, `comment`, ...).
    pub fn label(&self) -> &'static str {
        match self {
            Self::Ping { .. } => "ping",
            Self::PullRequest(_) => "pull_request",
            Self::Comment(_) => "comment",
            Self::Review(_) => "review",
            Self::Push(_) => "push",
            Self::CheckRun(_) => "check_run",
            Self::WorkflowRun(_) => "workflow_run",
            Self::Installation(_) => "installation",
            Self::Flux(_) => "flux",
            Self::Alerts(_) => "alerts",
            Self::AlertDigest(_) => "alert_digest",
            Self::Chat(_) => "chat",
        }
    }
}

fn pr_keys(repo: &RepoName, numbers: &[PrNumber]) -> Vec<WorkKey> {
    numbers.iter().map(|n| WorkKey::pr(repo, *n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "731f7eaddfb6af01cb2173e18f0f75b0ba780ef1";

    #[test]
    fn a_flux_2_git_revision_yields_its_branch_and_commit() {
        let raw = format!("main@sha1:{COMMIT}");
        let revision = FluxRevision::parse(&raw);
        assert_eq!(revision.raw, raw);
        assert_eq!(revision.branch.as_deref(), Some("main"));
        assert_eq!(revision.sha.as_ref().map(Sha::as_str), Some(COMMIT));
    }

    #[test]
    fn a_branch_with_slashes_or_at_signs_keeps_everything_before_the_last_at() {
        let revision = FluxRevision::parse(&format!("release/v1@2@sha1:{COMMIT}"));
        assert_eq!(revision.branch.as_deref(), Some("release/v1@2"));
        assert_eq!(revision.sha.as_ref().map(Sha::as_str), Some(COMMIT));
    }

    #[test]
    fn a_bare_commit_revision_has_a_commit_and_no_branch() {
        let revision = FluxRevision::parse(&format!("sha1:{COMMIT}"));
        assert_eq!(revision.branch, None);
        assert_eq!(revision.sha.as_ref().map(Sha::as_str), Some(COMMIT));
    }

    #[test]
    fn the_pre_flux_2_form_keeps_only_the_raw_text() {
        let raw = format!("main/{COMMIT}");
        let revision = FluxRevision::parse(&raw);
        assert_eq!(revision.raw, raw);
        assert_eq!((revision.branch, revision.sha), (None, None));
    }

    #[test]
    fn an_oci_digest_is_not_a_git_commit() {
        let digest = "a".repeat(64);
        let raw = format!("v1.0.1@sha256:{digest}");
        let revision = FluxRevision::parse(&raw);
        assert_eq!(revision.raw, raw);
        assert_eq!((revision.branch, revision.sha), (None, None));
    }

    #[test]
    fn a_malformed_commit_keeps_only_the_raw_text() {
        for raw in ["main@sha1:abc", "main@sha1:", "@sha1:", "6.0.1", ""] {
            let revision = FluxRevision::parse(raw);
            assert_eq!(revision.raw, raw);
            assert_eq!((revision.branch, revision.sha), (None, None), "{raw}");
        }
    }

    fn flux(kind: &str, env: Option<&str>) -> EventKind {
        EventKind::Flux(FluxEvent {
            kind: kind.to_owned(),
            name: "apps".to_owned(),
            namespace: "flux-system".to_owned(),
            severity: FluxSeverity::Info,
            reason: "ReconciliationSucceeded".to_owned(),
            message: "Reconciliation finished".to_owned(),
            timestamp: DateTime::UNIX_EPOCH,
            revision: Some(FluxRevision::parse(&format!("main@sha1:{COMMIT}"))),
            env: env.map(str::to_owned),
            cluster: Some("prd-uaenorth".to_owned()),
            reporting_controller: "kustomize-controller".to_owned(),
        })
    }

    #[test]
    fn a_kustomization_event_with_an_env_touches_that_env_and_is_labelled_flux() {
        let kind = flux("Kustomization", Some("prd"));
        assert_eq!(
            kind.keys(),
            vec![WorkKey::Env {
                env: "prd".to_owned()
            }]
        );
        assert_eq!(kind.label(), "flux");
    }

    #[test]
    fn every_flux_object_with_an_env_touches_that_env_for_its_alert_thread() {
        for kind in [
            flux("HelmRelease", Some("prd")),
            flux("GitRepository", Some("prd")),
        ] {
            assert_eq!(kind.keys(), vec![WorkKey::env("prd").unwrap()], "{kind:?}");
        }
    }

    #[test]
    fn flux_events_without_a_usable_env_touch_no_work_key() {
        for kind in [
            flux("Kustomization", None),
            flux("Kustomization", Some("")),
            flux("Kustomization", Some("prd uaenorth")),
        ] {
            assert!(kind.keys().is_empty(), "{kind:?}");
        }
    }
}
