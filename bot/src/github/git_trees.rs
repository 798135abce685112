//! Reading trees on GitHub: the files under some folders of a tree, from
//! one recursive listing, or, when GitHub truncates it (a very large
//! repository), by walking only those folders one level per request.

use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::forge::ForgeError;
use serde::Deserialize;
use std::collections::BTreeMap;

use super::api::{Auth, encode};
use super::forge::GitHubForge;

/// One entry of a tree listing.
#[derive(Debug, Deserialize)]
struct TreeEntry {
    path: String,
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
}

impl TreeEntry {
    /// A file's blob: not a subtree, a submodule (`commit`) or a symbolic link.
    fn is_file(&self) -> bool {
        self.kind == "blob" && self.mode != "120000"
    }
}

/// The answer to `GET /repos/{o}/{r}/git/trees/{sha}`.
#[derive(Debug, Deserialize)]
struct Tree {
    tree: Vec<TreeEntry>,
    #[serde(default)]
    truncated: bool,
}

/// The folders without surrounding slashes (`.` is the root), without those
/// that lie inside another one.
pub(super) fn normalized(folders: &[String]) -> Vec<String> {
    let mut clean: Vec<String> = folders
        .iter()
        .map(|f| f.trim_matches('/'))
        .map(|f| if f == "." { "" } else { f }.to_owned())
        .collect();
    clean.sort();
    clean.dedup();
    let all = clean.clone();
    clean.retain(|f| !all.iter().any(|other| other != f && is_under(f, other)));
    clean
}

/// Whether `path` lies under `folder` (every path lies under the root, `""`).
pub(super) fn is_under(path: &str, folder: &str) -> bool {
    folder.is_empty()
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl GitHubForge {
    /// Path → blob SHA of every file under `folders` (normalized) in the tree `root`.
    pub(super) async fn blobs_under(
        &self,
        auth: Auth,
        repo: &RepoName,
        root: &str,
        folders: &[String],
    ) -> Result<BTreeMap<String, String>, ForgeError> {
        if folders.is_empty() {
            return Ok(BTreeMap::new());
        }
        let whole = self.tree(auth, repo, root, true).await?;
        if !whole.truncated {
            return Ok(whole
                .tree
                .into_iter()
                .filter(|e| e.is_file() && folders.iter().any(|f| is_under(&e.path, f)))
                .map(|e| (e.path, e.sha))
                .collect());
        }
        tracing::debug!(%repo, "the recursive tree is truncated: walking the folders");
        let mut found = BTreeMap::new();
        for folder in folders {
            if let Some(start) = self.subtree(auth, repo, root, folder).await? {
                self.walk(auth, repo, start, folder, &mut found).await?;
            }
        }
        Ok(found)
    }

    /// `GET /repos/{o}/{r}/git/trees/{sha}`, recursive or one level.
    async fn tree(
        &self,
        auth: Auth,
        repo: &RepoName,
        sha: &str,
        recursive: bool,
    ) -> Result<Tree, ForgeError> {
        let query = if recursive { "?recursive=1" } else { "" };
        let path = format!("/repos/{repo}/git/trees/{}{query}", encode(sha));
        self.api.get(auth, &path).await
    }

    /// The tree at `folder` under `root`, `None` when there is none.
    async fn subtree(
        &self,
        auth: Auth,
        repo: &RepoName,
        root: &str,
        folder: &str,
    ) -> Result<Option<String>, ForgeError> {
        let mut current = root.to_owned();
        for name in folder.split('/').filter(|s| !s.is_empty()) {
            let level = self.tree(auth, repo, &current, false).await?;
            match level
                .tree
                .into_iter()
                .find(|e| e.kind == "tree" && e.path == name)
            {
                Some(entry) => current = entry.sha,
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    }

    /// Every file below the tree `start` (at `prefix`), one level per request.
    async fn walk(
        &self,
        auth: Auth,
        repo: &RepoName,
        start: String,
        prefix: &str,
        found: &mut BTreeMap<String, String>,
    ) -> Result<(), ForgeError> {
        let mut pending = vec![(start, prefix.to_owned())];
        while let Some((sha, at)) = pending.pop() {
            let level = self.tree(auth, repo, &sha, false).await?;
            if level.truncated {
                return Err(ForgeError::Invalid(format!(
                    "the folder {at} of {repo} has more entries than GitHub lists"
                )));
            }
            for entry in level.tree {
                let path = if at.is_empty() {
                    entry.path.clone()
                } else {
                    format!("{at}/{}", entry.path)
                };
                if entry.is_file() {
                    found.insert(path, entry.sha);
                } else if entry.kind == "tree" {
                    pending.push((entry.sha, path));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_cover_their_own_paths_and_deeper_only() {
        assert!(is_under("flux/apps/prd/a.yaml", "flux/apps/prd"));
        assert!(is_under("flux/apps/prd/x/b.yaml", "flux/apps/prd"));
        assert!(!is_under("flux/apps/prd-eu/a.yaml", "flux/apps/prd"));
        assert!(!is_under("flux/apps/prd", "flux/apps/prd"));
        assert!(is_under("README.md", ""));
    }
}
