//! bosun's own commits on its own branches: built from trees in the object
//! database, never from the working tree or the index, and never on the
//! default branch or a branch some checkout has checked out.

use super::{commit, git, sha};
use bosun_reconciler::ids::Sha;
use bosun_reconciler::ports::forge::{CommitRequest, ForgeError};
use git2::build::TreeUpdateBuilder;
use git2::{FileMode, ObjectType, Repository, Signature, Tree};
use std::collections::HashSet;
use std::path::Path;

/// The mode git gives executable files, kept when bosun rewrites one.
const EXECUTABLE_MODE: i32 = 0o100_755;

/// Who bosun's commits are by: the repository's configured identity, else
/// `bosun <bosun@localhost>`.
pub(super) fn signature(repo: &Repository) -> Result<Signature<'static>, ForgeError> {
    repo.signature()
        .or_else(|_| Signature::now("bosun", "bosun@localhost"))
        .map_err(git)
}

/// Writes `request` as one commit on top of its parent and force-moves
/// `refs/heads/<branch>` to it; see `Forge::commit_files`.
///
/// The new tree is the parent's with each change applied: a text upserts the
/// file (keeping an executable file executable), `None` removes it (a file
/// that is not there is already removed). When the branch already points at
/// a commit whose only parent is `request.parent` and whose tree is the one
/// these changes produce, nothing is written and that commit is returned.
/// Changes that leave the parent's tree as it was still make a commit (an
/// empty one) the first time.
///
/// `Invalid`: the default branch, a branch checked out in the main checkout
/// or a linked worktree, a name git refuses, a path that is empty, absolute
/// or has `.`, `..` or `.git` parts, the same path twice, a change to a path
/// that is a folder. `NotFound`: a parent the repository does not have.
pub(super) fn commit_files(
    repo: &Repository,
    default_branch: &str,
    request: &CommitRequest,
) -> Result<Sha, ForgeError> {
    let refname = writable_branch(repo, default_branch, &request.branch)?;
    let parent = commit(repo, &request.parent)?;
    let base = parent.tree().map_err(git)?;
    let tree_id = updated_tree(repo, &base, request)?;

    if let Ok(current) = repo
        .find_reference(&refname)
        .and_then(|r| r.peel_to_commit())
    {
        let same_parent =
            current.parent_count() == 1 && current.parent_id(0).ok() == Some(parent.id());
        if same_parent && current.tree_id() == tree_id {
            return sha(current.id());
        }
    }

    let signature = signature(repo)?;
    let tree = repo.find_tree(tree_id).map_err(git)?;
    let id = repo
        .commit(
            None,
            &signature,
            &signature,
            &request.message,
            &tree,
            &[&parent],
        )
        .map_err(git)?;
    let subject = request.message.lines().next().unwrap_or_default();
    repo.reference(&refname, id, true, &format!("bosun: {subject}"))
        .map_err(git)?;
    sha(id)
}

/// `refs/heads/<branch>`, unless bosun must not write that branch.
fn writable_branch(
    repo: &Repository,
    default_branch: &str,
    branch: &str,
) -> Result<String, ForgeError> {
    let refused = |why: &str| ForgeError::Invalid(format!("bosun does not write {branch}: {why}"));
    if branch.is_empty() || !git2::Branch::name_is_valid(branch).unwrap_or(false) {
        return Err(refused("not a branch name git accepts"));
    }
    if branch == default_branch {
        return Err(refused("it is the default branch"));
    }
    let refname = format!("refs/heads/{branch}");
    if checked_out(repo)?.contains(&refname) {
        return Err(refused("it is checked out"));
    }
    Ok(refname)
}

/// The branches (`refs/heads/...`) that the checkout and its linked
/// worktrees have checked out; a detached HEAD has none.
fn checked_out(repo: &Repository) -> Result<Vec<String>, ForgeError> {
    let head_of = |repo: &Repository| -> Option<String> {
        let head = repo.find_reference("HEAD").ok()?;
        head.symbolic_target().ok().flatten().map(str::to_owned)
    };
    let mut branches: Vec<String> = head_of(repo).into_iter().collect();
    let worktrees = repo.worktrees().map_err(git)?;
    for name in worktrees.iter().flatten().flatten() {
        let Ok(worktree) = repo.find_worktree(name) else {
            continue;
        };
        if let Ok(linked) = Repository::open_from_worktree(&worktree) {
            branches.extend(head_of(&linked));
        }
    }
    Ok(branches)
}

/// The id of `base` with the request's changes applied, written to the
/// object database.
fn updated_tree(
    repo: &Repository,
    base: &Tree<'_>,
    request: &CommitRequest,
) -> Result<git2::Oid, ForgeError> {
    let mut update = TreeUpdateBuilder::new();
    let mut seen = HashSet::new();
    for change in &request.changes {
        let path = clean_path(&change.path)?;
        if !seen.insert(path) {
            return Err(ForgeError::Invalid(format!(
                "{path} is changed twice in one commit"
            )));
        }
        let existing = match base.get_path(Path::new(path)) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                return Err(ForgeError::Invalid(format!("{path} is a folder")));
            }
            Ok(entry) => Some(entry.filemode()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(git(e)),
        };
        match (&change.text, existing) {
            (Some(text), mode) => {
                let blob = repo.blob(text.as_bytes()).map_err(git)?;
                let mode = if mode == Some(EXECUTABLE_MODE) {
                    FileMode::BlobExecutable
                } else {
                    FileMode::Blob
                };
                update.upsert(path, blob, mode);
            }
            (None, Some(_)) => {
                update.remove(path);
            }
            (None, None) => {}
        }
    }
    update
        .create_updated(repo, base)
        .map_err(|e| ForgeError::Invalid(format!("cannot build the tree: {}", e.message())))
}

/// A path from the repository's root, checked: relative, no empty, `.`,
/// `..` or `.git` parts, no backslashes.
fn clean_path(path: &str) -> Result<&str, ForgeError> {
    let bad = path.is_empty()
        || path.contains('\\')
        || path.contains('\0')
        || path
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == ".." || part == ".git");
    if bad {
        return Err(ForgeError::Invalid(format!(
            "{path:?} is not a path from the repository's root"
        )));
    }
    Ok(path)
}
