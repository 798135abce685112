//! `GitHubForge` against the GitHub fake: every `Forge` method over real
//! HTTP, octocrab's models reading GitHub's recorded shapes, and the
//! failure paths (retries, rate limits, token refresh, fallbacks).

mod support;

use bosun::github::GitHubForge;
use bosun::metrics::OutboundObserver;
use bosun_reconciler::ids::{PrNumber, RepoName};
use bosun_reconciler::ports::forge::{
    Access, CheckConclusion, CheckSpec, CheckStatus, Forge, ForgeError, GITHUB_COMMENT_LIMIT,
    Marker, MergeOutcome, NewPullRequest, PrState, Upserted,
};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::github::{BOT_LOGIN, FakePr, GitHubFake, OTHER_KEY};

const REPO: &str = "acme/platform";

/// Every outbound call the forge reported: (service, method, status).
#[derive(Default)]
struct Calls(Mutex<Vec<(String, String, Option<u16>)>>);

impl OutboundObserver for Calls {
    fn outbound_call(&self, service: &str, method: &str, status: Option<u16>) {
        let mut calls = self.0.lock().unwrap();
        calls.push((service.to_owned(), method.to_owned(), status));
    }
}

impl Calls {
    fn statuses(&self, method: &str) -> Vec<Option<u16>> {
        let calls = self.0.lock().unwrap();
        calls
            .iter()
            .filter(|c| c.1 == method)
            .map(|c| c.2)
            .collect()
    }
}

struct Setup {
    fake: GitHubFake,
    forge: GitHubForge,
    calls: Arc<Calls>,
}

async fn setup() -> Setup {
    let fake = GitHubFake::start().await;
    fake.add_repo(REPO);
    let calls = Arc::new(Calls::default());
    let forge = GitHubForge::new(fake.config(), calls.clone()).expect("a forge");
    Setup { fake, forge, calls }
}

fn repo() -> RepoName {
    REPO.parse().unwrap()
}

fn check(name: &str, sha: &str, status: CheckStatus, title: &str) -> CheckSpec {
    CheckSpec {
        name: name.to_owned(),
        head_sha: sha.parse().unwrap(),
        status,
        title: title.to_owned(),
        summary: format!("## {title}\n\nall the details"),
    }
}

#[tokio::test]
async fn bot_login_is_the_app_slug_as_a_bot_and_is_asked_once() {
    let t = setup().await;
    assert_eq!(t.forge.bot_login().await.unwrap(), BOT_LOGIN);
    assert_eq!(t.forge.bot_login().await.unwrap(), BOT_LOGIN);
    assert_eq!(t.fake.requests_to("GET", "/app").len(), 1);
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn managed_repos_are_every_repository_of_every_installation() {
    let t = setup().await;
    for i in 0..120 {
        t.fake.add_repo(&format!("acme/service-{i:03}"));
    }
    t.fake.add_repo("globex/site");
    let number = t.fake.add_pr("globex/site", FakePr::new("fix"));

    let repos = t.forge.managed_repos().await.unwrap();

    assert_eq!(repos.len(), 122);
    assert!(repos.contains(&repo()));
    assert!(repos.contains(&"globex/site".parse().unwrap()));
    assert!(repos.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    // acme's 121 repositories take two pages, globex's one.
    assert_eq!(
        t.fake
            .requests_to("GET", "/installation/repositories")
            .len(),
        3
    );
    // The listing taught the forge which installation covers which repository.
    let site = "globex/site".parse().unwrap();
    t.forge.pull_request(&site, PrNumber(number)).await.unwrap();
    assert!(
        t.fake
            .requests_to("GET", "/repos/globex/site/installation")
            .is_empty()
    );
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn pull_requests_are_read_with_their_state() {
    let t = setup().await;
    let open = t.fake.add_pr(
        REPO,
        FakePr::new("bosun/promote")
            .title("Promote prd")
            .author("alice"),
    );
    let merged = t.fake.add_pr(REPO, FakePr::new("old").merged());
    t.fake.add_pr(REPO, FakePr::new("abandoned").closed());

    let listed = t.forge.open_pull_requests(&repo()).await.unwrap();
    assert_eq!(listed.len(), 1);
    let pr = &listed[0];
    assert_eq!(pr.number, PrNumber(open));
    assert_eq!(pr.title, "Promote prd");
    assert_eq!(pr.author, "alice");
    assert_eq!(pr.head_ref, "bosun/promote");
    assert_eq!(pr.head_sha.as_str(), t.fake.pr(REPO, open).head_sha);
    assert_eq!(pr.base_ref, "main");
    assert_eq!(pr.state, PrState::Open);
    assert_eq!(pr.url, format!("https://github.com/{REPO}/pull/{open}"));

    let one = t
        .forge
        .pull_request(&repo(), PrNumber(merged))
        .await
        .unwrap();
    assert_eq!(one.state, PrState::Merged);
    let missing = t.forge.pull_request(&repo(), PrNumber(99)).await;
    assert!(
        matches!(missing, Err(ForgeError::NotFound(_))),
        "{missing:?}"
    );
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn mergeability_not_yet_computed_is_none_without_polling() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("fresh").mergeable(None));
    let pr = t
        .forge
        .pull_request(&repo(), PrNumber(number))
        .await
        .unwrap();
    assert_eq!(pr.mergeable, None);
    let path = format!("/repos/{REPO}/pulls/{number}");
    assert_eq!(t.fake.requests_to("GET", &path).len(), 1);

    t.fake.set_mergeable(REPO, number, Some(false));
    let pr = t
        .forge
        .pull_request(&repo(), PrNumber(number))
        .await
        .unwrap();
    assert_eq!(pr.mergeable, Some(false));
}

#[tokio::test]
async fn changed_files_are_read_across_pages() {
    let t = setup().await;
    let paths: Vec<String> = (0..250)
        .map(|i| format!("terraform/envs/prd/file-{i:03}.tf"))
        .collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let number = t.fake.add_pr(REPO, FakePr::new("big").files(&refs));

    let files = t
        .forge
        .changed_files(&repo(), PrNumber(number))
        .await
        .unwrap();

    assert_eq!(files, paths);
    let path = format!("/repos/{REPO}/pulls/{number}/files");
    assert_eq!(t.fake.requests_to("GET", &path).len(), 3);
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn find_or_create_opens_one_pull_request_per_branch() {
    let t = setup().await;
    let head = t.fake.seed_files(
        REPO,
        "bosun/promote-stg-prd",
        &[("flux/prd.yaml", "tag: 2\n")],
        "Promote",
    );
    let new = NewPullRequest {
        head_ref: "bosun/promote-stg-prd".into(),
        base_ref: "main".into(),
        title: "Promote stg to prd".into(),
        body: "| app | from | to |".into(),
    };

    let first = t
        .forge
        .find_or_create_pull_request(&repo(), &new)
        .await
        .unwrap();
    let again = t
        .forge
        .find_or_create_pull_request(&repo(), &new)
        .await
        .unwrap();

    assert_eq!(first.number, again.number);
    assert_eq!(first.head_ref, "bosun/promote-stg-prd");
    assert_eq!(
        first.head_sha.as_str(),
        head,
        "the head is the branch's tip"
    );
    assert_eq!(first.author, BOT_LOGIN);
    assert_eq!(first.mergeable, None, "GitHub computes mergeability later");
    assert_eq!(t.fake.prs(REPO).len(), 1);
    let created = t.fake.requests_to("POST", &format!("/repos/{REPO}/pulls"));
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].json()["body"], "| app | from | to |");
    let lookups = t.fake.requests_to("GET", &format!("/repos/{REPO}/pulls"));
    assert!(lookups.iter().all(|r| {
        r.query
            .as_deref()
            .unwrap()
            .contains("head=acme%3Abosun%2Fpromote-stg-prd")
    }));
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn find_or_create_finds_a_pull_request_opened_in_between() {
    let t = setup().await;
    let existing = t.fake.add_pr(REPO, FakePr::new("bosun/promote"));
    // The first look-up is stale: the PR appears before bosun's create.
    t.fake
        .answer_next("GET", &format!("/repos/{REPO}/pulls"), 200, json!([]));
    let new = NewPullRequest {
        head_ref: "bosun/promote".into(),
        base_ref: "main".into(),
        title: "t".into(),
        body: "b".into(),
    };

    let pr = t
        .forge
        .find_or_create_pull_request(&repo(), &new)
        .await
        .unwrap();

    assert_eq!(pr.number, PrNumber(existing));
    assert_eq!(t.fake.prs(REPO).len(), 1);
    let create = t.fake.requests_to("POST", &format!("/repos/{REPO}/pulls"));
    assert_eq!(create.len(), 1);
    assert_eq!(create[0].status, 422);
}

#[tokio::test]
async fn comments_are_read_oldest_first_across_pages() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let ids: Vec<u64> = (0..130)
        .map(|i| {
            t.fake
                .add_comment(REPO, number, "alice", &format!("comment {i}"))
        })
        .collect();

    let comments = t.forge.comments(&repo(), PrNumber(number)).await.unwrap();

    assert_eq!(comments.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
    assert_eq!(comments[129].body, "comment 129");
    assert_eq!(comments[0].author, "alice");
}

#[tokio::test]
async fn upsert_creates_then_updates_then_leaves_unchanged() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let marker = Marker::new("plan", "dev");
    let pr = PrNumber(number);

    let created = t
        .forge
        .upsert_comment(&repo(), pr, &marker, "plan: 1 to add")
        .await
        .unwrap();
    let Upserted::Created(id) = created else {
        panic!("{created:?}")
    };
    let updated = t
        .forge
        .upsert_comment(&repo(), pr, &marker, "plan: 2 to add")
        .await
        .unwrap();
    assert_eq!(updated, Upserted::Updated(id));
    let writes_before = t.fake.writes().len();
    let unchanged = t
        .forge
        .upsert_comment(&repo(), pr, &marker, "plan: 2 to add")
        .await
        .unwrap();
    assert_eq!(unchanged, Upserted::Unchanged(id));

    assert_eq!(
        t.fake.writes().len(),
        writes_before,
        "an unchanged comment is not sent"
    );
    let comments = t.fake.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].author, BOT_LOGIN);
    assert_eq!(comments[0].body, "<!-- bosun:plan:dev -->\nplan: 2 to add");
    assert_eq!(
        t.fake
            .requests_to("PATCH", &format!("/repos/{REPO}/issues/comments/{id}"))
            .len(),
        1
    );
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn upsert_counts_only_comments_the_bot_wrote() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let marker = Marker::new("envs", "pr");
    let forged = t
        .fake
        .add_comment(REPO, number, "mallory", &format!("{marker}\nfake status"));

    let result = t
        .forge
        .upsert_comment(&repo(), PrNumber(number), &marker, "real status")
        .await
        .unwrap();

    let Upserted::Created(id) = result else {
        panic!("{result:?}")
    };
    assert_ne!(id, forged);
    let comments = t.fake.comments(REPO, number);
    assert_eq!(
        comments[0].body,
        format!("{marker}\nfake status"),
        "mallory's comment is untouched"
    );
    assert_eq!(comments[1].author, BOT_LOGIN);
}

#[tokio::test]
async fn upsert_finds_its_comment_beyond_the_first_page() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    for i in 0..120 {
        t.fake
            .add_comment(REPO, number, "alice", &format!("chatter {i}"));
    }
    let marker = Marker::new("cmd", "apply");
    let ours = t
        .fake
        .add_comment(REPO, number, BOT_LOGIN, &format!("{marker}\nold"));

    let result = t
        .forge
        .upsert_comment(&repo(), PrNumber(number), &marker, "new")
        .await
        .unwrap();

    assert_eq!(result, Upserted::Updated(ours));
    assert_eq!(t.fake.comments(REPO, number).len(), 121);
}

#[tokio::test]
async fn a_body_longer_than_the_limit_is_folded_not_refused() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let marker = Marker::new("plan", "prd");
    let body = "  # azurerm_resource_group.main will be updated in-place\n".repeat(1_250);
    assert!(body.chars().count() >= 70_000);

    let result = t
        .forge
        .upsert_comment(&repo(), PrNumber(number), &marker, &body)
        .await
        .unwrap();

    assert!(matches!(result, Upserted::Created(_)));
    let posted = &t.fake.comments(REPO, number)[0].body;
    assert!(posted.chars().count() <= GITHUB_COMMENT_LIMIT);
    assert!(marker.is_in(posted));
    assert!(posted.contains("characters were cut"));
    let again = t
        .forge
        .upsert_comment(&repo(), PrNumber(number), &marker, &body)
        .await
        .unwrap();
    assert!(matches!(again, Upserted::Unchanged(_)), "folding is stable");
}

#[tokio::test]
async fn a_check_is_created_then_updated_by_name() {
    let t = setup().await;
    let sha = t
        .fake
        .pr(REPO, t.fake.add_pr(REPO, FakePr::new("x")))
        .head_sha;

    let running = check("bosun/gate", &sha, CheckStatus::InProgress, "Evaluating");
    t.forge.set_check(&repo(), &running).await.unwrap();
    let done = check(
        "bosun/gate",
        &sha,
        CheckStatus::Completed(CheckConclusion::Success),
        "All clear",
    );
    t.forge.set_check(&repo(), &done).await.unwrap();
    let plan = check("bosun/plan: prd", &sha, CheckStatus::Queued, "Waiting");
    t.forge.set_check(&repo(), &plan).await.unwrap();

    let runs = t.fake.check_runs(REPO, &sha);
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].name, "bosun/gate");
    assert_eq!(runs[0].status, "completed");
    assert_eq!(runs[0].conclusion.as_deref(), Some("success"));
    assert_eq!(runs[0].title.as_deref(), Some("All clear"));
    assert_eq!(runs[1].name, "bosun/plan: prd");
    assert_eq!(runs[1].status, "queued");
    assert_eq!(
        t.fake
            .requests_to("POST", &format!("/repos/{REPO}/check-runs"))
            .len(),
        2
    );
    let update = format!("/repos/{REPO}/check-runs/{}", runs[0].id);
    assert_eq!(t.fake.requests_to("PATCH", &update).len(), 1);
    assert!(t.fake.statuses(REPO, &sha).is_empty());
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn a_check_falls_back_to_a_commit_status_when_check_runs_are_forbidden() {
    let t = setup().await;
    let sha = t
        .fake
        .pr(REPO, t.fake.add_pr(REPO, FakePr::new("x")))
        .head_sha;
    t.fake.forbid_check_runs();
    let long_title = "Trivy found 3 HIGH findings in ".repeat(8);

    let failed = check(
        "bosun/gate",
        &sha,
        CheckStatus::Completed(CheckConclusion::Failure),
        &long_title,
    );
    t.forge.set_check(&repo(), &failed).await.unwrap();

    let statuses = t.fake.statuses(REPO, &sha);
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].context, "bosun/gate");
    assert_eq!(statuses[0].state, "failure");
    assert_eq!(statuses[0].creator, BOT_LOGIN);
    assert!(statuses[0].description.as_ref().unwrap().chars().count() <= 140);
    assert!(t.fake.check_runs(REPO, &sha).is_empty());
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn reviews_are_read_with_state_and_commit() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    t.fake
        .add_review(REPO, number, "alice", "CHANGES_REQUESTED");
    t.fake.add_review(REPO, number, "bob", "APPROVED");

    let reviews = t.forge.reviews(&repo(), PrNumber(number)).await.unwrap();

    assert_eq!(reviews.len(), 2);
    assert_eq!(
        (reviews[0].reviewer.as_str(), reviews[0].state.as_str()),
        ("alice", "CHANGES_REQUESTED")
    );
    assert_eq!(
        (reviews[1].reviewer.as_str(), reviews[1].state.as_str()),
        ("bob", "APPROVED")
    );
    let head = t.fake.pr(REPO, number).head_sha;
    assert_eq!(
        reviews[1].commit.as_ref().map(|c| c.as_str()),
        Some(head.as_str())
    );
}

#[tokio::test]
async fn access_follows_the_collaborator_permission() {
    let t = setup().await;
    for (login, role) in [
        ("root", "admin"),
        ("lead", "maintain"),
        ("dev", "write"),
        ("triager", "triage"),
        ("renovate[bot]", "read"),
    ] {
        t.fake.set_permission(REPO, login, role);
    }
    let access = |login: &'static str| {
        let forge = &t.forge;
        async move { forge.access(&repo(), login).await.unwrap() }
    };
    assert_eq!(access("root").await, Access::Admin);
    assert_eq!(access("lead").await, Access::Write);
    assert_eq!(access("dev").await, Access::Write);
    assert_eq!(access("triager").await, Access::Read);
    assert_eq!(access("renovate[bot]").await, Access::Read);
    assert_eq!(
        access("stranger").await,
        Access::Read,
        "404 means no more than read"
    );
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn merge_merges_the_head_that_was_read() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("bosun/promote"));
    let head = t.fake.pr(REPO, number).head_sha;

    let outcome = t.forge.merge(&repo(), PrNumber(number)).await.unwrap();

    let merged = t.fake.pr(REPO, number);
    assert!(merged.merged);
    let MergeOutcome::Merged(sha) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(Some(sha.as_str()), merged.merge_commit_sha.as_deref());
    let put = t
        .fake
        .requests_to("PUT", &format!("/repos/{REPO}/pulls/{number}/merge"));
    assert_eq!(put[0].json()["sha"], head.as_str());
}

#[tokio::test]
async fn merging_a_merged_pull_request_is_already_merged() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("done").merged());

    let outcome = t.forge.merge(&repo(), PrNumber(number)).await.unwrap();

    assert_eq!(outcome, MergeOutcome::AlreadyMerged);
    assert!(
        t.fake.writes().iter().all(|w| w.method != "PUT"),
        "no merge was attempted"
    );
}

#[tokio::test]
async fn merging_an_unmergeable_pull_request_is_a_conflict() {
    let t = setup().await;
    let number = t
        .fake
        .add_pr(REPO, FakePr::new("clash").mergeable(Some(false)));
    let result = t.forge.merge(&repo(), PrNumber(number)).await;
    assert!(matches!(result, Err(ForgeError::Conflict(_))), "{result:?}");
    let closed = t.fake.add_pr(REPO, FakePr::new("dropped").closed());
    let result = t.forge.merge(&repo(), PrNumber(closed)).await;
    assert!(matches!(result, Err(ForgeError::Conflict(_))), "{result:?}");
}

#[tokio::test]
async fn server_errors_are_retried_until_they_pass() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let path = format!("/repos/{REPO}/pulls/{number}");
    t.fake.fail_next("GET", &path, 502, &[], 2);

    let pr = t
        .forge
        .pull_request(&repo(), PrNumber(number))
        .await
        .unwrap();

    assert_eq!(pr.number, PrNumber(number));
    let statuses: Vec<u16> = t
        .fake
        .requests_to("GET", &path)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [502, 502, 200]);
    let reported = t.calls.statuses("GET");
    assert_eq!(reported.iter().filter(|s| **s == Some(502)).count(), 2);
    assert!(t.calls.0.lock().unwrap().iter().all(|c| c.0 == "github"));
}

#[tokio::test]
async fn server_errors_that_last_become_a_transient_error() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let path = format!("/repos/{REPO}/pulls/{number}");
    t.fake.fail_next("GET", &path, 500, &[], 100);

    let result = t.forge.pull_request(&repo(), PrNumber(number)).await;

    assert!(
        matches!(result, Err(ForgeError::Transient(_))),
        "{result:?}"
    );
    assert_eq!(
        t.fake.requests_to("GET", &path).len(),
        4,
        "the policy allows four attempts"
    );
}

#[tokio::test]
async fn a_secondary_rate_limit_is_waited_out() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let marker = Marker::new("envs", "pr");
    let path = format!("/repos/{REPO}/issues/{number}/comments");
    let limited = [("retry-after", "1"), ("x-ratelimit-remaining", "0")];
    t.fake.fail_next("POST", &path, 403, &limited, 1);

    let started = std::time::Instant::now();
    let result = t
        .forge
        .upsert_comment(&repo(), PrNumber(number), &marker, "hello")
        .await
        .unwrap();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert!(matches!(result, Upserted::Created(_)));
    let posts: Vec<u16> = t
        .fake
        .requests_to("POST", &path)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [403, 201]);
    assert_eq!(t.fake.comments(REPO, number).len(), 1);
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_policy_waits_goes_back_to_the_caller() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let path = format!("/repos/{REPO}/pulls/{number}");
    let reset = (chrono::Utc::now().timestamp() + 1800).to_string();
    t.fake.fail_next(
        "GET",
        &path,
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ],
        1,
    );

    let result = t.forge.pull_request(&repo(), PrNumber(number)).await;

    let Err(ForgeError::RateLimited { retry_after }) = result else {
        panic!("{result:?}")
    };
    assert!(retry_after > Duration::from_secs(1700));
    assert_eq!(t.fake.requests_to("GET", &path).len(), 1);
}

#[tokio::test]
async fn a_request_that_times_out_is_retried() {
    let fake = GitHubFake::start().await;
    fake.add_repo(REPO);
    let number = fake.add_pr(REPO, FakePr::new("x"));
    let mut config = fake.config();
    config.request_timeout = Duration::from_millis(300);
    let calls = Arc::new(Calls::default());
    let forge = GitHubForge::new(config, calls.clone()).unwrap();
    let path = format!("/repos/{REPO}/pulls/{number}");
    fake.delay_next("GET", &path, Duration::from_secs(3), 1);

    let pr = forge.pull_request(&repo(), PrNumber(number)).await.unwrap();

    assert_eq!(pr.number, PrNumber(number));
    assert!(
        calls.statuses("GET").contains(&None),
        "the timed-out call is reported without a status"
    );
}

#[tokio::test]
async fn the_installation_token_is_minted_once_and_reused() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    for _ in 0..3 {
        t.forge
            .pull_request(&repo(), PrNumber(number))
            .await
            .unwrap();
        t.forge.comments(&repo(), PrNumber(number)).await.unwrap();
    }
    assert_eq!(t.fake.tokens_issued(), 1);
    assert_eq!(
        t.fake
            .requests_to("POST", "/app/installations/1/access_tokens")
            .len(),
        1
    );
    assert_eq!(
        t.fake
            .requests_to("GET", &format!("/repos/{REPO}/installation"))
            .len(),
        1
    );
}

#[tokio::test]
async fn a_token_about_to_expire_is_replaced_before_use() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    // Tokens that live four minutes are inside the five-minute refresh margin.
    t.fake.set_token_lifetime(Duration::from_secs(240));
    for _ in 0..3 {
        t.forge
            .pull_request(&repo(), PrNumber(number))
            .await
            .unwrap();
    }
    assert_eq!(t.fake.tokens_issued(), 3);

    t.fake.set_token_lifetime(Duration::from_secs(3600));
    for _ in 0..3 {
        t.forge
            .pull_request(&repo(), PrNumber(number))
            .await
            .unwrap();
    }
    assert_eq!(t.fake.tokens_issued(), 4);
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_github_refuses_it() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    t.forge
        .pull_request(&repo(), PrNumber(number))
        .await
        .unwrap();
    t.fake.revoke_tokens();

    t.forge
        .pull_request(&repo(), PrNumber(number))
        .await
        .unwrap();

    assert_eq!(t.fake.tokens_issued(), 2);
    let path = format!("/repos/{REPO}/pulls/{number}");
    let statuses: Vec<u16> = t
        .fake
        .requests_to("GET", &path)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [200, 401, 200]);
}

#[tokio::test]
async fn a_jwt_signed_with_another_key_is_refused() {
    let fake = GitHubFake::start().await;
    fake.add_repo(REPO);
    let forge =
        GitHubForge::new(fake.config_with_key(OTHER_KEY), Arc::new(Calls::default())).unwrap();

    let result = forge.bot_login().await;

    let Err(ForgeError::Unauthorized(message)) = result else {
        panic!("{result:?}")
    };
    assert!(!message.contains("BEGIN"), "no key material in errors");
    assert_eq!(fake.requests_to("GET", "/app")[0].status, 401);
}

#[tokio::test]
async fn errors_never_carry_credentials() {
    let t = setup().await;
    let number = t.fake.add_pr(REPO, FakePr::new("x"));
    let path = format!("/repos/{REPO}/pulls/{number}");
    t.fake.fail_next("GET", &path, 401, &[], 10);

    let result = t.forge.pull_request(&repo(), PrNumber(number)).await;

    let Err(ForgeError::Unauthorized(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        !message.contains("ghs_") && !message.contains("Bearer"),
        "{message}"
    );
}

#[tokio::test]
async fn a_repository_without_the_app_is_not_found() {
    let t = setup().await;
    let elsewhere: RepoName = "initech/tps".parse().unwrap();
    let result = t.forge.open_pull_requests(&elsewhere).await;
    let Err(ForgeError::NotFound(message)) = result else {
        panic!("{result:?}")
    };
    assert!(message.contains("not installed on initech/tps"));
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn a_file_is_read_from_the_default_branch() {
    let t = setup().await;
    t.fake
        .set_file(REPO, ".bosun.yaml", "environments: [dev, stg, prd]\n");
    t.fake
        .set_file(REPO, "policies/gate rules.rego", "package gate\n");

    let config = t.forge.file(&repo(), ".bosun.yaml").await.unwrap();
    let policy = t
        .forge
        .file(&repo(), "policies/gate rules.rego")
        .await
        .unwrap();
    let missing = t.forge.file(&repo(), "policies/absent.rego").await.unwrap();

    assert_eq!(config.as_deref(), Some("environments: [dev, stg, prd]\n"));
    assert_eq!(policy.as_deref(), Some("package gate\n"));
    assert_eq!(missing, None);
    t.fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn team_membership_counts_only_active_members() {
    let t = setup().await;
    t.fake
        .add_team_member("acme", "platform", "alice", "active");
    t.fake.add_team_member("acme", "platform", "bob", "pending");

    assert!(
        t.forge
            .is_team_member("acme", "platform", "alice")
            .await
            .unwrap()
    );
    assert!(
        !t.forge
            .is_team_member("acme", "platform", "bob")
            .await
            .unwrap()
    );
    assert!(
        !t.forge
            .is_team_member("acme", "platform", "carol")
            .await
            .unwrap()
    );
    assert!(
        !t.forge
            .is_team_member("acme", "sre", "alice")
            .await
            .unwrap()
    );
    assert_eq!(
        t.fake.requests_to("GET", "/orgs/acme/installation").len(),
        1
    );
    let elsewhere = t.forge.is_team_member("initech", "platform", "alice").await;
    assert!(
        matches!(elsewhere, Err(ForgeError::NotFound(_))),
        "{elsewhere:?}"
    );
    t.fake.assert_no_unexpected_requests();
}
