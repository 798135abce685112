//! The merge gate end to end: signed webhooks through the real router and
//! engine, against the GitHub fake holding this project's `flux-config/`
//! and `repo-templates/policies/` as real git objects. A `workflow_run`
//! `completed` makes bosun list the run's artifacts, download the Trivy
//! archive (a real zip of upstream Trivy reports, through GitHub's 302 to a
//! blob URL), render the touched overlays with the real `kubectl kustomize`,
//! evaluate the default branch's Rego policies, and set `bosun/gate`.

mod support;

use bosun_reconciler::testkit::{workspace_root, workspace_tree};
use serde_json::{Value, json};
use std::io::Write;
use support::github::{BOT_LOGIN, FakePr, GitHubFake};
use support::harness::{Harness, payload};
use support::tree::seed_owned;

const REPO: &str = "octo-org/octo-repo";
const RUN_ID: u64 = 289_782_451;
const CHECK: &str = "bosun/gate";
const ARTIFACT: &str = "bosun-trivy-reports";

/// The policies, as a managed repository has them: `policies/` at its root.
fn policies() -> Vec<(String, String)> {
    workspace_tree("repo-templates/policies")
        .into_iter()
        .map(|(p, t)| (p.replacen("repo-templates/", "", 1), t))
        .collect()
}

/// An upstream Trivy report (`reconciler/tests/fixtures/trivy/`).
fn trivy(name: &str) -> Vec<u8> {
    std::fs::read(
        workspace_root()
            .join("reconciler/tests/fixtures/trivy")
            .join(name),
    )
    .unwrap()
}

/// A zip archive as `actions/upload-artifact` makes it: the files at its root.
fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn seed(github: &GitHubFake, files: &[(String, String)], branch: &str, message: &str) -> String {
    seed_owned(github, REPO, branch, files, message)
}

/// A repository with flux-config, the policies and `.bosun.yaml` on main,
/// and pull request #1 from `feature` with `changes`.
async fn world(bosun_yaml: &str, changes: &[(&str, &str)]) -> (Harness, String) {
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    let mut main = workspace_tree("flux-config");
    main.extend(policies());
    main.push((".bosun.yaml".to_owned(), bosun_yaml.to_owned()));
    seed(&github, &main, "main", "flux-config and policies");
    let owned: Vec<(String, String)> = changes
        .iter()
        .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
        .collect();
    let head = seed(&github, &owned, "feature", "the change");
    let paths: Vec<&str> = changes.iter().map(|(p, _)| *p).collect();
    github.add_pr(REPO, FakePr::new("feature").files(&paths));
    let h = Harness::new(github).await;
    h.start();
    h.settle().await;
    (h, head)
}

fn workflow_run(head: &str) -> Vec<u8> {
    let mut json: Value =
        serde_json::from_slice(&payload("workflow_run.completed.with-pull-requests")).unwrap();
    json["workflow_run"]["head_sha"] = json!(head);
    json["workflow_run"]["name"] = json!("trivy");
    json["workflow_run"]["pull_requests"][0]["number"] = json!(1);
    serde_json::to_vec(&json).unwrap()
}

fn push_to_main(after: &str) -> Vec<u8> {
    let mut json: Value = serde_json::from_slice(&payload("push")).unwrap();
    json["ref"] = json!("refs/heads/main");
    json["after"] = json!(after);
    json["repository"]["full_name"] = json!(REPO);
    json["repository"]["name"] = json!("octo-repo");
    json["repository"]["owner"]["login"] = json!("octo-org");
    json["repository"]["owner"]["name"] = json!("octo-org");
    serde_json::to_vec(&json).unwrap()
}

/// Delivers the `workflow_run` `completed` of `head` as `delivery`, and
/// waits for bosun.
async fn run_completed(h: &Harness, delivery: &str, head: &str) {
    assert_eq!(
        h.deliver("workflow_run", delivery, workflow_run(head))
            .await,
        202
    );
    h.settle().await;
}

fn gate(h: &Harness, head: &str) -> support::github::FakeCheckRun {
    let runs: Vec<_> = h
        .github
        .check_runs(REPO, head)
        .into_iter()
        .filter(|r| r.name == CHECK)
        .collect();
    assert_eq!(runs.len(), 1, "one {CHECK} check run: {runs:#?}");
    runs.into_iter().next().unwrap()
}

fn gate_comment(h: &Harness) -> String {
    h.github
        .comments(REPO, 1)
        .into_iter()
        .find(|c| c.author == BOT_LOGIN && c.body.contains("<!-- bosun:gate:pr -->"))
        .map(|c| c.body)
        .unwrap_or_default()
}

fn public_ingress_edit() -> String {
    std::fs::read_to_string(workspace_root().join("flux-config/apps/prd/vllm-public-ingress.yaml"))
        .unwrap()
        .replace(
            "bosun.io/public-ingress: \"intended\"",
            "bosun.io/public-ingress: \"maybe\"",
        )
}

const PUBLIC_INGRESS: &str = "flux-config/apps/prd/vllm-public-ingress.yaml";

#[tokio::test]
async fn a_completed_trivy_run_fails_the_gate_with_scan_and_policy_tables() {
    let edit = public_ingress_edit();
    let changes = [
        (PUBLIC_INGRESS, edit.as_str()),
        (
            ".trivyignore",
            "# musl: patched in our base image\nCVE-2019-14697 exp:2020-01-01\n",
        ),
    ];
    let (h, head) = world("gate:\n  timeout: 1h\n", &changes).await;

    // Before the scan: the policy denial already fails the gate (failure wins over waiting).
    let early = gate(&h, &head);
    assert_eq!(early.conclusion.as_deref(), Some("failure"));
    assert_eq!(early.title.as_deref(), Some("Blocked: 1 policy denial"));
    let early_summary = early.summary.unwrap_or_default();
    assert!(
        early_summary.contains("Still waiting for: bosun-trivy-reports."),
        "{early_summary}"
    );

    let archive = zip_of(&[
        ("trivy-image.json", trivy("image-alpine-39.json")),
        (
            "trivy-config-flux-config.json",
            trivy("image-alpine-39-skip.no-results.json"),
        ),
    ]);
    h.github.add_artifact(
        REPO,
        RUN_ID,
        "coverage",
        zip_of(&[("lcov.json", b"{}".to_vec())]),
    );
    h.github.add_artifact(REPO, RUN_ID, ARTIFACT, archive);
    run_completed(&h, "wr-1", &head).await;

    let done = gate(&h, &head);
    assert_eq!(done.status, "completed");
    assert_eq!(done.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        done.title.as_deref(),
        Some("Blocked: 2 blocking scan findings, 1 policy denial")
    );
    let summary = done
        .summary
        .unwrap_or_default()
        .replace(&head[..7], "<head>");
    insta::assert_snapshot!("gate_failure_summary", summary);
    let comment = gate_comment(&h);
    assert!(comment.contains("❌ bosun/gate: Blocked"), "{comment}");
    assert!(comment.contains("expired 2020-01-01"), "{comment}");

    // Only the Trivy archive was fetched, once, through the redirect to the blob URL.
    let fetched = |prefix: &str| -> Vec<u16> {
        h.github
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET" && r.path.starts_with(prefix))
            .map(|r| r.status)
            .collect()
    };
    let zip_path = format!("/repos/{REPO}/actions/artifacts/");
    assert_eq!(fetched(&zip_path), [302]);
    assert_eq!(fetched("/_blobs/artifacts/"), [200]);

    // A redelivery under a new id (GitHub re-sends on a re-run) downloads nothing again.
    run_completed(&h, "wr-2", &head).await;
    assert_eq!(fetched("/_blobs/artifacts/"), [200]);
    assert_eq!(gate(&h, &head).conclusion.as_deref(), Some("failure"));
    h.github.assert_no_unexpected_requests();
}

#[tokio::test]
async fn live_ignores_and_thresholds_let_a_clean_change_pass() {
    let changes = [
        ("README.md", "docs\n"),
        (".trivyignore", "CVE-2019-14697 exp:2999-01-01\n"),
    ];
    let (h, head) = world("gate:\n  fail_on: [CRITICAL, HIGH]\n", &changes).await;
    let archive = zip_of(&[("trivy-image.json", trivy("image-alpine-39.json"))]);
    h.github.add_artifact(REPO, RUN_ID, ARTIFACT, archive);
    run_completed(&h, "wr-1", &head).await;
    let done = gate(&h, &head);
    assert_eq!(done.conclusion.as_deref(), Some("success"), "{done:#?}");
    let summary = done.summary.unwrap_or_default();
    assert!(summary.contains("### Suppressed"), "{summary}");
    assert!(summary.contains("2999-01-01"), "{summary}");
}

#[tokio::test]
async fn a_pull_request_editing_a_policy_is_judged_by_the_default_branch() {
    let edit = public_ingress_edit();
    let permissive = "package kubernetes.public_ingress\n\nimport rego.v1\n\ndeny := set()\n";
    let changes = [
        (PUBLIC_INGRESS, edit.as_str()),
        ("policies/kubernetes/public_ingress.rego", permissive),
    ];
    let (h, head) = world("gate: {}\n", &changes).await;
    let archive = zip_of(&[(
        "trivy-image.json",
        trivy("image-alpine-39-skip.no-results.json"),
    )]);
    h.github.add_artifact(REPO, RUN_ID, ARTIFACT, archive);
    run_completed(&h, "wr-1", &head).await;
    let done = gate(&h, &head);
    assert_eq!(done.conclusion.as_deref(), Some("failure"), "{done:#?}");
    assert_eq!(done.title.as_deref(), Some("Blocked: 1 policy denial"));
    let summary = done.summary.unwrap_or_default();
    assert!(summary.contains("changes `policies/`"), "{summary}");
    assert!(summary.contains("prd.no-public-ingress"), "{summary}");
    assert!(
        summary.contains("Ingress/model-serving/vllm-public"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_pending_gate_times_out_naming_what_is_missing() {
    let (h, head) = world("gate:\n  timeout: 1h\n", &[("README.md", "docs\n")]).await;
    let pending = gate(&h, &head);
    assert_eq!(pending.status, "in_progress");
    assert_eq!(
        pending.title.as_deref(),
        Some("Waiting for bosun-trivy-reports")
    );

    // The default branch shortens the timeout; the push re-evaluates open pull requests.
    h.github
        .set_file(REPO, ".bosun.yaml", "gate:\n  timeout: 0s\n");
    let tip = h.github.branch_tip(REPO, "main").unwrap();
    assert_eq!(h.deliver("push", "push-1", push_to_main(&tip)).await, 202);
    h.settle().await;

    let timed_out = gate(&h, &head);
    assert_eq!(timed_out.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        timed_out.title.as_deref(),
        Some("Timed out after 0s waiting for bosun-trivy-reports")
    );
    assert!(gate_comment(&h).contains("Timed out"));
}

#[tokio::test]
async fn a_pending_gate_fails_at_its_deadline_without_any_new_event() {
    let (h, head) = world("gate:\n  timeout: 2s\n", &[("README.md", "docs\n")]).await;
    assert_eq!(gate(&h, &head).status, "in_progress");
    // No webhook, no push: the engine looks again at the deadline by itself
    // (the harness's resync is far away).
    let engine = &h.bosun().engine;
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        engine.revisit_enqueued(),
    )
    .await
    .expect("the engine revisited the pull request at the gate's deadline");
    h.settle().await;
    let timed_out = gate(&h, &head);
    assert_eq!(timed_out.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        timed_out.title.as_deref(),
        Some("Timed out after 2s waiting for bosun-trivy-reports")
    );
}

#[tokio::test]
async fn an_archive_that_is_not_a_zip_fails_the_gate_with_a_clear_reason() {
    let (h, head) = world("gate: {}\n", &[("README.md", "docs\n")]).await;
    h.github
        .add_artifact(REPO, RUN_ID, ARTIFACT, b"not a zip".to_vec());
    run_completed(&h, "wr-1", &head).await;
    let done = gate(&h, &head);
    assert_eq!(done.conclusion.as_deref(), Some("failure"));
    assert_eq!(done.title.as_deref(), Some("Could not judge one input"));
    assert!(
        done.summary
            .unwrap_or_default()
            .contains("not a zip archive"),
        "the reason is given"
    );
}

fn synchronize(head: &str) -> Vec<u8> {
    let mut json: Value = serde_json::from_slice(&payload("pull_request.synchronize")).unwrap();
    json["number"] = json!(1);
    json["pull_request"]["number"] = json!(1);
    json["pull_request"]["head"]["sha"] = json!(head);
    json["repository"]["full_name"] = json!(REPO);
    json["repository"]["name"] = json!("octo-repo");
    json["repository"]["owner"]["login"] = json!("octo-org");
    serde_json::to_vec(&json).unwrap()
}

#[tokio::test]
async fn a_new_push_is_judged_on_its_own_head_with_its_own_reports() {
    let changes = [(".trivyignore", "CVE-2019-14697 exp:2020-01-01\n")];
    let (h, first) = world("gate: {}\n", &changes).await;
    let archive = || zip_of(&[("trivy-image.json", trivy("image-alpine-39.json"))]);
    h.github.add_artifact(REPO, RUN_ID, ARTIFACT, archive());
    run_completed(&h, "wr-1", &first).await;
    assert_eq!(gate(&h, &first).conclusion.as_deref(), Some("failure"));

    // The author renews the ignore entry; the new head waits for its own scan.
    let second = h.github.seed_files(
        REPO,
        "feature",
        &[(".trivyignore", "CVE-2019-14697 exp:2999-01-01\n")],
        "renew the ignore entry",
    );
    assert_eq!(
        h.deliver("pull_request", "sync-1", synchronize(&second))
            .await,
        202
    );
    h.settle().await;
    let waiting = gate(&h, &second);
    assert_eq!(waiting.status, "in_progress");
    assert_eq!(
        waiting.title.as_deref(),
        Some("Waiting for bosun-trivy-reports")
    );
    assert_eq!(gate(&h, &first).conclusion.as_deref(), Some("failure"));

    h.github.add_artifact(REPO, RUN_ID + 1, ARTIFACT, archive());
    let mut run: Value = serde_json::from_slice(&workflow_run(&second)).unwrap();
    run["workflow_run"]["id"] = json!(RUN_ID + 1);
    assert_eq!(
        h.deliver("workflow_run", "wr-2", serde_json::to_vec(&run).unwrap())
            .await,
        202
    );
    h.settle().await;
    assert_eq!(gate(&h, &second).conclusion.as_deref(), Some("success"));
    assert!(
        gate_comment(&h).contains("✅ bosun/gate"),
        "{}",
        gate_comment(&h)
    );
}
