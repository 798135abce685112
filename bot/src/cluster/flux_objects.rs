//! Flux objects as the API server returns them (`DynamicObject`s of the
//! Flux CRDs), read into the port's [`FluxObject`]. Only the fields bosun
//! uses are read; a missing status reads as not Ready yet.

use bosun_reconciler::ports::cluster::{ConditionStatus, FluxKind, FluxObject, Readiness};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::Value;

/// The API group, version and plural of each kind bosun reads.
pub fn api_resource(kind: FluxKind) -> ApiResource {
    let (group, version, plural) = match kind {
        FluxKind::Kustomization => ("kustomize.toolkit.fluxcd.io", "v1", "kustomizations"),
        FluxKind::HelmRelease => ("helm.toolkit.fluxcd.io", "v2", "helmreleases"),
        FluxKind::GitRepository => ("source.toolkit.fluxcd.io", "v1", "gitrepositories"),
        FluxKind::OciRepository => ("source.toolkit.fluxcd.io", "v1", "ocirepositories"),
    };
    let gvk = GroupVersionKind::gvk(group, version, kind.as_str());
    ApiResource::from_gvk_with_plural(&gvk, plural)
}

fn text(value: &Value) -> Option<String> {
    value.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn condition<'a>(status: &'a Value, kind: &str) -> Option<&'a Value> {
    status["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"].as_str() == Some(kind))
}

fn condition_status(condition: Option<&Value>) -> ConditionStatus {
    match condition.and_then(|c| c["status"].as_str()) {
        Some("True") => ConditionStatus::True,
        Some("False") => ConditionStatus::False,
        _ => ConditionStatus::Unknown,
    }
}

/// Reads one object of `kind`.
pub fn read(kind: FluxKind, object: &DynamicObject) -> FluxObject {
    let data = &object.data;
    let status = &data["status"];
    let ready = condition(status, "Ready");
    let revision = if kind.applies() {
        text(&status["lastAttemptedRevision"])
    } else {
        text(&status["artifact"]["revision"])
    };
    FluxObject {
        kind,
        namespace: object.metadata.namespace.clone().unwrap_or_default(),
        name: object.metadata.name.clone().unwrap_or_default(),
        suspended: data["spec"]["suspend"].as_bool().unwrap_or(false),
        revision,
        last_applied_revision: text(&status["lastAppliedRevision"]),
        ready: Readiness {
            status: condition_status(ready),
            reason: ready.and_then(|c| text(&c["reason"])).unwrap_or_default(),
            message: ready.and_then(|c| text(&c["message"])).unwrap_or_default(),
        },
        stalled: condition_status(condition(status, "Stalled")) == ConditionStatus::True,
    }
}
