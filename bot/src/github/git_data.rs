//! Git data on GitHub, through the Git Data API: resolving branches and
//! commits, reading the files of a commit (its tree and blobs), and writing
//! bosun's own commits on a branch (tree, commit, ref).
//!
//! Reads take the recursive tree of a commit in one request; when GitHub
//! truncates it (a very large repository), only the requested folders are
//! walked, one subtree at a time. Writes make the new tree first: GitHub
//! names a tree by its content, so a tree identical to the one the branch
//! already has has the same SHA, and an identical commit is not written again.

use bosun_reconciler::ids::{RepoName, Sha};
use bosun_reconciler::ports::forge::{CommitRequest, ForgeError, RepoFile};
use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::api::{Auth, encode};
use super::forge::GitHubForge;
#[cfg(test)]
use super::git_trees::is_under;
use super::git_trees::normalized;

/// A Git object named by its SHA (`{"sha": …, "url": …}`).
#[derive(Debug, Deserialize)]
struct ObjectRef {
    sha: String,
}

/// The answer to `GET /repos/{o}/{r}/git/commits/{sha}`, as far as bosun reads it.
#[derive(Debug, Deserialize)]
struct GitCommit {
    sha: String,
    tree: ObjectRef,
    parents: Vec<ObjectRef>,
}

/// The answer to `GET /repos/{o}/{r}/git/ref/heads/{branch}`.
#[derive(Debug, Deserialize)]
struct GitRef {
    object: ObjectRef,
}

/// The answer to `GET /repos/{o}/{r}`, as far as bosun reads it.
#[derive(Debug, Deserialize)]
struct RepoInfo {
    default_branch: String,
}

/// A SHA GitHub answered with, as the engine's type.
fn parse_sha(repo: &RepoName, sha: &str) -> Result<Sha, ForgeError> {
    sha.parse().map_err(|e| {
        ForgeError::Invalid(format!("GitHub answered a bad commit id for {repo}: {e}"))
    })
}

/// A branch name as a path under `git/ref/heads/`: each segment encoded.
fn branch_path(branch: &str) -> String {
    let segments: Vec<String> = branch.split('/').map(encode).collect();
    segments.join("/")
}

/// A branch name without a leading `refs/heads/`.
fn branch_name(git_ref: &str) -> &str {
    git_ref.strip_prefix("refs/heads/").unwrap_or(git_ref)
}

/// The folder holding `path` (`""` for a file at the root).
fn parent_folder(path: &str) -> String {
    path.rsplit_once('/')
        .map_or_else(String::new, |(dir, _)| dir.to_owned())
}

impl GitHubForge {
    /// `GET /repos/{o}/{r}`: the default branch's name.
    pub(super) async fn fetch_default_branch(&self, repo: &RepoName) -> Result<String, ForgeError> {
        let auth = self.installation(repo).await?;
        let info: RepoInfo = self.api.get(auth, &format!("/repos/{repo}")).await?;
        Ok(info.default_branch)
    }

    /// A branch name (`refs/heads/` optional) or a full commit id, as a commit.
    pub(super) async fn resolve_ref(
        &self,
        repo: &RepoName,
        git_ref: &str,
    ) -> Result<Sha, ForgeError> {
        let auth = self.installation(repo).await?;
        let name = branch_name(git_ref);
        if name.parse::<Sha>().is_ok() {
            let commit = self.git_commit(auth, repo, name).await?;
            return parse_sha(repo, &commit.sha);
        }
        match self.branch_tip(auth, repo, name).await? {
            Some(sha) => parse_sha(repo, &sha),
            None => Err(ForgeError::NotFound(format!(
                "{repo} has no branch or commit {git_ref}"
            ))),
        }
    }

    /// Every text file under `folders` at `commit`, sorted by path.
    pub(super) async fn read_files_at(
        &self,
        repo: &RepoName,
        commit: &Sha,
        folders: &[String],
    ) -> Result<Vec<RepoFile>, ForgeError> {
        let auth = self.installation(repo).await?;
        let root = self.git_commit(auth, repo, commit.as_str()).await?.tree.sha;
        let blobs = self
            .blobs_under(auth, repo, &root, &normalized(folders))
            .await?;
        let mut files = Vec::with_capacity(blobs.len());
        for (path, sha) in blobs {
            let route = format!("/repos/{repo}/git/blobs/{sha}");
            let reply = self.api.get_raw(auth, &route).await?;
            match String::from_utf8(reply.body) {
                Ok(text) => files.push(RepoFile { path, text }),
                Err(_) => tracing::debug!(%repo, %path, "skipping a file that is not UTF-8 text"),
            }
        }
        Ok(files)
    }

    /// Writes `request` as one commit and points its branch at it, unless
    /// the branch already holds exactly that commit's content on that parent.
    pub(super) async fn write_commit(
        &self,
        repo: &RepoName,
        request: &CommitRequest,
    ) -> Result<Sha, ForgeError> {
        let branch = branch_name(&request.branch);
        if branch.is_empty() {
            return Err(ForgeError::Invalid(format!(
                "a commit for {repo} needs a branch"
            )));
        }
        let default = self.fetch_default_branch(repo).await?;
        if branch == default {
            return Err(ForgeError::Invalid(format!(
                "bosun never writes {repo}'s default branch {default}"
            )));
        }
        let auth = self.installation(repo).await?;
        let parent = self.git_commit(auth, repo, request.parent.as_str()).await?;
        let tree = self
            .tree_with(auth, repo, &parent.tree.sha, &request.changes)
            .await?;
        let tip = self.branch_tip(auth, repo, branch).await?;
        if let Some(tip) = &tip {
            let current = self.git_commit(auth, repo, tip).await?;
            let parents: Vec<&str> = current.parents.iter().map(|p| p.sha.as_str()).collect();
            if parents == [parent.sha.as_str()] && current.tree.sha == tree {
                return parse_sha(repo, tip);
            }
        }
        let path = format!("/repos/{repo}/git/commits");
        let body = json!({
            "message": request.message,
            "tree": tree,
            "parents": [parent.sha],
        });
        let reply = self
            .api
            .request(auth, Method::POST, &path, Some(&body))
            .await?;
        let created: ObjectRef = reply.json(&format!("POST {path}"))?;
        match tip {
            Some(_) => self.force_branch(auth, repo, branch, &created.sha).await?,
            None => self.create_branch(auth, repo, branch, &created.sha).await?,
        }
        parse_sha(repo, &created.sha)
    }

    /// `GET /repos/{o}/{r}/git/commits/{sha}`.
    async fn git_commit(
        &self,
        auth: Auth,
        repo: &RepoName,
        sha: &str,
    ) -> Result<GitCommit, ForgeError> {
        let path = format!("/repos/{repo}/git/commits/{}", encode(sha));
        self.api.get(auth, &path).await
    }

    /// The commit `branch` points at, `None` when there is no such branch.
    async fn branch_tip(
        &self,
        auth: Auth,
        repo: &RepoName,
        branch: &str,
    ) -> Result<Option<String>, ForgeError> {
        let path = format!("/repos/{repo}/git/ref/heads/{}", branch_path(branch));
        match self.api.get::<GitRef>(auth, &path).await {
            Ok(found) => Ok(Some(found.object.sha)),
            Err(ForgeError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// `POST /repos/{o}/{r}/git/refs`; a branch created meanwhile is moved instead.
    async fn create_branch(
        &self,
        auth: Auth,
        repo: &RepoName,
        branch: &str,
        sha: &str,
    ) -> Result<(), ForgeError> {
        let path = format!("/repos/{repo}/git/refs");
        let body = json!({ "ref": format!("refs/heads/{branch}"), "sha": sha });
        match self
            .api
            .request(auth, Method::POST, &path, Some(&body))
            .await
        {
            Ok(_) => Ok(()),
            Err(ForgeError::Invalid(message)) if message.contains("already exists") => {
                self.force_branch(auth, repo, branch, sha).await
            }
            Err(other) => Err(other),
        }
    }

    /// `PATCH /repos/{o}/{r}/git/refs/heads/{branch}` with `force`.
    async fn force_branch(
        &self,
        auth: Auth,
        repo: &RepoName,
        branch: &str,
        sha: &str,
    ) -> Result<(), ForgeError> {
        let path = format!("/repos/{repo}/git/refs/heads/{}", branch_path(branch));
        let body = json!({ "sha": sha, "force": true });
        self.api
            .request(auth, Method::PATCH, &path, Some(&body))
            .await
            .map(|_| ())
    }

    /// The tree `base` with `changes` applied (`POST /git/trees`), or `base`
    /// itself when nothing changes. The last change of a path wins; deleting
    /// a file `base` does not have changes nothing (GitHub would refuse it).
    async fn tree_with(
        &self,
        auth: Auth,
        repo: &RepoName,
        base: &str,
        changes: &[bosun_reconciler::ports::forge::FileChange],
    ) -> Result<String, ForgeError> {
        let wanted: BTreeMap<&str, Option<&str>> = changes
            .iter()
            .map(|c| (c.path.trim_matches('/'), c.text.as_deref()))
            .collect();
        let deleted: Vec<String> = wanted
            .iter()
            .filter(|(_, text)| text.is_none())
            .map(|(path, _)| parent_folder(path))
            .collect();
        let present = if deleted.is_empty() {
            BTreeMap::new()
        } else {
            self.blobs_under(auth, repo, base, &normalized(&deleted))
                .await?
        };
        let entries: Vec<Value> = wanted
            .iter()
            .filter_map(|(path, text)| match text {
                Some(text) => Some(json!({
                    "path": path, "mode": "100644", "type": "blob", "content": text,
                })),
                None if present.contains_key(*path) => Some(json!({
                    "path": path, "mode": "100644", "type": "blob", "sha": null,
                })),
                None => None,
            })
            .collect();
        if entries.is_empty() {
            return Ok(base.to_owned());
        }
        let path = format!("/repos/{repo}/git/trees");
        let body = json!({ "base_tree": base, "tree": entries });
        let reply = self
            .api
            .request(auth, Method::POST, &path, Some(&body))
            .await?;
        let created: ObjectRef = reply.json(&format!("POST {path}"))?;
        Ok(created.sha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_inside_others_and_slashes_are_dropped() {
        let folders: Vec<String> = ["/a/b/", "a", "c", "a/b/c", "c"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(normalized(&folders), ["a", "c"]);
        assert_eq!(normalized(&[".".to_owned(), "x".to_owned()]), [""]);
        assert!(is_under("flux/apps/prd/a.yaml", "flux/apps/prd"));
        assert!(!is_under("flux/apps/prd-eu/a.yaml", "flux/apps/prd"));
        assert_eq!(parent_folder("a/b/c.yaml"), "a/b");
        assert_eq!(parent_folder("c.yaml"), "");
    }

    #[test]
    fn branch_names_keep_their_slashes_in_paths() {
        assert_eq!(
            branch_path("bosun/promote/stg-to-prd"),
            "bosun/promote/stg-to-prd"
        );
        assert_eq!(branch_path("a b/c#d"), "a%20b/c%23d");
        assert_eq!(branch_name("refs/heads/main"), "main");
    }
}
