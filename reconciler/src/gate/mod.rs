//! The merge gate's pure core: the `bosun/gate` check is green only when
//! Trivy scans and Rego policies allow a change.
//!
//! Everything here takes bytes, strings and a date and returns data: no
//! network, no file system, no clock. The flow:
//!
//! 1. [`trivy::parse_report`] each uploaded report and
//!    [`ignore::IgnoreList`] the repository's `.trivyignore` (text or YAML).
//! 2. [`policy::PolicySet::compile`] the Rego policies, then evaluate each
//!    planned environment's terraform plan and each overlay's rendered
//!    [`manifests::ManifestSet`], with [`exceptions::Exceptions`].
//! 3. [`verdict::decide`] success, failure or pending, and
//!    [`summary::render`] the check's title and Markdown.

pub mod error;
pub mod exceptions;

pub mod ignore;
pub mod manifests;
pub mod policy;
pub mod scan;
pub mod severity;
pub mod summary;
pub mod trivy;
pub mod verdict;

pub use error::GateError;
pub use exceptions::{Exceptions, PolicyException};
pub use ignore::{FindingKind, IgnoreEntry, IgnoreList};
pub use manifests::{Manifest, ManifestSet};
pub use policy::{Level, PlanInput, PolicyFinding, PolicyReport, PolicySet, PolicySource};
pub use scan::{Disposition, ScanFinding};
pub use severity::Severity;
pub use summary::{CheckSummary, render};
pub use trivy::{TrivyReport, parse_report};
pub use verdict::{
    GateInputs, GateState, GateThresholds, GateVerdict, PolicyRun, TrivyUpload, decide,
};
