//! GitHub webhook payloads, read into bosun's domain events.
//!
//! Only the fields bosun uses are declared, so a payload that gains fields
//! (GitHub adds them often) still reads; a payload that lacks a field bosun
//! needs is malformed. octocrab's webhook models are stricter than GitHub's
//! real deliveries in places, which would turn a harmless schema change into
//! lost events, so these small structs are written here.

use bosun_reconciler::event::{
    Actor, CheckRunEvent, CommentAction, CommentEvent, EventKind, InstallationEvent, PrAction,
    PullRequestEvent, PushEvent, ReviewEvent, WorkflowRunEvent,
};
use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// Not JSON, or a needed field is missing or of the wrong type.
    #[error("malformed {event} payload: {reason}")]
    Malformed {
        /// The `X-GitHub-Event` value.
        event: String,
        /// What serde said.
        reason: String,
    },
}

#[derive(Deserialize)]
struct User {
    login: String,
    #[serde(rename = "type", default)]
    kind: String,
}

impl From<User> for Actor {
    fn from(user: User) -> Self {
        Actor {
            is_bot: user.kind == "Bot" || user.login.ends_with("[bot]"),
            login: user.login,
        }
    }
}

#[derive(Deserialize)]
struct Repository {
    full_name: RepoName,
}

#[derive(Deserialize)]
struct Number {
    number: PrNumber,
}

#[derive(Deserialize)]
struct PullRequestPayload {
    action: String,
    number: PrNumber,
    pull_request: PullRequestBody,
    repository: Repository,
    sender: User,
}

#[derive(Deserialize)]
struct PullRequestBody {
    head: Head,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
}

#[derive(Deserialize)]
struct Head {
    sha: Sha,
}

#[derive(Deserialize)]
struct IssueCommentPayload {
    action: String,
    issue: Issue,
    comment: CommentBody,
    #[serde(default)]
    changes: Option<Changes>,
    repository: Repository,
}

#[derive(Deserialize)]
struct Issue {
    number: PrNumber,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct CommentBody {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    user: User,
}

#[derive(Deserialize)]
struct Changes {
    #[serde(default)]
    body: Option<PreviousText>,
}

#[derive(Deserialize)]
struct PreviousText {
    from: String,
}

#[derive(Deserialize)]
struct ReviewPayload {
    review: ReviewBody,
    pull_request: Number,
    repository: Repository,
}

#[derive(Deserialize)]
struct ReviewBody {
    state: String,
    user: User,
}

#[derive(Deserialize)]
struct PushPayload {
    #[serde(rename = "ref")]
    git_ref: String,
    after: String,
    repository: Repository,
    sender: User,
}

#[derive(Deserialize)]
struct CheckRunPayload {
    check_run: CheckRunBody,
    repository: Repository,
}

#[derive(Deserialize)]
struct CheckRunBody {
    name: String,
    head_sha: Sha,
    status: String,
    #[serde(default)]
    conclusion: Option<String>,
    #[serde(default)]
    pull_requests: Vec<Number>,
}

#[derive(Deserialize)]
struct WorkflowRunPayload {
    workflow_run: WorkflowRunBody,
    repository: Repository,
}

#[derive(Deserialize)]
struct WorkflowRunBody {
    id: u64,
    #[serde(default)]
    name: Option<String>,
    head_sha: Sha,
    #[serde(default)]
    conclusion: Option<String>,
    #[serde(default)]
    pull_requests: Vec<Number>,
}

#[derive(Deserialize)]
struct InstallationPayload {
    action: String,
    #[serde(default)]
    repositories: Vec<Repository>,
    #[serde(default)]
    repositories_added: Vec<Repository>,
}

#[derive(Deserialize)]
struct PingPayload {
    #[serde(default)]
    zen: String,
}

fn read<T: DeserializeOwned>(event: &str, body: &[u8]) -> Result<T, PayloadError> {
    serde_json::from_slice(body).map_err(|e| PayloadError::Malformed {
        event: event.to_owned(),
        reason: e.to_string(),
    })
}

fn pr_action(action: &str) -> PrAction {
    match action {
        "opened" => PrAction::Opened,
        "synchronize" => PrAction::Synchronize,
        "reopened" => PrAction::Reopened,
        "closed" => PrAction::Closed,
        _ => PrAction::Other,
    }
}

fn numbers(list: Vec<Number>) -> Vec<PrNumber> {
    list.into_iter().map(|n| n.number).collect()
}

/// Reads a payload of GitHub event type `event` (the `X-GitHub-Event`
/// header). `Ok(None)` means bosun does not handle that event type.
pub fn parse(event: &str, body: &[u8]) -> Result<Option<EventKind>, PayloadError> {
    let kind = match event {
        "ping" => {
            let p: PingPayload = read(event, body)?;
            EventKind::Ping { zen: p.zen }
        }
        "pull_request" => {
            let p: PullRequestPayload = read(event, body)?;
            EventKind::PullRequest(PullRequestEvent {
                repo: p.repository.full_name,
                number: p.number,
                action: pr_action(&p.action),
                head_sha: p.pull_request.head.sha,
                merged: p.pull_request.merged.unwrap_or(false),
                // GitHub fills `merge_commit_sha` for open PRs too (a test
                // merge); it names the merge only once the PR is merged.
                merge_sha: p
                    .pull_request
                    .merged
                    .unwrap_or(false)
                    .then(|| p.pull_request.merge_commit_sha.and_then(|s| s.parse().ok()))
                    .flatten(),
                sender: p.sender.into(),
            })
        }
        "issue_comment" => {
            let p: IssueCommentPayload = read(event, body)?;
            let action = match p.action.as_str() {
                "created" => CommentAction::Created,
                "edited" => CommentAction::Edited {
                    previous_body: p.changes.and_then(|c| c.body).map(|b| b.from),
                },
                "deleted" => CommentAction::Deleted,
                _ => return Ok(None),
            };
            EventKind::Comment(CommentEvent {
                repo: p.repository.full_name,
                number: p.issue.number,
                on_pull_request: p.issue.pull_request.is_some(),
                comment_id: p.comment.id,
                action,
                author: p.comment.user.into(),
                body: p.comment.body.unwrap_or_default(),
            })
        }
        "pull_request_review" => {
            let p: ReviewPayload = read(event, body)?;
            EventKind::Review(ReviewEvent {
                repo: p.repository.full_name,
                number: p.pull_request.number,
                reviewer: p.review.user.into(),
                state: p.review.state.to_ascii_lowercase(),
            })
        }
        "push" => {
            let p: PushPayload = read(event, body)?;
            EventKind::Push(PushEvent {
                repo: p.repository.full_name,
                git_ref: p.git_ref,
                after: p.after,
                pusher: p.sender.into(),
            })
        }
        "check_run" => {
            let p: CheckRunPayload = read(event, body)?;
            EventKind::CheckRun(CheckRunEvent {
                repo: p.repository.full_name,
                name: p.check_run.name,
                head_sha: p.check_run.head_sha,
                status: p.check_run.status,
                conclusion: p.check_run.conclusion,
                pull_requests: numbers(p.check_run.pull_requests),
            })
        }
        "workflow_run" => {
            let p: WorkflowRunPayload = read(event, body)?;
            EventKind::WorkflowRun(WorkflowRunEvent {
                repo: p.repository.full_name,
                run_id: p.workflow_run.id,
                name: p.workflow_run.name.unwrap_or_default(),
                head_sha: p.workflow_run.head_sha,
                conclusion: p.workflow_run.conclusion,
                pull_requests: numbers(p.workflow_run.pull_requests),
            })
        }
        "installation" | "installation_repositories" => {
            let p: InstallationPayload = read(event, body)?;
            let repos = p
                .repositories
                .into_iter()
                .chain(p.repositories_added)
                .map(|r| r.full_name)
                .collect();
            EventKind::Installation(InstallationEvent {
                action: p.action,
                repos,
            })
        }
        _ => return Ok(None),
    };
    Ok(Some(kind))
}
