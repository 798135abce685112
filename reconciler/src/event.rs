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
            Self::WorkflowRun(e) => pr_keys(&e.repo, &e.pull_requests),
            Self::Installation(e) if e.action == "deleted" || e.action == "removed" => Vec::new(),
            Self::Installation(e) => e
                .repos
                .iter()
                .map(|repo| WorkKey::Repository { repo: repo.clone() })
                .collect(),
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
        }
    }
}

fn pr_keys(repo: &RepoName, numbers: &[PrNumber]) -> Vec<WorkKey> {
    numbers.iter().map(|n| WorkKey::pr(repo, *n)).collect()
}
