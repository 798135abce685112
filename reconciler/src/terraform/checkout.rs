//! A per-run checkout: a project's folder and every local module folder it
//! calls (followed transitively through `source = "../x"`), written from the
//! forge's files at one commit into a fresh directory. Only what the project
//! can read is written, so a run never sees another project's files.

use crate::ids::{RepoName, Sha};
use crate::plan::modules::resolve_local;
use crate::ports::forge::{Forge, ForgeError, RepoFile};
use std::collections::BTreeSet;
use std::path::Path;

/// The files of a project at a commit and the folders they came from.
#[derive(Debug, Clone, Default)]
pub struct ProjectFiles {
    /// The project's folder and its local modules' folders.
    pub folders: BTreeSet<String>,
    /// Every text file under those folders.
    pub files: Vec<RepoFile>,
}

impl ProjectFiles {
    /// Whether a change to `path` can change the project's plan (its own
    /// folder or a module's; Markdown changes nothing).
    pub fn touched_by(&self, path: &str) -> bool {
        !path.ends_with(".md")
            && self.folders.iter().any(|dir| {
                path.strip_prefix(dir.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
    }
}

/// Reads the project in `dir` at `commit`, with the local modules it calls.
pub async fn project_files(
    forge: &dyn Forge,
    repo: &RepoName,
    commit: &Sha,
    dir: &str,
) -> Result<ProjectFiles, ForgeError> {
    let mut out = ProjectFiles::default();
    let mut todo = vec![dir.to_owned()];
    while let Some(folder) = todo.pop() {
        if !out.folders.insert(folder.clone()) {
            continue;
        }
        let files = forge
            .files_at(repo, commit, std::slice::from_ref(&folder))
            .await?;
        for file in files {
            if file.path.ends_with(".tf") {
                let here = file.path.rsplit_once('/').map_or("", |(d, _)| d);
                todo.extend(
                    module_sources(&file.text)
                        .iter()
                        .filter_map(|source| resolve_local(here, source))
                        .filter(|m| !out.folders.contains(m)),
                );
            }
            if !out.files.iter().any(|f| f.path == file.path) {
                out.files.push(file);
            }
        }
    }
    Ok(out)
}

/// The `source` of every `module` block (a file that is not valid HCL has
/// none: Terraform itself will say what is wrong with it).
fn module_sources(text: &str) -> Vec<String> {
    let Ok(body) = hcl::parse(text) else {
        return Vec::new();
    };
    body.blocks()
        .filter(|b| b.identifier() == "module")
        .filter_map(|b| b.body().attributes().find(|a| a.key() == "source"))
        .filter_map(|a| match a.expr() {
            hcl::Expression::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Writes `files` under `dest` (emptied first), keeping their paths.
pub fn write_checkout(dest: &Path, files: &[RepoFile]) -> std::io::Result<()> {
    if dest.exists() {
        std::fs::remove_dir_all(dest)?;
    }
    std::fs::create_dir_all(dest)?;
    for file in files {
        if file.path.split('/').any(|p| p == ".." || p.is_empty()) {
            continue;
        }
        let path = dest.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &file.text)?;
    }
    Ok(())
}

#[cfg(all(test, feature = "testkit"))]
mod tests {
    use super::*;
    use crate::testkit::MemoryForge;

    #[tokio::test]
    async fn a_project_brings_the_local_modules_it_calls_transitively_and_nothing_else() {
        let forge = MemoryForge::new();
        let repo = RepoName::new("acme", "infra").unwrap();
        let commit = forge.seed(
            &repo,
            "main",
            &[
                (
                    "terraform/envs/prd/main.tf",
                    "module \"net\" {\n  source = \"../../modules/network\"\n}\nmodule \"reg\" {\n  source = \"registry.example/x/y\"\n}\n",
                ),
                (
                    "terraform/modules/network/main.tf",
                    "module \"dns\" {\n  source = \"../dns\"\n}\n# source = \"../not-a-module\"\n",
                ),
                ("terraform/modules/dns/main.tf", "resource \"terraform_data\" \"z\" {}\n"),
                ("terraform/modules/unused/main.tf", "resource \"terraform_data\" \"u\" {}\n"),
                ("terraform/envs/dev/main.tf", "resource \"terraform_data\" \"d\" {}\n"),
            ],
            chrono::Utc::now(),
        );
        let files = project_files(&forge, &repo, &commit, "terraform/envs/prd")
            .await
            .unwrap();
        let folders: Vec<&str> = files.folders.iter().map(String::as_str).collect();
        assert_eq!(
            folders,
            [
                "terraform/envs/prd",
                "terraform/modules/dns",
                "terraform/modules/network"
            ]
        );
        assert_eq!(files.files.len(), 3);
        assert!(files.touched_by("terraform/modules/dns/main.tf"));
        assert!(!files.touched_by("terraform/modules/dns/README.md"));
        assert!(!files.touched_by("terraform/modules/unused/main.tf"));
        assert!(!files.touched_by("terraform/envs/prd-old/main.tf"));

        let dest = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dest.path().join("stale")).unwrap();
        write_checkout(dest.path(), &files.files).unwrap();
        assert!(dest.path().join("terraform/modules/dns/main.tf").is_file());
        assert!(
            !dest.path().join("stale").exists(),
            "a checkout starts empty"
        );
        assert!(!dest.path().join("terraform/envs/dev").exists());
    }
}
