//! The project's own files as test data: folders of this repository read
//! into (path, text) pairs, and seeded into the GitHub fake as real git
//! objects.

#![allow(dead_code)]

use super::github::GitHubFake;
use std::path::{Path, PathBuf};

/// The root of this repository (the workspace).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every text file under `dir` (relative to the project root), with its path
/// from the root.
pub fn project_tree(dir: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, text));
            }
        }
    }
    let root = project_root();
    let mut files = Vec::new();
    walk(&root.join(dir), &root, &mut files);
    files
}

/// Commits `files` on `branch` of `repo` in the fake; returns the commit.
pub fn seed_owned(
    github: &GitHubFake,
    repo: &str,
    branch: &str,
    files: &[(String, String)],
    message: &str,
) -> String {
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    github.seed_files(repo, branch, &borrowed, message)
}

/// Commits the project's `flux-config/` on `main` of `repo` in the fake.
pub fn seed_flux_config(github: &GitHubFake, repo: &str) -> String {
    seed_owned(
        github,
        repo,
        "main",
        &project_tree("flux-config"),
        "flux-config",
    )
}
