//! Issue 5: check states (the gate requirement of `/apply`) and issues
//! (drift reports) of the local forge, as store records. Issues are numbered
//! with pull requests, as on GitHub.

use super::records::{CHECKS, COMMENTS, PRS, comment_key, parse, record};
use super::{BOT, LocalForge, store};
use bosun_reconciler::ids::{PrNumber, Sha};
use bosun_reconciler::ports::forge::{
    CheckSpec, CheckStatus, Comment, ForgeError, GITHUB_COMMENT_LIMIT, Issue, Marker, fold_comment,
};

/// The store tree of issue records, keyed by their zero-padded number.
pub(super) const ISSUES: &str = "local_issue";

impl LocalForge {
    pub(super) fn check_state(
        &self,
        commit: &Sha,
        name: &str,
    ) -> Result<Option<CheckStatus>, ForgeError> {
        let key = format!("{commit}/{name}");
        let raw = self.store.get_record(CHECKS, &key).map_err(store)?;
        raw.map(|raw| parse::<CheckSpec>(&raw).map(|c| c.status))
            .transpose()
    }

    pub(super) fn open_issue(&self, marker: &Marker) -> Result<Option<Issue>, ForgeError> {
        for (_, raw) in self.store.scan_records(ISSUES, "").map_err(store)? {
            let issue: Issue = parse(&raw)?;
            if issue.open && marker.is_in(&issue.body) {
                return Ok(Some(issue));
            }
        }
        Ok(None)
    }

    fn put_issue(&self, issue: &Issue) -> Result<(), ForgeError> {
        self.store
            .put_record(ISSUES, &format!("{:010}", issue.number.0), &record(issue)?)
            .map_err(store)
    }

    pub(super) fn upsert_issue_record(
        &self,
        marker: &Marker,
        title: &str,
        body: &str,
    ) -> Result<PrNumber, ForgeError> {
        let text = fold_comment(marker, body, GITHUB_COMMENT_LIMIT);
        let issue = match self.open_issue(marker)? {
            Some(issue) => Issue {
                title: title.to_owned(),
                body: text,
                ..issue
            },
            None => Issue {
                number: PrNumber(self.store.next_id(PRS).map_err(store)?),
                title: title.to_owned(),
                body: text,
                open: true,
            },
        };
        self.put_issue(&issue)?;
        Ok(issue.number)
    }

    pub(super) fn close_issue_record(
        &self,
        marker: &Marker,
        note: &str,
    ) -> Result<Option<PrNumber>, ForgeError> {
        let Some(issue) = self.open_issue(marker)? else {
            return Ok(None);
        };
        let id = self.store.next_id(COMMENTS).map_err(store)?;
        let comment = Comment {
            id,
            author: BOT.to_owned(),
            body: note.to_owned(),
        };
        self.store
            .put_record(COMMENTS, &comment_key(issue.number, id), &record(&comment)?)
            .map_err(store)?;
        let number = issue.number;
        self.put_issue(&Issue {
            open: false,
            ..issue
        })?;
        Ok(Some(number))
    }
}
