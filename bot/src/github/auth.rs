//! GitHub App authentication: the app client that signs its requests with a
//! JWT made from the app's private key, and the cache of installation access
//! tokens.
//!
//! octocrab can mint and cache installation tokens itself, but it refreshes
//! them only 30 seconds before they expire, keeps the cache inside each
//! `Octocrab` value (a clone starts its own), and sends the minting request
//! past bosun's status reporting and `Retry-After` handling. bosun therefore
//! mints tokens through its own request path and caches them here, one slot
//! per installation, refreshing a token [`REFRESH_MARGIN`] before it expires.
//! Concurrent callers of one installation wait on the slot, so one token is
//! minted, not one per caller.

use chrono::{DateTime, Utc};
use octocrab::Octocrab;
use octocrab::models::AppId;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::config::{GitHubConfig, GitHubSetupError};

/// How long before its expiry an installation token is replaced.
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Builds the client that authenticates as the app itself (JWT, RS256).
///
/// Its retries are off (octocrab's `retry` feature is not enabled): bosun
/// retries whole operations itself, see [`super::retry`].
pub(crate) fn app_client(config: &GitHubConfig) -> Result<Octocrab, GitHubSetupError> {
    let pem = config.private_key.expose_secret().as_bytes();
    let builder = Octocrab::builder()
        .base_uri(config.api_url.as_str())
        .map_err(|_| GitHubSetupError::InvalidUrl(config.api_url.clone()))?
        .app_from_rsa_pem(AppId(config.app_id), pem)
        .map_err(|_| GitHubSetupError::InvalidKey)?
        .set_connect_timeout(Some(config.request_timeout))
        .set_read_timeout(Some(config.request_timeout))
        .set_write_timeout(Some(config.request_timeout));
    builder
        .build()
        .map_err(|e| GitHubSetupError::Client(e.to_string()))
}

/// An installation access token and when it stops working.
#[derive(Clone)]
pub(crate) struct InstallationToken {
    /// The token, sent as `Authorization: Bearer …`.
    pub(crate) secret: SecretString,
    /// When GitHub stops accepting it.
    pub(crate) expires_at: DateTime<Utc>,
}

impl InstallationToken {
    /// Reads GitHub's answer to `POST /app/installations/{id}/access_tokens`.
    pub(crate) fn from_reply(body: &str) -> Option<Self> {
        let reply: octocrab::models::InstallationToken = serde_json::from_str(body).ok()?;
        let expires_at = reply.expires_at?.parse().ok()?;
        Some(Self {
            secret: SecretString::from(reply.token),
            expires_at,
        })
    }

    /// Whether the token still has more than [`REFRESH_MARGIN`] to live.
    pub(crate) fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
        self.expires_at - now > margin
    }
}

/// One slot per installation; the slot's lock is held while a token is minted.
pub(crate) type TokenSlot = Arc<tokio::sync::Mutex<Option<InstallationToken>>>;

/// The installation tokens bosun holds.
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<u64, TokenSlot>>,
}

impl TokenCache {
    /// The slot of `installation`, created empty on first use.
    pub(crate) fn slot(&self, installation: u64) -> TokenSlot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(installation).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_at: &str) -> InstallationToken {
        let body = format!(
            r#"{{"token":"ghs_x","expires_at":"{expires_at}","permissions":{{"checks":"write"}},"repository_selection":"all"}}"#
        );
        InstallationToken::from_reply(&body).expect("a token reply")
    }

    #[test]
    fn tokens_are_refreshed_five_minutes_before_they_expire() {
        let t = token("2030-01-01T12:00:00Z");
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert!(t.is_fresh(at("2030-01-01T11:54:59Z")));
        assert!(!t.is_fresh(at("2030-01-01T11:55:00Z")));
        assert!(!t.is_fresh(at("2030-01-01T12:30:00Z")));
    }

    #[test]
    fn a_reply_without_an_expiry_is_refused() {
        let body = r#"{"token":"ghs_x","permissions":{}}"#;
        assert!(InstallationToken::from_reply(body).is_none());
    }

    #[test]
    fn a_bad_key_is_refused_without_showing_it() {
        let config = GitHubConfig::new(
            1,
            SecretString::from("-----BEGIN RSA PRIVATE KEY-----\nnot a key"),
        );
        let Err(error) = app_client(&config) else {
            panic!("a bad key was accepted");
        };
        assert_eq!(error, GitHubSetupError::InvalidKey);
        assert!(!error.to_string().contains("not a key"));
    }
}
