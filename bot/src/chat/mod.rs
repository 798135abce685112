//! Chat front-ends: Slack slash commands and interactions, Discord
//! application commands, and the notifiers that post to both.
//!
//! Ingress (each route verifies its vendor's signature before it parses):
//! the request is screened (settings read, text parsed, permission decided)
//! before the acknowledgement, so the acknowledgement says what was
//! understood or why it is refused; an accepted request is stored durably as
//! an event on the key `chat:<repo>` and run by the engine afterwards
//! ([`bosun_reconciler::chat`]). Its answer comes back as a notice.
//!
//! Egress: [`outbox::Outbox`] keeps every accepted notice in the store until
//! its [`outbox::Sink`] (Slack's Web API, Discord's HTTP API) delivered it,
//! at most once per notice id, retried with backoff and the vendor's own
//! rate-limit pauses; [`fanout::FanOut`] hands each notice to every
//! configured chat.

pub mod channels;
pub mod discord;
pub mod fanout;
pub mod outbox;
pub mod request;
pub mod slack;
pub mod wiring;

use crate::metrics::Metrics;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use bosun_reconciler::engine::Engine;
pub use channels::{ChannelMap, ChatArgs, ChatSettings};
use std::sync::Arc;

/// Slash commands and interactions are small; Slack's are a few kilobytes.
pub const MAX_CHAT_BODY: usize = 64 * 1024;

/// What the chat routes share.
pub struct ChatState {
    /// The engine whose inbox takes accepted requests.
    pub engine: Arc<Engine>,
    /// Process metrics.
    pub metrics: Arc<Metrics>,
    /// Which repository each channel acts on.
    pub channels: ChannelMap,
    /// Slack's side, when configured.
    pub slack: Option<slack::SlackIngress>,
    /// Discord's side, when configured.
    pub discord: Option<discord::DiscordIngress>,
    /// Repository settings recently read for screening.
    pub settings: request::SettingsCache,
}

/// The chat routes: `/slack/commands`, `/slack/interactions` and
/// `/discord/interactions`. A vendor that is not configured answers 401 to
/// everything, as an unverifiable request must.
pub fn router(state: Arc<ChatState>) -> Router {
    Router::new()
        .route("/slack/commands", post(slack::commands::receive))
        .route("/slack/interactions", post(slack::interactions::receive))
        .route(
            "/discord/interactions",
            post(discord::interactions::receive),
        )
        .layer(DefaultBodyLimit::max(MAX_CHAT_BODY))
        .with_state(state)
}
