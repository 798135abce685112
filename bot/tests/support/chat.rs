//! The chat end-to-end world: the real router (webhooks and chat routes),
//! engine and sled store; the real GitHub adapter against the GitHub fake;
//! the real Slack and Discord notifiers (durable outboxes) against wiremock
//! fakes of Slack's Web API and Discord's HTTP API. Slack requests are
//! signed here with Slack's algorithm, Discord's with a key pair generated
//! for the test.

#![allow(dead_code)]

use crate::support::github::GitHubFake;
use crate::support::harness::{send_to, test_engine};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bosun::chat::discord::api::DiscordApi;
use bosun::chat::discord::sink::DiscordSink;
use bosun::chat::fanout::FanOut;
use bosun::chat::outbox::Outbox;
use bosun::chat::slack::api::SlackApi;
use bosun::chat::slack::sink::SlackSink;
use bosun::chat::slack::verify::sign;
use bosun::chat::wiring;
use bosun::chat::{ChatSettings, channels};
use bosun::github::GitHubForge;
use bosun::ingress::signature::sign_sha256;
use bosun::ingress::{AppState, DEFAULT_MAX_BODY, ServiceInfo, app};
use bosun::metrics::Metrics;
use bosun_reconciler::engine::Engine;
use bosun_reconciler::ports::forge::Forge;
use bosun_reconciler::ports::notify::Notifier;
use bosun_reconciler::store::{SledStore, Store};
use ed25519_dalek::{Signer, SigningKey};
use secrecy::SecretString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// The Slack signing secret of the world (a retired one is accepted too).
pub const SLACK_SECRET: &str = "e2e-slack-signing-secret";
/// The GitHub webhook secret.
pub const GITHUB_SECRET: &str = "e2e-webhook-secret";
/// The Flux key.
pub const FLUX_KEY: &str = "e2e-flux-hmac-key";
/// The Discord application id.
pub const DISCORD_APP: &str = "1100000000000000001";

/// Answers `chat.postMessage` / `chat.update` as Slack does, with a new
/// `ts` per message.
struct SlackAnswers {
    next: AtomicU64,
}

impl Respond for SlackAnswers {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let channel = body["channel"].clone();
        let ts = match body["ts"].as_str() {
            Some(ts) => ts.to_owned(),
            None => format!("1700000000.{:06}", self.next.fetch_add(1, Ordering::SeqCst)),
        };
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "ok": true, "channel": channel, "ts": ts,
            "message": { "type": "message", "text": body["text"], "ts": ts }
        }))
    }
}

/// One Web API call the Slack fake received.
#[derive(Debug, Clone)]
pub struct SlackCall {
    /// `chat.postMessage` or `chat.update`.
    pub method: String,
    /// The JSON body.
    pub body: serde_json::Value,
}

/// Everything a chat test talks to.
pub struct ChatWorld {
    /// GitHub.
    pub github: GitHubFake,
    /// Slack's Web API.
    pub slack: MockServer,
    /// Discord's HTTP API.
    pub discord: MockServer,
    /// The engine.
    pub engine: Arc<Engine>,
    /// The router with every route.
    pub router: axum::Router,
    /// The chat outboxes (Slack, Discord).
    pub outboxes: Vec<Arc<Outbox>>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// The key Discord signs with.
    pub discord_key: SigningKey,
    /// The chat settings the world was wired with.
    pub chat_settings: ChatSettings,
    /// The chat routes' state.
    pub chat: Arc<bosun::chat::ChatState>,
    _dir: tempfile::TempDir,
}

impl ChatWorld {
    /// A world whose channels act on the repositories in `channels`
    /// (`C123=owner/repo,...`); the engine is started.
    pub async fn start(github: GitHubFake, channels: &str) -> Self {
        let slack = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path_regex("^/api/chat\\.(postMessage|update)$"))
            .respond_with(SlackAnswers {
                next: AtomicU64::new(1),
            })
            .mount(&slack)
            .await;
        let discord = MockServer::start().await;
        Mock::given(path_regex("^/api/v10/.*"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({ "id": "1200000000000000001" })),
            )
            .mount(&discord)
            .await;
        let discord_key = SigningKey::from_bytes(&[7u8; 32]);
        let args = channels::ChatArgs {
            slack_signing_secret: Some(format!("the-retired-slack-secret,{SLACK_SECRET}")),
            slack_bot_token: Some("xoxb-e2e".to_owned()),
            slack_api_url: Some(format!("{}/api/", slack.uri())),
            slack_channels: Some(channels.to_owned()),
            discord_public_key: Some(hex::encode(discord_key.verifying_key().to_bytes())),
            discord_app_id: Some(DISCORD_APP.to_owned()),
            discord_bot_token: Some("discord-bot-e2e".to_owned()),
            discord_api_url: Some(format!("{}/api/v10", discord.uri())),
            discord_channels: Some(channels.to_owned()),
            ..channels::ChatArgs::default()
        };
        let settings: ChatSettings = args.resolve().expect("chat settings");
        let dir = tempfile::tempdir().expect("temp dir");
        let metrics = Arc::new(Metrics::new());
        let forge: Arc<dyn Forge> =
            Arc::new(GitHubForge::new(github.config(), metrics.clone()).expect("forge"));
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).expect("store"));
        let slack_settings = settings.slack.clone().expect("slack");
        let discord_settings = settings.discord.clone().expect("discord");
        let slack_api = SlackApi::new(
            &slack_settings.api_url,
            slack_settings.bot_token.clone().expect("token"),
        )
        .expect("slack api");
        let discord_api = DiscordApi::new(
            &discord_settings.api_url,
            discord_settings.bot_token.clone(),
        )
        .expect("discord api");
        let outboxes = vec![
            Outbox::with_retry_base(
                Arc::clone(&store),
                Arc::new(SlackSink::new(
                    slack_api,
                    Arc::clone(&store),
                    Arc::clone(&forge),
                )),
                Duration::from_millis(20),
            ),
            Outbox::with_retry_base(
                Arc::clone(&store),
                Arc::new(DiscordSink::new(
                    discord_api,
                    Arc::clone(&store),
                    Arc::clone(&forge),
                )),
                Duration::from_millis(20),
            ),
        ];
        let notifier = FanOut::new(
            outboxes
                .iter()
                .map(|o| Arc::clone(o) as Arc<dyn Notifier>)
                .collect(),
        );
        let engine = test_engine(store, forge, metrics.clone(), Arc::new(notifier));
        let state = Arc::new(AppState {
            engine: Arc::clone(&engine),
            metrics: metrics.clone(),
            github_secrets: vec![SecretString::from(GITHUB_SECRET)],
            flux_keys: vec![SecretString::from(FLUX_KEY)],
            max_body: DEFAULT_MAX_BODY,
            info: ServiceInfo {
                forge: "github".to_owned(),
                data_dir: dir.path().display().to_string(),
                repo: None,
            },
            api_token: None,
            alerts: bosun::ingress::AlertIngress {
                tokens: Vec::new(),
                env_labels: vec!["env".into()],
            },
        });
        let chat = Arc::new(
            wiring::state(&settings, Arc::clone(&engine), metrics.clone(), None)
                .expect("chat state"),
        );
        let router = app(state).merge(bosun::chat::router(Arc::clone(&chat)));
        engine.start().expect("engine");
        for outbox in &outboxes {
            outbox.spawn();
        }
        let world = Self {
            github,
            slack,
            discord,
            engine,
            router,
            outboxes,
            metrics,
            discord_key,
            chat_settings: settings,
            chat,
            _dir: dir,
        };
        world.settle().await;
        world
    }

    /// Starts keeping Slack user groups fresh, as `serve` does, and waits
    /// until the first read has landed (or panics after 10 s).
    pub async fn keep_slack_groups_fresh(&self) {
        wiring::keep_slack_groups_fresh(&self.chat_settings, &self.chat).expect("Slack groups");
        let groups = &self
            .chat
            .slack
            .as_ref()
            .expect("Slack is configured")
            .groups;
        tokio::time::timeout(Duration::from_secs(10), groups.read_once())
            .await
            .expect("the user groups were read");
    }

    /// Waits until the engine is idle and every outbox delivered.
    pub async fn settle(&self) {
        let settled = tokio::time::timeout(Duration::from_secs(30), async {
            self.engine.idle().await;
            for outbox in &self.outboxes {
                outbox.drained().await;
            }
        })
        .await;
        if settled.is_err() {
            let waiting: Vec<_> = self.outboxes.iter().map(|o| o.waiting()).collect();
            let depth = self.engine.queue_depth();
            panic!(
                "the world did not settle within 30 s; queue depth {depth}; waiting: {waiting:#?}"
            );
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, serde_json::Value) {
        send_to(&self.router, request).await
    }

    /// Posts a form body to a Slack route with these signature headers.
    pub async fn post_slack(
        &self,
        route: &str,
        body: &str,
        timestamp: i64,
        signature: Option<String>,
        retry: Option<u32>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = Request::post(route)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", timestamp.to_string());
        if let Some(signature) = signature {
            request = request.header("x-slack-signature", signature);
        }
        if let Some(retry) = retry {
            request = request
                .header("x-slack-retry-num", retry.to_string())
                .header("x-slack-retry-reason", "http_timeout");
        }
        self.send(request.body(Body::from(body.to_owned())).expect("request"))
            .await
    }

    /// A slash command signed now with the world's secret.
    pub async fn slash(&self, body: &str) -> (StatusCode, serde_json::Value) {
        let now = chrono::Utc::now().timestamp();
        let signature = sign(SLACK_SECRET, now, body.as_bytes());
        self.post_slack("/slack/commands", body, now, Some(signature), None)
            .await
    }

    /// A button click (see [`button_click`]) signed now with the world's secret.
    pub async fn click(&self, body: &str) -> StatusCode {
        let now = chrono::Utc::now().timestamp();
        let signature = sign(SLACK_SECRET, now, body.as_bytes());
        self.post_slack("/slack/interactions", body, now, Some(signature), None)
            .await
            .0
    }

    /// A Discord interaction signed with `key` at `timestamp`.
    pub async fn post_discord(
        &self,
        body: &[u8],
        key: &SigningKey,
        timestamp: &str,
    ) -> (StatusCode, serde_json::Value) {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        let signature = hex::encode(key.sign(&message).to_bytes());
        let request = Request::post("/discord/interactions")
            .header("content-type", "application/json")
            .header("x-signature-ed25519", signature)
            .header("x-signature-timestamp", timestamp)
            .body(Body::from(body.to_vec()))
            .expect("request");
        self.send(request).await
    }

    /// A GitHub webhook signed with the world's secret.
    pub async fn deliver(&self, event: &str, delivery: &str, body: Vec<u8>) -> StatusCode {
        let signature = sign_sha256(GITHUB_SECRET, &body);
        let request = Request::post("/webhooks/github")
            .header("content-type", "application/json")
            .header("x-github-event", event)
            .header("x-github-delivery", delivery)
            .header("x-hub-signature-256", signature)
            .body(Body::from(body))
            .expect("request");
        self.send(request).await.0
    }

    /// A Flux event signed with the world's key.
    pub async fn deliver_flux(&self, body: Vec<u8>) -> StatusCode {
        let signature = sign_sha256(FLUX_KEY, &body);
        let request = Request::post("/webhooks/flux")
            .header("content-type", "application/json")
            .header("x-signature", signature)
            .body(Body::from(body))
            .expect("request");
        self.send(request).await.0
    }

    /// Every Web API call Slack received, in order.
    pub async fn slack_calls(&self) -> Vec<SlackCall> {
        self.slack
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| SlackCall {
                method: r.url.path().trim_start_matches("/api/").to_owned(),
                body: serde_json::from_slice(&r.body).unwrap_or_default(),
            })
            .collect()
    }

    /// Every `chat.postMessage` Slack received, in order.
    pub async fn slack_posts(&self) -> Vec<SlackCall> {
        self.slack_calls()
            .await
            .into_iter()
            .filter(|c| c.method == "chat.postMessage")
            .collect()
    }

    /// Every request Discord received: method, path and JSON body.
    pub async fn discord_calls(&self) -> Vec<(String, String, serde_json::Value)> {
        self.discord
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                (
                    r.method.to_string(),
                    r.url.path().to_owned(),
                    serde_json::from_slice(&r.body).unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// A slash command body as Slack sends it (form-encoded).
pub fn slash_body(channel: &str, user: &str, command: &str, text: &str, trigger: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "token=legacy&team_id=T0E2E&team_domain=e2e&channel_id={}&channel_name=platform&user_id={}&user_name=someone&command={}&text={}&api_app_id=A0E2E&is_enterprise_install=false&response_url={}&trigger_id={}",
        enc(channel),
        enc(user),
        enc(command),
        enc(text),
        enc("https://hooks.slack.com/commands/T0E2E/1/abc"),
        enc(trigger)
    )
}

/// The form body of a Slack `block_actions` interaction: `user` clicked the
/// button `action_id` carrying `value` in `channel`.
pub fn button_click(
    channel: &str,
    user: &str,
    action_id: &str,
    value: &str,
    trigger: &str,
    response_url: &str,
) -> String {
    let payload = serde_json::json!({
        "type": "block_actions",
        "trigger_id": trigger,
        "user": { "id": user, "username": "someone", "team_id": "T0E2E" },
        "channel": { "id": channel, "name": "platform" },
        "response_url": response_url,
        "actions": [{ "type": "button", "action_id": action_id, "value": value, "block_id": "b", "action_ts": "1" }],
    });
    let encoded: String = payload
        .to_string()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("payload={encoded}")
}
