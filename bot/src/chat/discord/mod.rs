//! Discord: application commands and button clicks through the HTTP
//! interactions endpoint (`POST /discord/interactions`), answers through
//! interaction follow-ups and channel messages.

pub mod api;
pub mod interactions;
pub mod messages;
pub mod register;
pub mod sink;

use serenity::interactions_endpoint::Verifier;

/// What the Discord route needs.
pub struct DiscordIngress {
    /// Verifies `X-Signature-Ed25519` with the application's public key.
    pub verifier: Verifier,
    /// The application id (follow-ups are addressed with it).
    pub app_id: String,
}

impl std::fmt::Debug for DiscordIngress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordIngress")
            .field("app_id", &self.app_id)
            .finish()
    }
}

/// Where an interaction's token is kept, by request id, for its follow-ups
/// (Discord accepts them for 15 minutes).
pub const INTERACTIONS: &str = "discord-interaction";

/// An interaction's follow-up address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InteractionToken {
    /// The application id.
    pub app_id: String,
    /// The interaction's token.
    pub token: String,
    /// The channel it was asked in: where the thread moves once the token
    /// expires (Discord accepts follow-ups for 15 minutes).
    #[serde(default)]
    pub channel: Option<String>,
}
