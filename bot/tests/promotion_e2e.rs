//! `/promote` end to end: a signed `issue_comment` webhook through the real
//! router and engine, against the GitHub fake holding the project's own
//! `flux-config/` tree as real git objects.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::github::{BOT_LOGIN, FakePr, GitHubFake};
use support::harness::{Harness, payload};
use support::tree::seed_flux_config;

const REPO: &str = "runatlantis/atlantis-tests";
const BRANCH: &str = "bosun/promote/stg-to-prd";

/// The Atlantis fixture (a comment on PR #1) with this body and author.
fn comment(id: u64, body: &str, author: &str) -> Vec<u8> {
    let mut json: Value =
        serde_json::from_slice(&payload("issue_comment.created.on-pr.atlantis")).unwrap();
    json["comment"]["id"] = json!(id);
    json["comment"]["body"] = json!(body);
    json["comment"]["user"]["login"] = json!(author);
    serde_json::to_vec(&json).unwrap()
}

async fn world() -> Harness {
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    seed_flux_config(&github, REPO);
    github.set_file(
        REPO,
        ".bosun.yaml",
        "roles:\n  sre:\n    github_users: [runatlantis]\n  dev:\n    github_users: [devon]\n  platform:\n    github_users: [pia]\n",
    );
    github.add_pr(REPO, FakePr::new("feature").files(&["README.md"]));
    github.set_permission(REPO, "runatlantis", "write");
    github.set_permission(REPO, "devon", "write");
    github.set_permission(REPO, "pia", "admin");
    let h = Harness::new(github).await;
    h.start();
    h.settle().await;
    h
}

fn reply_to(h: &Harness, comment_id: u64) -> String {
    let marker = format!("<!-- bosun:cmd:{comment_id}:");
    h.github
        .comments(REPO, 1)
        .into_iter()
        .find(|c| c.author == BOT_LOGIN && c.body.starts_with(&marker))
        .map(|c| c.body)
        .unwrap_or_default()
}

#[tokio::test]
async fn promote_from_a_pr_comment_opens_a_pull_request_with_only_version_lines() {
    let h = world().await;
    let status = h
        .deliver(
            "issue_comment",
            "pc-1",
            comment(9001, "/promote stg prd", "runatlantis"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.settle().await;
    let reply = reply_to(&h, 9001);
    assert!(
        reply.contains("Opened promotion pull request #2"),
        "{reply}"
    );

    let path = "flux-config/apps/prd/versions.yaml";
    let before = h.github.file_at(REPO, "main", path).unwrap();
    let after = h.github.file_at(REPO, BRANCH, path).unwrap();
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [("      version: 1.15.4", "      version: 1.16.0")]
    );
    let pr = h.github.pr(REPO, 2);
    assert_eq!(pr.head_ref, BRANCH);
    assert!(pr.title.starts_with("Promote stg to prd"), "{}", pr.title);
    assert!(
        pr.labels.contains(&"promote:prd".to_owned()),
        "{:?}",
        pr.labels
    );

    // Asking again updates the same pull request and writes no new commit.
    let tip = h.github.branch_tip(REPO, BRANCH).unwrap();
    let status = h
        .deliver(
            "issue_comment",
            "pc-2",
            comment(9002, "/promote stg prd", "runatlantis"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.settle().await;
    assert!(
        reply_to(&h, 9002).contains("Updated promotion pull request #2"),
        "{}",
        reply_to(&h, 9002)
    );
    assert_eq!(h.github.branch_tip(REPO, BRANCH).unwrap(), tip);
    assert_eq!(
        h.github.prs(REPO).len(),
        2,
        "no second promotion pull request"
    );
    h.github.assert_no_unexpected_requests();
}

#[tokio::test]
async fn a_dev_cannot_skip_a_stage_even_with_force() {
    let h = world().await;
    h.deliver(
        "issue_comment",
        "pc-3",
        comment(9003, "/promote dev prd --force", "devon"),
    )
    .await;
    h.settle().await;
    let reply = reply_to(&h, 9003);
    assert!(reply.contains("`platform`"), "{reply}");
    assert!(
        h.github
            .branch_tip(REPO, "bosun/promote/dev-to-prd")
            .is_none()
    );
}

#[tokio::test]
async fn a_locked_prd_refuses_and_platform_may_skip_a_stage_with_force() {
    let h = world().await;
    h.deliver(
        "issue_comment",
        "pc-4",
        comment(9004, "/lock prd release weekend", "pia"),
    )
    .await;
    h.settle().await;
    assert!(
        reply_to(&h, 9004).contains("`prd` is locked"),
        "{}",
        reply_to(&h, 9004)
    );
    h.deliver(
        "issue_comment",
        "pc-5",
        comment(9005, "/promote stg prd", "runatlantis"),
    )
    .await;
    h.settle().await;
    let refused = reply_to(&h, 9005);
    assert!(
        refused.contains("Not promoted: `prd` is locked by forge:pia"),
        "{refused}"
    );
    assert!(
        h.github.branch_tip(REPO, BRANCH).is_none(),
        "nothing was written"
    );

    h.deliver("issue_comment", "pc-6", comment(9006, "/unlock prd", "pia"))
        .await;
    h.deliver(
        "issue_comment",
        "pc-7",
        comment(9007, "/promote dev prd --force", "pia"),
    )
    .await;
    h.settle().await;
    let forced = reply_to(&h, 9007);
    assert!(
        forced.contains("Opened promotion pull request #"),
        "{forced}"
    );
    assert!(
        h.github
            .branch_tip(REPO, "bosun/promote/dev-to-prd")
            .is_some()
    );
}
