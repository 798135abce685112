//! Pull requests, comments, checks and reviews as records in the store.

use super::{LocalForge, store};
use bosun_reconciler::ids::PrNumber;
use bosun_reconciler::ports::forge::{ForgeError, PrState};
use serde::{Deserialize, Serialize};

/// The store tree of pull request records, keyed by [`pr_key`].
pub(super) const PRS: &str = "local_pr";
/// The store tree of comment records, keyed by [`comment_key`].
pub(super) const COMMENTS: &str = "local_comment";
/// The store tree of check records, keyed by `<head sha>/<check name>`.
pub(super) const CHECKS: &str = "local_check";
/// The store tree of review records, keyed by `<pr key>/<review>`.
pub(super) const REVIEWS: &str = "local_review";

/// A pull request as the local forge stores it.
///
/// Fields added after the first release carry `#[serde(default)]`, so
/// records written by an older bosun still read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct LocalPr {
    pub(super) number: u64,
    pub(super) title: String,
    pub(super) body: String,
    pub(super) author: String,
    pub(super) head_ref: String,
    pub(super) base_ref: String,
    pub(super) state: PrState,
    /// The head commit when merged (the branch may move or go afterwards).
    pub(super) merged_head: Option<String>,
    /// Where the head forked from the base, recorded at merge (afterwards
    /// the base contains the head, and the fork point cannot be found again).
    #[serde(default)]
    pub(super) merged_base: Option<String>,
    /// The commit the merge left the base branch at: the head itself after a
    /// fast-forward, else the merge commit. `None` before merging, and for
    /// pull requests merged by a bosun that did not record it.
    #[serde(default)]
    pub(super) merge_commit: Option<String>,
    /// The labels, in the order they were first added.
    #[serde(default)]
    pub(super) labels: Vec<String>,
}

/// The key of a pull request's record (zero-padded, so keys sort by number).
pub(super) fn pr_key(number: PrNumber) -> String {
    format!("{:010}", number.0)
}

/// The key of a comment's record, under its pull request's key.
pub(super) fn comment_key(number: PrNumber, id: u64) -> String {
    format!("{:010}/{id:010}", number.0)
}

/// A value as record bytes.
pub(super) fn record<T: Serialize>(value: &T) -> Result<Vec<u8>, ForgeError> {
    serde_json::to_vec(value).map_err(|e| ForgeError::Invalid(e.to_string()))
}

/// Record bytes as a value.
pub(super) fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, ForgeError> {
    serde_json::from_slice(bytes).map_err(|e| ForgeError::Transient(format!("bad record: {e}")))
}

impl LocalForge {
    pub(super) fn load(&self, number: PrNumber) -> Result<LocalPr, ForgeError> {
        let raw = self.store.get_record(PRS, &pr_key(number)).map_err(store)?;
        let raw = raw.ok_or_else(|| ForgeError::NotFound(format!("pull request #{number}")))?;
        parse(&raw)
    }

    pub(super) fn save(&self, pr: &LocalPr) -> Result<(), ForgeError> {
        let key = pr_key(PrNumber(pr.number));
        self.store
            .put_record(PRS, &key, &record(pr)?)
            .map_err(store)
    }

    pub(super) fn all_prs(&self) -> Result<Vec<LocalPr>, ForgeError> {
        let rows = self.store.scan_records(PRS, "").map_err(store)?;
        rows.iter().map(|(_, raw)| parse(raw)).collect()
    }

    /// A pull request's labels, in the order they were first added
    /// (`NotFound` when there is no such pull request).
    pub fn labels(&self, number: PrNumber) -> Result<Vec<String>, ForgeError> {
        Ok(self.load(number)?.labels)
    }

    /// A pull request's description (`NotFound` when there is no such pull
    /// request).
    pub fn description(&self, number: PrNumber) -> Result<String, ForgeError> {
        Ok(self.load(number)?.body)
    }

    /// Replaces the title and description, whatever the pull request's state
    /// (as GitHub allows). An empty title is `Invalid`.
    pub(super) fn update_text(
        &self,
        number: PrNumber,
        title: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        if title.trim().is_empty() {
            return Err(ForgeError::Invalid(
                "a pull request needs a title".to_owned(),
            ));
        }
        let mut pr = self.load(number)?;
        if pr.title == title && pr.body == body {
            return Ok(());
        }
        pr.title = title.to_owned();
        pr.body = body.to_owned();
        self.save(&pr)
    }

    /// Adds the labels the pull request does not have yet, in the order
    /// given; an empty label is `Invalid` and nothing is written.
    pub(super) fn add_labels_to(
        &self,
        number: PrNumber,
        labels: &[String],
    ) -> Result<(), ForgeError> {
        if labels.iter().any(|l| l.trim().is_empty()) {
            return Err(ForgeError::Invalid("a label cannot be empty".to_owned()));
        }
        let mut pr = self.load(number)?;
        let before = pr.labels.len();
        for label in labels {
            if !pr.labels.contains(label) {
                pr.labels.push(label.clone());
            }
        }
        if pr.labels.len() == before {
            return Ok(());
        }
        self.save(&pr)
    }
}
