//! Repositories on GitHub: the ones bosun manages (every repository of
//! every installation of the app), a file's text on a default branch, and
//! history: the last commit that changed a path, and whether one commit
//! contains another.

use bosun_reconciler::ids::{RepoName, Sha};
use bosun_reconciler::ports::forge::ForgeError;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::api::{Auth, encode};
use super::forge::GitHubForge;

impl GitHubForge {
    /// Every repository of every installation, sorted. The listing also
    /// tells the forge which installation covers which repository.
    pub(super) async fn list_managed(&self) -> Result<Vec<RepoName>, ForgeError> {
        let installations: Vec<octocrab::models::Installation> = self
            .api
            .get_all(Auth::App, "/app/installations?per_page=100", None)
            .await?;
        let mut repos = Vec::new();
        for installation in installations {
            let id = installation.id.0;
            let path = "/installation/repositories?per_page=100";
            let auth = Auth::Installation(id);
            let listed: Vec<octocrab::models::Repository> = match self
                .api
                .get_all(auth, path, Some("repositories"))
                .await
            {
                Ok(listed) => listed,
                // A suspended installation cannot mint tokens: skip it.
                Err(ForgeError::Unauthorized(why)) => {
                    tracing::warn!(installation = id, %why, "skipping an installation bosun cannot act for");
                    continue;
                }
                Err(other) => return Err(other),
            };
            for repository in listed {
                let full_name = repository.full_name.unwrap_or_else(|| {
                    let owner = repository.owner.map(|o| o.login).unwrap_or_default();
                    format!("{owner}/{}", repository.name)
                });
                let repo: RepoName = full_name
                    .parse()
                    .map_err(|e| ForgeError::Invalid(format!("installation {id} lists {e}")))?;
                self.remember(repo.clone(), id);
                repos.push(repo);
            }
        }
        repos.sort();
        repos.dedup();
        Ok(repos)
    }

    /// The text of `path` on the default branch, `None` when it is absent.
    pub(super) async fn read_file(
        &self,
        repo: &RepoName,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let auth = self.installation(repo).await?;
        let segments: Vec<String> = path.trim_matches('/').split('/').map(encode).collect();
        let route = format!("/repos/{repo}/contents/{}", segments.join("/"));
        let reply = match self.api.get_raw(auth, &route).await {
            Ok(reply) => reply,
            Err(ForgeError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        String::from_utf8(reply.body)
            .map(Some)
            .map_err(|_| ForgeError::Invalid(format!("{repo}:{path} is not UTF-8 text")))
    }

    /// The newest commit reachable from `commit` that changed `path`
    /// (`GET /repos/{o}/{r}/commits?sha=…&path=…&per_page=1`), with its
    /// committer's date (the author's when GitHub has no committer).
    pub(super) async fn newest_change(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<(Sha, DateTime<Utc>)>, ForgeError> {
        let auth = self.installation(repo).await?;
        let route = format!(
            "/repos/{repo}/commits?sha={}&path={}&per_page=1",
            commit.as_str(),
            encode(path.trim_matches('/'))
        );
        let listed: Vec<ListedCommit> = self.api.get(auth, &route).await?;
        let Some(newest) = listed.into_iter().next() else {
            return Ok(None);
        };
        let date = newest
            .commit
            .committer
            .or(newest.commit.author)
            .map(|s| s.date)
            .ok_or_else(|| {
                ForgeError::Invalid(format!("commit {} of {repo} has no date", newest.sha))
            })?;
        let sha = newest.sha.parse().map_err(|e| {
            ForgeError::Invalid(format!("GitHub answered a bad commit id for {repo}: {e}"))
        })?;
        Ok(Some((sha, date)))
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors, from
    /// `GET /repos/{o}/{r}/compare/{ancestor}...{descendant}`: `identical`
    /// or `ahead` mean it is; `behind` or `diverged` that it is not.
    pub(super) async fn contains(
        &self,
        repo: &RepoName,
        ancestor: &Sha,
        descendant: &Sha,
    ) -> Result<bool, ForgeError> {
        let auth = self.installation(repo).await?;
        let route = format!(
            "/repos/{repo}/compare/{}...{}?per_page=1",
            ancestor.as_str(),
            descendant.as_str()
        );
        let comparison: Comparison = self.api.get(auth, &route).await?;
        match comparison.status.as_str() {
            "identical" | "ahead" => Ok(true),
            "behind" | "diverged" => Ok(false),
            other => Err(ForgeError::Invalid(format!(
                "GitHub compared {ancestor} and {descendant} in {repo} as {other}"
            ))),
        }
    }
}

/// One commit of `GET /repos/{o}/{r}/commits`, as far as bosun reads it.
#[derive(Debug, Deserialize)]
struct ListedCommit {
    sha: String,
    commit: CommitDetail,
}

/// The Git commit inside a listed commit.
#[derive(Debug, Deserialize)]
struct CommitDetail {
    #[serde(default)]
    author: Option<Signature>,
    #[serde(default)]
    committer: Option<Signature>,
}

/// Who made a commit, and when.
#[derive(Debug, Deserialize)]
struct Signature {
    date: DateTime<Utc>,
}

/// The answer to `GET /repos/{o}/{r}/compare/{base}...{head}`, as far as bosun reads it.
#[derive(Debug, Deserialize)]
struct Comparison {
    status: String,
}
