//! Notices as Block Kit (slack-morphism's models): a header with the
//! headline, the body as a `markdown` block, the links as buttons, and the
//! thread's state as context. Replies in a thread are one `markdown` block.

use bosun_reconciler::ports::notify::{Notice, Tone};
use slack_morphism::prelude::*;

/// Slack's limit for a header's text.
const HEADER_MAX: usize = 150;
/// Slack's limit for a `markdown` block (and a message's markdown).
const MARKDOWN_MAX: usize = 12_000;

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

fn tone_words(tone: Tone) -> &'static str {
    match tone {
        Tone::Progress => ":hourglass_flowing_sand: in progress",
        Tone::Success => ":white_check_mark: done",
        Tone::Warning => ":warning: needs attention",
        Tone::Failure => ":x: failed",
        Tone::Info => ":information_source: for information",
    }
}

/// The first message of a notice's thread, as it stands after this notice.
pub fn first_message(notice: &Notice) -> SlackMessageContent {
    let mut blocks: Vec<SlackBlock> =
        vec![SlackHeaderBlock::new(cut(&notice.headline, HEADER_MAX).into()).into()];
    if !notice.body.trim().is_empty() {
        blocks.push(SlackMarkdownBlock::new(cut(&notice.body, MARKDOWN_MAX)).into());
    }
    let buttons: Vec<SlackActionBlockElement> = notice
        .links
        .iter()
        .enumerate()
        .filter_map(|(i, link)| {
            let url = reqwest::Url::parse(&link.url).ok()?;
            let button = SlackBlockButtonElement::new(cut(&link.label, 75).into())
                .with_action_id(SlackActionId(format!("bosun-link-{i}")))
                .with_url(url);
            Some(SlackActionBlockElement::Button(button))
        })
        .collect();
    if !buttons.is_empty() {
        blocks.push(SlackActionsBlock::new(buttons).into());
    }
    blocks.push(
        SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
            SlackBlockMarkDownText::new(tone_words(notice.tone).to_owned()),
        )])
        .into(),
    );
    SlackMessageContent::new()
        .with_text(cut(&notice.headline, 3_000))
        .with_blocks(blocks)
}

/// An acknowledgement with a button that asks for a follow-up command
/// (`/unlock prd` after `/lock prd`). The click comes back through
/// `/slack/interactions` as a request of whoever clicked.
pub fn with_command_button(text: &str, label: &str, command: &str) -> SlackMessageContent {
    let button = SlackBlockButtonElement::new(label.into())
        .with_action_id(SlackActionId("bosun-command".to_owned()))
        .with_value(command.to_owned());
    SlackMessageContent::new()
        .with_text(text.to_owned())
        .with_blocks(vec![
            SlackSectionBlock::new()
                .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(
                    text.to_owned(),
                )))
                .into(),
            SlackActionsBlock::new(vec![SlackActionBlockElement::Button(button)]).into(),
        ])
}

/// The `action_id` of the button that confirms a command.
pub const CONFIRM_ACTION: &str = "bosun-confirm";
/// The `action_id` of the button that cancels it.
pub const CANCEL_ACTION: &str = "bosun-cancel";

/// The question put to the asker before `command` runs, with Confirm (it
/// carries the command) and Cancel buttons.
pub fn confirmation(question: &str, command: &str) -> SlackMessageContent {
    let confirm = SlackBlockButtonElement::new("Confirm".into())
        .with_action_id(SlackActionId(CONFIRM_ACTION.to_owned()))
        .with_value(command.to_owned())
        .with_style(SlackBlockButtonStyle::Primary);
    let cancel = SlackBlockButtonElement::new("Cancel".into())
        .with_action_id(SlackActionId(CANCEL_ACTION.to_owned()))
        .with_value(command.to_owned());
    SlackMessageContent::new()
        .with_text(question.to_owned())
        .with_blocks(vec![
            SlackSectionBlock::new()
                .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(
                    question.to_owned(),
                )))
                .into(),
            SlackActionsBlock::new(vec![
                SlackActionBlockElement::Button(confirm),
                SlackActionBlockElement::Button(cancel),
            ])
            .into(),
        ])
}

/// [`confirmation`] as the JSON of an answer only the asker sees.
pub fn ephemeral_confirmation(question: &str, command: &str) -> serde_json::Value {
    let mut body = serde_json::to_value(confirmation(question, command))
        .unwrap_or_else(|_| serde_json::json!({ "text": question }));
    body["response_type"] = serde_json::json!("ephemeral");
    body
}

/// The command a button should offer after `command`, if any: the undo of
/// a lock.
pub fn follow_up(command: &str) -> Option<(String, String)> {
    let mut words = command.split_whitespace();
    match (words.next(), words.next()) {
        (Some("/lock"), Some(env)) => Some((format!("Unlock {env}"), format!("/unlock {env}"))),
        _ => None,
    }
}

/// A reply in a thread.
pub fn reply(text: &str) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(cut(text, 3_000))
        .with_blocks(vec![
            SlackMarkdownBlock::new(cut(text, MARKDOWN_MAX)).into(),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_reconciler::audit::Place;
    use bosun_reconciler::ports::notify::{Link, Route};

    fn notice() -> Notice {
        Notice {
            id: "promotion:acme/flux#42:merged".to_owned(),
            thread: "promotion:acme/flux#42".to_owned(),
            route: Route::Origin {
                place: Place::Channel { id: "C0PLATFORM".to_owned() },
                env: Some("prd".to_owned()),
            },
            repo: Some("acme/flux".parse().unwrap()),
            headline: "Promotion stg → prd: merged, waiting for Flux in prd".to_owned(),
            body: "Pull request [#42](https://github.com/acme/flux/pull/42) in `acme/flux` moves:\n- `vllm-openai` image: `v0.6.1` → `v0.6.2`\n".to_owned(),
            tone: Tone::Progress,
            links: vec![Link {
                label: "Pull request #42".to_owned(),
                url: "https://github.com/acme/flux/pull/42".to_owned(),
            }],
            reply: Some("Merged as `0123456`. Waiting for Flux to apply it in `prd`.".to_owned()),
            attachment: None,
        }
    }

    #[test]
    fn a_notice_is_a_header_its_body_link_buttons_and_its_state() {
        insta::assert_json_snapshot!(first_message(&notice()));
    }

    #[test]
    fn a_reply_is_one_markdown_block() {
        insta::assert_json_snapshot!(reply(notice().reply.as_deref().unwrap()));
    }

    #[test]
    fn a_lock_is_acknowledged_with_an_unlock_button() {
        let (label, command) = follow_up("/lock prd release weekend").unwrap();
        insta::assert_json_snapshot!(with_command_button("On it: `/lock prd`", &label, &command));
        assert_eq!(follow_up("/status"), None);
    }

    #[test]
    fn a_prd_promotion_is_asked_with_confirm_and_cancel_for_the_asker_alone() {
        let question = bosun_reconciler::chat::words::confirm_promotion("stg", "prd");
        insta::assert_json_snapshot!(ephemeral_confirmation(&question, "/promote stg prd"));
    }

    #[test]
    fn long_headlines_are_cut_to_slacks_limit() {
        let mut long = notice();
        long.headline = "x".repeat(400);
        let json = serde_json::to_value(first_message(&long)).unwrap();
        let header = json["blocks"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(header.chars().count(), HEADER_MAX);
    }
}
