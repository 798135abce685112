//! Workflow run artifacts on GitHub (the merge gate's Trivy reports) and a
//! file's text at a commit.
//!
//! `GET /repos/{o}/{r}/actions/runs/{id}/artifacts` lists a run's artifacts;
//! `GET /repos/{o}/{r}/actions/artifacts/{id}/zip` answers `302 Found` with a
//! short-lived blob URL, which the client follows (octocrab's redirect layer
//! drops the `Authorization` header when the redirect leaves GitHub's host).

use bosun_reconciler::ids::{RepoName, Sha};
use bosun_reconciler::ports::forge::{ForgeError, RunArtifact};
use http::Method;
use serde::Deserialize;

use super::api::encode;
use super::forge::GitHubForge;

/// An artifact archive larger than this is refused rather than read into memory.
pub(crate) const MAX_ARTIFACT_BYTES: u64 = 64 * 1024 * 1024;

/// One artifact as GitHub lists it: only the fields bosun reads.
#[derive(Deserialize)]
struct ListedArtifact {
    id: u64,
    name: String,
    #[serde(default)]
    size_in_bytes: u64,
    #[serde(default)]
    expired: bool,
}

impl GitHubForge {
    /// Every artifact of workflow run `run_id`, following pages.
    pub(super) async fn list_artifacts(
        &self,
        repo: &RepoName,
        run_id: u64,
    ) -> Result<Vec<RunArtifact>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/actions/runs/{run_id}/artifacts?per_page=100");
        let listed: Vec<ListedArtifact> = self.api.get_all(auth, &path, Some("artifacts")).await?;
        Ok(listed
            .into_iter()
            .map(|a| RunArtifact {
                id: a.id,
                name: a.name,
                size_in_bytes: a.size_in_bytes,
                expired: a.expired,
            })
            .collect())
    }

    /// The zip archive of artifact `artifact_id`, through GitHub's redirect.
    pub(super) async fn artifact_zip(
        &self,
        repo: &RepoName,
        artifact_id: u64,
    ) -> Result<Vec<u8>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/actions/artifacts/{artifact_id}/zip");
        let reply = self.api.request(auth, Method::GET, &path, None).await?;
        if reply.body.len() as u64 > MAX_ARTIFACT_BYTES {
            return Err(ForgeError::Invalid(format!(
                "artifact {artifact_id} of {repo} is {} bytes, more than bosun reads ({MAX_ARTIFACT_BYTES})",
                reply.body.len()
            )));
        }
        Ok(reply.body)
    }

    /// The text of `path` at `commit`, `None` when it is absent there.
    pub(super) async fn read_file_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let auth = self.installation(repo).await?;
        let segments: Vec<String> = path.trim_matches('/').split('/').map(encode).collect();
        let route = format!(
            "/repos/{repo}/contents/{}?ref={}",
            segments.join("/"),
            commit.as_str()
        );
        let reply = match self.api.get_raw(auth, &route).await {
            Ok(reply) => reply,
            Err(ForgeError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        String::from_utf8(reply.body)
            .map(Some)
            .map_err(|_| ForgeError::Invalid(format!("{repo}:{path}@{commit} is not UTF-8 text")))
    }
}
