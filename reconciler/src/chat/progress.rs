//! Promotion progress in chat: each promotion is one thread
//! (`promotion:<repo>#<n>`) whose first message moves through opened,
//! merged and applied (or failed), with a reply in the thread per step.
//!
//! Level-triggered: [`announce`] looks at the promotion records as they are
//! and emits one notice per step reached. Notice ids name the step
//! (`promotion:acme/flux#42:merged`), and notifiers deliver an id at most
//! once, so announcing again after every reconcile posts nothing twice.

use super::words;
use crate::audit::Place;
use crate::error::ReconcileError;
use crate::ids::{PrNumber, RepoName, WorkKey};
use crate::ports::notify::{Link, Notice, Notifier, Route, Tone};
use crate::promotion::{PromotionRecord, Promotions};
use crate::store::Store;

/// The thread of one promotion's notices.
pub fn thread(repo: &RepoName, number: PrNumber) -> String {
    format!("promotion:{repo}#{}", number.0)
}

/// Where a promotion's thread starts: the chat channel it was asked in, else
/// the target environment's channel.
fn route(record: &PromotionRecord) -> Route {
    match record.asked_where.strip_prefix("channel ") {
        Some(id) => Route::Origin {
            place: Place::Channel { id: id.to_owned() },
            env: Some(record.to.clone()),
        },
        None => Route::Env(record.to.clone()),
    }
}

/// The notices for every step a promotion has reached, in order.
pub fn notices(record: &PromotionRecord) -> Vec<Notice> {
    let thread = thread(&record.repo, record.number);
    let base = Notice {
        id: format!("{thread}:opened"),
        thread: thread.clone(),
        route: route(record),
        repo: Some(record.repo.clone()),
        headline: words::promotion_headline(record),
        body: words::promotion_body(record),
        tone: Tone::Progress,
        links: vec![Link {
            label: format!("Pull request #{}", record.number.0),
            url: record.url.clone(),
        }],
        reply: None,
        attachment: None,
    };
    let mut notices = vec![base.clone()];
    if let Some(sha) = &record.merged_sha {
        notices.push(Notice {
            id: format!("{thread}:merged"),
            reply: Some(words::promotion_merged(record, sha)),
            ..base.clone()
        });
    }
    if let Some(applied) = &record.applied {
        let (id, tone) = if applied.succeeded {
            (format!("{thread}:applied"), Tone::Success)
        } else {
            let at = applied.at.timestamp();
            (format!("{thread}:failed:{at}"), Tone::Failure)
        };
        notices.push(Notice {
            id,
            tone,
            reply: Some(words::promotion_applied(record, applied)),
            ..base
        });
    }
    notices
}

/// Emits the notices of the promotions a reconcile of `key` may have moved:
/// the pull request's own (its merge), or every promotion to the
/// environment (what Flux said).
pub async fn announce(
    store: &dyn Store,
    notifier: &dyn Notifier,
    key: &WorkKey,
) -> Result<(), ReconcileError> {
    let records: Vec<PromotionRecord> = match key {
        WorkKey::PullRequest { repo, number } => Promotions::new(store)
            .get(repo, *number)?
            .into_iter()
            .collect(),
        WorkKey::Env { env } => Promotions::new(store)
            .all()?
            .into_iter()
            .filter(|r| r.to == *env)
            .collect(),
        _ => Vec::new(),
    };
    for record in &records {
        for notice in notices(record) {
            notifier.notify(notice).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Sha;
    use crate::promotion::Applied;

    fn record() -> PromotionRecord {
        super::words::example_record("channel C0PLATFORM")
    }

    #[test]
    fn each_step_reached_is_one_notice_in_the_promotions_thread() {
        let mut record = record();
        assert_eq!(notices(&record).len(), 1);
        record.merged_sha = Some("a".repeat(40).parse::<Sha>().unwrap());
        record.applied = Some(Applied {
            succeeded: true,
            revision: format!("main@sha1:{}", "a".repeat(40)),
            reason: "ReconciliationSucceeded".to_owned(),
            message: String::new(),
            at: chrono::DateTime::UNIX_EPOCH,
        });
        let all = notices(&record);
        let ids: Vec<&str> = all.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "promotion:acme/flux#42:opened",
                "promotion:acme/flux#42:merged",
                "promotion:acme/flux#42:applied"
            ]
        );
        assert!(all.iter().all(|n| n.thread == "promotion:acme/flux#42"));
        assert_eq!(all[2].tone, Tone::Success);
        assert_eq!(
            all[0].route,
            Route::Origin {
                place: Place::Channel {
                    id: "C0PLATFORM".to_owned()
                },
                env: Some("prd".to_owned())
            }
        );
    }

    #[test]
    fn a_promotion_asked_outside_chat_starts_in_the_environments_channel() {
        let mut record = record();
        record.asked_where = "acme/flux#7".to_owned();
        assert_eq!(notices(&record)[0].route, Route::Env("prd".to_owned()));
    }
}
