//! Which kustomize overlays a change touches. An overlay is a folder under
//! `flux-config/` with a `kustomization.yaml` whose name is an environment
//! (`flux-config/apps/prd`, `flux-config/infrastructure/controllers/dev`);
//! the cluster entry points (`flux-config/clusters/<env>-<region>`) are not
//! overlays. A changed file inside an overlay touches that overlay; any other
//! changed file under `flux-config/<area>/` (a base, a component) touches
//! every overlay of that area.

use bosun_commands::EnvCatalog;

/// The folder every overlay lives under.
pub const FLUX_ROOT: &str = "flux-config";

const KUSTOMIZATIONS: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One overlay and the environment it deploys to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Overlay {
    /// Its folder (`flux-config/apps/prd`).
    pub path: String,
    /// The environment (`prd`).
    pub env: String,
}

/// Every overlay among `paths` (file paths from the repository root).
pub fn overlays(paths: &[String], envs: &EnvCatalog) -> Vec<Overlay> {
    let mut found: Vec<Overlay> = paths
        .iter()
        .filter_map(|path| {
            let (dir, file) = path.rsplit_once('/')?;
            if !KUSTOMIZATIONS.contains(&file) || !dir.starts_with(&format!("{FLUX_ROOT}/")) {
                return None;
            }
            let name = dir.rsplit('/').next()?;
            let env = envs.resolve(name)?;
            (env.as_str() == name).then(|| Overlay {
                path: dir.to_owned(),
                env: env.as_str().to_owned(),
            })
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The overlays among `all` that the changed files touch.
pub fn touched(all: &[Overlay], changed: &[String]) -> Vec<Overlay> {
    let mut out: Vec<Overlay> = Vec::new();
    for path in changed {
        if !path.starts_with(&format!("{FLUX_ROOT}/")) {
            continue;
        }
        let inside: Vec<&Overlay> = all
            .iter()
            .filter(|o| path.starts_with(&format!("{}/", o.path)))
            .collect();
        let hit: Vec<&Overlay> = if inside.is_empty() {
            let area: Vec<&str> = path.splitn(3, '/').take(2).collect();
            let prefix = format!("{}/", area.join("/"));
            all.iter().filter(|o| o.path.starts_with(&prefix)).collect()
        } else {
            inside
        };
        for overlay in hit {
            if !out.contains(overlay) {
                out.push(overlay.clone());
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn overlays_are_env_folders_and_bases_touch_their_area() {
        let tree = paths(&[
            "flux-config/apps/base/vllm/kustomization.yaml",
            "flux-config/apps/dev/kustomization.yaml",
            "flux-config/apps/prd/kustomization.yaml",
            "flux-config/infrastructure/controllers/prd/kustomization.yaml",
            "flux-config/clusters/prd-uaenorth/kustomization.yaml",
            "terraform/envs/prd/kustomization.yaml",
        ]);
        let all = overlays(&tree, &EnvCatalog::default());
        let names: Vec<&str> = all.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(
            names,
            [
                "flux-config/apps/dev",
                "flux-config/apps/prd",
                "flux-config/infrastructure/controllers/prd"
            ]
        );
        let one = touched(
            &all,
            &paths(&["flux-config/apps/prd/patch.yaml", "README.md"]),
        );
        assert_eq!(one.len(), 1);
        assert_eq!(
            (one[0].path.as_str(), one[0].env.as_str()),
            ("flux-config/apps/prd", "prd")
        );
        let base = touched(
            &all,
            &paths(&["flux-config/apps/base/vllm/deployment.yaml"]),
        );
        assert_eq!(base.len(), 2, "{base:?}");
        assert!(touched(&all, &paths(&["terraform/main.tf"])).is_empty());
    }
}
