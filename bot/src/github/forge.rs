//! [`GitHubForge`]: the engine's [`Forge`] port on GitHub, as a GitHub App.
//!
//! Each repository (and each organisation, for team membership) is reached
//! through the app installation that covers it, looked up once and then
//! cached. Every operation is retried as a whole under the [`RetryPolicy`];
//! each one reads before it writes, so a retry after a write that did land
//! finds it instead of repeating it. The operations themselves live next
//! door, by concept: `pulls`, `comments`, `checks`, `people`, `repos`,
//! `git_data`.

use async_trait::async_trait;
use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use bosun_reconciler::ports::forge::{
    Access, CheckSpec, Comment, CommitRequest, Forge, ForgeError, Marker, MergeOutcome,
    NewPullRequest, PullRequest, RepoFile, Review, RunArtifact, Upserted,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::api::{Api, Auth};
use super::config::{GitHubConfig, GitHubSetupError};
use super::retry::RetryPolicy;
use super::throttle::Throttle;
use crate::metrics::OutboundObserver;

/// The [`Forge`] port over GitHub's REST API, authenticated as a GitHub App.
pub struct GitHubForge {
    pub(super) api: Api,
    pub(super) app_id: u64,
    retry: RetryPolicy,
    login: tokio::sync::OnceCell<String>,
    repo_installations: RwLock<HashMap<RepoName, u64>>,
    org_installations: RwLock<HashMap<String, u64>>,
}

impl GitHubForge {
    /// A forge for the app in `config`; every HTTP call is reported to `observer`.
    pub fn new(
        config: GitHubConfig,
        observer: Arc<dyn OutboundObserver>,
    ) -> Result<Self, GitHubSetupError> {
        let app = super::auth::app_client(&config)?;
        let api = Api::new(
            app,
            Throttle::new(config.throttle),
            observer,
            config.request_timeout,
        );
        Ok(Self {
            api,
            app_id: config.app_id,
            retry: config.retry,
            login: tokio::sync::OnceCell::new(),
            repo_installations: RwLock::new(HashMap::new()),
            org_installations: RwLock::new(HashMap::new()),
        })
    }

    /// The installation that covers `repo`, asked of GitHub once.
    pub(super) async fn installation(&self, repo: &RepoName) -> Result<Auth, ForgeError> {
        let path = format!("/repos/{repo}/installation");
        let what = format!("the GitHub App is not installed on {repo}");
        self.installation_at(&self.repo_installations, repo.clone(), &path, what)
            .await
    }

    /// The installation on the organisation `org`, asked of GitHub once.
    pub(super) async fn org_installation(&self, org: &str) -> Result<Auth, ForgeError> {
        let path = format!("/orgs/{}/installation", super::api::encode(org));
        let what = format!("the GitHub App is not installed on the organisation {org}");
        self.installation_at(&self.org_installations, org.to_owned(), &path, what)
            .await
    }

    async fn installation_at<K: std::hash::Hash + Eq>(
        &self,
        cache: &RwLock<HashMap<K, u64>>,
        key: K,
        path: &str,
        not_installed: String,
    ) -> Result<Auth, ForgeError> {
        let cached = cache
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .copied();
        if let Some(id) = cached {
            return Ok(Auth::Installation(id));
        }
        let found: octocrab::models::Installation =
            self.api.get(Auth::App, path).await.map_err(|e| match e {
                ForgeError::NotFound(_) => ForgeError::NotFound(not_installed),
                other => other,
            })?;
        let id = found.id.0;
        cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, id);
        Ok(Auth::Installation(id))
    }

    /// Notes that `installation` covers `repo` (learnt from a listing).
    pub(super) fn remember(&self, repo: RepoName, installation: u64) {
        self.repo_installations
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(repo, installation);
    }
}

#[async_trait]
impl Forge for GitHubForge {
    async fn bot_login(&self) -> Result<String, ForgeError> {
        let login = self
            .login
            .get_or_try_init(|| {
                self.retry.run(|| async {
                    let app: octocrab::models::App = self.api.get(Auth::App, "/app").await?;
                    let slug = app
                        .slug
                        .ok_or_else(|| ForgeError::Invalid("GET /app has no slug".into()))?;
                    Ok(format!("{slug}[bot]"))
                })
            })
            .await?;
        Ok(login.clone())
    }

    async fn managed_repos(&self) -> Result<Vec<RepoName>, ForgeError> {
        self.retry.run(|| self.list_managed()).await
    }

    async fn open_pull_requests(&self, repo: &RepoName) -> Result<Vec<PullRequest>, ForgeError> {
        self.retry.run(|| self.list_open_pulls(repo)).await
    }

    async fn pull_request(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<PullRequest, ForgeError> {
        self.retry.run(|| self.fetch_pull(repo, number)).await
    }

    async fn changed_files(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<String>, ForgeError> {
        self.retry
            .run(|| self.list_changed_files(repo, number))
            .await
    }

    async fn find_or_create_pull_request(
        &self,
        repo: &RepoName,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        self.retry.run(|| self.find_or_create(repo, new)).await
    }

    async fn comments(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<Comment>, ForgeError> {
        self.retry.run(|| self.list_comments(repo, number)).await
    }

    async fn upsert_comment(
        &self,
        repo: &RepoName,
        number: PrNumber,
        marker: &Marker,
        body: &str,
    ) -> Result<Upserted, ForgeError> {
        let login = self.bot_login().await?;
        self.retry
            .run(|| self.upsert(repo, number, &login, marker, body))
            .await
    }

    async fn set_check(&self, repo: &RepoName, check: &CheckSpec) -> Result<(), ForgeError> {
        self.retry
            .run(|| self.set_check_or_status(repo, check))
            .await
    }

    async fn reviews(&self, repo: &RepoName, number: PrNumber) -> Result<Vec<Review>, ForgeError> {
        self.retry.run(|| self.list_reviews(repo, number)).await
    }

    async fn access(&self, repo: &RepoName, login: &str) -> Result<Access, ForgeError> {
        self.retry.run(|| self.permission(repo, login)).await
    }

    async fn merge(&self, repo: &RepoName, number: PrNumber) -> Result<MergeOutcome, ForgeError> {
        self.retry.run(|| self.merge_once(repo, number)).await
    }

    async fn file(&self, repo: &RepoName, path: &str) -> Result<Option<String>, ForgeError> {
        self.retry.run(|| self.read_file(repo, path)).await
    }

    async fn is_team_member(&self, org: &str, team: &str, login: &str) -> Result<bool, ForgeError> {
        self.retry
            .run(|| self.team_membership(org, team, login))
            .await
    }

    async fn default_branch(&self, repo: &RepoName) -> Result<String, ForgeError> {
        self.retry.run(|| self.fetch_default_branch(repo)).await
    }

    async fn resolve(&self, repo: &RepoName, git_ref: &str) -> Result<Sha, ForgeError> {
        self.retry.run(|| self.resolve_ref(repo, git_ref)).await
    }

    async fn files_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        folders: &[String],
    ) -> Result<Vec<RepoFile>, ForgeError> {
        self.retry
            .run(|| self.read_files_at(repo, commit, folders))
            .await
    }

    async fn commit_files(
        &self,
        repo: &RepoName,
        request: &CommitRequest,
    ) -> Result<Sha, ForgeError> {
        self.retry.run(|| self.write_commit(repo, request)).await
    }

    async fn last_change(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<(Sha, DateTime<Utc>)>, ForgeError> {
        self.retry
            .run(|| self.newest_change(repo, commit, path))
            .await
    }

    async fn is_ancestor(
        &self,
        repo: &RepoName,
        ancestor: &Sha,
        descendant: &Sha,
    ) -> Result<bool, ForgeError> {
        self.retry
            .run(|| self.contains(repo, ancestor, descendant))
            .await
    }

    async fn update_pull_request(
        &self,
        repo: &RepoName,
        number: PrNumber,
        title: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        self.retry
            .run(|| self.edit_pull(repo, number, title, body))
            .await
    }

    async fn add_labels(
        &self,
        repo: &RepoName,
        number: PrNumber,
        labels: &[String],
    ) -> Result<(), ForgeError> {
        self.retry
            .run(|| self.label_pull(repo, number, labels))
            .await
    }

    // --- issue 5: Terraform ---

    async fn check_status(
        &self,
        repo: &RepoName,
        commit: &Sha,
        name: &str,
    ) -> Result<Option<bosun_reconciler::ports::forge::CheckStatus>, ForgeError> {
        self.retry
            .run(|| self.check_run_status(repo, commit, name))
            .await
    }

    async fn find_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
    ) -> Result<Option<bosun_reconciler::ports::forge::Issue>, ForgeError> {
        let login = self.bot_login().await?;
        self.retry
            .run(|| self.open_issue(repo, &login, marker))
            .await
    }

    async fn upsert_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
        title: &str,
        body: &str,
    ) -> Result<PrNumber, ForgeError> {
        let login = self.bot_login().await?;
        self.retry
            .run(|| self.put_issue(repo, &login, marker, title, body))
            .await
    }

    async fn close_issue(
        &self,
        repo: &RepoName,
        marker: &Marker,
        note: &str,
    ) -> Result<Option<PrNumber>, ForgeError> {
        let login = self.bot_login().await?;
        self.retry
            .run(|| self.shut_issue(repo, &login, marker, note))
            .await
    }

    // --- issue 6: the merge gate ---

    async fn file_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        self.retry
            .run(|| self.read_file_at(repo, commit, path))
            .await
    }

    async fn run_artifacts(
        &self,
        repo: &RepoName,
        run_id: u64,
    ) -> Result<Vec<RunArtifact>, ForgeError> {
        self.retry.run(|| self.list_artifacts(repo, run_id)).await
    }

    async fn download_artifact(
        &self,
        repo: &RepoName,
        artifact_id: u64,
    ) -> Result<Vec<u8>, ForgeError> {
        self.retry
            .run(|| self.artifact_zip(repo, artifact_id))
            .await
    }
}
