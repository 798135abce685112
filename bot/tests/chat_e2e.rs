//! Chat end to end: Slack slash commands and Discord interactions through
//! the real router, screened before the acknowledgement, run by the real
//! engine against the GitHub fake (the project's own `flux-config/` as real
//! git objects), answered through the real Slack and Discord notifiers to
//! wiremock fakes of their APIs.

#[path = "support/chat.rs"]
mod chat_world;
mod support;

use axum::http::StatusCode;
use bosun::chat::slack::verify::sign;
use bosun_reconciler::ids::{PrNumber, RepoName};
use chat_world::{ChatWorld, SLACK_SECRET, slash_body};
use serde_json::{Value, json};
use support::github::GitHubFake;
use support::harness::{closed_merged, flux_event, stg_to_prd_promotion};
use support::tree::seed_flux_config;

/// The repository of the GitHub fixtures (`pull_request.closed` names it).
const REPO: &str = "Codertocat/Hello-World";
const CHANNEL: &str = "C0PLATFORM";
const SRE: &str = "U0SRE";
const DEV: &str = "U0DEV";

async fn world() -> ChatWorld {
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    seed_flux_config(&github, REPO);
    github.set_file(
        REPO,
        ".bosun.yaml",
        &format!(
            "roles:\n  sre:\n    slack_users: [{SRE}]\n    discord_users: [\"1300000000000000001\"]\n  dev:\n    slack_users: [{DEV}]\n    discord_roles: [\"1400000000000000001\"]\n"
        ),
    );
    ChatWorld::start(
        github,
        &format!("{CHANNEL}={REPO},1500000000000000001={REPO}"),
    )
    .await
}

/// prd's Kustomization, as its Alert (with `env: prd`) reports it.
fn prd_applied(commit: &str) -> Vec<u8> {
    let mut event: Value =
        serde_json::from_slice(&flux_event("event.generic-webhook.docs-example")).unwrap();
    event["involvedObject"]["kind"] = json!("Kustomization");
    event["involvedObject"]["name"] = json!("apps");
    event["involvedObject"]["namespace"] = json!("flux-system");
    event["severity"] = json!("info");
    event["reason"] = json!("ReconciliationSucceeded");
    event["message"] = json!("Reconciliation finished in 2s, next run in 10m0s");
    event["timestamp"] = json!(chrono::Utc::now().to_rfc3339());
    event["metadata"] = json!({
        "kustomize.toolkit.fluxcd.io/revision": format!("main@sha1:{commit}"),
        "env": "prd",
    });
    serde_json::to_vec(&event).unwrap()
}

fn texts(blocks: &Value) -> String {
    blocks.to_string()
}

#[tokio::test]
async fn promote_from_slack_opens_the_pr_and_its_thread_follows_merge_and_flux() {
    let w = world().await;
    let body = slash_body(CHANNEL, SRE, "/promote", "stg prd", "1001.1.aaa");
    let (status, ack) = w.slash(&body).await;
    assert_eq!(status, StatusCode::OK);
    // prd is protected: the asker alone is asked to confirm, nothing runs yet.
    assert_eq!(ack["response_type"], "ephemeral", "{ack}");
    assert!(
        ack["text"]
            .as_str()
            .unwrap()
            .contains("Promote `stg` → `prd`?"),
        "{ack}"
    );
    let confirm = &ack["blocks"][1]["elements"][0];
    assert_eq!(confirm["action_id"], "bosun-confirm", "{ack:#}");
    assert_eq!(confirm["value"], "/promote stg prd", "{ack:#}");
    w.settle().await;
    assert!(w.slack_calls().await.is_empty());
    let chat_key = bosun_reconciler::ids::WorkKey::Chat {
        repo: REPO.parse().unwrap(),
    };
    assert_eq!(
        w.engine.store().generation(&chat_key).unwrap(),
        None,
        "nothing was stored"
    );

    // The click on Confirm runs it, and replaces the question for the clicker.
    let clicker = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&clicker)
        .await;
    let click = chat_world::button_click(
        CHANNEL,
        SRE,
        "bosun-confirm",
        "/promote stg prd",
        "1001.2.bbb",
        &format!("{}/response", clicker.uri()),
    );
    assert_eq!(w.click(&click).await, StatusCode::OK);
    w.settle().await;

    // The pull request is open, and the channel got one message with its link.
    let pr = w.github.pr(REPO, 1);
    assert_eq!(pr.head_ref, "bosun/promote/stg-to-prd");
    let calls = w.slack_calls().await;
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(calls[0].method, "chat.postMessage");
    let first = &calls[0].body;
    assert_eq!(first["channel"], CHANNEL);
    assert!(first.get("thread_ts").is_none());
    // The Slack fake numbers its messages from 1.
    let ts = "1700000000.000001".to_owned();
    let url = format!("/{REPO}/pull/1");
    assert!(texts(&first["blocks"]).contains(&url), "{first:#}");
    assert!(
        texts(&first["blocks"]).contains("Opened promotion pull request #1"),
        "{first:#}"
    );

    // The merge: the first message is edited and the thread gets a reply.
    let repo: RepoName = REPO.parse().unwrap();
    w.engine.forge().merge(&repo, PrNumber(1)).await.unwrap();
    let merged = w.github.pr(REPO, 1);
    let merge = merged.merge_commit_sha.clone().expect("merged");
    let status = w
        .deliver(
            "pull_request",
            "d-merged",
            closed_merged(1, &merged.head_sha, &merge),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    w.settle().await;
    let calls = w.slack_calls().await;
    let later: Vec<_> = calls[1..].iter().collect();
    assert!(
        later.iter().all(|c| c.body["channel"] == CHANNEL),
        "{later:#?}"
    );
    let updates: Vec<_> = later.iter().filter(|c| c.method == "chat.update").collect();
    let replies: Vec<_> = later
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .collect();
    assert!(
        updates.iter().all(|c| c.body["ts"] == ts.as_str()),
        "{updates:#?}"
    );
    assert_eq!(replies.len(), 1, "{later:#?}");
    assert_eq!(replies[0].body["thread_ts"], ts.as_str());
    assert!(texts(&replies[0].body["blocks"]).contains(&format!("Merged as `{}`", &merge[..7])));
    assert!(
        texts(&updates.last().unwrap().body["blocks"]).contains("merged, waiting for Flux in prd")
    );

    // Flux applies a revision containing the merge.
    let tip = w
        .github
        .seed_files(REPO, "main", &[("README.md", "later\n")], "Later change");
    let applied = prd_applied(&tip);
    assert_eq!(w.deliver_flux(applied.clone()).await, StatusCode::ACCEPTED);
    w.settle().await;
    let calls = w.slack_calls().await;
    let posts: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .collect();
    assert_eq!(posts.len(), 3, "one message and two replies: {calls:#?}");
    assert_eq!(posts[2].body["thread_ts"], ts.as_str());
    assert!(
        texts(&posts[2].body["blocks"]).contains("Flux applied"),
        "{:#}",
        posts[2].body
    );
    let last_update = calls
        .iter()
        .rev()
        .find(|c| c.method == "chat.update")
        .unwrap();
    assert_eq!(last_update.body["ts"], ts.as_str());
    assert!(texts(&last_update.body["blocks"]).contains("applied in prd"));

    // A redelivered Flux event and a resync post nothing more.
    let before = w.slack_calls().await.len();
    assert_eq!(w.deliver_flux(applied).await, StatusCode::OK);
    w.engine
        .enqueue(&[bosun_reconciler::ids::WorkKey::Env {
            env: "prd".to_owned(),
        }])
        .unwrap();
    w.settle().await;
    assert_eq!(w.slack_calls().await.len(), before);
}

#[tokio::test]
async fn a_devs_apply_prd_is_refused_in_the_ack_and_nothing_runs() {
    let w = world().await;
    let body = slash_body(CHANNEL, DEV, "/apply", "prd", "2002.2.bbb");
    let (status, ack) = w.slash(&body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ack["response_type"], "ephemeral");
    let text = ack["text"].as_str().unwrap();
    assert!(
        text.contains("/apply prd") && text.contains("platform"),
        "{text}"
    );
    w.settle().await;
    assert!(w.slack_calls().await.is_empty(), "a refusal posts nothing");
    let audit = bosun_reconciler::audit::AuditLog::new(w.engine.store().as_ref());
    assert!(
        audit.get("slack:2002.2.bbb").unwrap().is_none(),
        "nothing was recorded"
    );

    // An unknown command and an unlinked channel are answered, not run.
    let (_, ack) = w
        .slash(&slash_body(
            CHANNEL,
            SRE,
            "/bosun",
            "aply prd",
            "2002.3.ccc",
        ))
        .await;
    assert_eq!(ack["response_type"], "ephemeral");
    assert!(ack["text"].as_str().unwrap().contains("apply"), "{ack}");
    let (_, ack) = w
        .slash(&slash_body("C0ELSEWHERE", SRE, "/status", "", "2002.4.ddd"))
        .await;
    assert!(
        ack["text"].as_str().unwrap().contains("not linked"),
        "{ack}"
    );
    w.settle().await;
    assert!(w.slack_calls().await.is_empty());
}

#[tokio::test]
async fn bad_signatures_and_stale_timestamps_get_401_and_replays_run_once() {
    let w = world().await;
    let body = slash_body(CHANNEL, SRE, "/status", "", "3003.3.ccc");
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (now, Some(sign("not-the-secret", now, body.as_bytes()))),
        (now, Some(sign(SLACK_SECRET, now, b"another body"))),
        (now, None),
        (
            now - 301,
            Some(sign(SLACK_SECRET, now - 301, body.as_bytes())),
        ),
        (
            now + 301,
            Some(sign(SLACK_SECRET, now + 301, body.as_bytes())),
        ),
    ];
    for (ts, signature) in cases {
        let (status, answer) = w
            .post_slack("/slack/commands", &body, ts, signature, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer, Value::Null, "nothing but 401");
    }
    // The retired secret still verifies during a rotation.
    let retired = sign("the-retired-slack-secret", now, body.as_bytes());
    let (status, ack) = w
        .post_slack("/slack/commands", &body, now, Some(retired), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ack["response_type"], "in_channel");
    // Slack's retry, and a replay re-signed within the window, run nothing twice.
    let again = sign(SLACK_SECRET, now, body.as_bytes());
    let (_, ack) = w
        .post_slack("/slack/commands", &body, now, Some(again.clone()), Some(1))
        .await;
    assert!(
        ack["text"].as_str().unwrap().contains("already received"),
        "{ack}"
    );
    let (_, ack) = w
        .post_slack("/slack/commands", &body, now, Some(again), None)
        .await;
    assert!(
        ack["text"].as_str().unwrap().contains("already received"),
        "{ack}"
    );
    w.settle().await;
    let posts = w.slack_calls().await;
    assert_eq!(posts.len(), 1, "one answer: {posts:#?}");
    assert!(
        texts(&posts[0].body["blocks"]).contains("/status: done"),
        "{:#}",
        posts[0].body
    );
    let metrics = w.metrics.render();
    for line in [
        r#"bosun_events_rejected_total{source="slack",reason="signature_mismatch"} 2"#,
        r#"bosun_events_rejected_total{source="slack",reason="signature_missing"} 1"#,
        r#"bosun_events_rejected_total{source="slack",reason="stale_timestamp"} 2"#,
        r#"bosun_events_duplicate_total{source="slack"} 2"#,
    ] {
        assert!(metrics.contains(line), "{line}\n{metrics}");
    }
}

#[tokio::test]
async fn a_promotion_asked_on_a_pull_request_is_followed_in_the_environments_channel() {
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    github.set_file(
        REPO,
        ".bosun.yaml",
        "chat:\n  slack:\n    channel: C0REPO\n    envs:\n      prd: C0PRD\n",
    );
    let number = github.add_pr(
        REPO,
        support::github::FakePr::new("bosun/promote/stg-to-prd")
            .author(support::github::BOT_LOGIN)
            .files(&["flux-config/apps/prd/vllm.yaml"]),
    );
    let w = ChatWorld::start(github, &format!("{CHANNEL}={REPO}")).await;
    let repo: RepoName = REPO.parse().unwrap();
    let record = stg_to_prd_promotion(REPO, number);
    bosun_reconciler::promotion::Promotions::new(w.engine.store().as_ref())
        .save(&record)
        .unwrap();
    w.engine
        .forge()
        .merge(&repo, PrNumber(number))
        .await
        .unwrap();
    let merged = w.github.pr(REPO, number);
    let merge = merged.merge_commit_sha.clone().expect("merged");
    let status = w
        .deliver(
            "pull_request",
            "d-merged-env",
            closed_merged(number, &merged.head_sha, &merge),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    w.settle().await;
    let calls = w.slack_calls().await;
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|c| c.body["channel"] == "C0PRD"),
        "prd's channel from .bosun.yaml: {calls:#?}"
    );
    assert_eq!(calls[0].method, "chat.postMessage");
    assert!(calls[0].body.get("thread_ts").is_none());
    let replies: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body.get("thread_ts").is_some())
        .collect();
    assert_eq!(replies.len(), 1, "{calls:#?}");
    assert!(texts(&replies[0].body["blocks"]).contains("Merged as"));
}
