//! `/promote stg prd` end to end on a generated `flux-config/` of 1,000 apps
//! x 3 environments in a real git repository, through the local forge:
//! read both overlays at the default branch's tip, compute the change set,
//! look up how long each version has run, write the commit on bosun's
//! branch, open the pull request record. Prints the median in milliseconds
//! (the budget: under 200 ms).
//!
//! `cargo bench -p bosun --bench promote_commit`

use bosun::local_forge::LocalForge;
use bosun_commands::EnvCatalog;
use bosun_reconciler::audit::Place;
use bosun_reconciler::config::{Frontend, Identity, RepoConfig};
use bosun_reconciler::promotion::{PromoteAsk, PromoteOutcome, promote};
use bosun_reconciler::store::SledStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const APPS: usize = 1_000;
const RUNS: usize = 7;

/// One environment's overlay: an image per app in the kustomization, a
/// HelmRelease per app in versions.yaml; every third app differs between
/// consecutive environments.
fn overlay(dir: &Path, env: &str, generation: usize) {
    let mut kustomization = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\nimages:\n",
    );
    let mut versions = String::new();
    for app in 0..APPS {
        let minor = if app % 3 == 0 { generation } else { 0 };
        kustomization.push_str(&format!(
            "  - name: cr.example.io/team{}/app-{app}\n    newTag: v1.{minor}.{app}\n",
            app % 7
        ));
        versions.push_str(&format!(
            "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: release-{app}\n  namespace: ns-{}\nspec:\n  chart:\n    spec:\n      version: 2.{minor}.{app}\n",
            app % 50
        ));
    }
    let folder = dir.join("flux-config/apps").join(env);
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("kustomization.yaml"), kustomization).expect("write");
    std::fs::write(folder.join("versions.yaml"), versions).expect("write");
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "b")
        .env("GIT_AUTHOR_EMAIL", "b@b")
        .env("GIT_COMMITTER_NAME", "b")
        .env("GIT_COMMITTER_EMAIL", "b@b")
        .status()
        .expect("git")
        .success();
    assert!(ok, "git {args:?}");
}

#[tokio::main]
async fn main() {
    let envs = EnvCatalog::default();
    let (stg, prd) = (
        envs.resolve("stg").expect("stg"),
        envs.resolve("prd").expect("prd"),
    );
    let config = RepoConfig::default();
    let who = Identity {
        frontend: Frontend::Cli,
        id: "bench".to_owned(),
        groups: Vec::new(),
    };
    let mut timings = Vec::new();
    let mut moved = 0;
    for _ in 0..RUNS {
        let repo_dir = tempfile::tempdir().expect("repo");
        git(repo_dir.path(), &["init", "-q", "-b", "main"]);
        for (generation, env) in ["dev", "stg", "prd"].iter().enumerate() {
            overlay(repo_dir.path(), env, 3 - generation);
        }
        git(repo_dir.path(), &["add", "."]);
        git(repo_dir.path(), &["commit", "-q", "-m", "generated"]);
        let data = tempfile::tempdir().expect("data");
        let store = Arc::new(SledStore::open(data.path()).expect("store"));
        let forge = LocalForge::open(repo_dir.path(), store.clone()).expect("forge");
        let repo = forge.repo_name().clone();
        let place = Place::Terminal { repo: repo.clone() };
        let ask = PromoteAsk {
            repo: &repo,
            from: &stg,
            to: &prd,
            only: &[],
            force: false,
            who: &who,
            place: &place,
            dry_run: false,
            now: chrono::Utc::now(),
            cluster: None,
        };
        let started = Instant::now();
        let outcome = promote(&forge, store.as_ref(), &config, &ask)
            .await
            .expect("promote");
        timings.push(started.elapsed().as_secs_f64() * 1e3);
        let PromoteOutcome::Opened { record, .. } = outcome else {
            panic!("expected a pull request, got {outcome:?}");
        };
        moved = record.moves.len();
    }
    timings.sort_by(f64::total_cmp);
    println!(
        "promote stg->prd, {APPS} apps x 3 envs, {moved} versions moved, commit written: median {:.1} ms (min {:.1}, max {:.1}, {RUNS} runs)",
        timings[RUNS / 2],
        timings[0],
        timings[RUNS - 1]
    );
}
