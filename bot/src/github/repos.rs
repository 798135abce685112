//! Repositories on GitHub: the ones bosun manages (every repository of
//! every installation of the app), and a file's text on a default branch.

use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::forge::ForgeError;

use super::api::{Auth, encode};
use super::forge::GitHubForge;

impl GitHubForge {
    /// Every repository of every installation, sorted. The listing also
    /// tells the forge which installation covers which repository.
    pub(super) async fn list_managed(&self) -> Result<Vec<RepoName>, ForgeError> {
        let installations: Vec<octocrab::models::Installation> = self
            .api
            .get_all(Auth::App, "/app/installations?per_page=100", None)
            .await?;
        let mut repos = Vec::new();
        for installation in installations {
            let id = installation.id.0;
            let path = "/installation/repositories?per_page=100";
            let auth = Auth::Installation(id);
            let listed: Vec<octocrab::models::Repository> = match self
                .api
                .get_all(auth, path, Some("repositories"))
                .await
            {
                Ok(listed) => listed,
                // A suspended installation cannot mint tokens: skip it.
                Err(ForgeError::Unauthorized(why)) => {
                    tracing::warn!(installation = id, %why, "skipping an installation bosun cannot act for");
                    continue;
                }
                Err(other) => return Err(other),
            };
            for repository in listed {
                let full_name = repository.full_name.unwrap_or_else(|| {
                    let owner = repository.owner.map(|o| o.login).unwrap_or_default();
                    format!("{owner}/{}", repository.name)
                });
                let repo: RepoName = full_name
                    .parse()
                    .map_err(|e| ForgeError::Invalid(format!("installation {id} lists {e}")))?;
                self.remember(repo.clone(), id);
                repos.push(repo);
            }
        }
        repos.sort();
        repos.dedup();
        Ok(repos)
    }

    /// The text of `path` on the default branch, `None` when it is absent.
    pub(super) async fn read_file(
        &self,
        repo: &RepoName,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let auth = self.installation(repo).await?;
        let segments: Vec<String> = path.trim_matches('/').split('/').map(encode).collect();
        let route = format!("/repos/{repo}/contents/{}", segments.join("/"));
        let reply = match self.api.get_raw(auth, &route).await {
            Ok(reply) => reply,
            Err(ForgeError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        String::from_utf8(reply.body)
            .map(Some)
            .map_err(|_| ForgeError::Invalid(format!("{repo}:{path} is not UTF-8 text")))
    }
}
