//! `bosun audit`: the audit log as a table or JSON, read from the store, or
//! from the running server when it holds the store.

use bosun_reconciler::audit::{AuditDecision, AuditEntry};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// The moment `span` (`24h`, `7d`, `90m`) before now.
pub fn since(span: &str) -> Result<DateTime<Utc>, String> {
    let duration = humantime::parse_duration(span)
        .map_err(|e| format!("`--since {span}`: {e} (write e.g. 24h, 7d, 90m)"))?;
    let duration = chrono::Duration::from_std(duration)
        .map_err(|_| format!("`--since {span}` is too long"))?;
    Ok(Utc::now() - duration)
}

fn decision(entry: &AuditEntry) -> String {
    match &entry.decision {
        AuditDecision::Allowed => "allowed".to_owned(),
        AuditDecision::Refused { needed } => format!("refused (needs {needed})"),
        AuditDecision::Invalid { .. } => "invalid".to_owned(),
    }
}

/// The entries as an aligned text table, oldest first.
pub fn table(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return "No commands in that period.\n".to_owned();
    }
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            [
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.who.to_string(),
                e.place.to_string(),
                e.text.clone(),
                decision(e),
                e.outcome
                    .as_ref()
                    .map_or_else(|| "pending".to_owned(), |o| o.result.clone()),
            ]
        })
        .collect();
    let header = [
        "when (UTC)",
        "who",
        "where",
        "command",
        "decision",
        "outcome",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(&header);
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&cells);
    }
    out
}
