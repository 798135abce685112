//! The merge gate inside the engine, with the in-memory forge: a workflow
//! run GitHub lists no pull request for (a fork's) still reaches the pull
//! request through its repository; plans recorded by the terraform service
//! (`plan-json`) are judged only at the current head; the policies come from
//! the default branch. The plan is a real `terraform show -json` of a real
//! `terraform plan` (Terraform on `PATH`, installed by `scripts/tools.sh`).

mod gate_support;
mod support;

use std::io::Write;
use std::process::Command;
use std::sync::Arc;

use bosun_reconciler::event::{EventKind, WorkflowRunEvent};
use bosun_reconciler::gating::PLAN_JSON;
use bosun_reconciler::ids::Sha;
use bosun_reconciler::ports::forge::{CheckConclusion, CheckSpec, CheckStatus};
use bosun_reconciler::store::Store;
use bosun_reconciler::testkit::MemoryForge;
use chrono::Utc;
use serde_json::json;
use support::{Running, repo};

const RUN: u64 = 77;

/// A policy of this test: public `terraform_data` inputs are denied.
const DATA_POLICY: &str = r#"package terraform.data

import rego.v1

deny contains result if {
	some rc in input.resource_changes
	rc.type == "terraform_data"
	"create" in rc.change.actions
	rc.change.after.input.public == true
	result := {
		"policy": "test.no-public-data",
		"resource": rc.address,
		"msg": sprintf("%s would be public in %s", [rc.address, data.bosun.environment]),
	}
}
"#;

/// `terraform show -json` of a real plan creating one `terraform_data`.
fn real_plan(public: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let main = format!(
        "resource \"terraform_data\" \"bucket\" {{\n  input = {{ name = \"models\", public = {public} }}\n}}\n"
    );
    std::fs::write(dir.path().join("main.tf"), main).unwrap();
    std::fs::write(dir.path().join("empty.tfrc"), "").unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("terraform")
            .args(args)
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", dir.path().join("empty.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .output()
            .unwrap_or_else(|e| {
                panic!("terraform is not on PATH ({e}): run `source scripts/tools.sh && install_test_tools`")
            });
        assert!(
            out.status.success(),
            "terraform {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["init", "-input=false", "-no-color"]);
    run(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    run(&["show", "-json", "tfplan"])
}

fn zip_of(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.write_all(bytes).unwrap();
    writer.finish().unwrap().into_inner()
}

/// main with the repository's policies plus `extra`, `.bosun.yaml` with a
/// gate, and pull request #1 whose head is a real commit.
fn forge(extra: &[(&str, &str)]) -> (Arc<MemoryForge>, Sha) {
    let forge = Arc::new(MemoryForge::new());
    let sources = gate_support::policy_sources();
    let mut files: Vec<(String, String)> = sources
        .iter()
        .map(|s| (format!("policies/{}", s.path), s.rego.clone()))
        .collect();
    files.extend(
        extra
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned())),
    );
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    forge.seed(&repo(), "main", &borrowed, Utc::now());
    forge.put_file(&repo(), ".bosun.yaml", "gate:\n  timeout: 1h\n");
    forge.open_pr(&repo(), 1, "octocat", &["terraform/envs/prd/main.tf"]);
    let head = forge.seed(
        &repo(),
        "change-1",
        &[("terraform/envs/prd/main.tf", "# changed\n")],
        Utc::now(),
    );
    forge.set_pr_head(&repo(), 1, &head);
    let report = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/trivy/image-alpine-39-skip.no-results.json"),
    )
    .unwrap();
    forge.add_artifact(
        &repo(),
        RUN,
        "bosun-trivy-reports",
        zip_of("trivy-image.json", &report),
    );
    (forge, head)
}

fn record_plan(store: &dyn Store, env: &str, head: &Sha, plan: &str) {
    let key = format!("{}#{:010}/{env}", repo(), 1);
    let value = json!({ "head_sha": head, "env": env, "plan": serde_json::from_str::<serde_json::Value>(plan).unwrap() });
    store
        .put_record(PLAN_JSON, &key, value.to_string().as_bytes())
        .unwrap();
}

fn fork_run(head: &Sha) -> EventKind {
    EventKind::WorkflowRun(WorkflowRunEvent {
        repo: repo(),
        run_id: RUN,
        name: "trivy".into(),
        head_sha: head.clone(),
        conclusion: Some("success".into()),
        pull_requests: Vec::new(),
    })
}

fn gate_check(forge: &MemoryForge, head: &Sha) -> CheckSpec {
    let checks: Vec<CheckSpec> = forge
        .checks_on(&repo(), head)
        .into_iter()
        .filter(|c| c.name == "bosun/gate")
        .collect();
    assert_eq!(checks.len(), 1, "{checks:#?}");
    checks.into_iter().next().unwrap()
}

#[tokio::test]
async fn a_real_plan_recorded_at_the_head_is_judged_and_a_stale_one_is_not() {
    let (forge, head) = forge(&[("policies/terraform/data.rego", DATA_POLICY)]);
    let mut running = Running::start(forge.clone()).await;
    assert_eq!(
        gate_check(&forge, &head).title,
        "Waiting for bosun-trivy-reports"
    );

    record_plan(running.store.as_ref(), "prd", &head, &real_plan(true));
    let stale: Sha = "1111111111111111111111111111111111111111".parse().unwrap();
    record_plan(running.store.as_ref(), "stg", &stale, &real_plan(true));
    running.deliver(fork_run(&head)).await;

    let check = gate_check(&forge, &head);
    assert_eq!(
        check.status,
        CheckStatus::Completed(CheckConclusion::Failure)
    );
    assert_eq!(check.title, "Blocked: 1 policy denial");
    assert!(
        check.summary.contains("### Policy: plan prd"),
        "{}",
        check.summary
    );
    assert!(
        check
            .summary
            .contains("terraform_data.bucket would be public in prd"),
        "{}",
        check.summary
    );
    assert!(!check.summary.contains("plan stg"), "{}", check.summary);
}

#[tokio::test]
async fn a_private_plan_passes() {
    let (forge, head) = forge(&[("policies/terraform/data.rego", DATA_POLICY)]);
    let mut running = Running::start(forge.clone()).await;
    record_plan(running.store.as_ref(), "prd", &head, &real_plan(false));
    running.deliver(fork_run(&head)).await;
    let check = gate_check(&forge, &head);
    assert_eq!(
        check.status,
        CheckStatus::Completed(CheckConclusion::Success),
        "{check:#?}"
    );
}

#[tokio::test]
async fn a_default_branch_policy_that_does_not_compile_fails_the_gate_naming_it() {
    let (forge, head) = forge(&[(
        "policies/broken.rego",
        "package broken\n\ndeny contains x if {\n",
    )]);
    let mut running = Running::start(forge.clone()).await;
    running.deliver(fork_run(&head)).await;
    let check = gate_check(&forge, &head);
    assert_eq!(
        check.status,
        CheckStatus::Completed(CheckConclusion::Failure)
    );
    assert_eq!(check.title, "Could not judge one input");
    assert!(
        check.summary.contains("policies/broken.rego"),
        "{}",
        check.summary
    );
}
