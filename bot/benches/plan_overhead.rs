//! One plan through `TerraformRunner`, for `bench/plan.sh` to time with
//! hyperfine against bare `terraform`: init (or the kept `.terraform` when
//! `BOSUN_PLAN_INIT_CACHE` names an init cache folder), plan, `show -json`,
//! the summary and the rendered comment, for the root in `BOSUN_PLAN_DIR`.
//!
//! `BOSUN_PLAN_DIR=/path/to/root cargo bench -p bosun --bench plan_overhead`.
//! Prints the step durations and the counts on stderr.

use bosun::runner::{InitCache, TerraformRunner};
use bosun_reconciler::plan::PlanSummary;
use bosun_reconciler::plan::comment::{check_summary, render_comment};
use bosun_reconciler::ports::forge::RepoFile;
use bosun_reconciler::ports::runner::{PlanRequest, Runner};
use bosun_reconciler::terraform::checkout::ProjectFiles;
use bosun_reconciler::terraform::init_key::init_key;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let Some(dir) = std::env::var_os("BOSUN_PLAN_DIR") else {
        eprintln!("plan_overhead: set BOSUN_PLAN_DIR to a Terraform root; nothing to do");
        return Ok(());
    };
    let binary = std::env::var_os("BOSUN_TERRAFORM").unwrap_or_else(|| "terraform".into());
    let started = Instant::now();
    let mut runner = TerraformRunner::new(binary, 1);
    let mut key = None;
    if let Some(cache) = std::env::var_os("BOSUN_PLAN_INIT_CACHE") {
        runner = runner.with_init_cache(InitCache::new(cache));
        key = init_key("terraform", &root_files(std::path::Path::new(&dir))?);
    }
    let request = PlanRequest {
        working_dir: PathBuf::from(dir),
        plan_file: PathBuf::from("bosun-bench.tfplan"),
        binary: None,
        timeout: Duration::from_secs(600),
        refresh: true,
        vars: Vec::new(),
        workspace: None,
        var_files: Vec::new(),
        init_key: key,
    };
    let outcome = runner.plan(&request).await?;
    let summary = PlanSummary::from_plan(&outcome.plan);
    let comment = render_comment("bench", &summary, &outcome.plan_text);
    let check = check_summary("bench", &summary);
    eprintln!(
        "{:?} {} resources, comment {} chars, check {} chars; {:?}; total {:?}",
        outcome.exit,
        outcome.plan.resource_changes.len(),
        comment.chars().count(),
        check.chars().count(),
        outcome.durations,
        started.elapsed()
    );
    Ok(())
}

/// The root's own files, as a checkout would hold them.
fn root_files(dir: &std::path::Path) -> std::io::Result<ProjectFiles> {
    let mut files = ProjectFiles::default();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(".tf") || name == ".terraform.lock.hcl" {
            files.files.push(RepoFile {
                path: name.into_owned(),
                text: std::fs::read_to_string(&path)?,
            });
        }
    }
    Ok(files)
}
