//! Reconciling a repository as a whole: today, making sure each of its open
//! pull requests is reconciled (after an install, a resync or a push).

use crate::ids::{RepoName, WorkKey};
use crate::ports::forge::{Forge, ForgeError};

/// The work keys of every open pull request of `repo`.
pub async fn open_pull_request_keys(
    forge: &dyn Forge,
    repo: &RepoName,
) -> Result<Vec<WorkKey>, ForgeError> {
    let prs = forge.open_pull_requests(repo).await?;
    Ok(prs.iter().map(|pr| WorkKey::pr(repo, pr.number)).collect())
}
