//! Trivy JSON reports (`--format json`, `SchemaVersion` 2): only the fields
//! the gate reads; every other field is ignored so newer Trivy output keeps
//! parsing.

use serde::Deserialize;

use super::error::GateError;
use super::severity::Severity;

/// The only report schema bosun reads.
pub const SUPPORTED_SCHEMA_VERSION: i64 = 2;

/// One Trivy JSON report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrivyReport {
    /// Always 2 once parsed by [`parse_report`].
    pub schema_version: i64,
    /// What was scanned (image reference, directory, repository).
    #[serde(default)]
    pub artifact_name: String,
    /// The kind of artifact (`container_image`, `filesystem`, `repository`).
    #[serde(default)]
    pub artifact_type: String,
    /// One result per scanned target and class; absent when nothing was scanned.
    #[serde(default)]
    pub results: Vec<TrivyResult>,
}

/// The findings for one target (an OS, a lock file, a config file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrivyResult {
    /// The scanned target, such as `alpine:3.9 (alpine 3.9.4)` or `Dockerfile`.
    pub target: String,
    /// `os-pkgs`, `lang-pkgs`, `config`, `secret`, `license`, …
    #[serde(default)]
    pub class: String,
    /// The ecosystem or config type (`alpine`, `cargo`, `dockerfile`, …).
    #[serde(default, rename = "Type")]
    pub kind: String,
    /// Vulnerable packages.
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
    /// Misconfiguration checks (both `FAIL` and, with `--include-non-failures`, `PASS`).
    #[serde(default)]
    pub misconfigurations: Vec<Misconfiguration>,
    /// Secrets found in files.
    #[serde(default)]
    pub secrets: Vec<SecretFinding>,
}

/// One vulnerable package.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vulnerability {
    /// `CVE-…`, `GHSA-…`, …
    #[serde(rename = "VulnerabilityID")]
    pub vulnerability_id: String,
    /// Package name.
    pub pkg_name: String,
    /// Path of the file the package came from (language packages).
    #[serde(default)]
    pub pkg_path: String,
    /// The package's identifier, holding its purl.
    #[serde(default)]
    pub pkg_identifier: PkgIdentifier,
    /// Installed version.
    #[serde(default)]
    pub installed_version: String,
    /// First fixed version; empty when no fix exists.
    #[serde(default)]
    pub fixed_version: String,
    /// Trivy's fix status (`fixed`, `affected`, `will_not_fix`, …); may be absent.
    #[serde(default)]
    pub status: String,
    /// Severity.
    pub severity: Severity,
    /// One-line title; may be absent.
    #[serde(default)]
    pub title: String,
}

/// A package identifier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PkgIdentifier {
    /// Package URL, such as `pkg:apk/alpine/musl@1.1.20-r4`.
    #[serde(default, rename = "PURL")]
    pub purl: String,
}

impl Vulnerability {
    /// No fix is available: Trivy's `--ignore-unfixed` statuses, or no fixed version
    /// when the status is absent.
    pub fn is_unfixed(&self) -> bool {
        match self.status.as_str() {
            "affected" | "will_not_fix" | "fix_deferred" | "end_of_life" => true,
            "fixed" => false,
            _ => self.fixed_version.trim().is_empty(),
        }
    }
}

/// One misconfiguration check result.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Misconfiguration {
    /// Check id (`DS002` or `DS-0002`).
    #[serde(rename = "ID")]
    pub id: String,
    /// Aqua vulnerability database id (`AVD-DS-0002`); absent in newer reports.
    #[serde(default, rename = "AVDID")]
    pub avd_id: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// What is wrong, in this target.
    #[serde(default)]
    pub message: String,
    /// Severity.
    pub severity: Severity,
    /// `FAIL`, `PASS` or `EXCEPTION`.
    #[serde(default)]
    pub status: String,
}

impl Misconfiguration {
    /// The check failed (the only status that is a finding).
    pub fn is_failure(&self) -> bool {
        self.status.eq_ignore_ascii_case("FAIL")
    }
}

/// One secret found in a file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecretFinding {
    /// Rule id (`aws-access-key-id`).
    #[serde(rename = "RuleID")]
    pub rule_id: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// First line of the match.
    #[serde(default)]
    pub start_line: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SchemaProbe {
    schema_version: Option<i64>,
}

/// Parse one report; `name` identifies it in errors.
///
/// Rejects any `SchemaVersion` other than 2 (a missing one included) before
/// reading the rest, so an old or future format is named as such rather than
/// failing on some field.
pub fn parse_report(name: &str, bytes: &[u8]) -> Result<TrivyReport, GateError> {
    let json_error = |e: serde_json::Error| GateError::TrivyJson {
        name: name.to_owned(),
        message: e.to_string(),
    };
    let probe: SchemaProbe = serde_json::from_slice(bytes).map_err(json_error)?;
    match probe.schema_version {
        Some(SUPPORTED_SCHEMA_VERSION) => serde_json::from_slice(bytes).map_err(json_error),
        other => Err(GateError::TrivySchema {
            name: name.to_owned(),
            found: other.unwrap_or(0),
        }),
    }
}
