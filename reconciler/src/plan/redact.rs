//! Masking sensitive values in text Terraform wrote (the human-readable plan,
//! the tail of stderr) before bosun shows it to anyone.
//!
//! Terraform masks values it knows are sensitive, but not always everything
//! derived from them: after an apply, `terraform_data.output` copies a
//! sensitive `input` unmarked, and `terraform show` prints it. So bosun
//! collects every sensitive value the plan JSON knows of (attribute values
//! marked in `before_sensitive` / `after_sensitive`, sensitive outputs and
//! variables) plus the values the caller passed as sensitive, and replaces
//! each in the text. A value too short to replace safely (a few characters
//! would also match ordinary text) makes the whole text withheld instead.

use super::json::PlanJson;
use serde_json::Value;
use std::collections::BTreeSet;

/// What a masked value is replaced with, as Terraform writes it.
pub const MASK: &str = "(sensitive value)";

/// Sensitive values shorter than this many characters cannot be replaced
/// in free text without mangling it; text containing them is withheld.
pub const MIN_MASKABLE_CHARS: usize = 4;

/// A set of sensitive values to keep out of text.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a value containing another is replaced whole.
    values: Vec<String>,
    /// Whether some value is too short to mask.
    unmaskable: bool,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor {{ {} values }}", self.values.len())
    }
}

/// Text after masking: shown, or withheld when it could not be masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redacted {
    /// The text with every sensitive value replaced by [`MASK`].
    Shown(String),
    /// The text is not shown: it may hold a value too short to mask.
    Withheld,
}

impl Redactor {
    /// Values the caller knows are sensitive (such as `-var` values).
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut redactor = Self::default();
        redactor.extend(values.into_iter().map(Into::into));
        redactor
    }

    /// Adds every sensitive value a plan's JSON knows of.
    pub fn with_plan(mut self, plan: &PlanJson) -> Self {
        let mut found = Vec::new();
        for rc in plan.resource_changes.iter().chain(&plan.resource_drift) {
            collect_marked(&rc.change.before, &rc.change.before_sensitive, &mut found);
            collect_marked(&rc.change.after, &rc.change.after_sensitive, &mut found);
        }
        for change in plan.output_changes.values() {
            collect_marked(&change.before, &change.before_sensitive, &mut found);
            collect_marked(&change.after, &change.after_sensitive, &mut found);
        }
        for name in plan.sensitive_variables() {
            if let Some(variable) = plan.variables.get(name) {
                collect_marked(&variable.value, &Value::Bool(true), &mut found);
            }
        }
        self.extend(found);
        self
    }

    fn extend(&mut self, values: impl IntoIterator<Item = String>) {
        let mut all: BTreeSet<String> = self.values.drain(..).collect();
        for value in values {
            if value.chars().count() < MIN_MASKABLE_CHARS {
                // An empty value reveals nothing; a short one cannot be masked.
                self.unmaskable |= !value.is_empty();
            } else {
                all.insert(value);
            }
        }
        self.values = all.into_iter().collect();
        self.values
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    /// Masks every known sensitive value in `text`.
    pub fn redact(&self, text: &str) -> Redacted {
        if self.unmaskable {
            return Redacted::Withheld;
        }
        let mut out = text.to_owned();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
        }
        Redacted::Shown(out)
    }
}

/// Pushes the scalar leaves of `value` that `marks` marks sensitive: all of
/// them under a `true`, the marked members under an object or array.
fn collect_marked(value: &Value, marks: &Value, out: &mut Vec<String>) {
    match marks {
        Value::Bool(true) => collect_all(value, out),
        Value::Object(map) => {
            for (key, mark) in map {
                if let Some(inner) = value.get(key) {
                    collect_marked(inner, mark, out);
                }
            }
        }
        Value::Array(items) => {
            for (index, mark) in items.iter().enumerate() {
                if let Some(inner) = value.get(index) {
                    collect_marked(inner, mark, out);
                }
            }
        }
        _ => {}
    }
}

fn collect_all(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            out.push(s.clone());
            // Terraform prints multi-line strings one line at a time.
            if s.contains('\n') {
                out.extend(s.lines().map(str::to_owned));
            }
        }
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect_all(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_all(v, out)),
        Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> PlanJson {
        PlanJson::parse(text.as_bytes()).expect("valid plan JSON")
    }

    #[test]
    fn values_marked_in_resource_changes_are_masked() {
        let redactor = Redactor::default().with_plan(&plan(
            r#"{"format_version":"1.2","resource_changes":[{"address":"t.a","type":"t","name":"a",
              "change":{"actions":["update"],"before":{"pw":"old-password","tags":{"k":"plain"}},
              "after":{"pw":"new-password","tags":{"k":"plain"}},
              "before_sensitive":{"pw":true},"after_sensitive":{"pw":true}}}]}"#,
        ));
        let text = "pw = \"old-password\" -> \"new-password\"\nk = \"plain\"";
        assert_eq!(
            redactor.redact(text),
            Redacted::Shown(format!("pw = \"{MASK}\" -> \"{MASK}\"\nk = \"plain\""))
        );
    }

    #[test]
    fn upstream_sensitive_variable_and_output_values_are_collected() {
        let path = format!(
            "{}/tests/fixtures/terraform/show-json-v1.5.7/sensitive-values.output.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let plan = PlanJson::parse(&std::fs::read(path).expect("fixture")).expect("valid");
        let redactor = Redactor::default().with_plan(&plan);
        assert_eq!(
            redactor.redact("ami = \"boop\""),
            Redacted::Shown(format!("ami = \"{MASK}\""))
        );
    }

    #[test]
    fn a_value_too_short_to_mask_withholds_the_text() {
        let redactor = Redactor::new(["abc", "long-enough"]);
        assert_eq!(redactor.redact("anything"), Redacted::Withheld);
    }

    #[test]
    fn a_longer_value_is_masked_before_a_value_it_contains() {
        let redactor = Redactor::new(["secret", "secret-and-more"]);
        assert_eq!(
            redactor.redact("x secret-and-more y secret"),
            Redacted::Shown(format!("x {MASK} y {MASK}"))
        );
    }

    #[test]
    fn debug_output_never_shows_values() {
        assert!(!format!("{:?}", Redactor::new(["s3cr3t-value"])).contains("s3cr3t"));
    }
}
