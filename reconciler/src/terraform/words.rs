//! The texts Terraform work writes for people.

use super::records::PlanRecord;
use crate::plan::{DriftKind, ResourceLine};
use std::fmt::Write as _;

/// The sticky plan comment's body while the project's lock is held by
/// another pull request.
pub(super) fn queued(project: &str, holder: u64, position: usize) -> String {
    format!(
        "### Terraform plan for `{project}`: queued\n\nQueued behind #{holder} (place {position} in line) for the `{project}` lock. bosun plans this pull request as soon as the lock is free.\n"
    )
}

/// The sticky plan comment's body when the plan failed.
pub(super) fn plan_failed(project: &str, sha: &str, message: &str) -> String {
    format!("### Terraform plan for `{project}` failed at {sha}\n\n{message}\n")
}

/// A refusal of `/apply` listing every requirement that does not hold.
pub(super) fn apply_refused(env: &str, unmet: &[String]) -> String {
    let mut out = format!("Not applying `{env}`:\n");
    for reason in unmet {
        let _ = writeln!(out, "- {reason}");
    }
    out
}

/// What `/apply` did.
pub(super) fn applied(env: &str, records: &[PlanRecord], outputs: &[(String, String)]) -> String {
    let mut out = format!("Applied `{env}`");
    if let Some(first) = records.first() {
        let _ = write!(out, " at {}", first.head_sha.short());
    }
    out.push_str(".\n");
    for (project, text) in outputs {
        let last = text
            .lines()
            .rev()
            .find(|l| l.starts_with("Apply complete!"))
            .unwrap_or("No changes to apply.");
        let _ = writeln!(out, "- `{project}`: {last}");
    }
    out
}

fn lines(out: &mut String, heading: &str, resources: &[&ResourceLine]) {
    if resources.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n**{heading}**\n");
    for line in resources {
        let _ = writeln!(out, "- `{}` ({:?})", line.address, line.action);
    }
}

/// A drift report for one project.
pub(super) fn drift_report(
    project: &str,
    env: &str,
    kind: DriftKind,
    out_of_band: &[ResourceLine],
    unapplied: &[ResourceLine],
) -> String {
    let mut out = format!("#### `{project}` ({env}): {}\n", drift_kind_words(kind));
    let outside: Vec<&ResourceLine> = out_of_band.iter().collect();
    lines(&mut out, "Changed outside Terraform", &outside);
    let merged: Vec<&ResourceLine> = unapplied.iter().collect();
    lines(&mut out, "Merged but never applied", &merged);
    out
}

/// The kind of drift in words.
pub(super) fn drift_kind_words(kind: DriftKind) -> &'static str {
    match kind {
        DriftKind::None => "no drift",
        DriftKind::OutOfBand => "changed outside Terraform",
        DriftKind::Unapplied => "merged but never applied",
        DriftKind::OutOfBandAndUnapplied => {
            "changed outside Terraform, and merged but never applied"
        }
    }
}
