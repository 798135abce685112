//! Who may do what on GitHub: a person's access to a repository, and their
//! membership of an organisation's team.

use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::forge::{Access, ForgeError};
use serde::Deserialize;

use super::api::encode;
use super::convert::PermissionReply;
use super::forge::GitHubForge;

/// The answer to `GET /orgs/{org}/teams/{team}/memberships/{user}`.
#[derive(Debug, Deserialize)]
struct Membership {
    /// `active`, or `pending` while an invitation is not accepted.
    state: String,
}

impl GitHubForge {
    /// `admin` is Admin, `maintain`/`write` Write, anything else Read; a
    /// person GitHub does not know as a collaborator (404) reads at most.
    pub(super) async fn permission(
        &self,
        repo: &RepoName,
        login: &str,
    ) -> Result<Access, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/collaborators/{}/permission", encode(login));
        match self.api.get::<PermissionReply>(auth, &path).await {
            Ok(reply) => Ok(reply.access()),
            Err(ForgeError::NotFound(_)) => Ok(Access::Read),
            Err(other) => Err(other),
        }
    }

    /// Whether `login` is an active member of `org/team`; 404 (no such
    /// member, or no such team) is `false`. Needs the app's `members: read`
    /// organisation permission.
    pub(super) async fn team_membership(
        &self,
        org: &str,
        team: &str,
        login: &str,
    ) -> Result<bool, ForgeError> {
        let auth = self.org_installation(org).await?;
        let path = format!(
            "/orgs/{}/teams/{}/memberships/{}",
            encode(org),
            encode(team),
            encode(login)
        );
        match self.api.get::<Membership>(auth, &path).await {
            Ok(membership) => Ok(membership.state == "active"),
            Err(ForgeError::NotFound(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }
}
