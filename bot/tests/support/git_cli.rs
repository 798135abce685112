//! Running the real `git` in a test repository, as a person would.
//! Included with `#[path]` by the tests that need only this.

use std::path::Path;
use std::process::Command;

/// Runs `git args` in `dir` with a fixed identity; fails the test when git
/// fails; returns what it printed, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
