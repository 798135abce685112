//! The `Forge` port: pull requests, comments, checks, reviews and merges on a
//! code host. Adapters: GitHub (over octocrab) and the local forge (a git
//! checkout plus records in the store), both in the `bot` crate.
//!
//! Every writing method is idempotent by design: a PR is found by its head
//! branch before one is created, a comment is found by its hidden marker
//! before one is posted, a check is found by its name before one is created,
//! and a merged PR is not merged again. A crash between two calls and a retry
//! therefore converge on the same outside world.

use crate::ids::{PrNumber, RepoName, Sha};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// The state of a pull request as the forge reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The repository.
    pub repo: RepoName,
    /// The number.
    pub number: PrNumber,
    /// The title.
    pub title: String,
    /// The author's login.
    pub author: String,
    /// The head branch's name.
    pub head_ref: String,
    /// The head commit.
    pub head_sha: Sha,
    /// The branch it would merge into.
    pub base_ref: String,
    /// Open, closed or merged.
    pub state: PrState,
    /// Whether it can merge cleanly, once the forge has computed it.
    pub mergeable: Option<bool>,
    /// The commit its merge made on the base branch, once merged.
    pub merge_sha: Option<Sha>,
    /// The address a person opens to see it.
    pub url: String,
}

/// Whether a pull request is open, closed or merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrState {
    /// Open for review.
    Open,
    /// Closed without merging.
    Closed,
    /// Merged.
    Merged,
}

/// A file read from the repository at some commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoFile {
    /// Its path from the repository's root (`flux-config/apps/prd/kustomization.yaml`).
    pub path: String,
    /// Its text (files that are not UTF-8 are left out by the adapters).
    pub text: String,
}

/// One file to change in a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Its path from the repository's root.
    pub path: String,
    /// Its new text; `None` deletes the file.
    pub text: Option<String>,
}

/// A commit for bosun to write on a branch of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRequest {
    /// The branch to point at the new commit: created, or moved to it
    /// (force) when it exists. Never the default branch.
    pub branch: String,
    /// The commit the new one builds on.
    pub parent: Sha,
    /// The commit message.
    pub message: String,
    /// What changes relative to `parent`.
    pub changes: Vec<FileChange>,
}

/// What to open a pull request with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPullRequest {
    /// The branch with the change (must already exist).
    pub head_ref: String,
    /// The branch to merge into.
    pub base_ref: String,
    /// The title.
    pub title: String,
    /// The description (Markdown).
    pub body: String,
}

/// A hidden marker that identifies one of bosun's own comments, written as
/// `<!-- bosun:KIND:KEY -->` at the top of the comment body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marker {
    kind: String,
    key: String,
}

impl Marker {
    /// A marker for a comment of `kind` (`envs`, `plan`, `cmd`) about `key`.
    ///
    /// Characters that could end the HTML comment are replaced so a marker
    /// can never close itself early.
    pub fn new(kind: &str, key: &str) -> Self {
        let clean = |s: &str| s.replace(['<', '>', ' ', '\n'], "_").replace("--", "-_");
        Self {
            kind: clean(kind),
            key: clean(key),
        }
    }

    /// Whether a comment body carries this marker.
    pub fn is_in(&self, body: &str) -> bool {
        body.starts_with(&self.to_string())
    }

    /// Whether a comment body carries any bosun marker.
    pub fn any_in(body: &str) -> bool {
        body.starts_with("<!-- bosun:")
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<!-- bosun:{}:{} -->", self.kind, self.key)
    }
}

/// A comment as the forge reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// The forge's id.
    pub id: u64,
    /// The author's login.
    pub author: String,
    /// The text.
    pub body: String,
}

/// The outcome of an upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// No comment had the marker: one was created.
    Created(u64),
    /// The comment with the marker had other text: it was updated.
    Updated(u64),
    /// The comment with the marker already said exactly this: nothing was sent.
    Unchanged(u64),
}

/// A check's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Waiting to start.
    Queued,
    /// Running.
    InProgress,
    /// Finished with a conclusion.
    Completed(CheckConclusion),
}

/// How a finished check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckConclusion {
    /// Passed.
    Success,
    /// Failed: blocks merging when required.
    Failure,
    /// Neither passed nor failed.
    Neutral,
    /// Needs a person to act.
    ActionRequired,
    /// Did not finish in time.
    TimedOut,
    /// Stopped.
    Cancelled,
    /// Not run.
    Skipped,
}

/// A check to create or update on a commit, found by its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSpec {
    /// The check's name (`bosun/gate`, `bosun/plan: prd`).
    pub name: String,
    /// The commit checked.
    pub head_sha: Sha,
    /// Its state.
    pub status: CheckStatus,
    /// One line for the checks list.
    pub title: String,
    /// The summary (Markdown).
    pub summary: String,
}

/// A review on a pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The reviewer's login.
    pub reviewer: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`.
    pub state: String,
    /// The commit the review was made on.
    pub commit: Option<Sha>,
}

/// A person's access to a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// No access, or only read.
    Read,
    /// May push (write, maintain).
    Write,
    /// Administers the repository.
    Admin,
}

/// What happened when bosun asked to merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MergeOutcome {
    /// Merged now, at this merge commit.
    Merged(Sha),
    /// It had been merged already.
    AlreadyMerged,
}

/// Why a forge call failed, as outcomes a caller can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForgeError {
    /// The object does not exist (or bosun may not see it).
    #[error("not found: {0}")]
    NotFound(String),
    /// The forge refused because of the object's state (not mergeable, conflict).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The forge asked bosun to slow down.
    #[error("rate limited, retry after {retry_after:?}")]
    RateLimited {
        /// How long the forge asked bosun to wait.
        retry_after: Duration,
    },
    /// Credentials are missing, wrong or lack a permission.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The request was invalid (a bug in bosun, or a limit).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A server error or a network failure that may pass.
    #[error("transient failure: {0}")]
    Transient(String),
}

impl ForgeError {
    /// A short label for metrics.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "forge_not_found",
            Self::Conflict(_) => "forge_conflict",
            Self::RateLimited { .. } => "forge_rate_limited",
            Self::Unauthorized(_) => "forge_unauthorized",
            Self::Invalid(_) => "forge_invalid",
            Self::Transient(_) => "forge_transient",
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient(_))
    }
}

/// The code host, as the engine needs it.
#[async_trait]
pub trait Forge: Send + Sync {
    /// The login bosun's own comments are written under (`bosun[bot]`).
    async fn bot_login(&self) -> Result<String, ForgeError>;

    /// The repositories bosun manages through this forge.
    async fn managed_repos(&self) -> Result<Vec<RepoName>, ForgeError>;

    /// Every open pull request of a repository.
    async fn open_pull_requests(&self, repo: &RepoName) -> Result<Vec<PullRequest>, ForgeError>;

    /// One pull request.
    async fn pull_request(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<PullRequest, ForgeError>;

    /// The paths a pull request changes (against its merge base).
    async fn changed_files(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<String>, ForgeError>;

    /// The open pull request from `head_ref`, or a new one.
    async fn find_or_create_pull_request(
        &self,
        repo: &RepoName,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError>;

    /// Every comment on a pull request or issue, oldest first.
    async fn comments(&self, repo: &RepoName, number: PrNumber)
    -> Result<Vec<Comment>, ForgeError>;

    /// Creates or updates the one comment of bosun's that carries `marker`.
    /// `body` is the text after the marker; a body longer than the forge's
    /// limit is folded to fit, never refused.
    async fn upsert_comment(
        &self,
        repo: &RepoName,
        number: PrNumber,
        marker: &Marker,
        body: &str,
    ) -> Result<Upserted, ForgeError>;

    /// Creates or updates the check named `check.name` on `check.head_sha`.
    async fn set_check(&self, repo: &RepoName, check: &CheckSpec) -> Result<(), ForgeError>;

    /// The reviews on a pull request, oldest first.
    async fn reviews(&self, repo: &RepoName, number: PrNumber) -> Result<Vec<Review>, ForgeError>;

    /// A person's access to a repository.
    async fn access(&self, repo: &RepoName, login: &str) -> Result<Access, ForgeError>;

    /// Merges a pull request, unless it is merged already.
    async fn merge(&self, repo: &RepoName, number: PrNumber) -> Result<MergeOutcome, ForgeError>;

    /// A file's text on the default branch, or `None` when it does not exist.
    async fn file(&self, repo: &RepoName, path: &str) -> Result<Option<String>, ForgeError>;

    /// Whether `login` is an active member of the team `org/team`.
    async fn is_team_member(&self, org: &str, team: &str, login: &str) -> Result<bool, ForgeError>;

    /// The name of the repository's default branch.
    async fn default_branch(&self, repo: &RepoName) -> Result<String, ForgeError>;

    /// The commit a branch name or commit id points at (`NotFound` when none).
    async fn resolve(&self, repo: &RepoName, git_ref: &str) -> Result<Sha, ForgeError>;

    /// Every text file at `commit` whose path lies under one of `folders`
    /// (`flux-config/apps/prd` covers `flux-config/apps/prd/a.yaml` and
    /// deeper), sorted by path. A folder that does not exist adds nothing.
    async fn files_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        folders: &[String],
    ) -> Result<Vec<RepoFile>, ForgeError>;

    /// Writes one commit with `request.changes` on top of `request.parent`
    /// and points `request.branch` at it. Idempotent: when the branch already
    /// points at a commit with that parent and the same resulting files,
    /// nothing is written and that commit is returned. Refuses (`Invalid`)
    /// to write the default branch.
    async fn commit_files(
        &self,
        repo: &RepoName,
        request: &CommitRequest,
    ) -> Result<Sha, ForgeError>;

    /// The newest commit reachable from `commit` that changed `path`, and
    /// when it was committed; `None` when no commit did.
    async fn last_change(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<(Sha, DateTime<Utc>)>, ForgeError>;

    /// Whether `ancestor` is `descendant` itself or one of its ancestors.
    async fn is_ancestor(
        &self,
        repo: &RepoName,
        ancestor: &Sha,
        descendant: &Sha,
    ) -> Result<bool, ForgeError>;

    /// Replaces a pull request's title and description.
    async fn update_pull_request(
        &self,
        repo: &RepoName,
        number: PrNumber,
        title: &str,
        body: &str,
    ) -> Result<(), ForgeError>;

    /// Adds labels to a pull request (those it has already stay).
    async fn add_labels(
        &self,
        repo: &RepoName,
        number: PrNumber,
        labels: &[String],
    ) -> Result<(), ForgeError>;

    // --- issue 5: Terraform (the gate requirement of `/apply`, drift issues) ---

    /// The state of the check named `name` on `commit` (bosun's own checks),
    /// `None` when there is none.
    async fn check_status(
        &self,
        repo: &RepoName,
        commit: &Sha,
        name: &str,
    ) -> Result<Option<CheckStatus>, ForgeError>;

    /// The open issue whose body starts with `marker`, if any.
    async fn find_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
    ) -> Result<Option<Issue>, ForgeError>;

    /// Creates an issue whose body is `marker` then `body`, or updates the
    /// open one that carries `marker`; returns its number.
    async fn upsert_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
        title: &str,
        body: &str,
    ) -> Result<PrNumber, ForgeError>;

    /// Comments `note` on the open issue carrying `marker` and closes it;
    /// returns its number, or `None` when no open issue carries it.
    async fn close_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
        note: &str,
    ) -> Result<Option<PrNumber>, ForgeError>;

    // --- issue 6: the merge gate (`bosun/gate`) ---

    /// A file's text at `commit`, or `None` when it does not exist there.
    async fn file_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<String>, ForgeError>;

    /// The artifacts a CI workflow run uploaded (expired ones included, marked).
    async fn run_artifacts(
        &self,
        repo: &RepoName,
        run_id: u64,
    ) -> Result<Vec<RunArtifact>, ForgeError>;

    /// One artifact's zip archive, as bytes.
    async fn download_artifact(
        &self,
        repo: &RepoName,
        artifact_id: u64,
    ) -> Result<Vec<u8>, ForgeError>;
}

/// An issue as the forge reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// Its number.
    pub number: PrNumber,
    /// Its title.
    pub title: String,
    /// Its text (starting with bosun's marker for bosun's issues).
    pub body: String,
    /// Whether it is open.
    pub open: bool,
}

/// An artifact a CI workflow run uploaded (issue 6: the merge gate reads
/// the Trivy reports from one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunArtifact {
    /// The forge's id, to download it.
    pub id: u64,
    /// Its name (`bosun-trivy-reports`).
    pub name: String,
    /// Its size in bytes (the zip archive).
    pub size_in_bytes: u64,
    /// Whether the forge has deleted it (past its retention).
    pub expired: bool,
}

/// GitHub's limit on the length of an issue or pull request comment, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Joins a marker and a body into one comment of at most `limit` characters.
///
/// A body that does not fit is cut at a line boundary and closed with a note
/// saying how much was left out; an open code fence or `<details>` block is
/// closed so the rest of the comment still renders.
pub fn fold_comment(marker: &Marker, body: &str, limit: usize) -> String {
    let head = format!("{marker}\n");
    let whole = head.chars().count() + body.chars().count();
    if whole <= limit {
        return format!("{head}{body}");
    }
    let reserve = 200;
    let room = limit.saturating_sub(head.chars().count() + reserve);
    let cut: String = body.chars().take(room).collect();
    let cut = match cut.rfind('\n') {
        Some(end) if end > 0 => cut[..end].to_owned(),
        _ => cut,
    };
    let left_out = body.chars().count() - cut.chars().count();
    let mut out = format!("{head}{cut}\n");
    if cut.matches("```").count() % 2 == 1 {
        out.push_str("```\n");
    }
    let open_details = cut.matches("<details").count();
    let closed_details = cut.matches("</details>").count();
    for _ in closed_details..open_details {
        out.push_str("</details>\n");
    }
    out.push_str(&format!(
        "\n> [!NOTE]\n> {left_out} characters were cut to fit the forge's limit of {limit}.\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_comments_are_kept_whole() {
        let marker = Marker::new("envs", "pr");
        let text = fold_comment(&marker, "hello", GITHUB_COMMENT_LIMIT);
        assert_eq!(text, "<!-- bosun:envs:pr -->\nhello");
        assert!(marker.is_in(&text));
    }

    #[test]
    fn long_comments_are_folded_under_the_limit_and_stay_well_formed() {
        let marker = Marker::new("plan", "prd");
        let body = format!(
            "<details><summary>plan</summary>\n\n```\n{}",
            "resource change line\n".repeat(10_000)
        );
        let text = fold_comment(&marker, &body, GITHUB_COMMENT_LIMIT);
        assert!(text.chars().count() <= GITHUB_COMMENT_LIMIT);
        assert!(marker.is_in(&text));
        assert_eq!(text.matches("```").count() % 2, 0);
        assert!(text.contains("</details>"));
        assert!(text.contains("characters were cut"));
    }

    #[test]
    fn markers_cannot_close_their_own_html_comment() {
        let marker = Marker::new("cmd", "a-->b <x>");
        assert_eq!(marker.to_string(), "<!-- bosun:cmd:a-__b__x_ -->");
        assert_eq!(marker.to_string().matches("-->").count(), 1);
    }
}
