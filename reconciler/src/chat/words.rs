//! Every text chat shows for commands and promotions: pure functions with
//! snapshot tests. The words of answers themselves come from
//! [`crate::messages`] through `ask::handle`.

use crate::ask::Verdict;
use crate::ids::Sha;
use crate::promotion::{Applied, PromotionRecord};

/// The acknowledgement of an accepted chat request.
pub fn accepted(command: &str, user: &str) -> String {
    format!("On it: `{command}` for <@{user}>. The result follows in this channel.")
}

/// The question asked before a promotion into a protected environment runs.
pub fn confirm_promotion(from: &str, to: &str) -> String {
    format!(
        "Promote `{from}` → `{to}`? `{to}` is protected: bosun opens the pull request that \
         changes it, and Flux applies it once it merges. Confirm to go on."
    )
}

/// The answer to a cancelled confirmation.
pub fn cancelled(command: &str) -> String {
    format!("Cancelled: `{command}` was not run.")
}

/// The acknowledgement of a request seen before (a retry or a replay).
pub fn already_received(command: &str) -> String {
    format!("`{command}` was already received; it runs once.")
}

/// The acknowledgement from a channel linked to no repository.
pub fn unlinked_channel(channel: &str) -> String {
    format!(
        "This channel ({channel}) is not linked to a repository, so bosun cannot run commands here. \
         Ask an operator to add it to `BOSUN_SLACK_CHANNELS` or `BOSUN_DISCORD_CHANNELS`."
    )
}

/// The headline of a request's answer.
pub fn answer_headline(text: &str, verdict: Verdict) -> String {
    let how = match verdict {
        Verdict::Succeeded => "done",
        Verdict::Refused => "refused",
        Verdict::Invalid => "not understood",
        Verdict::NotAvailable => "not available yet",
    };
    format!("{text}: {how}")
}

/// The headline of a promotion's thread, after its latest step.
pub fn promotion_headline(record: &PromotionRecord) -> String {
    let step = match (&record.merged_sha, &record.applied) {
        (_, Some(applied)) if applied.succeeded => format!("applied in {}", record.to),
        (_, Some(_)) => format!("failed in {}", record.to),
        (Some(_), None) => format!("merged, waiting for Flux in {}", record.to),
        (None, None) => format!("pull request #{} open", record.number.0),
    };
    format!("Promotion {} → {}: {step}", record.from, record.to)
}

/// The body of a promotion's first message: what it moves.
pub fn promotion_body(record: &PromotionRecord) -> String {
    let mut text = format!(
        "Pull request [#{}]({}) in `{}` moves:\n",
        record.number.0, record.url, record.repo
    );
    for moved in &record.moves {
        text.push_str(&format!(
            "- `{}` {}: `{}` → `{}`\n",
            moved.app, moved.kind, moved.from_version, moved.to_version
        ));
    }
    if record.moves.is_empty() {
        text.push_str("- nothing (the environments already match)\n");
    }
    text
}

/// The thread reply when a promotion merges.
pub fn promotion_merged(record: &PromotionRecord, sha: &Sha) -> String {
    format!(
        "Merged as `{}`. Waiting for Flux to apply it in `{}`.",
        sha.short(),
        record.to
    )
}

/// The thread reply when Flux applied (or failed to apply) a promotion.
pub fn promotion_applied(record: &PromotionRecord, applied: &Applied) -> String {
    if applied.succeeded {
        format!(
            "Flux applied `{}` in `{}`: the new versions are running.",
            applied.revision, record.to
        )
    } else {
        format!(
            "Flux could not apply `{}` in `{}` ({}): {}",
            applied.revision, record.to, applied.reason, applied.message
        )
    }
}

/// A promotion of `vllm-openai` from `stg` to `prd` (acme/flux#42), asked
/// by `slack:U1` in `asked_where`, not yet merged: the tests' example.
#[cfg(test)]
pub(crate) fn example_record(asked_where: &str) -> PromotionRecord {
    use crate::ids::PrNumber;
    use crate::promotion::MovedVersion;
    PromotionRecord {
        repo: "acme/flux".parse().unwrap(),
        from: "stg".to_owned(),
        to: "prd".to_owned(),
        number: PrNumber(42),
        url: "https://github.com/acme/flux/pull/42".to_owned(),
        branch: "bosun/promote/stg-to-prd".to_owned(),
        asked_by: "slack:U1".to_owned(),
        asked_where: asked_where.to_owned(),
        moves: vec![MovedVersion {
            app: "vllm-openai".to_owned(),
            kind: "image".to_owned(),
            from_version: "v0.6.1".to_owned(),
            to_version: "v0.6.2".to_owned(),
        }],
        previous: Vec::new(),
        opened_at: chrono::DateTime::UNIX_EPOCH,
        merged_sha: None,
        merged_at: None,
        applied: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> PromotionRecord {
        example_record("channel C1")
    }

    #[test]
    fn acknowledgements() {
        insta::assert_snapshot!(
            [
                accepted("/promote stg prd", "U1"),
                already_received("/promote stg prd"),
                unlinked_channel("C9"),
                answer_headline("/apply prd", Verdict::Refused),
            ]
            .join("\n")
        );
    }

    #[test]
    fn promotion_steps() {
        let mut record = record();
        let mut lines = vec![promotion_headline(&record), promotion_body(&record)];
        let sha: Sha = "0123456789abcdef0123456789abcdef01234567".parse().unwrap();
        record.merged_sha = Some(sha.clone());
        lines.push(promotion_headline(&record));
        lines.push(promotion_merged(&record, &sha));
        let mut applied = Applied {
            succeeded: false,
            revision: format!("main@sha1:{}", sha.as_str()),
            reason: "HealthCheckFailed".to_owned(),
            message: "Deployment/vllm not ready".to_owned(),
            at: chrono::DateTime::UNIX_EPOCH,
        };
        record.applied = Some(applied.clone());
        lines.push(promotion_headline(&record));
        lines.push(promotion_applied(&record, &applied));
        applied.succeeded = true;
        record.applied = Some(applied.clone());
        lines.push(promotion_headline(&record));
        lines.push(promotion_applied(&record, &applied));
        insta::assert_snapshot!(lines.join("\n"));
    }
}
