//! Chat end to end, continued: Discord interactions (signed with a key pair
//! generated for the test), Slack buttons re-checked on click, Slack's rate
//! limit honoured, and Discord command registration.

#[path = "support/chat.rs"]
mod chat_world;
mod support;

use axum::http::StatusCode;
use bosun::chat::discord::api::DiscordApi;
use bosun::chat::discord::register;
use bosun::chat::slack::verify::sign;
use chat_world::{ChatWorld, DISCORD_APP, SLACK_SECRET, slash_body};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use support::github::GitHubFake;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const REPO: &str = "Codertocat/Hello-World";
const SLACK_CHANNEL: &str = "C0PLATFORM";
const DISCORD_CHANNEL: &str = "1500000000000000001";
const SRE_SLACK: &str = "U0SRE";
const DEV_SLACK: &str = "U0DEV";
/// A Slack user group whose members hold the `sre` role.
const SRE_GROUP: &str = "S0SREGROUP";
/// A Slack user named in no role, only in [`SRE_GROUP`].
const GROUP_MEMBER: &str = "U0ONCALL";
const SRE_DISCORD: &str = "1300000000000000001";
const DEV_ROLE: &str = "1400000000000000001";

async fn world() -> ChatWorld {
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    github.set_file(
        REPO,
        ".bosun.yaml",
        &format!(
            "roles:\n  sre:\n    slack_users: [{SRE_SLACK}]\n    slack_groups: [{SRE_GROUP}]\n    discord_users: [\"{SRE_DISCORD}\"]\n  dev:\n    slack_users: [{DEV_SLACK}]\n    discord_roles: [\"{DEV_ROLE}\"]\n"
        ),
    );
    ChatWorld::start(
        github,
        &format!("{SLACK_CHANNEL}={REPO},{DISCORD_CHANNEL}={REPO}"),
    )
    .await
}

/// Discord's documented slash-command interaction, asking `/<name> <args>`
/// in the linked channel as `user` with `roles`.
fn interaction(id: &str, name: &str, args: Option<&str>, user: &str, roles: &[&str]) -> Vec<u8> {
    let mut json: Value = serde_json::from_str(include_str!(
        "fixtures/discord/interaction.application_command.slash.docs-example.json"
    ))
    .unwrap();
    json["id"] = json!(id);
    json["token"] = json!(format!("token-{id}"));
    json["channel_id"] = json!(DISCORD_CHANNEL);
    json["member"]["user"]["id"] = json!(user);
    json["member"]["roles"] = json!(roles);
    json["data"]["name"] = json!(name);
    json["data"]["options"] = match args {
        Some(args) => json!([{ "type": 3, "name": "args", "value": args }]),
        None => json!([]),
    };
    serde_json::to_vec(&json).unwrap()
}

/// A click on a bosun button (`custom_id`) in the linked channel by `user`.
fn component_click(id: &str, custom_id: &str, user: &str, roles: &[&str]) -> Vec<u8> {
    let mut json: Value =
        serde_json::from_slice(&interaction(id, "unused", None, user, roles)).unwrap();
    json["type"] = json!(3);
    json["data"] = json!({ "custom_id": custom_id, "component_type": 2 });
    serde_json::to_vec(&json).unwrap()
}

#[tokio::test]
async fn a_discord_prd_promotion_asks_to_confirm_and_runs_only_on_confirm() {
    let w = world().await;
    let key = w.discord_key.clone();
    let ask = interaction(
        "1600000000000000010",
        "promote",
        Some("stg prd"),
        SRE_DISCORD,
        &[],
    );
    let (_, answer) = w.post_discord(&ask, &key, "1700000000").await;
    // The asker alone is asked: an ephemeral message with two buttons.
    assert_eq!(answer["type"], 4, "{answer:#}");
    assert_eq!(answer["data"]["flags"], 64, "{answer:#}");
    let buttons = &answer["data"]["components"][0]["components"];
    assert_eq!(
        buttons[0]["custom_id"], "confirm:/promote stg prd",
        "{answer:#}"
    );
    assert_eq!(
        buttons[1]["custom_id"], "cancel:/promote stg prd",
        "{answer:#}"
    );
    w.settle().await;
    assert!(w.discord_calls().await.is_empty(), "nothing ran");

    // Cancel replaces the question and stores nothing.
    let cancel = component_click(
        "1600000000000000011",
        "cancel:/promote stg prd",
        SRE_DISCORD,
        &[],
    );
    let (_, answer) = w.post_discord(&cancel, &key, "1700000000").await;
    assert_eq!(answer["type"], 7, "{answer:#}");
    assert_eq!(
        answer["data"]["content"],
        "Cancelled: `/promote stg prd` was not run."
    );
    assert_eq!(answer["data"]["components"], json!([]));

    // A dev's Confirm is refused to them alone.
    let forwarded = component_click(
        "1600000000000000012",
        "confirm:/promote stg prd",
        "1300000000000000099",
        &[DEV_ROLE],
    );
    let (_, answer) = w.post_discord(&forwarded, &key, "1700000000").await;
    assert_eq!(answer["type"], 4, "{answer:#}");
    assert_eq!(answer["data"]["flags"], 64, "{answer:#}");
    w.settle().await;
    let chat_key = bosun_reconciler::ids::WorkKey::Chat {
        repo: REPO.parse().unwrap(),
    };
    assert_eq!(w.engine.store().generation(&chat_key).unwrap(), None);

    // The SRE's Confirm runs it: deferred, then the answer edits that message.
    let confirm = component_click(
        "1600000000000000013",
        "confirm:/promote stg prd",
        SRE_DISCORD,
        &[],
    );
    let (_, answer) = w.post_discord(&confirm, &key, "1700000000").await;
    assert_eq!(answer["type"], 5, "{answer:#}");
    w.settle().await;
    let calls = w.discord_calls().await;
    assert!(
        calls.iter().any(|(verb, route, _)| verb == "PATCH"
            && route
                == &format!(
                    "/api/v10/webhooks/{DISCORD_APP}/token-1600000000000000013/messages/@original"
                )),
        "{calls:#?}"
    );
}

#[tokio::test]
async fn discord_pings_are_ponged_and_bad_signatures_get_401() {
    let w = world().await;
    let ping =
        br#"{"id":"1","type":1,"application_id":"1100000000000000001","token":"t","version":1}"#;
    let key = w.discord_key.clone();
    let (status, answer) = w.post_discord(ping, &key, "1700000000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, json!({ "type": 1 }));
    let stranger = SigningKey::from_bytes(&[9u8; 32]);
    let (status, answer) = w.post_discord(ping, &stranger, "1700000000").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer, Value::Null);
    // A signature over another timestamp does not verify this one.
    let body = interaction("1600000000000000001", "status", None, SRE_DISCORD, &[]);
    let (status, _) = w.post_discord(&body, &stranger, "1700000001").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    w.settle().await;
    assert!(w.discord_calls().await.is_empty());
}

#[tokio::test]
async fn a_discord_command_is_deferred_then_its_answer_edits_the_original_once() {
    let w = world().await;
    let key = w.discord_key.clone();
    let body = interaction("1600000000000000002", "status", None, SRE_DISCORD, &[]);
    let (status, answer) = w.post_discord(&body, &key, "1700000000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["type"], 5, "deferred: {answer}");
    // Discord retrying the same interaction changes nothing.
    let (_, again) = w.post_discord(&body, &key, "1700000000").await;
    assert_eq!(again["type"], 5);
    w.settle().await;
    let calls = w.discord_calls().await;
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let (verb, route, message) = &calls[0];
    assert_eq!(verb, "PATCH");
    assert_eq!(
        route,
        &format!("/api/v10/webhooks/{DISCORD_APP}/token-1600000000000000002/messages/@original")
    );
    assert_eq!(
        message["embeds"][0]["title"], "/status: done",
        "{message:#}"
    );
    assert!(
        w.slack_calls().await.is_empty(),
        "a Discord answer stays in Discord"
    );
}

#[tokio::test]
async fn a_discord_devs_apply_prd_is_refused_at_once_and_ephemerally() {
    let w = world().await;
    let key = w.discord_key.clone();
    let body = interaction(
        "1600000000000000003",
        "apply",
        Some("prd"),
        "1390000000000000009",
        &[DEV_ROLE],
    );
    let (status, answer) = w.post_discord(&body, &key, "1700000000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["type"], 4, "{answer}");
    assert_eq!(answer["data"]["flags"], 64, "ephemeral: {answer}");
    let text = answer["data"]["content"].as_str().unwrap();
    assert!(text.contains("/apply prd"), "{text}");
    w.settle().await;
    assert!(w.discord_calls().await.is_empty());
}

fn button_click(user: &str, value: &str, trigger: &str, response_url: &str) -> String {
    chat_world::button_click(
        SLACK_CHANNEL,
        user,
        "bosun-command",
        value,
        trigger,
        response_url,
    )
}

#[tokio::test]
async fn a_button_click_is_a_new_request_rechecked_for_the_clicker() {
    let w = world().await;
    let mut answers = answer_clicks(&w).await;
    let response_url = answers.url.clone();
    // Locking prd is acknowledged with a button that unlocks it.
    let lock = slash_body(
        SLACK_CHANNEL,
        SRE_SLACK,
        "/lock",
        "prd release weekend",
        "4004.0.000",
    );
    let (_, ack) = w.slash(&lock).await;
    assert_eq!(ack["response_type"], "in_channel", "{ack}");
    assert_eq!(
        ack["blocks"][1]["elements"][0]["value"], "/unlock prd",
        "{ack:#}"
    );
    w.settle().await;
    // The dev may not unlock prd: told alone, nothing runs.
    let click = button_click(DEV_SLACK, "/unlock prd", "4004.1.aaa", &response_url);
    let now = chrono::Utc::now().timestamp();
    let signature = sign(SLACK_SECRET, now, click.as_bytes());
    let (status, _) = w
        .post_slack("/slack/interactions", &click, now, Some(signature), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // The refusal goes out on its own task; wait for it, not for time.
    let told = answers.next().await;
    assert_eq!(told["response_type"], "ephemeral");
    assert!(
        told["text"].as_str().unwrap().contains("/unlock prd"),
        "{told:#}"
    );
    // The SRE's click runs, and its answer is posted in the channel.
    let click = button_click(SRE_SLACK, "/unlock prd", "4004.2.bbb", &response_url);
    let signature = sign(SLACK_SECRET, now, click.as_bytes());
    let (status, _) = w
        .post_slack("/slack/interactions", &click, now, Some(signature), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    w.settle().await;
    let posts = w.slack_posts().await;
    assert_eq!(
        posts.len(),
        2,
        "the lock's answer and the unlock's: {posts:#?}"
    );
    assert!(
        posts[1].body["blocks"]
            .to_string()
            .contains("/unlock prd: done"),
        "{:#}",
        posts[1].body
    );
    let repo = REPO.parse().unwrap();
    let locks = bosun_reconciler::locks::Locks::new(w.engine.store().as_ref(), &repo);
    let prd = bosun_commands::EnvCatalog::default()
        .resolve("prd")
        .unwrap();
    assert!(locks.get(&prd).unwrap().is_none(), "the click unlocked prd");
    // A forged click is refused before anything is read.
    let forged = sign("not-the-secret", now, click.as_bytes());
    let (status, _) = w
        .post_slack("/slack/interactions", &click, now, Some(forged), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// What Slack's `response_url` receives, as each answer arrives.
struct ClickerAnswers {
    url: String,
    received: tokio::sync::mpsc::UnboundedReceiver<Value>,
}

/// The fake's responder for `response_url`: answers 200 and passes the body on.
struct PassOn(tokio::sync::mpsc::UnboundedSender<Value>);

impl wiremock::Respond for PassOn {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let _ = self
            .0
            .send(serde_json::from_slice(&request.body).unwrap_or_default());
        ResponseTemplate::new(200)
    }
}

/// Has Slack's fake answer interactions' `response_url`, passing each body on.
async fn answer_clicks(w: &ChatWorld) -> ClickerAnswers {
    let (sender, received) = tokio::sync::mpsc::unbounded_channel();
    Mock::given(method("POST"))
        .and(path("/response"))
        .respond_with(PassOn(sender))
        .mount(&w.slack)
        .await;
    ClickerAnswers {
        url: format!("{}/response", w.slack.uri()),
        received,
    }
}

impl ClickerAnswers {
    /// The next answer (they go out on their own tasks).
    async fn next(&mut self) -> Value {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.received.recv())
            .await
            .expect("the clicker was answered")
            .expect("the fake is still running")
    }
}

#[tokio::test]
async fn a_prd_promotion_waits_for_confirm_and_cancel_or_a_devs_click_runs_nothing() {
    let w = world().await;
    let mut answers = answer_clicks(&w).await;
    let response_url = answers.url.clone();
    let ask = slash_body(
        SLACK_CHANNEL,
        SRE_SLACK,
        "/promote",
        "stg prd",
        "5005.0.000",
    );
    let (_, ack) = w.slash(&ask).await;
    assert_eq!(ack["response_type"], "ephemeral", "{ack}");
    let buttons = &ack["blocks"][1]["elements"];
    assert_eq!(
        (&buttons[0]["action_id"], &buttons[1]["action_id"]),
        (&json!("bosun-confirm"), &json!("bosun-cancel")),
        "{ack:#}"
    );

    // Cancel: the question is replaced, nothing is stored.
    let cancel = chat_world::button_click(
        SLACK_CHANNEL,
        SRE_SLACK,
        "bosun-cancel",
        "/promote stg prd",
        "5005.1.aaa",
        &response_url,
    );
    assert_eq!(w.click(&cancel).await, StatusCode::OK);
    let cancelled = answers.next().await;
    assert_eq!(cancelled["replace_original"], true);
    assert_eq!(
        cancelled["text"],
        "Cancelled: `/promote stg prd` was not run."
    );

    // A dev who may not promote into prd clicks Confirm: refused, told alone.
    let forwarded = chat_world::button_click(
        SLACK_CHANNEL,
        DEV_SLACK,
        "bosun-confirm",
        "/promote stg prd",
        "5005.2.bbb",
        &response_url,
    );
    assert_eq!(w.click(&forwarded).await, StatusCode::OK);
    let refused = answers.next().await;
    assert_eq!(refused["replace_original"], false, "{refused:#}");
    w.settle().await;
    assert!(w.slack_posts().await.is_empty(), "nothing ran");
    let chat_key = bosun_reconciler::ids::WorkKey::Chat {
        repo: REPO.parse().unwrap(),
    };
    assert_eq!(w.engine.store().generation(&chat_key).unwrap(), None);

    // A promotion into an unprotected environment needs no confirmation.
    let ask = slash_body(
        SLACK_CHANNEL,
        SRE_SLACK,
        "/promote",
        "dev stg",
        "5005.3.ccc",
    );
    let (_, ack) = w.slash(&ask).await;
    assert_eq!(ack["response_type"], "in_channel", "{ack}");
}

#[tokio::test]
async fn slacks_rate_limit_is_honoured_and_the_answer_is_posted_once() {
    let w = world().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({ "ok": false, "error": "ratelimited" })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&w.slack)
        .await;
    let (status, _) = w
        .slash(&slash_body(
            SLACK_CHANNEL,
            SRE_SLACK,
            "/status",
            "",
            "5005.1.aaa",
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let started = std::time::Instant::now();
    w.settle().await;
    let posts = w.slack_posts().await;
    assert_eq!(
        posts.len(),
        2,
        "one refused by the rate limit, one delivered: {posts:#?}"
    );
    assert_eq!(posts[0].body, posts[1].body, "the same message, retried");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "Retry-After was honoured"
    );
}

#[tokio::test]
async fn discord_commands_are_registered_by_bulk_overwrite_matching_the_grammar() {
    let w = world().await;
    let api = DiscordApi::new(
        &format!("{}/api/v10", w.discord.uri()),
        Some("bot".to_owned().into()),
    )
    .unwrap();
    register::register(&api, DISCORD_APP, "1700000000000000001")
        .await
        .unwrap();
    let calls = w.discord_calls().await;
    assert_eq!(calls.len(), 1);
    let (verb, route, body) = &calls[0];
    assert_eq!(verb, "PUT");
    assert_eq!(
        route,
        &format!("/api/v10/applications/{DISCORD_APP}/guilds/1700000000000000001/commands")
    );
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "plan", "apply", "promote", "rollback", "drift", "cost", "status", "lock", "unlock",
            "bosun"
        ]
    );
}

#[tokio::test]
async fn once_an_interaction_token_expires_the_thread_goes_on_as_a_channel_message() {
    use bosun_reconciler::ports::notify::{Notice, Route, Tone};
    let w = world().await;
    let key = w.discord_key.clone();
    let body = interaction("1600000000000000004", "status", None, SRE_DISCORD, &[]);
    let (_, answer) = w.post_discord(&body, &key, "1700000000").await;
    assert_eq!(answer["type"], 5);
    w.settle().await;
    // Fifteen minutes later Discord refuses the token.
    Mock::given(method("PATCH"))
        .and(path(format!(
            "/api/v10/webhooks/{DISCORD_APP}/token-1600000000000000004/messages/@original"
        )))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({ "message": "Invalid Webhook Token", "code": 50027 })),
        )
        .with_priority(1)
        .mount(&w.discord)
        .await;
    let later = Notice {
        id: "later:1".to_owned(),
        thread: "chat:discord:1600000000000000004".to_owned(),
        route: Route::Repo,
        repo: Some(REPO.parse().unwrap()),
        headline: "/status: done".to_owned(),
        body: "still fine".to_owned(),
        tone: Tone::Success,
        links: Vec::new(),
        reply: Some("a later step".to_owned()),
        attachment: None,
    };
    w.engine.notifier().notify(later).await.unwrap();
    w.settle().await;
    let calls = w.discord_calls().await;
    let channel_posts: Vec<_> = calls
        .iter()
        .filter(|(verb, route, _)| {
            verb == "POST" && route == &format!("/api/v10/channels/{DISCORD_CHANNEL}/messages")
        })
        .collect();
    assert_eq!(
        channel_posts.len(),
        2,
        "the message, then the reply: {calls:#?}"
    );
    assert_eq!(channel_posts[0].2["embeds"][0]["description"], "still fine");
    assert_eq!(channel_posts[1].2["content"], "a later step");
    assert_eq!(
        channel_posts[1].2["message_reference"]["message_id"],
        "1200000000000000001"
    );
}

/// The bytes a chart notice carries (a PNG signature, then filler).
const CHART: &[u8] = b"\x89PNG\r\n\x1a\n-not-a-real-chart";

/// A cost notice for prd, asked in `channel`, with [`CHART`] attached.
fn chart_notice(channel: &str) -> bosun_reconciler::ports::notify::Notice {
    use bosun_reconciler::audit::Place;
    use bosun_reconciler::ports::notify::{Attachment, Notice, Route, Tone};
    Notice {
        id: "cost:prd:2026-11".to_owned(),
        thread: "cost:prd".to_owned(),
        route: Route::Origin {
            place: Place::Channel {
                id: channel.to_owned(),
            },
            env: Some("prd".to_owned()),
        },
        repo: Some(REPO.parse().unwrap()),
        headline: "GPU cost in prd".to_owned(),
        body: "November so far".to_owned(),
        tone: Tone::Info,
        links: Vec::new(),
        reply: None,
        attachment: Some(Attachment {
            file_name: "gpu-cost-prd.png".to_owned(),
            media_type: "image/png".to_owned(),
            bytes: CHART.to_vec(),
        }),
    }
}

#[tokio::test]
async fn an_attachment_is_uploaded_into_the_thread_with_slacks_external_upload() {
    let w = world().await;
    let upload_url = format!("{}/upload/F0CHART", w.slack.uri());
    Mock::given(method("POST"))
        .and(path("/api/files.getUploadURLExternal"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({ "ok": true, "upload_url": upload_url, "file_id": "F0CHART" }),
            ),
        )
        .mount(&w.slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload/F0CHART"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&w.slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/files.completeUploadExternal"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": true, "files": [{ "id": "F0CHART" }] })),
        )
        .mount(&w.slack)
        .await;
    let png = CHART.to_vec();
    w.engine
        .notifier()
        .notify(chart_notice(SLACK_CHANNEL))
        .await
        .unwrap();
    w.settle().await;
    let received = w.slack.received_requests().await.unwrap();
    let paths: Vec<&str> = received.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths,
        [
            "/api/chat.postMessage",
            "/api/files.getUploadURLExternal",
            "/upload/F0CHART",
            "/api/files.completeUploadExternal"
        ]
    );
    let ticket = &received[1];
    let query: Vec<(String, String)> = ticket
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert!(
        query.contains(&("filename".to_owned(), "gpu-cost-prd.png".to_owned())),
        "{query:?}"
    );
    assert!(
        query.contains(&("length".to_owned(), png.len().to_string())),
        "{query:?}"
    );
    assert_eq!(received[2].body, png);
    let complete: Value = serde_json::from_slice(&received[3].body).unwrap();
    assert_eq!(complete["channel_id"], SLACK_CHANNEL);
    assert_eq!(complete["thread_ts"], "1700000000.000001");
    assert_eq!(complete["files"][0]["id"], "F0CHART");
}

/// The parts of a `multipart/form-data` body: each part's headers (as text)
/// and its content.
fn form_parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = rest
        .windows(delimiter.len())
        .position(|w| w == delimiter.as_slice())
    {
        let part = &rest[..at];
        rest = &rest[at + delimiter.len()..];
        let Some(split) = part.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..split]).trim().to_owned();
        let content = part[split + 4..]
            .strip_suffix(b"\r\n")
            .unwrap_or(&part[split + 4..]);
        parts.push((headers, content.to_vec()));
    }
    parts
}

#[tokio::test]
async fn an_attachment_follows_in_the_discord_thread_as_a_file_message() {
    let w = world().await;
    let png = CHART.to_vec();
    w.engine
        .notifier()
        .notify(chart_notice(DISCORD_CHANNEL))
        .await
        .unwrap();
    w.settle().await;
    let received = w.discord.received_requests().await.unwrap();
    let posts: Vec<_> = received
        .iter()
        .filter(|r| r.url.path() == format!("/api/v10/channels/{DISCORD_CHANNEL}/messages"))
        .collect();
    assert_eq!(posts.len(), 2, "the message, then the file");
    let first: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!(first["embeds"][0]["description"], "November so far");

    let content_type = posts[1].headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("multipart/form-data"),
        "{content_type}"
    );
    let parts = form_parts(content_type, &posts[1].body);
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(
        parts[0].0.contains("name=\"payload_json\""),
        "{}",
        parts[0].0
    );
    let payload: Value = serde_json::from_slice(&parts[0].1).unwrap();
    assert_eq!(
        payload["attachments"],
        json!([{ "id": 0, "filename": "gpu-cost-prd.png" }])
    );
    assert_eq!(
        payload["message_reference"]["message_id"],
        "1200000000000000001"
    );
    assert!(
        parts[1]
            .0
            .contains("name=\"files[0]\"; filename=\"gpu-cost-prd.png\""),
        "{}",
        parts[1].0
    );
    assert!(
        parts[1]
            .0
            .to_ascii_lowercase()
            .contains("content-type: image/png")
    );
    assert_eq!(parts[1].1, png);
}

#[tokio::test]
async fn a_slack_user_group_grants_its_role_once_bosun_has_read_the_groups() {
    let w = world().await;
    // Shaped like Slack's documented `usergroups.list` answer (with
    // `include_users`; `user_count` a string, as in Slack's example).
    Mock::given(method("GET"))
        .and(path("/api/usergroups.list"))
        .and(wiremock::matchers::query_param("include_users", "true"))
        .and(wiremock::matchers::header(
            "authorization",
            "Bearer xoxb-e2e",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "usergroups": [
                {
                    "id": SRE_GROUP,
                    "team_id": "T0E2E",
                    "is_usergroup": true,
                    "name": "SRE on call",
                    "description": "Whoever holds the pager this week.",
                    "handle": "sre-oncall",
                    "is_external": false,
                    "date_create": 1446598059,
                    "date_update": 1446670362,
                    "date_delete": 0,
                    "auto_type": null,
                    "created_by": "U060RNRCZ",
                    "updated_by": "U060RNRCZ",
                    "deleted_by": null,
                    "prefs": { "channels": [], "groups": [] },
                    "users": [GROUP_MEMBER],
                    "user_count": "1"
                },
                {
                    "id": "S0OTHER",
                    "team_id": "T0E2E",
                    "is_usergroup": true,
                    "name": "Everyone else",
                    "handle": "others",
                    "is_external": false,
                    "date_create": 1446598059,
                    "prefs": { "channels": [], "groups": [] },
                    "users": [DEV_SLACK],
                    "user_count": "1"
                }
            ]
        })))
        .mount(&w.slack)
        .await;
    // Before the groups are read, the member holds no role: refused.
    let lock =
        |trigger: &str| slash_body(SLACK_CHANNEL, GROUP_MEMBER, "/lock", "prd release", trigger);
    let (_, ack) = w.slash(&lock("6006.0.000")).await;
    assert_eq!(ack["response_type"], "ephemeral", "{ack}");

    w.keep_slack_groups_fresh().await;
    let (_, ack) = w.slash(&lock("6006.1.aaa")).await;
    assert_eq!(ack["response_type"], "in_channel", "{ack}");
    // Being in another group grants nothing.
    let (_, ack) = w
        .slash(&slash_body(
            SLACK_CHANNEL,
            DEV_SLACK,
            "/unlock",
            "prd",
            "6006.2.bbb",
        ))
        .await;
    assert_eq!(ack["response_type"], "ephemeral", "{ack}");
}
