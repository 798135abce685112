//! The `Cluster` adapter over kube: one client per environment (kubeconfig
//! context or AKS workload identity, see [`credentials`]), reading the Flux
//! CRDs as `DynamicObject`s and the nodes' `nvidia.com/gpu` allocatable.

pub mod credentials;
pub mod flux_objects;

use async_trait::async_trait;
use bosun_reconciler::ports::cluster::{Cluster, ClusterError, FluxKind, FluxObject, GpuNode};
use credentials::ClusterSettings;
use k8s_openapi::api::core::v1::Node;
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams};
use std::collections::BTreeMap;

/// The extended resource NVIDIA's device plugin advertises.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";

/// How to reach one environment's API server.
#[derive(Clone)]
pub enum Connection {
    /// A ready client (tests hand a tower-test mock here).
    Client(Client),
    /// Built on every read from the settings (a kubeconfig context, or an
    /// AKS token that must stay fresh).
    Settings(ClusterSettings),
}

/// Every environment's cluster.
#[derive(Clone, Default)]
pub struct KubeCluster {
    envs: BTreeMap<String, Connection>,
}

impl KubeCluster {
    /// A cluster set from `env -> connection`.
    pub fn new(envs: BTreeMap<String, Connection>) -> Self {
        Self { envs }
    }

    async fn client(&self, env: &str) -> Result<Client, ClusterError> {
        match self.envs.get(env) {
            None => Err(ClusterError::UnknownEnv(env.to_owned())),
            Some(Connection::Client(client)) => Ok(client.clone()),
            Some(Connection::Settings(settings)) => credentials::client(settings)
                .await
                .map_err(|e| unreachable(env, e)),
        }
    }
}

fn unreachable(env: &str, error: impl std::fmt::Display) -> ClusterError {
    ClusterError::Unreachable {
        env: env.to_owned(),
        reason: error.to_string(),
    }
}

/// A quantity of whole GPUs (`"8"`); anything else counts as none.
fn gpus(
    quantities: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
) -> u64 {
    quantities
        .and_then(|q| q.get(GPU_RESOURCE))
        .and_then(|q| q.0.trim().parse().ok())
        .unwrap_or(0)
}

#[async_trait]
impl Cluster for KubeCluster {
    fn envs(&self) -> Vec<String> {
        self.envs.keys().cloned().collect()
    }

    async fn flux_objects(&self, env: &str) -> Result<Vec<FluxObject>, ClusterError> {
        let client = self.client(env).await?;
        let mut objects = Vec::new();
        for kind in FluxKind::ALL {
            let resource = flux_objects::api_resource(kind);
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
            let list = match api.list(&ListParams::default()).await {
                Ok(list) => list,
                // A cluster without this CRD (no OCIRepository) has none.
                Err(kube::Error::Api(status)) if status.code == 404 => continue,
                Err(error) => return Err(unreachable(env, error)),
            };
            objects.extend(list.items.iter().map(|o| flux_objects::read(kind, o)));
        }
        Ok(objects)
    }

    async fn gpu_nodes(&self, env: &str) -> Result<Vec<GpuNode>, ClusterError> {
        let client = self.client(env).await?;
        let nodes: Api<Node> = Api::all(client);
        let list = nodes
            .list(&ListParams::default())
            .await
            .map_err(|e| unreachable(env, e))?;
        Ok(list
            .items
            .iter()
            .filter_map(|node| {
                let status = node.status.as_ref()?;
                let allocatable = gpus(status.allocatable.as_ref());
                let capacity = gpus(status.capacity.as_ref());
                (capacity > 0 || allocatable > 0).then(|| GpuNode {
                    name: node.metadata.name.clone().unwrap_or_default(),
                    allocatable,
                    capacity,
                })
            })
            .collect())
    }
}
