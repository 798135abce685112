//! The sticky comment listing the environments a pull request touches.
//!
//! Each function here has a snapshot test, so a change to what users read is
//! always a reviewed change.

use crate::pr::touched::TouchedEnvs;
use bosun_commands::EnvCatalog;
use std::fmt::Write;

/// The sticky comment that lists the environments a pull request touches.
pub fn envs_comment(touched: &TouchedEnvs, catalog: &EnvCatalog) -> String {
    let mut out = String::from("### Environments this pull request touches\n\n");
    if touched.is_empty() {
        out.push_str("None: no file under `flux-config/` or `terraform/` that belongs to an environment changed.\n");
        return out;
    }
    if !touched.envs.is_empty() {
        out.push_str("| environment | files changed |\n|---|---|\n");
        for (env, paths) in &touched.envs {
            let lock = if catalog.is_protected(env) {
                " (protected)"
            } else {
                ""
            };
            let _ = writeln!(out, "| `{env}`{lock} | {} |", paths.len());
        }
        out.push('\n');
    }
    if !touched.shared.is_empty() {
        let _ = writeln!(
            out,
            "Shared code changed in {} file{}: every environment that uses it is affected.\n",
            touched.shared.len(),
            if touched.shared.len() == 1 { "" } else { "s" }
        );
    }
    out.push_str("<details><summary>Files by environment</summary>\n\n");
    for (env, paths) in &touched.envs {
        let _ = writeln!(out, "**{env}**");
        for path in paths {
            let _ = writeln!(out, "- `{path}`");
        }
        out.push('\n');
    }
    if !touched.shared.is_empty() {
        out.push_str("**shared**\n");
        for path in &touched.shared {
            let _ = writeln!(out, "- `{path}`");
        }
        out.push('\n');
    }
    out.push_str("</details>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pr::touched::touched_envs;

    fn render(paths: &[&str]) -> String {
        let catalog = EnvCatalog::default();
        let paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
        envs_comment(&touched_envs(&paths, &catalog), &catalog)
    }

    #[test]
    fn envs_comment_lists_environments_and_shared_code() {
        insta::assert_snapshot!(render(&[
            "flux-config/clusters/prd-uaenorth/apps.yaml",
            "flux-config/apps/stg/kustomization.yaml",
            "terraform/envs/stg-uaenorth/main.tf",
            "terraform/modules/aks/main.tf",
        ]));
    }

    #[test]
    fn envs_comment_says_when_nothing_is_touched() {
        insta::assert_snapshot!(render(&["README.md"]));
    }
}
