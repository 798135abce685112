//! The check's title and Markdown summary (insta snapshots).

mod gate_support;

use bosun_reconciler::gate::summary::{FOLD_ROWS, render_with_limit};
use bosun_reconciler::gate::{
    GateInputs, GateThresholds, IgnoreList, ManifestSet, PlanInput, PolicyRun, TrivyUpload, decide,
    parse_report, render,
};
use gate_support::*;
use serde_json::json;

const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";

fn upload(name: &str, bytes: &[u8]) -> TrivyUpload {
    TrivyUpload {
        name: name.into(),
        sha: HEAD.parse().unwrap(),
        report: parse_report(name, bytes).unwrap(),
    }
}

fn failing_inputs() -> GateInputs {
    let plan_json = plan(vec![change(
        "azurerm_public_ip",
        "ingress",
        json!({ "tags": good_tags() }),
    )]);
    let plan_report = policies()
        .evaluate_plan(
            "plan prd",
            &PlanInput {
                environment: "prd".into(),
                json: plan_json,
            },
            &repo_exceptions(),
            today(),
        )
        .unwrap();
    let yaml = format!(
        "{}---\n{}",
        deployment(
            "web",
            "",
            &GOOD_CONTAINER.replace(
                "@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                ""
            )
        ),
        "kind: DaemonSet\nmetadata: {name: nvidia-driver, namespace: gpu-operator}\nspec:\n  template:\n    spec:\n      containers:\n      - name: driver\n        image: crplatformuaenorth.azurecr.io/nvidia/driver:550@sha256:00\n        securityContext: {privileged: true}\n        resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}\n"
    );
    let set = ManifestSet::parse("flux-config/apps/prd", "prd", &yaml).unwrap();
    let manifests = policies()
        .evaluate_manifests(&set, &repo_exceptions(), today())
        .unwrap();
    GateInputs {
        head_sha: HEAD.parse().unwrap(),
        expected: vec![
            "trivy-image.json".into(),
            "plan prd".into(),
            "flux-config/apps/prd".into(),
        ],
        trivy: vec![upload(
            "trivy-image.json",
            include_bytes!("fixtures/trivy/image-alpine-39.json"),
        )],
        policy: vec![
            PolicyRun {
                name: "plan prd".into(),
                report: plan_report,
            },
            PolicyRun {
                name: "flux-config/apps/prd".into(),
                report: manifests,
            },
        ],
        ignores: IgnoreList::parse_text(
            "CVE-2019-14697 exp:2026-02-01\nCVE-2019-1549 exp:2026-06-30\n",
        )
        .unwrap(),
    }
}

#[test]
fn failure_shows_a_table_per_source_warnings_and_suppressed_findings_with_expiry() {
    let v = decide(&failing_inputs(), &GateThresholds::default(), today());
    let s = render(&v);
    assert_eq!(
        s.title,
        "Blocked: 2 blocking scan findings, 1 policy denial"
    );
    insta::assert_snapshot!(s.text);
}

#[test]
fn pending_names_what_it_waits_for() {
    let mut i = failing_inputs();
    i.trivy.clear();
    i.policy.clear();
    let s = render(&decide(&i, &GateThresholds::default(), today()));
    assert_eq!(
        s.title,
        "Waiting for trivy-image.json, plan prd, flux-config/apps/prd"
    );
    insta::assert_snapshot!(s.text);
}

#[test]
fn success_title_counts_warnings() {
    let mut i = failing_inputs();
    i.trivy = vec![upload(
        "trivy-image.json",
        include_bytes!("fixtures/trivy/image-alpine-39-skip.no-results.json"),
    )];
    i.policy[0].report.denials.clear();
    let s = render(&decide(&i, &GateThresholds::default(), today()));
    assert_eq!(s.title, "Scans and policies allow this change (1 warning)");
    assert!(s.text.contains("### Suppressed"), "{}", s.text);
}

#[test]
fn long_tables_fold_into_details() {
    let mut i = failing_inputs();
    let denial = i.policy[0].report.denials[0].clone();
    i.policy[0].report.denials = vec![denial; FOLD_ROWS + 1];
    let text = render(&decide(&i, &GateThresholds::default(), today())).text;
    assert!(
        text.contains(&format!(
            "<details><summary>{} denials</summary>",
            FOLD_ROWS + 1
        )),
        "{text}"
    );
}

#[test]
fn summary_over_the_limit_is_cut_with_details_closed_and_a_note() {
    let mut i = failing_inputs();
    let denial = i.policy[0].report.denials[0].clone();
    i.policy[0].report.denials = vec![denial; 2_000];
    let v = decide(&i, &GateThresholds::default(), today());
    assert!(render(&v).text.chars().count() <= 65_535);
    let cut = render_with_limit(&v, 2_000).text;
    assert!(cut.chars().count() <= 2_000, "{}", cut.chars().count());
    assert!(cut.contains("characters were cut"), "{cut}");
    assert_eq!(
        cut.matches("<details>").count(),
        cut.matches("</details>").count()
    );
}
