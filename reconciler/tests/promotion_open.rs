//! `/promote` from pull request comments through the real engine and store,
//! with the in-memory forge holding the project's own `flux-config/` tree.

mod support;

use bosun_reconciler::event::{Actor, CommentAction, EventKind, PrAction, PullRequestEvent};
use bosun_reconciler::ids::PrNumber;
use bosun_reconciler::ports::forge::{Access, Forge};
use bosun_reconciler::promotion::Promotions;
use bosun_reconciler::testkit::{MemoryForge, sha_of};
use std::sync::Arc;
use support::{Running, flux_config, repo};

const CONFIG: &str = "\
roles:
  platform:
    github_users: [pat]
  sre:
    github_users: [sam]
  dev:
    github_users: [dana]
";

/// The engine over a memory forge holding the project's `flux-config/`
/// (committed two weeks ago), `.bosun.yaml` with the roles above plus
/// `extra`, and PR #1 to comment on.
async fn world_with(extra: &str) -> Running {
    let forge = Arc::new(MemoryForge::new());
    let files = flux_config();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let weeks_ago = chrono::Utc::now() - chrono::Duration::days(14);
    forge.seed(&repo(), "main", &borrowed, weeks_ago);
    forge.put_file(&repo(), ".bosun.yaml", &format!("{CONFIG}{extra}"));
    forge.open_pr(&repo(), 1, "dana", &["README.md"]);
    forge.grant(&repo(), "dana", Access::Write);
    forge.grant(&repo(), "pat", Access::Admin);
    forge.grant(&repo(), "sam", Access::Write);
    Running::start(forge).await
}

async fn world() -> Running {
    world_with("").await
}

/// What the promotion scenarios do with the running engine.
trait Scenario {
    /// `who` comments `body` on PR #1; returns bosun's reply to it.
    async fn ask(&mut self, who: &str, body: &str) -> String;
    /// A file's text on a branch or commit.
    async fn file_on(&self, git_ref: &str, path: &str) -> String;
    /// Merges promotion PR `number` as GitHub would: its branch's files land
    /// on main, the PR is merged, and the closed event arrives.
    async fn merge_promotion(&mut self, number: PrNumber, branch: &str);
}

impl Scenario for Running {
    async fn ask(&mut self, who: &str, body: &str) -> String {
        let id = 500 + self.deliveries + 1;
        self.comment(id, who, CommentAction::Created, body).await;
        self.reply_to(id)
    }

    async fn file_on(&self, git_ref: &str, path: &str) -> String {
        let sha = self.forge.resolve(&repo(), git_ref).await.unwrap();
        let folder = path.rsplit_once('/').unwrap().0.to_owned();
        let files = self.forge.files_at(&repo(), &sha, &[folder]).await.unwrap();
        files.into_iter().find(|f| f.path == path).unwrap().text
    }

    async fn merge_promotion(&mut self, number: PrNumber, branch: &str) {
        let tip = self.forge.resolve(&repo(), branch).await.unwrap();
        let folders = ["flux-config".to_owned()];
        let files = self.forge.files_at(&repo(), &tip, &folders).await.unwrap();
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        self.forge
            .seed(&repo(), "main", &borrowed, chrono::Utc::now());
        self.forge.merge(&repo(), number).await.unwrap();
        self.deliver(EventKind::PullRequest(PullRequestEvent {
            repo: repo(),
            number,
            action: PrAction::Closed,
            head_sha: sha_of(number.0),
            merged: true,
            merge_sha: None,
            sender: Actor::user("sam"),
        }))
        .await;
    }
}

/// The lines that differ between two texts of the same length in lines.
fn changed_lines(before: &str, after: &str) -> Vec<(String, String)> {
    assert_eq!(before.lines().count(), after.lines().count());
    before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

#[tokio::test]
async fn promote_stg_to_prd_opens_one_pull_request_that_moves_only_version_lines() {
    let mut w = world().await;
    let refused = w.ask("dana", "/promote stg prd").await;
    assert!(refused.contains("`platform` or `sre` role"), "{refused}");
    let reply = w.ask("sam", "/promote stg prd").await;
    assert!(reply.contains("Opened promotion pull request #"), "{reply}");
    assert!(reply.contains("| vllm-openai | image |"), "{reply}");

    let path = "flux-config/apps/prd/versions.yaml";
    let changed = changed_lines(
        &w.file_on("main", path).await,
        &w.file_on("bosun/promote/stg-to-prd", path).await,
    );
    assert_eq!(
        changed,
        [(
            "      version: 1.15.4".to_owned(),
            "      version: 1.16.0".to_owned()
        )]
    );
    let kustomization = "flux-config/apps/prd/kustomization.yaml";
    let before = w.file_on("main", kustomization).await;
    let after = w.file_on("bosun/promote/stg-to-prd", kustomization).await;
    for (old, new) in changed_lines(&before, &after) {
        assert!(
            ["newTag", "digest"]
                .iter()
                .any(|k| old.contains(k) && new.contains(k)),
            "only version lines move: {old} -> {new}"
        );
    }

    let records = Promotions::new(w.store.as_ref()).all().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].asked_by, "forge:sam");
    assert!(
        w.forge
            .labels_on(&repo(), records[0].number.0)
            .contains(&"promote:prd".to_owned())
    );

    let again = w.ask("sam", "/promote stg prd").await;
    assert!(
        again.contains(&format!(
            "Updated promotion pull request #{}",
            records[0].number
        )),
        "{again}"
    );
    assert_eq!(Promotions::new(w.store.as_ref()).all().unwrap().len(), 1);
    w.engine.stop().await;
}

#[tokio::test]
async fn a_locked_target_refuses_the_promotion() {
    let mut w = world().await;
    let locked = w.ask("pat", "/lock prd incident 77").await;
    assert!(locked.contains("`prd` is locked"), "{locked}");
    let reply = w.ask("sam", "/promote stg prd").await;
    assert!(
        reply.contains("Not promoted: `prd` is locked by forge:pat"),
        "{reply}"
    );
    assert!(reply.contains("incident 77"), "{reply}");
    assert!(Promotions::new(w.store.as_ref()).all().unwrap().is_empty());
    w.engine.stop().await;
}

#[tokio::test]
async fn skipping_a_stage_needs_force_and_the_platform_role() {
    let mut w = world().await;
    let out_of_order = w.ask("sam", "/promote dev prd").await;
    assert!(
        out_of_order.contains("`prd` is promoted from `stg`, not from `dev`"),
        "{out_of_order}"
    );
    let forced_by_dev = w.ask("sam", "/promote dev prd --force").await;
    assert!(forced_by_dev.contains("`platform`"), "{forced_by_dev}");
    assert!(Promotions::new(w.store.as_ref()).all().unwrap().is_empty());
    let forced = w.ask("pat", "/promote dev prd --force").await;
    assert!(
        forced.contains("Opened promotion pull request #"),
        "{forced}"
    );
    w.forge
        .resolve(&repo(), "bosun/promote/dev-to-prd")
        .await
        .unwrap();
    w.engine.stop().await;
}

#[tokio::test]
async fn nothing_to_promote_is_a_friendly_answer_and_no_pull_request() {
    let mut w = world().await;
    let reply = w.ask("sam", "/promote stg prd model-puller").await;
    assert!(reply.contains("Nothing to promote"), "{reply}");
    assert!(
        w.forge
            .resolve(&repo(), "bosun/promote/stg-to-prd")
            .await
            .is_err()
    );
    w.engine.stop().await;
}

#[tokio::test]
async fn rollback_restores_the_versions_before_the_last_promotion() {
    let mut w = world().await;
    let none_yet = w.ask("sam", "/rollback prd").await;
    assert!(
        none_yet.contains("bosun has no merged promotion to `prd`"),
        "{none_yet}"
    );
    let before_promotion = w.forge.resolve(&repo(), "main").await.unwrap();

    w.ask("sam", "/promote stg prd qdrant").await;
    let record = Promotions::new(w.store.as_ref()).all().unwrap().remove(0);
    w.merge_promotion(record.number, "bosun/promote/stg-to-prd")
        .await;
    let path = "flux-config/apps/prd/versions.yaml";
    assert!(w.file_on("main", path).await.contains("version: 1.16.0"));

    let reply = w.ask("sam", "/rollback prd").await;
    assert!(reply.contains("Opened rollback pull request #"), "{reply}");
    let changed = changed_lines(
        &w.file_on("main", path).await,
        &w.file_on("bosun/rollback/prd", path).await,
    );
    assert_eq!(
        changed,
        [(
            "      version: 1.16.0".to_owned(),
            "      version: 1.15.4".to_owned()
        )]
    );

    let by_pr = w
        .ask("sam", &format!("/rollback prd to #{}", record.number))
        .await;
    assert!(by_pr.contains("Updated rollback pull request #"), "{by_pr}");
    let by_commit = w
        .ask("sam", &format!("/rollback prd to {before_promotion}"))
        .await;
    assert!(by_commit.contains("rollback pull request #"), "{by_commit}");
    let not_a_promotion = w.ask("sam", "/rollback prd to #999").await;
    assert!(
        not_a_promotion.contains("#999 is not a merged promotion to `prd`"),
        "{not_a_promotion}"
    );
    w.engine.stop().await;
}

#[tokio::test]
async fn versions_younger_than_the_soak_time_are_not_promoted() {
    let mut w = world_with("promotion:\n  soak:\n    prd: 30d\n").await;
    let reply = w.ask("sam", "/promote stg prd").await;
    assert!(reply.contains("for less than 30d"), "{reply}");
    assert!(
        w.forge
            .resolve(&repo(), "bosun/promote/stg-to-prd")
            .await
            .is_err()
    );
    let forced = w.ask("pat", "/promote stg prd --force").await;
    assert!(
        forced.contains("Opened promotion pull request #"),
        "{forced}"
    );
    w.engine.stop().await;
}

#[tokio::test]
async fn a_freeze_window_stops_promotions_but_not_rollbacks() {
    let mut w =
        world_with("promotion:\n  freeze:\n    - name: change-freeze\n      envs: [prd]\n").await;
    let reply = w.ask("sam", "/promote stg prd").await;
    assert!(reply.contains("freeze window `change-freeze`"), "{reply}");
    let rollback = w.ask("sam", "/rollback prd").await;
    assert!(!rollback.contains("freeze window"), "{rollback}");
    w.engine.stop().await;
}
