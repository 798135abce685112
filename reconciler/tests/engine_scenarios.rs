//! Engine scenarios: the real engine and a real sled store in a temporary
//! directory, with the in-memory forge standing in for GitHub.

use bosun_reconciler::engine::{Engine, EngineConfig, EngineDeps, Ingested, NoObserver};
use bosun_reconciler::event::{
    Actor, CommentAction, CommentEvent, Event, EventKind, PrAction, PullRequestEvent,
};
use bosun_reconciler::ids::{DeliveryId, PrNumber, RepoName};
use bosun_reconciler::ports::forge::ForgeError;
use bosun_reconciler::store::SledStore;
use bosun_reconciler::testkit::{BOT_LOGIN, MemoryForge, sha_of};
use std::sync::Arc;
use std::time::Duration;

fn repo() -> RepoName {
    "acme/platform".parse().unwrap()
}

fn config() -> EngineConfig {
    EngineConfig {
        workers: 2,
        retry_base: Duration::from_millis(5),
        retry_max: Duration::from_millis(50),
        resync_every: Duration::from_secs(3600),
        ..EngineConfig::default()
    }
}

fn engine(dir: &std::path::Path, forge: &Arc<MemoryForge>) -> Arc<Engine> {
    Engine::new(EngineDeps {
        store: Arc::new(SledStore::open(dir).unwrap()),
        forge: forge.clone(),
        observer: Arc::new(NoObserver),
        notifier: Arc::new(bosun_reconciler::testkit::RecordingNotifier::new()),
        config: config(),
    })
}

fn pr_opened(delivery: &str, number: u64) -> Event {
    Event {
        delivery: DeliveryId::new("github", delivery).unwrap(),
        received_at: chrono::Utc::now(),
        kind: EventKind::PullRequest(PullRequestEvent {
            repo: repo(),
            number: PrNumber(number),
            action: PrAction::Opened,
            head_sha: sha_of(number),
            merged: false,
            merge_sha: None,
            sender: Actor::user("octocat"),
        }),
    }
}

fn comment_by(delivery: &str, number: u64, author: Actor, body: &str) -> Event {
    Event {
        delivery: DeliveryId::new("github", delivery).unwrap(),
        received_at: chrono::Utc::now(),
        kind: EventKind::Comment(CommentEvent {
            repo: repo(),
            number: PrNumber(number),
            on_pull_request: true,
            comment_id: 900,
            action: CommentAction::Created,
            author,
            body: body.to_owned(),
        }),
    }
}

async fn settle(engine: &Engine) {
    tokio::time::timeout(Duration::from_secs(20), engine.idle())
        .await
        .expect("the engine did not settle");
}

#[tokio::test]
async fn an_opened_pr_gets_one_sticky_environments_comment() {
    let dir = tempfile::tempdir().unwrap();
    let forge = Arc::new(MemoryForge::new());
    forge.open_pr(
        &repo(),
        7,
        "octocat",
        &["terraform/envs/prd-uaenorth/main.tf"],
    );
    let engine = engine(dir.path(), &forge);
    engine.start().unwrap();
    settle(&engine).await;
    let writes_after_resync = forge.writes();
    assert_eq!(forge.comments_on(&repo(), 7).len(), 1);

    let ingested = engine.ingest(&pr_opened("d-1", 7)).unwrap();
    assert_eq!(ingested, Ingested::Accepted { keys: 1 });
    settle(&engine).await;
    let comments = forge.comments_on(&repo(), 7);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("`prd` (protected)"));
    // Same state, same comment: the second reconcile wrote nothing.
    assert_eq!(forge.writes(), writes_after_resync);
    engine.stop().await;
}

#[tokio::test]
async fn a_redelivery_is_recorded_as_duplicate_and_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let forge = Arc::new(MemoryForge::new());
    forge.open_pr(
        &repo(),
        3,
        "octocat",
        &["flux-config/clusters/stg-uaenorth/apps.yaml"],
    );
    let engine = engine(dir.path(), &forge);
    assert_eq!(
        engine.ingest(&pr_opened("same", 3)).unwrap(),
        Ingested::Accepted { keys: 1 }
    );
    assert_eq!(
        engine.ingest(&pr_opened("same", 3)).unwrap(),
        Ingested::Duplicate
    );
    assert_eq!(engine.queue_depth(), 1);
}

#[tokio::test]
async fn an_event_acknowledged_before_a_crash_is_processed_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let forge = Arc::new(MemoryForge::new());
    forge.open_pr(
        &repo(),
        12,
        "octocat",
        &["terraform/envs/dev-uaenorth/main.tf"],
    );
    {
        // Acknowledged, then the process dies before any worker ran.
        let first = engine(dir.path(), &forge);
        first.ingest(&pr_opened("before-crash", 12)).unwrap();
        first.abort();
    }
    let second = engine(dir.path(), &forge);
    assert_eq!(
        second.ingest(&pr_opened("before-crash", 12)).unwrap(),
        Ingested::Duplicate
    );
    second.start().unwrap();
    settle(&second).await;
    assert_eq!(forge.comments_on(&repo(), 12).len(), 1);
    second.stop().await;
}

#[tokio::test]
async fn transient_forge_failures_are_retried_until_the_comment_lands() {
    let dir = tempfile::tempdir().unwrap();
    let forge = Arc::new(MemoryForge::new());
    forge.open_pr(
        &repo(),
        5,
        "octocat",
        &["terraform/envs/stg-uaenorth/main.tf"],
    );
    let engine = engine(dir.path(), &forge);
    engine.ingest(&pr_opened("flaky", 5)).unwrap();
    forge.fail_next([
        ForgeError::Transient("502 from the forge".to_owned()),
        ForgeError::RateLimited {
            retry_after: Duration::from_millis(10),
        },
        ForgeError::Transient("connection reset".to_owned()),
    ]);
    engine.start().unwrap();
    settle(&engine).await;
    assert_eq!(forge.comments_on(&repo(), 5).len(), 1);
    engine.stop().await;
}

#[tokio::test]
async fn the_bots_own_comments_wake_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let forge = Arc::new(MemoryForge::new());
    forge.open_pr(&repo(), 9, "octocat", &[]);
    let engine = engine(dir.path(), &forge);
    let bot = Actor {
        login: BOT_LOGIN.to_owned(),
        is_bot: true,
    };
    let own = comment_by("own", 9, bot, "<!-- bosun:envs:pr -->\nhello");
    assert_eq!(engine.ingest(&own).unwrap(), Ingested::OwnEvent);
    assert_eq!(engine.queue_depth(), 0);
}

#[tokio::test]
async fn a_pr_touching_no_environment_gets_no_comment() {
    let dir = tempfile::tempdir().unwrap();
    let forge = Arc::new(MemoryForge::new());
    forge.open_pr(&repo(), 4, "octocat", &["README.md"]);
    let engine = engine(dir.path(), &forge);
    engine.start().unwrap();
    engine.ingest(&pr_opened("docs", 4)).unwrap();
    settle(&engine).await;
    assert!(forge.comments_on(&repo(), 4).is_empty());
    engine.stop().await;
}
