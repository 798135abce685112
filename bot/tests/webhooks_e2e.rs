//! End to end: real GitHub webhook payloads, signed with GitHub's algorithm,
//! through the real router, engine and store, against the GitHub fake.

mod support;

use axum::http::StatusCode;
use bosun_reconciler::audit::{AuditDecision, AuditLog};
use serde_json::{Value, json};
use support::github::{BOT_LOGIN, FakePr, GitHubFake};
use support::harness::{Harness, payload};

const REPO: &str = "Codertocat/Hello-World";
const COMMENTS: &str = "/repos/Codertocat/Hello-World/issues/2/comments";

/// The fake with the fixture's repository and its PR #2 touching prd and stg.
async fn hello_world() -> Harness {
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    github.add_pr(REPO, FakePr::new("docs-only").files(&["README.md"]));
    let number = github.add_pr(
        REPO,
        FakePr::new("changes").files(&[
            "flux-config/clusters/prd-uaenorth/apps.yaml",
            "terraform/envs/stg-uaenorth/main.tf",
        ]),
    );
    assert_eq!(number, 2, "the fixture's pull request is #2");
    Harness::new(github).await
}

/// What changed GitHub's world, leaving out fetching installation tokens.
fn content_writes(h: &Harness) -> Vec<support::github::Recorded> {
    h.github
        .writes()
        .into_iter()
        .filter(|r| !r.path.starts_with("/app/"))
        .collect()
}

fn bot_comments(h: &Harness, repo: &str, number: u64) -> Vec<String> {
    h.github
        .comments(repo, number)
        .into_iter()
        .filter(|c| c.author == BOT_LOGIN)
        .map(|c| c.body)
        .collect()
}

#[tokio::test]
async fn a_signed_pull_request_gets_one_environments_comment() {
    let h = hello_world().await;
    h.start();
    let status = h
        .deliver("pull_request", "d-opened", payload("pull_request.opened"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.settle().await;
    let comments = bot_comments(&h, REPO, 2);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(comments[0].starts_with("<!-- bosun:envs:pr -->"));
    assert!(comments[0].contains("| `stg` | 1 |"));
    assert!(comments[0].contains("| `prd` (protected) | 1 |"));
    assert!(
        bot_comments(&h, REPO, 1).is_empty(),
        "a docs-only PR gets no comment"
    );
    h.github.assert_no_unexpected_requests();
}

#[tokio::test]
async fn signature_failures_are_refused_and_change_nothing() {
    let h = hello_world().await;
    let body = payload("pull_request.opened");
    let forged = bosun::ingress::signature::sign_sha256("not-the-secret", &body);
    let cases = [
        None,
        Some(forged),
        Some("sha256=zz".to_owned()),
        Some("sha1=abc".to_owned()),
    ];
    for signature in cases {
        let (status, reply) = h
            .post("pull_request", "d-forged", body.clone(), signature)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(reply["error"].is_string());
    }
    // Nothing was enqueued and nothing reached GitHub.
    assert_eq!(h.bosun().engine.queue_depth(), 0);
    assert!(h.github.requests().is_empty(), "{:#?}", h.github.requests());
    // Nothing was stored: the same delivery id, properly signed, is new.
    assert_eq!(
        h.deliver("pull_request", "d-forged", body).await,
        StatusCode::ACCEPTED
    );
    let metrics = h.metrics();
    assert!(
        metrics.contains(
            r#"bosun_events_rejected_total{source="github",reason="signature_missing"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"reason="signature_mismatch"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"reason="signature_malformed"} 2"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_redelivery_is_acknowledged_and_does_nothing_twice() {
    let h = hello_world().await;
    h.start();
    let body = payload("pull_request.opened");
    assert_eq!(
        h.deliver("pull_request", "d-1", body.clone()).await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    let writes = content_writes(&h).len();
    let (status, reply) = h
        .post(
            "pull_request",
            "d-1",
            body.clone(),
            Some(bosun::ingress::signature::sign_sha256(
                support::harness::SECRET,
                &body,
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["status"], "duplicate");
    // A new delivery of the same state converges on the same comment.
    assert_eq!(
        h.deliver("pull_request", "d-2", payload("pull_request.synchronize"))
            .await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    assert_eq!(bot_comments(&h, REPO, 2).len(), 1);
    assert_eq!(
        content_writes(&h).len(),
        writes,
        "nothing was written again"
    );
    assert!(
        h.metrics()
            .contains(r#"bosun_events_duplicate_total{source="github"} 1"#)
    );
}

#[tokio::test]
async fn an_acknowledged_event_survives_a_crash_before_any_work() {
    let mut h = hello_world().await;
    assert_eq!(
        h.deliver("pull_request", "d-crash", payload("pull_request.opened"))
            .await,
        StatusCode::ACCEPTED
    );
    h.crash_and_restart().await;
    h.start();
    h.settle().await;
    assert_eq!(bot_comments(&h, REPO, 2).len(), 1);
}

#[tokio::test]
async fn a_crash_while_commenting_still_ends_with_exactly_one_comment() {
    let mut h = hello_world().await;
    // The first attempt to comment hangs; bosun dies while it waits.
    h.github
        .delay_next("POST", COMMENTS, std::time::Duration::from_secs(30), 1);
    h.start();
    assert_eq!(
        h.deliver("pull_request", "d-mid", payload("pull_request.opened"))
            .await,
        StatusCode::ACCEPTED
    );
    let waited = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while h.github.requests_to("POST", COMMENTS).is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(waited.is_ok(), "bosun never tried to comment");
    h.crash_and_restart().await;
    h.start();
    h.settle().await;
    assert_eq!(bot_comments(&h, REPO, 2).len(), 1);
}

#[tokio::test]
async fn a_comment_posted_before_a_crash_is_not_posted_again() {
    let mut h = hello_world().await;
    h.start();
    assert_eq!(
        h.deliver("pull_request", "d-a", payload("pull_request.opened"))
            .await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    // The effect happened; pretend the crash lost bosun's record of it by
    // delivering again under a new id after a restart.
    h.crash_and_restart().await;
    h.start();
    assert_eq!(
        h.deliver("pull_request", "d-b", payload("pull_request.opened"))
            .await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    assert_eq!(bot_comments(&h, REPO, 2).len(), 1);
    assert_eq!(h.github.requests_to("POST", COMMENTS).len(), 1);
}

#[tokio::test]
async fn github_server_errors_and_rate_limits_are_retried() {
    let h = hello_world().await;
    h.github.fail_next("POST", COMMENTS, 502, &[], 2);
    h.github.fail_next(
        "POST",
        COMMENTS,
        403,
        &[("retry-after", "1"), ("x-ratelimit-remaining", "0")],
        1,
    );
    h.start();
    assert_eq!(
        h.deliver("pull_request", "d-flaky", payload("pull_request.opened"))
            .await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    assert_eq!(bot_comments(&h, REPO, 2).len(), 1);
    assert_eq!(h.github.requests_to("POST", COMMENTS).len(), 4);
    let metrics = h.metrics();
    assert!(
        metrics.contains(
            r#"bosun_outbound_requests_total{service="github",method="POST",status="502"} 2"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains(r#"status="403"} 1"#), "{metrics}");
}

/// The Atlantis fixture: a comment on PR #1 of `runatlantis/atlantis-tests`,
/// with its body and author set for the scenario.
fn comment_payload(
    body: &str,
    author: &str,
    author_type: &str,
    edited_from: Option<&str>,
) -> Vec<u8> {
    let mut json: Value =
        serde_json::from_slice(&payload("issue_comment.created.on-pr.atlantis")).unwrap();
    json["comment"]["body"] = json!(body);
    json["comment"]["user"]["login"] = json!(author);
    json["comment"]["user"]["type"] = json!(author_type);
    if let Some(previous) = edited_from {
        json["action"] = json!("edited");
        json["changes"] = json!({ "body": { "from": previous } });
    }
    serde_json::to_vec(&json).unwrap()
}

const ATLANTIS: &str = "runatlantis/atlantis-tests";

async fn atlantis_repo() -> Harness {
    let github = GitHubFake::start().await;
    github.add_repo(ATLANTIS);
    github.add_pr(ATLANTIS, FakePr::new("feature").files(&["README.md"]));
    github.set_permission(ATLANTIS, "runatlantis", "write");
    github.set_permission(ATLANTIS, "lead", "admin");
    github.set_file(
        ATLANTIS,
        ".bosun.yaml",
        "roles:\n  dev:\n    github_users: [runatlantis]\n  platform:\n    github_teams: [runatlantis/platform]\n",
    );
    github.add_team_member("runatlantis", "platform", "lead", "active");
    let h = Harness::new(github).await;
    h.start();
    h.settle().await;
    h
}

fn replies(h: &Harness) -> Vec<String> {
    bot_comments(h, ATLANTIS, 1)
        .into_iter()
        .filter(|b| b.starts_with("<!-- bosun:cmd:"))
        .collect()
}

#[tokio::test]
async fn a_permitted_status_from_a_pr_comment_gets_a_reply() {
    let h = atlantis_repo().await;
    let body = comment_payload("Thanks!\n\n/status prd", "runatlantis", "User", None);
    assert_eq!(
        h.deliver("issue_comment", "c-1", body).await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    let replies = replies(&h);
    assert_eq!(replies.len(), 1, "{replies:#?}");
    insta::assert_snapshot!(replies[0]);
}

#[tokio::test]
async fn apply_prd_from_a_dev_is_refused_and_audited() {
    let h = atlantis_repo().await;
    let body = comment_payload("/apply prd", "runatlantis", "User", None);
    assert_eq!(
        h.deliver("issue_comment", "c-2", body).await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    let replies = replies(&h);
    assert_eq!(replies.len(), 1);
    insta::assert_snapshot!(replies[0]);
    let store = h.bosun().engine.store().clone();
    let entries = AuditLog::new(store.as_ref())
        .since(chrono::DateTime::UNIX_EPOCH)
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].who.id, "runatlantis");
    assert_eq!(entries[0].text, "/apply prd");
    assert!(matches!(entries[0].decision, AuditDecision::Refused { .. }));
}

#[tokio::test]
async fn a_team_member_may_lock_prd() {
    let h = atlantis_repo().await;
    let body = comment_payload(
        "/lock prd change freeze for the release",
        "lead",
        "User",
        None,
    );
    assert_eq!(
        h.deliver("issue_comment", "c-3", body).await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    let replies = replies(&h);
    assert_eq!(replies.len(), 1);
    assert!(replies[0].contains("`prd` is locked"), "{}", replies[0]);
}

#[tokio::test]
async fn an_edited_comment_runs_only_its_new_command() {
    let h = atlantis_repo().await;
    let first = comment_payload("/help", "runatlantis", "User", None);
    assert_eq!(
        h.deliver("issue_comment", "c-4", first).await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    let edited = comment_payload("/help\n/status", "runatlantis", "User", Some("/help"));
    assert_eq!(
        h.deliver("issue_comment", "c-5", edited).await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    let replies = replies(&h);
    assert_eq!(replies.len(), 2, "{replies:#?}");
    assert!(
        replies[1].contains("`/status` asked by @runatlantis"),
        "{}",
        replies[1]
    );
    let store = h.bosun().engine.store().clone();
    let entries = AuditLog::new(store.as_ref())
        .since(chrono::DateTime::UNIX_EPOCH)
        .unwrap();
    assert_eq!(entries.len(), 2);
}

#[tokio::test]
async fn a_command_inside_a_code_block_does_nothing() {
    let h = atlantis_repo().await;
    let body = comment_payload(
        "Run this:\n\n```\n/apply prd\n```\n",
        "runatlantis",
        "User",
        None,
    );
    assert_eq!(
        h.deliver("issue_comment", "c-6", body).await,
        StatusCode::ACCEPTED
    );
    h.settle().await;
    assert!(replies(&h).is_empty());
    assert!(content_writes(&h).is_empty(), "{:#?}", content_writes(&h));
}

#[tokio::test]
async fn the_bot_ignores_its_own_comments() {
    let h = atlantis_repo().await;
    let requests_before = h.github.requests().len();
    let own = comment_payload(
        "<!-- bosun:cmd:1:/status -->\n/status",
        BOT_LOGIN,
        "Bot",
        None,
    );
    let (status, reply) = h
        .post(
            "issue_comment",
            "c-7",
            own.clone(),
            Some(bosun::ingress::signature::sign_sha256(
                support::harness::SECRET,
                &own,
            )),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(reply["status"], "accepted");
    h.settle().await;
    assert_eq!(
        h.github.requests().len(),
        requests_before,
        "no reconcile ran"
    );
}

#[tokio::test]
async fn bad_requests_after_a_valid_signature_get_clear_errors() {
    let h = hello_world().await;
    let garbage = b"{not json".to_vec();
    let signature = bosun::ingress::signature::sign_sha256(support::harness::SECRET, &garbage);
    let (status, reply) = h
        .post("pull_request", "d-bad", garbage, Some(signature))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("malformed pull_request payload")
    );

    let status = h.deliver("star", "d-star", payload("ping")).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "unknown event types are acknowledged"
    );

    assert_eq!(
        h.deliver("ping", "d-ping", payload("ping")).await,
        StatusCode::ACCEPTED
    );

    let huge = vec![b' '; bosun::ingress::DEFAULT_MAX_BODY + 1];
    let signature = bosun::ingress::signature::sign_sha256(support::harness::SECRET, &huge);
    let (status, _) = h
        .post("pull_request", "d-huge", huge, Some(signature))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let metrics = h.metrics();
    assert!(metrics.contains(r#"reason="too_large"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"reason="malformed"} 1"#), "{metrics}");
    assert!(
        metrics.contains(r#"bosun_events_received_total{source="github",type="ping"} 1"#),
        "{metrics}"
    );
}
