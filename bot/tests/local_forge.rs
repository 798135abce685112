//! The local forge on real git repositories: pull requests as branches plus
//! records, comments and checks as records, merges as real git merges.

use bosun::local_forge::LocalForge;
use bosun_reconciler::ids::{PrNumber, RepoName};
use bosun_reconciler::ports::forge::{
    Forge, ForgeError, Marker, MergeOutcome, NewPullRequest, PrState, Upserted,
};
use bosun_reconciler::store::SledStore;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn commit_file(dir: &Path, path: &str, text: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, text).unwrap();
    git(dir, &["add", path]);
    git(dir, &["commit", "-q", "-m", &format!("change {path}")]);
}

struct Local {
    repo: tempfile::TempDir,
    _data: tempfile::TempDir,
    forge: LocalForge,
}

impl Local {
    fn name(&self) -> RepoName {
        self.forge.repo_name().clone()
    }
}

/// A checkout on `main` with a README, and a branch `change` that edits the
/// prd cluster and a terraform root.
fn local() -> Local {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    commit_file(repo.path(), "README.md", "hello\n");
    git(repo.path(), &["checkout", "-q", "-b", "change"]);
    commit_file(
        repo.path(),
        "flux-config/clusters/prd-uaenorth/apps.yaml",
        "apps: 1\n",
    );
    commit_file(
        repo.path(),
        "terraform/envs/dev-uaenorth/main.tf",
        "# dev\n",
    );
    git(repo.path(), &["checkout", "-q", "main"]);
    let data = tempfile::tempdir().unwrap();
    let store = Arc::new(SledStore::open(data.path()).unwrap());
    let forge = LocalForge::open(repo.path(), store).unwrap();
    Local {
        repo,
        _data: data,
        forge,
    }
}

fn new_pr(head: &str) -> NewPullRequest {
    NewPullRequest {
        head_ref: head.to_owned(),
        base_ref: "main".to_owned(),
        title: format!("Merge {head}"),
        body: String::new(),
    }
}

#[tokio::test]
async fn a_pull_request_is_found_by_its_branch_not_opened_twice() {
    let l = local();
    assert_eq!(l.forge.default_branch(), "main");
    let first = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    let again = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    assert_eq!(first.number, again.number);
    assert_eq!(first.state, PrState::Open);
    assert_eq!(first.mergeable, Some(true));
    let open = l.forge.open_pull_requests(&l.name()).await.unwrap();
    assert_eq!(open.len(), 1);
    let files = l
        .forge
        .changed_files(&l.name(), first.number)
        .await
        .unwrap();
    assert_eq!(
        files,
        [
            "flux-config/clusters/prd-uaenorth/apps.yaml",
            "terraform/envs/dev-uaenorth/main.tf"
        ]
    );
    let missing = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("no-such-branch"))
        .await;
    assert!(
        matches!(missing, Err(ForgeError::NotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn comments_are_upserted_by_marker() {
    let l = local();
    let pr = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    let marker = Marker::new("envs", "pr");
    let created = l
        .forge
        .upsert_comment(&l.name(), pr.number, &marker, "one")
        .await
        .unwrap();
    let updated = l
        .forge
        .upsert_comment(&l.name(), pr.number, &marker, "two")
        .await
        .unwrap();
    let same = l
        .forge
        .upsert_comment(&l.name(), pr.number, &marker, "two")
        .await
        .unwrap();
    let Upserted::Created(id) = created else {
        panic!("{created:?}")
    };
    assert_eq!(updated, Upserted::Updated(id));
    assert_eq!(same, Upserted::Unchanged(id));
    let comments = l.forge.comments(&l.name(), pr.number).await.unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, "<!-- bosun:envs:pr -->\ntwo");
    let other = l.forge.comments(&l.name(), PrNumber(99)).await.unwrap();
    assert!(other.is_empty());
}

#[tokio::test]
async fn a_fast_forward_merge_moves_main_and_the_working_tree() {
    let l = local();
    let pr = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    let outcome = l.forge.merge(&l.name(), pr.number).await.unwrap();
    let MergeOutcome::Merged(sha) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(git(l.repo.path(), &["rev-parse", "main"]), sha.to_string());
    assert!(
        l.repo
            .path()
            .join("terraform/envs/dev-uaenorth/main.tf")
            .exists()
    );
    assert_eq!(git(l.repo.path(), &["status", "--porcelain"]), "");
    assert_eq!(
        l.forge.merge(&l.name(), pr.number).await.unwrap(),
        MergeOutcome::AlreadyMerged
    );
    let merged = l.forge.pull_request(&l.name(), pr.number).await.unwrap();
    assert_eq!(merged.state, PrState::Merged);
    // What a merged pull request changed stays readable.
    assert_eq!(
        l.forge
            .changed_files(&l.name(), pr.number)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn diverged_branches_get_a_merge_commit_and_conflicts_are_refused() {
    let l = local();
    commit_file(l.repo.path(), "docs/notes.md", "on main\n");
    let pr = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    let MergeOutcome::Merged(sha) = l.forge.merge(&l.name(), pr.number).await.unwrap() else {
        panic!("not merged")
    };
    let parents = git(
        l.repo.path(),
        &["rev-list", "--parents", "-n", "1", sha.as_str()],
    );
    assert_eq!(
        parents.split(' ').count(),
        3,
        "a merge commit has two parents"
    );

    // From before main added the file: both sides add it, differently.
    git(l.repo.path(), &["checkout", "-q", "-b", "clash", "HEAD~2"]);
    commit_file(l.repo.path(), "docs/notes.md", "on the branch\n");
    git(l.repo.path(), &["checkout", "-q", "main"]);
    let clash = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("clash"))
        .await
        .unwrap();
    assert_eq!(clash.mergeable, Some(false));
    let before = git(l.repo.path(), &["rev-parse", "main"]);
    let refused = l.forge.merge(&l.name(), clash.number).await;
    assert!(
        matches!(refused, Err(ForgeError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(
        git(l.repo.path(), &["rev-parse", "main"]),
        before,
        "main did not move"
    );
}

#[tokio::test]
async fn files_are_read_from_the_default_branch_only() {
    let l = local();
    commit_file(l.repo.path(), ".bosun.yaml", "roles: {}\n");
    git(l.repo.path(), &["checkout", "-q", "change"]);
    commit_file(l.repo.path(), "policies/rule.rego", "package x\n");
    let on_main = l.forge.file(&l.name(), ".bosun.yaml").await.unwrap();
    assert_eq!(on_main.as_deref(), Some("roles: {}\n"));
    let only_on_branch = l.forge.file(&l.name(), "policies/rule.rego").await.unwrap();
    assert_eq!(only_on_branch, None);
    let other_repo: RepoName = "acme/elsewhere".parse().unwrap();
    assert!(matches!(
        l.forge.file(&other_repo, "x").await,
        Err(ForgeError::NotFound(_))
    ));
}
