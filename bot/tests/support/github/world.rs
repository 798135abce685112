//! The fake GitHub's state: one in-memory world that every route reads and
//! changes, and that tests seed and inspect through [`super::GitHubFake`].

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

/// A pull request in the fake world.
#[derive(Clone, Debug, PartialEq)]
pub struct FakePr {
    /// Its number (given by the fake when added).
    pub number: u64,
    /// Title.
    pub title: String,
    /// Description.
    pub body: String,
    /// The author's login.
    pub author: String,
    /// The head branch.
    pub head_ref: String,
    /// The head commit.
    pub head_sha: String,
    /// The branch it merges into.
    pub base_ref: String,
    /// `open` or `closed`.
    pub state: String,
    /// Whether it was merged.
    pub merged: bool,
    /// The merge commit, once merged.
    pub merge_commit_sha: Option<String>,
    /// GitHub's lazily computed mergeability (`None`: not computed yet).
    pub mergeable: Option<bool>,
    /// The paths it changes.
    pub files: Vec<String>,
    /// Its labels' names.
    pub labels: Vec<String>,
}

impl FakePr {
    /// An open, mergeable pull request from `head_ref` into the default branch.
    pub fn new(head_ref: &str) -> Self {
        Self {
            number: 0,
            title: format!("Change from {head_ref}"),
            body: String::new(),
            author: "octocat".to_owned(),
            head_ref: head_ref.to_owned(),
            head_sha: fake_sha(&("head", head_ref)),
            base_ref: String::new(),
            state: "open".to_owned(),
            merged: false,
            merge_commit_sha: None,
            mergeable: Some(true),
            files: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// With this title.
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_owned();
        self
    }

    /// Opened by `login`.
    pub fn author(mut self, login: &str) -> Self {
        self.author = login.to_owned();
        self
    }

    /// Into `base_ref` instead of the default branch.
    pub fn base(mut self, base_ref: &str) -> Self {
        self.base_ref = base_ref.to_owned();
        self
    }

    /// Changing these paths.
    pub fn files(mut self, paths: &[&str]) -> Self {
        self.files = paths.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// With this mergeability (`None`: GitHub has not computed it yet).
    pub fn mergeable(mut self, mergeable: Option<bool>) -> Self {
        self.mergeable = mergeable;
        self
    }

    /// Already merged (and so closed); [`super::GitHubFake::add_pr`] makes
    /// its merge commit on the base branch.
    pub fn merged(mut self) -> Self {
        self.state = "closed".to_owned();
        self.merged = true;
        self
    }

    /// Closed without merging.
    pub fn closed(mut self) -> Self {
        self.state = "closed".to_owned();
        self
    }
}

/// An issue or pull request comment.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeComment {
    /// Its id.
    pub id: u64,
    /// The issue or pull request it is on.
    pub issue: u64,
    /// The author's login.
    pub author: String,
    /// The text.
    pub body: String,
}

/// A check run.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeCheckRun {
    /// Its id.
    pub id: u64,
    /// The commit checked.
    pub head_sha: String,
    /// Its name.
    pub name: String,
    /// `queued`, `in_progress` or `completed`.
    pub status: String,
    /// Set once completed.
    pub conclusion: Option<String>,
    /// `output.title`.
    pub title: Option<String>,
    /// `output.summary`.
    pub summary: Option<String>,
    /// The app that owns it.
    pub app_id: u64,
}

/// A commit status.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeStatus {
    /// Its id.
    pub id: u64,
    /// The commit.
    pub sha: String,
    /// `error`, `failure`, `pending` or `success`.
    pub state: String,
    /// The context (what a check run calls its name).
    pub context: String,
    /// The description.
    pub description: Option<String>,
    /// Who set it.
    pub creator: String,
}

/// A pull request review.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeReview {
    /// Its id.
    pub id: u64,
    /// The pull request.
    pub pr: u64,
    /// The reviewer's login.
    pub reviewer: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`.
    pub state: String,
    /// The commit reviewed.
    pub commit_id: String,
}

/// One request the fake received, and how it answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The request body.
    pub body: String,
    /// The status answered.
    pub status: u16,
    /// Whether no route knew the request (answered 404).
    pub unexpected: bool,
}

impl Recorded {
    /// The body read as JSON (`null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

/// An answer forced on the next matching requests.
#[derive(Clone, Debug)]
pub(crate) struct Fault {
    pub(crate) method: String,
    pub(crate) pattern: String,
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) delay: Option<Duration>,
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) remaining: usize,
}

impl Fault {
    /// `pattern` is a path, or a prefix when it ends in `*`.
    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        let path_matches = match self.pattern.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.pattern,
        };
        self.remaining > 0 && self.method.eq_ignore_ascii_case(method) && path_matches
    }
}

/// An installation of the app on an account.
#[derive(Clone, Debug)]
pub(crate) struct Installation {
    pub(crate) id: u64,
    pub(crate) account: String,
}

/// An installation access token the fake issued.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) installation: u64,
    pub(crate) expires_at: DateTime<Utc>,
}

/// A repository and everything in it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Repo {
    pub(crate) id: u64,
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) default_branch: String,
    pub(crate) installation: u64,
    pub(crate) next_number: u64,
    pub(crate) prs: BTreeMap<u64, FakePr>,
    pub(crate) comments: Vec<FakeComment>,
    pub(crate) check_runs: Vec<FakeCheckRun>,
    pub(crate) statuses: Vec<FakeStatus>,
    pub(crate) reviews: Vec<FakeReview>,
    pub(crate) permissions: HashMap<String, String>,
    pub(crate) git: super::git::Store,
    /// Issue 5: issues (drift reports).
    pub(crate) issues: Vec<super::issue_routes::FakeIssue>,
}

impl Repo {
    pub(crate) fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// The whole fake GitHub.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) base_url: String,
    pub(crate) app_id: u64,
    pub(crate) slug: String,
    pub(crate) installations: BTreeMap<u64, Installation>,
    pub(crate) repos: BTreeMap<String, Repo>,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) token_lifetime: chrono::Duration,
    pub(crate) tokens_issued: u64,
    pub(crate) next_id: u64,
    pub(crate) faults: Vec<Fault>,
    pub(crate) requests: Vec<Recorded>,
    pub(crate) check_runs_forbidden: bool,
    /// `(org, team)` → login → membership state (`active`, `pending`).
    pub(crate) teams: HashMap<(String, String), HashMap<String, String>>,
    /// Workflow run artifacts (issue 6).
    pub(crate) artifacts: Vec<super::artifact_routes::FakeArtifact>,
}

impl World {
    pub(crate) fn new(base_url: String, app_id: u64, slug: &str) -> Self {
        Self {
            base_url,
            app_id,
            slug: slug.to_owned(),
            installations: BTreeMap::new(),
            repos: BTreeMap::new(),
            tokens: HashMap::new(),
            token_lifetime: chrono::Duration::hours(1),
            tokens_issued: 0,
            next_id: 1000,
            faults: Vec::new(),
            requests: Vec::new(),
            check_runs_forbidden: false,
            teams: HashMap::new(),
            artifacts: Vec::new(),
        }
    }

    /// A fresh id for any object (comments, check runs, statuses, …).
    pub(crate) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The login the app's own writes appear under.
    pub(crate) fn bot_login(&self) -> String {
        format!("{}[bot]", self.slug)
    }

    pub(crate) fn repo_mut(&mut self, full_name: &str) -> &mut Repo {
        self.repos
            .get_mut(full_name)
            .unwrap_or_else(|| panic!("the fake has no repository {full_name}; add it first"))
    }

    /// The installation on `account`, created when missing.
    pub(crate) fn installation_for(&mut self, account: &str) -> u64 {
        if let Some(found) = self.installations.values().find(|i| i.account == account) {
            return found.id;
        }
        let id = self.installations.len() as u64 + 1;
        self.installations.insert(
            id,
            Installation {
                id,
                account: account.to_owned(),
            },
        );
        id
    }

    /// Issues a token for `installation` that lives for the current lifetime.
    pub(crate) fn issue_token(&mut self, installation: u64) -> (String, DateTime<Utc>) {
        self.tokens_issued += 1;
        let token = format!("ghs_{:036}", self.tokens_issued * 7_919 + installation);
        let expires_at = Utc::now() + self.token_lifetime;
        self.tokens.insert(
            token.clone(),
            Token {
                installation,
                expires_at,
            },
        );
        (token, expires_at)
    }
}

/// A stable 40-digit hexadecimal id made from `seed`.
pub fn fake_sha(seed: &impl Hash) -> String {
    let mut out = String::new();
    let mut round = 0u64;
    while out.len() < 40 {
        let mut hasher = DefaultHasher::new();
        (seed, round).hash(&mut hasher);
        out.push_str(&format!("{:016x}", hasher.finish()));
        round += 1;
    }
    out.truncate(40);
    out
}
