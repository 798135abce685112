//! Pull requests on GitHub: reading them (one, the open ones, their files
//! and reviews), finding or opening one by its head branch, editing its
//! title, description and labels, and merging.

use bosun_reconciler::ids::{PrNumber, RepoName};
use bosun_reconciler::ports::forge::{
    ForgeError, MergeOutcome, NewPullRequest, PrState, PullRequest, Review,
};
use http::Method;
use octocrab::models::pulls::PullRequest as GhPull;
use serde_json::json;

use super::api::{Auth, encode};
use super::convert;
use super::forge::GitHubForge;

impl GitHubForge {
    /// `GET /repos/{o}/{r}/pulls/{n}`.
    pub(super) async fn fetch_pull(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<PullRequest, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/pulls/{number}");
        let pr: GhPull = self.api.get(auth, &path).await?;
        convert::pull_request(repo, pr)
    }

    /// Every open pull request, across pages.
    pub(super) async fn list_open_pulls(
        &self,
        repo: &RepoName,
    ) -> Result<Vec<PullRequest>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/pulls?state=open&per_page=100");
        let found: Vec<GhPull> = self.api.get_all(auth, &path, None).await?;
        found
            .into_iter()
            .map(|pr| convert::pull_request(repo, pr))
            .collect()
    }

    /// The paths a pull request changes; a rename changes its old path too.
    pub(super) async fn list_changed_files(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<String>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/pulls/{number}/files?per_page=100");
        let files: Vec<octocrab::models::repos::DiffEntry> =
            self.api.get_all(auth, &path, None).await?;
        let mut paths: Vec<String> = Vec::with_capacity(files.len());
        for file in files {
            for path in file.previous_filename.into_iter().chain([file.filename]) {
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
        Ok(paths)
    }

    /// The reviews, oldest first.
    pub(super) async fn list_reviews(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<Review>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/pulls/{number}/reviews?per_page=100");
        let found: Vec<octocrab::models::pulls::Review> =
            self.api.get_all(auth, &path, None).await?;
        Ok(found.into_iter().map(convert::review).collect())
    }

    /// The open pull request whose head is `head_ref` in `repo` itself.
    async fn open_pull_from(
        &self,
        auth: Auth,
        repo: &RepoName,
        head_ref: &str,
    ) -> Result<Option<PullRequest>, ForgeError> {
        let head = encode(&format!("{}:{head_ref}", repo.owner()));
        let path = format!("/repos/{repo}/pulls?head={head}&state=open&per_page=100");
        let found: Vec<GhPull> = self.api.get(auth, &path).await?;
        found
            .into_iter()
            .find(|pr| pr.head.ref_field == head_ref)
            .map(|pr| convert::pull_request(repo, pr))
            .transpose()
    }

    /// The open pull request from `new.head_ref`, else a new one.
    pub(super) async fn find_or_create(
        &self,
        repo: &RepoName,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        let auth = self.installation(repo).await?;
        if let Some(open) = self.open_pull_from(auth, repo, &new.head_ref).await? {
            return Ok(open);
        }
        let body = json!({
            "title": new.title,
            "head": new.head_ref,
            "base": new.base_ref,
            "body": new.body,
        });
        let path = format!("/repos/{repo}/pulls");
        match self
            .api
            .request(auth, Method::POST, &path, Some(&body))
            .await
        {
            Ok(reply) => convert::pull_request(repo, reply.json(&format!("POST {path}"))?),
            // Opened by someone else between the look-up and the create.
            Err(ForgeError::Invalid(message)) if message.contains("already exists") => self
                .open_pull_from(auth, repo, &new.head_ref)
                .await?
                .ok_or(ForgeError::Conflict(message)),
            Err(other) => Err(other),
        }
    }

    /// Merges the head that was read, unless the PR is merged already.
    pub(super) async fn merge_once(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<MergeOutcome, ForgeError> {
        let pr = self.fetch_pull(repo, number).await?;
        match pr.state {
            PrState::Merged => return Ok(MergeOutcome::AlreadyMerged),
            PrState::Closed => {
                let why = format!("{repo}#{number} is closed without merging");
                return Err(ForgeError::Conflict(why));
            }
            PrState::Open => {}
        }
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/pulls/{number}/merge");
        // GitHub answers 409 if the head moved since it was read.
        let body = json!({ "sha": pr.head_sha.as_str() });
        let reply = self
            .api
            .request(auth, Method::PUT, &path, Some(&body))
            .await?;
        let merge: octocrab::models::pulls::Merge = reply.json(&format!("PUT {path}"))?;
        let sha = merge.sha.filter(|_| merge.merged).ok_or_else(|| {
            let said = merge.message.unwrap_or_default();
            ForgeError::Conflict(format!("{repo}#{number} was not merged: {said}"))
        })?;
        sha.parse().map(MergeOutcome::Merged).map_err(|e| {
            ForgeError::Invalid(format!("GitHub's merge commit for {repo}#{number}: {e}"))
        })
    }

    /// `PATCH /repos/{o}/{r}/pulls/{n}` with the title and description.
    pub(super) async fn edit_pull(
        &self,
        repo: &RepoName,
        number: PrNumber,
        title: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/pulls/{number}");
        let payload = json!({ "title": title, "body": body });
        self.api
            .request(auth, Method::PATCH, &path, Some(&payload))
            .await
            .map(|_| ())
    }

    /// `POST /repos/{o}/{r}/issues/{n}/labels`, which keeps the labels the
    /// pull request has; nothing is sent for no labels.
    pub(super) async fn label_pull(
        &self,
        repo: &RepoName,
        number: PrNumber,
        labels: &[String],
    ) -> Result<(), ForgeError> {
        if labels.is_empty() {
            return Ok(());
        }
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/issues/{number}/labels");
        let payload = json!({ "labels": labels });
        self.api
            .request(auth, Method::POST, &path, Some(&payload))
            .await
            .map(|_| ())
    }
}
