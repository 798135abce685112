//! The manifest policies over this repository's own rendered overlays
//! (`kubectl kustomize`), with the repository's exceptions: they must pass.

mod gate_support;

use std::path::Path;
use std::process::Command;

use bosun_reconciler::gate::ManifestSet;
use gate_support::*;

fn render(dir: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(root.join(dir))
        .output()
        .expect("kubectl is installed");
    assert!(
        out.status.success(),
        "kubectl kustomize {dir}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn assert_overlay_passes(dir: &str, env: &str) {
    let set = ManifestSet::parse(dir, env, &render(dir)).unwrap();
    assert!(!set.manifests.is_empty(), "{dir} rendered nothing");
    let report = policies()
        .evaluate_manifests(&set, &repo_exceptions(), today())
        .unwrap();
    assert!(report.denials.is_empty(), "{dir}: {:#?}", report.denials);
}

#[test]
fn app_overlays_pass_every_policy() {
    for env in ["dev", "stg", "prd", "ops"] {
        assert_overlay_passes(&format!("flux-config/apps/{env}"), env);
    }
}

#[test]
fn controller_overlays_pass_every_policy() {
    for env in ["dev", "stg", "prd", "ops"] {
        assert_overlay_passes(
            &format!("flux-config/infrastructure/controllers/{env}"),
            env,
        );
    }
}

#[test]
fn prd_apps_are_really_judged_public_ingress_needs_its_annotation() {
    let dir = "flux-config/apps/prd";
    let rendered = render(dir).replace(
        "bosun.io/public-ingress: intended",
        "bosun.io/public-ingress: maybe",
    );
    let set = ManifestSet::parse(dir, "prd", &rendered).unwrap();
    let report = policies()
        .evaluate_manifests(&set, &repo_exceptions(), today())
        .unwrap();
    assert_eq!(denied(&report), ["prd.no-public-ingress"]);
    assert_eq!(
        report.denials[0].resource,
        "Ingress/model-serving/vllm-public"
    );
}
