//! What bosun says on a promotion pull request after it merges: that it
//! waits for Flux, then that the environment runs the new versions, or why
//! Flux could not apply them.
//!
//! Each function here has a snapshot test, so a change to what users read is
//! always a reviewed change.

use crate::ids::Sha;
use crate::promotion::{Applied, MovedVersion};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// The comment on a merged promotion while Flux has not reported yet.
pub fn promotion_waiting(to: &str, merged_sha: &Sha) -> String {
    format!(
        "### Promotion merged\n\nMerged as `{}`; waiting for `{to}` to apply `{}`.\n\nbosun comments here when Flux reports on `{to}`.\n",
        merged_sha.short(),
        merged_sha.short()
    )
}

/// The comment once Flux reconciled the target environment at a revision
/// containing the merge.
pub fn promotion_applied(
    to: &str,
    moves: &[MovedVersion],
    applied: &Applied,
    merged_at: Option<DateTime<Utc>>,
) -> String {
    let mut out = format!("### `{to}` now runs the new versions\n\n");
    let _ = write!(out, "Flux reconciled `{to}` at `{}`", applied.revision);
    match merged_at {
        Some(merged) => {
            let _ = writeln!(out, ", {} after the merge.", after(merged, applied.at));
        }
        None => out.push_str(".\n"),
    }
    out.push('\n');
    out.push_str(&moves_table(moves));
    out
}

/// The comment when Flux failed to reconcile, or to find healthy, the
/// target environment at a revision containing the merge.
pub fn promotion_failed(to: &str, applied: &Applied, merged_at: Option<DateTime<Utc>>) -> String {
    let mut out = format!("### `{to}` did not apply the promotion\n\n");
    let _ = write!(
        out,
        "Flux reported `{}` for `{to}` at `{}`",
        applied.reason, applied.revision
    );
    match merged_at {
        Some(merged) => {
            let _ = writeln!(out, ", {} after the merge:", after(merged, applied.at));
        }
        None => out.push_str(":\n"),
    }
    out.push('\n');
    out.push_str(&fenced(&applied.message));
    let _ = writeln!(
        out,
        "\nIf `{to}` should go back to what it ran before, comment `/rollback {to}`."
    );
    out
}

/// How long after `from` something happened at `to`, as people say it
/// (`less than a minute`, `4 min`, `2 h 5 min`, `3 days`). A time before
/// `from` (clocks apart) counts as no time.
pub fn humanize_delay(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let minutes = (to - from).num_minutes().max(0);
    match minutes {
        0 => "less than a minute".to_owned(),
        1..=59 => format!("{minutes} min"),
        60..=2879 => match minutes % 60 {
            0 => format!("{} h", minutes / 60),
            rest => format!("{} h {rest} min", minutes / 60),
        },
        _ => format!("{} days", minutes / (60 * 24)),
    }
}

fn after(merged: DateTime<Utc>, at: DateTime<Utc>) -> String {
    humanize_delay(merged, at)
}

fn moves_table(moves: &[MovedVersion]) -> String {
    if moves.is_empty() {
        return String::new();
    }
    let mut out = String::from("| app | kind | before | now |\n|---|---|---|---|\n");
    for moved in moves {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | `{}` |",
            moved.app, moved.kind, moved.from_version, moved.to_version
        );
    }
    out
}

/// `text` in a code block whose fence is longer than any run of backticks
/// inside it, so Flux's message cannot close it early.
fn fenced(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    let body = if text.trim().is_empty() {
        "(Flux sent no message)"
    } else {
        text.trim_end()
    };
    format!("{fence}\n{body}\n{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn merged_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn sha() -> Sha {
        "4f2a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a".parse().unwrap()
    }

    fn moves() -> Vec<MovedVersion> {
        vec![
            MovedVersion {
                app: "vllm-openai".to_owned(),
                kind: "image".to_owned(),
                from_version: "v0.6.2".to_owned(),
                to_version: "v0.6.3".to_owned(),
            },
            MovedVersion {
                app: "ingress-nginx".to_owned(),
                kind: "chart".to_owned(),
                from_version: "4.11.2".to_owned(),
                to_version: "4.11.3".to_owned(),
            },
        ]
    }

    fn applied(succeeded: bool, reason: &str, message: &str) -> Applied {
        Applied {
            succeeded,
            revision: format!("main@sha1:{}", sha()),
            reason: reason.to_owned(),
            message: message.to_owned(),
            at: merged_at() + chrono::Duration::minutes(4) + chrono::Duration::seconds(20),
        }
    }

    #[test]
    fn promotion_waiting_names_the_environment_and_the_short_merge_commit() {
        insta::assert_snapshot!(promotion_waiting("prd", &sha()));
    }

    #[test]
    fn promotion_applied_lists_the_versions_and_the_delay_after_the_merge() {
        let ok = applied(true, "ReconciliationSucceeded", "Applied revision");
        insta::assert_snapshot!(promotion_applied("prd", &moves(), &ok, Some(merged_at())));
    }

    #[test]
    fn promotion_failed_quotes_flux_and_suggests_a_rollback() {
        let failed = applied(
            false,
            "HealthCheckFailed",
            "Health check failed after 5m0s: timeout waiting for: [Deployment/ai/vllm-openai status: 'InProgress']",
        );
        insta::assert_snapshot!(promotion_failed("prd", &failed, Some(merged_at())));
    }

    #[test]
    fn a_flux_message_with_backticks_cannot_close_its_code_block() {
        let failed = applied(false, "BuildFailed", "bad ``` fence");
        let text = promotion_failed("prd", &failed, None);
        assert!(text.contains("````\nbad ``` fence\n````\n"), "{text}");
    }

    #[test]
    fn delays_read_as_people_say_them() {
        let at = |minutes: i64| merged_at() + chrono::Duration::minutes(minutes);
        let cases = [
            (
                merged_at() - chrono::Duration::minutes(3),
                "less than a minute",
            ),
            (
                merged_at() + chrono::Duration::seconds(59),
                "less than a minute",
            ),
            (at(4), "4 min"),
            (at(59), "59 min"),
            (at(60), "1 h"),
            (at(125), "2 h 5 min"),
            (at(3 * 24 * 60 + 7), "3 days"),
        ];
        for (to, said) in cases {
            assert_eq!(humanize_delay(merged_at(), to), said, "{to}");
        }
    }
}
