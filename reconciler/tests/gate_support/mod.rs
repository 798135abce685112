//! Shared helpers of the gate tests: the repository's policies, small plan
//! and manifest inputs, and a fixed day.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use bosun_reconciler::gate::{
    Exceptions, ManifestSet, PlanInput, PolicyReport, PolicySet, PolicySource,
};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// The day every gate test runs on.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

/// `repo-templates/policies/`.
pub fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../repo-templates/policies")
}

/// Every `.rego` file under `repo-templates/policies/`.
pub fn policy_sources() -> Vec<PolicySource> {
    let mut out = Vec::new();
    collect(&policies_dir(), &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(
        out.len() >= 8,
        "expected the repository's policies, found {}",
        out.len()
    );
    out
}

fn collect(dir: &Path, out: &mut Vec<PolicySource>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(PolicySource {
                path: path
                    .strip_prefix(policies_dir())
                    .unwrap()
                    .display()
                    .to_string(),
                rego: std::fs::read_to_string(&path).unwrap(),
            });
        }
    }
}

/// The compiled policies.
pub fn policies() -> PolicySet {
    PolicySet::compile(&policy_sources()).unwrap()
}

/// `repo-templates/policies/exceptions.yaml`.
pub fn repo_exceptions() -> Exceptions {
    Exceptions::parse(&std::fs::read_to_string(policies_dir().join("exceptions.yaml")).unwrap())
        .unwrap()
}

/// The tags every resource must carry.
pub fn good_tags() -> Value {
    json!({
        "createdBy": "terraform", "environment": "prd", "project": "platform",
        "region": "uaenorth", "costCenter": "cc-1234", "owner": "platform-team"
    })
}

/// One `resource_changes[]` entry creating `kind.name` with `after`.
pub fn change(kind: &str, name: &str, after: Value) -> Value {
    json!({
        "address": format!("{kind}.{name}"),
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/azurerm",
        "change": { "actions": ["create"], "before": null, "after": after, "after_unknown": {} }
    })
}

/// A plan (`terraform show -json` shape) holding `changes`.
pub fn plan(changes: Vec<Value>) -> String {
    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {},
        "resource_changes": changes,
        "configuration": {}
    })
    .to_string()
}

/// Evaluate a plan for `env` without exceptions.
pub fn eval_plan(env: &str, plan_json: String) -> PolicyReport {
    policies()
        .evaluate_plan(
            &format!("plan {env}"),
            &PlanInput {
                environment: env.into(),
                json: plan_json,
            },
            &Exceptions::default(),
            today(),
        )
        .unwrap()
}

/// Evaluate YAML manifests for `env` without exceptions.
pub fn eval_yaml(env: &str, yaml: &str) -> PolicyReport {
    let set = ManifestSet::parse("test", env, yaml).unwrap();
    policies()
        .evaluate_manifests(&set, &Exceptions::default(), today())
        .unwrap()
}

/// The policy ids of the report's denials, sorted, with repeats.
pub fn denied(report: &PolicyReport) -> Vec<String> {
    let mut ids: Vec<String> = report.denials.iter().map(|d| d.policy.clone()).collect();
    ids.sort();
    ids
}

/// A Deployment whose single container is `container` (YAML mapping text, indented 8).
pub fn deployment(name: &str, pod_extra: &str, container: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: apps\nspec:\n  template:\n    spec:\n{pod_extra}      containers:\n      - name: app\n{container}"
    )
}

/// A container that every policy accepts.
pub const GOOD_CONTAINER: &str = "        image: crplatformuaenorth.azurecr.io/team/app:1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 256Mi}
";
