//! Trivy reports from CI: when a workflow run completes, its artifact
//! (`bosun-trivy-reports` unless `.bosun.yaml` names another) is downloaded
//! once, unzipped, and every JSON report in it stored under the repository
//! and the commit the run scanned. A run is remembered once ingested, so a
//! redelivered event or a second pull request of the same head downloads
//! nothing again.

use std::io::Read;

use serde::Deserialize;
use tracing::{info, warn};

use crate::error::ReconcileError;
use crate::event::{EventKind, WorkflowRunEvent};
use crate::ids::{RepoName, Sha};
use crate::ports::forge::{Forge, ForgeError};
use crate::store::{PendingEvent, Store};

/// Store namespace of the reports, keyed `owner/name@<sha>/<file>`.
pub const REPORTS: &str = "gate-reports";
/// Store namespace of the ingested runs, keyed `owner/name/<run id>`.
pub const RUNS: &str = "gate-runs";
/// The largest report read out of an archive.
pub const MAX_REPORT_BYTES: u64 = 32 * 1024 * 1024;

/// One stored report, or why the archive it came in could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredReport {
    /// The report's bytes.
    Report(String),
    /// What went wrong.
    Unreadable(String),
}

/// A report's file name and bytes, or why it could not be read.
pub type NamedReport = (String, Result<Vec<u8>, String>);

fn report_key(repo: &RepoName, sha: &Sha, name: &str) -> String {
    format!("{repo}@{sha}/{name}")
}

/// The reports stored for `sha`: file name and bytes, or why not readable.
pub fn stored_reports(
    store: &dyn Store,
    repo: &RepoName,
    sha: &Sha,
) -> Result<Vec<NamedReport>, ReconcileError> {
    let prefix = format!("{repo}@{sha}/");
    let mut out = Vec::new();
    for (key, value) in store.scan_records(REPORTS, &prefix)? {
        let name = key.trim_start_matches(&prefix).to_owned();
        let stored: Result<StoredReport, _> = serde_json::from_slice(&value);
        out.push(match stored {
            Ok(StoredReport::Report(text)) => (name, Ok(text.into_bytes())),
            Ok(StoredReport::Unreadable(why)) => (name, Err(why)),
            Err(e) => (name, Err(format!("stored report unreadable: {e}"))),
        });
    }
    Ok(out)
}

/// Every JSON file of a zip archive: base name and bytes.
pub fn unzip_reports(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("the artifact is not a zip archive: {e}"))?;
    let mut out = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| format!("the artifact's entry {index} is unreadable: {e}"))?;
        if !entry.is_file() {
            continue;
        }
        let path = entry
            .name()
            .map_err(|e| format!("the artifact's entry {index} has no readable name: {e}"))?
            .into_owned();
        let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        if !name.ends_with(".json") {
            continue;
        }
        if entry.size() > MAX_REPORT_BYTES {
            return Err(format!(
                "{path} is {} bytes, more than bosun reads ({MAX_REPORT_BYTES})",
                entry.size()
            ));
        }
        let mut text = String::new();
        entry
            .by_ref()
            .take(MAX_REPORT_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| format!("{path} is not readable UTF-8: {e}"))?;
        out.push((name, text));
    }
    Ok(out)
}

/// The completed workflow runs among `events`.
pub fn completed_runs(events: &[PendingEvent]) -> Vec<&WorkflowRunEvent> {
    events
        .iter()
        .filter_map(|p| match &p.event.kind {
            EventKind::WorkflowRun(run) if run.conclusion.is_some() => Some(run),
            _ => None,
        })
        .collect()
}

/// Downloads and stores the reports of `run`, once.
pub async fn ingest_run(
    forge: &dyn Forge,
    store: &dyn Store,
    run: &WorkflowRunEvent,
    artifact_name: &str,
) -> Result<(), ReconcileError> {
    let run_key = format!("{}/{}", run.repo, run.run_id);
    if store.get_record(RUNS, &run_key)?.is_some() {
        return Ok(());
    }
    let artifacts = match forge.run_artifacts(&run.repo, run.run_id).await {
        Ok(artifacts) => artifacts,
        // A deleted run has nothing to read; retrying would not change that.
        Err(ForgeError::NotFound(why)) => {
            warn!(repo = %run.repo, run = run.run_id, %why, "workflow run is gone");
            Vec::new()
        }
        Err(e) => return Err(e.into()),
    };
    for artifact in artifacts.iter().filter(|a| a.name == artifact_name) {
        if artifact.expired {
            warn!(repo = %run.repo, run = run.run_id, "artifact {artifact_name} has expired");
            continue;
        }
        let stored = match forge.download_artifact(&run.repo, artifact.id).await {
            Ok(bytes) => unzip_reports(&bytes),
            Err(ForgeError::NotFound(why)) => {
                Err(format!("artifact {artifact_name} is gone: {why}"))
            }
            Err(e) => return Err(e.into()),
        };
        match stored {
            Ok(reports) => {
                info!(repo = %run.repo, run = run.run_id, reports = reports.len(), "stored Trivy reports");
                for (name, text) in reports {
                    let value = serde_json::json!({ "report": text }).to_string();
                    let key = report_key(&run.repo, &run.head_sha, &name);
                    store.put_record(REPORTS, &key, value.as_bytes())?;
                }
            }
            Err(why) => {
                let value = serde_json::json!({ "unreadable": why }).to_string();
                let key = report_key(&run.repo, &run.head_sha, artifact_name);
                store.put_record(REPORTS, &key, value.as_bytes())?;
            }
        }
    }
    store.put_record(RUNS, &run_key, run.head_sha.as_str().as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn json_files_anywhere_in_the_archive_are_read_by_base_name() {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in [
            ("trivy-image.json", "{}"),
            (
                "reports/trivy-config-terraform.json",
                "{\"SchemaVersion\": 2}",
            ),
            ("reports/trivy-image.sarif", "ignored"),
        ] {
            writer.start_file(name, options).unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        writer.add_directory("empty/", options).unwrap();
        let bytes = writer.finish().unwrap().into_inner();
        let reports = unzip_reports(&bytes).unwrap();
        let names: Vec<&str> = reports.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["trivy-image.json", "trivy-config-terraform.json"]);
        assert_eq!(reports[1].1, "{\"SchemaVersion\": 2}");
    }

    #[test]
    fn bytes_that_are_not_a_zip_say_so() {
        let err = unzip_reports(b"PK? not really").unwrap_err();
        assert!(err.contains("not a zip archive"), "{err}");
    }
}
