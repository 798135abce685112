//! The local forge: bosun with no accounts. The managed repository is a git
//! checkout on this machine; a pull request is a branch plus a record in the
//! store; comments, checks and reviews are records; merging is a real git
//! merge into the base branch (fast-forward when possible).

use async_trait::async_trait;
use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use bosun_reconciler::ports::forge::{
    Access, CheckSpec, Comment, Forge, ForgeError, GITHUB_COMMENT_LIMIT, Marker, MergeOutcome,
    NewPullRequest, PrState, PullRequest, Review, Upserted, fold_comment,
};
use bosun_reconciler::store::{Store, StoreError};
use git2::{BranchType, Oid, Repository};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const PRS: &str = "local_pr";
const COMMENTS: &str = "local_comment";
const CHECKS: &str = "local_check";
const REVIEWS: &str = "local_review";
const BOT: &str = "bosun";

/// A pull request as the local forge stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LocalPr {
    number: u64,
    title: String,
    body: String,
    author: String,
    head_ref: String,
    base_ref: String,
    state: PrState,
    /// The head commit when merged (the branch may move or go afterwards).
    merged_head: Option<String>,
    /// Where the head forked from the base, recorded at merge (afterwards
    /// the base contains the head, and the fork point cannot be found again).
    #[serde(default)]
    merged_base: Option<String>,
}

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

fn record<T: Serialize>(value: &T) -> Result<Vec<u8>, ForgeError> {
    serde_json::to_vec(value).map_err(|e| ForgeError::Invalid(e.to_string()))
}

fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, ForgeError> {
    serde_json::from_slice(bytes).map_err(|e| ForgeError::Transient(format!("bad record: {e}")))
}

fn sha(oid: Oid) -> Result<Sha, ForgeError> {
    oid.to_string()
        .parse()
        .map_err(|e: bosun_reconciler::ids::IdError| ForgeError::Invalid(e.to_string()))
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
    pub fn default_branch(&self) -> &str {
        &self.default_branch
    }

    /// The name the managed repository goes by (`local/<folder>`).
    pub fn repo_name(&self) -> &RepoName {
        &self.name
    }

    fn repo(&self, name: &RepoName) -> Result<Repository, ForgeError> {
        if name != &self.name {
            return Err(ForgeError::NotFound(format!("repository {name}")));
        }
        Repository::open(&self.path).map_err(git)
    }

    fn load(&self, number: PrNumber) -> Result<LocalPr, ForgeError> {
        let raw = self.store.get_record(PRS, &pr_key(number)).map_err(store)?;
        let raw = raw.ok_or_else(|| ForgeError::NotFound(format!("pull request #{number}")))?;
        parse(&raw)
    }

    fn save(&self, pr: &LocalPr) -> Result<(), ForgeError> {
        let key = pr_key(PrNumber(pr.number));
        self.store
            .put_record(PRS, &key, &record(pr)?)
            .map_err(store)
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
            url: format!("{}#pr-{}", self.path.display(), pr.number),
        })
    }

    fn all_prs(&self) -> Result<Vec<LocalPr>, ForgeError> {
        let rows = self.store.scan_records(PRS, "").map_err(store)?;
        rows.iter().map(|(_, raw)| parse(raw)).collect()
    }

    /// The commit a merge would produce, without writing any ref: the head
    /// itself for a fast-forward, else a new merge commit's tree.
    fn try_merge(&self, repo: &Repository, pr: &LocalPr) -> Result<MergePlan, ForgeError> {
        let base = Self::tip(repo, &pr.base_ref)?;
        let head = Self::tip(repo, &pr.head_ref)?;
        let merge_base = repo.merge_base(base, head).map_err(git)?;
        if merge_base == head {
            return Ok(MergePlan::UpToDate(base));
        }
        if merge_base == base {
            return Ok(MergePlan::FastForward(head));
        }
        let ours = repo.find_commit(base).map_err(git)?;
        let theirs = repo.find_commit(head).map_err(git)?;
        let mut index = repo.merge_commits(&ours, &theirs, None).map_err(git)?;
        if index.has_conflicts() {
            return Err(ForgeError::Conflict(format!(
                "{} conflicts with {}",
                pr.head_ref, pr.base_ref
            )));
        }
        let tree = index.write_tree_to(repo).map_err(git)?;
        Ok(MergePlan::Commit { base, head, tree })
    }
}

enum MergePlan {
    UpToDate(Oid),
    FastForward(Oid),
    Commit { base: Oid, head: Oid, tree: Oid },
}

fn pr_key(number: PrNumber) -> String {
    format!("{:010}", number.0)
}

fn comment_key(number: PrNumber, id: u64) -> String {
    format!("{:010}/{id:010}", number.0)
}

/// Moves `branch` to `target`, checking the files out first when the
/// checkout has that branch checked out, so its working tree follows.
fn advance_branch(
    repo: &Repository,
    branch: &str,
    target: Oid,
    message: &str,
) -> Result<(), ForgeError> {
    let refname = format!("refs/heads/{branch}");
    let checked_out = repo
        .head()
        .ok()
        .and_then(|h| h.name().ok().map(str::to_owned))
        .is_some_and(|h| h == refname);
    if checked_out && !repo.is_bare() {
        let commit = repo.find_commit(target).map_err(git)?;
        let mut options = git2::build::CheckoutBuilder::new();
        options.safe();
        repo.checkout_tree(commit.as_object(), Some(&mut options))
            .map_err(|e| {
                ForgeError::Conflict(format!(
                    "the working tree has changes in the way: {}",
                    e.message()
                ))
            })?;
    }
    repo.reference(&refname, target, true, message)
        .map_err(git)?;
    Ok(())
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
        self.repo(name)?;
        let prefix = format!("{}/", pr_key(number));
        let rows = self.store.scan_records(COMMENTS, &prefix).map_err(store)?;
        rows.iter().map(|(_, raw)| parse(raw)).collect()
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
        self.repo(name)?;
        let key = format!("{}/{}", check.head_sha, check.name);
        self.store
            .put_record(CHECKS, &key, &record(check)?)
            .map_err(store)
    }

    async fn reviews(&self, name: &RepoName, number: PrNumber) -> Result<Vec<Review>, ForgeError> {
        self.repo(name)?;
        let prefix = format!("{}/", pr_key(number));
        let rows = self.store.scan_records(REVIEWS, &prefix).map_err(store)?;
        rows.iter().map(|(_, raw)| parse(raw)).collect()
    }

    async fn access(&self, name: &RepoName, _login: &str) -> Result<Access, ForgeError> {
        // Whoever can reach the checkout owns it.
        self.repo(name)?;
        Ok(Access::Admin)
    }

    async fn merge(&self, name: &RepoName, number: PrNumber) -> Result<MergeOutcome, ForgeError> {
        let repo = self.repo(name)?;
        let mut pr = self.load(number)?;
        match pr.state {
            PrState::Merged => return Ok(MergeOutcome::AlreadyMerged),
            PrState::Closed => return Err(ForgeError::Conflict(format!("#{number} is closed"))),
            PrState::Open => {}
        }
        let head = Self::tip(&repo, &pr.head_ref)?;
        let fork_point = repo
            .merge_base(Self::tip(&repo, &pr.base_ref)?, head)
            .map_err(git)?;
        let message = format!("Merge pull request #{number} from {}", pr.head_ref);
        let merged = match self.try_merge(&repo, &pr)? {
            MergePlan::UpToDate(base) => base,
            MergePlan::FastForward(head) => {
                advance_branch(&repo, &pr.base_ref, head, &message)?;
                head
            }
            MergePlan::Commit { base, head, tree } => {
                let signature = repo
                    .signature()
                    .or_else(|_| git2::Signature::now("bosun", "bosun@localhost"))
                    .map_err(git)?;
                let tree = repo.find_tree(tree).map_err(git)?;
                let parents = [
                    &repo.find_commit(base).map_err(git)?,
                    &repo.find_commit(head).map_err(git)?,
                ];
                let commit = repo
                    .commit(None, &signature, &signature, &message, &tree, &parents)
                    .map_err(git)?;
                advance_branch(&repo, &pr.base_ref, commit, &message)?;
                commit
            }
        };
        pr.state = PrState::Merged;
        pr.merged_head = Some(head.to_string());
        pr.merged_base = Some(fork_point.to_string());
        self.save(&pr)?;
        Ok(MergeOutcome::Merged(sha(merged)?))
    }

    async fn file(&self, name: &RepoName, path: &str) -> Result<Option<String>, ForgeError> {
        let repo = self.repo(name)?;
        let tip = Self::tip(&repo, &self.default_branch)?;
        let tree = repo.find_commit(tip).and_then(|c| c.tree()).map_err(git)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(git(e)),
        };
        let blob = repo.find_blob(entry.id()).map_err(git)?;
        let text = std::str::from_utf8(blob.content())
            .map_err(|_| ForgeError::Invalid(format!("{path} is not UTF-8 text")))?;
        Ok(Some(text.to_owned()))
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
}
