//! `GitHubForge`'s Git methods against the GitHub fake, whose repositories
//! hold real Git objects: reading files at a commit, writing bosun's own
//! commits idempotently, history, ancestry, and editing pull requests.

mod support;

use bosun::github::GitHubForge;
use bosun::metrics::OutboundObserver;
use bosun_reconciler::ids::{PrNumber, RepoName, Sha};
use bosun_reconciler::ports::forge::{
    CommitRequest, FileChange, Forge, ForgeError, MergeOutcome, RepoFile,
};
use std::sync::Arc;
use support::github::{FakePr, GitHubFake};

const REPO: &str = "acme/platform";

struct Quiet;

impl OutboundObserver for Quiet {
    fn outbound_call(&self, _: &str, _: &str, _: Option<u16>) {}
}

async fn setup() -> (GitHubFake, GitHubForge) {
    let fake = GitHubFake::start().await;
    fake.add_repo(REPO);
    let forge = GitHubForge::new(fake.config(), Arc::new(Quiet)).expect("a forge");
    (fake, forge)
}

fn repo() -> RepoName {
    REPO.parse().unwrap()
}

fn sha(text: &str) -> Sha {
    text.parse().unwrap()
}

fn folders(list: &[&str]) -> Vec<String> {
    list.iter().map(|f| (*f).to_owned()).collect()
}

fn file(path: &str, text: &str) -> RepoFile {
    RepoFile {
        path: path.to_owned(),
        text: text.to_owned(),
    }
}

fn change(path: &str, text: Option<&str>) -> FileChange {
    FileChange {
        path: path.to_owned(),
        text: text.map(str::to_owned),
    }
}

#[tokio::test]
async fn files_at_reads_exactly_the_folders_sorted_at_the_commit_not_the_tip() {
    let (fake, forge) = setup().await;
    let first = fake.seed_files(
        REPO,
        "main",
        &[
            ("flux/apps/prd/z.yaml", "z: 1\n"),
            ("flux/apps/prd/deep/a.yaml", "a: 1\n"),
            ("flux/apps/prd-eu/x.yaml", "not under prd\n"),
            ("flux/apps/stg/b.yaml", "b: 1\n"),
            ("flux/apps/dev/c.yaml", "elsewhere\n"),
        ],
        "seed",
    );
    fake.seed_files(REPO, "main", &[("flux/apps/prd/z.yaml", "z: 2\n")], "later");

    let files = forge
        .files_at(
            &repo(),
            &sha(&first),
            &folders(&["flux/apps/prd", "flux/apps/stg/", "nowhere"]),
        )
        .await
        .unwrap();

    assert_eq!(
        files,
        vec![
            file("flux/apps/prd/deep/a.yaml", "a: 1\n"),
            file("flux/apps/prd/z.yaml", "z: 1\n"),
            file("flux/apps/stg/b.yaml", "b: 1\n"),
        ]
    );
    fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn files_at_skips_files_that_are_not_text() {
    let (fake, forge) = setup().await;
    let commit = fake.seed_bytes(
        REPO,
        "main",
        &[
            ("flux/logo.png", &[0x89, 0x50, 0xff, 0xfe]),
            ("flux/a.yaml", b"a: 1\n"),
        ],
        "seed",
    );

    let files = forge
        .files_at(&repo(), &sha(&commit), &folders(&["flux"]))
        .await
        .unwrap();

    assert_eq!(files, vec![file("flux/a.yaml", "a: 1\n")]);
}

#[tokio::test]
async fn files_at_walks_the_folders_when_github_truncates_the_tree() {
    let (fake, forge) = setup().await;
    let commit = fake.seed_files(
        REPO,
        "main",
        &[
            ("flux/apps/prd/a.yaml", "a\n"),
            ("flux/apps/prd/sub/b.yaml", "b\n"),
            ("flux/apps/stg/c.yaml", "c\n"),
        ],
        "seed",
    );
    fake.truncate_trees(REPO);

    let files = forge
        .files_at(
            &repo(),
            &sha(&commit),
            &folders(&["flux/apps/prd", "gone/x"]),
        )
        .await
        .unwrap();

    assert_eq!(
        files,
        vec![
            file("flux/apps/prd/a.yaml", "a\n"),
            file("flux/apps/prd/sub/b.yaml", "b\n"),
        ]
    );
    fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn default_branch_and_resolve_name_the_tip_and_unknown_refs_are_not_found() {
    let (fake, forge) = setup().await;
    let tip = fake.seed_files(REPO, "feature/x", &[("a.txt", "a\n")], "a");

    assert_eq!(forge.default_branch(&repo()).await.unwrap(), "main");
    assert_eq!(
        forge.resolve(&repo(), "feature/x").await.unwrap(),
        sha(&tip)
    );
    assert_eq!(forge.resolve(&repo(), &tip).await.unwrap(), sha(&tip));
    let main = fake.branch_tip(REPO, "main").unwrap();
    assert_eq!(forge.resolve(&repo(), "main").await.unwrap(), sha(&main));
    assert!(matches!(
        forge.resolve(&repo(), "no-such-branch").await,
        Err(ForgeError::NotFound(_))
    ));
    assert!(matches!(
        forge.resolve(&repo(), &"f".repeat(40)).await,
        Err(ForgeError::NotFound(_))
    ));
    fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn commit_files_creates_the_branch_then_writes_nothing_again_then_force_moves_it() {
    let (fake, forge) = setup().await;
    let parent = fake.seed_files(
        REPO,
        "main",
        &[
            ("flux/prd/app.yaml", "tag: 1\n"),
            ("flux/prd/old.yaml", "old\n"),
        ],
        "seed",
    );
    let branch = "bosun/promote/stg-to-prd";
    let request = CommitRequest {
        branch: branch.to_owned(),
        parent: sha(&parent),
        message: "Promote stg to prd".to_owned(),
        changes: vec![
            change("flux/prd/app.yaml", Some("tag: 2\n")),
            change("flux/prd/old.yaml", None),
            change("flux/prd/never-was.yaml", None),
        ],
    };

    let first = forge.commit_files(&repo(), &request).await.unwrap();

    assert_eq!(
        fake.branch_tip(REPO, branch).as_deref(),
        Some(first.as_str())
    );
    assert_eq!(
        fake.commit_parents(REPO, first.as_str()),
        vec![parent.clone()]
    );
    assert_eq!(
        fake.commit_message(REPO, first.as_str()),
        "Promote stg to prd"
    );
    assert_eq!(
        fake.file_at(REPO, branch, "flux/prd/app.yaml").as_deref(),
        Some("tag: 2\n")
    );
    assert_eq!(fake.file_at(REPO, branch, "flux/prd/old.yaml"), None);
    assert_eq!(
        fake.paths_at(REPO, branch),
        ["README.md", "flux/prd/app.yaml"]
    );
    assert_eq!(
        fake.branch_tip(REPO, "main").as_deref(),
        Some(parent.as_str())
    );
    let commits_path = format!("/repos/{REPO}/git/commits");
    assert_eq!(fake.requests_to("POST", &commits_path).len(), 1);
    assert_eq!(
        fake.requests_to("POST", &format!("/repos/{REPO}/git/refs"))
            .len(),
        1
    );

    let again = forge.commit_files(&repo(), &request).await.unwrap();

    assert_eq!(again, first);
    assert_eq!(
        fake.requests_to("POST", &commits_path).len(),
        1,
        "an identical request writes no commit"
    );
    assert_eq!(
        fake.branch_tip(REPO, branch).as_deref(),
        Some(first.as_str())
    );

    let changed = CommitRequest {
        changes: vec![change("flux/prd/app.yaml", Some("tag: 3\n"))],
        ..request
    };
    let moved = forge.commit_files(&repo(), &changed).await.unwrap();

    assert_ne!(moved, first);
    assert_eq!(
        fake.branch_tip(REPO, branch).as_deref(),
        Some(moved.as_str())
    );
    assert_eq!(
        fake.commit_parents(REPO, moved.as_str()),
        vec![parent.clone()]
    );
    assert_eq!(
        fake.file_at(REPO, branch, "flux/prd/app.yaml").as_deref(),
        Some("tag: 3\n")
    );
    assert_eq!(
        fake.file_at(REPO, branch, "flux/prd/old.yaml").as_deref(),
        Some("old\n"),
        "the new commit is made on the parent, not on the old branch tip"
    );
    let forced = fake.requests_to(
        "PATCH",
        &format!("/repos/{REPO}/git/refs/heads/bosun/promote/stg-to-prd"),
    );
    assert_eq!(forced.len(), 1);
    assert_eq!(forced[0].json()["force"], true);
    fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn commit_files_refuses_the_default_branch() {
    let (fake, forge) = setup().await;
    let parent = fake.branch_tip(REPO, "main").unwrap();
    for branch in ["main", "refs/heads/main"] {
        let request = CommitRequest {
            branch: branch.to_owned(),
            parent: sha(&parent),
            message: "sneaky".to_owned(),
            changes: vec![change("a.txt", Some("a\n"))],
        };
        let result = forge.commit_files(&repo(), &request).await;
        assert!(matches!(result, Err(ForgeError::Invalid(_))), "{result:?}");
    }
    let repo_writes: Vec<_> = fake
        .writes()
        .into_iter()
        .filter(|w| w.path.starts_with("/repos/"))
        .collect();
    assert!(repo_writes.is_empty(), "{repo_writes:?}");
    assert_eq!(fake.branch_tip(REPO, "main"), Some(parent));
}

#[tokio::test]
async fn last_change_is_the_newest_commit_touching_the_path_with_its_date() {
    let (fake, forge) = setup().await;
    let first = fake.seed_files(REPO, "main", &[("flux/prd/app.yaml", "1\n")], "one");
    let second = fake.seed_files(REPO, "main", &[("flux/prd/app.yaml", "2\n")], "two");
    let unrelated = fake.seed_files(REPO, "main", &[("other.txt", "x\n")], "three");

    let (found, at) = forge
        .last_change(&repo(), &sha(&unrelated), "flux/prd/app.yaml")
        .await
        .unwrap()
        .expect("a change");
    assert_eq!(found, sha(&second));
    let (older, before) = forge
        .last_change(&repo(), &sha(&first), "flux/prd/app.yaml")
        .await
        .unwrap()
        .expect("a change");
    assert_eq!(older, sha(&first));
    assert!(before < at, "{before} < {at}");
    assert_eq!(
        forge
            .last_change(&repo(), &sha(&unrelated), "flux/never.yaml")
            .await
            .unwrap(),
        None
    );
    fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn is_ancestor_holds_for_ancestors_and_the_commit_itself_only() {
    let (fake, forge) = setup().await;
    let base = fake.branch_tip(REPO, "main").unwrap();
    let side = fake.seed_files(REPO, "side", &[("b.txt", "b\n")], "b");
    let later = fake.seed_files(REPO, "main", &[("a.txt", "a\n")], "a");
    let (base, later, side) = (sha(&base), sha(&later), sha(&side));

    assert!(forge.is_ancestor(&repo(), &base, &later).await.unwrap());
    assert!(forge.is_ancestor(&repo(), &later, &later).await.unwrap());
    assert!(!forge.is_ancestor(&repo(), &later, &base).await.unwrap());
    assert!(!forge.is_ancestor(&repo(), &side, &later).await.unwrap());
    assert!(!forge.is_ancestor(&repo(), &later, &side).await.unwrap());
    fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn update_pull_request_and_add_labels_change_the_pull_request() {
    let (fake, forge) = setup().await;
    let number = fake.add_pr(REPO, FakePr::new("bosun/promote/stg-to-prd"));

    forge
        .update_pull_request(&repo(), PrNumber(number), "Promote stg to prd", "| app |")
        .await
        .unwrap();
    let labels = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    forge
        .add_labels(&repo(), PrNumber(number), &labels(&["promotion"]))
        .await
        .unwrap();
    forge
        .add_labels(&repo(), PrNumber(number), &labels(&["prd", "promotion"]))
        .await
        .unwrap();

    let pr = fake.pr(REPO, number);
    assert_eq!(pr.title, "Promote stg to prd");
    assert_eq!(pr.body, "| app |");
    assert_eq!(pr.labels, ["promotion", "prd"]);
    fake.assert_no_unexpected_requests();
}

#[tokio::test]
async fn merge_sha_is_the_merge_commit_on_the_base_branch_once_merged() {
    let (fake, forge) = setup().await;
    let number = fake.add_pr(
        REPO,
        FakePr::new("bosun/promote").files(&["flux/prd/a.yaml"]),
    );
    let head = fake.pr(REPO, number).head_sha;
    let before = forge.pull_request(&repo(), PrNumber(number)).await.unwrap();
    assert_eq!(before.merge_sha, None);

    let outcome = forge.merge(&repo(), PrNumber(number)).await.unwrap();

    let after = forge.pull_request(&repo(), PrNumber(number)).await.unwrap();
    let merge = after.merge_sha.clone().expect("a merge commit");
    assert_eq!(outcome, MergeOutcome::Merged(merge.clone()));
    assert_eq!(
        fake.branch_tip(REPO, "main").as_deref(),
        Some(merge.as_str())
    );
    assert_eq!(fake.commit_parents(REPO, merge.as_str())[1], head);
    assert!(fake.file_at(REPO, "main", "flux/prd/a.yaml").is_some());
    assert!(forge.is_ancestor(&repo(), &merge, &merge).await.unwrap());
    let head = sha(&head);
    assert!(forge.is_ancestor(&repo(), &head, &merge).await.unwrap());
    fake.assert_no_unexpected_requests();
}
