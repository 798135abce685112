//! Checks on GitHub: a check run found by its name (and bosun's app id) and
//! created or updated, or, where check runs are not available to the
//! credentials (they are for GitHub Apps with the `checks` permission), a
//! commit status with the check's name as its context.

use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::forge::{CheckSpec, ForgeError};
use http::Method;

use super::api::{Auth, encode};
use super::convert;
use super::forge::GitHubForge;

impl GitHubForge {
    /// Sets the check run, or the commit status when check runs answer 403/404.
    pub(super) async fn set_check_or_status(
        &self,
        repo: &RepoName,
        check: &CheckSpec,
    ) -> Result<(), ForgeError> {
        let auth = self.installation(repo).await?;
        match self.set_check_run(auth, repo, check).await {
            Err(ForgeError::Unauthorized(why) | ForgeError::NotFound(why)) => {
                tracing::info!(%repo, check = %check.name, %why, "check runs unavailable, setting a commit status");
                let path = format!("/repos/{repo}/statuses/{}", check.head_sha);
                let body = convert::status_body(check);
                self.api
                    .request(auth, Method::POST, &path, Some(&body))
                    .await?;
                Ok(())
            }
            other => other,
        }
    }

    async fn set_check_run(
        &self,
        auth: Auth,
        repo: &RepoName,
        check: &CheckSpec,
    ) -> Result<(), ForgeError> {
        let path = format!(
            "/repos/{repo}/commits/{}/check-runs?check_name={}&filter=latest&app_id={}&per_page=100",
            check.head_sha,
            encode(&check.name),
            self.app_id
        );
        let runs: octocrab::models::checks::ListCheckRuns = self.api.get(auth, &path).await?;
        let (method, path, body) = match runs.check_runs.iter().find(|r| r.name == check.name) {
            Some(run) => (
                Method::PATCH,
                format!("/repos/{repo}/check-runs/{}", run.id),
                convert::check_run_body(check, false),
            ),
            None => (
                Method::POST,
                format!("/repos/{repo}/check-runs"),
                convert::check_run_body(check, true),
            ),
        };
        self.api.request(auth, method, &path, Some(&body)).await?;
        Ok(())
    }
}
