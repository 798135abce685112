//! Notices as Discord messages (serenity's builders): an embed with the
//! headline, body and state, and link buttons.

use bosun_reconciler::ports::notify::{Notice, Tone};
use serde_json::{Value, json};
use serenity::builder::{CreateActionRow, CreateButton, CreateEmbed};

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

fn colour(tone: Tone) -> u32 {
    match tone {
        Tone::Progress => 0x3b82f6,
        Tone::Success => 0x22c55e,
        Tone::Warning => 0xf59e0b,
        Tone::Failure => 0xef4444,
        Tone::Info => 0x6b7280,
    }
}

/// The first message of a notice's thread (a message or webhook body).
pub fn first_message(notice: &Notice) -> Value {
    let embed = CreateEmbed::new()
        .title(cut(&notice.headline, 256))
        .description(cut(&notice.body, 4_096))
        .colour(colour(notice.tone));
    let buttons: Vec<CreateButton> = notice
        .links
        .iter()
        .take(5)
        .map(|link| CreateButton::new_link(&link.url).label(cut(&link.label, 80)))
        .collect();
    let components: Vec<CreateActionRow> = if buttons.is_empty() {
        Vec::new()
    } else {
        vec![CreateActionRow::Buttons(buttons)]
    };
    json!({ "content": "", "embeds": [embed], "components": components })
}

/// A reply (Discord's limit is 2,000 characters).
pub fn reply(text: &str) -> Value {
    json!({ "content": cut(text, 2_000) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_reconciler::ports::notify::{Link, Route};

    #[test]
    fn a_notice_is_an_embed_with_link_buttons() {
        let notice = Notice {
            id: "promotion:acme/flux#42:opened".to_owned(),
            thread: "promotion:acme/flux#42".to_owned(),
            route: Route::Env("prd".to_owned()),
            repo: Some("acme/flux".parse().unwrap()),
            headline: "Promotion stg → prd: pull request #42 open".to_owned(),
            body: "- `vllm-openai` image: `v0.6.1` → `v0.6.2`".to_owned(),
            tone: Tone::Progress,
            links: vec![Link {
                label: "Pull request #42".to_owned(),
                url: "https://github.com/acme/flux/pull/42".to_owned(),
            }],
            reply: None,
            attachment: None,
        };
        insta::assert_json_snapshot!(first_message(&notice));
    }
}
