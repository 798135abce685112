//! Trivy findings judged against the thresholds and the ignore list: which
//! block the change, which are below the threshold or unfixed, which are
//! suppressed, and which are back because their ignore entry expired.

use chrono::NaiveDate;

use super::ignore::{FindingKind, FindingRef, IgnoreEntry, IgnoreList};
use super::severity::Severity;
use super::trivy::TrivyReport;
use super::verdict::GateThresholds;

/// A live ignore entry that hid a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Where the entry is written (`.trivyignore:4`).
    pub origin: String,
    /// The day it stops suppressing, if any.
    pub expires: Option<NaiveDate>,
    /// Why, when the entry says.
    pub statement: Option<String>,
}

/// What the gate does with one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Its severity is in `fail_on`: the gate fails.
    Blocking,
    /// Its severity is not in `fail_on`.
    BelowThreshold,
    /// No fix exists and `ignore_unfixed` is on.
    Unfixed,
    /// A live ignore entry hides it.
    Suppressed(Suppression),
}

/// One Trivy finding with the gate's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanFinding {
    /// The report it came from (artifact name).
    pub report: String,
    /// The scanned target (`alpine:3.9 (alpine 3.9.4)`, `Dockerfile`).
    pub target: String,
    /// Which scanner.
    pub kind: FindingKind,
    /// `CVE-…`, the misconfiguration id, or the secret rule id.
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Package name (vulnerabilities only).
    pub package: Option<String>,
    /// Installed version (vulnerabilities only; empty otherwise).
    pub installed: String,
    /// Fixed version (empty when none).
    pub fixed: String,
    /// Title or message.
    pub title: String,
    /// The decision.
    pub disposition: Disposition,
    /// An ignore entry that matched but had expired: the summary says so.
    pub expired_ignore: Option<ExpiredIgnore>,
}

/// An ignore entry that would have hidden a finding but has expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredIgnore {
    /// Where the entry is written.
    pub origin: String,
    /// The day it stopped suppressing.
    pub expired_on: NaiveDate,
}

impl ScanFinding {
    /// Does this finding fail the gate?
    pub fn is_blocking(&self) -> bool {
        self.disposition == Disposition::Blocking
    }
}

/// Judge every finding of `reports` (name, report).
pub fn judge_reports(
    reports: &[(String, TrivyReport)],
    thresholds: &GateThresholds,
    ignores: &IgnoreList,
    today: NaiveDate,
) -> Vec<ScanFinding> {
    let mut out = Vec::new();
    for (name, report) in reports {
        for result in &report.results {
            let target = result.target.as_str();
            for v in &result.vulnerabilities {
                let paths = [target, v.pkg_path.as_str()];
                let ids = [v.vulnerability_id.as_str()];
                let purl = Some(v.pkg_identifier.purl.as_str()).filter(|p| !p.is_empty());
                let finding = FindingRef {
                    kind: FindingKind::Vulnerability,
                    ids: &ids,
                    paths: &paths,
                    purl,
                };
                let unfixed = thresholds.ignore_unfixed && v.is_unfixed();
                let (disposition, expired_ignore) =
                    decide(finding, v.severity, unfixed, thresholds, ignores, today);
                out.push(ScanFinding {
                    report: name.clone(),
                    target: target.to_owned(),
                    kind: FindingKind::Vulnerability,
                    id: v.vulnerability_id.clone(),
                    severity: v.severity,
                    package: Some(v.pkg_name.clone()),
                    installed: v.installed_version.clone(),
                    fixed: v.fixed_version.clone(),
                    title: v.title.clone(),
                    disposition,
                    expired_ignore,
                });
            }
            for m in result.misconfigurations.iter().filter(|m| m.is_failure()) {
                let ids = [m.id.as_str(), m.avd_id.as_str()];
                let paths = [target];
                let finding = FindingRef {
                    kind: FindingKind::Misconfiguration,
                    ids: &ids,
                    paths: &paths,
                    purl: None,
                };
                let (disposition, expired_ignore) =
                    decide(finding, m.severity, false, thresholds, ignores, today);
                let title = if m.message.is_empty() {
                    &m.title
                } else {
                    &m.message
                };
                out.push(ScanFinding {
                    report: name.clone(),
                    target: target.to_owned(),
                    kind: FindingKind::Misconfiguration,
                    id: if m.avd_id.is_empty() {
                        m.id.clone()
                    } else {
                        m.avd_id.clone()
                    },
                    severity: m.severity,
                    package: None,
                    installed: String::new(),
                    fixed: String::new(),
                    title: title.clone(),
                    disposition,
                    expired_ignore,
                });
            }
            for s in &result.secrets {
                let ids = [s.rule_id.as_str()];
                let paths = [target];
                let finding = FindingRef {
                    kind: FindingKind::Secret,
                    ids: &ids,
                    paths: &paths,
                    purl: None,
                };
                let (disposition, expired_ignore) =
                    decide(finding, s.severity, false, thresholds, ignores, today);
                out.push(ScanFinding {
                    report: name.clone(),
                    target: format!("{target}:{}", s.start_line),
                    kind: FindingKind::Secret,
                    id: s.rule_id.clone(),
                    severity: s.severity,
                    package: None,
                    installed: String::new(),
                    fixed: String::new(),
                    title: s.title.clone(),
                    disposition,
                    expired_ignore,
                });
            }
        }
    }
    out
}

fn decide(
    finding: FindingRef<'_>,
    severity: Severity,
    unfixed: bool,
    thresholds: &GateThresholds,
    ignores: &IgnoreList,
    today: NaiveDate,
) -> (Disposition, Option<ExpiredIgnore>) {
    let entry: Option<&IgnoreEntry> = ignores.find(finding, today);
    match entry {
        Some(e) if !e.is_expired(today) => (
            Disposition::Suppressed(Suppression {
                origin: e.origin.clone(),
                expires: e.expires,
                statement: e.statement.clone(),
            }),
            None,
        ),
        expired => {
            let expired_ignore = expired.and_then(|e| {
                e.expires.map(|day| ExpiredIgnore {
                    origin: e.origin.clone(),
                    expired_on: day,
                })
            });
            let disposition = if !thresholds.fail_on.contains(&severity) {
                Disposition::BelowThreshold
            } else if unfixed {
                Disposition::Unfixed
            } else {
                Disposition::Blocking
            };
            (disposition, expired_ignore)
        }
    }
}
