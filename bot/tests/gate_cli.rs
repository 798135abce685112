//! `bosun gate` as a person runs it on a real git checkout: the policies of
//! the base branch (not the working tree's), upstream Trivy reports given as
//! files, overlays rendered by the real `kubectl kustomize`; exit 0 when the
//! gate passes, 1 when it fails or an input is bad.

#[path = "support/git_cli.rs"]
mod git_cli;

use git_cli::git;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A checkout on `main` with this project's `flux-config/` and the
/// repository templates' `policies/`, committed.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    copy_tree(&root().join("flux-config"), &dir.path().join("flux-config"));
    copy_tree(
        &root().join("repo-templates/policies"),
        &dir.path().join("policies"),
    );
    std::fs::write(dir.path().join(".bosun.yaml"), "gate: {}\n").unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    dir
}

fn trivy(name: &str) -> String {
    root()
        .join("reconciler/tests/fixtures/trivy")
        .join(name)
        .display()
        .to_string()
}

fn gate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bosun"))
        .arg("gate")
        .arg("--repo")
        .arg(dir)
        .args(args)
        .env_remove("BOSUN_LOG")
        .output()
        .expect("bosun runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_clean_checkout_passes_with_exit_0() {
    let dir = checkout();
    let out = gate(
        dir.path(),
        &["--trivy", &trivy("image-alpine-39-skip.no-results.json")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).starts_with("Scans and policies allow this change"));
}

#[test]
fn blocking_vulnerabilities_fail_with_exit_1() {
    let dir = checkout();
    let out = gate(dir.path(), &["--trivy", &trivy("image-alpine-39.json")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Blocked: 2 blocking scan findings"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| ❌ blocks | CRITICAL | CVE-2019-14697 |"),
        "{stdout}"
    );
}

#[test]
fn the_working_tree_cannot_loosen_the_base_branch_policies() {
    let dir = checkout();
    std::fs::write(
        dir.path().join("policies/kubernetes/public_ingress.rego"),
        "package kubernetes.public_ingress\n\nimport rego.v1\n\ndeny := set()\n",
    )
    .unwrap();
    let ingress = dir
        .path()
        .join("flux-config/apps/prd/vllm-public-ingress.yaml");
    let edited = std::fs::read_to_string(&ingress)
        .unwrap()
        .replace("public-ingress: \"intended\"", "public-ingress: \"maybe\"");
    std::fs::write(&ingress, edited).unwrap();
    let out = gate(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Blocked: 1 policy denial"), "{stdout}");
    assert!(stdout.contains("prd.no-public-ingress"), "{stdout}");
}

#[test]
fn bad_inputs_exit_1_with_a_clear_message() {
    let dir = checkout();
    let missing = gate(dir.path(), &["--trivy", "no-such-report.json"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("--trivy no-such-report.json"),
        "{}",
        text(&missing.stderr)
    );

    let old = dir.path().join("old-schema.json");
    std::fs::write(&old, r#"{"SchemaVersion": 1, "Results": []}"#).unwrap();
    let out = gate(dir.path(), &["--trivy", old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Could not judge one input"), "{stdout}");
    assert!(stdout.contains("SchemaVersion 1"), "{stdout}");

    let plan = gate(dir.path(), &["--plan", "nowhere=plan.json"]);
    assert_eq!(plan.status.code(), Some(1));
    assert!(
        text(&plan.stderr).contains("`nowhere` is not an environment"),
        "{}",
        text(&plan.stderr)
    );

    let base = gate(dir.path(), &["--base", "trunk"]);
    assert_eq!(base.status.code(), Some(1));
    assert!(
        text(&base.stderr).contains("no branch or commit `trunk`"),
        "{}",
        text(&base.stderr)
    );
}
