//! `bosun cost [env] [--period 7d] [--chart out.png]`: the report printed,
//! and each environment's chart written next to it.

use crate::cli::CostArgs;
use async_trait::async_trait;
use bosun_commands::CommandName;
use bosun_reconciler::ports::notify::{Notice, Notifier, NotifyError};
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// Keeps the notices of one CLI run: the terminal shows the reply, and the
/// charts they carry are written to `--chart`.
#[derive(Default)]
pub struct KeptNotices(Mutex<Vec<Notice>>);

impl KeptNotices {
    /// The notices kept so far.
    pub fn take(&self) -> Vec<Notice> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait]
impl Notifier for KeptNotices {
    async fn notify(&self, notice: Notice) -> Result<(), NotifyError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(notice);
        Ok(())
    }
}

/// Where the chart of `env` goes: `path` itself for a one-environment
/// report, else `path` with `-<env>` before the extension.
pub fn chart_path(path: &Path, env: &str, several: bool) -> PathBuf {
    if !several {
        return path.to_owned();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "gpu-cost".to_owned());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{env}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{env}"),
    };
    path.with_file_name(name)
}

/// Runs `bosun cost`.
pub async fn run(args: &CostArgs) -> anyhow::Result<ExitCode> {
    let kept = Arc::new(KeptNotices::default());
    let token = args.prometheus_token.clone().map(SecretString::from);
    let deps = super::deps(token, kept.clone())?;
    let code =
        crate::oneshot::run_command_with(CommandName::Cost, &args.command, Some(&deps)).await?;
    if let Some(path) = &args.chart {
        let notices = kept.take();
        let several = notices.len() > 1;
        for notice in notices {
            let Some(chart) = notice.attachment else {
                continue;
            };
            let env = notice.thread.trim_start_matches("cost:");
            let target = chart_path(path, env, several);
            std::fs::write(&target, &chart.bytes)
                .map_err(|e| anyhow::anyhow!("writing the chart to {}: {e}", target.display()))?;
            eprintln!("chart for {env} written to {}", target.display());
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_charts_get_the_environment_in_their_name() {
        let path = Path::new("/tmp/out.png");
        assert_eq!(
            chart_path(path, "prd", false),
            PathBuf::from("/tmp/out.png")
        );
        assert_eq!(
            chart_path(path, "prd", true),
            PathBuf::from("/tmp/out-prd.png")
        );
        assert_eq!(
            chart_path(Path::new("c"), "dev", true),
            PathBuf::from("c-dev")
        );
    }
}
