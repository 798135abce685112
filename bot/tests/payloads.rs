//! Every webhook fixture reads into the domain event bosun expects: the
//! payload structs accept GitHub's real deliveries.

use bosun::ingress::github_payload::parse;
use bosun_reconciler::event::{CommentAction, EventKind, PrAction};
use bosun_reconciler::ids::{PrNumber, WorkKey};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/github/webhooks/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(event: &str, name: &str) -> EventKind {
    parse(event, &fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_else(|| panic!("{name}: not handled"))
}

#[test]
fn pull_request_actions_are_read() {
    let EventKind::PullRequest(opened) = read("pull_request", "pull_request.opened") else {
        panic!("not a pull request event");
    };
    assert_eq!(opened.action, PrAction::Opened);
    assert_eq!(opened.number, PrNumber(2));
    assert_eq!(opened.repo.to_string(), "Codertocat/Hello-World");
    let EventKind::PullRequest(sync) = read("pull_request", "pull_request.synchronize") else {
        panic!("not a pull request event");
    };
    assert_eq!(sync.action, PrAction::Synchronize);
    let EventKind::PullRequest(closed) = read("pull_request", "pull_request.closed") else {
        panic!("not a pull request event");
    };
    assert_eq!(closed.action, PrAction::Closed);
    assert!(!closed.merged);
}

#[test]
fn comments_know_whether_they_are_on_a_pull_request() {
    let EventKind::Comment(on_pr) = read("issue_comment", "issue_comment.created.on-pr.atlantis")
    else {
        panic!("not a comment");
    };
    assert!(on_pr.on_pull_request);
    assert_eq!(on_pr.action, CommentAction::Created);
    assert_eq!(on_pr.author.login, "runatlantis");
    let on_issue = read("issue_comment", "issue_comment.created.with-installation");
    let EventKind::Comment(comment) = &on_issue else {
        panic!("not a comment");
    };
    assert!(!comment.on_pull_request);
    assert!(
        on_issue.keys().is_empty(),
        "issue comments wake no pull request"
    );
}

#[test]
fn other_events_touch_the_right_keys() {
    let review = read("pull_request_review", "pull_request_review.submitted");
    assert!(matches!(review.keys()[..], [WorkKey::PullRequest { .. }]));
    let push = read("push", "push");
    assert!(matches!(push.keys()[..], [WorkKey::Repository { .. }]));
    let run = read("workflow_run", "workflow_run.completed.with-pull-requests");
    let EventKind::WorkflowRun(workflow) = &run else {
        panic!("not a workflow run");
    };
    assert!(!workflow.pull_requests.is_empty());
    assert_eq!(run.keys().len(), workflow.pull_requests.len());
    let check = read("check_run", "check_run.completed");
    assert!(matches!(check, EventKind::CheckRun(_)));
    let installed = read("installation", "installation.created");
    assert!(
        !installed.keys().is_empty(),
        "a new installation resyncs its repositories"
    );
    let added = read(
        "installation_repositories",
        "installation_repositories.added",
    );
    assert!(!added.keys().is_empty());
    assert!(matches!(read("ping", "ping"), EventKind::Ping { .. }));
}

#[test]
fn unknown_event_types_are_not_handled() {
    assert!(parse("star", &fixture("ping")).unwrap().is_none());
}
