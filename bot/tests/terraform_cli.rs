//! `bosun plan` and `bosun drift` as a person runs them in a checkout: the
//! real binary, a real git repository, the real `terraform` on `PATH`
//! (scripts/test provides it) on a `terraform_data` root whose local state
//! lives outside the checkout.

#[path = "support/git_cli.rs"]
mod git_cli;

#[path = "support/terraform.rs"]
mod terraform;

use git_cli::{git, stdout};
use std::path::Path;
use std::process::Output;
use terraform::{init_and_apply, require_terraform};

/// A checkout with one project, `dev`, and the directory of its state.
fn checkout() -> (tempfile::TempDir, tempfile::TempDir) {
    require_terraform();
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(
        dir.path().join(".bosun.yaml"),
        "terraform:\n  projects:\n    - name: dev\n      dir: terraform/envs/dev\n",
    )
    .unwrap();
    let root = dir.path().join("terraform/envs/dev");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("main.tf"),
        format!(
            "terraform {{\n  backend \"local\" {{\n    path = \"{}/dev.tfstate\"\n  }}\n}}\n\nresource \"terraform_data\" \"app\" {{\n  input = \"v1\"\n}}\n",
            state.path().display()
        ),
    )
    .unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    (dir, state)
}

/// `bosun args` on the checkout `dir`, as alice.
fn bosun(dir: &Path, args: &[&str]) -> Output {
    git_cli::bosun(dir, "alice", args)
}

fn apply_by_hand(dir: &Path) {
    init_and_apply(&dir.join("terraform/envs/dev"));
}

#[test]
fn plan_prints_the_plan_of_the_default_branch() {
    let (dir, _state) = checkout();
    let output = bosun(dir.path(), &["plan", "dev"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("Terraform plan for `dev`: 1 to add"),
        "{text}"
    );
    assert!(text.contains("terraform_data.app"), "{text}");
    let unknown = bosun(dir.path(), &["plan", "stg"]);
    assert_eq!(unknown.status.code(), Some(1), "{unknown:?}");
    assert!(stdout(&unknown).contains("No Terraform project deploys `stg`"));
}

#[test]
fn drift_exits_2_with_drift_0_without_and_1_on_errors() {
    let (dir, _state) = checkout();
    // Never applied: the whole configuration is merged but not applied.
    let output = bosun(dir.path(), &["drift", "dev"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("merged but never applied"), "{text}");
    assert!(text.contains("Drift issue #"), "{text}");

    apply_by_hand(dir.path());
    let output = bosun(dir.path(), &["drift"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("no drift"), "{text}");
    assert!(text.contains("Closed drift issue #"), "{text}");

    let output = bosun(dir.path(), &["drift", "qa"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("unknown environment `qa`"), "{error}");

    std::fs::write(dir.path().join("terraform/envs/dev/main.tf"), "resource {").unwrap();
    git(dir.path(), &["commit", "-q", "-am", "broken"]);
    let output = bosun(dir.path(), &["drift", "dev"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stdout(&output).contains("the plan failed"), "{output:?}");
}
