//! What `/status` shows beyond the environments table, as data.

use crate::ports::cluster::GpuNode;
use crate::sync::SyncState;

/// Which version each app runs in each environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VersionMatrix {
    /// The environments, in order (the columns).
    pub envs: Vec<String>,
    /// One row per version key (`image:web`, `chart:vector-db/qdrant`):
    /// the version in each environment, `None` where it is not deployed.
    pub rows: Vec<(String, Vec<Option<String>>)>,
    /// Environments whose overlays could not be read, with why.
    pub unreadable: Vec<(String, String)>,
}

/// How an environment's cluster stands, if it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSync {
    /// No cluster is configured for it (local mode): not checked.
    NotChecked,
    /// What its cluster said.
    Checked(SyncState),
}

/// An environment's GPU capacity, if its cluster was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuCapacity {
    /// No cluster is configured for it: not checked.
    NotChecked,
    /// The nodes that offer GPUs (none: no GPU node).
    Nodes(Vec<GpuNode>),
    /// The cluster could not be read: why.
    Unknown(String),
}

/// One environment's live state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvDetails {
    /// The environment.
    pub name: String,
    /// Its Flux sync state.
    pub sync: EnvSync,
    /// Its GPU nodes' capacity (`nvidia.com/gpu`).
    pub gpus: GpuCapacity,
    /// Alert names firing there, with how many alerts fire.
    pub firing: Vec<(String, usize)>,
    /// Flux objects failing there (from Flux's events), with the reason.
    pub flux_failing: Vec<(String, String)>,
}

/// An open promotion or rollback pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPromotion {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its branch (`bosun/promote/stg-to-prd`).
    pub branch: String,
}

/// Everything `/status` adds to the environments table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusDetails {
    /// Each environment asked about.
    pub envs: Vec<EnvDetails>,
    /// The version matrix.
    pub versions: VersionMatrix,
    /// Open promotion and rollback pull requests.
    pub promotions: Vec<OpenPromotion>,
}
