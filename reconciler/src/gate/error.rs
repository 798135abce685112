//! What can go wrong while the gate reads its inputs: each variant names the
//! input at fault, so a caller can tell the author which file to fix.

/// An input the gate could not read, or a policy it could not run.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// A Trivy report is not JSON of the expected shape.
    #[error("Trivy report `{name}` is not valid Trivy JSON: {message}")]
    TrivyJson {
        /// The report's name (artifact file name).
        name: String,
        /// The parser's explanation.
        message: String,
    },
    /// A Trivy report declares a `SchemaVersion` other than 2.
    #[error("Trivy report `{name}` has SchemaVersion {found}; bosun reads SchemaVersion 2 only")]
    TrivySchema {
        /// The report's name (artifact file name).
        name: String,
        /// The version the report declares.
        found: i64,
    },
    /// A `.trivyignore` or `.trivyignore.yaml` line or entry cannot be read.
    #[error("{file}: {message}")]
    Ignore {
        /// Which ignore file (`.trivyignore` or `.trivyignore.yaml`).
        file: String,
        /// What is wrong, with the line when known.
        message: String,
    },
    /// The policy exceptions data cannot be read.
    #[error("policy exceptions: {message}")]
    Exceptions {
        /// What is wrong.
        message: String,
    },
    /// A Rego file does not compile.
    #[error("policy `{path}` does not compile: {message}")]
    PolicyCompile {
        /// The policy's path as given.
        path: String,
        /// regorus's explanation.
        message: String,
    },
    /// A policy failed while evaluating an input (a runtime error in Rego).
    #[error("policy query `{query}` failed on `{input}`: {message}")]
    PolicyEval {
        /// The query, such as `data.main.deny`.
        query: String,
        /// The input being evaluated.
        input: String,
        /// regorus's explanation.
        message: String,
    },
    /// A policy rule produced something that is neither a string nor an object with `msg`.
    #[error("policy query `{query}` returned a result without a message: {value}")]
    PolicyResult {
        /// The query.
        query: String,
        /// The offending value as JSON.
        value: String,
    },
    /// A terraform plan is not JSON.
    #[error("terraform plan `{name}` is not valid JSON: {message}")]
    PlanJson {
        /// The plan's name (environment or file).
        name: String,
        /// The parser's explanation.
        message: String,
    },
    /// Rendered manifests are not valid YAML.
    #[error("manifests `{source_name}` are not valid YAML: {message}")]
    ManifestYaml {
        /// Where the manifests came from (an overlay path).
        source_name: String,
        /// The parser's explanation.
        message: String,
    },
}

impl GateError {
    /// A short stable label for metrics and logs.
    pub fn metric_label(&self) -> &'static str {
        match self {
            GateError::TrivyJson { .. } => "trivy_json",
            GateError::TrivySchema { .. } => "trivy_schema",
            GateError::Ignore { .. } => "trivyignore",
            GateError::Exceptions { .. } => "policy_exceptions",
            GateError::PolicyCompile { .. } => "policy_compile",
            GateError::PolicyEval { .. } => "policy_eval",
            GateError::PolicyResult { .. } => "policy_result",
            GateError::PlanJson { .. } => "plan_json",
            GateError::ManifestYaml { .. } => "manifest_yaml",
        }
    }
}
