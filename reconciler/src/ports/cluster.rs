//! The `Cluster` port: what each environment's Kubernetes cluster says about
//! its Flux objects (`Kustomization`, `HelmRelease`, `GitRepository`,
//! `OCIRepository`) and its GPU capacity. No vendor type crosses it; the
//! kube adapter lives in `bot/src/cluster/`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The Flux kinds bosun reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FluxKind {
    /// `kustomize.toolkit.fluxcd.io` Kustomization.
    Kustomization,
    /// `helm.toolkit.fluxcd.io` HelmRelease.
    HelmRelease,
    /// `source.toolkit.fluxcd.io` GitRepository.
    GitRepository,
    /// `source.toolkit.fluxcd.io` OCIRepository.
    OciRepository,
}

impl FluxKind {
    /// Every kind, in the order they are shown.
    pub const ALL: [FluxKind; 4] = [
        Self::GitRepository,
        Self::OciRepository,
        Self::Kustomization,
        Self::HelmRelease,
    ];

    /// The Kubernetes kind (`OCIRepository`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kustomization => "Kustomization",
            Self::HelmRelease => "HelmRelease",
            Self::GitRepository => "GitRepository",
            Self::OciRepository => "OCIRepository",
        }
    }

    /// Whether the kind applies things (rather than fetching sources).
    pub fn applies(self) -> bool {
        matches!(self, Self::Kustomization | Self::HelmRelease)
    }
}

/// A condition's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConditionStatus {
    /// `True`.
    True,
    /// `False`.
    False,
    /// `Unknown`, or no such condition.
    Unknown,
}

/// The `Ready` condition of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// Its status.
    pub status: ConditionStatus,
    /// Flux's reason (`ReconciliationSucceeded`, `GitOperationFailed`...).
    pub reason: String,
    /// Flux's message.
    pub message: String,
}

/// One Flux object as its cluster reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FluxObject {
    /// Its kind.
    pub kind: FluxKind,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `spec.suspend`.
    pub suspended: bool,
    /// What it last fetched or attempted: a source's `status.artifact.revision`,
    /// an applier's `status.lastAttemptedRevision`.
    pub revision: Option<String>,
    /// An applier's `status.lastAppliedRevision`.
    pub last_applied_revision: Option<String>,
    /// The `Ready` condition.
    pub ready: Readiness,
    /// Whether the `Stalled` condition is `True`.
    pub stalled: bool,
}

impl FluxObject {
    /// `Kustomization/flux-system/apps`.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.kind.as_str(), self.namespace, self.name)
    }

    /// Whether it is Ready and neither stalled nor suspended.
    pub fn is_healthy(&self) -> bool {
        self.ready.status == ConditionStatus::True && !self.stalled && !self.suspended
    }
}

/// A node with GPUs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuNode {
    /// The node's name.
    pub name: String,
    /// `status.allocatable["nvidia.com/gpu"]`.
    pub allocatable: u64,
    /// `status.capacity["nvidia.com/gpu"]`.
    pub capacity: u64,
}

/// Why a cluster could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClusterError {
    /// No cluster is configured for the environment.
    #[error("no cluster is configured for environment `{0}`")]
    UnknownEnv(String),
    /// The API server could not be reached or refused (credentials, network).
    #[error("the cluster of `{env}` could not be read: {reason}")]
    Unreachable {
        /// The environment.
        env: String,
        /// What went wrong.
        reason: String,
    },
}

/// Reads what runs in each environment's cluster.
#[async_trait]
pub trait Cluster: Send + Sync {
    /// The environments with a configured cluster.
    fn envs(&self) -> Vec<String>;

    /// Every Flux object of the four kinds in the environment's cluster.
    async fn flux_objects(&self, env: &str) -> Result<Vec<FluxObject>, ClusterError>;

    /// The nodes that offer GPUs (`nvidia.com/gpu`).
    async fn gpu_nodes(&self, env: &str) -> Result<Vec<GpuNode>, ClusterError>;
}
