//! Who someone is on each front-end, and which roles that identity has.

use bosun_commands::Role;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// Where a command came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frontend {
    /// A pull request comment on the forge.
    Forge,
    /// A Slack slash command or button.
    Slack,
    /// A Discord application command.
    Discord,
    /// The `bosun` command line, run in a local checkout.
    Cli,
    /// `bosun send` to a running local server.
    LocalChat,
}

impl fmt::Display for Frontend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Forge => "forge",
            Self::Slack => "slack",
            Self::Discord => "discord",
            Self::Cli => "cli",
            Self::LocalChat => "local-chat",
        })
    }
}

/// One person as one front-end knows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Identity {
    /// The front-end.
    pub frontend: Frontend,
    /// Their id there (GitHub login, Slack user id, Discord user id, OS user).
    pub id: String,
    /// Groups they belong to there (Slack user groups, Discord role ids).
    #[serde(default)]
    pub groups: Vec<String>,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.frontend, self.id)
    }
}

/// The identities that hold one role, per front-end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMembers {
    /// GitHub logins.
    #[serde(default)]
    pub github_users: Vec<String>,
    /// GitHub teams as `org/team-slug`.
    #[serde(default)]
    pub github_teams: Vec<String>,
    /// Slack user ids (`U…`).
    #[serde(default)]
    pub slack_users: Vec<String>,
    /// Slack user group ids (`S…`).
    #[serde(default)]
    pub slack_groups: Vec<String>,
    /// Discord user ids.
    #[serde(default)]
    pub discord_users: Vec<String>,
    /// Discord role ids.
    #[serde(default)]
    pub discord_roles: Vec<String>,
    /// Local user names (the operating system's user running `bosun`).
    #[serde(default)]
    pub local_users: Vec<String>,
}

/// Asks the forge whether a login belongs to a team.
#[async_trait::async_trait]
pub trait TeamCheck: Send + Sync {
    /// Whether `login` is an active member of `org/team`.
    async fn is_member(&self, org: &str, team: &str, login: &str) -> bool;
}

/// Roles by identity, from `.bosun.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMap {
    members: BTreeMap<Role, RoleMembers>,
}

fn has(list: &[String], id: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(id))
}

impl RoleMap {
    /// Sets who holds `role`.
    pub fn insert(&mut self, role: Role, members: RoleMembers) {
        self.members.insert(role, members);
    }

    /// The roles an identity holds. GitHub teams are asked of `teams` only
    /// when the login is not listed by name.
    pub async fn roles_of(&self, who: &Identity, teams: &dyn TeamCheck) -> Vec<Role> {
        let mut roles = Vec::new();
        for (role, members) in &self.members {
            let held = match who.frontend {
                Frontend::Forge => {
                    has(&members.github_users, &who.id)
                        || in_any_team(&members.github_teams, &who.id, teams).await
                }
                Frontend::Slack => {
                    has(&members.slack_users, &who.id)
                        || who.groups.iter().any(|g| has(&members.slack_groups, g))
                }
                Frontend::Discord => {
                    has(&members.discord_users, &who.id)
                        || who.groups.iter().any(|g| has(&members.discord_roles, g))
                }
                Frontend::Cli | Frontend::LocalChat => has(&members.local_users, &who.id),
            };
            if held {
                roles.push(*role);
            }
        }
        roles
    }
}

async fn in_any_team(teams: &[String], login: &str, check: &dyn TeamCheck) -> bool {
    for team in teams {
        if let Some((org, slug)) = team.split_once('/')
            && check.is_member(org, slug, login).await
        {
            return true;
        }
    }
    false
}
