//! The JSON the fake GitHub answers with, made from GitHub's own recorded
//! payloads (see `tests/fixtures/README.md`): each object starts as a copy
//! of a recorded one, its names and URLs rewritten to the fake world, and
//! the fields the world owns set. octocrab reads these with its strict
//! models, so a shape that drifts from GitHub's fails a test.

use super::world::{FakeCheckRun, FakeComment, FakePr, FakeReview, FakeStatus, Repo, World};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use std::sync::LazyLock;

const COMMENT_EVENT: &str =
    include_str!("../../fixtures/github/webhooks/issue_comment.created.with-installation.json");
const PULL_EVENT: &str = include_str!("../../fixtures/github/webhooks/pull_request.opened.json");
const CHECK_RUN_EVENT: &str =
    include_str!("../../fixtures/github/webhooks/check_run.completed.json");
const REVIEW_EVENT: &str =
    include_str!("../../fixtures/github/webhooks/pull_request_review.submitted.json");
const INSTALLATION_EVENT: &str =
    include_str!("../../fixtures/github/webhooks/installation.created.json");
const STATUS_EXCHANGE: &str =
    include_str!("../../fixtures/github/rest/octokit-fixtures.create-status.json");
const ERRORS_EXCHANGE: &str =
    include_str!("../../fixtures/github/rest/octokit-fixtures.errors.json");
const MERGE_REPLAY: &str =
    include_str!("../../fixtures/github/rest/pygithub-replay/PullRequest.testMerge.txt");

/// The recorded owner, repository and API host the templates are rewritten from.
const RECORDED_OWNER: &str = "Codertocat";
const RECORDED_REPO: &str = "Hello-World";
const RECORDED_API: &str = "https://api.github.com";

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("a fixture that is JSON")
}

static COMMENT: LazyLock<Value> = LazyLock::new(|| parse(COMMENT_EVENT)["comment"].clone());
static PULL: LazyLock<Value> = LazyLock::new(|| parse(PULL_EVENT)["pull_request"].clone());
static REPOSITORY: LazyLock<Value> = LazyLock::new(|| parse(PULL_EVENT)["repository"].clone());
static CHECK_RUN: LazyLock<Value> = LazyLock::new(|| parse(CHECK_RUN_EVENT)["check_run"].clone());
static REVIEW: LazyLock<Value> = LazyLock::new(|| parse(REVIEW_EVENT)["review"].clone());
static INSTALLATION: LazyLock<Value> =
    LazyLock::new(|| parse(INSTALLATION_EVENT)["installation"].clone());
static STATUS: LazyLock<Value> = LazyLock::new(|| parse(STATUS_EXCHANGE)[0]["response"].clone());
static VALIDATION: LazyLock<Value> =
    LazyLock::new(|| parse(ERRORS_EXCHANGE)[0]["response"].clone());
/// The recorded answer to `PUT /repos/{o}/{r}/pulls/{n}/merge`: in the replay
/// format each exchange is ten lines, the tenth the response body.
static MERGED: LazyLock<Value> = LazyLock::new(|| {
    let lines: Vec<&str> = MERGE_REPLAY.lines().collect();
    let put = lines
        .iter()
        .position(|l| *l == "PUT")
        .expect("a PUT exchange");
    parse(lines[put + 8])
});

/// Replaces `from` by `to` in every string of `value`.
fn rewrite(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| rewrite(v, from, to)),
        _ => {}
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn node_id(kind: &str, id: u64) -> String {
    format!("{kind}_kwDO{id:08}")
}

/// A user (or bot, for logins ending in `[bot]`), shaped like GitHub's.
pub(crate) fn user(world: &World, login: &str) -> Value {
    let mut user = COMMENT["user"].clone();
    let encoded = login.replace('[', "%5B").replace(']', "%5D");
    rewrite(
        &mut user,
        &format!("/{RECORDED_OWNER}"),
        &format!("/{encoded}"),
    );
    rewrite(&mut user, RECORDED_API, &world.base_url);
    let id = login
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 100_000_000;
    user["login"] = json!(login);
    user["id"] = json!(id);
    user["node_id"] = json!(node_id("U", id));
    user["avatar_url"] = json!(format!("https://avatars.githubusercontent.com/u/{id}?v=4"));
    if login.ends_with("[bot]") {
        user["type"] = json!("Bot");
        user["html_url"] = json!(format!("https://github.com/apps/{}", world.slug));
    }
    user
}

/// A repository, with its owner and default branch.
pub(crate) fn repository(world: &World, repo: &Repo) -> Value {
    let mut value = REPOSITORY.clone();
    rewrite(
        &mut value,
        &format!("{RECORDED_OWNER}/{RECORDED_REPO}"),
        &repo.full_name(),
    );
    rewrite(&mut value, RECORDED_API, &world.base_url);
    value["id"] = json!(repo.id);
    value["node_id"] = json!(node_id("R", repo.id));
    value["name"] = json!(repo.name);
    value["full_name"] = json!(repo.full_name());
    value["owner"] = user(world, &repo.owner);
    value["owner"]["type"] = json!("Organization");
    value["default_branch"] = json!(repo.default_branch);
    value["private"] = json!(true);
    value["visibility"] = json!("private");
    value
}

/// A pull request, in the full shape `GET /repos/{o}/{r}/pulls/{n}` answers.
pub(crate) fn pull(world: &World, repo: &Repo, pr: &FakePr) -> Value {
    let mut value = PULL.clone();
    let full = repo.full_name();
    let api = format!("{}/repos/{full}", world.base_url);
    let html = format!("https://github.com/{full}/pull/{}", pr.number);
    let n = pr.number;
    let id = repo.id * 10_000 + n;
    let set = |value: &mut Value, key: &str, v: Value| value[key] = v;
    set(&mut value, "url", json!(format!("{api}/pulls/{n}")));
    set(&mut value, "id", json!(id));
    set(&mut value, "node_id", json!(node_id("PR", id)));
    set(&mut value, "html_url", json!(html));
    set(&mut value, "diff_url", json!(format!("{html}.diff")));
    set(&mut value, "patch_url", json!(format!("{html}.patch")));
    set(&mut value, "issue_url", json!(format!("{api}/issues/{n}")));
    set(
        &mut value,
        "commits_url",
        json!(format!("{api}/pulls/{n}/commits")),
    );
    set(
        &mut value,
        "review_comments_url",
        json!(format!("{api}/pulls/{n}/comments")),
    );
    set(
        &mut value,
        "review_comment_url",
        json!(format!("{api}/pulls/comments{{/number}}")),
    );
    set(
        &mut value,
        "comments_url",
        json!(format!("{api}/issues/{n}/comments")),
    );
    set(
        &mut value,
        "statuses_url",
        json!(format!("{api}/statuses/{}", pr.head_sha)),
    );
    set(&mut value, "number", json!(n));
    set(&mut value, "state", json!(pr.state));
    set(&mut value, "title", json!(pr.title));
    set(&mut value, "body", json!(pr.body));
    set(&mut value, "user", user(world, &pr.author));
    let labels: Vec<Value> = pr
        .labels
        .iter()
        .map(|l| super::pull_routes::label(world, &full, l))
        .collect();
    set(&mut value, "labels", json!(labels));
    set(&mut value, "assignees", json!([]));
    set(&mut value, "requested_reviewers", json!([]));
    set(&mut value, "merged", json!(pr.merged));
    set(&mut value, "mergeable", json!(pr.mergeable));
    let mergeable_state = match pr.mergeable {
        None => "unknown",
        Some(true) => "clean",
        Some(false) => "dirty",
    };
    set(&mut value, "mergeable_state", json!(mergeable_state));
    set(&mut value, "merge_commit_sha", json!(pr.merge_commit_sha));
    let closed = pr.state == "closed";
    set(
        &mut value,
        "closed_at",
        if closed { json!(now()) } else { Value::Null },
    );
    set(
        &mut value,
        "merged_at",
        if pr.merged { json!(now()) } else { Value::Null },
    );
    set(
        &mut value,
        "merged_by",
        if pr.merged {
            user(world, &world.bot_login())
        } else {
            Value::Null
        },
    );
    set(&mut value, "changed_files", json!(pr.files.len()));
    let repo_json = repository(world, repo);
    for (side, branch, sha) in [
        ("head", &pr.head_ref, pr.head_sha.clone()),
        ("base", &pr.base_ref, repo.tip_or_placeholder(&pr.base_ref)),
    ] {
        value[side] = json!({
            "label": format!("{}:{branch}", repo.owner),
            "ref": branch,
            "sha": sha,
            "user": repo_json["owner"].clone(),
            "repo": repo_json.clone(),
        });
    }
    let link = |href: String| json!({ "href": href });
    value["_links"] = json!({
        "self": link(format!("{api}/pulls/{n}")),
        "html": link(html.clone()),
        "issue": link(format!("{api}/issues/{n}")),
        "comments": link(format!("{api}/issues/{n}/comments")),
        "review_comments": link(format!("{api}/pulls/{n}/comments")),
        "review_comment": link(format!("{api}/pulls/comments{{/number}}")),
        "commits": link(format!("{api}/pulls/{n}/commits")),
        "statuses": link(format!("{api}/statuses/{}", pr.head_sha)),
    });
    value
}

/// A pull request as list endpoints show it: without the computed fields.
pub(crate) fn pull_in_list(world: &World, repo: &Repo, pr: &FakePr) -> Value {
    let mut value = pull(world, repo, pr);
    if let Value::Object(map) = &mut value {
        for key in [
            "merged",
            "mergeable",
            "rebaseable",
            "mergeable_state",
            "merged_by",
            "comments",
            "review_comments",
            "maintainer_can_modify",
            "commits",
            "additions",
            "deletions",
            "changed_files",
        ] {
            map.remove(key);
        }
    }
    value
}

/// An issue comment.
pub(crate) fn comment(world: &World, repo: &Repo, c: &FakeComment) -> Value {
    let mut value = COMMENT.clone();
    let full = repo.full_name();
    let api = format!("{}/repos/{full}", world.base_url);
    value["url"] = json!(format!("{api}/issues/comments/{}", c.id));
    value["html_url"] = json!(format!(
        "https://github.com/{full}/pull/{}#issuecomment-{}",
        c.issue, c.id
    ));
    value["issue_url"] = json!(format!("{api}/issues/{}", c.issue));
    value["id"] = json!(c.id);
    value["node_id"] = json!(node_id("IC", c.id));
    value["user"] = user(world, &c.author);
    value["body"] = json!(c.body);
    value["created_at"] = json!(now());
    value["updated_at"] = json!(now());
    value["author_association"] = json!(if c.author.ends_with("[bot]") {
        "NONE"
    } else {
        "MEMBER"
    });
    value["reactions"]["url"] = json!(format!("{api}/issues/comments/{}/reactions", c.id));
    value
}

/// The app, as `GET /app` shows it.
pub(crate) fn app(world: &World) -> Value {
    let mut value = CHECK_RUN["app"].clone();
    rewrite(&mut value, "octocoders-linter", &world.slug);
    rewrite(&mut value, RECORDED_API, &world.base_url);
    value["id"] = json!(world.app_id);
    value["slug"] = json!(world.slug);
    value["name"] = json!(world.slug);
    value["node_id"] = json!(node_id("A", world.app_id));
    value["owner"] = user(world, "acme");
    value["owner"]["type"] = json!("Organization");
    value["external_url"] = json!("https://bosun.example.com");
    value
}

/// A check run of the app.
pub(crate) fn check_run(world: &World, repo: &Repo, run: &FakeCheckRun) -> Value {
    let mut value = CHECK_RUN.clone();
    let full = repo.full_name();
    let api = format!("{}/repos/{full}", world.base_url);
    value["id"] = json!(run.id);
    value["node_id"] = json!(node_id("CR", run.id));
    value["head_sha"] = json!(run.head_sha);
    value["url"] = json!(format!("{api}/check-runs/{}", run.id));
    value["html_url"] = json!(format!("https://github.com/{full}/runs/{}", run.id));
    value["details_url"] = json!(format!("https://github.com/{full}/runs/{}", run.id));
    value["status"] = json!(run.status);
    value["conclusion"] = json!(run.conclusion);
    value["started_at"] = json!(now());
    let completed = run.status == "completed";
    value["completed_at"] = if completed { json!(now()) } else { Value::Null };
    value["name"] = json!(run.name);
    value["output"] = json!({
        "title": run.title,
        "summary": run.summary,
        "text": null,
        "annotations_count": 0,
        "annotations_url": format!("{api}/check-runs/{}/annotations", run.id),
    });
    value["app"] = app(world);
    let mut suite = value["check_suite"].take();
    rewrite(
        &mut suite,
        &format!("{RECORDED_OWNER}/{RECORDED_REPO}"),
        &full,
    );
    rewrite(&mut suite, RECORDED_API, &world.base_url);
    suite["head_sha"] = json!(run.head_sha);
    suite["app"] = app(world);
    let prs: Vec<Value> = repo
        .prs
        .values()
        .filter(|pr| pr.head_sha == run.head_sha)
        .map(|pr| {
            let side = |branch: &str, sha: &str| {
                json!({"ref": branch, "sha": sha, "repo": {"id": repo.id, "url": api, "name": repo.name}})
            };
            json!({
                "url": format!("{api}/pulls/{}", pr.number),
                "id": repo.id * 10_000 + pr.number,
                "number": pr.number,
                "head": side(&pr.head_ref, &pr.head_sha),
                "base": side(&pr.base_ref, &repo.tip_or_placeholder(&pr.base_ref)),
            })
        })
        .collect();
    suite["pull_requests"] = json!(prs.clone());
    value["check_suite"] = suite;
    value["pull_requests"] = json!(prs);
    value
}

/// A commit status.
pub(crate) fn status(world: &World, repo: &Repo, s: &FakeStatus) -> Value {
    let mut value = STATUS.clone();
    value["url"] = json!(format!(
        "{}/repos/{}/statuses/{}",
        world.base_url,
        repo.full_name(),
        s.sha
    ));
    value["id"] = json!(s.id);
    value["node_id"] = json!(node_id("SC", s.id));
    value["state"] = json!(s.state);
    value["description"] = json!(s.description);
    value["target_url"] = Value::Null;
    value["context"] = json!(s.context);
    value["created_at"] = json!(now());
    value["updated_at"] = json!(now());
    value["creator"] = user(world, &s.creator);
    value
}

/// A pull request review.
pub(crate) fn review(world: &World, repo: &Repo, r: &FakeReview) -> Value {
    let mut value = REVIEW.clone();
    let full = repo.full_name();
    value["id"] = json!(r.id);
    value["node_id"] = json!(node_id("PRR", r.id));
    value["user"] = user(world, &r.reviewer);
    value["commit_id"] = json!(r.commit_id);
    value["submitted_at"] = json!(now());
    value["state"] = json!(r.state);
    let html = format!(
        "https://github.com/{full}/pull/{}#pullrequestreview-{}",
        r.pr, r.id
    );
    let api = format!("{}/repos/{full}/pulls/{}", world.base_url, r.pr);
    value["html_url"] = json!(html);
    value["pull_request_url"] = json!(api);
    value["_links"] = json!({"html": {"href": html}, "pull_request": {"href": api}});
    value
}

/// An installation of the app on `account`.
pub(crate) fn installation(world: &World, id: u64, account: &str) -> Value {
    let mut value = INSTALLATION.clone();
    rewrite(&mut value, RECORDED_API, &world.base_url);
    value["id"] = json!(id);
    value["account"] = user(world, account);
    value["account"]["type"] = json!("Organization");
    value["access_tokens_url"] = json!(format!(
        "{}/app/installations/{id}/access_tokens",
        world.base_url
    ));
    value["html_url"] = json!(format!(
        "https://github.com/organizations/{account}/settings/installations/{id}"
    ));
    value["app_id"] = json!(world.app_id);
    value["app_slug"] = json!(world.slug);
    value["target_id"] = value["account"]["id"].clone();
    value["target_type"] = json!("Organization");
    value["repository_selection"] = json!("selected");
    value
}

/// The answer to `POST /app/installations/{id}/access_tokens`.
pub(crate) fn access_token(token: &str, expires_at: &chrono::DateTime<Utc>) -> Value {
    json!({
        "token": token,
        "expires_at": expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "permissions": INSTALLATION["permissions"].clone(),
        "repository_selection": "selected",
    })
}

/// One changed file of a pull request (no recorded example: GitHub's REST
/// reference shape, with the fields octocrab's `DiffEntry` requires).
pub(crate) fn changed_file(world: &World, repo: &Repo, pr: &FakePr, path: &str) -> Value {
    let full = repo.full_name();
    json!({
        "sha": super::world::fake_sha(&("blob", path)),
        "filename": path,
        "status": "modified",
        "additions": 1,
        "deletions": 1,
        "changes": 2,
        "blob_url": format!("https://github.com/{full}/blob/{}/{path}", pr.head_sha),
        "raw_url": format!("https://github.com/{full}/raw/{}/{path}", pr.head_sha),
        "contents_url": format!("{}/repos/{full}/contents/{path}?ref={}", world.base_url, pr.head_sha),
        "patch": "@@ -1 +1 @@\n-old\n+new",
    })
}

/// A collaborator's permission (GitHub's REST reference shape).
pub(crate) fn permission(world: &World, login: &str, role: &str) -> Value {
    let legacy = match role {
        "maintain" => "write",
        "triage" => "read",
        other => other,
    };
    let mut collaborator = user(world, login);
    collaborator["permissions"] = json!({
        "admin": role == "admin",
        "maintain": matches!(role, "admin" | "maintain"),
        "push": matches!(role, "admin" | "maintain" | "write"),
        "triage": role != "none" && role != "read",
        "pull": role != "none",
    });
    collaborator["role_name"] = json!(role);
    json!({ "permission": legacy, "role_name": role, "user": collaborator })
}

/// A team membership (GitHub's REST reference shape).
pub(crate) fn membership(world: &World, org: &str, team: &str, login: &str, state: &str) -> Value {
    json!({
        "url": format!("{}/orgs/{org}/teams/{team}/memberships/{login}", world.base_url),
        "role": "member",
        "state": state,
    })
}

/// The answer to a successful merge.
pub(crate) fn merged(sha: &str) -> Value {
    let mut value = MERGED.clone();
    value["sha"] = json!(sha);
    value
}

/// GitHub's error body: a message, where its docs are, and the status.
pub(crate) fn error(status: u16, message: &str) -> Value {
    json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.to_string(),
    })
}

/// GitHub's 422 body, with one custom error.
pub(crate) fn validation_failed(resource: &str, message: &str) -> Value {
    let mut value = VALIDATION.clone();
    value["errors"] = json!([{ "resource": resource, "code": "custom", "message": message }]);
    value
}
