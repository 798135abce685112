//! The fake GitHub's Git Data and history routes under
//! `/repos/{owner}/{name}/`: `git/commits`, `git/ref(s)`, `git/trees`,
//! `git/blobs` (raw media type), `commits?sha=&path=` and `compare`. Shapes
//! follow GitHub's REST reference (no recorded example is kept for them).

use super::git::{Commit, Entry, Kind};
use super::repo_routes::Call;
use super::routes::{Answer, paginate};
use super::shapes;
use super::world::World;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Answers one Git request about the repository `full`, or `None` when no
/// route here knows it.
pub(crate) fn route(world: &mut World, full: &str, call: &Call<'_>) -> Option<Answer> {
    let api = format!("{}/repos/{full}", world.base_url);
    let answer = match (call.method, call.rest) {
        ("GET", ["git", "commits", sha]) => match world.repos[full].git.commits.get(*sha) {
            Some(commit) => Answer::json(200, git_commit(&api, commit)),
            None => Answer::not_found(),
        },
        ("GET", ["git", "ref", "heads", branch @ ..]) => {
            let branch = branch.join("/");
            match world.repos[full].git.branches.get(&branch) {
                Some(sha) => Answer::json(200, git_ref(&api, &branch, sha)),
                None => Answer::not_found(),
            }
        }
        ("POST", ["git", "refs"]) => create_ref(world, full, &api, call.body),
        ("PATCH", ["git", "refs", "heads", branch @ ..]) => {
            update_ref(world, full, &api, &branch.join("/"), call.body)
        }
        ("GET", ["git", "trees", sha]) => {
            let recursive = call.query.get("recursive").is_some_and(|r| r != "0");
            get_tree(world, full, &api, sha, recursive)
        }
        ("POST", ["git", "trees"]) => create_tree(world, full, &api, call.body),
        // Only the raw media type is modelled, as for contents.
        ("GET", ["git", "blobs", sha]) if call.raw => match world.repos[full].git.blobs.get(*sha) {
            Some(bytes) => Answer::bytes(bytes.clone()),
            None => Answer::not_found(),
        },
        ("POST", ["git", "commits"]) => create_commit(world, full, &api, call.body),
        ("GET", ["commits"]) => {
            let git = &world.repos[full].git;
            let from = call
                .query
                .get("sha")
                .cloned()
                .unwrap_or_else(|| world.repos[full].default_branch.clone());
            let Some(start) = git.resolve(&from) else {
                return Some(Answer::error(
                    404,
                    &format!("No commit found for SHA: {from}"),
                ));
            };
            let path = call.query.get("path").map(|p| p.trim_matches('/'));
            let listed = git
                .history(&start, path)
                .into_iter()
                .map(|c| listed_commit(&api, c))
                .collect();
            paginate(world, call.path, call.query, listed, None)
        }
        ("GET", ["compare", range]) => {
            let git = &world.repos[full].git;
            let Some((base, head)) = range.split_once("...") else {
                return Some(Answer::not_found());
            };
            match (git.resolve(base), git.resolve(head)) {
                (Some(base), Some(head)) => {
                    let (status, ahead, behind) = git.compare(&base, &head);
                    let commit = |sha: &str| listed_commit(&api, &git.commits[sha]);
                    Answer::json(
                        200,
                        json!({
                            "url": format!("{api}/compare/{range}"),
                            "html_url": format!("https://github.com/{full}/compare/{range}"),
                            "permalink_url": format!("https://github.com/{full}/compare/{range}"),
                            "diff_url": format!("https://github.com/{full}/compare/{range}.diff"),
                            "patch_url": format!("https://github.com/{full}/compare/{range}.patch"),
                            "base_commit": commit(&base),
                            "merge_base_commit": commit(&base),
                            "status": status,
                            "ahead_by": ahead,
                            "behind_by": behind,
                            "total_commits": ahead,
                            "commits": [],
                            "files": [],
                        }),
                    )
                }
                _ => Answer::not_found(),
            }
        }
        _ => return None,
    };
    Some(answer)
}

fn invalid(message: &str) -> Answer {
    Answer::json(422, shapes::validation_failed("Git", message))
}

fn create_ref(world: &mut World, full: &str, api: &str, body: &Value) -> Answer {
    let (Some(name), Some(sha)) = (body["ref"].as_str(), body["sha"].as_str()) else {
        return invalid("ref and sha are required");
    };
    let Some(branch) = name.strip_prefix("refs/heads/").filter(|b| !b.is_empty()) else {
        return invalid("ref must be of the form refs/heads/<branch>");
    };
    let repo = world.repo_mut(full);
    if !repo.git.commits.contains_key(sha) {
        return invalid("Object does not exist");
    }
    if repo.git.branches.contains_key(branch) {
        return invalid("Reference already exists");
    }
    repo.set_branch(branch, sha);
    Answer::json(201, git_ref(api, branch, sha))
}

fn update_ref(world: &mut World, full: &str, api: &str, branch: &str, body: &Value) -> Answer {
    let Some(sha) = body["sha"].as_str() else {
        return invalid("sha is required");
    };
    let repo = world.repo_mut(full);
    let Some(old) = repo.git.branches.get(branch).cloned() else {
        return invalid("Reference does not exist");
    };
    if !repo.git.commits.contains_key(sha) {
        return invalid("Object does not exist");
    }
    let forced = body["force"].as_bool().unwrap_or(false);
    if !forced && !repo.git.ancestors(sha).contains(&old) {
        return invalid("Update is not a fast forward");
    }
    repo.set_branch(branch, sha);
    Answer::json(200, git_ref(api, branch, sha))
}

fn get_tree(world: &World, full: &str, api: &str, sha: &str, recursive: bool) -> Answer {
    let git = &world.repos[full].git;
    let Some(top) = git.trees.get(sha) else {
        return Answer::not_found();
    };
    let mut listed = Vec::new();
    let mut pending: Vec<(String, &BTreeMap<String, Entry>)> = vec![(String::new(), top)];
    let truncated = recursive && git.truncate_recursive;
    while let Some((prefix, entries)) = pending.pop() {
        for (name, entry) in entries {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            listed.push(tree_entry(api, &path, entry, git.blobs.get(&entry.sha)));
            if recursive && !truncated && entry.kind == Kind::Tree {
                pending.push((path, &git.trees[&entry.sha]));
            }
        }
    }
    listed.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    Answer::json(
        200,
        json!({ "sha": sha, "url": format!("{api}/git/trees/{sha}"), "tree": listed, "truncated": truncated }),
    )
}

fn create_tree(world: &mut World, full: &str, api: &str, body: &Value) -> Answer {
    let git = &mut world.repo_mut(full).git;
    let mut files = match body["base_tree"].as_str() {
        None => BTreeMap::new(),
        Some(base) if git.trees.contains_key(base) => git.flatten(base),
        Some(_) => return invalid("base_tree is not a valid tree oid"),
    };
    let Some(entries) = body["tree"].as_array() else {
        return invalid("tree is required");
    };
    for entry in entries {
        let Some(path) = entry["path"].as_str() else {
            return invalid("tree.path is required");
        };
        if entry["type"].as_str() != Some("blob") {
            return invalid("the fake only models blob entries");
        }
        match (entry["content"].as_str(), entry.get("sha")) {
            (Some(text), _) => {
                let sha = git.put_blob(text.as_bytes());
                files.insert(path.to_owned(), sha);
            }
            (None, Some(Value::Null)) => {
                if files.remove(path).is_none() {
                    return invalid(&format!("tree.path {path} does not exist"));
                }
            }
            (None, Some(Value::String(sha))) if git.blobs.contains_key(sha) => {
                files.insert(path.to_owned(), sha.clone());
            }
            _ => return invalid("tree.sha is not a valid blob"),
        }
    }
    let sha = git.build(&files);
    get_tree(world, full, api, &sha, false).with_status(201)
}

fn create_commit(world: &mut World, full: &str, api: &str, body: &Value) -> Answer {
    let git = &mut world.repo_mut(full).git;
    let (Some(message), Some(tree)) = (body["message"].as_str(), body["tree"].as_str()) else {
        return invalid("message and tree are required");
    };
    if !git.trees.contains_key(tree) {
        return invalid("Tree SHA does not exist");
    }
    let parents: Vec<String> = body["parents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    if parents.iter().any(|p| !git.commits.contains_key(p)) {
        return invalid("Parent SHA does not exist or is not a commit object");
    }
    let sha = git.commit(tree, &parents, message);
    Answer::json(201, git_commit(api, &git.commits[&sha]))
}

fn signature(commit: &Commit) -> Value {
    json!({
        "name": "bosun[bot]",
        "email": "bosun[bot]@users.noreply.github.com",
        "date": commit.date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

fn parents(api: &str, commit: &Commit) -> Value {
    commit
        .parents
        .iter()
        .map(|p| json!({ "sha": p, "url": format!("{api}/git/commits/{p}") }))
        .collect()
}

const UNSIGNED: &str = r#"{"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null}"#;

/// `GET /repos/{o}/{r}/git/commits/{sha}`.
fn git_commit(api: &str, commit: &Commit) -> Value {
    json!({
        "sha": commit.sha,
        "node_id": format!("C_{}", &commit.sha[..12]),
        "url": format!("{api}/git/commits/{}", commit.sha),
        "html_url": format!("{}/commit/{}", api.replace("/repos/", "/"), commit.sha),
        "author": signature(commit),
        "committer": signature(commit),
        "tree": { "sha": commit.tree, "url": format!("{api}/git/trees/{}", commit.tree) },
        "message": commit.message,
        "parents": parents(api, commit),
        "verification": serde_json::from_str::<Value>(UNSIGNED).expect("JSON"),
    })
}

/// A commit as `GET /repos/{o}/{r}/commits` lists it.
fn listed_commit(api: &str, commit: &Commit) -> Value {
    let mut inner = git_commit(api, commit);
    if let Value::Object(map) = &mut inner {
        for key in ["sha", "node_id", "html_url", "parents"] {
            map.remove(key);
        }
    }
    inner["comment_count"] = json!(0);
    json!({
        "sha": commit.sha,
        "node_id": format!("C_{}", &commit.sha[..12]),
        "url": format!("{api}/commits/{}", commit.sha),
        "html_url": format!("{}/commit/{}", api.replace("/repos/", "/"), commit.sha),
        "comments_url": format!("{api}/commits/{}/comments", commit.sha),
        "commit": inner,
        "author": null,
        "committer": null,
        "parents": parents(api, commit),
    })
}

/// `GET /repos/{o}/{r}/git/ref/heads/{branch}`.
fn git_ref(api: &str, branch: &str, sha: &str) -> Value {
    json!({
        "ref": format!("refs/heads/{branch}"),
        "node_id": format!("REF_{branch}"),
        "url": format!("{api}/git/refs/heads/{branch}"),
        "object": { "type": "commit", "sha": sha, "url": format!("{api}/git/commits/{sha}") },
    })
}

fn tree_entry(api: &str, path: &str, entry: &Entry, blob: Option<&Vec<u8>>) -> Value {
    let (kind, folder) = match entry.kind {
        Kind::Blob => ("blob", "blobs"),
        Kind::Tree => ("tree", "trees"),
    };
    let mut value = json!({
        "path": path,
        "mode": entry.mode(),
        "type": kind,
        "sha": entry.sha,
        "url": format!("{api}/git/{folder}/{}", entry.sha),
    });
    if let Some(bytes) = blob {
        value["size"] = json!(bytes.len());
    }
    value
}
