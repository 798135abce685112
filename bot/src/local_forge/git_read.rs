//! Reading the repository: what a name points at, files at a commit, when a
//! path last changed, and whether one commit contains another.

use super::{commit, git, sha};
use bosun_reconciler::ids::Sha;
use bosun_reconciler::ports::forge::{ForgeError, RepoFile};
use chrono::{DateTime, Utc};
use git2::{BranchType, ObjectType, Oid, Repository, Sort, Tree, TreeWalkMode, TreeWalkResult};
use std::path::Path;

/// The mode git gives symbolic links: their blob is a target, not a file.
const LINK_MODE: i32 = 0o120_000;

/// The commit a local branch points at, or the commit a full or abbreviated
/// (at least 4 hexadecimal digits) commit id names. A branch wins over a
/// commit id that reads the same. Anything else (tags, remote branches,
/// `HEAD~1`) is `NotFound`; an abbreviation shared by several objects is
/// `Invalid`.
pub(super) fn resolve(repo: &Repository, git_ref: &str) -> Result<Sha, ForgeError> {
    let missing = || ForgeError::NotFound(format!("no branch or commit {git_ref}"));
    match repo.find_branch(git_ref, BranchType::Local) {
        Ok(branch) => {
            let target = branch.get().peel_to_commit().map_err(|_| missing())?;
            return sha(target.id());
        }
        Err(e) if e.code() == git2::ErrorCode::NotFound => {}
        // Not a valid branch name: it may still be a commit id.
        Err(e) if e.code() == git2::ErrorCode::InvalidSpec => {}
        Err(e) => return Err(git(e)),
    }
    let hex = (4..=64).contains(&git_ref.len()) && git_ref.chars().all(|c| c.is_ascii_hexdigit());
    if !hex {
        return Err(missing());
    }
    match repo.find_object_by_prefix(git_ref, None) {
        Ok(object) => {
            let target = object.peel_to_commit().map_err(|_| missing())?;
            sha(target.id())
        }
        Err(e) if e.code() == git2::ErrorCode::Ambiguous => Err(ForgeError::Invalid(format!(
            "{git_ref} names more than one object; give more digits"
        ))),
        Err(_) => Err(missing()),
    }
}

/// Every UTF-8 file under `folders` at `at`, sorted by path, each once.
/// Folders are paths from the root with or without a trailing `/`; an empty
/// folder means the whole repository. A folder that does not exist, or is a
/// file, adds nothing. Symbolic links and submodules are not files.
pub(super) fn files_at(
    repo: &Repository,
    at: &Sha,
    folders: &[String],
) -> Result<Vec<RepoFile>, ForgeError> {
    let root = commit(repo, at)?.tree().map_err(git)?;
    let mut blobs: Vec<(String, Oid)> = Vec::new();
    for folder in folders {
        let folder = folder.trim_matches('/');
        let (tree, prefix) = if folder.is_empty() {
            (root.clone(), String::new())
        } else {
            match subtree(repo, &root, folder)? {
                Some(tree) => (tree, format!("{folder}/")),
                None => continue,
            }
        };
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && entry.filemode() != LINK_MODE
                && let Ok(name) = entry.name()
            {
                blobs.push((format!("{prefix}{dir}{name}"), entry.id()));
            }
            TreeWalkResult::Ok
        })
        .map_err(git)?;
    }
    blobs.sort();
    blobs.dedup();
    let mut files = Vec::with_capacity(blobs.len());
    for (path, id) in blobs {
        let blob = repo.find_blob(id).map_err(git)?;
        if let Ok(text) = std::str::from_utf8(blob.content()) {
            files.push(RepoFile {
                path,
                text: text.to_owned(),
            });
        }
    }
    Ok(files)
}

/// The folder at `path` in `root`, if there is one.
fn subtree<'r>(
    repo: &'r Repository,
    root: &Tree<'r>,
    path: &str,
) -> Result<Option<Tree<'r>>, ForgeError> {
    match root.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
            repo.find_tree(entry.id()).map(Some).map_err(git)
        }
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(git(e)),
    }
}

/// A file's text at commit `at`, or `None` when it does not exist there;
/// `Invalid` when it is not UTF-8.
pub(super) fn file_at(
    repo: &Repository,
    at: Oid,
    path: &str,
) -> Result<Option<String>, ForgeError> {
    let tree = repo.find_commit(at).and_then(|c| c.tree()).map_err(git)?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(entry) => entry,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(git(e)),
    };
    let blob = repo.find_blob(entry.id()).map_err(git)?;
    let text = std::str::from_utf8(blob.content())
        .map_err(|_| ForgeError::Invalid(format!("{path} is not UTF-8 text")))?;
    Ok(Some(text.to_owned()))
}

/// What `tree` holds at `path` (a file or a folder), as id and mode.
fn entry_at(tree: &Tree<'_>, path: &str) -> Result<Option<(Oid, i32)>, ForgeError> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some((entry.id(), entry.filemode()))),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(git(e)),
    }
}

/// The newest commit reachable from `from` (walked in topological order,
/// newest first) whose entry at `path` differs from the entry in every one
/// of its parents, as `git log -1 -- <path>` finds it: a merge that took one
/// side's version unchanged did not change the path, and a root commit
/// changed it when it has it. `path` may name a file or a folder (any change
/// inside counts); adding, editing, deleting and changing the mode all
/// count. The time is the committer's.
pub(super) fn last_change(
    repo: &Repository,
    from: &Sha,
    path: &str,
) -> Result<Option<(Sha, DateTime<Utc>)>, ForgeError> {
    let start = commit(repo, from)?;
    let path = path.trim_matches('/');
    if path.is_empty() {
        return Err(ForgeError::Invalid("last_change needs a path".to_owned()));
    }
    let mut walk = repo.revwalk().map_err(git)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .map_err(git)?;
    walk.push(start.id()).map_err(git)?;
    for id in walk {
        let candidate = repo.find_commit(id.map_err(git)?).map_err(git)?;
        let here = entry_at(&candidate.tree().map_err(git)?, path)?;
        let mut changed = true;
        for parent in candidate.parents() {
            if entry_at(&parent.tree().map_err(git)?, path)? == here {
                changed = false;
                break;
            }
        }
        // A root commit without the path did not add it.
        if candidate.parent_count() == 0 && here.is_none() {
            changed = false;
        }
        if changed {
            let seconds = candidate.time().seconds();
            let when = DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
                ForgeError::Invalid(format!("commit {} has time {seconds}", candidate.id()))
            })?;
            return Ok(Some((sha(candidate.id())?, when)));
        }
    }
    Ok(None)
}

/// Whether `ancestor` is `descendant` or reachable from it; `NotFound` when
/// either commit is not in the repository.
pub(super) fn is_ancestor(
    repo: &Repository,
    ancestor: &Sha,
    descendant: &Sha,
) -> Result<bool, ForgeError> {
    let ancestor = commit(repo, ancestor)?.id();
    let descendant = commit(repo, descendant)?.id();
    if ancestor == descendant {
        return Ok(true);
    }
    repo.graph_descendant_of(descendant, ancestor).map_err(git)
}
