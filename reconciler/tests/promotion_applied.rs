//! Promotion scenarios after the merge: the real engine and a real sled
//! store with the in-memory forge. A promotion record is saved as the code
//! that opens promotions saves it; the merge and Flux's reports arrive as
//! events, and the commits Flux names are real commits in the forge, so
//! "this revision contains the merge" is a real ancestry question.

use bosun_reconciler::engine::{Engine, EngineConfig, EngineDeps, Ingested, NoObserver};
use bosun_reconciler::event::{
    Actor, Event, EventKind, FluxEvent, FluxRevision, FluxSeverity, PrAction, PullRequestEvent,
};
use bosun_reconciler::ids::{DeliveryId, PrNumber, RepoName, Sha};
use bosun_reconciler::ports::forge::{Comment, Forge};
use bosun_reconciler::promotion::{MovedVersion, PromotionRecord, Promotions};
use bosun_reconciler::store::SledStore;
use bosun_reconciler::testkit::{BOT_LOGIN, MemoryForge};
use chrono::{DateTime, Duration as Minutes, TimeZone, Utc};
use std::sync::Arc;
use std::time::Duration;

const PR: u64 = 41;
const MARKER: &str = "<!-- bosun:promotion:applied -->";

fn repo() -> RepoName {
    "acme/platform".parse().unwrap()
}

/// When the merge was reported to bosun.
fn merged_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn after(minutes: i64) -> DateTime<Utc> {
    merged_at() + Minutes::minutes(minutes)
}

/// The forge's `main`: a base commit, the promotion's merge commit, and a
/// later commit on top; plus a commit on another branch, which does not
/// contain the merge.
struct World {
    forge: Arc<MemoryForge>,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
    base: Sha,
    merge: Sha,
    later: Sha,
    elsewhere: Sha,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let forge = Arc::new(MemoryForge::new());
    let t0 = merged_at() - Minutes::days(1);
    let base = forge.seed(
        &repo(),
        "main",
        &[("flux-config/apps/prd/a.yaml", "v1")],
        t0,
    );
    let elsewhere = forge.seed(&repo(), "other", &[("x", "y")], t0);
    let merge = forge.seed(
        &repo(),
        "main",
        &[("flux-config/apps/prd/a.yaml", "v2")],
        t0,
    );
    let later = forge.seed(&repo(), "main", &[("README.md", "hi")], t0);
    forge.open_pr(&repo(), PR, BOT_LOGIN, &["flux-config/apps/prd/a.yaml"]);
    forge.set_pr_head(&repo(), PR, &merge);
    let engine = Engine::new(EngineDeps {
        store: Arc::new(SledStore::open(dir.path()).unwrap()),
        forge: forge.clone(),
        observer: Arc::new(NoObserver),
        notifier: Arc::new(bosun_reconciler::testkit::RecordingNotifier::new()),
        config: EngineConfig {
            workers: 2,
            retry_base: Duration::from_millis(5),
            retry_max: Duration::from_millis(50),
            resync_every: Duration::from_secs(3600),
            ..EngineConfig::default()
        },
    });
    Promotions::new(engine.store().as_ref())
        .save(&record())
        .unwrap();
    engine.start().unwrap();
    let w = World {
        forge,
        engine,
        _dir: dir,
        base,
        merge,
        later,
        elsewhere,
    };
    w.settle().await;
    w
}

/// What the code that opens promotions saves for PR #41, stg to prd.
fn record() -> PromotionRecord {
    PromotionRecord {
        repo: repo(),
        from: "stg".to_owned(),
        to: "prd".to_owned(),
        number: PrNumber(PR),
        url: format!("https://forge.test/acme/platform/pull/{PR}"),
        branch: "bosun/promote/stg-to-prd".to_owned(),
        asked_by: "forge:alice".to_owned(),
        asked_where: "acme/platform#40".to_owned(),
        moves: vec![MovedVersion {
            app: "vllm-openai".to_owned(),
            kind: "image".to_owned(),
            from_version: "v0.6.2".to_owned(),
            to_version: "v0.6.3".to_owned(),
        }],
        previous: Vec::new(),
        opened_at: merged_at() - Minutes::hours(1),
        merged_sha: None,
        merged_at: None,
        applied: None,
    }
}

fn closed_merged(merge: &Sha) -> Event {
    Event {
        delivery: DeliveryId::new("github", "closed-41").unwrap(),
        received_at: merged_at(),
        kind: EventKind::PullRequest(PullRequestEvent {
            repo: repo(),
            number: PrNumber(PR),
            action: PrAction::Closed,
            head_sha: merge.clone(),
            merged: true,
            merge_sha: Some(merge.clone()),
            sender: Actor::user("alice"),
        }),
    }
}

/// A Flux event about `kind` in `env` at `main@sha1:<at>`.
fn flux(delivery: &str, kind: &str, env: &str, reason: &str, at: &Sha, minutes: i64) -> Event {
    let severity = if reason == "ReconciliationSucceeded" {
        FluxSeverity::Info
    } else {
        FluxSeverity::Error
    };
    Event {
        delivery: DeliveryId::new("flux", delivery).unwrap(),
        received_at: after(minutes),
        kind: EventKind::Flux(FluxEvent {
            kind: kind.to_owned(),
            name: "apps".to_owned(),
            namespace: "flux-system".to_owned(),
            severity,
            reason: reason.to_owned(),
            message: format!("{reason}: details from kustomize-controller"),
            timestamp: after(minutes),
            revision: Some(FluxRevision::parse(&format!("main@sha1:{at}"))),
            env: Some(env.to_owned()),
            cluster: Some(format!("{env}-uaenorth")),
            reporting_controller: "kustomize-controller".to_owned(),
        }),
    }
}

impl World {
    async fn settle(&self) {
        tokio::time::timeout(Duration::from_secs(20), self.engine.idle())
            .await
            .expect("the engine did not settle");
    }

    async fn deliver(&self, event: Event) -> Ingested {
        let ingested = self.engine.ingest(&event).unwrap();
        self.settle().await;
        ingested
    }

    /// Merges PR #41 on the forge and delivers GitHub's closed event.
    async fn merge_pr(&self) {
        self.forge.merge(&repo(), PrNumber(PR)).await.unwrap();
        self.deliver(closed_merged(&self.merge)).await;
    }

    fn record(&self) -> PromotionRecord {
        Promotions::new(self.engine.store().as_ref())
            .get(&repo(), PrNumber(PR))
            .unwrap()
            .expect("the promotion record")
    }

    /// bosun's promotion comments on PR #41.
    fn promotion_comments(&self) -> Vec<Comment> {
        let comments = self.forge.comments_on(&repo(), PR);
        comments
            .into_iter()
            .filter(|c| c.body.starts_with(MARKER))
            .collect()
    }

    fn promotion_comment(&self) -> String {
        let comments = self.promotion_comments();
        assert_eq!(comments.len(), 1, "{comments:#?}");
        comments[0].body.clone()
    }
}

#[tokio::test]
async fn a_merged_promotion_records_its_merge_commit_and_says_it_waits_for_flux() {
    let w = world().await;
    assert!(
        w.promotion_comments().is_empty(),
        "nothing before the merge"
    );
    w.merge_pr().await;
    let record = w.record();
    assert_eq!(record.merged_sha.as_ref(), Some(&w.merge));
    assert_eq!(record.merged_at, Some(merged_at()));
    assert_eq!(record.applied, None);
    let body = w.promotion_comment();
    assert!(
        body.contains(&format!("waiting for `prd` to apply `{}`", w.merge.short())),
        "{body}"
    );
}

#[tokio::test]
async fn a_success_at_a_revision_containing_the_merge_says_prd_runs_the_new_versions() {
    let w = world().await;
    w.merge_pr().await;
    let ok = flux(
        "ok",
        "Kustomization",
        "prd",
        "ReconciliationSucceeded",
        &w.later,
        4,
    );
    assert_eq!(w.deliver(ok.clone()).await, Ingested::Accepted { keys: 1 });
    let body = w.promotion_comment();
    assert!(body.contains("`prd` now runs the new versions"), "{body}");
    assert!(body.contains(&format!("main@sha1:{}", w.later)), "{body}");
    assert!(body.contains("4 min after the merge"), "{body}");
    assert!(
        body.contains("| vllm-openai | image | `v0.6.2` | `v0.6.3` |"),
        "{body}"
    );
    let applied = w.record().applied.expect("applied");
    assert!(applied.succeeded);
    assert_eq!(applied.reason, "ReconciliationSucceeded");
    assert_eq!(applied.at, after(4));

    // A redelivery is a duplicate; the same report sent again changes nothing.
    let writes = w.forge.writes();
    assert_eq!(w.deliver(ok).await, Ingested::Duplicate);
    let again = flux(
        "ok-again",
        "Kustomization",
        "prd",
        "ReconciliationSucceeded",
        &w.later,
        9,
    );
    w.deliver(again).await;
    assert_eq!(w.forge.writes(), writes);
    assert_eq!(w.promotion_comment(), body);
    assert_eq!(w.record().applied.expect("applied").at, after(4));
}

#[tokio::test]
async fn a_failure_suggests_a_rollback_and_a_later_success_replaces_it_for_good() {
    let w = world().await;
    w.merge_pr().await;
    w.deliver(flux(
        "hc",
        "Kustomization",
        "prd",
        "HealthCheckFailed",
        &w.merge,
        6,
    ))
    .await;
    let body = w.promotion_comment();
    assert!(body.contains("`prd` did not apply the promotion"), "{body}");
    assert!(body.contains("`HealthCheckFailed`"), "{body}");
    assert!(
        body.contains("HealthCheckFailed: details from kustomize-controller"),
        "{body}"
    );
    assert!(body.contains("`/rollback prd`"), "{body}");
    assert!(!w.record().applied.expect("applied").succeeded);

    let fixed = flux(
        "ok",
        "Kustomization",
        "prd",
        "ReconciliationSucceeded",
        &w.later,
        12,
    );
    w.deliver(fixed).await;
    let body = w.promotion_comment();
    assert!(body.contains("`prd` now runs the new versions"), "{body}");
    assert!(body.contains("12 min after the merge"), "{body}");
    assert!(w.record().applied.expect("applied").succeeded);

    // Once it ran, a failure at a later revision is no longer this
    // promotion's news.
    w.deliver(flux(
        "late",
        "Kustomization",
        "prd",
        "ReconciliationFailed",
        &w.later,
        20,
    ))
    .await;
    assert_eq!(w.promotion_comment(), body);
    assert!(w.record().applied.expect("applied").succeeded);
}

#[tokio::test]
async fn reports_that_do_not_concern_the_promotion_change_nothing() {
    let w = world().await;
    w.merge_pr().await;
    let waiting = w.promotion_comment();
    let writes = w.forge.writes();
    let success = "ReconciliationSucceeded";
    let unrelated = [
        // Revisions that do not contain the merge: before it, and elsewhere.
        flux("before", "Kustomization", "prd", success, &w.base, 1),
        flux(
            "elsewhere",
            "Kustomization",
            "prd",
            "BuildFailed",
            &w.elsewhere,
            2,
        ),
        // Another environment, and another kind of object.
        flux("stg", "Kustomization", "stg", success, &w.later, 3),
        flux("helm", "HelmRelease", "prd", success, &w.later, 4),
    ];
    for event in unrelated {
        w.deliver(event).await;
    }
    assert_eq!(w.forge.writes(), writes);
    assert_eq!(w.promotion_comment(), waiting);
    assert_eq!(w.record().applied, None);
}

#[tokio::test]
async fn a_report_before_the_merge_event_still_finds_the_merge_on_the_forge() {
    let w = world().await;
    w.forge.merge(&repo(), PrNumber(PR)).await.unwrap();
    w.deliver(flux(
        "first",
        "Kustomization",
        "prd",
        "ReconciliationSucceeded",
        &w.later,
        1,
    ))
    .await;
    let record = w.record();
    assert_eq!(record.merged_sha.as_ref(), Some(&w.merge));
    assert!(record.applied.expect("applied").succeeded);
    let body = w.promotion_comment();
    assert!(body.contains("`prd` now runs the new versions"), "{body}");

    // The merge event arriving afterwards does not take the news back.
    w.deliver(closed_merged(&w.merge)).await;
    assert_eq!(w.promotion_comment(), body);
}

#[tokio::test]
async fn a_report_for_an_unmerged_promotion_waits_for_the_merge() {
    let w = world().await;
    let writes = w.forge.writes();
    w.deliver(flux(
        "early",
        "Kustomization",
        "prd",
        "ReconciliationSucceeded",
        &w.later,
        1,
    ))
    .await;
    assert_eq!(w.forge.writes(), writes);
    assert!(w.promotion_comments().is_empty());
    assert_eq!(w.record().merged_sha, None);
}
