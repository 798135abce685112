//! The per-environment plan comment and the `bosun/plan: <env>` check, as
//! pure functions of a [`PlanSummary`] and the (already masked) plan text.
//!
//! Destroys and replacements come first and are called out; then creations
//! and updates, the drift the refresh found, and the full plan folded in a
//! `<details>` block. The full plan is cut at a line boundary, with a note,
//! so the whole comment fits GitHub's limit.

use super::redact::Redacted;
use super::summary::{ActionKind, PlanSummary, ResourceLine};
use crate::ports::forge::{GITHUB_COMMENT_LIMIT, Marker, fold_comment};
use std::fmt::Write as _;

/// How many resources of each kind a check summary lists before "and N more".
const CHECK_LIST_LIMIT: usize = 20;

/// Room kept for the note and the closing tags after a cut plan.
const CUT_RESERVE: usize = 400;

/// The marker of the sticky plan comment of `env`.
pub fn marker(env: &str) -> Marker {
    Marker::new("plan", env)
}

/// The name of the plan check of `env`.
pub fn check_name(env: &str) -> String {
    format!("bosun/plan: {env}")
}

/// The check's title: the counts, or that nothing changes.
pub fn check_title(summary: &PlanSummary) -> String {
    if summary.has_changes() {
        summary.counts.to_string()
    } else {
        "No changes".to_owned()
    }
}

/// The check's summary: counts, destroys and replacements, drift.
pub fn check_summary(env: &str, summary: &PlanSummary) -> String {
    let mut out = format!("Terraform plan for `{env}`: {}.\n", check_title(summary));
    for (action, heading) in [
        (ActionKind::Delete, "Destroyed"),
        (ActionKind::Replace, "Replaced"),
    ] {
        let lines: Vec<&ResourceLine> = summary.with_action(action).collect();
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n**{heading}:**");
        for line in lines.iter().take(CHECK_LIST_LIMIT) {
            let _ = writeln!(out, "- {}", code(&line.address));
        }
        if lines.len() > CHECK_LIST_LIMIT {
            let _ = writeln!(out, "- and {} more", lines.len() - CHECK_LIST_LIMIT);
        }
    }
    if !summary.drift.is_empty() {
        let _ = writeln!(
            out,
            "\nThe refresh found {} changed outside Terraform.",
            plural(summary.drift.len(), "resource")
        );
    }
    out
}

/// The whole sticky comment of `env`, marker included, within GitHub's limit.
pub fn render_comment(env: &str, summary: &PlanSummary, plan_text: &Redacted) -> String {
    render_comment_within(env, summary, plan_text, GITHUB_COMMENT_LIMIT)
}

/// [`render_comment`] with another character limit.
pub fn render_comment_within(
    env: &str,
    summary: &PlanSummary,
    plan_text: &Redacted,
    limit: usize,
) -> String {
    let marker = marker(env);
    let mut body = head(env, summary);
    let used = marker.to_string().chars().count() + 1 + body.chars().count();
    body.push_str(&full_plan(
        plan_text,
        limit.saturating_sub(used + CUT_RESERVE),
    ));
    fold_comment(&marker, &body, limit)
}

/// Everything before the full plan.
fn head(env: &str, summary: &PlanSummary) -> String {
    let mut out = format!("### Terraform plan for `{env}`: {}\n", check_title(summary));
    let destroys = summary.counts.destroy + summary.counts.replace;
    if destroys > 0 {
        let _ = write!(
            out,
            "\n> [!CAUTION]\n> This plan destroys or replaces {}.\n",
            plural(destroys, "resource")
        );
    }
    for (action, heading) in [
        (ActionKind::Delete, "Destroy"),
        (
            ActionKind::Forget,
            "Forget (removed from the state, not destroyed)",
        ),
        (ActionKind::Replace, "Replace"),
        (ActionKind::Create, "Create"),
        (ActionKind::Update, "Update in place"),
        (ActionKind::Unknown, "Other"),
    ] {
        let lines: Vec<&ResourceLine> = summary.with_action(action).collect();
        if !lines.is_empty() {
            let _ = writeln!(out, "\n**{heading} ({})**\n", lines.len());
            lines
                .iter()
                .for_each(|line| out.push_str(&resource_item(line)));
        }
    }
    if !summary.drift.is_empty() {
        let _ = writeln!(
            out,
            "\n#### Changed outside Terraform\n\nThe refresh found {} changed since the last apply:\n",
            plural(summary.drift.len(), "resource")
        );
        summary
            .drift
            .iter()
            .for_each(|line| out.push_str(&resource_item(line)));
    }
    out
}

fn resource_item(line: &ResourceLine) -> String {
    let mut item = format!(
        "- {} ({}, {})",
        code(&line.address),
        code(&line.resource_type),
        line.action
    );
    let mut names: Vec<String> = line.changed_attributes.iter().map(|n| code(n)).collect();
    if line.sensitive_attributes > 0 {
        names.push(plural(line.sensitive_attributes, "sensitive attribute"));
    }
    if !names.is_empty() {
        let _ = write!(item, ": {}", names.join(", "));
    }
    item.push('\n');
    item
}

/// The folded full plan, its text cut to at most `room` characters.
fn full_plan(plan_text: &Redacted, room: usize) -> String {
    let text = match plan_text {
        Redacted::Withheld => {
            return "\n_The full plan is not shown: it may hold a sensitive value too short to mask._\n"
                .to_owned();
        }
        Redacted::Shown(text) => text.trim_end(),
    };
    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
    let mut shown = text;
    let mut note = String::new();
    if text.chars().count() > room {
        let cut: usize = text.char_indices().nth(room).map_or(text.len(), |(i, _)| i);
        shown = match text[..cut].rfind('\n') {
            Some(end) => &text[..end],
            None => "",
        };
        let left = text[shown.len()..].trim_start_matches('\n').lines().count();
        note = format!(
            "\n_{} of the full plan cut to fit GitHub's comment limit; run `terraform show` on the plan file for all of it._\n",
            plural(left, "line")
        );
    }
    format!(
        "\n<details><summary>Full plan</summary>\n\n{fence}text\n{shown}\n{fence}\n{note}\n</details>\n"
    )
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `text` as an inline code span that its own backticks cannot end.
fn code(text: &str) -> String {
    let ticks = "`".repeat(longest_backtick_run(text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::json::PlanJson;

    fn summary(text: &str) -> PlanSummary {
        PlanSummary::from_plan(&PlanJson::parse(text.as_bytes()).expect("valid"))
    }

    fn rc(address: &str, actions: &str, extra: &str) -> String {
        format!(
            r#"{{"address":"{address}","mode":"managed","type":"terraform_data","name":"n","change":{{"actions":{actions}{extra}}}}}"#
        )
    }

    fn mixed() -> PlanSummary {
        let changes = [
            rc("terraform_data.new", r#"["create"]"#, ""),
            rc(
                "terraform_data.swapped",
                r#"["delete","create"]"#,
                r#","before":{"triggers_replace":"a"},"after":{"triggers_replace":"b"}"#,
            ),
            rc(
                "terraform_data.tuned",
                r#"["update"]"#,
                r#","before":{"input":"a","pw":"x"},"after":{"input":"b","pw":"y"},"after_sensitive":{"pw":true}"#,
            ),
            rc("terraform_data.gone", r#"["delete"]"#, ""),
            rc("data.terraform_remote_state.hub", r#"["read"]"#, ""),
        ];
        let drift = rc("terraform_data.edited", r#"["update"]"#, "");
        summary(&format!(
            r#"{{"format_version":"1.2","resource_changes":[{}],"resource_drift":[{drift}]}}"#,
            changes.join(",")
        ))
    }

    const PLAN_TEXT: &str = "Terraform will perform the following actions:\n\n  # terraform_data.gone will be destroyed\n\nPlan: 2 to add, 1 to change, 2 to destroy.";

    #[test]
    fn comment_calls_out_destroys_and_replaces_first_then_drift_and_full_plan() {
        insta::assert_snapshot!(render_comment(
            "dev-uaenorth",
            &mixed(),
            &Redacted::Shown(PLAN_TEXT.to_owned())
        ));
    }

    #[test]
    fn comment_for_no_changes_is_short() {
        let quiet = summary(r#"{"format_version":"1.2","resource_changes":[]}"#);
        insta::assert_snapshot!(render_comment(
            "prd-uaenorth",
            &quiet,
            &Redacted::Shown(
                "No changes. Your infrastructure matches the configuration.".to_owned()
            )
        ));
    }

    #[test]
    fn comment_says_when_the_full_plan_is_withheld() {
        insta::assert_snapshot!(render_comment(
            "stg-uaenorth",
            &mixed(),
            &Redacted::Withheld
        ));
    }

    #[test]
    fn long_plan_is_cut_at_a_line_with_a_note_and_fits_the_limit() {
        let text: String = (0..50_000).map(|i| format!("  line {i}\n")).collect();
        let limit = 4_000;
        let comment =
            render_comment_within("dev-uaenorth", &mixed(), &Redacted::Shown(text), limit);
        assert!(
            comment.chars().count() <= limit,
            "{}",
            comment.chars().count()
        );
        assert!(comment.contains("cut to fit GitHub's comment limit"));
        assert!(comment.trim_end().ends_with("</details>"));
        assert!(comment.contains("**Destroy (1)**"));
        let cut = comment
            .lines()
            .rfind(|l| l.starts_with("  line "))
            .expect("some lines");
        assert!(
            comment.contains(&format!("{cut}\n```")),
            "cut mid-line: {cut}"
        );
    }

    #[test]
    fn backticks_in_the_plan_cannot_close_its_fence() {
        let comment = render_comment(
            "dev-uaenorth",
            &mixed(),
            &Redacted::Shown("a ``` b ```` c".to_owned()),
        );
        assert!(comment.contains("`````text\na ``` b ```` c\n`````"));
    }

    #[test]
    fn check_title_and_summary_name_counts_destroys_and_drift() {
        let summary = mixed();
        assert_eq!(check_name("dev-uaenorth"), "bosun/plan: dev-uaenorth");
        assert_eq!(
            check_title(&summary),
            "1 to add, 1 to change, 1 to destroy, 1 to replace"
        );
        insta::assert_snapshot!(check_summary("dev-uaenorth", &summary));
    }
}
