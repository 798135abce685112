//! One plan through `TerraformRunner`, for `bench/plan.sh` to time with
//! hyperfine against bare `terraform`: init, plan, both shows, the summary
//! and the rendered comment, for the root in `BOSUN_PLAN_DIR`.
//!
//! `BOSUN_PLAN_DIR=/path/to/root cargo bench -p bosun --bench plan_overhead`.
//! Prints the step durations and the counts on stderr.

use bosun::runner::TerraformRunner;
use bosun_reconciler::plan::PlanSummary;
use bosun_reconciler::plan::comment::{check_summary, render_comment};
use bosun_reconciler::ports::runner::{PlanRequest, Runner};
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
    let request = PlanRequest {
        working_dir: PathBuf::from(dir),
        plan_file: PathBuf::from("bosun-bench.tfplan"),
        binary: None,
        timeout: Duration::from_secs(600),
        refresh: true,
        vars: Vec::new(),
        workspace: None,
    };
    let outcome = TerraformRunner::new(binary, 1).plan(&request).await?;
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
