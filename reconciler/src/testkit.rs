//! In-memory doubles of the ports, for engine scenarios here and in `bot`.
//!
//! [`MemoryForge`] keeps pull requests, comments and checks in memory and
//! implements the same idempotent contract as the real adapters; tests can
//! make calls fail to exercise the error policy.

use crate::ids::{PrNumber, RepoName, Sha};
use crate::ports::forge::{
    Access, CheckSpec, Comment, Forge, ForgeError, GITHUB_COMMENT_LIMIT, Marker, MergeOutcome,
    NewPullRequest, PrState, PullRequest, Review, Upserted, fold_comment,
};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// The bot's login in the memory forge.
pub const BOT_LOGIN: &str = "bosun[bot]";

#[derive(Default)]
struct World {
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
            url: format!("https://forge.test/{repo}/pull/{number}"),
        };
        let files = files.iter().map(|f| (*f).to_owned()).collect();
        world.prs.insert((repo.clone(), number), (pr, files));
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
}
