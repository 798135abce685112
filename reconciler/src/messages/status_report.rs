//! The full `/status` reply: the environments table, then each
//! environment's Flux sync state and what fires there, open promotions, and
//! the version matrix.
//!
//! Each function here has a snapshot test, so a change to what users read is
//! always a reviewed change.

use super::replies::{StatusView, status};
use crate::status::{EnvSync, GpuCapacity, StatusDetails};
use crate::sync::{FluxDrift, SyncState};
use std::fmt::Write;

/// An environment's GPU line (`nvidia.com/gpu` allocatable of capacity,
/// in total and per node), or nothing when its cluster was not asked.
fn gpu_line(gpus: &GpuCapacity) -> Option<String> {
    match gpus {
        GpuCapacity::NotChecked => None,
        GpuCapacity::Unknown(reason) => Some(format!("GPUs: unknown: {reason}")),
        GpuCapacity::Nodes(nodes) if nodes.is_empty() => Some("GPUs: no GPU node".to_owned()),
        GpuCapacity::Nodes(nodes) => {
            let allocatable: u64 = nodes.iter().map(|n| n.allocatable).sum();
            let capacity: u64 = nodes.iter().map(|n| n.capacity).sum();
            let each: Vec<String> = nodes
                .iter()
                .map(|n| format!("`{}` {}/{}", n.name, n.allocatable, n.capacity))
                .collect();
            Some(format!(
                "GPUs: {allocatable} allocatable of {capacity} on {} node(s) ({})",
                nodes.len(),
                each.join(", ")
            ))
        }
    }
}

/// The `/status` reply with everything bosun knows.
pub fn status_report(view: &StatusView, details: &StatusDetails) -> String {
    let mut out = status(view);
    out.push_str("\n**Environments now**\n");
    for env in &details.envs {
        let sync = match &env.sync {
            EnvSync::NotChecked => "Flux not checked (no cluster configured)".to_owned(),
            EnvSync::Checked(SyncState::InSync { revision }) => match revision {
                Some(revision) => format!("in sync at `{revision}`"),
                None => "in sync".to_owned(),
            },
            EnvSync::Checked(SyncState::Unknown(reason)) => format!("unknown: {reason}"),
            EnvSync::Checked(SyncState::Drifting(drift)) => format!(
                "drifting: {}",
                drift
                    .iter()
                    .map(FluxDrift::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        let _ = writeln!(out, "- `{}`: {sync}", env.name);
        if let Some(line) = gpu_line(&env.gpus) {
            let _ = writeln!(out, "  - {line}");
        }
        if env.firing.is_empty() {
            let _ = writeln!(out, "  - no alert firing");
        } else {
            let firing: Vec<String> = env
                .firing
                .iter()
                .map(|(name, n)| format!("{name} ({n})"))
                .collect();
            let _ = writeln!(out, "  - firing: {}", firing.join(", "));
        }
        for (object, reason) in &env.flux_failing {
            let _ = writeln!(out, "  - Flux reports `{object}` failing: {reason}");
        }
    }
    if !details.promotions.is_empty() {
        out.push_str("\n**Open promotions**\n");
        for pr in &details.promotions {
            let _ = writeln!(out, "- #{} {} (`{}`)", pr.number, pr.title, pr.branch);
        }
    }
    let matrix = &details.versions;
    if !matrix.rows.is_empty() {
        let _ = writeln!(
            out,
            "\n**Versions on the default branch**\n\n| app | {} |\n|---|{}",
            matrix.envs.join(" | "),
            "---|".repeat(matrix.envs.len())
        );
        for (key, cells) in &matrix.rows {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| c.as_ref().map_or("-".to_owned(), |v| format!("`{v}`")))
                .collect();
            let _ = writeln!(out, "| {key} | {} |", cells.join(" | "));
        }
    }
    for (env, why) in &matrix.unreadable {
        let _ = writeln!(out, "\nThe `{env}` overlays cannot be read: {why}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::EnvStatus;
    use crate::ports::cluster::GpuNode;
    use crate::status::{EnvDetails, OpenPromotion, VersionMatrix};

    #[test]
    fn a_status_with_sync_states_alerts_promotions_and_versions() {
        let view = StatusView {
            repo: "acme/platform".to_owned(),
            envs: ["stg", "prd"]
                .iter()
                .map(|name| EnvStatus {
                    name: (*name).to_owned(),
                    aliases: Vec::new(),
                    protected: *name == "prd",
                    lock: None,
                })
                .collect(),
            open_pull_requests: 3,
        };
        let tip = "1111111111111111111111111111111111111111".parse().unwrap();
        let details = StatusDetails {
            envs: vec![
                EnvDetails {
                    name: "stg".to_owned(),
                    sync: EnvSync::Checked(SyncState::InSync {
                        revision: Some(
                            "main@sha1:1111111111111111111111111111111111111111".to_owned(),
                        ),
                    }),
                    gpus: GpuCapacity::Nodes(Vec::new()),
                    firing: Vec::new(),
                    flux_failing: Vec::new(),
                },
                EnvDetails {
                    name: "prd".to_owned(),
                    sync: EnvSync::Checked(SyncState::Drifting(vec![
                        FluxDrift::NotReady {
                            object: "HelmRelease/apps/web".to_owned(),
                            reason: "UpgradeFailed".to_owned(),
                            message: "timed out waiting for the condition".to_owned(),
                            stalled: false,
                        },
                        FluxDrift::Behind {
                            object: "Kustomization/flux-system/apps".to_owned(),
                            at: "main@sha1:2222222222222222222222222222222222222222".to_owned(),
                            tip,
                        },
                    ])),
                    gpus: GpuCapacity::Nodes(vec![
                        GpuNode {
                            name: "gpu-a100-0".to_owned(),
                            allocatable: 8,
                            capacity: 8,
                        },
                        GpuNode {
                            name: "gpu-a100-1".to_owned(),
                            allocatable: 6,
                            capacity: 8,
                        },
                    ]),
                    firing: vec![("GpuHot".to_owned(), 3)],
                    flux_failing: vec![(
                        "HelmRelease/apps/web".to_owned(),
                        "UpgradeFailed".to_owned(),
                    )],
                },
            ],
            versions: VersionMatrix {
                envs: vec!["stg".to_owned(), "prd".to_owned()],
                rows: vec![
                    (
                        "chart:vector-db/qdrant".to_owned(),
                        vec![Some("1.12.0".to_owned()), Some("1.11.3".to_owned())],
                    ),
                    (
                        "image:web".to_owned(),
                        vec![Some("v2.4.0".to_owned()), None],
                    ),
                ],
                unreadable: Vec::new(),
            },
            promotions: vec![OpenPromotion {
                number: 42,
                title: "Promote stg to prd".to_owned(),
                branch: "bosun/promote/stg-to-prd".to_owned(),
            }],
        };
        insta::assert_snapshot!(status_report(&view, &details));
        let local = StatusDetails {
            envs: vec![EnvDetails {
                name: "stg".to_owned(),
                sync: EnvSync::NotChecked,
                gpus: GpuCapacity::NotChecked,
                firing: Vec::new(),
                flux_failing: Vec::new(),
            }],
            ..StatusDetails::default()
        };
        insta::assert_snapshot!("local_mode", status_report(&view, &local));
    }

    #[test]
    fn a_cluster_whose_gpu_nodes_cannot_be_read_says_so() {
        assert_eq!(
            gpu_line(&GpuCapacity::Unknown("connection refused".to_owned())).as_deref(),
            Some("GPUs: unknown: connection refused")
        );
    }
}
