//! What a promotion and a rollback do alike once they know what to change:
//! commit the edited overlay files on bosun's branch, open (or find) the one
//! pull request for that branch, give it its title, description and labels,
//! and save the record the Flux loop reports on.

use super::record::{MovedVersion, PromotionRecord, Promotions};
use crate::error::ReconcileError;
use crate::ids::{RepoName, Sha};
use crate::ports::forge::{CommitRequest, FileChange, Forge, NewPullRequest};
use crate::promote::{ChangeSet, EditedFile};
use crate::store::Store;
use chrono::{DateTime, Utc};

/// Labels every promotion or rollback pull request carries.
pub const LABELS: [&str; 2] = ["bosun", "promotion"];

/// A pull request to publish.
pub struct Publication<'a> {
    /// The repository.
    pub repo: &'a RepoName,
    /// bosun's branch for it.
    pub branch: String,
    /// The default branch, which the pull request targets.
    pub base: String,
    /// The default branch's tip the edit was computed on.
    pub parent: Sha,
    /// The edited files.
    pub edited: Vec<EditedFile>,
    /// Title (also the commit message).
    pub title: String,
    /// Description.
    pub body: String,
    /// The extra label (`promote:prd`, `rollback:prd`).
    pub label: String,
    /// What moves.
    pub changes: &'a ChangeSet,
    /// The record's source (`stg`, or `rollback`) and target environment.
    pub from: String,
    /// The target environment.
    pub to: String,
    /// Who asked, and where.
    pub asked_by: String,
    /// Where they asked.
    pub asked_where: String,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Publishes the pull request; returns its record and whether it was open
/// already (and is now updated).
pub async fn publish(
    forge: &dyn Forge,
    store: &dyn Store,
    publication: Publication<'_>,
) -> Result<(PromotionRecord, bool), ReconcileError> {
    let p = publication;
    let changes = p
        .edited
        .into_iter()
        .map(|f| FileChange {
            path: f.path,
            text: Some(f.text),
        })
        .collect();
    let commit = CommitRequest {
        branch: p.branch.clone(),
        parent: p.parent,
        message: p.title.clone(),
        changes,
    };
    forge.commit_files(p.repo, &commit).await?;
    let new = NewPullRequest {
        head_ref: p.branch.clone(),
        base_ref: p.base,
        title: p.title.clone(),
        body: p.body.clone(),
    };
    let pr = forge.find_or_create_pull_request(p.repo, &new).await?;
    forge
        .update_pull_request(p.repo, pr.number, &p.title, &p.body)
        .await?;
    let mut labels: Vec<String> = LABELS.iter().map(|l| (*l).to_owned()).collect();
    labels.push(p.label);
    forge.add_labels(p.repo, pr.number, &labels).await?;
    let promotions = Promotions::new(store);
    let updated = promotions.get(p.repo, pr.number)?.is_some();
    let record = PromotionRecord {
        repo: p.repo.clone(),
        from: p.from,
        to: p.to,
        number: pr.number,
        url: pr.url,
        branch: p.branch,
        asked_by: p.asked_by,
        asked_where: p.asked_where,
        moves: p
            .changes
            .changes
            .iter()
            .map(|c| MovedVersion {
                app: c.app.clone(),
                kind: c.kind.to_string(),
                from_version: c.current.short(),
                to_version: c.new.short(),
            })
            .collect(),
        previous: p
            .changes
            .changes
            .iter()
            .map(|c| c.current.clone())
            .collect(),
        opened_at: p.now,
        merged_sha: None,
        merged_at: None,
        applied: None,
    };
    promotions.save(&record)?;
    Ok((record, updated))
}
