//! Which environments a change touches, from the paths it changes.
//!
//! A path touches an environment when it lies under `terraform/envs/<env>-*`,
//! `flux-config/clusters/<env>-*`, or any `flux-config/` folder named after
//! the environment (`apps/prd/`, `infrastructure/ingress/prd/`). Paths under
//! `terraform/modules/` or a `base/` folder of `flux-config/` are shared:
//! they touch every environment that uses them.

use bosun_commands::{Env, EnvCatalog};
use std::collections::BTreeMap;

/// The environments a set of changed paths touches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TouchedEnvs {
    /// Each environment with the paths that touch it, in catalog order.
    pub envs: Vec<(Env, Vec<String>)>,
    /// Paths of shared code (modules, bases).
    pub shared: Vec<String>,
}

impl TouchedEnvs {
    /// Whether the change touches no environment and no shared code.
    pub fn is_empty(&self) -> bool {
        self.envs.is_empty() && self.shared.is_empty()
    }
}

/// The environment a folder name stands for: `prd-uaenorth` or `prd`.
fn env_of_dir(dir: &str, catalog: &EnvCatalog) -> Option<Env> {
    catalog.resolve(dir).or_else(|| {
        dir.split_once('-')
            .and_then(|(env, _)| catalog.resolve(env))
    })
}

enum Touch {
    Env(Env),
    Shared,
}

fn classify(path: &str, catalog: &EnvCatalog) -> Option<Touch> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["terraform", "envs", dir, _, ..] => env_of_dir(dir, catalog).map(Touch::Env),
        ["terraform", "modules", _, ..] => Some(Touch::Shared),
        ["flux-config", "clusters", dir, _, ..] => env_of_dir(dir, catalog).map(Touch::Env),
        ["flux-config", folders @ .., _file] => {
            if let Some(env) = folders.iter().find_map(|f| catalog.resolve(f)) {
                Some(Touch::Env(env))
            } else if folders.contains(&"base") {
                Some(Touch::Shared)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Sorts changed paths into the environments they touch.
pub fn touched_envs(paths: &[String], catalog: &EnvCatalog) -> TouchedEnvs {
    let mut by_env: BTreeMap<Env, Vec<String>> = BTreeMap::new();
    let mut shared = Vec::new();
    for path in paths {
        match classify(path, catalog) {
            Some(Touch::Env(env)) => by_env.entry(env).or_default().push(path.clone()),
            Some(Touch::Shared) => shared.push(path.clone()),
            None => {}
        }
    }
    let envs = catalog
        .envs()
        .filter_map(|env| by_env.remove(env).map(|paths| (env.clone(), paths)))
        .collect();
    TouchedEnvs { envs, shared }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| (*p).to_owned()).collect()
    }

    fn names(touched: &TouchedEnvs) -> Vec<&str> {
        touched.envs.iter().map(|(env, _)| env.as_str()).collect()
    }

    #[test]
    fn cluster_and_terraform_roots_name_their_environment() {
        let touched = touched_envs(
            &paths(&[
                "flux-config/clusters/prd-uaenorth/apps.yaml",
                "terraform/envs/dev-uaenorth/main.tf",
                "terraform/envs/dev-uaenorth/variables.tf",
                "README.md",
            ]),
            &EnvCatalog::default(),
        );
        assert_eq!(names(&touched), ["dev", "prd"]);
        assert_eq!(touched.envs[0].1.len(), 2);
        assert!(touched.shared.is_empty());
    }

    #[test]
    fn overlays_named_after_an_environment_touch_it() {
        let touched = touched_envs(
            &paths(&[
                "flux-config/apps/stg/kustomization.yaml",
                "flux-config/infrastructure/ingress-nginx/ops/release.yaml",
            ]),
            &EnvCatalog::default(),
        );
        assert_eq!(names(&touched), ["stg", "ops"]);
    }

    #[test]
    fn modules_and_bases_are_shared() {
        let touched = touched_envs(
            &paths(&[
                "terraform/modules/aks/main.tf",
                "flux-config/apps/base/vllm/deployment.yaml",
            ]),
            &EnvCatalog::default(),
        );
        assert!(touched.envs.is_empty());
        assert_eq!(touched.shared.len(), 2);
    }

    #[test]
    fn unrelated_paths_touch_nothing() {
        let touched = touched_envs(
            &paths(&[
                "src/main.rs",
                "terraform/envs/qa-uaenorth/main.tf",
                "flux-config/README.md",
            ]),
            &EnvCatalog::default(),
        );
        assert!(touched.is_empty());
    }
}
