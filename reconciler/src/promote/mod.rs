//! Promotion: the versions that move between environments, and the smallest
//! textual edit that moves them.
//!
//! `/promote <from> <to> [app ...]` and `/rollback <env>` both come down to
//! three pure steps over overlay files given as `(path, text)` pairs:
//!
//! 1. [`extract`] reads every version (image tag and digest, HelmRelease
//!    chart version, OCIRepository ref) with the byte span of each value;
//! 2. [`plan`] compares two environments and lists what differs, optionally
//!    for some apps only;
//! 3. [`apply_changes`] (or [`apply`], for any target versions such as a
//!    rollback's) rewrites only those value spans and returns the changed
//!    files, so the pull request's diff shows only version lines.
//!
//! Replicas, hostnames, resources and every other setting are never read,
//! so they never move. [`change_table`] and [`nothing_to_promote`] render
//! the result for people. No I/O happens here: the caller reads the files
//! and writes the commit.

mod diff;
mod edit;
mod error;
mod extract;
mod table;
mod versions;
mod yaml;

pub use diff::{Change, ChangeSet, plan};
pub use edit::{EditedFile, apply, apply_changes};
pub use error::PromoteError;
pub use extract::extract;
pub use table::{change_table, nothing_to_promote};
pub use versions::{
    EnvVersions, Field, Located, Quoting, Site, ValueSpan, VersionKey, VersionKind, VersionRef,
};
