//! Gate evaluation over a 1,000-resource terraform plan and 500 rendered
//! manifests with every policy in repo-templates/policies, plus a Trivy
//! report, the verdict and the summary. Prints the median of several runs.
//!
//! Run: `cargo bench -p bosun-reconciler --bench gate`.
#![allow(missing_docs)]

use std::path::Path;
use std::time::Instant;

use bosun_reconciler::config::GateSettings;
use bosun_reconciler::gate::{
    Exceptions, GateInputs, GateThresholds, IgnoreList, ManifestSet, PlanInput, PolicyRun,
    PolicySet, PolicySource, TrivyUpload, decide, parse_report, render,
};
use bosun_reconciler::gating::evaluate::{GateMaterial, RenderedOverlay, evaluate};
use bosun_reconciler::gating::outcome::outcome;
use chrono::NaiveDate;
use serde_json::json;

const RUNS: usize = 7;
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn sources(dir: &Path, out: &mut Vec<PolicySource>) {
    for entry in std::fs::read_dir(dir).expect("policies dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(PolicySource {
                path: path.display().to_string(),
                rego: std::fs::read_to_string(&path).expect("rego"),
            });
        }
    }
}

fn plan() -> String {
    let kinds = [
        "azurerm_storage_account",
        "azurerm_managed_disk",
        "azurerm_resource_group",
        "azurerm_key_vault_key",
    ];
    let changes: Vec<_> = (0..1_000)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            json!({
                "address": format!("module.m{}.{kind}.r{i}", i / 50), "module_address": format!("module.m{}", i / 50),
                "mode": "managed", "type": kind, "name": format!("r{i}"),
                "change": { "actions": ["create"], "before": null, "after_unknown": { "id": true },
                    "after": { "name": format!("r{i}"), "location": "uaenorth", "key_type": "RSA-HSM",
                        "disk_encryption_set_id": if i % 7 == 0 { json!(null) } else { json!("/des") },
                        "customer_managed_key": [{ "key_vault_key_id": "k" }],
                        "public_network_access_enabled": false,
                        "tags": { "createdBy": "tf", "environment": "prd", "project": "p", "region": "uaenorth",
                            "costCenter": "cc", "owner": if i % 10 == 0 { "" } else { "team" } } } }
            })
        })
        .collect();
    json!({ "format_version": "1.2", "resource_changes": changes }).to_string()
}

fn manifests() -> String {
    (0..500)
        .map(|i| match i % 5 {
            0 => format!("apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: apps}}\nspec: {{type: ClusterIP}}\n"),
            1 => format!("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: i{i}, namespace: apps}}\nspec: {{ingressClassName: nginx-internal}}\n"),
            _ => format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: apps}}\nspec:\n  template:\n    spec:\n      tolerations: [{{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}}]\n      containers:\n      - name: app\n        image: crplatformuaenorth.azurecr.io/team/app:1.{i}.0\n        resources: {{requests: {{cpu: 100m, memory: 1Gi}}, limits: {{cpu: 1, memory: 1Gi, nvidia.com/gpu: 1}}}}\n      - name: sidecar\n        image: docker.io/envoy:latest\n        securityContext: {{privileged: {}}}\n",
                i % 3 == 0
            ),
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../repo-templates/policies");
    let mut rego = Vec::new();
    sources(&root, &mut rego);
    let trivy = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trivy/image-alpine-39.json"),
    )
    .expect("fixture");
    let (plan_json, yaml) = (plan(), manifests());
    let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    let mut times = Vec::new();
    let mut summary_len = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let policies = PolicySet::compile(&rego).expect("policies compile");
        let exceptions = Exceptions::default();
        let plan_report = policies
            .evaluate_plan(
                "plan prd",
                &PlanInput {
                    environment: "prd".into(),
                    json: plan_json.clone(),
                },
                &exceptions,
                today,
            )
            .expect("plan");
        let set = ManifestSet::parse("apps/prd", "prd", &yaml).expect("yaml");
        assert_eq!(set.manifests.len(), 500);
        let manifest_report = policies
            .evaluate_manifests(&set, &exceptions, today)
            .expect("manifests");
        let inputs = GateInputs {
            head_sha: SHA.parse().expect("sha"),
            expected: vec![],
            trivy: vec![TrivyUpload {
                name: "trivy.json".into(),
                sha: SHA.parse().expect("sha"),
                report: parse_report("trivy.json", &trivy).expect("trivy"),
            }],
            policy: vec![
                PolicyRun {
                    name: "plan prd".into(),
                    report: plan_report,
                },
                PolicyRun {
                    name: "apps/prd".into(),
                    report: manifest_report,
                },
            ],
            ignores: IgnoreList::parse_text("CVE-2019-1549 exp:2027-01-01\n").expect("ignore"),
        };
        let verdict = decide(&inputs, &GateThresholds::default(), today);
        summary_len = render(&verdict).text.len();
        times.push(start.elapsed());
        assert!(
            verdict.policy.denials.len() > 500,
            "the generated inputs do violate policies"
        );
    }
    report("gate core", &mut times, summary_len);

    // The same inputs through the wired path the `bosun/gate` reconcile and
    // `bosun gate` use: raw bytes in, check summary out.
    let material = GateMaterial {
        head_sha: SHA.parse().expect("sha"),
        reports: vec![("trivy.json".into(), Ok(trivy.clone()))],
        ignore_text: Some("CVE-2019-1549 exp:2027-01-01\n".into()),
        ignore_yaml: None,
        policies: rego.clone(),
        exceptions: None,
        plans: vec![PlanInput {
            environment: "prd".into(),
            json: plan_json.clone(),
        }],
        manifests: vec![RenderedOverlay {
            overlay: "apps/prd".into(),
            env: "prd".into(),
            yaml: Ok(yaml.clone()),
        }],
        notes: Vec::new(),
        wait_for_reports: true,
    };
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let evaluation = evaluate(&material, &GateSettings::default(), today);
        summary_len = outcome(&evaluation, None).summary.text.len();
        times.push(start.elapsed());
        assert!(evaluation.problems.is_empty(), "{:?}", evaluation.problems);
        assert!(evaluation.verdict.policy.denials.len() > 500);
    }
    report(
        "gate wired (gating::evaluate + outcome)",
        &mut times,
        summary_len,
    );
}

fn report(what: &str, times: &mut [std::time::Duration], summary_len: usize) {
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "{what}: 1000-resource plan + 500 manifests, all policies: median {:.1} ms over {RUNS} runs (min {:.1} ms, max {:.1} ms; summary {summary_len} bytes)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
}
