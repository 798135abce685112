//! Promotion over a generated tree of 1,000 apps x 3 environments: times
//! extract(from) + extract(to) + plan + apply (which reads the edited texts
//! back), and prints the median in milliseconds.
//!
//! `cargo bench -p bosun-reconciler --bench promote`

use std::hint::black_box;
use std::time::Instant;

use bosun_reconciler::promote;

const APPS: usize = 1_000;
const RUNS: usize = 15;

/// One environment's overlay: a kustomization with an image per app, a
/// versions file with a HelmRelease per app and an OCIRepository per ten
/// apps, and a settings file that promotion never reads a version from.
fn env(name: &str, generation: usize) -> Vec<(String, String)> {
    let mut kustomization = format!(
        "---\n# {name}: generated\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\nimages:\n"
    );
    let mut versions = format!("# Versions of {name}.\n");
    let mut settings = String::new();
    for app in 0..APPS {
        // Every third app differs between consecutive environments.
        let minor = if app % 3 == 0 { generation } else { 0 };
        kustomization.push_str(&format!(
            "  - name: cr.example.io/team{}/app-{app}\n    newTag: v1.{minor}.{app}\n    digest: sha256:{:064x}\n",
            app % 7,
            app * 31 + minor
        ));
        versions.push_str(&format!(
            "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: release-{app}\n  namespace: ns-{}\nspec:\n  chart:\n    spec:\n      version: 2.{minor}.{app}\n",
            app % 50
        ));
        if app % 10 == 0 {
            versions.push_str(&format!(
                "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: oci-{app}\n  namespace: ns-{}\nspec:\n  ref:\n    tag: 0.{minor}.{app}\n",
                app % 50
            ));
        }
        settings.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{app}\n  namespace: ns-{}\nspec:\n  replicas: {}\n  template:\n    spec:\n      containers:\n        - name: app\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n",
            app % 50,
            generation + 1
        ));
    }
    kustomization.push_str("patches:\n  - path: versions.yaml\n  - path: settings.yaml\n");
    vec![
        (format!("apps/{name}/kustomization.yaml"), kustomization),
        (format!("apps/{name}/versions.yaml"), versions),
        (format!("apps/{name}/settings.yaml"), settings),
    ]
}

fn main() {
    let envs = [env("dev", 2), env("stg", 1), env("prd", 0)];
    let bytes: usize = envs.iter().flatten().map(|(_, t)| t.len()).sum();
    let mut times = Vec::with_capacity(RUNS);
    let mut moved = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        // stg -> prd, with the prd paths standing for the target overlay.
        let from = promote::extract(&envs[1]).expect("stg");
        let to = promote::extract(&envs[2]).expect("prd");
        let plan = promote::plan(&from, &to, &[]).expect("plan");
        let edited = promote::apply_changes(&envs[2], &to, &plan).expect("apply");
        times.push(start.elapsed());
        moved = plan.changes.len();
        black_box(edited);
    }
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "promote stg->prd over {APPS} apps x 3 envs ({} KiB of overlay text): {moved} versions moved; median {:.2} ms (min {:.2} ms, max {:.2} ms, {RUNS} runs)",
        bytes / 1024,
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
    );
}
