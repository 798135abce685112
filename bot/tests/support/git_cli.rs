//! Running the real `git` and the built `bosun` in a test repository, as a
//! person would. Included with `#[path]` by the tests that need only this.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

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

/// Runs the built `bosun args` on the checkout `dir` (data under
/// `dir/.bosun`) as the user `user`, without `BOSUN_LOG`.
pub fn bosun(dir: &Path, user: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(args)
        .arg("--repo")
        .arg(dir)
        .arg("--data-dir")
        .arg(dir.join(".bosun"))
        .env("USER", user)
        .env_remove("BOSUN_LOG")
        .output()
        .expect("bosun runs")
}

/// What `output` printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
