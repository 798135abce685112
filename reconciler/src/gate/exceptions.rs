//! Policy exceptions: data written by people, `exceptions: [{policy,
//! resource, owner, expires, reason}]`, that excuse one policy for matching
//! resources until a date. An expired exception excuses nothing and is
//! reported, so the denial shows again with the reason it is back.

use chrono::NaiveDate;
use serde::Deserialize;

use super::error::GateError;
use crate::glob;

/// One exception.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyException {
    /// The policy id it excuses (`k8s.no-privileged`), or `*`.
    pub policy: String,
    /// Resource glob (`DaemonSet/gpu-operator/*`, `module.acr.azurerm_container_registry.this`).
    pub resource: String,
    /// Who answers for it.
    pub owner: String,
    /// The day from which it no longer applies.
    pub expires: NaiveDate,
    /// Why it exists.
    #[serde(default)]
    pub reason: Option<String>,
}

impl PolicyException {
    /// Has it expired on `today`?
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires <= today
    }

    fn matches(&self, policy: &str, resource: &str) -> bool {
        (self.policy == "*" || self.policy == policy) && glob::matches(&self.resource, resource)
    }
}

/// Every exception of a repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exceptions {
    /// In file order.
    #[serde(default)]
    pub exceptions: Vec<PolicyException>,
}

impl Exceptions {
    /// Read `exceptions.yaml` (JSON is YAML too).
    pub fn parse(text: &str) -> Result<Self, GateError> {
        serde_saphyr::from_str(text).map_err(|e| GateError::Exceptions {
            message: e.to_string(),
        })
    }

    /// The exception for `policy` on `resource`: a live one if any, else an expired one.
    pub fn find(&self, policy: &str, resource: &str, today: NaiveDate) -> Option<&PolicyException> {
        let mut matching = self
            .exceptions
            .iter()
            .filter(|e| e.matches(policy, resource));
        let first = matching.next()?;
        if !first.is_expired(today) {
            return Some(first);
        }
        matching.find(|e| !e.is_expired(today)).or(Some(first))
    }
}
