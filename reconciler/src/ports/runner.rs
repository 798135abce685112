//! The `Runner` port: run `terraform init`, `plan` and `show -json` in a checked-out
//! root and hand back the parsed plan. The adapter (a `terraform` or `tofu`
//! subprocess) lives in the `bot` crate.
//!
//! Whatever text an outcome or an error carries has been masked: sensitive
//! values never leave the adapter (see [`crate::plan::redact`]).

use crate::plan::json::PlanJson;
use crate::plan::redact::Redacted;
use async_trait::async_trait;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;
use thiserror::Error;

/// One plan to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    /// The root's directory in a per-run checkout.
    pub working_dir: PathBuf,
    /// Where to write the plan file (relative paths are taken from `working_dir`).
    pub plan_file: PathBuf,
    /// The program to run instead of the runner's own (`tofu`, a pinned path).
    pub binary: Option<PathBuf>,
    /// How long init, plan and both shows together may take.
    pub timeout: Duration,
    /// Whether the plan refreshes the state first (`false` adds `-refresh=false`).
    pub refresh: bool,
    /// Input variables, passed as `TF_VAR_<name>` in the environment.
    pub vars: Vec<PlanVar>,
    /// The Terraform workspace, selected (or created) after `init`; `None`
    /// is `default`.
    pub workspace: Option<String>,
    /// Variable files for `plan` (`-var-file`, in order), in the checkout.
    pub var_files: Vec<PathBuf>,
    /// A fingerprint of everything `init` reads (see
    /// [`crate::terraform::init_key`]): a runner that kept the `.terraform`
    /// folder of an earlier `init` with the same key may reuse it instead of
    /// running `init` again. `None`: always run `init`.
    pub init_key: Option<String>,
}

/// One input variable for a plan.
#[derive(Clone, PartialEq, Eq)]
pub struct PlanVar {
    /// The variable's name.
    pub name: String,
    /// Its value (a string, or HCL for complex types, as `TF_VAR_*` takes it).
    pub value: String,
    /// Whether the value must never be shown.
    pub sensitive: bool,
}

impl fmt::Debug for PlanVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.sensitive {
            "(sensitive value)"
        } else {
            &self.value
        };
        f.debug_struct("PlanVar")
            .field("name", &self.name)
            .field("value", &value)
            .finish()
    }
}

/// What `plan -detailed-exitcode` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanExit {
    /// Exit code 0: nothing to do.
    NoChanges,
    /// Exit code 2: the plan has changes.
    Changes,
}

/// One step of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Waiting for a free slot under the concurrency limit.
    Queue,
    /// `init`.
    Init,
    /// `plan`.
    Plan,
    /// `show -json`.
    ShowJson,
    /// `apply` of a saved plan.
    Apply,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Queue => "queue",
            Self::Init => "init",
            Self::Plan => "plan",
            Self::ShowJson => "show -json",
            Self::Apply => "apply",
        })
    }
}

/// How long each step took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepDurations {
    /// Waiting for a slot under the concurrency limit.
    pub queued: Duration,
    /// `init` (or restoring a kept `.terraform`) and selecting the workspace.
    pub init: Duration,
    /// `plan`.
    pub plan: Duration,
    /// `show -json`.
    pub show: Duration,
}

/// A finished plan.
#[derive(Debug, Clone)]
pub struct PlanOutcome {
    /// Changes or none.
    pub exit: PlanExit,
    /// The parsed `show -json`.
    pub plan: PlanJson,
    /// The `show -json` document as Terraform wrote it (for policies that
    /// read the whole plan). It holds sensitive values: never shown.
    pub raw_json: RawPlanJson,
    /// The human-readable plan (as `show -no-color` renders it), masked.
    pub plan_text: Redacted,
    /// How long each step took.
    pub durations: StepDurations,
}

/// A `show -json` document as Terraform wrote it. It may hold sensitive
/// values, so its `Debug` output says only how long it is.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawPlanJson(pub Vec<u8>);

impl fmt::Debug for RawPlanJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawPlanJson({} bytes)", self.0.len())
    }
}

/// Why a plan did not finish.
#[derive(Debug, Error)]
pub enum RunnerError {
    /// The run took longer than its timeout; the process was killed.
    #[error("terraform {step} did not finish within {after:?} and was stopped")]
    Timeout {
        /// The step that was running.
        step: Step,
        /// The request's timeout.
        after: Duration,
    },
    /// Terraform exited with an error.
    #[error("terraform {step} failed (exit code {exit_code:?})")]
    Failed {
        /// The step that failed.
        step: Step,
        /// The exit code, or `None` when killed by a signal.
        exit_code: Option<i32>,
        /// The last lines of its stderr, masked.
        stderr_tail: Redacted,
    },
    /// The program could not be started.
    #[error("could not start terraform {step}: {message}")]
    Spawn {
        /// The step.
        step: Step,
        /// Why.
        message: String,
    },
    /// Terraform's output was not what bosun expects.
    #[error("terraform {step} output is malformed: {message}")]
    Malformed {
        /// The step.
        step: Step,
        /// What was wrong.
        message: String,
    },
}

impl RunnerError {
    /// The label this error is counted under in metrics.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "runner_timeout",
            Self::Failed { .. } => "runner_failed",
            Self::Spawn { .. } => "runner_spawn",
            Self::Malformed { .. } => "runner_malformed",
        }
    }
}

/// One saved plan to apply, in the checkout it was planned in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyRequest {
    /// The root's directory in the checkout the plan was made in (already
    /// initialised by that plan).
    pub working_dir: PathBuf,
    /// The saved plan file (relative paths are taken from `working_dir`).
    pub plan_file: PathBuf,
    /// The program to run instead of the runner's own.
    pub binary: Option<PathBuf>,
    /// How long the apply may take.
    pub timeout: Duration,
    /// The plan's input variables (a saved plan carries their values; the
    /// sensitive ones are needed here only to mask the output). The
    /// workspace is the one the plan selected in the checkout.
    pub vars: Vec<PlanVar>,
}

/// A finished apply.
#[derive(Debug, Clone)]
pub struct ApplyOutcome {
    /// What `apply` printed, masked.
    pub output: Redacted,
    /// How long it took, waiting for a slot included.
    pub duration: Duration,
}

/// Runs Terraform.
#[async_trait]
pub trait Runner: Send + Sync {
    /// Runs `init`, `plan` and `show` for one root.
    async fn plan(&self, request: &PlanRequest) -> Result<PlanOutcome, RunnerError>;

    /// Applies a saved plan (`apply -input=false <plan file>`): exactly the
    /// changes that plan showed, or a failure when the state moved since.
    async fn apply(&self, request: &ApplyRequest) -> Result<ApplyOutcome, RunnerError>;
}
