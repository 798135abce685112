//! Seeding and reading the fake repositories' Git content from tests.

use super::GitHubFake;

impl GitHubFake {
    /// Commits `files` (path, text) on `branch` on top of its tip (a missing
    /// branch starts from the default branch's tip); returns the commit's SHA.
    pub fn seed_files(
        &self,
        full_name: &str,
        branch: &str,
        files: &[(&str, &str)],
        message: &str,
    ) -> String {
        let bytes: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
        self.seed_bytes(full_name, branch, &bytes, message)
    }

    /// [`Self::seed_files`] with any bytes (text or not).
    pub fn seed_bytes(
        &self,
        full_name: &str,
        branch: &str,
        files: &[(&str, &[u8])],
        message: &str,
    ) -> String {
        let changes: Vec<(&str, Option<&[u8]>)> =
            files.iter().map(|(p, b)| (*p, Some(*b))).collect();
        self.world()
            .repo_mut(full_name)
            .commit_on(branch, &changes, message)
    }

    /// Commits the deletion of `paths` on `branch`; returns the commit's SHA.
    pub fn delete_files(
        &self,
        full_name: &str,
        branch: &str,
        paths: &[&str],
        message: &str,
    ) -> String {
        let changes: Vec<(&str, Option<&[u8]>)> = paths.iter().map(|p| (*p, None)).collect();
        self.world()
            .repo_mut(full_name)
            .commit_on(branch, &changes, message)
    }

    /// The commit `branch` points at, `None` when there is no such branch.
    pub fn branch_tip(&self, full_name: &str, branch: &str) -> Option<String> {
        self.world().repos[full_name]
            .git
            .branches
            .get(branch)
            .cloned()
    }

    /// The text of `path` at a commit or a branch's tip (`None` when absent or not UTF-8).
    pub fn file_at(&self, full_name: &str, commit_or_branch: &str, path: &str) -> Option<String> {
        let world = self.world();
        let git = &world.repos[full_name].git;
        let commit = git.resolve(commit_or_branch)?;
        let blob = git.files_of(&commit).get(path).cloned()?;
        String::from_utf8(git.blobs[&blob].clone()).ok()
    }

    /// Every file path at a commit or a branch's tip, sorted.
    pub fn paths_at(&self, full_name: &str, commit_or_branch: &str) -> Vec<String> {
        let world = self.world();
        let git = &world.repos[full_name].git;
        git.resolve(commit_or_branch)
            .map(|c| git.files_of(&c).into_keys().collect())
            .unwrap_or_default()
    }

    /// The parents of commit `sha`, in order.
    pub fn commit_parents(&self, full_name: &str, sha: &str) -> Vec<String> {
        self.world().repos[full_name].git.commits[sha]
            .parents
            .clone()
    }

    /// The message of commit `sha`.
    pub fn commit_message(&self, full_name: &str, sha: &str) -> String {
        self.world().repos[full_name].git.commits[sha]
            .message
            .clone()
    }

    /// Makes recursive tree listings of `full_name` answer `truncated: true`
    /// with only the top level, as GitHub does for very large repositories.
    pub fn truncate_trees(&self, full_name: &str) {
        self.world().repo_mut(full_name).git.truncate_recursive = true;
    }
}
