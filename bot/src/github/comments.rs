//! Issue and pull request comments on GitHub, and the upsert of bosun's own
//! comment by its hidden marker.

use bosun_reconciler::ids::{PrNumber, RepoName};
use bosun_reconciler::ports::forge::{
    Comment, ForgeError, GITHUB_COMMENT_LIMIT, Marker, Upserted, fold_comment,
};
use http::Method;
use octocrab::models::issues::Comment as GhComment;
use serde_json::json;

use super::forge::GitHubForge;

impl GitHubForge {
    /// Every comment, oldest first, across pages.
    pub(super) async fn list_comments(
        &self,
        repo: &RepoName,
        number: PrNumber,
    ) -> Result<Vec<Comment>, ForgeError> {
        let auth = self.installation(repo).await?;
        let path = format!("/repos/{repo}/issues/{number}/comments?per_page=100");
        let found: Vec<GhComment> = self.api.get_all(auth, &path, None).await?;
        Ok(found
            .into_iter()
            .map(|c| Comment {
                id: c.id.0,
                author: c.user.login,
                body: c.body.unwrap_or_default(),
            })
            .collect())
    }

    /// Creates, updates or leaves alone the comment written by `login` that
    /// starts with `marker`. Comments by anyone else never count, even with
    /// the marker: a person could paste one.
    pub(super) async fn upsert(
        &self,
        repo: &RepoName,
        number: PrNumber,
        login: &str,
        marker: &Marker,
        body: &str,
    ) -> Result<Upserted, ForgeError> {
        let auth = self.installation(repo).await?;
        let text = fold_comment(marker, body, GITHUB_COMMENT_LIMIT);
        let ours = self
            .list_comments(repo, number)
            .await?
            .into_iter()
            .find(|c| c.author == login && marker.is_in(&c.body));
        let payload = json!({ "body": text });
        match ours {
            Some(comment) if comment.body == text => Ok(Upserted::Unchanged(comment.id)),
            Some(comment) => {
                let path = format!("/repos/{repo}/issues/comments/{}", comment.id);
                self.api
                    .request(auth, Method::PATCH, &path, Some(&payload))
                    .await?;
                Ok(Upserted::Updated(comment.id))
            }
            None => {
                let path = format!("/repos/{repo}/issues/{number}/comments");
                let reply = self
                    .api
                    .request(auth, Method::POST, &path, Some(&payload))
                    .await?;
                let created: GhComment = reply.json(&format!("POST {path}"))?;
                Ok(Upserted::Created(created.id.0))
            }
        }
    }
}
