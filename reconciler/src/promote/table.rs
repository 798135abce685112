//! The promotion texts people read: the change table and "nothing to
//! promote". Pure functions; the caller supplies environment names and, when
//! it knows them, since when each version runs in the source environment.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::diff::ChangeSet;
use super::versions::VersionKey;

/// The change table as Markdown: app, kind, the target's current version,
/// the new version, and since when the source has been running it
/// (`since`, by key; "unknown" where absent). Versions present on one side
/// only are listed under the table.
pub fn change_table(
    from: &str,
    to: &str,
    changes: &ChangeSet,
    since: &BTreeMap<VersionKey, DateTime<Utc>>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| app | kind | current {to} | new | running in {from} since |"
    );
    out.push_str("|---|---|---|---|---|\n");
    for change in &changes.changes {
        let when = since.get(&change.key).map_or_else(
            || "unknown".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {when} |",
            cell(&change.app),
            change.kind,
            code(&change.current.short()),
            code(&change.new.short()),
        );
    }
    not_in(
        &mut out,
        &format!("Not in {to}, so not moved:"),
        &changes.only_in_from,
    );
    not_in(
        &mut out,
        &format!("Not in {from}, so left as they are in {to}:"),
        &changes.only_in_to,
    );
    out
}

/// The reply when the two environments already run the same versions.
pub fn nothing_to_promote(from: &str, to: &str, only: &[String]) -> String {
    if only.is_empty() {
        format!("Nothing to promote: {to} already runs every version {from} runs.\n")
    } else {
        let apps: Vec<String> = only.iter().map(|a| code(a)).collect();
        format!(
            "Nothing to promote: {to} already runs the versions {from} runs for {}.\n",
            apps.join(", ")
        )
    }
}

fn not_in(out: &mut String, heading: &str, keys: &[VersionKey]) {
    if keys.is_empty() {
        return;
    }
    let _ = write!(out, "\n{heading}");
    for key in keys {
        let _ = write!(out, "\n- {}", code(key.as_str()));
    }
    out.push('\n');
}

/// Inline code, with `|` escaped so it cannot end a table cell.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('|', "\\|").replace('`', "'"))
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::super::diff::Change;
    use super::super::versions::VersionRef;
    use super::*;

    #[test]
    fn one_sided_versions_are_listed_and_pipes_escaped() {
        let oci = |semver: &str| VersionRef::OciRef {
            namespace: "certs".into(),
            name: "cert-manager".into(),
            tag: None,
            semver: Some(semver.into()),
            digest: None,
        };
        let (current, new) = (oci("1.18.x"), oci("1.19.x || 1.20.x"));
        let set = ChangeSet {
            changes: vec![Change {
                key: new.key(),
                app: new.app().into(),
                kind: new.kind(),
                current,
                new,
            }],
            only_in_from: vec![oci("x").key()],
            only_in_to: vec![
                VersionRef::Chart {
                    namespace: "gpu".into(),
                    release: "gpu-operator".into(),
                    version: "v25.3.4".into(),
                }
                .key(),
            ],
        };
        insta::assert_snapshot!(change_table("dev", "stg", &set, &BTreeMap::new()));
    }
}
