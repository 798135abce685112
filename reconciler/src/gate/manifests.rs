//! Rendered Kubernetes manifests (the output of `kubectl kustomize`): a
//! multi-document YAML stream becomes one JSON value per object, the shape
//! Rego policies read as `input`.

use serde_json::Value;

use super::error::GateError;

/// One rendered Kubernetes object.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// `Kind/namespace/name` (`Kind/name` for cluster-scoped objects).
    pub id: String,
    /// The object as parsed.
    pub document: Value,
}

/// The rendered manifests of one overlay, in one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestSet {
    /// Where they were rendered from (`flux-config/apps/prd`).
    pub source: String,
    /// The environment they deploy to (`prd`); policies read it as `data.bosun.environment`.
    pub environment: String,
    /// The objects, in stream order.
    pub manifests: Vec<Manifest>,
}

impl ManifestSet {
    /// Parse a multi-document YAML stream rendered for `environment`.
    ///
    /// Booleans are YAML 1.2 only (`true`/`false`), so `yes`, `no`, `on` stay
    /// strings as Kubernetes reads them; empty documents are skipped.
    pub fn parse(source: &str, environment: &str, yaml: &str) -> Result<Self, GateError> {
        let options = serde_saphyr::options! { strict_booleans: true };
        let documents: Vec<Value> = serde_saphyr::from_multiple_with_options(yaml, options)
            .map_err(|e| GateError::ManifestYaml {
                source_name: source.to_owned(),
                message: e.to_string(),
            })?;
        let manifests = documents
            .into_iter()
            .filter(|d| !d.is_null())
            .map(|document| Manifest {
                id: object_id(&document),
                document,
            })
            .collect();
        Ok(ManifestSet {
            source: source.to_owned(),
            environment: environment.to_owned(),
            manifests,
        })
    }
}

/// `Kind/namespace/name`, or `Kind/name` without a namespace.
pub fn object_id(document: &Value) -> String {
    let text = |v: &Value| v.as_str().unwrap_or("?").to_owned();
    let kind = text(&document["kind"]);
    let name = text(&document["metadata"]["name"]);
    match document["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_stay_strings_and_ids_name_kind_namespace_and_name() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: n\ndata:\n  flag: yes\n---\n---\nkind: Namespace\nmetadata:\n  name: n\n";
        let set = ManifestSet::parse("x", "dev", yaml).unwrap();
        assert_eq!(set.manifests.len(), 2);
        assert_eq!(set.manifests[0].id, "ConfigMap/n/a");
        assert_eq!(set.manifests[0].document["data"]["flag"], "yes");
        assert_eq!(set.manifests[1].id, "Namespace/n");
    }

    #[test]
    fn broken_yaml_names_its_source() {
        let err = ManifestSet::parse("apps/prd", "prd", "a: [1,\n").unwrap_err();
        assert!(err.to_string().contains("apps/prd"), "{err}");
    }
}
