//! Issue 5 on GitHub: the state of a check by name (the gate requirement of
//! `/apply`), and bosun's own issues (drift reports), found by the hidden
//! marker at the top of their body among the open issues bosun created.

use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use bosun_reconciler::ports::forge::{
    CheckConclusion, CheckStatus, ForgeError, GITHUB_COMMENT_LIMIT, Issue, Marker, fold_comment,
};
use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::api::encode;
use super::forge::GitHubForge;

/// The fields of an issue bosun reads.
#[derive(Deserialize)]
struct GhIssue {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    state: String,
    user: GhUser,
    /// Present on pull requests, which the issues listing includes.
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct GhUser {
    login: String,
}

fn conclusion(name: &str) -> CheckConclusion {
    match name {
        "success" => CheckConclusion::Success,
        "neutral" => CheckConclusion::Neutral,
        "action_required" => CheckConclusion::ActionRequired,
        "timed_out" => CheckConclusion::TimedOut,
        "cancelled" => CheckConclusion::Cancelled,
        "skipped" => CheckConclusion::Skipped,
        _ => CheckConclusion::Failure,
    }
}

impl GitHubForge {
    /// The latest check run named `name` on `commit`.
    pub(super) async fn check_run_status(
        &self,
        repo: &RepoName,
        commit: &Sha,
        name: &str,
    ) -> Result<Option<CheckStatus>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!(
            "/repos/{repo}/commits/{commit}/check-runs?check_name={}&filter=latest&per_page=100",
            encode(name)
        );
        let runs: octocrab::models::checks::ListCheckRuns = self.api.get(auth, &path).await?;
        Ok(runs.check_runs.iter().find(|r| r.name == name).map(|run| {
            match (&run.conclusion, run.completed_at) {
                (Some(c), _) => CheckStatus::Completed(conclusion(c)),
                (None, Some(_)) => CheckStatus::Completed(CheckConclusion::Neutral),
                (None, None) if run.started_at.is_some() => CheckStatus::InProgress,
                (None, None) => CheckStatus::Queued,
            }
        }))
    }

    /// The open issue `login` wrote that starts with `marker`.
    pub(super) async fn open_issue(
        &self,
        repo: &RepoName,
        login: &str,
        marker: &Marker,
    ) -> Result<Option<Issue>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!(
            "/repos/{repo}/issues?state=open&creator={}&per_page=100",
            encode(login)
        );
        let found: Vec<GhIssue> = self.api.get_all(auth, &path, None).await?;
        Ok(found
            .into_iter()
            .filter(|i| i.pull_request.is_none() && i.user.login == login && i.state == "open")
            .find(|i| marker.is_in(i.body.as_deref().unwrap_or_default()))
            .map(|i| Issue {
                number: PrNumber(i.number),
                title: i.title,
                body: i.body.unwrap_or_default(),
                open: true,
            }))
    }

    /// Creates or updates the issue carrying `marker`.
    pub(super) async fn put_issue(
        &self,
        repo: &RepoName,
        login: &str,
        marker: &Marker,
        title: &str,
        body: &str,
    ) -> Result<PrNumber, ForgeError> {
        let auth = self.installation(repo).await?;
        let text = fold_comment(marker, body, GITHUB_COMMENT_LIMIT);
        let payload = json!({ "title": title, "body": text });
        match self.open_issue(repo, login, marker).await? {
            Some(issue) if issue.body == text && issue.title == title => Ok(issue.number),
            Some(issue) => {
                let path = format!("/repos/{repo}/issues/{}", issue.number);
                self.api
                    .request(auth, Method::PATCH, &path, Some(&payload))
                    .await?;
                Ok(issue.number)
            }
            None => {
                let path = format!("/repos/{repo}/issues");
                let reply = self
                    .api
                    .request(auth, Method::POST, &path, Some(&payload))
                    .await?;
                let created: GhIssue = reply.json(&format!("POST {path}"))?;
                Ok(PrNumber(created.number))
            }
        }
    }

    /// Comments `note` on the open issue carrying `marker`, then closes it.
    pub(super) async fn shut_issue(
        &self,
        repo: &RepoName,
        login: &str,
        marker: &Marker,
        note: &str,
    ) -> Result<Option<PrNumber>, ForgeError> {
        let Some(issue) = self.open_issue(repo, login, marker).await? else {
            return Ok(None);
        };
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/issues/{}/comments", issue.number);
        self.api
            .request(auth, Method::POST, &path, Some(&json!({ "body": note })))
            .await?;
        let path = format!("/repos/{repo}/issues/{}", issue.number);
        self.api
            .request(
                auth,
                Method::PATCH,
                &path,
                Some(&json!({ "state": "closed", "state_reason": "completed" })),
            )
            .await?;
        Ok(Some(issue.number))
    }
}
