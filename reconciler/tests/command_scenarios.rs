//! Commands in pull request comments, through the real engine and store
//! with the in-memory forge.

mod support;

use bosun_reconciler::audit::{AuditDecision, AuditLog};
use bosun_reconciler::event::CommentAction;
use bosun_reconciler::ports::forge::Access;
use bosun_reconciler::store::Store;
use bosun_reconciler::testkit::MemoryForge;
use std::sync::Arc;
use support::{Running, repo};

const CONFIG: &str = "\
roles:
  platform:
    github_users: [alice]
  dev:
    github_teams: [acme/app-devs]
";

type World = Running;

/// PR #1 by carol, `.bosun.yaml` with the roles above, alice admin, dave a
/// writer in the `app-devs` team.
async fn world() -> World {
    let forge = Arc::new(MemoryForge::new());
    forge.open_pr(
        &repo(),
        1,
        "carol",
        &["terraform/envs/prd-uaenorth/main.tf"],
    );
    forge.put_file(&repo(), ".bosun.yaml", CONFIG);
    forge.grant(&repo(), "alice", Access::Admin);
    forge.grant(&repo(), "dave", Access::Write);
    forge.add_team_member("acme", "app-devs", "dave");
    Running::start(forge).await
}

#[tokio::test]
async fn a_permitted_status_gets_a_reply() {
    let mut world = world().await;
    world
        .comment(
            10,
            "dave",
            CommentAction::Created,
            "Looks good.\n/status prd\n",
        )
        .await;
    let replies = world.replies();
    assert_eq!(replies.len(), 1);
    assert!(
        replies[0].contains("**Status of `acme/platform`**"),
        "{}",
        replies[0]
    );
    world.engine.stop().await;
}

#[tokio::test]
async fn apply_prd_from_a_dev_is_refused_and_audited() {
    let mut world = world().await;
    world
        .comment(11, "dave", CommentAction::Created, "/apply prd")
        .await;
    let replies = world.replies();
    assert_eq!(replies.len(), 1);
    assert!(replies[0].contains("platform"), "{}", replies[0]);
    let log = AuditLog::new(world.store.as_ref() as &dyn Store);
    let entries = log.since(chrono::DateTime::UNIX_EPOCH).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].who.id, "dave");
    assert!(matches!(entries[0].decision, AuditDecision::Refused { .. }));
    assert_eq!(entries[0].outcome.as_ref().unwrap().result, "refused");
    world.engine.stop().await;
}

#[tokio::test]
async fn an_edited_comment_runs_only_its_new_command() {
    let mut world = world().await;
    world
        .comment(12, "alice", CommentAction::Created, "/lock prd release")
        .await;
    assert_eq!(world.replies().len(), 1);
    let edit = CommentAction::Edited {
        previous_body: Some("/lock prd release".to_owned()),
    };
    world
        .comment(12, "alice", edit, "/lock prd release\n/status prd")
        .await;
    let replies = world.replies();
    assert_eq!(replies.len(), 2, "{replies:#?}");
    assert!(
        replies[1].contains("locked by forge:alice"),
        "{}",
        replies[1]
    );
    let log = AuditLog::new(world.store.as_ref() as &dyn Store);
    assert_eq!(log.since(chrono::DateTime::UNIX_EPOCH).unwrap().len(), 2);
    world.engine.stop().await;
}

#[tokio::test]
async fn commands_in_code_blocks_quotes_and_other_bots_grammar_do_nothing() {
    let mut world = world().await;
    let body = "```\n/apply prd\n```\n> /lock prd\n/lgtm\n`/plan dev`";
    world
        .comment(13, "alice", CommentAction::Created, body)
        .await;
    assert!(world.replies().is_empty());
    let log = AuditLog::new(world.store.as_ref() as &dyn Store);
    assert!(log.since(chrono::DateTime::UNIX_EPOCH).unwrap().is_empty());
    world.engine.stop().await;
}

#[tokio::test]
async fn a_user_without_write_access_who_addressed_bosun_is_told_so() {
    let mut world = world().await;
    world
        .comment(14, "mallory", CommentAction::Created, "/status")
        .await;
    let replies = world.replies();
    assert_eq!(replies.len(), 1);
    assert!(replies[0].contains("write access"), "{}", replies[0]);
    world.engine.stop().await;
}

#[tokio::test]
async fn a_redelivered_comment_is_answered_once() {
    let mut world = world().await;
    world
        .comment(15, "alice", CommentAction::Created, "/unlock prd")
        .await;
    world.deliveries -= 1;
    world
        .comment(15, "alice", CommentAction::Created, "/unlock prd")
        .await;
    assert_eq!(world.replies().len(), 1);
    world.engine.stop().await;
}

#[tokio::test]
async fn a_misspelt_command_gets_a_did_you_mean() {
    let mut world = world().await;
    world
        .comment(16, "alice", CommentAction::Created, "/promte stg prd")
        .await;
    let replies = world.replies();
    assert_eq!(replies.len(), 1);
    assert!(replies[0].contains("/promote"), "{}", replies[0]);
    world.engine.stop().await;
}
