//! The local forge on real git repositories: pull requests as branches plus
//! records, comments and checks as records, merges as real git merges, and
//! bosun's own commits written beside the checkout, never into it.

#[path = "support/git_cli.rs"]
mod git_cli;

use bosun::local_forge::LocalForge;
use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use bosun_reconciler::ports::forge::{
    CommitRequest, FileChange, Forge, ForgeError, Marker, MergeOutcome, NewPullRequest, PrState,
    Upserted,
};
use bosun_reconciler::store::{SledStore, Store};
use git_cli::git;
use std::path::Path;
use std::sync::Arc;

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
    store: Arc<SledStore>,
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
    let forge = LocalForge::open(repo.path(), store.clone()).unwrap();
    Local {
        repo,
        _data: data,
        store,
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
    assert_eq!(l.forge.base_branch(), "main");
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

fn sha_of(dir: &Path, rev: &str) -> Sha {
    git(dir, &["rev-parse", rev]).parse().unwrap()
}

fn edit(path: &str, text: &str) -> FileChange {
    FileChange {
        path: path.to_owned(),
        text: Some(text.to_owned()),
    }
}

fn delete(path: &str) -> FileChange {
    FileChange {
        path: path.to_owned(),
        text: None,
    }
}

fn commit_request(branch: &str, parent: &Sha, changes: Vec<FileChange>) -> CommitRequest {
    CommitRequest {
        branch: branch.to_owned(),
        parent: parent.clone(),
        message: format!("bosun: write {branch}"),
        changes,
    }
}

/// The repository's HEAD as a branch name, and whether the working tree and
/// index are clean.
fn checkout_state(dir: &Path) -> (String, String) {
    (
        git(dir, &["symbolic-ref", "--short", "HEAD"]),
        git(dir, &["status", "--porcelain"]),
    )
}

#[tokio::test]
async fn default_branch_and_resolve_name_branches_and_commit_ids() {
    let l = local();
    assert_eq!(
        Forge::default_branch(&l.forge, &l.name()).await.unwrap(),
        "main"
    );
    let main = sha_of(l.repo.path(), "main");
    let change = sha_of(l.repo.path(), "change");
    assert_eq!(l.forge.resolve(&l.name(), "main").await.unwrap(), main);
    assert_eq!(l.forge.resolve(&l.name(), "change").await.unwrap(), change);
    assert_eq!(
        l.forge.resolve(&l.name(), change.as_str()).await.unwrap(),
        change
    );
    assert_eq!(
        l.forge
            .resolve(&l.name(), &change.as_str()[..8])
            .await
            .unwrap(),
        change
    );
    for unknown in ["no-such-branch", "deadbeefdeadbeef", "HEAD~1", ""] {
        let missing = l.forge.resolve(&l.name(), unknown).await;
        assert!(
            matches!(missing, Err(ForgeError::NotFound(_))),
            "{unknown}: {missing:?}"
        );
    }
}

#[tokio::test]
async fn files_at_reads_the_folders_at_the_given_commit_not_the_tip() {
    let l = local();
    let dir = l.repo.path();
    commit_file(dir, "flux-config/apps/prd/versions.yaml", "version: 1\n");
    commit_file(dir, "flux-config/apps/prd/deep/er/patch.yaml", "deep: 1\n");
    commit_file(dir, "flux-config/apps/stg/versions.yaml", "version: 2\n");
    std::fs::write(
        dir.join("flux-config/apps/prd/logo.bin"),
        [0xff, 0xfe, 0x00],
    )
    .unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "binary"]);
    let then = sha_of(dir, "main");
    commit_file(dir, "flux-config/apps/prd/versions.yaml", "version: 3\n");
    commit_file(dir, "flux-config/apps/prd/later.yaml", "later: 1\n");

    let folders = [
        "flux-config/apps/prd/".to_owned(),
        "flux-config/apps/prd/deep".to_owned(),
        "flux-config/apps/missing".to_owned(),
        "README.md".to_owned(),
    ];
    let files = l.forge.files_at(&l.name(), &then, &folders).await.unwrap();
    let read: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect();
    assert_eq!(
        read,
        [
            ("flux-config/apps/prd/deep/er/patch.yaml", "deep: 1\n"),
            ("flux-config/apps/prd/versions.yaml", "version: 1\n"),
        ],
        "sorted, each once, only under the folders, as of `then`, text only"
    );
    let unknown: Sha = "0123456789012345678901234567890123456789".parse().unwrap();
    let missing = l.forge.files_at(&l.name(), &unknown, &folders).await;
    assert!(
        matches!(missing, Err(ForgeError::NotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn commit_files_writes_its_branch_without_touching_the_checkout() {
    let l = local();
    let dir = l.repo.path();
    let main = sha_of(dir, "main");
    let written = l
        .forge
        .commit_files(
            &l.name(),
            &commit_request(
                "bosun/promote/stg-to-prd",
                &main,
                vec![
                    edit("flux-config/apps/prd/versions.yaml", "version: 2\n"),
                    edit("README.md", "hello again\n"),
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!(sha_of(dir, "bosun/promote/stg-to-prd"), written);
    assert_eq!(
        sha_of(dir, "bosun/promote/stg-to-prd^"),
        main,
        "one commit on the parent"
    );
    assert_eq!(
        git(
            dir,
            &[
                "show",
                "bosun/promote/stg-to-prd:flux-config/apps/prd/versions.yaml"
            ]
        ),
        "version: 2"
    );
    assert_eq!(checkout_state(dir), ("main".to_owned(), String::new()));
    assert_eq!(sha_of(dir, "main"), main, "main did not move");
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "hello\n"
    );
    assert!(!dir.join("flux-config/apps/prd/versions.yaml").exists());
}

#[tokio::test]
async fn commit_files_again_with_the_same_files_writes_nothing() {
    let l = local();
    let dir = l.repo.path();
    let main = sha_of(dir, "main");
    let mut request = commit_request(
        "bosun/promote/stg-to-prd",
        &main,
        vec![edit("flux-config/apps/prd/versions.yaml", "version: 2\n")],
    );
    let first = l.forge.commit_files(&l.name(), &request).await.unwrap();
    let commits = git(dir, &["rev-list", "--count", "--all"]);
    // A retry after a crash may word the message differently: the files and
    // the parent decide.
    request.message = "bosun: a retry".to_owned();
    let again = l.forge.commit_files(&l.name(), &request).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(git(dir, &["rev-list", "--count", "--all"]), commits);
    assert_eq!(
        git(
            dir,
            &["log", "-1", "--format=%s", "bosun/promote/stg-to-prd"]
        ),
        "bosun: write bosun/promote/stg-to-prd"
    );
}

#[tokio::test]
async fn commit_files_with_other_files_or_parent_force_moves_the_branch() {
    let l = local();
    let dir = l.repo.path();
    let main = sha_of(dir, "main");
    let branch = "bosun/promote/stg-to-prd";
    let first = l
        .forge
        .commit_files(
            &l.name(),
            &commit_request(branch, &main, vec![edit("a.yaml", "a: 1\n")]),
        )
        .await
        .unwrap();
    let second = l
        .forge
        .commit_files(
            &l.name(),
            &commit_request(branch, &main, vec![edit("a.yaml", "a: 2\n")]),
        )
        .await
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(sha_of(dir, branch), second);
    assert_eq!(
        sha_of(dir, &format!("{branch}^")),
        main,
        "replaced, not stacked"
    );
    assert_eq!(git(dir, &["show", &format!("{branch}:a.yaml")]), "a: 2");

    commit_file(dir, "docs/notes.md", "main moved\n");
    let moved = sha_of(dir, "main");
    let third = l
        .forge
        .commit_files(
            &l.name(),
            &commit_request(branch, &moved, vec![edit("a.yaml", "a: 2\n")]),
        )
        .await
        .unwrap();
    assert_ne!(third, second, "same files on a new parent is a new commit");
    assert_eq!(sha_of(dir, &format!("{branch}^")), moved);
    assert_eq!(checkout_state(dir), ("main".to_owned(), String::new()));
}

#[tokio::test]
async fn commit_files_deletes_files_and_folders_left_empty() {
    let l = local();
    let dir = l.repo.path();
    commit_file(dir, "flux-config/apps/prd/pdb.yaml", "pdb: 1\n");
    commit_file(dir, "flux-config/apps/prd/old/only.yaml", "old: 1\n");
    let main = sha_of(dir, "main");
    l.forge
        .commit_files(
            &l.name(),
            &commit_request(
                "bosun/cleanup",
                &main,
                vec![
                    delete("flux-config/apps/prd/pdb.yaml"),
                    delete("flux-config/apps/prd/old/only.yaml"),
                    delete("never/existed.yaml"),
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        git(
            dir,
            &["ls-tree", "-r", "-t", "--name-only", "bosun/cleanup"]
        ),
        "README.md"
    );
    assert!(dir.join("flux-config/apps/prd/pdb.yaml").exists());
}

#[tokio::test]
async fn commit_files_refuses_the_default_and_the_checked_out_branch() {
    let l = local();
    let dir = l.repo.path();
    let main = sha_of(dir, "main");
    let change = sha_of(dir, "change");
    let write = |branch: &str| commit_request(branch, &main, vec![edit("a.yaml", "a: 1\n")]);
    let refused = l.forge.commit_files(&l.name(), &write("main")).await;
    assert!(
        matches!(refused, Err(ForgeError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(sha_of(dir, "main"), main);

    // Someone checks `change` out by hand while bosun runs.
    git(dir, &["checkout", "-q", "change"]);
    let refused = l.forge.commit_files(&l.name(), &write("change")).await;
    assert!(
        matches!(refused, Err(ForgeError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(sha_of(dir, "change"), change);
    let refused = l.forge.commit_files(&l.name(), &write("main")).await;
    assert!(
        matches!(refused, Err(ForgeError::Invalid(_))),
        "main stays the default branch: {refused:?}"
    );
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
}

#[tokio::test]
async fn commit_files_refuses_paths_outside_the_tree_and_unknown_parents() {
    let l = local();
    let main = sha_of(l.repo.path(), "main");
    for path in ["../escape", "/etc/passwd", ".git/config", "a//b", ""] {
        let refused = l
            .forge
            .commit_files(
                &l.name(),
                &commit_request("bosun/x", &main, vec![edit(path, "x\n")]),
            )
            .await;
        assert!(
            matches!(refused, Err(ForgeError::Invalid(_))),
            "{path}: {refused:?}"
        );
    }
    let unknown: Sha = "0123456789012345678901234567890123456789".parse().unwrap();
    let missing = l
        .forge
        .commit_files(
            &l.name(),
            &commit_request("bosun/x", &unknown, vec![edit("a.yaml", "a: 1\n")]),
        )
        .await;
    assert!(
        matches!(missing, Err(ForgeError::NotFound(_))),
        "{missing:?}"
    );
    assert!(
        git(l.repo.path(), &["branch", "--list", "bosun/x"]).is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn last_change_finds_the_newest_commit_that_changed_a_path() {
    let l = local();
    let dir = l.repo.path();
    commit_file(dir, "apps/prd/versions.yaml", "v: 1\n");
    let first = sha_of(dir, "main");
    commit_file(dir, "apps/stg/versions.yaml", "v: 1\n");
    commit_file(dir, "apps/prd/versions.yaml", "v: 2\n");
    let second = sha_of(dir, "main");
    commit_file(dir, "docs/notes.md", "later\n");
    let tip = sha_of(dir, "main");

    let (found, when) = l
        .forge
        .last_change(&l.name(), &tip, "apps/prd/versions.yaml")
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(found, second);
    let committed: i64 = git(dir, &["log", "-1", "--format=%ct", second.as_str()])
        .parse()
        .unwrap();
    assert_eq!(when.timestamp(), committed);
    let (before, _) = l
        .forge
        .last_change(&l.name(), &sha_of(dir, "main~2"), "apps/prd/versions.yaml")
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(
        before, first,
        "only history reachable from the commit counts"
    );
    let (folder, _) = l
        .forge
        .last_change(&l.name(), &tip, "apps/stg")
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(
        folder,
        sha_of(dir, "main~2"),
        "a folder changes with its files"
    );
    assert_eq!(
        l.forge
            .last_change(&l.name(), &tip, "apps/dev/versions.yaml")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn last_change_skips_a_merge_that_took_one_side_unchanged() {
    let l = local();
    let dir = l.repo.path();
    git(dir, &["checkout", "-q", "-b", "side"]);
    commit_file(dir, "apps/prd/versions.yaml", "v: side\n");
    let side = sha_of(dir, "side");
    git(dir, &["checkout", "-q", "main"]);
    commit_file(dir, "docs/notes.md", "main\n");
    git(dir, &["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let merge = sha_of(dir, "main");
    assert_eq!(
        git(dir, &["rev-list", "--parents", "-n", "1", "main"])
            .split(' ')
            .count(),
        3
    );
    let (found, _) = l
        .forge
        .last_change(&l.name(), &merge, "apps/prd/versions.yaml")
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(found, side);
}

#[tokio::test]
async fn is_ancestor_holds_for_history_and_the_commit_itself_only() {
    let l = local();
    let dir = l.repo.path();
    let main = sha_of(dir, "main");
    let change = sha_of(dir, "change");
    let name = l.name();
    assert!(l.forge.is_ancestor(&name, &main, &change).await.unwrap());
    assert!(!l.forge.is_ancestor(&name, &change, &main).await.unwrap());
    assert!(l.forge.is_ancestor(&name, &change, &change).await.unwrap());
    git(dir, &["checkout", "-q", "-b", "sibling", "main"]);
    commit_file(dir, "docs/notes.md", "sibling\n");
    let sibling = sha_of(dir, "sibling");
    assert!(!l.forge.is_ancestor(&name, &sibling, &change).await.unwrap());
    assert!(!l.forge.is_ancestor(&name, &change, &sibling).await.unwrap());
    let unknown: Sha = "0123456789012345678901234567890123456789".parse().unwrap();
    let missing = l.forge.is_ancestor(&name, &unknown, &change).await;
    assert!(
        matches!(missing, Err(ForgeError::NotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn title_body_and_labels_persist_in_the_store() {
    let l = local();
    let pr = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    l.forge
        .update_pull_request(
            &l.name(),
            pr.number,
            "Promote stg to prd",
            "| app | from | to |",
        )
        .await
        .unwrap();
    let labels = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    l.forge
        .add_labels(&l.name(), pr.number, &labels(&["bosun", "promotion"]))
        .await
        .unwrap();
    l.forge
        .add_labels(&l.name(), pr.number, &labels(&["promotion", "prd"]))
        .await
        .unwrap();

    let reopened = LocalForge::open(l.repo.path(), l.store.clone()).unwrap();
    let read = reopened.pull_request(&l.name(), pr.number).await.unwrap();
    assert_eq!(read.title, "Promote stg to prd");
    assert_eq!(
        reopened.description(pr.number).unwrap(),
        "| app | from | to |"
    );
    assert_eq!(
        reopened.labels(pr.number).unwrap(),
        ["bosun", "promotion", "prd"]
    );
    let refused = reopened
        .add_labels(&l.name(), pr.number, &labels(&["ok", " "]))
        .await;
    assert!(
        matches!(refused, Err(ForgeError::Invalid(_))),
        "{refused:?}"
    );
    let missing = reopened
        .update_pull_request(&l.name(), PrNumber(99), "t", "b")
        .await;
    assert!(
        matches!(missing, Err(ForgeError::NotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn pull_request_records_from_before_labels_and_merge_commits_still_read() {
    let l = local();
    let old = br#"{"number":7,"title":"old","body":"","author":"me","head_ref":"change","base_ref":"main","state":"open","merged_head":null}"#;
    l.store.put_record("local_pr", "0000000007", old).unwrap();
    let pr = l.forge.pull_request(&l.name(), PrNumber(7)).await.unwrap();
    assert_eq!(pr.title, "old");
    assert_eq!(pr.merge_sha, None);
    assert!(l.forge.labels(PrNumber(7)).unwrap().is_empty());
    l.forge
        .add_labels(&l.name(), PrNumber(7), &["bosun".to_owned()])
        .await
        .unwrap();
    assert_eq!(l.forge.labels(PrNumber(7)).unwrap(), ["bosun"]);
}

#[tokio::test]
async fn merge_sha_is_the_head_after_a_fast_forward() {
    let l = local();
    let pr = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    assert_eq!(pr.merge_sha, None);
    let change = sha_of(l.repo.path(), "change");
    let MergeOutcome::Merged(merged) = l.forge.merge(&l.name(), pr.number).await.unwrap() else {
        panic!("not merged")
    };
    assert_eq!(merged, change);
    let read = l.forge.pull_request(&l.name(), pr.number).await.unwrap();
    assert_eq!(read.merge_sha, Some(change));
}

#[tokio::test]
async fn merge_sha_is_the_merge_commit_after_a_true_merge() {
    let l = local();
    commit_file(l.repo.path(), "docs/notes.md", "on main\n");
    let pr = l
        .forge
        .find_or_create_pull_request(&l.name(), &new_pr("change"))
        .await
        .unwrap();
    let MergeOutcome::Merged(merged) = l.forge.merge(&l.name(), pr.number).await.unwrap() else {
        panic!("not merged")
    };
    assert_eq!(sha_of(l.repo.path(), "main"), merged);
    assert_eq!(
        sha_of(l.repo.path(), "main^2"),
        sha_of(l.repo.path(), "change")
    );
    let read = l.forge.pull_request(&l.name(), pr.number).await.unwrap();
    assert_eq!(read.merge_sha, Some(merged));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The calls `bosun promote stg prd` makes in local mode, on the project's
/// own flux-config: read prd at main's tip, edit one version, write the
/// promotion branch, open and merge its pull request, and see main (the
/// revision Flux would apply next) contain the merge.
#[tokio::test]
async fn a_promotion_branch_built_from_files_at_main_merges_into_main() {
    let l = local();
    let dir = l.repo.path();
    let flux = Path::new(env!("CARGO_MANIFEST_DIR")).join("../flux-config");
    copy_dir(&flux, &dir.join("flux-config"));
    git(dir, &["add", "flux-config"]);
    git(dir, &["commit", "-q", "-m", "seed flux-config"]);
    let name = l.name();

    let base = Forge::default_branch(&l.forge, &name).await.unwrap();
    let tip = l.forge.resolve(&name, &base).await.unwrap();
    let files = l
        .forge
        .files_at(&name, &tip, &["flux-config/apps/prd".to_owned()])
        .await
        .unwrap();
    let versions = files
        .iter()
        .find(|f| f.path == "flux-config/apps/prd/versions.yaml")
        .expect("prd has versions.yaml");
    assert!(
        files
            .iter()
            .all(|f| f.path.starts_with("flux-config/apps/prd/"))
    );
    assert!(versions.text.contains("      version: 1.15.4\n"));
    let promoted = versions
        .text
        .replace("      version: 1.15.4\n", "      version: 1.16.0\n");

    let branch = "bosun/promote/stg-to-prd";
    let request = CommitRequest {
        branch: branch.to_owned(),
        parent: tip.clone(),
        message: "Promote stg to prd".to_owned(),
        changes: vec![edit(&versions.path, &promoted)],
    };
    let head = l.forge.commit_files(&name, &request).await.unwrap();
    assert_eq!(l.forge.commit_files(&name, &request).await.unwrap(), head);
    let pr = l
        .forge
        .find_or_create_pull_request(
            &name,
            &NewPullRequest {
                head_ref: branch.to_owned(),
                base_ref: base.clone(),
                title: "Promote stg to prd".to_owned(),
                body: "qdrant 1.15.4 → 1.16.0".to_owned(),
            },
        )
        .await
        .unwrap();
    assert_eq!(pr.head_sha, head);
    assert_eq!(
        l.forge.changed_files(&name, pr.number).await.unwrap(),
        ["flux-config/apps/prd/versions.yaml"]
    );
    l.forge
        .add_labels(&name, pr.number, &["promotion".to_owned()])
        .await
        .unwrap();
    // Someone lands an unrelated change meanwhile: the merge is a true merge.
    commit_file(dir, "README.md", "hello, meanwhile\n");
    let before_merge = sha_of(dir, "main");

    let MergeOutcome::Merged(merged) = l.forge.merge(&name, pr.number).await.unwrap() else {
        panic!("not merged")
    };
    let read = l.forge.pull_request(&name, pr.number).await.unwrap();
    assert_eq!(read.state, PrState::Merged);
    let merge_sha = read.merge_sha.expect("merge recorded");
    assert_eq!(merge_sha, merged);

    let main = l.forge.resolve(&name, &base).await.unwrap();
    assert_eq!(
        l.forge
            .file(&name, "flux-config/apps/prd/versions.yaml")
            .await
            .unwrap()
            .as_deref(),
        Some(promoted.as_str())
    );
    assert!(l.forge.is_ancestor(&name, &merge_sha, &main).await.unwrap());
    assert!(l.forge.is_ancestor(&name, &head, &main).await.unwrap());
    assert!(
        !l.forge
            .is_ancestor(&name, &merge_sha, &before_merge)
            .await
            .unwrap(),
        "a revision from before the merge does not contain it"
    );
    let (changed, _) = l
        .forge
        .last_change(&name, &main, "flux-config/apps/prd/versions.yaml")
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(
        changed, head,
        "the promotion commit, not the merge, changed it"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("flux-config/apps/prd/versions.yaml")).unwrap(),
        promoted,
        "the checkout follows main"
    );
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
}
