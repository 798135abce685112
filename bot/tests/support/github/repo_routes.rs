//! The fake GitHub's routes under `/repos/{owner}/{name}/`: comments, check
//! runs, statuses, reviews, permissions and file contents, handing pull
//! requests to `pull_routes` and Git data to `git_routes`. The caller has
//! already checked that the token's installation covers the repository.

use super::routes::{Answer, paginate};
use super::shapes;
use super::world::{FakeCheckRun, FakeComment, FakePr, FakeStatus, World};
use serde_json::Value;
use std::collections::HashMap;

/// GitHub's limit on a comment body, in characters.
const COMMENT_LIMIT: usize = 65_536;
/// GitHub's limit on a commit status description, in characters.
const DESCRIPTION_LIMIT: usize = 140;

/// One request under `/repos/{owner}/{name}/`.
pub(crate) struct Call<'a> {
    /// `GET`, `POST`, …
    pub(crate) method: &'a str,
    /// The path segments after the repository.
    pub(crate) rest: &'a [&'a str],
    /// The query parameters.
    pub(crate) query: &'a HashMap<String, String>,
    /// The JSON body (`null` when none).
    pub(crate) body: &'a Value,
    /// The whole path, for pagination links.
    pub(crate) path: &'a str,
    /// Whether the raw media type was asked for.
    pub(crate) raw: bool,
}

/// Answers one request about the repository `full`.
pub(crate) fn route(world: &mut World, full: &str, call: &Call<'_>) -> Answer {
    let Call {
        method,
        rest,
        query,
        body,
        path,
        raw,
    } = *call;
    let checks_route = rest.first() == Some(&"check-runs") || rest.get(2) == Some(&"check-runs");
    if checks_route && world.check_runs_forbidden {
        return Answer::error(403, "Resource not accessible by integration");
    }
    if let Some(answer) = super::issue_routes::route(world, full, method, rest, query, body) {
        return answer;
    }
    match (method, rest) {
        ("GET", []) => Answer::json(200, shapes::repository(world, &world.repos[full])),
        ("GET", ["actions", "runs", run, "artifacts"]) => {
            super::artifact_routes::list(world, full, run, path, query)
        }
        ("GET", ["actions", "artifacts", id, "zip"]) => {
            super::artifact_routes::download(world, full, id)
        }
        // Only the raw media type is modelled; a JSON contents request is unexpected.
        ("GET", ["contents", file @ ..]) if raw => {
            let git = &world.repos[full].git;
            let blob = git
                .resolve(
                    query
                        .get("ref")
                        .unwrap_or(&world.repos[full].default_branch),
                )
                .and_then(|tip| git.files_of(&tip).get(&file.join("/")).cloned());
            match blob.map(|sha| git.blobs[&sha].clone()) {
                Some(bytes) => Answer::bytes(bytes),
                None => Answer::not_found(),
            }
        }
        ("GET", ["pulls"]) => list_pulls(world, full, query, path),
        ("POST", ["pulls"]) => super::pull_routes::create_pull(world, full, body),
        ("PATCH", ["pulls", n]) => super::pull_routes::edit_pull(world, full, n, body),
        ("POST", ["issues", n, "labels"]) => super::pull_routes::add_labels(world, full, n, body),
        ("GET", ["pulls", n]) => with_pr(world, full, n, |w, pr| {
            Answer::json(200, shapes::pull(w, &w.repos[full], pr))
        }),
        ("GET", ["pulls", n, "files"]) => with_pr(world, full, n, |w, pr| {
            let repo = &w.repos[full];
            let files = pr
                .files
                .iter()
                .map(|f| shapes::changed_file(w, repo, pr, f))
                .collect();
            paginate(w, path, query, files, None)
        }),
        ("GET", ["pulls", n, "reviews"]) => with_pr(world, full, n, |w, pr| {
            let repo = &w.repos[full];
            let reviews = repo
                .reviews
                .iter()
                .filter(|r| r.pr == pr.number)
                .map(|r| shapes::review(w, repo, r))
                .collect();
            paginate(w, path, query, reviews, None)
        }),
        ("PUT", ["pulls", n, "merge"]) => super::pull_routes::merge(world, full, n, body),
        ("GET", ["issues", n, "comments"]) => with_pr(world, full, n, |w, pr| {
            let repo = &w.repos[full];
            let comments = repo
                .comments
                .iter()
                .filter(|c| c.issue == pr.number)
                .map(|c| shapes::comment(w, repo, c))
                .collect();
            paginate(w, path, query, comments, None)
        }),
        ("POST", ["issues", n, "comments"]) => {
            let Some(number) = n
                .parse::<u64>()
                .ok()
                .filter(|n| world.repos[full].prs.contains_key(n))
            else {
                return Answer::not_found();
            };
            let text = match comment_body(body) {
                Ok(text) => text,
                Err(answer) => return answer,
            };
            let comment = FakeComment {
                id: world.next_id(),
                issue: number,
                author: world.bot_login(),
                body: text,
            };
            world.repo_mut(full).comments.push(comment.clone());
            Answer::json(201, shapes::comment(world, &world.repos[full], &comment))
        }
        ("PATCH", ["issues", "comments", id]) => {
            let text = match comment_body(body) {
                Ok(text) => text,
                Err(answer) => return answer,
            };
            let bot = world.bot_login();
            let repo = world.repo_mut(full);
            let Some(comment) = repo.comments.iter_mut().find(|c| c.id.to_string() == *id) else {
                return Answer::not_found();
            };
            if comment.author != bot {
                return Answer::error(403, "Resource not accessible by integration");
            }
            comment.body = text;
            let comment = comment.clone();
            Answer::json(200, shapes::comment(world, &world.repos[full], &comment))
        }
        ("GET", ["commits", sha, "check-runs"]) => {
            let repo = &world.repos[full];
            let mut runs: Vec<&FakeCheckRun> = repo
                .check_runs
                .iter()
                .filter(|r| r.head_sha == *sha)
                .filter(|r| query.get("check_name").is_none_or(|name| *name == r.name))
                .filter(|r| {
                    query
                        .get("app_id")
                        .is_none_or(|app| *app == r.app_id.to_string())
                })
                .collect();
            if query.get("filter").map_or("latest", String::as_str) == "latest" {
                let newest: HashMap<&str, u64> = runs.iter().fold(HashMap::new(), |mut m, r| {
                    let id = m.entry(r.name.as_str()).or_insert(r.id);
                    *id = (*id).max(r.id);
                    m
                });
                runs.retain(|r| newest[r.name.as_str()] == r.id);
            }
            let listed: Vec<Value> = runs
                .iter()
                .map(|r| shapes::check_run(world, repo, r))
                .collect();
            Answer::json(
                200,
                serde_json::json!({ "total_count": listed.len(), "check_runs": listed }),
            )
        }
        ("POST", ["check-runs"]) => {
            let (Some(name), Some(sha)) = (body["name"].as_str(), body["head_sha"].as_str()) else {
                return Answer::json(
                    422,
                    shapes::validation_failed("CheckRun", "name and head_sha are required"),
                );
            };
            let mut run = FakeCheckRun {
                id: world.next_id(),
                head_sha: sha.to_owned(),
                name: name.to_owned(),
                status: "queued".to_owned(),
                conclusion: None,
                title: None,
                summary: None,
                app_id: world.app_id,
            };
            if let Err(answer) = apply_check(&mut run, body) {
                return answer;
            }
            world.repo_mut(full).check_runs.push(run.clone());
            Answer::json(201, shapes::check_run(world, &world.repos[full], &run))
        }
        ("PATCH", ["check-runs", id]) => {
            let repo = world.repo_mut(full);
            let Some(run) = repo.check_runs.iter_mut().find(|r| r.id.to_string() == *id) else {
                return Answer::not_found();
            };
            if let Err(answer) = apply_check(run, body) {
                return answer;
            }
            let run = run.clone();
            Answer::json(200, shapes::check_run(world, &world.repos[full], &run))
        }
        ("POST", ["statuses", sha]) => {
            let state = body["state"].as_str().unwrap_or_default();
            let description = body["description"].as_str().map(str::to_owned);
            let too_long = description
                .as_ref()
                .is_some_and(|d| d.chars().count() > DESCRIPTION_LIMIT);
            if !matches!(state, "error" | "failure" | "pending" | "success") || too_long {
                return Answer::json(
                    422,
                    shapes::validation_failed("Status", "state or description is invalid"),
                );
            }
            let status = FakeStatus {
                id: world.next_id(),
                sha: (*sha).to_owned(),
                state: state.to_owned(),
                context: body["context"].as_str().unwrap_or("default").to_owned(),
                description,
                creator: world.bot_login(),
            };
            world.repo_mut(full).statuses.push(status.clone());
            Answer::json(201, shapes::status(world, &world.repos[full], &status))
        }
        ("GET", ["collaborators", login, "permission"]) => {
            match world.repos[full].permissions.get(*login) {
                Some(role) => Answer::json(200, shapes::permission(world, login, role)),
                None => Answer::error(404, &format!("{login} is not a user")),
            }
        }
        _ => super::git_routes::route(world, full, call).unwrap_or_else(Answer::unknown_route),
    }
}

/// Runs `then` on pull request `n` of `full`, else answers 404.
fn with_pr(
    world: &mut World,
    full: &str,
    n: &str,
    then: impl FnOnce(&World, &FakePr) -> Answer,
) -> Answer {
    let pr = n
        .parse::<u64>()
        .ok()
        .and_then(|n| world.repos[full].prs.get(&n).cloned());
    match pr {
        Some(pr) => then(world, &pr),
        None => Answer::not_found(),
    }
}

fn list_pulls(world: &World, full: &str, query: &HashMap<String, String>, path: &str) -> Answer {
    let repo = &world.repos[full];
    let state = query.get("state").map_or("open", String::as_str);
    let head = query.get("head").map(|h| match h.split_once(':') {
        Some((owner, branch)) => (owner.to_owned(), branch.to_owned()),
        None => (repo.owner.clone(), h.clone()),
    });
    let pulls: Vec<Value> = repo
        .prs
        .values()
        .filter(|pr| state == "all" || pr.state == state)
        .filter(|pr| {
            head.as_ref()
                .is_none_or(|(owner, branch)| *owner == repo.owner && *branch == pr.head_ref)
        })
        .filter(|pr| query.get("base").is_none_or(|b| *b == pr.base_ref))
        .map(|pr| shapes::pull_in_list(world, repo, pr))
        .collect();
    paginate(world, path, query, pulls, None)
}

fn comment_body(body: &Value) -> Result<String, Answer> {
    let text = body["body"].as_str().ok_or_else(|| {
        Answer::json(
            422,
            shapes::validation_failed("IssueComment", "body wasn't supplied."),
        )
    })?;
    if text.chars().count() > COMMENT_LIMIT {
        let message = format!("Body is too long (maximum is {COMMENT_LIMIT} characters)");
        return Err(Answer::json(
            422,
            shapes::validation_failed("IssueComment", &message),
        ));
    }
    Ok(text.to_owned())
}

/// Applies a check-run create or update body, as GitHub validates it.
fn apply_check(run: &mut FakeCheckRun, body: &Value) -> Result<(), Answer> {
    let invalid = |why: &str| Answer::json(422, shapes::validation_failed("CheckRun", why));
    if let Some(name) = body["name"].as_str() {
        run.name = name.to_owned();
    }
    if let Some(status) = body["status"].as_str() {
        if !matches!(status, "queued" | "in_progress" | "completed") {
            return Err(invalid("status is not included in the list"));
        }
        run.status = status.to_owned();
        run.conclusion = None;
    }
    if let Some(conclusion) = body["conclusion"].as_str() {
        let known = [
            "action_required",
            "cancelled",
            "failure",
            "neutral",
            "success",
            "skipped",
            "timed_out",
        ];
        if !known.contains(&conclusion) {
            return Err(invalid("conclusion is not included in the list"));
        }
        run.status = "completed".to_owned();
        run.conclusion = Some(conclusion.to_owned());
    }
    if run.status == "completed" && run.conclusion.is_none() {
        return Err(invalid("conclusion is required when status is completed"));
    }
    if let Some(output) = body.get("output") {
        run.title = output["title"].as_str().map(str::to_owned);
        run.summary = output["summary"].as_str().map(str::to_owned);
        if run
            .summary
            .as_ref()
            .is_some_and(|s| s.chars().count() > 65_535)
        {
            return Err(invalid(
                "output.summary is too long (maximum is 65535 characters)",
            ));
        }
    }
    Ok(())
}
