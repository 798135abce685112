//! Policy exceptions: a live one excuses a denial, an expired one does not and is reported.

mod gate_support;

use bosun_reconciler::gate::{Exceptions, ManifestSet};
use chrono::NaiveDate;
use gate_support::*;

fn gpu_driver_daemonset() -> String {
    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: nvidia-driver\n  namespace: gpu-operator\nspec:\n  template:\n    spec:\n      tolerations:\n      - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}\n      containers:\n      - name: driver\n        image: crplatformuaenorth.azurecr.io/nvidia/driver:550.90.07\n        securityContext: {privileged: true}\n        resources:\n          requests: {cpu: 100m, memory: 128Mi, nvidia.com/gpu: 0}\n          limits: {cpu: 500m, memory: 512Mi}\n".to_owned()
}

#[test]
fn live_exception_excuses_the_gpu_operator_and_names_its_owner() {
    let set = ManifestSet::parse("controllers/prd", "dev", &gpu_driver_daemonset()).unwrap();
    let report = policies()
        .evaluate_manifests(&set, &repo_exceptions(), today())
        .unwrap();
    assert!(report.denials.is_empty(), "{:?}", report.denials);
    assert_eq!(report.excepted.len(), 1);
    assert_eq!(report.excepted[0].0.policy, "k8s.no-privileged");
    assert_eq!(report.excepted[0].1.owner, "platform-team");
}

#[test]
fn expired_exception_no_longer_excuses_and_is_reported_on_the_denial() {
    let set = ManifestSet::parse("controllers/prd", "dev", &gpu_driver_daemonset()).unwrap();
    let later = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let report = policies()
        .evaluate_manifests(&set, &repo_exceptions(), later)
        .unwrap();
    assert_eq!(denied(&report), ["k8s.no-privileged"]);
    let expired = report.denials[0]
        .expired_exception
        .as_ref()
        .expect("expired exception kept");
    assert_eq!(expired.expires, later);
}

#[test]
fn exception_for_another_resource_excuses_nothing() {
    let yaml = gpu_driver_daemonset().replace("namespace: gpu-operator", "namespace: apps");
    let set = ManifestSet::parse("x", "dev", &yaml).unwrap();
    let report = policies()
        .evaluate_manifests(&set, &repo_exceptions(), today())
        .unwrap();
    assert_eq!(denied(&report), ["k8s.no-privileged"]);
    assert!(report.denials[0].expired_exception.is_none());
}

#[test]
fn exception_without_owner_is_rejected() {
    let err = Exceptions::parse("exceptions:\n- {policy: a, resource: b, expires: 2027-01-01}\n")
        .unwrap_err();
    assert_eq!(err.metric_label(), "policy_exceptions");
    assert!(err.to_string().contains("owner"), "{err}");
}

#[test]
fn broken_rego_names_the_file() {
    let err = bosun_reconciler::gate::PolicySet::compile(&[bosun_reconciler::gate::PolicySource {
        path: "policies/broken.rego".into(),
        rego: "package main\ndeny contains msg if {".into(),
    }])
    .unwrap_err();
    assert!(err.to_string().contains("policies/broken.rego"), "{err}");
}

#[test]
fn conftest_style_string_results_and_violation_rules_are_read() {
    let set = bosun_reconciler::gate::PolicySet::compile(&[bosun_reconciler::gate::PolicySource {
        path: "main.rego".into(),
        rego: "package main\nimport rego.v1\ndeny contains \"always\" if true\nviolation contains {\"msg\": \"v\"} if true\nwarn contains \"w\" if input.kind == \"Pod\"\n".into(),
    }])
    .unwrap();
    let manifests = ManifestSet::parse("src", "dev", "kind: Pod\nmetadata: {name: p}\n").unwrap();
    let report = set
        .evaluate_manifests(&manifests, &Exceptions::default(), today())
        .unwrap();
    assert_eq!(denied(&report), ["main.deny", "main.violation"]);
    assert_eq!(report.warnings[0].message, "w");
    assert_eq!(report.denials[0].resource, "Pod/p");
}
