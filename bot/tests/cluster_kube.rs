//! The kube `Cluster` adapter against kube's tower-test mock service: the
//! real kube client sends its real requests, and the mock answers them with
//! the Flux objects of flux2's own test data (`tests/fixtures/flux/`), as
//! lists the API server would return.

use bosun::cluster::{Connection, KubeCluster};
use bosun_reconciler::ids::Sha;
use bosun_reconciler::ports::cluster::{Cluster, ClusterError, ConditionStatus, FluxKind};
use bosun_reconciler::sync::{BranchTip, FluxDrift, SyncState, ready_at_tip, sync_state};
use http::{Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const TRACE: &str = include_str!("fixtures/flux/trace-helmrelease.yaml");
const STATUS: &str = include_str!("fixtures/flux/get-status-objects.yaml");

/// The fixtures' objects, with flux2's Go-template namespaces filled in.
fn objects() -> Vec<Value> {
    [TRACE, STATUS]
        .iter()
        .flat_map(|text| {
            text.replace("{{ .fluxns }}", "flux-system")
                .replace("{{ .ns }}", "apps")
                .split("\n---\n")
                .filter(|doc| !doc.trim().trim_start_matches("---").trim().is_empty())
                .map(|doc| serde_saphyr::from_str::<Value>(doc).expect("fixture YAML"))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn list(kind: &str, api_version: &str, items: Vec<Value>) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": format!("{kind}List"),
        "metadata": {"resourceVersion": "1"},
        "items": items,
    })
}

fn nodes() -> Value {
    let node = |name: &str, gpus: Option<&str>| {
        let mut resources = json!({"cpu": "96", "memory": "1843Gi", "pods": "110"});
        if let Some(gpus) = gpus {
            resources["nvidia.com/gpu"] = json!(gpus);
        }
        json!({
            "metadata": {"name": name, "labels": {"kubernetes.azure.com/agentpool": "gpu"}},
            "status": {"allocatable": resources.clone(), "capacity": resources}
        })
    };
    json!({
        "apiVersion": "v1", "kind": "NodeList", "metadata": {"resourceVersion": "7"},
        "items": [node("aks-gpu-0", Some("8")), node("aks-gpu-1", Some("8")), node("aks-system-0", None)]
    })
}

/// What the API server answers at `path`.
fn answer(path: &str) -> (StatusCode, Value) {
    let of_kind = |kind: &str| -> Vec<Value> {
        objects()
            .into_iter()
            .filter(|o| o["kind"] == kind)
            .collect()
    };
    match path {
        "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations" => (
            StatusCode::OK,
            list(
                "Kustomization",
                "kustomize.toolkit.fluxcd.io/v1",
                of_kind("Kustomization"),
            ),
        ),
        "/apis/helm.toolkit.fluxcd.io/v2/helmreleases" => (
            StatusCode::OK,
            list(
                "HelmRelease",
                "helm.toolkit.fluxcd.io/v2",
                of_kind("HelmRelease"),
            ),
        ),
        "/apis/source.toolkit.fluxcd.io/v1/gitrepositories" => (
            StatusCode::OK,
            list(
                "GitRepository",
                "source.toolkit.fluxcd.io/v1",
                of_kind("GitRepository"),
            ),
        ),
        "/api/v1/nodes" => (StatusCode::OK, nodes()),
        // This cluster has no OCIRepository CRD.
        other => (
            StatusCode::NOT_FOUND,
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("the server could not find the requested resource ({other})"),
                "reason": "NotFound", "details": {}, "code": 404
            }),
        ),
    }
}

/// A cluster whose `prd` is the mock; returns it with the paths requested.
fn mock_cluster() -> (KubeCluster, tokio::task::JoinHandle<Vec<String>>) {
    let (service, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let server = tokio::spawn(async move {
        let mut paths = Vec::new();
        while let Some((request, send)) = handle.next_request().await {
            let path = request.uri().path().to_owned();
            let (status, body) = answer(&path);
            paths.push(path);
            let response = Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&body).unwrap()))
                .unwrap();
            send.send_response(response);
        }
        paths
    });
    let client = kube::Client::new(service, "default");
    let envs = BTreeMap::from([("prd".to_owned(), Connection::Client(client))]);
    (KubeCluster::new(envs), server)
}

const COMMIT: &str = "696f056df216eea4f9401adbee0ff744d4df390f";

#[tokio::test]
async fn flux_objects_are_read_with_revisions_conditions_and_suspension() {
    let (cluster, server) = mock_cluster();
    let objects = cluster.flux_objects("prd").await.unwrap();
    let ids: Vec<String> = objects.iter().map(|o| o.id()).collect();
    assert_eq!(
        ids,
        [
            "GitRepository/flux-system/flux-system",
            "GitRepository/flux-system/gr-failed",
            "GitRepository/flux-system/gr-ready",
            "GitRepository/flux-system/gr-unknown",
            "Kustomization/flux-system/infrastructure",
            "HelmRelease/apps/podinfo",
        ]
    );
    let by_id = |id: &str| objects.iter().find(|o| o.id() == id).unwrap();
    let ks = by_id("Kustomization/flux-system/infrastructure");
    assert_eq!(ks.kind, FluxKind::Kustomization);
    assert_eq!(
        ks.last_applied_revision.as_deref(),
        Some(format!("main@sha1:{COMMIT}").as_str())
    );
    assert_eq!(ks.ready.status, ConditionStatus::True);
    let hr = by_id("HelmRelease/apps/podinfo");
    assert_eq!(hr.last_applied_revision.as_deref(), Some("6.3.5"));
    let failed = by_id("GitRepository/flux-system/gr-failed");
    assert_eq!(failed.ready.status, ConditionStatus::False);
    assert_eq!(failed.ready.reason, "GitOperationFailed");
    assert_eq!(
        by_id("GitRepository/flux-system/gr-unknown").ready.status,
        ConditionStatus::Unknown
    );

    // Flux drift against the default branch's tip: the failed and unknown
    // sources are not Ready; everything else is at the tip.
    let tip: Sha = COMMIT.parse().unwrap();
    let drift = match sync_state(
        &objects,
        Some(BranchTip {
            branch: "main",
            sha: &tip,
        }),
    ) {
        SyncState::Drifting(drift) => drift,
        other => panic!("{other:?}"),
    };
    let drifting: Vec<&str> = drift
        .iter()
        .map(|d| match d {
            FluxDrift::NotReady { object, .. } => object.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        drifting,
        [
            "GitRepository/flux-system/gr-failed",
            "GitRepository/flux-system/gr-unknown"
        ]
    );

    // Only the applied chain: in sync at the tip, and Behind once main moves.
    let applied: Vec<_> = objects
        .iter()
        .filter(|o| !o.name.starts_with("gr-"))
        .cloned()
        .collect();
    assert_eq!(
        sync_state(
            &applied,
            Some(BranchTip {
                branch: "main",
                sha: &tip
            })
        ),
        SyncState::InSync {
            revision: Some(format!("main@sha1:{COMMIT}"))
        }
    );
    assert!(
        ready_at_tip(
            &applied,
            BranchTip {
                branch: "main",
                sha: &tip
            }
        )
        .is_ok()
    );
    let newer: Sha = "1111111111111111111111111111111111111111".parse().unwrap();
    let behind = ready_at_tip(
        &applied,
        BranchTip {
            branch: "main",
            sha: &newer,
        },
    )
    .unwrap_err();
    assert!(
        behind.contains("not yet at the default branch's tip `1111111`"),
        "{behind}"
    );
    let mut suspended = applied.clone();
    suspended[1].suspended = true;
    assert!(
        ready_at_tip(
            &suspended,
            BranchTip {
                branch: "main",
                sha: &tip
            }
        )
        .unwrap_err()
        .contains("suspended")
    );

    drop(cluster);
    let paths = server.await.unwrap();
    assert_eq!(
        paths,
        [
            "/apis/source.toolkit.fluxcd.io/v1/gitrepositories",
            "/apis/source.toolkit.fluxcd.io/v1/ocirepositories",
            "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations",
            "/apis/helm.toolkit.fluxcd.io/v2/helmreleases",
        ]
    );
}

#[tokio::test]
async fn gpu_nodes_report_their_allocatable_gpus_and_an_unknown_env_is_named() {
    let (cluster, _server) = mock_cluster();
    let nodes = cluster.gpu_nodes("prd").await.unwrap();
    let summary: Vec<(&str, u64)> = nodes
        .iter()
        .map(|n| (n.name.as_str(), n.allocatable))
        .collect();
    assert_eq!(summary, [("aks-gpu-0", 8), ("aks-gpu-1", 8)]);
    assert_eq!(
        cluster.flux_objects("qa").await.unwrap_err(),
        ClusterError::UnknownEnv("qa".to_owned())
    );
}
