//! What an evaluation says to people: the `bosun/gate` check (state, title,
//! summary) and the sticky pull request comment with the same account.
//! Problems (inputs that could not be read) and a pending gate past its
//! timeout turn into a failure that names them.

use std::fmt::Write as _;
use std::time::Duration;

use super::evaluate::Evaluation;
use crate::gate::summary::{SUMMARY_LIMIT, render_with_limit};
use crate::gate::{CheckSummary, GateState};
use crate::ids::Sha;
use crate::ports::forge::{CheckConclusion, CheckSpec, CheckStatus, Marker};

/// The check's name.
pub const CHECK_NAME: &str = "bosun/gate";

/// The marker of the sticky gate comment.
pub fn gate_marker() -> Marker {
    Marker::new("gate", "pr")
}

/// How long a pending gate has waited, against its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waited {
    /// Since the gate first saw this commit.
    pub waited: Duration,
    /// The configured timeout.
    pub timeout: Duration,
}

/// The check's final words: success, failure or pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The commit judged.
    pub head_sha: Sha,
    /// Success, failure, or pending (with what is missing).
    pub state: GateState,
    /// Title and Markdown.
    pub summary: CheckSummary,
}

impl Outcome {
    /// The check to set on the head commit.
    pub fn check(&self) -> CheckSpec {
        let status = match self.state {
            GateState::Success => CheckStatus::Completed(CheckConclusion::Success),
            GateState::Failure => CheckStatus::Completed(CheckConclusion::Failure),
            GateState::Pending { .. } => CheckStatus::InProgress,
        };
        CheckSpec {
            name: CHECK_NAME.to_owned(),
            head_sha: self.head_sha.clone(),
            status,
            title: self.summary.title.clone(),
            summary: self.summary.text.clone(),
        }
    }

    /// The sticky comment's body (after the marker).
    pub fn comment(&self) -> String {
        let icon = match self.state {
            GateState::Success => "✅",
            GateState::Failure => "❌",
            GateState::Pending { .. } => "⏳",
        };
        format!(
            "## {icon} {CHECK_NAME}: {}\n\n{}",
            self.summary.title, self.summary.text
        )
    }
}

/// The outcome of `evaluation`; `waited` says how long a pending gate has
/// waited (a wait at or past the timeout fails the gate).
pub fn outcome(evaluation: &Evaluation, waited: Option<Waited>) -> Outcome {
    let mut verdict = evaluation.verdict.clone();
    let mut head = String::new();
    let mut title = None;
    for note in &evaluation.notes {
        let _ = writeln!(head, "> {note}\n");
    }
    if !evaluation.problems.is_empty() {
        let _ = writeln!(head, "### Could not judge\n");
        for problem in &evaluation.problems {
            let _ = writeln!(head, "- {}", problem.replace(['\r', '\n'], " "));
        }
        head.push('\n');
        title = Some(format!(
            "Could not judge {}",
            if evaluation.problems.len() == 1 {
                "one input".to_owned()
            } else {
                format!("{} inputs", evaluation.problems.len())
            }
        ));
    }
    if let (GateState::Pending { missing }, Some(w)) = (&verdict.state, waited)
        && w.waited >= w.timeout
    {
        let after = humantime::format_duration(w.timeout);
        let _ = writeln!(
            head,
            "### Timed out\n\nWaited {after} for: {}. Nothing arrived; re-run the CI workflow to retry.\n",
            missing.join(", ")
        );
        title = Some(format!(
            "Timed out after {after} waiting for {}",
            missing.join(", ")
        ));
        verdict.state = GateState::Failure;
    }
    if verdict.state == GateState::Failure && !evaluation.missing.is_empty() && title.is_none() {
        let _ = writeln!(
            head,
            "Still waiting for: {}.\n",
            evaluation.missing.join(", ")
        );
    }
    let budget = SUMMARY_LIMIT.saturating_sub(head.chars().count());
    let rendered = render_with_limit(&verdict, budget);
    let has_blockers =
        verdict.blocking_scan().next().is_some() || !verdict.policy.denials.is_empty();
    let title = match title {
        Some(extra) if has_blockers => format!("{}; {extra}", rendered.title),
        Some(extra) => extra,
        None => rendered.title,
    };
    Outcome {
        head_sha: verdict.head_sha.clone(),
        state: verdict.state,
        summary: CheckSummary {
            title,
            text: format!("{head}{}", rendered.text),
        },
    }
}
