//! The local forge: bosun with no accounts. The managed repository is a git
//! checkout on this machine; a pull request is a branch plus a record in the
//! store; comments, checks and reviews are records; merging is a real git
//! merge into the base branch (fast-forward when possible).
//!
//! | module | concept |
//! |---|---|
//! | `records.rs` | pull requests, comments, checks and reviews as store records |
//! | `git_read.rs` | reading the repository: refs, files at a commit, history, ancestry |
//! | `git_write.rs` | bosun's own commits on its own branches, never the checkout's |
//! | `merge.rs` | merging a pull request into its base branch |

mod git_read;
mod git_write;
mod issues;
mod merge;
mod records;

use async_trait::async_trait;
use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use bosun_reconciler::ports::forge::{
    Access, CheckSpec, Comment, CommitRequest, Forge, ForgeError, GITHUB_COMMENT_LIMIT, Marker,
    MergeOutcome, NewPullRequest, PrState, PullRequest, RepoFile, Review, RunArtifact, Upserted,
    fold_comment,
};
use bosun_reconciler::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use git2::{BranchType, Oid, Repository};
use records::{CHECKS, COMMENTS, LocalPr, PRS, REVIEWS, comment_key, pr_key, record};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const BOT: &str = "bosun";

/// The forge of a local git checkout.
pub struct LocalForge {
    path: PathBuf,
    name: RepoName,
    author: String,
    default_branch: String,
    store: Arc<dyn Store>,
}

fn git(error: git2::Error) -> ForgeError {
    match error.code() {
        git2::ErrorCode::NotFound => ForgeError::NotFound(error.message().to_owned()),
        git2::ErrorCode::Conflict | git2::ErrorCode::MergeConflict => {
            ForgeError::Conflict(error.message().to_owned())
        }
        _ => ForgeError::Transient(error.message().to_owned()),
    }
}

fn store(error: StoreError) -> ForgeError {
    ForgeError::Transient(error.to_string())
}

fn sha(oid: Oid) -> Result<Sha, ForgeError> {
    oid.to_string()
        .parse()
        .map_err(|e: bosun_reconciler::ids::IdError| ForgeError::Invalid(e.to_string()))
}

/// The object id of `sha` in the repository's object format.
fn oid(repo: &Repository, sha: &Sha) -> Result<Oid, ForgeError> {
    Oid::from_str_ext(sha.as_str(), repo.object_format())
        .map_err(|e| ForgeError::Invalid(format!("commit id {sha}: {}", e.message())))
}

/// The commit `sha` names (`NotFound` when the repository has no such commit).
fn commit<'r>(repo: &'r Repository, sha: &Sha) -> Result<git2::Commit<'r>, ForgeError> {
    repo.find_commit(oid(repo, sha)?)
        .map_err(|_| ForgeError::NotFound(format!("commit {sha}")))
}

impl LocalForge {
    /// Opens the checkout at `path` as the managed repository.
    pub fn open(path: &Path, store: Arc<dyn Store>) -> Result<Self, ForgeError> {
        let repo = Repository::discover(path).map_err(git)?;
        let root = repo
            .workdir()
            .unwrap_or_else(|| repo.path())
            .canonicalize()
            .map_err(|e| ForgeError::NotFound(e.to_string()))?;
        let dir = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "repo".to_owned());
        let clean: String = dir
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let name = RepoName::new("local", clean.trim_matches('.'))
            .map_err(|e| ForgeError::Invalid(e.to_string()))?;
        let default_branch = repo
            .head()
            .ok()
            .and_then(|h| h.shorthand().ok().map(str::to_owned))
            .unwrap_or_else(|| "main".to_owned());
        let author = repo
            .config()
            .and_then(|c| c.get_string("user.name"))
            .unwrap_or_else(|_| "local".to_owned());
        Ok(Self {
            path: root,
            name,
            author,
            default_branch,
            store,
        })
    }

    /// The branch pull requests merge into by default (the one checked out
    /// when bosun started).
    pub fn base_branch(&self) -> &str {
        &self.default_branch
    }

    /// The name the managed repository goes by (`local/<folder>`).
    pub fn repo_name(&self) -> &RepoName {
        &self.name
    }

    /// `NotFound` unless `name` is the managed repository.
    fn check_name(&self, name: &RepoName) -> Result<(), ForgeError> {
        if name == &self.name {
            Ok(())
        } else {
            Err(ForgeError::NotFound(format!("repository {name}")))
        }
    }

    fn repo(&self, name: &RepoName) -> Result<Repository, ForgeError> {
        self.check_name(name)?;
        Repository::open(&self.path).map_err(git)
    }

    fn tip(repo: &Repository, branch: &str) -> Result<Oid, ForgeError> {
        let branch = repo.find_branch(branch, BranchType::Local).map_err(git)?;
        branch
            .get()
            .target()
            .ok_or_else(|| ForgeError::NotFound("branch has no commit".to_owned()))
    }

    fn view(&self, repo: &Repository, pr: &LocalPr) -> Result<PullRequest, ForgeError> {
        let head = match &pr.merged_head {
            Some(head) => Oid::from_str(head).map_err(git)?,
            None => Self::tip(repo, &pr.head_ref)?,
        };
        let mergeable = match pr.state {
            PrState::Open => Some(self.try_merge(repo, pr).is_ok()),
            _ => None,
        };
        let merge_sha =
            match &pr.merge_commit {
                Some(commit) => Some(commit.parse().map_err(
                    |e: bosun_reconciler::ids::IdError| {
                        ForgeError::Transient(format!("bad record: {e}"))
                    },
                )?),
                None => None,
            };
        Ok(PullRequest {
            repo: self.name.clone(),
            number: PrNumber(pr.number),
            title: pr.title.clone(),
            author: pr.author.clone(),
            head_ref: pr.head_ref.clone(),
            head_sha: sha(head)?,
            base_ref: pr.base_ref.clone(),
            state: pr.state,
            mergeable,
            merge_sha,
            url: format!("{}#pr-{}", self.path.display(), pr.number),
        })
    }
}

#[async_trait]
impl Forge for LocalForge {
    async fn bot_login(&self) -> Result<String, ForgeError> {
        Ok(BOT.to_owned())
    }

    async fn managed_repos(&self) -> Result<Vec<RepoName>, ForgeError> {
        Ok(vec![self.name.clone()])
    }

    async fn open_pull_requests(&self, name: &RepoName) -> Result<Vec<PullRequest>, ForgeError> {
        let repo = self.repo(name)?;
        let open = self
            .all_prs()?
            .into_iter()
            .filter(|pr| pr.state == PrState::Open);
        open.map(|pr| self.view(&repo, &pr)).collect()
    }

    async fn pull_request(
        &self,
        name: &RepoName,
        number: PrNumber,
    ) -> Result<PullRequest, ForgeError> {
        let repo = self.repo(name)?;
        self.view(&repo, &self.load(number)?)
    }

    async fn changed_files(
        &self,
        name: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<String>, ForgeError> {
        let repo = self.repo(name)?;
        let pr = self.load(number)?;
        let (head, merge_base) = match (&pr.merged_head, &pr.merged_base) {
            (Some(head), Some(base)) => (
                Oid::from_str(head).map_err(git)?,
                Oid::from_str(base).map_err(git)?,
            ),
            _ => {
                let head = Self::tip(&repo, &pr.head_ref)?;
                let base = Self::tip(&repo, &pr.base_ref)?;
                (head, repo.merge_base(base, head).map_err(git)?)
            }
        };
        let old = repo
            .find_commit(merge_base)
            .and_then(|c| c.tree())
            .map_err(git)?;
        let new = repo.find_commit(head).and_then(|c| c.tree()).map_err(git)?;
        let diff = repo
            .diff_tree_to_tree(Some(&old), Some(&new), None)
            .map_err(git)?;
        let mut paths: Vec<String> = diff
            .deltas()
            .filter_map(|d| d.new_file().path().or_else(|| d.old_file().path()))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    async fn find_or_create_pull_request(
        &self,
        name: &RepoName,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        let repo = self.repo(name)?;
        Self::tip(&repo, &new.head_ref)?;
        Self::tip(&repo, &new.base_ref)?;
        let existing = self
            .all_prs()?
            .into_iter()
            .find(|pr| pr.state == PrState::Open && pr.head_ref == new.head_ref);
        let pr = match existing {
            Some(pr) => pr,
            None => {
                let pr = LocalPr {
                    number: self.store.next_id(PRS).map_err(store)?,
                    title: new.title.clone(),
                    body: new.body.clone(),
                    author: self.author.clone(),
                    head_ref: new.head_ref.clone(),
                    base_ref: new.base_ref.clone(),
                    state: PrState::Open,
                    merged_head: None,
                    merged_base: None,
                    merge_commit: None,
                    labels: Vec::new(),
                };
                self.save(&pr)?;
                pr
            }
        };
        self.view(&repo, &pr)
    }

    async fn comments(
        &self,
        name: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<Comment>, ForgeError> {
        self.check_name(name)?;
        let prefix = format!("{}/", pr_key(number));
        let rows = self.store.scan_records(COMMENTS, &prefix).map_err(store)?;
        rows.iter().map(|(_, raw)| records::parse(raw)).collect()
    }

    async fn upsert_comment(
        &self,
        name: &RepoName,
        number: PrNumber,
        marker: &Marker,
        body: &str,
    ) -> Result<Upserted, ForgeError> {
        self.load(number)?;
        let text = fold_comment(marker, body, GITHUB_COMMENT_LIMIT);
        let existing = self
            .comments(name, number)
            .await?
            .into_iter()
            .find(|c| c.author == BOT && marker.is_in(&c.body));
        let (id, outcome) = match existing {
            Some(c) if c.body == text => return Ok(Upserted::Unchanged(c.id)),
            Some(c) => (c.id, Upserted::Updated(c.id)),
            None => {
                let id = self.store.next_id(COMMENTS).map_err(store)?;
                (id, Upserted::Created(id))
            }
        };
        let comment = Comment {
            id,
            author: BOT.to_owned(),
            body: text,
        };
        let key = comment_key(number, id);
        self.store
            .put_record(COMMENTS, &key, &record(&comment)?)
            .map_err(store)?;
        Ok(outcome)
    }

    async fn set_check(&self, name: &RepoName, check: &CheckSpec) -> Result<(), ForgeError> {
        self.check_name(name)?;
        let key = format!("{}/{}", check.head_sha, check.name);
        self.store
            .put_record(CHECKS, &key, &record(check)?)
            .map_err(store)
    }

    async fn reviews(&self, name: &RepoName, number: PrNumber) -> Result<Vec<Review>, ForgeError> {
        self.check_name(name)?;
        let prefix = format!("{}/", pr_key(number));
        let rows = self.store.scan_records(REVIEWS, &prefix).map_err(store)?;
        rows.iter().map(|(_, raw)| records::parse(raw)).collect()
    }

    async fn access(&self, name: &RepoName, _login: &str) -> Result<Access, ForgeError> {
        // Whoever can reach the checkout owns it.
        self.check_name(name)?;
        Ok(Access::Admin)
    }

    async fn merge(&self, name: &RepoName, number: PrNumber) -> Result<MergeOutcome, ForgeError> {
        let repo = self.repo(name)?;
        self.merge_pr(&repo, number)
    }

    async fn file(&self, name: &RepoName, path: &str) -> Result<Option<String>, ForgeError> {
        let repo = self.repo(name)?;
        let tip = Self::tip(&repo, &self.default_branch)?;
        git_read::file_at(&repo, tip, path)
    }

    async fn is_team_member(
        &self,
        _org: &str,
        _team: &str,
        _login: &str,
    ) -> Result<bool, ForgeError> {
        // A local checkout has no teams; roles come from `local_users`.
        Ok(false)
    }

    async fn default_branch(&self, name: &RepoName) -> Result<String, ForgeError> {
        self.check_name(name)?;
        Ok(self.default_branch.clone())
    }

    async fn resolve(&self, name: &RepoName, git_ref: &str) -> Result<Sha, ForgeError> {
        let repo = self.repo(name)?;
        git_read::resolve(&repo, git_ref)
    }

    async fn files_at(
        &self,
        name: &RepoName,
        commit: &Sha,
        folders: &[String],
    ) -> Result<Vec<RepoFile>, ForgeError> {
        let repo = self.repo(name)?;
        git_read::files_at(&repo, commit, folders)
    }

    async fn commit_files(
        &self,
        name: &RepoName,
        request: &CommitRequest,
    ) -> Result<Sha, ForgeError> {
        let repo = self.repo(name)?;
        git_write::commit_files(&repo, &self.default_branch, request)
    }

    async fn last_change(
        &self,
        name: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<(Sha, DateTime<Utc>)>, ForgeError> {
        let repo = self.repo(name)?;
        git_read::last_change(&repo, commit, path)
    }

    async fn is_ancestor(
        &self,
        name: &RepoName,
        ancestor: &Sha,
        descendant: &Sha,
    ) -> Result<bool, ForgeError> {
        let repo = self.repo(name)?;
        git_read::is_ancestor(&repo, ancestor, descendant)
    }

    async fn update_pull_request(
        &self,
        name: &RepoName,
        number: PrNumber,
        title: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        self.check_name(name)?;
        self.update_text(number, title, body)
    }

    async fn add_labels(
        &self,
        name: &RepoName,
        number: PrNumber,
        labels: &[String],
    ) -> Result<(), ForgeError> {
        self.check_name(name)?;
        self.add_labels_to(number, labels)
    }

    // --- issue 5: Terraform ---

    async fn check_status(
        &self,
        name: &RepoName,
        commit: &Sha,
        check: &str,
    ) -> Result<Option<bosun_reconciler::ports::forge::CheckStatus>, ForgeError> {
        self.check_name(name)?;
        self.check_state(commit, check)
    }

    async fn find_issue(
        &self,
        name: &RepoName,
        marker: &Marker,
    ) -> Result<Option<bosun_reconciler::ports::forge::Issue>, ForgeError> {
        self.check_name(name)?;
        self.open_issue(marker)
    }

    async fn upsert_issue(
        &self,
        name: &RepoName,
        marker: &Marker,
        title: &str,
        body: &str,
    ) -> Result<PrNumber, ForgeError> {
        self.check_name(name)?;
        self.upsert_issue_record(marker, title, body)
    }

    async fn close_issue(
        &self,
        name: &RepoName,
        marker: &Marker,
        note: &str,
    ) -> Result<Option<PrNumber>, ForgeError> {
        self.check_name(name)?;
        self.close_issue_record(marker, note)
    }

    // --- issue 6: the merge gate ---

    async fn file_at(
        &self,
        name: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let repo = self.repo(name)?;
        git_read::file_at(&repo, oid(&repo, commit)?, path)
    }

    async fn run_artifacts(
        &self,
        name: &RepoName,
        _run_id: u64,
    ) -> Result<Vec<RunArtifact>, ForgeError> {
        self.check_name(name)?;
        Err(no_ci())
    }

    async fn download_artifact(
        &self,
        name: &RepoName,
        _artifact_id: u64,
    ) -> Result<Vec<u8>, ForgeError> {
        self.check_name(name)?;
        Err(no_ci())
    }
}

/// A local checkout has no CI: reports are given to `bosun gate --trivy`.
fn no_ci() -> ForgeError {
    ForgeError::Invalid(
        "the local forge has no CI workflow runs or artifacts; pass Trivy reports to `bosun gate --trivy FILE`"
            .to_owned(),
    )
}
