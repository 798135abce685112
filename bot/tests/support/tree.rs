//! The project's own files as test data, seeded into the GitHub fake as
//! real git objects (read with `bosun_reconciler::testkit::workspace_tree`).

#![allow(dead_code)]

use super::github::GitHubFake;

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
        &bosun_reconciler::testkit::workspace_tree("flux-config"),
        "flux-config",
    )
}
