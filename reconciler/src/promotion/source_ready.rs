//! Before a promotion opens its pull request: is the source environment
//! Ready at the default branch's tip? Asked through the `Cluster` port; with
//! no cluster configured for the source (local mode), it is not checked,
//! and the promotion says so instead of being blocked.

use crate::ids::Sha;
use crate::ports::cluster::Cluster;
use crate::sync::{BranchTip, ready_at_tip};
use bosun_commands::Env;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceCheck {
    /// Every Flux object Ready, Kustomizations applied at the tip.
    Ready,
    /// No cluster is configured for the source environment.
    NotChecked,
    /// Not Ready at the tip, with why.
    NotReady(String),
}

/// Checks `env`'s cluster against the default branch `branch` at `tip`.
pub async fn check_source(
    cluster: Option<&dyn Cluster>,
    env: &Env,
    branch: &str,
    tip: &Sha,
) -> SourceCheck {
    let Some(cluster) = cluster.filter(|c| c.envs().iter().any(|e| e == env.as_str())) else {
        return SourceCheck::NotChecked;
    };
    match cluster.flux_objects(env.as_str()).await {
        Err(error) => SourceCheck::NotReady(error.to_string()),
        Ok(objects) => match ready_at_tip(&objects, BranchTip { branch, sha: tip }) {
            Ok(()) => SourceCheck::Ready,
            Err(reason) => SourceCheck::NotReady(reason),
        },
    }
}

/// The line a promotion's table ends with.
pub fn note(check: &SourceCheck, env: &Env, tip: &Sha) -> String {
    match check {
        SourceCheck::Ready => format!(
            "\n`{env}` is Ready at the default branch's tip `{}` (checked in its cluster).\n",
            tip.short()
        ),
        SourceCheck::NotChecked => {
            format!("\n`{env}` readiness was not checked: no cluster is configured for it.\n")
        }
        SourceCheck::NotReady(reason) => {
            format!("\n`{env}` is not Ready at the default branch's tip (forced): {reason}.\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::cluster::{
        ClusterError, ConditionStatus, FluxKind, FluxObject, GpuNode, Readiness,
    };

    const TIP: &str = "696f056df216eea4f9401adbee0ff744d4df390f";

    /// A cluster with one environment, `stg`, holding one Kustomization.
    struct OneKustomization(Option<String>);

    #[async_trait::async_trait]
    impl Cluster for OneKustomization {
        fn envs(&self) -> Vec<String> {
            vec!["stg".to_owned()]
        }
        async fn flux_objects(&self, _env: &str) -> Result<Vec<FluxObject>, ClusterError> {
            Ok(vec![FluxObject {
                kind: FluxKind::Kustomization,
                namespace: "flux-system".to_owned(),
                name: "apps".to_owned(),
                suspended: false,
                revision: self.0.clone(),
                last_applied_revision: self.0.clone(),
                ready: Readiness {
                    status: ConditionStatus::True,
                    reason: "ReconciliationSucceeded".to_owned(),
                    message: String::new(),
                },
                stalled: false,
            }])
        }
        async fn gpu_nodes(&self, _env: &str) -> Result<Vec<GpuNode>, ClusterError> {
            Ok(Vec::new())
        }
    }

    #[tokio::test]
    async fn the_source_is_ready_at_the_tip_behind_it_or_not_checked() {
        let envs = bosun_commands::EnvCatalog::default();
        let stg = envs.resolve("stg").unwrap();
        let prd = envs.resolve("prd").unwrap();
        let tip: Sha = TIP.parse().unwrap();
        let at_tip = OneKustomization(Some(format!("main@sha1:{TIP}")));
        assert_eq!(
            check_source(Some(&at_tip), &stg, "main", &tip).await,
            SourceCheck::Ready
        );
        let behind = OneKustomization(Some(format!("main@sha1:{}", "1".repeat(40))));
        let SourceCheck::NotReady(reason) = check_source(Some(&behind), &stg, "main", &tip).await
        else {
            panic!("behind the tip is not ready");
        };
        assert!(
            reason.contains("not yet at the default branch's tip"),
            "{reason}"
        );
        assert_eq!(
            check_source(None, &stg, "main", &tip).await,
            SourceCheck::NotChecked
        );
        assert_eq!(
            check_source(Some(&at_tip), &prd, "main", &tip).await,
            SourceCheck::NotChecked
        );
        assert!(note(&SourceCheck::NotChecked, &stg, &tip).contains("not checked"));
    }
}
