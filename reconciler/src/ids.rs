//! Identifier newtypes shared by the engine and its adapters.
//!
//! Each identifier parses from and displays as the same text, so a value that
//! went through a log line, a store key or a URL comes back unchanged.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A repository as `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RepoName {
    owner: String,
    name: String,
}

/// Why a text is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{text}` is not valid: {why}")]
pub struct IdError {
    what: &'static str,
    text: String,
    why: &'static str,
}

impl RepoName {
    /// Builds a repository name from its two parts.
    pub fn new(owner: &str, name: &str) -> Result<Self, IdError> {
        format!("{owner}/{name}").parse()
    }

    /// The account or organisation that owns the repository.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The repository's name within its owner.
    pub fn name(&self) -> &str {
        &self.name
    }
}

fn valid_repo_part(part: &str) -> bool {
    !part.is_empty()
        && part != "."
        && part != ".."
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl FromStr for RepoName {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |why| IdError {
            what: "repository",
            text: text.to_owned(),
            why,
        };
        let (owner, name) = text
            .split_once('/')
            .ok_or_else(|| error("expected owner/name"))?;
        if !valid_repo_part(owner) || !valid_repo_part(name) {
            return Err(error(
                "owner and name take letters, digits, `-`, `_` and `.`",
            ));
        }
        Ok(Self {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl TryFrom<String> for RepoName {
    type Error = IdError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<RepoName> for String {
    fn from(repo: RepoName) -> Self {
        repo.to_string()
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// A pull request number within a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PrNumber(pub u64);

impl fmt::Display for PrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for PrNumber {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim_start_matches('#')
            .parse()
            .map(PrNumber)
            .map_err(|_| IdError {
                what: "pull request number",
                text: text.to_owned(),
                why: "expected a positive whole number",
            })
    }
}

/// A git commit id (full hexadecimal SHA-1 or SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha(String);

impl Sha {
    /// The full hexadecimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first seven characters, as people quote commits.
    pub fn short(&self) -> &str {
        &self.0[..7.min(self.0.len())]
    }
}

impl FromStr for Sha {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let hex = text.len() == 40 || text.len() == 64;
        if hex && text.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(text.to_ascii_lowercase()))
        } else {
            Err(IdError {
                what: "commit id",
                text: text.to_owned(),
                why: "expected 40 or 64 hexadecimal digits",
            })
        }
    }
}

impl TryFrom<String> for Sha {
    type Error = IdError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Sha> for String {
    fn from(sha: Sha) -> Self {
        sha.0
    }
}

impl fmt::Display for Sha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id a vendor gave one delivery of an event (`X-GitHub-Delivery`, a Slack
/// or Discord interaction id, a Flux event token). Redeliveries keep it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeliveryId(String);

impl DeliveryId {
    /// Longest delivery id accepted; GitHub's are 36-character GUIDs.
    pub const MAX_LEN: usize = 200;

    /// Wraps a vendor's delivery id after checking it is printable and short.
    pub fn new(source: &str, id: &str) -> Result<Self, IdError> {
        let ok =
            !id.is_empty() && id.len() <= Self::MAX_LEN && id.chars().all(|c| c.is_ascii_graphic());
        if ok {
            Ok(Self(format!("{source}:{id}")))
        } else {
            Err(IdError {
                what: "delivery id",
                text: id.chars().take(Self::MAX_LEN).collect(),
                why: "expected 1 to 200 printable ASCII characters",
            })
        }
    }

    /// The text, prefixed by its source (`github:…`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a reconcile is about: the unit of deduplication in the work queue.
///
/// Displayed as `pr:owner/repo#12`, `repo:owner/repo`, `env:prd` or `resync`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum WorkKey {
    /// One pull request: its comments, checks and commands.
    PullRequest {
        /// The repository the pull request belongs to.
        repo: RepoName,
        /// The pull request's number.
        number: PrNumber,
    },
    /// A repository as a whole (its default branch, its open pull requests).
    Repository {
        /// The repository.
        repo: RepoName,
    },
    /// One environment as Flux reports it: the promotions waiting to be
    /// applied there.
    Env {
        /// The environment's name (`prd`), from the Flux Alert's `env` metadata.
        env: String,
    },
    /// Everything bosun manages: enqueues every managed repository.
    Resync,
    /// Chat requests (Slack, Discord) waiting to run against a repository.
    Chat {
        /// The repository the requests act on.
        repo: RepoName,
    },
}

impl WorkKey {
    /// The key of one pull request.
    pub fn pr(repo: &RepoName, number: PrNumber) -> Self {
        Self::PullRequest {
            repo: repo.clone(),
            number,
        }
    }

    /// The key of one environment, when `name` is a usable environment name
    /// (letters, digits, `-`, `_` and `.`; at most 63 characters), so the key
    /// reads back from its text.
    pub fn env(name: &str) -> Option<Self> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        valid.then(|| Self::Env {
            env: name.to_owned(),
        })
    }

    /// The repository this key belongs to, if it belongs to one.
    pub fn repo(&self) -> Option<&RepoName> {
        match self {
            Self::PullRequest { repo, .. } | Self::Repository { repo } | Self::Chat { repo } => {
                Some(repo)
            }
            Self::Env { .. } | Self::Resync => None,
        }
    }
}

impl fmt::Display for WorkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PullRequest { repo, number } => write!(f, "pr:{repo}#{number}"),
            Self::Repository { repo } => write!(f, "repo:{repo}"),
            Self::Env { env } => write!(f, "env:{env}"),
            Self::Resync => f.write_str("resync"),
            Self::Chat { repo } => write!(f, "chat:{repo}"),
        }
    }
}

impl FromStr for WorkKey {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || IdError {
            what: "work key",
            text: text.to_owned(),
            why: "expected pr:owner/repo#N, repo:owner/repo, env:NAME, chat:owner/repo or resync",
        };
        if text == "resync" {
            Ok(Self::Resync)
        } else if let Some(rest) = text.strip_prefix("pr:") {
            let (repo, number) = rest.rsplit_once('#').ok_or_else(error)?;
            Ok(Self::PullRequest {
                repo: repo.parse()?,
                number: number.parse()?,
            })
        } else if let Some(repo) = text.strip_prefix("repo:") {
            Ok(Self::Repository {
                repo: repo.parse()?,
            })
        } else if let Some(env) = text.strip_prefix("env:") {
            Self::env(env).ok_or_else(error)
        } else if let Some(repo) = text.strip_prefix("chat:") {
            Ok(Self::Chat {
                repo: repo.parse()?,
            })
        } else {
            Err(error())
        }
    }
}

impl TryFrom<String> for WorkKey {
    type Error = IdError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<WorkKey> for String {
    fn from(key: WorkKey) -> Self {
        key.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_keys_round_trip_through_text() {
        for text in [
            "pr:acme/platform#12",
            "repo:acme/platform.io",
            "env:prd",
            "env:stg-uaenorth",
            "chat:acme/platform",
            "resync",
        ] {
            let key: WorkKey = text.parse().unwrap();
            assert_eq!(key.to_string(), text);
        }
        let env: WorkKey = "env:prd".parse().unwrap();
        assert_eq!(env.repo(), None);
    }

    #[test]
    fn malformed_identifiers_are_refused() {
        assert!("acme".parse::<RepoName>().is_err());
        assert!("acme/../x".parse::<RepoName>().is_err());
        assert!("pr:acme/platform#x".parse::<WorkKey>().is_err());
        assert!("env:".parse::<WorkKey>().is_err());
        assert!("env:a b".parse::<WorkKey>().is_err());
        assert!("abc".parse::<Sha>().is_err());
        assert!(DeliveryId::new("github", "").is_err());
        assert!(DeliveryId::new("github", "a b").is_err());
    }
}
