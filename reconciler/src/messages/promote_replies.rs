//! What bosun says about opening a promotion: the pull request's title and
//! description, and the reply to whoever asked.

use crate::locks::EnvLock;
use crate::promote::ChangeSet;
use chrono::{DateTime, Utc};
use std::fmt::Write;
use std::time::Duration;

/// The promotion pull request's title: what moves, briefly.
pub fn promotion_title(from: &str, to: &str, changes: &ChangeSet) -> String {
    let mut apps: Vec<&str> = changes.changes.iter().map(|c| c.app.as_str()).collect();
    apps.dedup();
    let named = match apps.len() {
        0 => String::new(),
        1..=3 => format!(": {}", apps.join(", ")),
        n => format!(": {} and {} more", apps[..2].join(", "), n - 2),
    };
    format!("Promote {from} to {to}{named}")
}

/// The promotion pull request's description.
pub fn promotion_body(
    from: &str,
    to: &str,
    table: &str,
    asked_by: &str,
    asked_where: &str,
) -> String {
    format!(
        "Moves `{to}` to the versions `{from}` runs. Only version lines change: \
         replicas, hosts, resources and every other setting of `{to}` stay as they are.\n\n\
         {table}\n\
         Asked by {asked_by} in {asked_where}. After this merges, bosun waits for Flux to apply \
         the merge in `{to}` and reports back here.\n"
    )
}

/// The reply when the pull request was opened or updated.
pub fn promotion_opened(number: u64, url: &str, to: &str, table: &str, updated: bool) -> String {
    let verb = if updated { "Updated" } else { "Opened" };
    format!("{verb} promotion pull request #{number} ({url}) for `{to}`:\n\n{table}")
}

/// The reply to a dry run.
pub fn promotion_preview(from: &str, to: &str, table: &str) -> String {
    format!("A promotion from `{from}` to `{to}` would move:\n\n{table}")
}

/// The reply when `/lock` stops a promotion.
pub fn promotion_locked(not_done: &str, to: &str, lock: &EnvLock) -> String {
    format!(
        "Not {not_done}: `{to}` is locked by {} since {}{}. Nothing was changed.",
        lock.by,
        lock.since.format("%Y-%m-%d %H:%M UTC"),
        lock.reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    )
}

/// The reply when a freeze window stops a promotion.
pub fn promotion_frozen(not_done: &str, to: &str, window: &str, until: DateTime<Utc>) -> String {
    format!(
        "Not {not_done}: `{to}` is in the freeze window `{window}` until {}. Nothing was changed.",
        until.format("%Y-%m-%d %H:%M UTC")
    )
}

/// The reply when `from` does not feed `to`.
pub fn promotion_out_of_order(from: &str, to: &str, expected: Option<&str>) -> String {
    let order = match expected {
        Some(source) => format!("`{to}` is promoted from `{source}`"),
        None => format!("nothing is promoted into `{to}`"),
    };
    format!(
        "Not promoted: {order}, not from `{from}`. Skipping a stage needs `--force` \
         and the `platform` role. Nothing was changed."
    )
}

/// The reply when source versions have not soaked long enough.
pub fn promotion_not_soaked(
    from: &str,
    soak: Duration,
    young: &[(String, DateTime<Utc>)],
) -> String {
    let mut out = format!(
        "Not promoted: these versions have been on the default branch in `{from}` for less than {}:\n\n",
        duration_words(soak)
    );
    for (what, since) in young {
        let _ = writeln!(
            out,
            "- `{what}` since {}",
            since.format("%Y-%m-%d %H:%M UTC")
        );
    }
    out.push_str("\nNothing was changed. Try again later, or use `--force` (platform role).");
    out
}

/// A duration as people write it in settings: `24h`, `2d`, `90m`, `45s`.
fn duration_words(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0 => "0s".to_owned(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The rollback pull request's title.
pub fn rollback_title(env: &str, changes: &ChangeSet) -> String {
    let apps: Vec<&str> = changes.changes.iter().map(|c| c.app.as_str()).collect();
    let named = match apps.len() {
        1..=3 => format!(": {}", apps.join(", ")),
        n => format!(": {} and {} more", apps[..2].join(", "), n - 2),
    };
    format!("Roll back {env}{named}")
}

/// The rollback pull request's description.
pub fn rollback_body(env: &str, table: &str, asked_by: &str, asked_where: &str) -> String {
    format!(
        "Returns `{env}` to earlier versions. Only version lines change.\n\n{table}\n\
         Asked by {asked_by} in {asked_where}. After this merges, bosun waits for Flux to apply \
         the merge in `{env}` and reports back here.\n"
    )
}

/// The reply when the environment already runs the versions asked for.
pub fn rollback_nothing(env: &str) -> String {
    format!("Nothing to roll back: `{env}` already runs those versions.")
}

/// The reply when a rollback pull request was opened or updated.
pub fn rollback_opened(number: u64, url: &str, env: &str, table: &str, updated: bool) -> String {
    let verb = if updated { "Updated" } else { "Opened" };
    format!("{verb} rollback pull request #{number} ({url}) for `{env}`:\n\n{table}")
}

/// The reply to a rollback dry run.
pub fn rollback_preview(env: &str, table: &str) -> String {
    format!("A rollback of `{env}` would move:\n\n{table}")
}

/// The reply when the overlays cannot be read or an app is unknown.
pub fn promotion_overlay_problem(not_done: &str, problem: &str) -> String {
    format!("Not {not_done}: {problem}. Nothing was changed.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, hour, 0, 0).unwrap()
    }

    #[test]
    fn promotion_texts() {
        let table = "| app | kind | current prd | new | running in stg since |\n|---|---|---|---|---|\n| qdrant | chart | `1.15.4` | `1.16.0` | 2026-11-20 09:30 UTC |\n";
        insta::assert_snapshot!(
            "body",
            promotion_body("stg", "prd", table, "forge:alice", "acme/platform#12")
        );
        insta::assert_snapshot!(
            "opened",
            promotion_opened(
                31,
                "https://github.com/acme/platform/pull/31",
                "prd",
                table,
                false
            )
        );
        insta::assert_snapshot!(
            "updated",
            promotion_opened(
                31,
                "https://github.com/acme/platform/pull/31",
                "prd",
                table,
                true
            )
        );
        insta::assert_snapshot!("preview", promotion_preview("stg", "prd", table));
        let lock = EnvLock {
            env: "prd".to_owned(),
            by: "slack:U42".to_owned(),
            reason: Some("incident 77".to_owned()),
            since: at(8),
        };
        insta::assert_snapshot!("locked", promotion_locked("promoted", "prd", &lock));
        insta::assert_snapshot!(
            "frozen",
            promotion_frozen("promoted", "prd", "weekend", at(20))
        );
        insta::assert_snapshot!(
            "out_of_order",
            promotion_out_of_order("dev", "prd", Some("stg"))
        );
        let young = vec![("vllm-openai v0.11.0@sha256:c8b7310dbea9".to_owned(), at(9))];
        insta::assert_snapshot!(
            "not_soaked",
            promotion_not_soaked("stg", Duration::from_secs(24 * 3600), &young)
        );
        insta::assert_snapshot!(
            "overlay",
            promotion_overlay_problem(
                "promoted",
                "unknown app `vlm`; known apps: qdrant, vllm-openai"
            )
        );
    }
}
