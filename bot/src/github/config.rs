//! How bosun reaches GitHub: [`GitHubConfig`], and why a client could not
//! be built from it ([`GitHubSetupError`]).

use secrecy::SecretString;
use std::time::Duration;

use super::retry::RetryPolicy;
use super::throttle::ThrottleLimits;

/// GitHub's public API; GitHub Enterprise Server answers at `https://HOST/api/v3`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// How bosun reaches GitHub.
#[derive(Debug, Clone)]
pub struct GitHubConfig {
    /// The API's base URL (`BOSUN_GITHUB_API_URL`, default [`DEFAULT_API_URL`]).
    pub api_url: String,
    /// The GitHub App's id.
    pub app_id: u64,
    /// The GitHub App's private key, PEM-encoded.
    pub private_key: SecretString,
    /// How failed operations are retried.
    pub retry: RetryPolicy,
    /// How fast content-creating requests may go, per installation.
    pub throttle: ThrottleLimits,
    /// The longest one request may take, connection included.
    pub request_timeout: Duration,
}

impl GitHubConfig {
    /// The app `app_id` with `private_key` on github.com, with default
    /// retries, GitHub's write limits and a 30-second request timeout.
    pub fn new(app_id: u64, private_key: SecretString) -> Self {
        Self {
            api_url: DEFAULT_API_URL.to_owned(),
            app_id,
            private_key,
            retry: RetryPolicy::default(),
            throttle: ThrottleLimits::default(),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Why the GitHub client could not be built. Never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitHubSetupError {
    /// The private key is not an RSA key in PEM form.
    #[error("the GitHub App private key is not a valid RSA key in PEM form")]
    InvalidKey,
    /// The API URL does not parse.
    #[error("the GitHub API URL `{0}` is not valid")]
    InvalidUrl(String),
    /// The HTTP client could not be built (for example, no TLS roots).
    #[error("the GitHub HTTP client could not be built: {0}")]
    Client(String),
}
