//! The gate's decision for one head commit: Trivy findings and policy
//! results combined into success, failure, or pending while an expected
//! input has not arrived.
//!
//! Failure wins over pending: a blocking finding at this commit cannot be
//! undone by an input still to come, so the author hears about it at once.

use chrono::NaiveDate;

use super::ignore::IgnoreList;
use super::policy::PolicyReport;
use super::scan::{ScanFinding, judge_reports};
use super::severity::Severity;
use super::trivy::TrivyReport;
use crate::ids::Sha;

/// When Trivy findings fail the gate (`.bosun.yaml` `gate:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateThresholds {
    /// Severities that fail the gate; default CRITICAL and HIGH.
    pub fail_on: Vec<Severity>,
    /// Vulnerabilities without a fix never fail the gate; default true.
    pub ignore_unfixed: bool,
}

impl Default for GateThresholds {
    fn default() -> Self {
        GateThresholds {
            fail_on: vec![Severity::Critical, Severity::High],
            ignore_unfixed: true,
        }
    }
}

/// A Trivy report uploaded by CI for one commit.
#[derive(Debug, Clone, PartialEq)]
pub struct TrivyUpload {
    /// Its name (the artifact file, such as `trivy-image.json`); what `expected` lists.
    pub name: String,
    /// The commit CI scanned.
    pub sha: Sha,
    /// The parsed report.
    pub report: TrivyReport,
}

/// A policy evaluation of one input (a plan or an overlay's manifests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRun {
    /// Its name (`plan prd`, `flux-config/apps/prd`); what `expected` lists.
    pub name: String,
    /// What the policies said.
    pub report: PolicyReport,
}

/// Everything the gate has for a pull request's head commit.
#[derive(Debug, Clone, PartialEq)]
pub struct GateInputs {
    /// The pull request's head commit.
    pub head_sha: Sha,
    /// Names of every input the gate waits for (Trivy uploads and policy runs).
    pub expected: Vec<String>,
    /// Trivy uploads, for any commit: those for another commit are set aside.
    pub trivy: Vec<TrivyUpload>,
    /// Policy runs made at the head commit.
    pub policy: Vec<PolicyRun>,
    /// `.trivyignore` entries.
    pub ignores: IgnoreList,
}

/// The check's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateState {
    /// Every expected input arrived and nothing blocks.
    Success,
    /// Something blocks.
    Failure,
    /// Nothing blocks yet, and these inputs have not arrived.
    Pending {
        /// Names from `expected` not received.
        missing: Vec<String>,
    },
}

/// The gate's decision with everything the summary shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateVerdict {
    /// The commit judged.
    pub head_sha: Sha,
    /// Success, failure or pending.
    pub state: GateState,
    /// The thresholds used.
    pub thresholds: GateThresholds,
    /// Every Trivy finding with its disposition, in report order.
    pub scan: Vec<ScanFinding>,
    /// All policy results, merged.
    pub policy: PolicyReport,
    /// Uploads set aside because they scanned another commit.
    pub stale_uploads: Vec<String>,
}

impl GateVerdict {
    /// Trivy findings that fail the gate.
    pub fn blocking_scan(&self) -> impl Iterator<Item = &ScanFinding> {
        self.scan.iter().filter(|f| f.is_blocking())
    }
}

/// Decide the gate for `inputs` on `today`.
pub fn decide(inputs: &GateInputs, thresholds: &GateThresholds, today: NaiveDate) -> GateVerdict {
    let (current, stale): (Vec<&TrivyUpload>, Vec<&TrivyUpload>) =
        inputs.trivy.iter().partition(|u| u.sha == inputs.head_sha);
    let reports: Vec<(String, TrivyReport)> = current
        .iter()
        .map(|u| (u.name.clone(), u.report.clone()))
        .collect();
    let scan = judge_reports(&reports, thresholds, &inputs.ignores, today);
    let mut policy = PolicyReport::default();
    for run in &inputs.policy {
        policy.extend(run.report.clone());
    }
    let received: Vec<&str> = current
        .iter()
        .map(|u| u.name.as_str())
        .chain(inputs.policy.iter().map(|r| r.name.as_str()))
        .collect();
    let missing: Vec<String> = inputs
        .expected
        .iter()
        .filter(|name| !received.contains(&name.as_str()))
        .cloned()
        .collect();
    let blocked = scan.iter().any(ScanFinding::is_blocking) || !policy.denials.is_empty();
    let state = if blocked {
        GateState::Failure
    } else if !missing.is_empty() {
        GateState::Pending { missing }
    } else {
        GateState::Success
    };
    GateVerdict {
        head_sha: inputs.head_sha.clone(),
        state,
        thresholds: thresholds.clone(),
        scan,
        policy,
        stale_uploads: stale.iter().map(|u| u.name.clone()).collect(),
    }
}
