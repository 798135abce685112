//! Rego policies run in-process with regorus, conftest-style: every loaded
//! package's `deny`, `violation` and `warn` rules are queried against each
//! input; each result is a string or an object with `msg` (and, in bosun's
//! policies, `policy` and `resource`). Exceptions are applied here, in Rust,
//! so an expired one can be reported rather than silently ignored.
//!
//! Inputs: a terraform plan (`terraform show -json`) as one `input`, and each
//! rendered manifest as its own `input`. The environment is data:
//! `data.bosun.environment`.

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::error::GateError;
use super::exceptions::{Exceptions, PolicyException};
use super::manifests::ManifestSet;

/// One Rego file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// Its path, for errors (`policies/kubernetes/images.rego`).
    pub path: String,
    /// Its text.
    pub rego: String,
}

/// How serious a rule's result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// From `deny` or `violation`: fails the gate.
    Deny,
    /// From `warn`: shown, never fails.
    Warn,
}

/// One policy result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFinding {
    /// The input it came from (`plan prd`, `flux-config/apps/prd`).
    pub source: String,
    /// The policy id (`policy` in the result, else `<package>.<rule>`).
    pub policy: String,
    /// The resource address or manifest id.
    pub resource: String,
    /// The message.
    pub message: String,
    /// Deny or warn.
    pub level: Level,
    /// An exception that matched but has expired.
    pub expired_exception: Option<PolicyException>,
}

/// What the policies said about one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyReport {
    /// Denials without a live exception: they fail the gate.
    pub denials: Vec<PolicyFinding>,
    /// Warnings.
    pub warnings: Vec<PolicyFinding>,
    /// Denials a live exception excuses, with that exception.
    pub excepted: Vec<(PolicyFinding, PolicyException)>,
}

impl PolicyReport {
    /// Add another report's findings to this one.
    pub fn extend(&mut self, other: PolicyReport) {
        self.denials.extend(other.denials);
        self.warnings.extend(other.warnings);
        self.excepted.extend(other.excepted);
    }
}

/// A terraform plan for one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    /// The environment (`prd`).
    pub environment: String,
    /// The plan as `terraform show -json` prints it.
    pub json: String,
}

/// Compiled policies, ready to evaluate any number of inputs.
#[derive(Clone)]
pub struct PolicySet {
    engine: regorus::Engine,
    queries: Vec<(String, Level)>,
}

impl std::fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicySet")
            .field("queries", &self.queries)
            .finish()
    }
}

const RULES: [(&str, Level); 3] = [
    ("deny", Level::Deny),
    ("violation", Level::Deny),
    ("warn", Level::Warn),
];

impl PolicySet {
    /// Compile `sources` (Rego v1; `import rego.v1` accepted).
    pub fn compile(sources: &[PolicySource]) -> Result<Self, GateError> {
        let mut engine = regorus::Engine::new();
        let mut queries = Vec::new();
        for source in sources {
            let package = engine
                .add_policy(source.path.clone(), source.rego.clone())
                .map_err(|e| compile_error(&source.path, e))?;
            for (rule, level) in RULES {
                let declared = engine
                    .has_declared_rule_rooted_at(&source.path, rule)
                    .map_err(|e| compile_error(&source.path, e))?;
                let query = format!("{package}.{rule}");
                if declared && !queries.iter().any(|(q, _)| q == &query) {
                    queries.push((query, level));
                }
            }
        }
        Ok(PolicySet { engine, queries })
    }

    /// The queries evaluated on each input (`data.kubernetes.images.deny`, …).
    pub fn queries(&self) -> impl Iterator<Item = &str> {
        self.queries.iter().map(|(q, _)| q.as_str())
    }

    /// Evaluate a terraform plan; `source` names it in findings.
    pub fn evaluate_plan(
        &self,
        source: &str,
        plan: &PlanInput,
        exceptions: &Exceptions,
        today: NaiveDate,
    ) -> Result<PolicyReport, GateError> {
        let input = regorus::Value::from_json_str(&plan.json).map_err(|e| GateError::PlanJson {
            name: source.to_owned(),
            message: e.to_string(),
        })?;
        let mut engine = self.engine_for(&plan.environment)?;
        engine.set_input(input);
        self.run(&mut engine, source, source, exceptions, today)
    }

    /// Evaluate every manifest of `set`, each as its own `input`.
    pub fn evaluate_manifests(
        &self,
        set: &ManifestSet,
        exceptions: &Exceptions,
        today: NaiveDate,
    ) -> Result<PolicyReport, GateError> {
        let mut engine = self.engine_for(&set.environment)?;
        let mut report = PolicyReport::default();
        for manifest in &set.manifests {
            engine.set_input(regorus::Value::from(manifest.document.clone()));
            let one = self.run(&mut engine, &set.source, &manifest.id, exceptions, today)?;
            report.extend(one);
        }
        Ok(report)
    }

    fn engine_for(&self, environment: &str) -> Result<regorus::Engine, GateError> {
        let mut engine = self.engine.clone();
        let data = serde_json::json!({ "bosun": { "environment": environment } });
        engine
            .add_data(regorus::Value::from(data))
            .map_err(|e| GateError::PolicyEval {
                query: "data.bosun".into(),
                input: environment.to_owned(),
                message: e.to_string(),
            })?;
        Ok(engine)
    }

    fn run(
        &self,
        engine: &mut regorus::Engine,
        source: &str,
        default_resource: &str,
        exceptions: &Exceptions,
        today: NaiveDate,
    ) -> Result<PolicyReport, GateError> {
        let mut report = PolicyReport::default();
        for (query, level) in &self.queries {
            let value = engine
                .eval_rule(query.clone())
                .map_err(|e| GateError::PolicyEval {
                    query: query.clone(),
                    input: default_resource.to_owned(),
                    message: e.to_string(),
                })?;
            if value == regorus::Value::Undefined {
                continue;
            }
            let json = serde_json::to_value(&value).map_err(|e| GateError::PolicyResult {
                query: query.clone(),
                value: e.to_string(),
            })?;
            let items = match json {
                Json::Array(items) => items,
                other => vec![other],
            };
            let fallback_policy = query.trim_start_matches("data.");
            for item in items {
                let mut finding = to_finding(query, &item, fallback_policy, default_resource)?;
                finding.source = source.to_owned();
                finding.level = *level;
                if *level == Level::Warn {
                    report.warnings.push(finding);
                    continue;
                }
                match exceptions.find(&finding.policy, &finding.resource, today) {
                    Some(e) if !e.is_expired(today) => report.excepted.push((finding, e.clone())),
                    expired => {
                        finding.expired_exception = expired.cloned();
                        report.denials.push(finding);
                    }
                }
            }
        }
        Ok(report)
    }
}

fn to_finding(
    query: &str,
    item: &Json,
    fallback_policy: &str,
    default_resource: &str,
) -> Result<PolicyFinding, GateError> {
    let field = |key: &str| item.get(key).and_then(Json::as_str).map(str::to_owned);
    let message = match item {
        Json::String(s) => s.clone(),
        _ => field("msg").ok_or_else(|| GateError::PolicyResult {
            query: query.to_owned(),
            value: item.to_string(),
        })?,
    };
    Ok(PolicyFinding {
        source: String::new(),
        policy: field("policy").unwrap_or_else(|| fallback_policy.to_owned()),
        resource: field("resource").unwrap_or_else(|| default_resource.to_owned()),
        message,
        level: Level::Deny,
        expired_exception: None,
    })
}

fn compile_error(path: &str, e: impl std::fmt::Display) -> GateError {
    GateError::PolicyCompile {
        path: path.to_owned(),
        message: e.to_string(),
    }
}
