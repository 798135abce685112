//! Which environment roots a change affects: each root under
//! `terraform/envs/*` with the local modules it calls, followed transitively.
//!
//! A `module` block whose `source` is a local path (`./x` or `../x`,
//! resolved against the calling directory) is followed; registry, git and
//! other remote sources are not, since a change to them is not in the
//! repository. The configuration is read with `hcl-rs`, so comments, heredocs
//! and strings that merely look like a `source` line are not mistaken for one.

use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// The directory holding one directory per environment root.
pub const ENVS_DIR: &str = "terraform/envs";

/// A `.tf` file that could not be read as HCL.
#[derive(Debug, Error)]
#[error("{path} is not valid HCL: {message}")]
pub struct ModulesError {
    /// The file's path in the repository.
    pub path: String,
    /// What the parser said.
    pub message: String,
}

/// The environment roots of a repository and the local modules each uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerraformTree {
    /// Root directory → every local module directory it uses, transitively.
    roots: BTreeMap<String, BTreeSet<String>>,
}

impl TerraformTree {
    /// Reads the repository's `.tf` files, given as (path, text) pairs with
    /// paths relative to the repository's top and `/` as separator.
    pub fn from_files<'a, I>(files: I) -> Result<Self, ModulesError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        // Directory → local module directories its files call directly.
        let mut calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (path, text) in files {
            if !path.ends_with(".tf") {
                continue;
            }
            let dir = parent(path).to_owned();
            let body = hcl::parse(text).map_err(|e| ModulesError {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            let called = calls.entry(dir.clone()).or_default();
            for block in body.blocks().filter(|b| b.identifier() == "module") {
                let source = block.body().attributes().find(|a| a.key() == "source");
                if let Some(hcl::Expression::String(source)) = source.map(|a| a.expr())
                    && let Some(module) = resolve_local(&dir, source)
                {
                    called.insert(module);
                }
            }
        }
        let roots = calls
            .keys()
            .filter(|dir| is_root(dir))
            .map(|root| (root.clone(), closure(root, &calls)))
            .collect();
        Ok(Self { roots })
    }

    /// The root directories, sorted.
    pub fn roots(&self) -> impl Iterator<Item = &str> {
        self.roots.keys().map(String::as_str)
    }

    /// The local module directories `root` uses, directly or through others.
    pub fn modules_of(&self, root: &str) -> impl Iterator<Item = &str> {
        self.roots
            .get(root)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The root directories a change to `changed_paths` affects, sorted: a
    /// root is affected by a change to a file in its own directory, or in
    /// the directory of a module it uses. Markdown files affect nothing.
    pub fn affected_envs<S: AsRef<str>>(&self, changed_paths: &[S]) -> Vec<String> {
        let touches = |dir: &str, path: &str| {
            path.strip_prefix(dir)
                .is_some_and(|rest| rest.starts_with('/'))
                && !path.ends_with(".md")
        };
        self.roots
            .iter()
            .filter(|(root, modules)| {
                changed_paths
                    .iter()
                    .map(AsRef::as_ref)
                    .any(|path| touches(root, path) || modules.iter().any(|m| touches(m, path)))
            })
            .map(|(root, _)| root.clone())
            .collect()
    }
}

/// Whether `dir` is exactly one level under [`ENVS_DIR`].
fn is_root(dir: &str) -> bool {
    dir.strip_prefix(ENVS_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|name| !name.is_empty() && !name.contains('/'))
}

/// Every module directory reachable from `root` through local calls.
fn closure(root: &str, calls: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = vec![root];
    while let Some(dir) = todo.pop() {
        for module in calls.get(dir).into_iter().flatten() {
            if module != root && seen.insert(module.clone()) {
                todo.push(module);
            }
        }
    }
    seen
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The repository directory a local `source` names, or `None` for a remote
/// source or a path that leaves the repository.
pub fn resolve_local(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every `.tf` file of the project's real `terraform/` tree.
    fn real_tree() -> Vec<(String, String)> {
        let top = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        let mut todo = vec![top.join("terraform")];
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(&dir).expect("readable terraform/ tree") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    todo.push(path);
                } else if path.extension().is_some_and(|e| e == "tf") {
                    let rel = path.strip_prefix(&top).expect("under top");
                    let text = std::fs::read_to_string(&path).expect("utf-8");
                    files.push((rel.to_string_lossy().into_owned(), text));
                }
            }
        }
        files
    }

    fn tree(files: &[(String, String)]) -> TerraformTree {
        TerraformTree::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
            .expect("valid HCL")
    }

    const ALL: [&str; 4] = [
        "terraform/envs/dev-uaenorth",
        "terraform/envs/ops-uaenorth",
        "terraform/envs/prd-uaenorth",
        "terraform/envs/stg-uaenorth",
    ];

    #[test]
    fn real_tree_has_four_roots_and_ops_alone_uses_the_firewall() {
        let tree = tree(&real_tree());
        assert_eq!(tree.roots().collect::<Vec<_>>(), ALL);
        assert!(
            tree.modules_of("terraform/envs/ops-uaenorth")
                .any(|m| m == "terraform/modules/firewall")
        );
        assert!(
            tree.modules_of("terraform/envs/dev-uaenorth")
                .all(|m| m != "terraform/modules/firewall")
        );
    }

    #[test]
    fn real_aks_module_change_affects_every_env_that_uses_it() {
        let tree = tree(&real_tree());
        assert_eq!(tree.affected_envs(&["terraform/modules/aks/main.tf"]), ALL);
    }

    #[test]
    fn real_firewall_module_change_affects_only_ops() {
        let tree = tree(&real_tree());
        assert_eq!(
            tree.affected_envs(&["terraform/modules/firewall/variables.tf"]),
            ["terraform/envs/ops-uaenorth"]
        );
    }

    #[test]
    fn real_env_root_change_affects_only_that_env() {
        let tree = tree(&real_tree());
        assert_eq!(
            tree.affected_envs(&["terraform/envs/stg-uaenorth/terraform.tfvars"]),
            ["terraform/envs/stg-uaenorth"]
        );
    }

    #[test]
    fn readme_and_unrelated_changes_affect_nothing() {
        let tree = tree(&real_tree());
        let none: Vec<String> = Vec::new();
        assert_eq!(
            tree.affected_envs(&["terraform/modules/aks/README.md", "flux-config/x.yaml"]),
            none
        );
        assert_eq!(
            tree.affected_envs(&["terraform/modules/aksx/main.tf"]),
            none
        );
    }

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn modules_calling_modules_are_followed_and_remote_sources_ignored() {
        let files = files(&[
            (
                "terraform/envs/a/main.tf",
                r#"module "x" { source = "../../modules/outer" }"#,
            ),
            (
                "terraform/envs/b/main.tf",
                r#"module "r" {
                     source  = "Azure/aks/azurerm"
                     version = "1.0.0"
                   }
                   module "g" { source = "git::https://example.com/m.git//sub" }
                   # source = "../../modules/inner" in a comment is not a call
                "#,
            ),
            (
                "terraform/modules/outer/main.tf",
                r#"module "i" { source = "./../inner" }"#,
            ),
            (
                "terraform/modules/inner/main.tf",
                r#"resource "terraform_data" "x" {}"#,
            ),
        ]);
        let tree = tree(&files);
        assert_eq!(
            tree.modules_of("terraform/envs/a").collect::<Vec<_>>(),
            ["terraform/modules/inner", "terraform/modules/outer"]
        );
        assert_eq!(tree.modules_of("terraform/envs/b").count(), 0);
        assert_eq!(
            tree.affected_envs(&["terraform/modules/inner/main.tf"]),
            ["terraform/envs/a"]
        );
    }

    #[test]
    fn module_cycles_terminate() {
        let files = files(&[
            (
                "terraform/envs/a/main.tf",
                r#"module "x" { source = "../../modules/p" }"#,
            ),
            (
                "terraform/modules/p/main.tf",
                r#"module "q" { source = "../q" }"#,
            ),
            (
                "terraform/modules/q/main.tf",
                r#"module "p" { source = "../p" }"#,
            ),
        ]);
        assert_eq!(tree(&files).modules_of("terraform/envs/a").count(), 2);
    }

    #[test]
    fn invalid_hcl_names_the_file() {
        let err = TerraformTree::from_files([("terraform/envs/a/main.tf", "module \"x\" {")])
            .expect_err("unclosed block");
        assert_eq!(err.path, "terraform/envs/a/main.tf");
    }
}
