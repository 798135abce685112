//! `TerraformRunner` reusing `.terraform` between fresh checkouts with the
//! same init key, against the real `terraform` on `PATH`. A logging wrapper
//! script in front of `terraform` records which subcommands ran, so the
//! tests see whether `init` did.

use bosun::runner::{InitCache, TerraformRunner};
use bosun_reconciler::plan::Redacted;
use bosun_reconciler::ports::runner::{ApplyRequest, PlanExit, PlanRequest, PlanVar, Runner};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// A `terraform` that appends its subcommand and the plugin cache it was
/// given to `calls.log` beside itself, then runs the real one.
struct LoggingTerraform {
    dir: TempDir,
}

impl LoggingTerraform {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("terraform");
        std::fs::write(
            &script,
            "#!/bin/sh\necho \"$1 ${TF_PLUGIN_CACHE_DIR:-no-plugin-cache}\" >> \"$(dirname \"$0\")/calls.log\"\nexec terraform \"$@\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        Self { dir }
    }

    fn binary(&self) -> PathBuf {
        self.dir.path().join("terraform")
    }

    /// The subcommands run since the last call, and empties the log.
    fn take_calls(&self) -> Vec<String> {
        let log = self.dir.path().join("calls.log");
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(log);
        calls
            .lines()
            .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
            .collect()
    }

    fn plugin_caches(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("calls.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once(' ').map(|(_, cache)| cache.to_owned()))
            .collect()
    }
}

/// A fresh checkout: a root folder with these files.
fn checkout(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn request(dir: &Path, terraform: &LoggingTerraform, key: &str) -> PlanRequest {
    PlanRequest {
        working_dir: dir.to_path_buf(),
        plan_file: PathBuf::from("bosun.tfplan"),
        binary: Some(terraform.binary()),
        timeout: Duration::from_secs(120),
        refresh: true,
        vars: Vec::new(),
        workspace: None,
        var_files: Vec::new(),
        init_key: Some(key.to_owned()),
    }
}

fn shown(text: &Redacted) -> &str {
    match text {
        Redacted::Shown(text) => text,
        Redacted::Withheld => panic!("text was withheld"),
    }
}

/// A root whose state lives outside the checkout, as a remote backend's
/// would, so that every fresh checkout plans against the same state.
fn root_tf(state: &Path, input: &str) -> String {
    format!(
        "terraform {{\n  backend \"local\" {{\n    path = \"{}\"\n  }}\n}}\n\nresource \"terraform_data\" \"app\" {{\n  input = \"{input}\"\n}}\n",
        state.display()
    )
}

#[tokio::test]
async fn a_fresh_checkout_with_the_same_init_key_plans_and_applies_without_init() {
    let terraform = LoggingTerraform::new();
    let kept = tempfile::tempdir().unwrap();
    let plugins = tempfile::tempdir().unwrap();
    let runner = TerraformRunner::new("terraform", 1)
        .with_init_cache(InitCache::new(kept.path()))
        .with_default_plugin_cache(plugins.path())
        .unwrap();
    let state = tempfile::tempdir().unwrap();
    let state = state.path().join("app.tfstate");

    let first = checkout(&[("main.tf", &root_tf(&state, "v1"))]);
    let planned = runner
        .plan(&request(first.path(), &terraform, "key1"))
        .await
        .unwrap();
    assert_eq!(planned.exit, PlanExit::Changes);
    assert_eq!(terraform.take_calls(), ["init", "plan", "show"]);

    // The next push edits a resource: same key, a new checkout, no init.
    let second = checkout(&[("main.tf", &root_tf(&state, "v2"))]);
    let second_request = request(second.path(), &terraform, "key1");
    let planned = runner.plan(&second_request).await.unwrap();
    assert_eq!(planned.exit, PlanExit::Changes);
    assert!(shown(&planned.plan_text).contains("+ input  = \"v2\""));
    assert_eq!(terraform.take_calls(), ["plan", "show"]);
    let plugin_cache = plugins.path().display().to_string();
    assert!(
        terraform.plugin_caches().iter().all(|c| *c == plugin_cache),
        "{:?}",
        terraform.plugin_caches()
    );

    // The reused folder is good for applying the saved plan too.
    let applied = runner
        .apply(&ApplyRequest {
            working_dir: second_request.working_dir.clone(),
            plan_file: second_request.plan_file.clone(),
            binary: second_request.binary.clone(),
            timeout: Duration::from_secs(120),
            vars: Vec::new(),
        })
        .await
        .unwrap();
    assert!(shown(&applied.output).contains("Apply complete! Resources: 1 added"));
    let third = checkout(&[("main.tf", &root_tf(&state, "v2"))]);
    let planned = runner
        .plan(&request(third.path(), &terraform, "key1"))
        .await
        .unwrap();
    assert_eq!(planned.exit, PlanExit::NoChanges);
}

#[tokio::test]
async fn a_reused_folder_that_terraform_refuses_falls_back_to_a_real_init() {
    let terraform = LoggingTerraform::new();
    let kept = tempfile::tempdir().unwrap();
    let runner = TerraformRunner::new("terraform", 1).with_init_cache(InitCache::new(kept.path()));
    let plain = checkout(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n")]);
    runner
        .plan(&request(plain.path(), &terraform, "same"))
        .await
        .unwrap();
    terraform.take_calls();

    // A module call that the kept folder never installed, under the same
    // key (as if the key had missed it): Terraform asks for init.
    let with_module = checkout(&[
        (
            "main.tf",
            "resource \"terraform_data\" \"a\" {}\nmodule \"m\" {\n  source = \"./m\"\n}\n",
        ),
        (
            "m/main.tf",
            "resource \"terraform_data\" \"in_module\" {}\n",
        ),
    ]);
    let planned = runner
        .plan(&request(with_module.path(), &terraform, "same"))
        .await
        .unwrap();
    assert_eq!(terraform.take_calls(), ["plan", "init", "plan", "show"]);
    assert!(shown(&planned.plan_text).contains("module.m.terraform_data.in_module"));

    // The refused entry was replaced by the new init's.
    let again = checkout(&[
        (
            "main.tf",
            "resource \"terraform_data\" \"a\" {}\nmodule \"m\" {\n  source = \"./m\"\n}\n",
        ),
        (
            "m/main.tf",
            "resource \"terraform_data\" \"in_module\" {}\n",
        ),
    ]);
    runner
        .plan(&request(again.path(), &terraform, "same"))
        .await
        .unwrap();
    assert_eq!(terraform.take_calls(), ["plan", "show"]);
}

#[tokio::test]
async fn the_plan_text_is_exactly_what_show_renders_for_the_saved_plan() {
    let terraform = LoggingTerraform::new();
    let state = tempfile::tempdir().unwrap();
    let state = state.path().join("app.tfstate");
    let root = checkout(&[(
        "main.tf",
        &format!(
            "{}\nresource \"terraform_data\" \"other\" {{\n  input = var.x\n}}\nvariable \"x\" {{\n  default   = \"first-secret-value\"\n  sensitive = true\n}}\n",
            root_tf(&state, "v1")
        ),
    )]);
    let runner = TerraformRunner::new("terraform", 1);
    let first = runner
        .plan(&request(root.path(), &terraform, "k"))
        .await
        .unwrap();
    assert_eq!(first.exit, PlanExit::Changes);
    let apply = ApplyRequest {
        working_dir: root.path().to_path_buf(),
        plan_file: PathBuf::from("bosun.tfplan"),
        binary: Some(terraform.binary()),
        timeout: Duration::from_secs(120),
        vars: Vec::new(),
    };
    runner.apply(&apply).await.unwrap();

    // Refreshing two objects prints progress lines before the plan.
    let mut request = request(root.path(), &terraform, "k");
    request.vars.push(PlanVar {
        name: "x".to_owned(),
        value: "second-secret-value".to_owned(),
        sensitive: true,
    });
    let planned = runner.plan(&request).await.unwrap();
    let show = std::process::Command::new("terraform")
        .args(["show", "-no-color", "bosun.tfplan"])
        .env("TF_IN_AUTOMATION", "1")
        .current_dir(root.path())
        .output()
        .unwrap();
    assert!(show.status.success());
    // Terraform itself prints the old `output` in the clear; bosun masks
    // every value the plan marks sensitive, so that is the one difference.
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(show.contains("\"first-secret-value\""));
    assert_eq!(
        shown(&planned.plan_text).trim_end(),
        show.trim()
            .replace("\"first-secret-value\"", "\"(sensitive value)\"")
    );
}
