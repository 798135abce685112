//! `.bosun.yaml`'s `gate:` section: when the merge gate (`bosun/gate`) runs
//! and what fails it. The gate runs only for repositories that have the
//! section (an empty `gate: {}` means every default).
//!
//! ```yaml
//! gate:
//!   fail_on: [CRITICAL, HIGH]   # Trivy severities that fail the gate
//!   ignore_unfixed: true        # vulnerabilities without a fix never fail it
//!   timeout: 30m                # pending longer than this fails, naming what is missing
//!   artifact: bosun-trivy-reports  # the CI artifact holding the Trivy reports
//!   expect: [trivy-image.json]  # reports the gate waits for (default: any one report)
//! ```

use super::repo_config::ConfigError;
use crate::gate::{GateThresholds, Severity};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::time::Duration;

/// The artifact the repository templates' Trivy workflow uploads.
pub const DEFAULT_ARTIFACT: &str = "bosun-trivy-reports";
/// How long the gate waits for an expected input by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GateSection {
    #[serde(default)]
    fail_on: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore_unfixed: Option<bool>,
    #[serde(default)]
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    artifact: Option<Spanned<String>>,
    #[serde(default)]
    expect: Vec<Spanned<String>>,
}

/// The merge gate's settings, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateSettings {
    /// Severities that fail the gate and whether unfixed ones count.
    pub thresholds: GateThresholds,
    /// How long the gate stays pending before it fails.
    pub timeout: Duration,
    /// The name of the CI artifact holding the Trivy reports.
    pub artifact: String,
    /// Report file names the gate waits for; empty: any one report of the artifact.
    pub expect: Vec<String>,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            thresholds: GateThresholds::default(),
            timeout: DEFAULT_TIMEOUT,
            artifact: DEFAULT_ARTIFACT.to_owned(),
            expect: Vec::new(),
        }
    }
}

fn at(spanned: &Spanned<String>, message: String) -> ConfigError {
    ConfigError {
        line: Some(spanned.referenced.line()),
        message,
    }
}

impl GateSettings {
    /// Reads the section; `None` (no section) turns the gate off.
    pub(super) fn parse(section: Option<GateSection>) -> Result<Option<Self>, ConfigError> {
        let Some(section) = section else {
            return Ok(None);
        };
        let mut settings = Self::default();
        if let Some(words) = section.fail_on {
            let mut fail_on = Vec::new();
            for word in &words {
                let severity: Severity = word.value.trim().parse().map_err(|_| {
                    at(
                        word,
                        format!(
                            "gate.fail_on: unknown severity `{}` (severities are CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN)",
                            word.value
                        ),
                    )
                })?;
                if !fail_on.contains(&severity) {
                    fail_on.push(severity);
                }
            }
            settings.thresholds.fail_on = fail_on;
        }
        if let Some(flag) = section.ignore_unfixed {
            settings.thresholds.ignore_unfixed = flag;
        }
        if let Some(text) = &section.timeout {
            settings.timeout = humantime::parse_duration(text.value.trim()).map_err(|e| {
                at(
                    text,
                    format!(
                        "gate.timeout: `{}` is not a duration ({e}); write e.g. `30m` or `1h`",
                        text.value
                    ),
                )
            })?;
        }
        if let Some(name) = &section.artifact {
            if name.value.trim().is_empty() {
                return Err(at(name, "gate.artifact: the name is empty".to_owned()));
            }
            settings.artifact = name.value.trim().to_owned();
        }
        for name in &section.expect {
            if name.value.trim().is_empty() || name.value.contains('/') {
                return Err(at(
                    name,
                    format!(
                        "gate.expect: `{}` is not a report file name (such as `trivy-image.json`)",
                        name.value
                    ),
                ));
            }
            settings.expect.push(name.value.trim().to_owned());
        }
        Ok(Some(settings))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RepoConfig;
    use crate::gate::Severity;
    use std::time::Duration;

    #[test]
    fn no_section_means_no_gate_and_an_empty_one_means_defaults() {
        assert!(RepoConfig::parse("roles: {}\n").unwrap().gate.is_none());
        let gate = RepoConfig::parse("gate: {}\n").unwrap().gate.unwrap();
        assert_eq!(
            gate.thresholds.fail_on,
            [Severity::Critical, Severity::High]
        );
        assert!(gate.thresholds.ignore_unfixed);
        assert_eq!(gate.timeout, Duration::from_secs(1800));
        assert_eq!(gate.artifact, "bosun-trivy-reports");
    }

    #[test]
    fn every_setting_is_read() {
        let text = "gate:\n  fail_on: [critical, MEDIUM]\n  ignore_unfixed: false\n  timeout: 1h 30m\n  artifact: scans\n  expect: [trivy-image.json]\n";
        let gate = RepoConfig::parse(text).unwrap().gate.unwrap();
        assert_eq!(
            gate.thresholds.fail_on,
            [Severity::Critical, Severity::Medium]
        );
        assert!(!gate.thresholds.ignore_unfixed);
        assert_eq!(gate.timeout, Duration::from_secs(5400));
        assert_eq!(gate.artifact, "scans");
        assert_eq!(gate.expect, ["trivy-image.json"]);
    }

    #[test]
    fn mistakes_name_the_key_and_line() {
        let err = RepoConfig::parse("gate:\n  fail_on:\n    - HIGH\n    - SEVERE\n").unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(
            err.message.contains("gate.fail_on") && err.message.contains("SEVERE"),
            "{err}"
        );
        let err = RepoConfig::parse("gate:\n  timeout: soon\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("gate.timeout"), "{err}");
        let err = RepoConfig::parse("gate:\n  fail_onn: [HIGH]\n").unwrap_err();
        assert!(err.to_string().contains("fail_onn"), "{err}");
    }
}
