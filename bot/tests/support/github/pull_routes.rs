//! The fake GitHub's writes to pull requests: opening one from a branch
//! that exists, editing its title and description, adding labels, and
//! merging it with a real merge commit on the base branch.

use super::routes::Answer;
use super::shapes;
use super::world::{FakePr, World};
use serde_json::{Value, json};

/// `POST /repos/{o}/{r}/pulls`: the head and base branches must exist.
pub(crate) fn create_pull(world: &mut World, full: &str, body: &Value) -> Answer {
    let (Some(title), Some(head), Some(base)) = (
        body["title"].as_str(),
        body["head"].as_str(),
        body["base"].as_str(),
    ) else {
        return Answer::json(
            422,
            shapes::validation_failed("PullRequest", "title, head and base are required"),
        );
    };
    let head_ref = head
        .split_once(':')
        .map_or(head, |(_, branch)| branch)
        .to_owned();
    let repo = world.repo_mut(full);
    if repo
        .prs
        .values()
        .any(|pr| pr.state == "open" && pr.head_ref == head_ref)
    {
        let message = format!(
            "A pull request already exists for {}:{head_ref}.",
            repo.owner
        );
        return Answer::json(422, shapes::validation_failed("PullRequest", &message));
    }
    let (Some(head_sha), Some(_)) = (repo.git.resolve(&head_ref), repo.git.resolve(base)) else {
        return Answer::json(
            422,
            shapes::validation_failed("PullRequest", "head or base invalid"),
        );
    };
    repo.next_number += 1;
    let mut pr = FakePr::new(&head_ref)
        .title(title)
        .base(base)
        .mergeable(None);
    pr.number = repo.next_number;
    pr.head_sha = head_sha;
    pr.body = body["body"].as_str().unwrap_or_default().to_owned();
    pr.author = world.bot_login();
    world.repo_mut(full).prs.insert(pr.number, pr.clone());
    Answer::json(201, shapes::pull(world, &world.repos[full], &pr))
}

/// `PATCH /repos/{o}/{r}/pulls/{n}`: title and description.
pub(crate) fn edit_pull(world: &mut World, full: &str, n: &str, body: &Value) -> Answer {
    let Some(pr) = n
        .parse::<u64>()
        .ok()
        .and_then(|n| world.repo_mut(full).prs.get_mut(&n))
    else {
        return Answer::not_found();
    };
    if let Some(title) = body["title"].as_str() {
        pr.title = title.to_owned();
    }
    if let Some(text) = body["body"].as_str() {
        pr.body = text.to_owned();
    }
    let pr = pr.clone();
    Answer::json(200, shapes::pull(world, &world.repos[full], &pr))
}

/// `POST /repos/{o}/{r}/issues/{n}/labels`: adds, keeping those it has.
pub(crate) fn add_labels(world: &mut World, full: &str, n: &str, body: &Value) -> Answer {
    let names = body.get("labels").unwrap_or(body);
    let Some(names) = names.as_array() else {
        return Answer::json(
            422,
            shapes::validation_failed("Label", "labels are required"),
        );
    };
    let Some(pr) = n
        .parse::<u64>()
        .ok()
        .and_then(|n| world.repo_mut(full).prs.get_mut(&n))
    else {
        return Answer::not_found();
    };
    for name in names.iter().filter_map(Value::as_str) {
        if !pr.labels.iter().any(|l| l == name) {
            pr.labels.push(name.to_owned());
        }
    }
    let names = pr.labels.clone();
    let labels: Vec<Value> = names.iter().map(|l| label(world, full, l)).collect();
    Answer::json(200, json!(labels))
}

/// A label (GitHub's REST reference shape).
pub(crate) fn label(world: &World, full: &str, name: &str) -> Value {
    let id = name
        .bytes()
        .fold(11u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 1_000_000_000;
    json!({
        "id": id,
        "node_id": format!("LA_{id}"),
        "url": format!("{}/repos/{full}/labels/{name}", world.base_url),
        "name": name,
        "description": null,
        "color": "ededed",
        "default": false,
    })
}

/// `PUT /repos/{o}/{r}/pulls/{n}/merge`: a merge commit on the base branch.
pub(crate) fn merge(world: &mut World, full: &str, n: &str, body: &Value) -> Answer {
    let repo = world.repo_mut(full);
    let Some(pr) = n
        .parse::<u64>()
        .ok()
        .and_then(|n| repo.prs.get(&n))
        .cloned()
    else {
        return Answer::not_found();
    };
    if pr.state != "open" || pr.mergeable == Some(false) {
        return Answer::error(405, "Pull Request is not mergeable");
    }
    if body["sha"].as_str().is_some_and(|sha| sha != pr.head_sha) {
        return Answer::error(
            409,
            "Head branch was modified. Review and try the merge again.",
        );
    }
    let sha = merge_into_base(repo, &pr);
    let merged = repo.prs.get_mut(&pr.number).expect("the pull request");
    merged.state = "closed".to_owned();
    merged.merged = true;
    merged.merge_commit_sha = Some(sha.clone());
    Answer::json(200, shapes::merged(&sha))
}

/// Makes the merge commit of `pr` on its base branch; returns its SHA.
pub(crate) fn merge_into_base(repo: &mut super::world::Repo, pr: &FakePr) -> String {
    let base = repo
        .git
        .resolve(&pr.base_ref)
        .expect("the base branch exists");
    let message = format!(
        "Merge pull request #{} from {}/{}",
        pr.number, repo.owner, pr.head_ref
    );
    let sha = repo.git.merge(&base, &pr.head_sha, &message);
    repo.set_branch(&pr.base_ref, &sha);
    sha
}
