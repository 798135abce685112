//! The `Notifier` port: tell people in chat how work is going.
//!
//! A notice belongs to a *thread*: the first notice of a thread posts a
//! message; later notices of the same thread edit that first message (its
//! headline and status) and, when they carry a `reply`, add it to the thread.
//! So a promotion, a flapping alert or a drift report is one message that
//! moves, not a stream of new ones.
//!
//! Every notice has an `id` that names the step it reports
//! (`promotion:acme/flux#42:merged`): adapters deliver each id at most once,
//! so a reconcile that runs again never posts twice. Adapters keep what they
//! could not deliver in the store and retry it: nothing is lost.
//!
//! Adapters: the console (local mode), Slack and Discord, in the `bot` crate.

use crate::audit::Place;
use crate::ids::RepoName;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a thread's first message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// The channel where a request was made (a chat command's channel); a
    /// request made elsewhere (a PR comment, a terminal) falls back to the
    /// environment's channel, then to the repository's.
    Origin {
        /// Where the request was made.
        place: Place,
        /// The environment the work is about, for the fallback.
        env: Option<String>,
    },
    /// The channel of an environment (drift, cost, alerts for `prd`).
    Env(String),
    /// The repository's default channel.
    Repo,
}

/// How a thread stands, shown on its first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    /// Under way.
    Progress,
    /// Done and good.
    Success,
    /// Needs attention (drift, a firing alert).
    Warning,
    /// Failed.
    Failure,
    /// For information (a report).
    Info,
}

/// A labelled link (rendered as a button or a link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The words on it.
    pub label: String,
    /// Where it goes.
    pub url: String,
}

/// A file to attach (a cost chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Its file name (`gpu-cost-prd.png`).
    pub file_name: String,
    /// Its media type (`image/png`).
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// One thing to tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Names this step; delivered at most once (`promotion:acme/flux#42:merged`).
    pub id: String,
    /// The thread it belongs to (`promotion:acme/flux#42`, `alert:prd:GpuHot`).
    pub thread: String,
    /// Where the thread's first message goes.
    pub route: Route,
    /// The repository it is about, when there is one.
    pub repo: Option<RepoName>,
    /// The first message's headline, replaced by each notice (plain text).
    pub headline: String,
    /// The first message's body, replaced by each notice (Markdown).
    pub body: String,
    /// How the thread stands.
    pub tone: Tone,
    /// Links shown on the first message.
    pub links: Vec<Link>,
    /// A reply to add to the thread (Markdown), if any.
    pub reply: Option<String>,
    /// A file to attach to the reply (or to the first message when there is no reply).
    pub attachment: Option<Attachment>,
}

/// Why a notice could not be accepted.
#[derive(Debug, Error)]
pub enum NotifyError {
    /// The notice could not be stored for delivery.
    #[error("notice {id} could not be queued: {reason}")]
    NotQueued {
        /// The notice's id.
        id: String,
        /// Why.
        reason: String,
    },
}

/// Tells people. `notify` returns once the notice is durably accepted;
/// delivery (and its retries) may happen afterwards.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Accepts one notice for delivery; a notice whose id was accepted before
    /// is ignored.
    async fn notify(&self, notice: Notice) -> Result<(), NotifyError>;
}
