//! Issue 5: the fake GitHub's issues (bosun's drift reports): list open
//! issues by creator, create, edit (title, body, state), and comment on one.
//! Issues share their numbers with pull requests, as on GitHub.

use super::routes::Answer;
use super::world::{FakeComment, World};
use serde_json::{Value, json};
use std::collections::HashMap;

/// An issue (not a pull request).
#[derive(Clone, Debug, PartialEq)]
pub struct FakeIssue {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// `open` or `closed`.
    pub state: String,
    /// Who opened it.
    pub author: String,
}

fn shape(world: &World, full: &str, issue: &FakeIssue) -> Value {
    json!({
        "id": issue.number + 500_000,
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "state": issue.state,
        "user": { "login": issue.author, "id": 1, "type": "Bot" },
        "url": format!("{}/repos/{full}/issues/{}", world.base_url, issue.number),
        "html_url": format!("https://github.com/{full}/issues/{}", issue.number),
        "labels": [],
        "comments": 0,
    })
}

/// Answers the issue routes; `None` for every other request.
pub(crate) fn route(
    world: &mut World,
    full: &str,
    method: &str,
    rest: &[&str],
    query: &HashMap<String, String>,
    body: &Value,
) -> Option<Answer> {
    let is_issue = |world: &World, n: &str| {
        n.parse::<u64>()
            .ok()
            .filter(|n| world.repos[full].issues.iter().any(|i| i.number == *n))
    };
    Some(match (method, rest) {
        ("GET", ["issues"]) => {
            let state = query.get("state").map_or("open", String::as_str);
            let listed: Vec<Value> = world.repos[full]
                .issues
                .iter()
                .filter(|i| state == "all" || i.state == state)
                .filter(|i| query.get("creator").is_none_or(|c| *c == i.author))
                .map(|i| shape(world, full, i))
                .collect();
            Answer::json(200, Value::Array(listed))
        }
        ("POST", ["issues"]) => {
            let Some(title) = body["title"].as_str() else {
                return Some(Answer::error(422, "title is missing"));
            };
            let author = world.bot_login();
            let repo = world.repo_mut(full);
            repo.next_number += 1;
            let issue = FakeIssue {
                number: repo.next_number,
                title: title.to_owned(),
                body: body["body"].as_str().unwrap_or_default().to_owned(),
                state: "open".to_owned(),
                author,
            };
            repo.issues.push(issue.clone());
            Answer::json(201, shape(world, full, &issue))
        }
        ("PATCH", ["issues", n]) if is_issue(world, n).is_some() => {
            let number = is_issue(world, n).unwrap_or_default();
            let repo = world.repo_mut(full);
            let Some(issue) = repo.issues.iter_mut().find(|i| i.number == number) else {
                return Some(Answer::not_found());
            };
            if let Some(title) = body["title"].as_str() {
                issue.title = title.to_owned();
            }
            if let Some(text) = body["body"].as_str() {
                issue.body = text.to_owned();
            }
            if let Some(state) = body["state"].as_str() {
                issue.state = state.to_owned();
            }
            let issue = issue.clone();
            Answer::json(200, shape(world, full, &issue))
        }
        ("POST", ["issues", n, "comments"]) if is_issue(world, n).is_some() => {
            let number = is_issue(world, n).unwrap_or_default();
            let comment = FakeComment {
                id: world.next_id(),
                issue: number,
                author: world.bot_login(),
                body: body["body"].as_str().unwrap_or_default().to_owned(),
            };
            world.repo_mut(full).comments.push(comment.clone());
            Answer::json(
                201,
                super::shapes::comment(world, &world.repos[full], &comment),
            )
        }
        _ => return None,
    })
}

impl super::GitHubFake {
    /// Issue 5: every issue of the repository (not pull requests), by number.
    pub fn issues(&self, full_name: &str) -> Vec<FakeIssue> {
        self.world().repos[full_name].issues.clone()
    }

    /// Issue 5: commits `files` on pull request `number`'s head branch and
    /// moves its head there, as a push to the branch would; returns the SHA.
    pub fn push_to_pr(&self, full_name: &str, number: u64, files: &[(&str, &str)]) -> String {
        let head_ref = self.world().repos[full_name].prs[&number].head_ref.clone();
        let sha = self.seed_files(full_name, &head_ref, files, "push to the pull request");
        let mut world = self.world();
        let pr = world
            .repo_mut(full_name)
            .prs
            .get_mut(&number)
            .expect("the pull request");
        pr.head_sha = sha.clone();
        sha
    }

    /// Issue 5: a completed check run named `name` on `sha` (another app's
    /// or bosun's gate, as the test needs).
    pub fn add_check_run(&self, full_name: &str, sha: &str, name: &str, conclusion: &str) {
        let mut world = self.world();
        let run = super::world::FakeCheckRun {
            id: world.next_id(),
            head_sha: sha.to_owned(),
            name: name.to_owned(),
            status: "completed".to_owned(),
            conclusion: Some(conclusion.to_owned()),
            title: Some(conclusion.to_owned()),
            summary: None,
            app_id: world.app_id,
        };
        world.repo_mut(full_name).check_runs.push(run);
    }

    /// Issue 5: merges pull request `number` as a person would on GitHub
    /// (a merge commit on its base); returns the merge commit's SHA.
    pub fn merge_pr(&self, full_name: &str, number: u64) -> String {
        let mut world = self.world();
        let repo = world.repo_mut(full_name);
        let pr = repo.prs[&number].clone();
        let sha = super::pull_routes::merge_into_base(repo, &pr);
        let merged = repo.prs.get_mut(&number).expect("the pull request");
        merged.state = "closed".to_owned();
        merged.merged = true;
        merged.merge_commit_sha = Some(sha.clone());
        sha
    }
}
