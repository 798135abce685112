//! Gathering `/status` from the forge (the default branch, open pull
//! requests), the store (locks, alert groups, Flux failures) and, when one
//! is configured, the cluster.

use super::view::{EnvDetails, EnvSync, GpuCapacity, OpenPromotion, StatusDetails, VersionMatrix};
use crate::alerts;
use crate::ask::AskContext;
use crate::error::ReconcileError;
use crate::ids::{RepoName, Sha};
use crate::locks::Locks;
use crate::messages::{self, EnvStatus, StatusView};
use crate::ports::forge::RepoFile;
use crate::promote;
use crate::promotion::open::FLUX_CONFIG;
use crate::sync::{BranchTip, SyncState, sync_state};
use bosun_commands::Env;
use std::collections::BTreeMap;

/// The version matrix of `envs` from `flux-config/` files at one commit.
pub fn version_matrix(files: &[RepoFile], envs: &[Env]) -> VersionMatrix {
    let mut matrix = VersionMatrix {
        envs: envs.iter().map(|e| e.as_str().to_owned()).collect(),
        ..VersionMatrix::default()
    };
    let mut rows: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for (column, env) in envs.iter().enumerate() {
        let overlay: Vec<(&str, &str)> = files
            .iter()
            .filter(|f| crate::promotion::open::in_overlay(&f.path, env))
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        match promote::extract(&overlay) {
            Ok(versions) => {
                for (key, located) in versions.iter() {
                    let row = rows
                        .entry(key.to_string())
                        .or_insert_with(|| vec![None; envs.len()]);
                    row[column] = Some(located.version.short());
                }
            }
            Err(error) => matrix
                .unreadable
                .push((env.as_str().to_owned(), error.to_string())),
        }
    }
    matrix.rows = rows.into_iter().collect();
    matrix
}

/// The default branch, its tip, and the `flux-config/` files there.
async fn default_branch_files(
    ctx: &AskContext<'_>,
    repo: &RepoName,
) -> Result<(String, Sha, Vec<RepoFile>), crate::ports::forge::ForgeError> {
    let default = ctx.forge.default_branch(repo).await?;
    let tip: Sha = ctx.forge.resolve(repo, &default).await?;
    let files = ctx
        .forge
        .files_at(repo, &tip, &[FLUX_CONFIG.to_owned()])
        .await?;
    Ok((default, tip, files))
}

/// The `/status` reply for `repo`, about `env` or every environment.
pub async fn answer(
    ctx: &AskContext<'_>,
    repo: &RepoName,
    env: Option<&Env>,
) -> Result<String, ReconcileError> {
    let envs: Vec<Env> = match env {
        Some(env) => vec![env.clone()],
        None => ctx.config.envs.envs().cloned().collect(),
    };
    let locks = Locks::new(ctx.store, repo);
    let mut rows = Vec::new();
    for env in &envs {
        rows.push(EnvStatus {
            aliases: ctx.config.envs.aliases(env).map(str::to_owned).collect(),
            protected: ctx.config.envs.is_protected(env),
            lock: locks.get(env)?,
            name: env.as_str().to_owned(),
        });
    }
    let open = ctx.forge.open_pull_requests(repo).await?;
    let promotions = open
        .iter()
        .filter(|pr| {
            pr.head_ref.starts_with("bosun/promote/") || pr.head_ref.starts_with("bosun/rollback/")
        })
        .map(|pr| OpenPromotion {
            number: pr.number.0,
            title: pr.title.clone(),
            branch: pr.head_ref.clone(),
        })
        .collect();
    let all_envs: Vec<Env> = ctx.config.envs.envs().cloned().collect();
    // A default branch that cannot be read (an empty repository) leaves the
    // matrix empty and says why; the rest of the status still answers.
    let (head, versions) = match default_branch_files(ctx, repo).await {
        Ok((branch, tip, files)) => {
            let matrix = version_matrix(&files, &all_envs);
            (Some((branch, tip)), matrix)
        }
        Err(error) => {
            let matrix = VersionMatrix {
                unreadable: vec![("every environment".to_owned(), error.to_string())],
                ..VersionMatrix::default()
            };
            (None, matrix)
        }
    };
    let mut details = Vec::new();
    for env in &envs {
        let name = env.as_str();
        let (sync, gpus) = match ctx.cluster {
            Some(cluster) if cluster.envs().iter().any(|e| e == name) => {
                let sync = EnvSync::Checked(match cluster.flux_objects(name).await {
                    Ok(objects) => sync_state(
                        &objects,
                        head.as_ref().map(|(branch, sha)| BranchTip { branch, sha }),
                    ),
                    Err(error) => SyncState::Unknown(error.to_string()),
                });
                let gpus = match cluster.gpu_nodes(name).await {
                    Ok(nodes) => GpuCapacity::Nodes(nodes),
                    Err(error) => GpuCapacity::Unknown(error.to_string()),
                };
                (sync, gpus)
            }
            _ => (EnvSync::NotChecked, GpuCapacity::NotChecked),
        };
        let firing = alerts::groups_of(ctx.store, name)?
            .iter()
            .map(|g| (g.name.clone(), g.firing().count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        let flux_failing = alerts::flux_failures_of(ctx.store, name)?
            .into_iter()
            .filter(|f| f.failing)
            .map(|f| (f.object, f.reason))
            .collect();
        details.push(EnvDetails {
            name: name.to_owned(),
            sync,
            gpus,
            firing,
            flux_failing,
        });
    }
    let view = StatusView {
        repo: repo.to_string(),
        envs: rows,
        open_pull_requests: open.len(),
    };
    Ok(messages::status_report(
        &view,
        &StatusDetails {
            envs: details,
            versions,
            promotions,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RepoConfig;
    use std::path::Path;

    /// Every file of this repository's own `flux-config/` tree.
    fn flux_config() -> Vec<RepoFile> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<RepoFile>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    let relative = path.strip_prefix(root).unwrap();
                    out.push(RepoFile {
                        path: relative.to_string_lossy().replace('\\', "/"),
                        text,
                    });
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        walk(&root.join(FLUX_CONFIG), &root, &mut files);
        files
    }

    #[test]
    fn the_matrix_of_the_real_flux_config_has_a_version_per_app_and_environment() {
        let envs: Vec<Env> = RepoConfig::default().envs.envs().cloned().collect();
        let files = flux_config();
        let matrix = version_matrix(&files, &envs);
        assert!(matrix.unreadable.is_empty(), "{:?}", matrix.unreadable);
        assert!(!matrix.rows.is_empty());
        // Each row's cells agree with the overlay read on its own.
        for (column, env) in envs.iter().enumerate() {
            let overlay: Vec<(&str, &str)> = files
                .iter()
                .filter(|f| crate::promotion::open::in_overlay(&f.path, env))
                .map(|f| (f.path.as_str(), f.text.as_str()))
                .collect();
            let versions = promote::extract(&overlay).unwrap();
            let deployed = matrix
                .rows
                .iter()
                .filter(|(_, cells)| cells[column].is_some())
                .count();
            assert_eq!(deployed, versions.len(), "{env}");
        }
    }
}
