//! The parts of `terraform show -json PLANFILE` that bosun reads.
//!
//! Only the fields bosun uses are declared; everything else in the document
//! is ignored, so a newer Terraform that adds fields keeps working. Attribute
//! values (`before`, `after`, variable values) are kept as raw JSON because
//! they are needed to find sensitive strings to mask, but their `Debug`
//! output never shows them: a plan logged by mistake leaks nothing.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// A whole `terraform show -json PLANFILE` document.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanJson {
    /// The JSON format's version (`"1.2"` for Terraform 1.15).
    pub format_version: String,
    /// The Terraform version that wrote the plan.
    #[serde(default)]
    pub terraform_version: Option<String>,
    /// The planned change of every resource instance in the configuration.
    #[serde(default)]
    pub resource_changes: Vec<ResourceChange>,
    /// Changes made outside Terraform that the refresh found.
    #[serde(default)]
    pub resource_drift: Vec<ResourceChange>,
    /// The planned change of every root module output.
    #[serde(default)]
    pub output_changes: BTreeMap<String, Change>,
    /// The root module's input variable values.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableValue>,
    /// The configuration, read only for which variables are sensitive.
    #[serde(default)]
    pub configuration: Option<Configuration>,
}

impl PlanJson {
    /// Reads a `show -json` document.
    pub fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The names of the root module's variables declared `sensitive = true`.
    pub fn sensitive_variables(&self) -> impl Iterator<Item = &str> {
        self.configuration
            .iter()
            .flat_map(|c| c.root_module.variables.iter())
            .filter(|(_, v)| v.sensitive)
            .map(|(name, _)| name.as_str())
    }
}

/// One resource instance's planned change (or drift).
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceChange {
    /// The full address, such as `module.aks.azurerm_kubernetes_cluster.this`.
    pub address: String,
    /// `managed` or `data`.
    #[serde(default)]
    pub mode: Mode,
    /// The resource type, such as `terraform_data`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The resource name in its module.
    pub name: String,
    /// What changes.
    pub change: Change,
    /// Why Terraform chose this action (`replace_because_cannot_update`, ...).
    #[serde(default)]
    pub action_reason: Option<String>,
}

/// Whether a resource is managed or a data source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A `resource` block.
    #[default]
    Managed,
    /// A `data` block.
    Data,
    /// A mode this version of bosun does not know.
    #[serde(other)]
    Other,
}

/// The change of one object: actions and values before and after.
#[derive(Clone, Default, Deserialize)]
pub struct Change {
    /// The actions, such as `["update"]` or `["delete", "create"]`.
    pub actions: Vec<Action>,
    /// The value before (null when created).
    #[serde(default)]
    pub before: Value,
    /// The value after (null when destroyed), without unknown parts.
    #[serde(default)]
    pub after: Value,
    /// Which parts of `after` are known only after apply.
    #[serde(default)]
    pub after_unknown: Value,
    /// Which parts of `before` are sensitive (`true` for a sensitive output).
    #[serde(default)]
    pub before_sensitive: Value,
    /// Which parts of `after` are sensitive (`true` for a sensitive output).
    #[serde(default)]
    pub after_sensitive: Value,
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Change")
            .field("actions", &self.actions)
            .finish_non_exhaustive()
    }
}

/// One element of a change's `actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Nothing changes.
    NoOp,
    /// Created.
    Create,
    /// Read (a data source).
    Read,
    /// Updated in place.
    Update,
    /// Destroyed.
    Delete,
    /// Removed from the state without being destroyed.
    Forget,
    /// An action this version of bosun does not know.
    #[serde(other)]
    Other,
}

/// A root module variable's value as the plan recorded it.
#[derive(Clone, Default, Deserialize)]
pub struct VariableValue {
    /// The value.
    #[serde(default)]
    pub value: Value,
}

impl fmt::Debug for VariableValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VariableValue { .. }")
    }
}

/// The `configuration` block, only as far as variable declarations.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Configuration {
    /// The root module.
    #[serde(default)]
    pub root_module: ModuleConfig,
}

/// A module's configuration, only as far as variable declarations.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ModuleConfig {
    /// The declared variables by name.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableConfig>,
}

/// A variable declaration, only as far as its sensitivity.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VariableConfig {
    /// Whether it is declared `sensitive = true`.
    #[serde(default)]
    pub sensitive: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PlanJson {
        let path = format!(
            "{}/tests/fixtures/terraform/show-json-v1.5.7/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        PlanJson::parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn upstream_replace_plan_reads_delete_then_create() {
        let plan = fixture("requires-replace.output.json");
        let change = &plan.resource_changes[0];
        assert_eq!(change.address, "test_instance.test");
        assert_eq!(change.mode, Mode::Managed);
        assert_eq!(change.change.actions, [Action::Delete, Action::Create]);
    }

    #[test]
    fn upstream_drift_plan_reads_resource_drift() {
        let plan = fixture("drift.output.json");
        assert!(!plan.resource_drift.is_empty());
    }

    #[test]
    fn upstream_sensitive_plan_marks_the_sensitive_variable() {
        let plan = fixture("sensitive-values.output.json");
        assert_eq!(plan.sensitive_variables().collect::<Vec<_>>(), ["test_var"]);
    }

    #[test]
    fn unknown_fields_and_actions_are_tolerated() {
        let text = r#"{"format_version":"9.9","future":1,"resource_changes":[
            {"address":"a.b","mode":"ephemeral","type":"a","name":"b",
             "change":{"actions":["teleport"],"extra":true}}]}"#;
        let plan = PlanJson::parse(text.as_bytes()).expect("tolerant");
        assert_eq!(plan.resource_changes[0].mode, Mode::Other);
        assert_eq!(plan.resource_changes[0].change.actions, [Action::Other]);
    }

    #[test]
    fn debug_output_never_shows_values() {
        let text = r#"{"format_version":"1.2","variables":{"pw":{"value":"s3cr3t-value"}},
            "resource_changes":[{"address":"a.b","type":"a","name":"b",
             "change":{"actions":["create"],"after":{"pw":"s3cr3t-value"}}}]}"#;
        let plan = PlanJson::parse(text.as_bytes()).expect("valid");
        assert!(!format!("{plan:?}").contains("s3cr3t-value"));
    }
}
