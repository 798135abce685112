//! Workflow run artifacts in the fake GitHub (issue 6, the merge gate):
//! listing a run's artifacts, the archive endpoint that answers `302 Found`
//! with a blob URL as GitHub does, and the blob URL itself, which (like
//! GitHub's signed storage URLs) needs no token. Archives are real zip
//! bytes a test builds.

use super::GitHubFake;
use super::routes::{Answer, paginate};
use super::world::World;
use serde_json::{Value, json};
use std::collections::HashMap;

/// A run's artifact in the fake world.
#[derive(Debug, Clone)]
pub(crate) struct FakeArtifact {
    pub(crate) id: u64,
    pub(crate) repo: String,
    pub(crate) run_id: u64,
    pub(crate) name: String,
    pub(crate) zip: Vec<u8>,
    pub(crate) expired: bool,
}

/// The blob path an artifact redirects to.
fn blob_path(id: u64) -> String {
    format!("/_blobs/artifacts/{id}.zip")
}

fn shape(world: &World, a: &FakeArtifact) -> Value {
    json!({
        "id": a.id,
        "node_id": format!("MDg6QXJ0aWZhY3Q{}", a.id),
        "name": a.name,
        "size_in_bytes": a.zip.len(),
        "url": format!("{}/repos/{}/actions/artifacts/{}", world.base_url, a.repo, a.id),
        "archive_download_url": format!("{}/repos/{}/actions/artifacts/{}/zip", world.base_url, a.repo, a.id),
        "expired": a.expired,
        "created_at": "2026-03-01T10:00:00Z",
        "expires_at": "2026-03-06T10:00:00Z",
        "updated_at": "2026-03-01T10:00:00Z",
        "workflow_run": { "id": a.run_id, "head_branch": "change", "head_sha": "" }
    })
}

/// `GET /repos/{o}/{r}/actions/runs/{id}/artifacts`.
pub(crate) fn list(
    world: &World,
    full: &str,
    run: &str,
    path: &str,
    query: &HashMap<String, String>,
) -> Answer {
    let Ok(run) = run.parse::<u64>() else {
        return Answer::not_found();
    };
    let items: Vec<Value> = world
        .artifacts
        .iter()
        .filter(|a| a.repo == full && a.run_id == run)
        .map(|a| shape(world, a))
        .collect();
    paginate(world, path, query, items, Some("artifacts"))
}

/// `GET /repos/{o}/{r}/actions/artifacts/{id}/zip`: 302 to the blob, or 410 when expired.
pub(crate) fn download(world: &World, full: &str, id: &str) -> Answer {
    let found = id.parse::<u64>().ok().and_then(|id| {
        world
            .artifacts
            .iter()
            .find(|a| a.id == id && a.repo == full)
    });
    match found {
        None => Answer::not_found(),
        Some(a) if a.expired => Answer::error(410, "Artifact has expired"),
        Some(a) => Answer::redirect(format!("{}{}", world.base_url, blob_path(a.id))),
    }
}

/// `GET /_blobs/artifacts/{id}.zip`: the archive's bytes.
pub(crate) fn blob(world: &World, file: &str) -> Answer {
    let found = file
        .strip_suffix(".zip")
        .and_then(|id| id.parse::<u64>().ok())
        .and_then(|id| world.artifacts.iter().find(|a| a.id == id));
    match found {
        Some(a) => Answer::bytes(a.zip.clone()),
        None => Answer::not_found(),
    }
}

impl GitHubFake {
    /// Workflow run `run_id` of `full_name` uploaded the artifact `name`
    /// holding `zip`; returns the artifact's id.
    pub fn add_artifact(&self, full_name: &str, run_id: u64, name: &str, zip: Vec<u8>) -> u64 {
        let mut world = self.world();
        let id = world.next_id();
        world.artifacts.push(FakeArtifact {
            id,
            repo: full_name.to_owned(),
            run_id,
            name: name.to_owned(),
            zip,
            expired: false,
        });
        id
    }
}
