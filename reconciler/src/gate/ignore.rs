//! Trivy ignore files: `.trivyignore` (one id per line, `#` comments,
//! optional `exp:YYYY-MM-DD`) and `.trivyignore.yaml` (per-scanner lists with
//! `id`, `paths`, `purls`, `expired_at`, `statement`), matched as Trivy does
//! (`pkg/result/ignore.go`): same id, then any path glob, then any purl.
//!
//! Unlike Trivy, which silently drops an expired entry, the gate keeps it so
//! the summary can say that a finding is back because its entry expired. An
//! entry expires at the start of its date: on that day it no longer suppresses.

use chrono::NaiveDate;
use serde::Deserialize;

use super::error::GateError;
use crate::glob;

/// Which scanner a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// A vulnerable package.
    Vulnerability,
    /// A failed misconfiguration check.
    Misconfiguration,
    /// A secret.
    Secret,
}

/// One ignore entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// The finding id (`CVE-…`, `AVD-DS-0002`, a secret rule id).
    pub id: String,
    /// Scanners the entry applies to; every scanner for the text format.
    pub kinds: Vec<FindingKind>,
    /// Path globs; empty means every path.
    pub paths: Vec<String>,
    /// Package URLs; empty means every package.
    pub purls: Vec<String>,
    /// The day from which the entry no longer suppresses.
    pub expires: Option<NaiveDate>,
    /// Why the finding is ignored.
    pub statement: Option<String>,
    /// Where the entry is written (`.trivyignore:4`, `.trivyignore.yaml`).
    pub origin: String,
}

impl IgnoreEntry {
    /// Has the entry expired on `today`?
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires.is_some_and(|day| day <= today)
    }
}

/// A finding as the ignore rules see it.
#[derive(Debug, Clone, Copy)]
pub struct FindingRef<'a> {
    /// Which scanner.
    pub kind: FindingKind,
    /// Ids the finding is known by (a misconfiguration has `ID` and `AVDID`).
    pub ids: &'a [&'a str],
    /// Paths to match globs against (the result target, the package path).
    pub paths: &'a [&'a str],
    /// The package URL, when any.
    pub purl: Option<&'a str>,
}

/// Every entry of the repository's ignore files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreList {
    /// Entries in file order.
    pub entries: Vec<IgnoreEntry>,
}

const ALL_KINDS: [FindingKind; 3] = [
    FindingKind::Vulnerability,
    FindingKind::Misconfiguration,
    FindingKind::Secret,
];

impl IgnoreList {
    /// Read the text format of `.trivyignore`.
    pub fn parse_text(text: &str) -> Result<Self, GateError> {
        let mut entries = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split_whitespace();
            let Some(id) = fields.next() else { continue };
            let mut expires = None;
            for field in fields {
                if let Some(date) = field.strip_prefix("exp:") {
                    expires = Some(parse_date(date).map_err(|message| GateError::Ignore {
                        file: ".trivyignore".into(),
                        message: format!("line {}: {message}", index + 1),
                    })?);
                }
            }
            entries.push(IgnoreEntry {
                id: id.to_owned(),
                kinds: ALL_KINDS.to_vec(),
                paths: Vec::new(),
                purls: Vec::new(),
                expires,
                statement: None,
                origin: format!(".trivyignore:{}", index + 1),
            });
        }
        Ok(IgnoreList { entries })
    }

    /// Read the YAML format of `.trivyignore.yaml` (the `licenses` section is read and not used).
    pub fn parse_yaml(text: &str) -> Result<Self, GateError> {
        let file: YamlFile = serde_saphyr::from_str(text).map_err(|e| GateError::Ignore {
            file: ".trivyignore.yaml".into(),
            message: e.to_string(),
        })?;
        let mut entries = Vec::new();
        let sections = [
            (
                file.vulnerabilities,
                FindingKind::Vulnerability,
                "vulnerabilities",
            ),
            (
                file.misconfigurations,
                FindingKind::Misconfiguration,
                "misconfigurations",
            ),
            (file.secrets, FindingKind::Secret, "secrets"),
        ];
        for (list, kind, section) in sections {
            for (index, item) in list.into_iter().enumerate() {
                let expires = match item.expired_at.as_deref() {
                    Some(date) => Some(parse_date(date).map_err(|message| GateError::Ignore {
                        file: ".trivyignore.yaml".into(),
                        message: format!("{section}[{index}] ({}): {message}", item.id),
                    })?),
                    None => None,
                };
                entries.push(IgnoreEntry {
                    id: item.id,
                    kinds: vec![kind],
                    paths: item.paths,
                    purls: item.purls,
                    expires,
                    statement: item.statement,
                    origin: format!(".trivyignore.yaml {section}[{index}]"),
                });
            }
        }
        Ok(IgnoreList { entries })
    }

    /// The first entry that matches `finding`, expired or not.
    ///
    /// A live entry is preferred over an expired one for the same finding.
    pub fn find(&self, finding: FindingRef<'_>, today: NaiveDate) -> Option<&IgnoreEntry> {
        let mut matching = self.entries.iter().filter(|e| e.matches(finding));
        let first = matching.next()?;
        if !first.is_expired(today) {
            return Some(first);
        }
        matching.find(|e| !e.is_expired(today)).or(Some(first))
    }
}

impl IgnoreEntry {
    fn matches(&self, finding: FindingRef<'_>) -> bool {
        self.kinds.contains(&finding.kind)
            && finding.ids.iter().any(|id| *id == self.id)
            && (self.paths.is_empty()
                || self
                    .paths
                    .iter()
                    .any(|p| finding.paths.iter().any(|path| glob::matches(p, path))))
            && (self.purls.is_empty()
                || finding
                    .purl
                    .is_none_or(|purl| self.purls.iter().any(|p| purl_matches(p, purl))))
    }
}

/// Trivy's purl match: an entry without a version matches every version;
/// qualifiers and subpaths are not compared.
fn purl_matches(entry: &str, purl: &str) -> bool {
    let strip = |s: &str| -> String {
        let end = s.find(['?', '#']).unwrap_or(s.len());
        s[..end].to_owned()
    };
    let (entry, purl) = (strip(entry), strip(purl));
    if entry.contains('@') {
        entry == purl
    } else {
        purl.split('@').next() == Some(entry.as_str())
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date (expected YYYY-MM-DD)"))
}

#[derive(Deserialize)]
struct YamlFile {
    #[serde(default)]
    vulnerabilities: Vec<YamlEntry>,
    #[serde(default)]
    misconfigurations: Vec<YamlEntry>,
    #[serde(default)]
    secrets: Vec<YamlEntry>,
    #[serde(default, rename = "licenses")]
    _licenses: Vec<YamlEntry>,
}

#[derive(Deserialize)]
struct YamlEntry {
    id: String,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    purls: Vec<String>,
    #[serde(default)]
    expired_at: Option<String>,
    #[serde(default)]
    statement: Option<String>,
}
