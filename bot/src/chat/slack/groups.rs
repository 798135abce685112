//! Slack user groups for `slack_groups` roles. A slash command or a click
//! carries only the user's id, so bosun keeps who is in which user group
//! (`usergroups.list` with `include_users`, scope `usergroups:read`) and
//! refreshes it in the background every few minutes: an acknowledgement
//! never waits on Slack, and a membership change in Slack reaches bosun
//! within one refresh. Until the first refresh succeeds (or when it fails),
//! nobody has groups, so only roles given by user id apply: a failure can
//! withhold a role, never grant one.

use super::api::SlackApi;
use crate::chat::outbox::SendError;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tracing::{info, warn};

/// How often the membership is read again.
pub const REFRESH_EVERY: Duration = Duration::from_secs(300);

/// Who is in which Slack user group.
#[derive(Debug, Default)]
pub struct SlackGroups {
    /// User id → the ids of the groups they are in.
    by_user: RwLock<HashMap<String, Vec<String>>>,
    /// Signalled after each successful read.
    read: tokio::sync::Notify,
}

impl SlackGroups {
    /// The ids of the user groups `user` is in (none when unknown).
    pub fn groups_of(&self, user: &str) -> Vec<String> {
        self.by_user
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(user)
            .cloned()
            .unwrap_or_default()
    }

    /// Replaces the membership with `groups` (group id and its members).
    pub fn replace(&self, groups: Vec<(String, Vec<String>)>) {
        let mut by_user: HashMap<String, Vec<String>> = HashMap::new();
        for (group, members) in groups {
            for member in members {
                by_user.entry(member).or_default().push(group.clone());
            }
        }
        *self.by_user.write().unwrap_or_else(|e| e.into_inner()) = by_user;
    }

    /// Reads the membership from Slack once; returns how many groups.
    pub async fn refresh(&self, api: &SlackApi) -> Result<usize, SendError> {
        let groups = api.user_groups().await?;
        let count = groups.len();
        self.replace(groups);
        self.read.notify_one();
        Ok(count)
    }

    /// Waits until a read from Slack has succeeded (one that happened
    /// before the call counts).
    pub async fn read_once(&self) {
        self.read.notified().await;
    }

    /// Refreshes now and then every `every`, in the background, for as long
    /// as the process runs. A failed refresh keeps the last membership.
    pub fn keep_fresh(self: &Arc<Self>, api: SlackApi, every: Duration) {
        let groups = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match groups.refresh(&api).await {
                    Ok(count) => info!(count, "read Slack user groups"),
                    Err(error) => warn!(%error, "could not read Slack user groups"),
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_is_in_every_group_that_lists_them_and_a_refresh_replaces_all() {
        let groups = SlackGroups::default();
        assert!(groups.groups_of("U1").is_empty());
        groups.replace(vec![
            ("S0SRE".to_owned(), vec!["U1".to_owned(), "U2".to_owned()]),
            ("S0ML".to_owned(), vec!["U1".to_owned()]),
        ]);
        assert_eq!(groups.groups_of("U1"), ["S0SRE", "S0ML"]);
        assert_eq!(groups.groups_of("U2"), ["S0SRE"]);
        groups.replace(vec![("S0ML".to_owned(), vec!["U2".to_owned()])]);
        assert!(groups.groups_of("U1").is_empty());
        assert_eq!(groups.groups_of("U2"), ["S0ML"]);
    }
}
