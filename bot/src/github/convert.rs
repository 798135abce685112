//! Translation between GitHub's REST shapes (octocrab's models) and the
//! engine's forge types, in both directions: pull requests, reviews and
//! permissions in; check runs and commit statuses out.

use bosun_reconciler::ids::{RepoName, Sha};
use bosun_reconciler::ports::forge::{
    Access, CheckConclusion, CheckSpec, CheckStatus, ForgeError, PrState, PullRequest, Review,
};
use chrono::{SecondsFormat, Utc};
use octocrab::models::IssueState;
use serde::Deserialize;
use serde_json::{Value, json};

/// GitHub's limit on a check run's summary, in characters.
const CHECK_SUMMARY_LIMIT: usize = 65_535;
/// GitHub's limit on a commit status's description, in characters.
const STATUS_DESCRIPTION_LIMIT: usize = 140;

/// A pull request as the engine sees it.
pub(crate) fn pull_request(
    repo: &RepoName,
    pr: octocrab::models::pulls::PullRequest,
) -> Result<PullRequest, ForgeError> {
    let merged = pr.merged_at.is_some() || pr.merged == Some(true);
    let state = if merged {
        PrState::Merged
    } else if matches!(pr.state, Some(IssueState::Open)) {
        PrState::Open
    } else {
        PrState::Closed
    };
    let head_sha: Sha = pr.head.sha.parse().map_err(|e| {
        ForgeError::Invalid(format!(
            "pull request {repo}#{} has a bad head: {e}",
            pr.number
        ))
    })?;
    // GitHub fills `merge_commit_sha` on open PRs too (a test merge); only a
    // merged PR's is a commit on the base branch.
    let merge_sha = match pr.merge_commit_sha.filter(|_| merged) {
        Some(sha) => Some(sha.parse().map_err(|e| {
            ForgeError::Invalid(format!(
                "pull request {repo}#{} has a bad merge commit: {e}",
                pr.number
            ))
        })?),
        None => None,
    };
    Ok(PullRequest {
        repo: repo.clone(),
        number: bosun_reconciler::ids::PrNumber(pr.number),
        title: pr.title.unwrap_or_default(),
        author: pr.user.map_or_else(|| "ghost".to_owned(), |u| u.login),
        head_ref: pr.head.ref_field,
        head_sha,
        base_ref: pr.base.ref_field,
        state,
        mergeable: pr.mergeable,
        merge_sha,
        url: pr.html_url.map_or(pr.url, |u| u.to_string()),
    })
}

/// A review as the engine sees it, its state in GitHub's upper case.
pub(crate) fn review(review: octocrab::models::pulls::Review) -> Review {
    let state = review
        .state
        .and_then(|s| serde_json::to_value(s).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "PENDING".to_owned());
    Review {
        reviewer: review.user.map_or_else(|| "ghost".to_owned(), |u| u.login),
        state,
        commit: review.commit_id.and_then(|c| c.parse().ok()),
    }
}

/// The answer to `GET /repos/{o}/{r}/collaborators/{user}/permission`.
///
/// `permission` is the legacy base role (`admin`, `write`, `read`, `none`,
/// with `maintain` folded into `write`); `role_name` names the role itself.
#[derive(Debug, Deserialize)]
pub(crate) struct PermissionReply {
    permission: String,
    #[serde(default)]
    role_name: Option<String>,
}

impl PermissionReply {
    /// `admin` is Admin; `maintain` and `write` are Write; anything else Read.
    pub(crate) fn access(&self) -> Access {
        let role = self.role_name.as_deref().unwrap_or_default();
        match (self.permission.as_str(), role) {
            ("admin", _) | (_, "admin") => Access::Admin,
            ("maintain" | "write", _) | (_, "maintain" | "write") => Access::Write,
            _ => Access::Read,
        }
    }
}

/// The body of a check-run create (`head_sha` included) or update.
pub(crate) fn check_run_body(check: &CheckSpec, create: bool) -> Value {
    let mut body = json!({
        "name": check.name,
        "output": {
            "title": check.title,
            "summary": truncate(&check.summary, CHECK_SUMMARY_LIMIT),
        },
    });
    if create {
        body["head_sha"] = json!(check.head_sha.as_str());
    }
    match check.status {
        CheckStatus::Queued => body["status"] = json!("queued"),
        CheckStatus::InProgress => body["status"] = json!("in_progress"),
        CheckStatus::Completed(conclusion) => {
            body["status"] = json!("completed");
            body["conclusion"] = json!(conclusion_name(conclusion));
            body["completed_at"] = json!(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }
    body
}

fn conclusion_name(conclusion: CheckConclusion) -> &'static str {
    match conclusion {
        CheckConclusion::Success => "success",
        CheckConclusion::Failure => "failure",
        CheckConclusion::Neutral => "neutral",
        CheckConclusion::ActionRequired => "action_required",
        CheckConclusion::TimedOut => "timed_out",
        CheckConclusion::Cancelled => "cancelled",
        CheckConclusion::Skipped => "skipped",
    }
}

/// The body of a commit status standing in for a check run: `context` is
/// the check's name and the description its title, cut to 140 characters.
pub(crate) fn status_body(check: &CheckSpec) -> Value {
    let state = match check.status {
        CheckStatus::Queued | CheckStatus::InProgress => "pending",
        CheckStatus::Completed(
            CheckConclusion::Success | CheckConclusion::Neutral | CheckConclusion::Skipped,
        ) => "success",
        CheckStatus::Completed(
            CheckConclusion::Failure | CheckConclusion::ActionRequired | CheckConclusion::TimedOut,
        ) => "failure",
        CheckStatus::Completed(CheckConclusion::Cancelled) => "error",
    };
    json!({
        "state": state,
        "context": check.name,
        "description": truncate(&check.title, STATUS_DESCRIPTION_LIMIT),
    })
}

/// `text` cut to at most `limit` characters, ending in `…` when cut.
fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(status: CheckStatus, title: &str) -> CheckSpec {
        CheckSpec {
            name: "bosun/gate".into(),
            head_sha: "a".repeat(40).parse().unwrap(),
            status,
            title: title.into(),
            summary: "s".repeat(70_000),
        }
    }

    #[test]
    fn permissions_map_to_access() {
        let access = |permission: &str, role: &str| {
            PermissionReply {
                permission: permission.into(),
                role_name: Some(role.into()),
            }
            .access()
        };
        assert_eq!(access("admin", "admin"), Access::Admin);
        assert_eq!(access("write", "maintain"), Access::Write);
        assert_eq!(access("write", "write"), Access::Write);
        assert_eq!(access("read", "triage"), Access::Read);
        assert_eq!(access("none", ""), Access::Read);
    }

    #[test]
    fn statuses_stand_in_for_checks_within_their_limits() {
        let long = "t".repeat(200);
        let body = status_body(&spec(
            CheckStatus::Completed(CheckConclusion::TimedOut),
            &long,
        ));
        assert_eq!(body["state"], "failure");
        assert_eq!(body["context"], "bosun/gate");
        assert_eq!(body["description"].as_str().unwrap().chars().count(), 140);
        let pending = status_body(&spec(CheckStatus::InProgress, "running"));
        assert_eq!(pending["state"], "pending");
        let cancelled = status_body(&spec(
            CheckStatus::Completed(CheckConclusion::Cancelled),
            "x",
        ));
        assert_eq!(cancelled["state"], "error");
    }

    #[test]
    fn check_runs_carry_conclusions_and_fit_the_summary_limit() {
        let done = check_run_body(
            &spec(CheckStatus::Completed(CheckConclusion::ActionRequired), "t"),
            true,
        );
        assert_eq!(done["status"], "completed");
        assert_eq!(done["conclusion"], "action_required");
        assert_eq!(done["head_sha"], "a".repeat(40));
        assert!(done["completed_at"].is_string());
        let summary = done["output"]["summary"].as_str().unwrap();
        assert_eq!(summary.chars().count(), CHECK_SUMMARY_LIMIT);
        let update = check_run_body(&spec(CheckStatus::Queued, "t"), false);
        assert!(update.get("head_sha").is_none());
        assert!(update.get("conclusion").is_none());
    }
}
