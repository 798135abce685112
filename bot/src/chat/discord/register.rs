//! The guild commands bosun registers at start-up: one per command of the
//! grammar (help is `/bosun`, as Slack reserves `/help`), each taking the
//! rest of the line as one string option `args`. A bulk overwrite (`PUT`)
//! makes registering idempotent: the guild ends with exactly these.

use super::api::DiscordApi;
use crate::chat::outbox::SendError;
use bosun_commands::CommandName;
use serenity::builder::{CreateCommand, CreateCommandOption};
use serenity::model::application::CommandOptionType;

/// The name of the catch-all command (`/bosun promote stg prd`, `/bosun` = help).
pub const CATCH_ALL: &str = "bosun";

/// The slash command names every chat front-end offers.
pub fn command_names() -> Vec<&'static str> {
    CommandName::ALL
        .iter()
        .filter(|c| **c != CommandName::Help)
        .map(|c| c.as_str())
        .chain(std::iter::once(CATCH_ALL))
        .collect()
}

/// The commands, as Discord's bulk overwrite takes them.
pub fn commands() -> Vec<CreateCommand> {
    command_names()
        .into_iter()
        .map(|name| {
            let description = if name == CATCH_ALL {
                "Any bosun command, or help".to_owned()
            } else {
                format!("bosun /{name}")
            };
            CreateCommand::new(name)
                .description(description)
                .add_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "args",
                        "The rest of the command line",
                    )
                    .required(false),
                )
        })
        .collect()
}

/// Replaces the guild's commands with bosun's.
pub async fn register(api: &DiscordApi, app_id: &str, guild: &str) -> Result<(), SendError> {
    let body = serde_json::to_value(commands()).map_err(|e| SendError::Permanent(e.to_string()))?;
    api.overwrite_guild_commands(app_id, guild, &body).await
}
