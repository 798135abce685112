//! Merging a pull request into its base branch: a fast-forward when the
//! base has not moved since the head forked, else a merge commit; conflicts
//! are refused and leave every ref where it was.

use super::git_write::signature;
use super::records::LocalPr;
use super::{LocalForge, git, sha};
use bosun_reconciler::ids::PrNumber;
use bosun_reconciler::ports::forge::{ForgeError, MergeOutcome, PrState};
use git2::{Oid, Repository};

/// What merging a pull request would do.
pub(super) enum MergePlan {
    /// The base already contains the head: nothing to write; the base's tip.
    UpToDate(Oid),
    /// The base is an ancestor of the head: move the base to the head.
    FastForward(Oid),
    /// Both moved: a merge commit with this tree on top of both.
    Commit {
        /// The base's tip (first parent).
        base: Oid,
        /// The head's tip (second parent).
        head: Oid,
        /// The merged tree, already written to the object database.
        tree: Oid,
    },
}

impl LocalForge {
    /// The commit a merge would produce, without writing any ref: the head
    /// itself for a fast-forward, else a new merge commit's tree.
    pub(super) fn try_merge(
        &self,
        repo: &Repository,
        pr: &LocalPr,
    ) -> Result<MergePlan, ForgeError> {
        let base = Self::tip(repo, &pr.base_ref)?;
        let head = Self::tip(repo, &pr.head_ref)?;
        let merge_base = repo.merge_base(base, head).map_err(git)?;
        if merge_base == head {
            return Ok(MergePlan::UpToDate(base));
        }
        if merge_base == base {
            return Ok(MergePlan::FastForward(head));
        }
        let ours = repo.find_commit(base).map_err(git)?;
        let theirs = repo.find_commit(head).map_err(git)?;
        let mut index = repo.merge_commits(&ours, &theirs, None).map_err(git)?;
        if index.has_conflicts() {
            return Err(ForgeError::Conflict(format!(
                "{} conflicts with {}",
                pr.head_ref, pr.base_ref
            )));
        }
        let tree = index.write_tree_to(repo).map_err(git)?;
        Ok(MergePlan::Commit { base, head, tree })
    }

    /// Merges pull request `number` unless it is merged already, and records
    /// the head, the fork point and the commit the base was left at.
    pub(super) fn merge_pr(
        &self,
        repo: &Repository,
        number: PrNumber,
    ) -> Result<MergeOutcome, ForgeError> {
        let mut pr = self.load(number)?;
        match pr.state {
            PrState::Merged => return Ok(MergeOutcome::AlreadyMerged),
            PrState::Closed => return Err(ForgeError::Conflict(format!("#{number} is closed"))),
            PrState::Open => {}
        }
        let head = Self::tip(repo, &pr.head_ref)?;
        let fork_point = repo
            .merge_base(Self::tip(repo, &pr.base_ref)?, head)
            .map_err(git)?;
        let message = format!("Merge pull request #{number} from {}", pr.head_ref);
        let merged = match self.try_merge(repo, &pr)? {
            MergePlan::UpToDate(base) => base,
            MergePlan::FastForward(head) => {
                advance_branch(repo, &pr.base_ref, head, &message)?;
                head
            }
            MergePlan::Commit { base, head, tree } => {
                let signature = signature(repo)?;
                let tree = repo.find_tree(tree).map_err(git)?;
                let parents = [
                    &repo.find_commit(base).map_err(git)?,
                    &repo.find_commit(head).map_err(git)?,
                ];
                let commit = repo
                    .commit(None, &signature, &signature, &message, &tree, &parents)
                    .map_err(git)?;
                advance_branch(repo, &pr.base_ref, commit, &message)?;
                commit
            }
        };
        pr.state = PrState::Merged;
        pr.merged_head = Some(head.to_string());
        pr.merged_base = Some(fork_point.to_string());
        pr.merge_commit = Some(merged.to_string());
        self.save(&pr)?;
        Ok(MergeOutcome::Merged(sha(merged)?))
    }
}

/// Moves `branch` to `target`, checking the files out first when the
/// checkout has that branch checked out, so its working tree follows.
fn advance_branch(
    repo: &Repository,
    branch: &str,
    target: Oid,
    message: &str,
) -> Result<(), ForgeError> {
    let refname = format!("refs/heads/{branch}");
    let checked_out = repo
        .head()
        .ok()
        .and_then(|h| h.name().ok().map(str::to_owned))
        .is_some_and(|h| h == refname);
    if checked_out && !repo.is_bare() {
        let commit = repo.find_commit(target).map_err(git)?;
        let mut options = git2::build::CheckoutBuilder::new();
        options.safe();
        repo.checkout_tree(commit.as_object(), Some(&mut options))
            .map_err(|e| {
                ForgeError::Conflict(format!(
                    "the working tree has changes in the way: {}",
                    e.message()
                ))
            })?;
    }
    repo.reference(&refname, target, true, message)
        .map_err(git)?;
    Ok(())
}
