//! How an environment's cluster stands against git, from the Flux objects
//! the [`Cluster`](crate::ports::cluster::Cluster) port reads: its sync
//! state for `/status`, and Flux drift (objects not Ready, stalled,
//! suspended, or applied at an older commit than the default branch's tip)
//! for `/status` and the drift report.

use crate::event::FluxRevision;
use crate::ids::Sha;
use crate::ports::cluster::{FluxKind, FluxObject};
use serde::{Deserialize, Serialize};

/// One way an object drifts from what git says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FluxDrift {
    /// Not Ready (or stalled): Flux's reason and message.
    NotReady {
        /// `Kustomization/flux-system/apps`.
        object: String,
        /// Flux's reason.
        reason: String,
        /// Flux's message.
        message: String,
        /// Whether Flux gave up retrying (`Stalled`).
        stalled: bool,
    },
    /// Suspended: Flux does not reconcile it.
    Suspended {
        /// The object.
        object: String,
    },
    /// Applied (or fetched) at an older commit of the default branch.
    Behind {
        /// The object.
        object: String,
        /// The revision it is at.
        at: String,
        /// The default branch's tip.
        tip: Sha,
    },
}

impl FluxDrift {
    /// The object that drifts (`Kustomization/flux-system/apps`).
    pub fn object(&self) -> &str {
        match self {
            Self::NotReady { object, .. }
            | Self::Suspended { object }
            | Self::Behind { object, .. } => object,
        }
    }

    /// The drift in words: "`Kustomization/flux-system/apps` is suspended".
    pub fn describe(&self) -> String {
        match self {
            Self::NotReady {
                object,
                reason,
                message,
                stalled,
            } => format!(
                "`{object}` is {} ({reason}): {message}",
                if *stalled { "stalled" } else { "not Ready" }
            ),
            Self::Suspended { object } => format!("`{object}` is suspended"),
            Self::Behind { object, at, tip } => format!(
                "`{object}` is at `{at}`, behind the default branch (`{}`)",
                tip.short()
            ),
        }
    }
}

/// The default branch as git has it: its name and its tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchTip<'a> {
    /// `main`.
    pub branch: &'a str,
    /// Its tip.
    pub sha: &'a Sha,
}

/// The commit an object is at, when its revision names one on `branch`:
/// an applier's last applied revision, a source's artifact revision.
fn commit_on<'a>(object: &'a FluxObject, branch: &str) -> Option<(&'a str, Sha)> {
    let raw = if object.kind.applies() {
        object.last_applied_revision.as_deref()?
    } else {
        object.revision.as_deref()?
    };
    let revision = FluxRevision::parse(raw);
    (revision.branch.as_deref() == Some(branch)).then_some((raw, revision.sha?))
}

/// Every drift of one environment's objects, in their order. `tip` is the
/// default branch the objects should be at; objects that track another
/// branch, a tag or an OCI artifact are only checked for health.
pub fn flux_drift(objects: &[FluxObject], tip: Option<BranchTip<'_>>) -> Vec<FluxDrift> {
    let mut drift = Vec::new();
    for object in objects {
        if object.suspended {
            drift.push(FluxDrift::Suspended {
                object: object.id(),
            });
            continue;
        }
        if !object.is_healthy() {
            drift.push(FluxDrift::NotReady {
                object: object.id(),
                reason: object.ready.reason.clone(),
                message: object.ready.message.clone(),
                stalled: object.stalled,
            });
            continue;
        }
        if let Some(tip) = &tip
            && matches!(
                object.kind,
                FluxKind::Kustomization | FluxKind::GitRepository
            )
            && let Some((at, sha)) = commit_on(object, tip.branch)
            && &sha != tip.sha
        {
            drift.push(FluxDrift::Behind {
                object: object.id(),
                at: at.to_owned(),
                tip: tip.sha.clone(),
            });
        }
    }
    drift
}

/// An environment's sync state, for `/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// Every object Ready; the Kustomizations applied this revision (the
    /// first one's, when they differ).
    InSync {
        /// The revision applied, when a Kustomization reports one.
        revision: Option<String>,
    },
    /// Something drifts (see the list).
    Drifting(Vec<FluxDrift>),
    /// The cluster could not be read.
    Unknown(String),
}

/// The sync state of an environment from its objects.
pub fn sync_state(objects: &[FluxObject], tip: Option<BranchTip<'_>>) -> SyncState {
    let drift = flux_drift(objects, tip);
    if !drift.is_empty() {
        return SyncState::Drifting(drift);
    }
    let revision = objects
        .iter()
        .filter(|o| o.kind == FluxKind::Kustomization)
        .find_map(|o| o.last_applied_revision.clone());
    SyncState::InSync { revision }
}

/// Whether an environment may be promoted from: Ready at the default
/// branch's tip. `Err` says why not, in words.
pub fn ready_at_tip(objects: &[FluxObject], tip: BranchTip<'_>) -> Result<(), String> {
    let appliers = objects
        .iter()
        .filter(|o| o.kind == FluxKind::Kustomization)
        .count();
    if appliers == 0 {
        return Err("its cluster reports no Flux Kustomization".to_owned());
    }
    match flux_drift(objects, Some(tip)).first() {
        None => Ok(()),
        Some(FluxDrift::Suspended { object }) => Err(format!("`{object}` is suspended")),
        Some(FluxDrift::NotReady { object, reason, .. }) => {
            Err(format!("`{object}` is not Ready ({reason})"))
        }
        Some(FluxDrift::Behind { object, at, tip }) => Err(format!(
            "`{object}` is at `{at}`, not yet at the default branch's tip `{}`",
            tip.short()
        )),
    }
}
