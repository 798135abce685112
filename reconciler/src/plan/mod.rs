//! Terraform planning, the pure part: reading `terraform show -json`,
//! summarising a plan, telling drift kinds apart, masking sensitive values,
//! rendering the per-environment comment and check, and finding which
//! environment roots a change affects.
//!
//! Running Terraform is the [`Runner`](crate::ports::runner::Runner) port's
//! job; this module never spawns anything.

pub mod comment;
pub mod json;
pub mod modules;
pub mod redact;
pub mod summary;

pub use json::PlanJson;
pub use redact::{Redacted, Redactor};
pub use summary::{ActionKind, Counts, DriftKind, PlanSummary, ResourceLine};
