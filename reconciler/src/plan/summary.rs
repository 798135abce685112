//! What a plan does, reduced to what people read: counts, the resources by
//! action, the drift the refresh found, and what kind of drift it is.
//!
//! Only addresses, types, actions and attribute *names* are kept; attribute
//! values never enter a summary, and the names of attributes that Terraform
//! marks sensitive (`before_sensitive` / `after_sensitive`) are left out too.

use super::json::{Action, Change, Mode, PlanJson, ResourceChange};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// What happens to one resource instance, from its list of actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionKind {
    /// Destroyed (`["delete"]`).
    Delete,
    /// Destroyed and created again, in either order.
    Replace,
    /// Created (`["create"]`).
    Create,
    /// Updated in place (`["update"]`).
    Update,
    /// Removed from the state only (`["forget"]`).
    Forget,
    /// Read (`["read"]`, data sources); not counted.
    Read,
    /// Nothing (`["no-op"]`); not counted.
    NoOp,
    /// A combination bosun does not know; shown, not counted.
    Unknown,
}

impl ActionKind {
    /// The kind of a change's action list.
    pub fn of(actions: &[Action]) -> Self {
        use Action::*;
        match actions {
            [Delete, Create] | [Create, Delete] => Self::Replace,
            [Create] => Self::Create,
            [Update] => Self::Update,
            [Delete] => Self::Delete,
            [Forget] | [Delete, Forget] | [Forget, Delete] => Self::Forget,
            [Read] => Self::Read,
            [NoOp] | [] => Self::NoOp,
            _ => Self::Unknown,
        }
    }

    /// Whether this changes real infrastructure or the state.
    pub fn is_change(self) -> bool {
        !matches!(self, Self::Read | Self::NoOp)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Delete => "destroy",
            Self::Replace => "replace",
            Self::Create => "create",
            Self::Update => "update",
            Self::Forget => "forget",
            Self::Read => "read",
            Self::NoOp => "no-op",
            Self::Unknown => "other",
        })
    }
}

/// How many resources each kind of change touches.
///
/// A replacement counts once, as `replace`, not as an add plus a destroy as
/// Terraform's own `Plan:` line does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Created.
    pub add: usize,
    /// Updated in place.
    pub change: usize,
    /// Destroyed (or forgotten).
    pub destroy: usize,
    /// Replaced.
    pub replace: usize,
}

impl Counts {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to add, {} to change, {} to destroy, {} to replace",
            self.add, self.change, self.destroy, self.replace
        )
    }
}

/// One resource instance as a summary shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceLine {
    /// The full address.
    pub address: String,
    /// The resource type.
    pub resource_type: String,
    /// What happens to it.
    pub action: ActionKind,
    /// Top-level attributes whose value changes, without sensitive ones.
    pub changed_attributes: Vec<String>,
    /// How many changed attributes were left out because they are sensitive.
    pub sensitive_attributes: usize,
}

impl ResourceLine {
    fn from_change(rc: &ResourceChange) -> Self {
        let action = ActionKind::of(&rc.change.actions);
        let (changed_attributes, sensitive_attributes) =
            if matches!(action, ActionKind::Update | ActionKind::Replace) {
                changed_attribute_names(&rc.change)
            } else {
                (Vec::new(), 0)
            };
        Self {
            address: rc.address.clone(),
            resource_type: rc.resource_type.clone(),
            action,
            changed_attributes,
            sensitive_attributes,
        }
    }
}

/// What a refresh plan of the default branch says about drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    /// The infrastructure matches the state and the configuration.
    None,
    /// Someone changed infrastructure outside Terraform (`resource_drift`).
    OutOfBand,
    /// Configuration was merged but never applied (`resource_changes`).
    Unapplied,
    /// Both at once.
    OutOfBandAndUnapplied,
}

impl DriftKind {
    /// Whether there is drift of any kind.
    pub fn is_drift(self) -> bool {
        self != Self::None
    }
}

/// A plan reduced to what people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSummary {
    /// The counts.
    pub counts: Counts,
    /// Every managed resource instance that changes, destroys and
    /// replacements first, then by address.
    pub resources: Vec<ResourceLine>,
    /// Resource instances changed outside Terraform, found by the refresh.
    pub drift: Vec<ResourceLine>,
    /// The Terraform version that wrote the plan, when it says.
    pub terraform_version: Option<String>,
}

impl PlanSummary {
    /// Summarises a parsed `show -json` document.
    pub fn from_plan(plan: &PlanJson) -> Self {
        let mut counts = Counts::default();
        let mut resources: Vec<ResourceLine> = plan
            .resource_changes
            .iter()
            .filter(|rc| rc.mode != Mode::Data)
            .map(ResourceLine::from_change)
            .filter(|line| line.action.is_change())
            .collect();
        resources.sort_by(|a, b| (a.action, &a.address).cmp(&(b.action, &b.address)));
        for line in &resources {
            match line.action {
                ActionKind::Create => counts.add += 1,
                ActionKind::Update => counts.change += 1,
                ActionKind::Delete | ActionKind::Forget => counts.destroy += 1,
                ActionKind::Replace => counts.replace += 1,
                ActionKind::Read | ActionKind::NoOp | ActionKind::Unknown => {}
            }
        }
        let mut drift: Vec<ResourceLine> = plan
            .resource_drift
            .iter()
            .map(ResourceLine::from_change)
            .filter(|line| line.action.is_change())
            .collect();
        drift.sort_by(|a, b| a.address.cmp(&b.address));
        Self {
            counts,
            resources,
            drift,
            terraform_version: plan.terraform_version.clone(),
        }
    }

    /// The resources whose action is `action`.
    pub fn with_action(&self, action: ActionKind) -> impl Iterator<Item = &ResourceLine> {
        self.resources.iter().filter(move |r| r.action == action)
    }

    /// Whether the plan changes anything.
    pub fn has_changes(&self) -> bool {
        !self.resources.is_empty()
    }

    /// Drift as a plan of the default branch with refresh reveals it.
    pub fn drift_kind(&self) -> DriftKind {
        match (!self.drift.is_empty(), self.has_changes()) {
            (false, false) => DriftKind::None,
            (true, false) => DriftKind::OutOfBand,
            (false, true) => DriftKind::Unapplied,
            (true, true) => DriftKind::OutOfBandAndUnapplied,
        }
    }
}

/// Whether a `*_sensitive` value marks anything at all (`true`, or an
/// object or array holding a mark somewhere).
fn marks_anything(marks: &Value) -> bool {
    match marks {
        Value::Bool(b) => *b,
        Value::Array(items) => items.iter().any(marks_anything),
        Value::Object(map) => map.values().any(marks_anything),
        _ => false,
    }
}

/// The names of top-level attributes that change, and how many sensitive
/// ones were skipped.
fn changed_attribute_names(change: &Change) -> (Vec<String>, usize) {
    let empty = serde_json::Map::new();
    let object = |v: &Value| v.as_object().cloned().unwrap_or_else(|| empty.clone());
    let (before, after, unknown) = (
        object(&change.before),
        object(&change.after),
        object(&change.after_unknown),
    );
    let whole_sensitive = matches!(change.before_sensitive, Value::Bool(true))
        || matches!(change.after_sensitive, Value::Bool(true));
    let names: BTreeSet<&String> = before
        .keys()
        .chain(after.keys())
        .chain(unknown.keys())
        .collect();
    let mut shown = Vec::new();
    let mut hidden = 0;
    for name in names {
        let becomes_unknown = unknown.get(name).is_some_and(marks_anything);
        if before.get(name) == after.get(name) && !becomes_unknown {
            continue;
        }
        let sensitive = whole_sensitive
            || change
                .before_sensitive
                .get(name)
                .is_some_and(marks_anything)
            || change.after_sensitive.get(name).is_some_and(marks_anything);
        if sensitive {
            hidden += 1;
        } else {
            shown.push(name.clone());
        }
    }
    (shown, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> PlanJson {
        PlanJson::parse(text.as_bytes()).expect("valid plan JSON")
    }

    fn fixture(name: &str) -> PlanJson {
        let path = format!(
            "{}/tests/fixtures/terraform/show-json-v1.5.7/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        PlanJson::parse(&std::fs::read(&path).expect("fixture")).expect("valid")
    }

    fn rc(address: &str, actions: &str) -> String {
        format!(
            r#"{{"address":"{address}","mode":"managed","type":"t","name":"n","change":{{"actions":{actions}}}}}"#
        )
    }

    #[test]
    fn replacements_in_either_order_count_as_replace_and_read_and_noop_do_not_count() {
        let changes = [
            rc("t.a", r#"["create"]"#),
            rc("t.b", r#"["delete","create"]"#),
            rc("t.c", r#"["create","delete"]"#),
            rc("t.d", r#"["update"]"#),
            rc("t.e", r#"["delete"]"#),
            rc("t.f", r#"["read"]"#),
            rc("t.g", r#"["no-op"]"#),
        ];
        let summary = PlanSummary::from_plan(&plan(&format!(
            r#"{{"format_version":"1.2","resource_changes":[{}]}}"#,
            changes.join(",")
        )));
        assert_eq!(
            summary.counts,
            Counts {
                add: 1,
                change: 1,
                destroy: 1,
                replace: 2
            }
        );
        let order: Vec<_> = summary
            .resources
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(order, ["t.e", "t.b", "t.c", "t.a", "t.d"]);
    }

    #[test]
    fn upstream_replace_plan_names_the_changed_attribute() {
        let summary = PlanSummary::from_plan(&fixture("requires-replace.output.json"));
        assert_eq!(summary.counts.replace, 1);
        assert_eq!(summary.resources[0].changed_attributes, ["ami", "id"]);
    }

    #[test]
    fn upstream_delete_plan_counts_a_destroy() {
        let summary = PlanSummary::from_plan(&fixture("basic-delete.output.json"));
        assert_eq!(summary.counts.destroy, 1);
        assert_eq!(summary.with_action(ActionKind::Delete).count(), 1);
    }

    #[test]
    fn sensitive_attribute_names_are_skipped_and_counted() {
        let summary = PlanSummary::from_plan(&plan(
            r#"{"format_version":"1.2","resource_changes":[{"address":"t.a","type":"t","name":"a",
              "change":{"actions":["update"],"before":{"pw":"x","size":1,"same":2},
              "after":{"pw":"y","size":2,"same":2},"after_unknown":{},
              "before_sensitive":{"pw":true},"after_sensitive":{"pw":true}}}]}"#,
        ));
        assert_eq!(summary.resources[0].changed_attributes, ["size"]);
        assert_eq!(summary.resources[0].sensitive_attributes, 1);
    }

    #[test]
    fn drift_alone_is_out_of_band() {
        let summary = PlanSummary::from_plan(&plan(&format!(
            r#"{{"format_version":"1.2","resource_drift":[{}],"resource_changes":[{}]}}"#,
            rc("t.a", r#"["update"]"#),
            rc("t.a", r#"["no-op"]"#)
        )));
        assert_eq!(summary.drift_kind(), DriftKind::OutOfBand);
        assert_eq!(summary.drift.len(), 1);
    }

    #[test]
    fn upstream_drift_plan_has_drift_and_unapplied_changes() {
        let summary = PlanSummary::from_plan(&fixture("drift.output.json"));
        assert_eq!(summary.drift_kind(), DriftKind::OutOfBandAndUnapplied);
        assert_eq!(summary.drift[0].address, "test_instance.should_refresh");
    }

    #[test]
    fn real_actions_without_drift_are_unapplied_and_nothing_is_none() {
        let changed = PlanSummary::from_plan(&fixture("basic-create.output.json"));
        assert_eq!(changed.drift_kind(), DriftKind::Unapplied);
        let quiet = PlanSummary::from_plan(&plan(&format!(
            r#"{{"format_version":"1.2","resource_changes":[{}]}}"#,
            rc("t.a", r#"["no-op"]"#)
        )));
        assert_eq!(quiet.drift_kind(), DriftKind::None);
        assert!(quiet.counts.is_empty());
    }
}
