//! `GitHubFake`: GitHub's REST API as a wiremock server backed by one shared
//! in-memory world, answering with GitHub's own recorded response shapes.
//! Every repository holds real Git objects (blobs, trees, commits named by
//! their Git SHA-1) and branches; see `git_seed` for seeding and reading them.
//!
//! It authenticates like GitHub: app endpoints need an RS256 JWT signed by
//! the test app's key with `iss` = the app id; everything else needs a live
//! installation token, which it issues at `POST
//! /app/installations/{id}/access_tokens`. Tests seed the world
//! (`add_repo`, `add_pr`, `set_permission`, …), inject faults
//! (`fail_next`), read the world back (`comments`, `check_runs`, …) and
//! inspect every request (`requests_to`, `assert_no_unexpected_requests`).

#![allow(dead_code)]

mod artifact_routes;
mod git;
mod git_routes;
mod git_seed;
mod issue_routes;
mod pull_routes;
mod repo_routes;
mod routes;
mod shapes;
mod world;

pub use world::{FakeCheckRun, FakeComment, FakePr, FakeReview, FakeStatus, Recorded};

use bosun::github::{GitHubConfig, RetryPolicy, ThrottleLimits};
use secrecy::SecretString;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};
use world::{Fault, Repo, World};

/// The test app's id.
pub const APP_ID: u64 = 4242;
/// The test app's slug.
pub const APP_SLUG: &str = "bosun";
/// The login of the app's own comments.
pub const BOT_LOGIN: &str = "bosun[bot]";
/// The test app's private key (generated for these tests only).
pub const APP_KEY: &str = include_str!("../fixtures/github/test-app-key.pem");
/// Another private key, which GitHub would not accept for the app.
pub const OTHER_KEY: &str = include_str!("../fixtures/github/test-other-key.pem");
const APP_PUBLIC_KEY: &str = include_str!("../fixtures/github/test-app-key.pub.pem");

/// Whether `token` is an RS256 JWT signed by the test app's key, issued to
/// the app `app_id`, unexpired and living at most ten minutes (GitHub's rule).
pub(crate) fn jwt_is_valid(token: &str, app_id: u64) -> bool {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    #[derive(serde::Deserialize)]
    struct Claims {
        iss: serde_json::Value,
        iat: i64,
        exp: i64,
    }
    let Ok(key) = DecodingKey::from_rsa_pem(APP_PUBLIC_KEY.as_bytes()) else {
        return false;
    };
    let mut validation = Validation::new(Algorithm::RS256);
    // GitHub's `iss` is the app id as a number, which jsonwebtoken's own
    // issuer check (strings only) cannot see: it is checked below.
    validation.set_required_spec_claims(&["exp"]);
    let Ok(data) = decode::<Claims>(token, &key, &validation) else {
        return false;
    };
    let claims = data.claims;
    let iss_ok =
        claims.iss.as_u64() == Some(app_id) || claims.iss.as_str() == Some(&app_id.to_string());
    let now = chrono::Utc::now().timestamp();
    iss_ok && claims.iat <= now + 60 && claims.exp - now <= 600 + 60
}

/// The fake GitHub: a wiremock server over one shared world.
pub struct GitHubFake {
    server: MockServer,
    world: Arc<Mutex<World>>,
}

impl GitHubFake {
    /// A fake with the app `bosun` (id [`APP_ID`]) and nothing installed yet.
    pub async fn start() -> Self {
        // rustls needs one process-wide crypto provider; ignore "already set".
        let _ = rustls::crypto::ring::default_provider().install_default();
        let server = MockServer::start().await;
        let world = Arc::new(Mutex::new(World::new(server.uri(), APP_ID, APP_SLUG)));
        let shared = Arc::clone(&world);
        Mock::given(any())
            .respond_with(move |request: &Request| -> ResponseTemplate {
                let mut world = shared.lock().unwrap_or_else(|e| e.into_inner());
                routes::respond(&mut world, request)
            })
            .mount(&server)
            .await;
        Self { server, world }
    }

    /// The base URL to point a client at.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// A config for the test app at this fake, with fast retries and a
    /// short request timeout so tests stay quick.
    pub fn config(&self) -> GitHubConfig {
        self.config_with_key(APP_KEY)
    }

    /// [`Self::config`] signing with `pem` instead of the app's key.
    pub fn config_with_key(&self, pem: &str) -> GitHubConfig {
        let mut config = GitHubConfig::new(APP_ID, SecretString::from(pem.to_owned()));
        config.api_url = self.uri();
        config.retry = RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_secs(2),
            max_total_wait: Duration::from_secs(5),
        };
        config.throttle = ThrottleLimits::default();
        config.request_timeout = Duration::from_secs(2);
        config
    }

    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `owner/name` with default branch `main`, covered by the app's
    /// installation on `owner` (created when missing), with an initial
    /// commit writing `README.md`. Returns the installation id.
    pub fn add_repo(&self, full_name: &str) -> u64 {
        self.add_repo_with_branch(full_name, "main")
    }

    /// Adds a repository whose default branch is `default_branch`.
    pub fn add_repo_with_branch(&self, full_name: &str, default_branch: &str) -> u64 {
        let (owner, name) = full_name.split_once('/').expect("owner/name");
        let mut world = self.world();
        let installation = world.installation_for(owner);
        let id = 500_000 + world.repos.len() as u64;
        let mut repo = Repo {
            id,
            owner: owner.to_owned(),
            name: name.to_owned(),
            default_branch: default_branch.to_owned(),
            installation,
            ..Repo::default()
        };
        let readme = format!("# {name}\n");
        repo.commit_on(
            default_branch,
            &[("README.md", Some(readme.as_bytes()))],
            "Initial commit",
        );
        world.repos.insert(full_name.to_owned(), repo);
        installation
    }

    /// Adds a pull request (its number is given here, after any earlier one).
    /// Its head is the tip of its head branch; a missing head branch is made
    /// from the base branch with one commit writing each of the PR's files.
    /// A [`FakePr::merged`] one is merged into its base with a merge commit.
    pub fn add_pr(&self, full_name: &str, pr: FakePr) -> u64 {
        let mut world = self.world();
        let repo = world.repo_mut(full_name);
        repo.next_number += 1;
        let mut pr = pr;
        pr.number = repo.next_number;
        if pr.base_ref.is_empty() {
            pr.base_ref = repo.default_branch.clone();
        }
        if repo.git.resolve(&pr.base_ref).is_none() {
            let default = repo.tip_or_placeholder(&repo.default_branch.clone());
            repo.set_branch(&pr.base_ref, &default);
        }
        pr.head_sha = match repo.git.resolve(&pr.head_ref) {
            Some(tip) => tip,
            None => {
                let text = format!("changed on {}\n", pr.head_ref);
                let files: Vec<(&str, Option<&[u8]>)> = pr
                    .files
                    .iter()
                    .map(|f| (f.as_str(), Some(text.as_bytes())))
                    .collect();
                let base = repo.tip_or_placeholder(&pr.base_ref);
                repo.set_branch(&pr.head_ref, &base);
                let message = format!("Change from {}", pr.head_ref);
                repo.commit_on(&pr.head_ref, &files, &message)
            }
        };
        if pr.merged {
            pr.merge_commit_sha = Some(pull_routes::merge_into_base(repo, &pr));
        }
        repo.prs.insert(pr.number, pr);
        repo.next_number
    }

    /// Adds a comment by `author` on pull request `number`; returns its id.
    pub fn add_comment(&self, full_name: &str, number: u64, author: &str, body: &str) -> u64 {
        let mut world = self.world();
        let id = world.next_id();
        world.repo_mut(full_name).comments.push(FakeComment {
            id,
            issue: number,
            author: author.to_owned(),
            body: body.to_owned(),
        });
        id
    }

    /// Adds a review (`APPROVED`, `CHANGES_REQUESTED`, …) on the PR's head.
    pub fn add_review(&self, full_name: &str, number: u64, reviewer: &str, state: &str) -> u64 {
        let mut world = self.world();
        let id = world.next_id();
        let repo = world.repo_mut(full_name);
        let commit_id = repo.prs[&number].head_sha.clone();
        repo.reviews.push(FakeReview {
            id,
            pr: number,
            reviewer: reviewer.to_owned(),
            state: state.to_owned(),
            commit_id,
        });
        id
    }

    /// Gives `login` the role `role` (`admin`, `maintain`, `write`, `triage`, `read`).
    pub fn set_permission(&self, full_name: &str, login: &str, role: &str) {
        let mut world = self.world();
        let repo = world.repo_mut(full_name);
        repo.permissions.insert(login.to_owned(), role.to_owned());
    }

    /// Puts a file with `text` at `path` on the default branch (one commit).
    pub fn set_file(&self, full_name: &str, path: &str, text: &str) {
        let mut world = self.world();
        let repo = world.repo_mut(full_name);
        let branch = repo.default_branch.clone();
        let message = format!("Set {path}");
        repo.commit_on(&branch, &[(path, Some(text.as_bytes()))], &message);
    }

    /// Installs the app on `account` (an organisation) without any repository.
    pub fn install_on(&self, account: &str) -> u64 {
        self.world().installation_for(account)
    }

    /// Makes `login` a member of `org/team` in `state` (`active` or `pending`).
    pub fn add_team_member(&self, org: &str, team: &str, login: &str, state: &str) {
        let mut world = self.world();
        let key = (org.to_owned(), team.to_owned());
        let members = world.teams.entry(key).or_default();
        members.insert(login.to_owned(), state.to_owned());
    }

    /// Sets what GitHub has computed about a PR's mergeability.
    pub fn set_mergeable(&self, full_name: &str, number: u64, mergeable: Option<bool>) {
        let mut world = self.world();
        let pr = world
            .repo_mut(full_name)
            .prs
            .get_mut(&number)
            .expect("a pull request");
        pr.mergeable = mergeable;
    }

    /// Makes every check-run endpoint answer 403, as for credentials that are not an app's.
    pub fn forbid_check_runs(&self) {
        self.world().check_runs_forbidden = true;
    }

    /// How long tokens issued from now on live.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.world().token_lifetime = chrono::Duration::from_std(lifetime).expect("a lifetime");
    }

    /// Revokes every token issued so far (requests with them get 401).
    pub fn revoke_tokens(&self) {
        self.world().tokens.clear();
    }

    /// How many installation tokens the fake has issued.
    pub fn tokens_issued(&self) -> u64 {
        self.world().tokens_issued
    }

    /// Answers the next `count` requests matching `method` and `path` (exact,
    /// or a prefix when it ends in `*`) with `status` and `headers`.
    pub fn fail_next(
        &self,
        method: &str,
        path: &str,
        status: u16,
        headers: &[(&str, &str)],
        count: usize,
    ) {
        self.world().faults.push(Fault {
            method: method.to_owned(),
            pattern: path.to_owned(),
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            delay: None,
            body: None,
            remaining: count,
        });
    }

    /// Answers the next request matching `method` and `path` with `status`
    /// and this JSON body instead of the world's answer (for races: a list
    /// that is stale by the time bosun acts on it).
    pub fn answer_next(&self, method: &str, path: &str, status: u16, body: serde_json::Value) {
        self.world().faults.push(Fault {
            method: method.to_owned(),
            pattern: path.to_owned(),
            status,
            headers: Vec::new(),
            delay: None,
            body: Some(body),
            remaining: 1,
        });
    }

    /// Holds the answer to the next `count` matching requests for `delay`
    /// (the answer is a 500, for a client that waits that long).
    pub fn delay_next(&self, method: &str, path: &str, delay: Duration, count: usize) {
        self.world().faults.push(Fault {
            method: method.to_owned(),
            pattern: path.to_owned(),
            status: 500,
            headers: Vec::new(),
            delay: Some(delay),
            body: None,
            remaining: count,
        });
    }

    /// Every request received, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.world().requests.clone()
    }

    /// The requests with this method and exact path (query ignored).
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Recorded> {
        let world = self.world();
        world
            .requests
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
            .cloned()
            .collect()
    }

    /// The requests whose method is not `GET`: what changed the world.
    pub fn writes(&self) -> Vec<Recorded> {
        let world = self.world();
        world
            .requests
            .iter()
            .filter(|r| r.method != "GET")
            .cloned()
            .collect()
    }

    /// Panics, listing them, if any request reached no known route.
    pub fn assert_no_unexpected_requests(&self) {
        let world = self.world();
        let unexpected: Vec<String> = world
            .requests
            .iter()
            .filter(|r| r.unexpected)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            unexpected.is_empty(),
            "unexpected requests to the GitHub fake: {unexpected:?}"
        );
    }

    /// The comments on pull request `number`, oldest first.
    pub fn comments(&self, full_name: &str, number: u64) -> Vec<FakeComment> {
        let world = self.world();
        let repo = &world.repos[full_name];
        repo.comments
            .iter()
            .filter(|c| c.issue == number)
            .cloned()
            .collect()
    }

    /// The check runs on commit `sha`, oldest first.
    pub fn check_runs(&self, full_name: &str, sha: &str) -> Vec<FakeCheckRun> {
        let world = self.world();
        let repo = &world.repos[full_name];
        repo.check_runs
            .iter()
            .filter(|r| r.head_sha == sha)
            .cloned()
            .collect()
    }

    /// The commit statuses on `sha`, oldest first.
    pub fn statuses(&self, full_name: &str, sha: &str) -> Vec<FakeStatus> {
        let world = self.world();
        let repo = &world.repos[full_name];
        repo.statuses
            .iter()
            .filter(|s| s.sha == sha)
            .cloned()
            .collect()
    }

    /// Pull request `number` as the world holds it.
    pub fn pr(&self, full_name: &str, number: u64) -> FakePr {
        self.world().repos[full_name].prs[&number].clone()
    }

    /// Every pull request of a repository, by number.
    pub fn prs(&self, full_name: &str) -> Vec<FakePr> {
        self.world().repos[full_name]
            .prs
            .values()
            .cloned()
            .collect()
    }
}
