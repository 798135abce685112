//! The check's title and Markdown summary, rendered from a verdict: a table
//! per Trivy report, a table per policy input, then warnings and suppressed
//! findings with their expiry. Long tables fold into `<details>`, and the
//! whole text stays within GitHub's 65,535-character limit for a check
//! run's summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::ignore::FindingKind;
use super::policy::PolicyFinding;
use super::scan::{Disposition, ScanFinding};
use super::verdict::{GateState, GateVerdict};

/// GitHub's limit on a check run's `output.summary`.
pub const SUMMARY_LIMIT: usize = 65_535;
/// Tables with more rows than this are folded.
pub const FOLD_ROWS: usize = 10;

/// A check run's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    /// One line, for the check's title.
    pub title: String,
    /// Markdown, at most [`SUMMARY_LIMIT`] characters.
    pub text: String,
}

/// Render `verdict` for the `bosun/gate` check.
pub fn render(verdict: &GateVerdict) -> CheckSummary {
    render_with_limit(verdict, SUMMARY_LIMIT)
}

/// Render with another length limit (for tests of the cut).
pub fn render_with_limit(verdict: &GateVerdict, limit: usize) -> CheckSummary {
    let mut out = String::new();
    let t = &verdict.thresholds;
    let fail_on: Vec<&str> = t.fail_on.iter().map(|s| s.as_str()).collect();
    let _ = writeln!(
        out,
        "**bosun/gate** at `{}`: {}. Trivy fails on {}; unfixed vulnerabilities {}.\n",
        verdict.head_sha.short(),
        state_word(&verdict.state),
        if fail_on.is_empty() {
            "nothing".to_owned()
        } else {
            fail_on.join(", ")
        },
        if t.ignore_unfixed {
            "are ignored"
        } else {
            "count"
        },
    );
    if let GateState::Pending { missing } = &verdict.state {
        let _ = writeln!(out, "Waiting for: {}.\n", missing.join(", "));
    }
    if !verdict.stale_uploads.is_empty() {
        let _ = writeln!(
            out,
            "Set aside (scanned another commit): {}.\n",
            verdict.stale_uploads.join(", ")
        );
    }
    render_scan(&mut out, &verdict.scan);
    render_policy(&mut out, verdict);
    CheckSummary {
        title: title(verdict),
        text: cut(out, limit),
    }
}

fn state_word(state: &GateState) -> &'static str {
    match state {
        GateState::Success => "success",
        GateState::Failure => "failure",
        GateState::Pending { .. } => "pending",
    }
}

fn title(v: &GateVerdict) -> String {
    let vulns = v.blocking_scan().count();
    let denials = v.policy.denials.len();
    match &v.state {
        GateState::Failure => {
            let mut parts = Vec::new();
            if vulns > 0 {
                parts.push(plural(
                    vulns,
                    "blocking scan finding",
                    "blocking scan findings",
                ));
            }
            if denials > 0 {
                parts.push(plural(denials, "policy denial", "policy denials"));
            }
            format!("Blocked: {}", parts.join(", "))
        }
        GateState::Pending { missing } => format!("Waiting for {}", missing.join(", ")),
        GateState::Success => {
            let warns = v.policy.warnings.len();
            if warns == 0 {
                "Scans and policies allow this change".to_owned()
            } else {
                format!(
                    "Scans and policies allow this change ({})",
                    plural(warns, "warning", "warnings")
                )
            }
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn render_scan(out: &mut String, scan: &[ScanFinding]) {
    let mut by_report: BTreeMap<&str, Vec<&ScanFinding>> = BTreeMap::new();
    for f in scan
        .iter()
        .filter(|f| !matches!(f.disposition, Disposition::Suppressed(_)))
    {
        by_report.entry(&f.report).or_default().push(f);
    }
    for (report, mut findings) in by_report {
        findings.sort_by_key(|f| {
            (
                !f.is_blocking(),
                std::cmp::Reverse(f.severity),
                f.kind,
                f.id.clone(),
            )
        });
        let blocking = findings.iter().filter(|f| f.is_blocking()).count();
        let _ = writeln!(out, "### Trivy: {}\n", cell(report));
        let rows: Vec<String> = findings.iter().map(|f| scan_row(f)).collect();
        table(
            out,
            "| Gate | Severity | ID | Package | Installed → Fixed | Target |",
            &rows,
            &format!("{} findings, {blocking} blocking", findings.len()),
        );
    }
}

fn scan_row(f: &ScanFinding) -> String {
    let gate = match &f.disposition {
        Disposition::Blocking => "❌ blocks",
        Disposition::BelowThreshold => "below threshold",
        Disposition::Unfixed => "no fix yet",
        Disposition::Suppressed(_) => "suppressed",
    };
    let mut id = cell(&f.id);
    if let Some(e) = &f.expired_ignore {
        let _ = write!(
            id,
            " (ignore entry {} expired {})",
            cell(&e.origin),
            e.expired_on
        );
    }
    let package = match (&f.kind, &f.package) {
        (FindingKind::Vulnerability, Some(p)) => cell(p),
        (FindingKind::Misconfiguration, _) => format!("config: {}", cell(&f.title)),
        (FindingKind::Secret, _) => format!("secret: {}", cell(&f.title)),
        _ => String::new(),
    };
    let versions = if f.kind == FindingKind::Vulnerability {
        let fixed = if f.fixed.is_empty() { "none" } else { &f.fixed };
        format!("{} → {}", cell(&f.installed), cell(fixed))
    } else {
        "—".to_owned()
    };
    format!(
        "| {gate} | {} | {id} | {package} | {versions} | {} |",
        f.severity,
        cell(&f.target)
    )
}

fn render_policy(out: &mut String, v: &GateVerdict) {
    let mut by_source: BTreeMap<&str, Vec<&PolicyFinding>> = BTreeMap::new();
    for d in &v.policy.denials {
        by_source.entry(&d.source).or_default().push(d);
    }
    for (source, denials) in by_source {
        let _ = writeln!(out, "### Policy: {}\n", cell(source));
        let rows: Vec<String> = denials
            .iter()
            .map(|d| {
                let mut message = cell(&d.message);
                if let Some(e) = &d.expired_exception {
                    let _ = write!(
                        message,
                        " (exception by {} expired {})",
                        cell(&e.owner),
                        e.expires
                    );
                }
                format!(
                    "| ❌ {} | {} | {message} |",
                    cell(&d.policy),
                    cell(&d.resource)
                )
            })
            .collect();
        table(
            out,
            "| Policy | Resource | Message |",
            &rows,
            &plural(rows.len(), "denial", "denials"),
        );
    }
    if !v.policy.warnings.is_empty() {
        let _ = writeln!(out, "### Warnings\n");
        let rows: Vec<String> = v
            .policy
            .warnings
            .iter()
            .map(|w| {
                format!(
                    "| {} | {} | {} | {} |",
                    cell(&w.source),
                    cell(&w.policy),
                    cell(&w.resource),
                    cell(&w.message)
                )
            })
            .collect();
        table(
            out,
            "| Source | Policy | Resource | Message |",
            &rows,
            &plural(rows.len(), "warning", "warnings"),
        );
    }
    let mut rows = Vec::new();
    for f in &v.scan {
        if let Disposition::Suppressed(s) = &f.disposition {
            let expires = s.expires.map_or("never".to_owned(), |d| d.to_string());
            let why = s
                .statement
                .as_deref()
                .map(|t| format!(": {}", cell(t)))
                .unwrap_or_default();
            let package = f
                .package
                .as_deref()
                .map(|p| format!(" in {}", cell(p)))
                .unwrap_or_default();
            rows.push(format!(
                "| {} | {} {}{package} | {} | {}{why} | {expires} |",
                cell(&f.report),
                f.severity,
                cell(&f.id),
                cell(&f.target),
                cell(&s.origin)
            ));
        }
    }
    for (f, e) in &v.policy.excepted {
        let why = e
            .reason
            .as_deref()
            .map(|t| format!(": {}", cell(t)))
            .unwrap_or_default();
        rows.push(format!(
            "| {} | {} | {} | exception, owner {}{why} | {} |",
            cell(&f.source),
            cell(&f.policy),
            cell(&f.resource),
            cell(&e.owner),
            e.expires
        ));
    }
    if !rows.is_empty() {
        let _ = writeln!(out, "### Suppressed\n");
        table(
            out,
            "| Source | Finding | Target or resource | By | Expires |",
            &rows,
            &plural(rows.len(), "suppressed finding", "suppressed findings"),
        );
    }
}

fn table(out: &mut String, header: &str, rows: &[String], label: &str) {
    let columns = header.matches('|').count() - 1;
    let fold = rows.len() > FOLD_ROWS;
    if fold {
        let _ = writeln!(out, "<details><summary>{label}</summary>\n");
    }
    let _ = writeln!(out, "{header}\n|{}", "---|".repeat(columns));
    for row in rows {
        let _ = writeln!(out, "{row}");
    }
    out.push('\n');
    if fold {
        out.push_str("</details>\n\n");
    }
}

/// A table cell: pipes escaped, line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Keep `text` within `limit` characters: cut at a line break, close an open
/// `<details>`, and say how much was left out.
fn cut(text: String, limit: usize) -> String {
    let total = text.chars().count();
    if total <= limit {
        return text;
    }
    let reserve = 160;
    let room = limit.saturating_sub(reserve);
    let head: String = text.chars().take(room).collect();
    let head = match head.rfind('\n') {
        Some(end) if end > 0 => head[..end + 1].to_owned(),
        _ => head,
    };
    let left_out = total - head.chars().count();
    let mut out = head;
    if out.matches("<details>").count() > out.matches("</details>").count() {
        out.push_str("\n</details>\n");
    }
    let _ = write!(
        out,
        "\n**{left_out} characters were cut to fit GitHub's limit of {limit}.**\n"
    );
    out
}
