//! In-memory doubles of the ports, for engine scenarios here and in `bot`.
//!
//! [`MemoryForge`] keeps pull requests, comments and checks in memory and
//! implements the same idempotent contract as the real adapters; tests can
//! make calls fail to exercise the error policy.

use crate::ids::{PrNumber, RepoName, Sha};
use crate::ports::forge::{
    Access, CheckSpec, Comment, CommitRequest, Forge, ForgeError, GITHUB_COMMENT_LIMIT, Marker,
    MergeOutcome, NewPullRequest, PrState, PullRequest, RepoFile, Review, RunArtifact, Upserted,
    fold_comment,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// The bot's login in the memory forge.
pub const BOT_LOGIN: &str = "bosun[bot]";

/// A commit in the memory forge: its parent, its whole file tree, and when.
#[derive(Clone)]
struct MemCommit {
    parent: Option<Sha>,
    files: BTreeMap<String, String>,
    at: DateTime<Utc>,
}

#[derive(Default)]
struct World {
    commits: HashMap<(RepoName, Sha), MemCommit>,
    branches: HashMap<(RepoName, String), Sha>,
    labels: HashMap<(RepoName, u64), Vec<String>>,
    bodies: HashMap<(RepoName, u64), String>,
    prs: BTreeMap<(RepoName, u64), (PullRequest, Vec<String>)>,
    comments: BTreeMap<(RepoName, u64), Vec<Comment>>,
    checks: Vec<(RepoName, CheckSpec)>,
    reviews: HashMap<(RepoName, u64), Vec<Review>>,
    access: HashMap<(RepoName, String), Access>,
    files: HashMap<(RepoName, String), String>,
    teams: HashMap<(String, String), Vec<String>>,
    repos: Vec<RepoName>,
    next_id: u64,
    failures: VecDeque<ForgeError>,
    writes: usize,
    /// Issue 5: issues (drift reports).
    issues: Vec<(RepoName, crate::ports::forge::Issue)>,
    /// Issue 6: workflow run artifacts, (repo, run id, artifact, zip bytes).
    artifacts: Vec<(RepoName, u64, RunArtifact, Vec<u8>)>,
}

/// A forge that lives in memory.
#[derive(Default)]
pub struct MemoryForge {
    world: Mutex<World>,
}

/// A 40-digit commit id made from a small number, for tests.
pub fn sha_of(n: u64) -> Sha {
    format!("{n:040x}")
        .parse()
        .unwrap_or_else(|_| unreachable!())
}

impl MemoryForge {
    /// An empty forge.
    pub fn new() -> Self {
        Self::default()
    }

    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an open pull request changing `files`.
    pub fn open_pr(&self, repo: &RepoName, number: u64, author: &str, files: &[&str]) {
        let mut world = self.world();
        if !world.repos.contains(repo) {
            world.repos.push(repo.clone());
        }
        let pr = PullRequest {
            repo: repo.clone(),
            number: PrNumber(number),
            title: format!("Change {number}"),
            author: author.to_owned(),
            head_ref: format!("change-{number}"),
            head_sha: sha_of(number),
            base_ref: "main".to_owned(),
            state: PrState::Open,
            mergeable: Some(true),
            merge_sha: None,
            url: format!("https://forge.test/{repo}/pull/{number}"),
        };
        let files = files.iter().map(|f| (*f).to_owned()).collect();
        world.prs.insert((repo.clone(), number), (pr, files));
    }

    /// Commits `files` (path, text) on `branch` of `repo` on top of its tip,
    /// at `at`; returns the new commit. The default branch is `main`.
    pub fn seed(
        &self,
        repo: &RepoName,
        branch: &str,
        files: &[(&str, &str)],
        at: DateTime<Utc>,
    ) -> Sha {
        let mut world = self.world();
        let key = (repo.clone(), branch.to_owned());
        let parent = world.branches.get(&key).cloned();
        let mut tree = parent
            .as_ref()
            .and_then(|p| world.commits.get(&(repo.clone(), p.clone())))
            .map(|c| c.files.clone())
            .unwrap_or_default();
        for (path, text) in files {
            tree.insert((*path).to_owned(), (*text).to_owned());
        }
        world.next_id += 1;
        let sha = sha_of(1_000_000 + world.next_id);
        world.commits.insert(
            (repo.clone(), sha.clone()),
            MemCommit {
                parent,
                files: tree,
                at,
            },
        );
        world.branches.insert(key, sha.clone());
        sha
    }

    /// The labels bosun put on a pull request.
    pub fn labels_on(&self, repo: &RepoName, number: u64) -> Vec<String> {
        self.world()
            .labels
            .get(&(repo.clone(), number))
            .cloned()
            .unwrap_or_default()
    }

    /// Grants a person access to a repository.
    pub fn grant(&self, repo: &RepoName, login: &str, access: Access) {
        self.world()
            .access
            .insert((repo.clone(), login.to_owned()), access);
    }

    /// Puts a file on the default branch.
    pub fn put_file(&self, repo: &RepoName, path: &str, text: &str) {
        self.world()
            .files
            .insert((repo.clone(), path.to_owned()), text.to_owned());
    }

    /// Makes `login` a member of `org/team`.
    pub fn add_team_member(&self, org: &str, team: &str, login: &str) {
        let key = (org.to_owned(), team.to_owned());
        self.world()
            .teams
            .entry(key)
            .or_default()
            .push(login.to_owned());
    }

    /// Makes the next forge calls fail with these errors, in order.
    pub fn fail_next(&self, errors: impl IntoIterator<Item = ForgeError>) {
        self.world().failures.extend(errors);
    }

    /// Every comment on a pull request.
    pub fn comments_on(&self, repo: &RepoName, number: u64) -> Vec<Comment> {
        self.world()
            .comments
            .get(&(repo.clone(), number))
            .cloned()
            .unwrap_or_default()
    }

    /// Adds a comment by someone (not the bot).
    pub fn add_comment(&self, repo: &RepoName, number: u64, author: &str, body: &str) -> u64 {
        let mut world = self.world();
        world.next_id += 1;
        let id = world.next_id;
        let comment = Comment {
            id,
            author: author.to_owned(),
            body: body.to_owned(),
        };
        world
            .comments
            .entry((repo.clone(), number))
            .or_default()
            .push(comment);
        id
    }

    /// How many writing calls succeeded.
    pub fn writes(&self) -> usize {
        self.world().writes
    }

    fn check_failure(&self) -> Result<(), ForgeError> {
        match self.world().failures.pop_front() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn pr(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<(PullRequest, Vec<String>), ForgeError> {
        self.world()
            .prs
            .get(&(repo.clone(), number.0))
            .cloned()
            .ok_or_else(|| ForgeError::NotFound(format!("{repo}#{number}")))
    }
}

#[async_trait]
impl Forge for MemoryForge {
    async fn bot_login(&self) -> Result<String, ForgeError> {
        self.check_failure()?;
        Ok(BOT_LOGIN.to_owned())
    }

    async fn managed_repos(&self) -> Result<Vec<RepoName>, ForgeError> {
        self.check_failure()?;
        Ok(self.world().repos.clone())
    }

    async fn open_pull_requests(&self, repo: &RepoName) -> Result<Vec<PullRequest>, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        let open = world
            .prs
            .iter()
            .filter(|((r, _), (pr, _))| r == repo && pr.state == PrState::Open);
        Ok(open.map(|(_, (pr, _))| pr.clone()).collect())
    }

    async fn pull_request(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<PullRequest, ForgeError> {
        self.check_failure()?;
        Ok(self.pr(repo, number)?.0)
    }

    async fn changed_files(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<String>, ForgeError> {
        self.check_failure()?;
        Ok(self.pr(repo, number)?.1)
    }

    async fn find_or_create_pull_request(
        &self,
        repo: &RepoName,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        self.check_failure()?;
        let open = self.open_pull_requests(repo).await?;
        if let Some(pr) = open.into_iter().find(|pr| pr.head_ref == new.head_ref) {
            return Ok(pr);
        }
        let number = {
            let mut world = self.world();
            world.next_id += 1;
            world.writes += 1;
            world.next_id
        };
        self.open_pr(repo, number, BOT_LOGIN, &[]);
        let mut world = self.world();
        let (pr, _) = world
            .prs
            .get_mut(&(repo.clone(), number))
            .ok_or_else(|| ForgeError::NotFound("just created".to_owned()))?;
        pr.title = new.title.clone();
        pr.head_ref = new.head_ref.clone();
        pr.base_ref = new.base_ref.clone();
        Ok(pr.clone())
    }

    async fn comments(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<Comment>, ForgeError> {
        self.check_failure()?;
        Ok(self.comments_on(repo, number.0))
    }

    async fn upsert_comment(
        &self,
        repo: &RepoName,
        number: PrNumber,
        marker: &Marker,
        body: &str,
    ) -> Result<Upserted, ForgeError> {
        self.check_failure()?;
        self.pr(repo, number)?;
        let text = fold_comment(marker, body, GITHUB_COMMENT_LIMIT);
        let mut world = self.world();
        world.next_id += 1;
        let fresh = world.next_id;
        let comments = world.comments.entry((repo.clone(), number.0)).or_default();
        let outcome = match comments
            .iter_mut()
            .find(|c| c.author == BOT_LOGIN && marker.is_in(&c.body))
        {
            Some(c) if c.body == text => return Ok(Upserted::Unchanged(c.id)),
            Some(c) => {
                c.body = text;
                Upserted::Updated(c.id)
            }
            None => {
                comments.push(Comment {
                    id: fresh,
                    author: BOT_LOGIN.to_owned(),
                    body: text,
                });
                Upserted::Created(fresh)
            }
        };
        world.writes += 1;
        Ok(outcome)
    }

    async fn set_check(&self, repo: &RepoName, check: &CheckSpec) -> Result<(), ForgeError> {
        self.check_failure()?;
        let mut world = self.world();
        world
            .checks
            .retain(|(r, c)| !(r == repo && c.name == check.name && c.head_sha == check.head_sha));
        world.checks.push((repo.clone(), check.clone()));
        world.writes += 1;
        Ok(())
    }

    async fn reviews(&self, repo: &RepoName, number: PrNumber) -> Result<Vec<Review>, ForgeError> {
        self.check_failure()?;
        Ok(self
            .world()
            .reviews
            .get(&(repo.clone(), number.0))
            .cloned()
            .unwrap_or_default())
    }

    async fn access(&self, repo: &RepoName, login: &str) -> Result<Access, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        Ok(world
            .access
            .get(&(repo.clone(), login.to_owned()))
            .copied()
            .unwrap_or(Access::Read))
    }

    async fn merge(&self, repo: &RepoName, number: PrNumber) -> Result<MergeOutcome, ForgeError> {
        self.check_failure()?;
        let mut world = self.world();
        let (pr, _) = world
            .prs
            .get_mut(&(repo.clone(), number.0))
            .ok_or_else(|| ForgeError::NotFound(format!("{repo}#{number}")))?;
        if pr.state == PrState::Merged {
            return Ok(MergeOutcome::AlreadyMerged);
        }
        pr.state = PrState::Merged;
        let merged = pr.head_sha.clone();
        pr.merge_sha = Some(merged.clone());
        world.writes += 1;
        Ok(MergeOutcome::Merged(merged))
    }

    async fn file(&self, repo: &RepoName, path: &str) -> Result<Option<String>, ForgeError> {
        self.check_failure()?;
        Ok(self
            .world()
            .files
            .get(&(repo.clone(), path.to_owned()))
            .cloned())
    }

    async fn is_team_member(&self, org: &str, team: &str, login: &str) -> Result<bool, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        let members = world.teams.get(&(org.to_owned(), team.to_owned()));
        Ok(members.is_some_and(|m| m.iter().any(|l| l == login)))
    }

    async fn default_branch(&self, _repo: &RepoName) -> Result<String, ForgeError> {
        self.check_failure()?;
        Ok("main".to_owned())
    }

    async fn resolve(&self, repo: &RepoName, git_ref: &str) -> Result<Sha, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        if let Some(sha) = world.branches.get(&(repo.clone(), git_ref.to_owned())) {
            return Ok(sha.clone());
        }
        git_ref
            .parse::<Sha>()
            .ok()
            .filter(|sha| world.commits.contains_key(&(repo.clone(), sha.clone())))
            .ok_or_else(|| ForgeError::NotFound(format!("{git_ref} in {repo}")))
    }

    async fn files_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        folders: &[String],
    ) -> Result<Vec<RepoFile>, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        let found = world
            .commits
            .get(&(repo.clone(), commit.clone()))
            .ok_or_else(|| ForgeError::NotFound(format!("commit {commit}")))?;
        let under = |path: &str| {
            folders.iter().any(|f| {
                let f = f.trim_end_matches('/');
                path.strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        Ok(found
            .files
            .iter()
            .filter(|(path, _)| under(path))
            .map(|(path, text)| RepoFile {
                path: path.clone(),
                text: text.clone(),
            })
            .collect())
    }

    async fn commit_files(
        &self,
        repo: &RepoName,
        request: &CommitRequest,
    ) -> Result<Sha, ForgeError> {
        self.check_failure()?;
        if request.branch == "main" {
            return Err(ForgeError::Invalid(
                "bosun never writes the default branch".to_owned(),
            ));
        }
        let mut world = self.world();
        let parent = world
            .commits
            .get(&(repo.clone(), request.parent.clone()))
            .cloned()
            .ok_or_else(|| ForgeError::NotFound(format!("commit {}", request.parent)))?;
        let mut files = parent.files;
        for change in &request.changes {
            match &change.text {
                Some(text) => files.insert(change.path.clone(), text.clone()),
                None => files.remove(&change.path),
            };
        }
        let key = (repo.clone(), request.branch.clone());
        if let Some(tip) = world.branches.get(&key)
            && let Some(existing) = world.commits.get(&(repo.clone(), tip.clone()))
            && existing.parent.as_ref() == Some(&request.parent)
            && existing.files == files
        {
            return Ok(tip.clone());
        }
        world.next_id += 1;
        let sha = sha_of(1_000_000 + world.next_id);
        let commit = MemCommit {
            parent: Some(request.parent.clone()),
            files,
            at: Utc::now(),
        };
        world.commits.insert((repo.clone(), sha.clone()), commit);
        world.branches.insert(key, sha.clone());
        world.writes += 1;
        Ok(sha)
    }

    async fn last_change(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<(Sha, DateTime<Utc>)>, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        let mut at = Some(commit.clone());
        while let Some(sha) = at {
            let current = world
                .commits
                .get(&(repo.clone(), sha.clone()))
                .ok_or_else(|| ForgeError::NotFound(format!("commit {sha}")))?;
            let before = current
                .parent
                .as_ref()
                .and_then(|p| world.commits.get(&(repo.clone(), p.clone())))
                .and_then(|p| p.files.get(path));
            if current.files.get(path) != before {
                return Ok(Some((sha, current.at)));
            }
            at = current.parent.clone();
        }
        Ok(None)
    }

    async fn is_ancestor(
        &self,
        repo: &RepoName,
        ancestor: &Sha,
        descendant: &Sha,
    ) -> Result<bool, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        let mut at = Some(descendant.clone());
        while let Some(sha) = at {
            if &sha == ancestor {
                return Ok(true);
            }
            at = world
                .commits
                .get(&(repo.clone(), sha))
                .and_then(|c| c.parent.clone());
        }
        Ok(false)
    }

    async fn update_pull_request(
        &self,
        repo: &RepoName,
        number: PrNumber,
        title: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        self.check_failure()?;
        let mut world = self.world();
        let (pr, _) = world
            .prs
            .get_mut(&(repo.clone(), number.0))
            .ok_or_else(|| ForgeError::NotFound(format!("{repo}#{number}")))?;
        pr.title = title.to_owned();
        world
            .bodies
            .insert((repo.clone(), number.0), body.to_owned());
        world.writes += 1;
        Ok(())
    }

    async fn add_labels(
        &self,
        repo: &RepoName,
        number: PrNumber,
        labels: &[String],
    ) -> Result<(), ForgeError> {
        self.check_failure()?;
        let mut world = self.world();
        if !world.prs.contains_key(&(repo.clone(), number.0)) {
            return Err(ForgeError::NotFound(format!("{repo}#{number}")));
        }
        let have = world.labels.entry((repo.clone(), number.0)).or_default();
        for label in labels {
            if !have.contains(label) {
                have.push(label.clone());
            }
        }
        world.writes += 1;
        Ok(())
    }

    // --- issue 5: Terraform ---

    async fn check_status(
        &self,
        repo: &RepoName,
        commit: &Sha,
        name: &str,
    ) -> Result<Option<crate::ports::forge::CheckStatus>, ForgeError> {
        self.check_failure()?;
        Ok(self
            .world()
            .checks
            .iter()
            .find(|(r, c)| r == repo && &c.head_sha == commit && c.name == name)
            .map(|(_, c)| c.status))
    }

    async fn find_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
    ) -> Result<Option<crate::ports::forge::Issue>, ForgeError> {
        self.check_failure()?;
        Ok(self
            .world()
            .issues
            .iter()
            .find(|(r, i)| r == repo && i.open && marker.is_in(&i.body))
            .map(|(_, i)| i.clone()))
    }

    async fn upsert_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
        title: &str,
        body: &str,
    ) -> Result<PrNumber, ForgeError> {
        self.check_failure()?;
        let text = fold_comment(marker, body, GITHUB_COMMENT_LIMIT);
        let mut world = self.world();
        world.writes += 1;
        if let Some((_, issue)) = world
            .issues
            .iter_mut()
            .find(|(r, i)| r == repo && i.open && marker.is_in(&i.body))
        {
            issue.title = title.to_owned();
            issue.body = text;
            return Ok(issue.number);
        }
        world.next_id += 1;
        let number = PrNumber(10_000 + world.next_id);
        world.issues.push((
            repo.clone(),
            crate::ports::forge::Issue {
                number,
                title: title.to_owned(),
                body: text,
                open: true,
            },
        ));
        Ok(number)
    }

    async fn close_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
        note: &str,
    ) -> Result<Option<PrNumber>, ForgeError> {
        self.check_failure()?;
        let mut world = self.world();
        let Some(number) = world
            .issues
            .iter_mut()
            .find(|(r, i)| r == repo && i.open && marker.is_in(&i.body))
            .map(|(_, issue)| {
                issue.open = false;
                issue.number
            })
        else {
            return Ok(None);
        };
        world.next_id += 1;
        let id = world.next_id;
        world
            .comments
            .entry((repo.clone(), number.0))
            .or_default()
            .push(Comment {
                id,
                author: BOT_LOGIN.to_owned(),
                body: note.to_owned(),
            });
        world.writes += 1;
        Ok(Some(number))
    }

    // --- issue 6: the merge gate ---

    async fn file_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        self.check_failure()?;
        let world = self.world();
        let found = world
            .commits
            .get(&(repo.clone(), commit.clone()))
            .ok_or_else(|| ForgeError::NotFound(format!("commit {commit}")))?;
        Ok(found.files.get(path).cloned())
    }

    async fn run_artifacts(
        &self,
        repo: &RepoName,
        run_id: u64,
    ) -> Result<Vec<RunArtifact>, ForgeError> {
        self.check_failure()?;
        Ok(self
            .world()
            .artifacts
            .iter()
            .filter(|(r, run, _, _)| r == repo && *run == run_id)
            .map(|(_, _, a, _)| a.clone())
            .collect())
    }

    async fn download_artifact(
        &self,
        repo: &RepoName,
        artifact_id: u64,
    ) -> Result<Vec<u8>, ForgeError> {
        self.check_failure()?;
        self.world()
            .artifacts
            .iter()
            .find(|(r, _, a, _)| r == repo && a.id == artifact_id && !a.expired)
            .map(|(_, _, _, zip)| zip.clone())
            .ok_or_else(|| ForgeError::NotFound(format!("artifact {artifact_id} of {repo}")))
    }
}

impl MemoryForge {
    /// Issue 5: every issue of `repo`, open or closed.
    pub fn issues(&self, repo: &RepoName) -> Vec<crate::ports::forge::Issue> {
        self.world()
            .issues
            .iter()
            .filter(|(r, _)| r == repo)
            .map(|(_, i)| i.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::forge::FileChange;

    fn repo() -> RepoName {
        "acme/platform".parse().unwrap_or_else(|_| unreachable!())
    }

    #[tokio::test]
    async fn commits_on_a_branch_are_idempotent_and_history_is_walkable() {
        let forge = MemoryForge::new();
        let t0 = Utc::now() - chrono::Duration::days(3);
        let base = forge.seed(&repo(), "main", &[("a/x.yaml", "v: 1\n"), ("b/y", "y")], t0);
        let files = forge
            .files_at(&repo(), &base, &["a".to_owned()])
            .await
            .unwrap();
        assert_eq!(files.len(), 1);
        let request = CommitRequest {
            branch: "bosun/promote/stg-to-prd".to_owned(),
            parent: base.clone(),
            message: "promote".to_owned(),
            changes: vec![FileChange {
                path: "a/x.yaml".to_owned(),
                text: Some("v: 2\n".to_owned()),
            }],
        };
        let first = forge.commit_files(&repo(), &request).await.unwrap();
        let writes = forge.writes();
        assert_eq!(forge.commit_files(&repo(), &request).await.unwrap(), first);
        assert_eq!(forge.writes(), writes, "an identical commit writes nothing");
        assert!(forge.is_ancestor(&repo(), &base, &first).await.unwrap());
        assert!(!forge.is_ancestor(&repo(), &first, &base).await.unwrap());
        let (changed_in, at) = forge
            .last_change(&repo(), &first, "b/y")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((changed_in, at), (base, t0));
        assert!(
            forge
                .last_change(&repo(), &first, "nope")
                .await
                .unwrap()
                .is_none()
        );
        let main = CommitRequest {
            branch: "main".to_owned(),
            ..request
        };
        assert!(matches!(
            forge.commit_files(&repo(), &main).await,
            Err(ForgeError::Invalid(_))
        ));
    }
}

/// Helpers for promotion scenarios (kept after the tests so the file's other
/// parts stay as they are while the promotion work lands).
#[allow(clippy::items_after_test_module)]
impl MemoryForge {
    /// Points pull request `number`'s head at `head` (a commit made with
    /// [`MemoryForge::seed`]), so its merge commit is a real commit whose
    /// descendants the forge can tell.
    pub fn set_pr_head(&self, repo: &RepoName, number: u64, head: &Sha) {
        if let Some((pr, _)) = self.world().prs.get_mut(&(repo.clone(), number)) {
            pr.head_sha = head.clone();
        }
    }

    /// Issue 6: workflow run `run_id` uploaded an artifact `name` holding
    /// `zip` (a zip archive); returns the artifact's id.
    pub fn add_artifact(&self, repo: &RepoName, run_id: u64, name: &str, zip: Vec<u8>) -> u64 {
        let mut world = self.world();
        world.next_id += 1;
        let id = world.next_id;
        let artifact = RunArtifact {
            id,
            name: name.to_owned(),
            size_in_bytes: zip.len() as u64,
            expired: false,
        };
        world.artifacts.push((repo.clone(), run_id, artifact, zip));
        id
    }

    /// Issue 6: every check set on `head` of `repo`.
    pub fn checks_on(&self, repo: &RepoName, head: &Sha) -> Vec<CheckSpec> {
        self.world()
            .checks
            .iter()
            .filter(|(r, c)| r == repo && &c.head_sha == head)
            .map(|(_, c)| c.clone())
            .collect()
    }
}

mod notifier;
mod tree;
pub use notifier::RecordingNotifier;
pub use tree::{workspace_root, workspace_tree};
