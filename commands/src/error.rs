//! [`ParseError`]: why a line addressed to bosun is not a valid command.
//!
//! Errors are data. They become words in exactly one place,
//! [`crate::render_parse_error`], which `Display` also uses.

use crate::command::CommandName;
use crate::env::Env;

/// Why a command line did not parse. Words the user typed are kept verbatim
/// (they are quoted safely when rendered).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ParseError {
    /// Nothing after the slash (or an empty Slack command).
    Empty,
    /// The first word is not a command.
    UnknownCommand {
        /// The word as typed, without the slash.
        word: String,
        /// The command it most likely meant.
        did_you_mean: Option<CommandName>,
    },
    /// A required argument is missing.
    MissingArgument {
        /// The command being parsed.
        command: CommandName,
        /// What is missing, e.g. `"environment"`, `"target environment"`.
        argument: &'static str,
    },
    /// A word in an environment position names no known environment.
    UnknownEnv {
        /// The command being parsed.
        command: CommandName,
        /// The word as typed.
        word: String,
        /// The environment it most likely meant.
        did_you_mean: Option<Env>,
    },
    /// `/promote` from an environment to itself.
    SameEnv {
        /// The environment named twice.
        env: Env,
    },
    /// A word the command has no place for.
    UnexpectedArgument {
        /// The command being parsed.
        command: CommandName,
        /// The word as typed.
        word: String,
    },
    /// An option (`--something`) the command does not know.
    UnknownFlag {
        /// The command being parsed.
        command: CommandName,
        /// The flag as typed, e.g. `"--forse"`.
        flag: String,
        /// The flag of this command it most likely meant, e.g. `"--force"`.
        did_you_mean: Option<&'static str>,
    },
    /// An argument whose value is malformed: a bad period, app name or SHA.
    InvalidValue {
        /// The command being parsed.
        command: CommandName,
        /// Which argument, e.g. `"period"`.
        argument: &'static str,
        /// The value as typed.
        value: String,
        /// What would have been accepted, as a phrase, e.g.
        /// `"a number of hours, days or weeks like 24h, 7d or 2w"`.
        expected: &'static str,
    },
}

impl ParseError {
    /// The command the error is about, when the line got that far.
    pub fn command(&self) -> Option<CommandName> {
        match self {
            Self::Empty | Self::UnknownCommand { .. } => None,
            Self::SameEnv { .. } => Some(CommandName::Promote),
            Self::MissingArgument { command, .. }
            | Self::UnknownEnv { command, .. }
            | Self::UnexpectedArgument { command, .. }
            | Self::UnknownFlag { command, .. }
            | Self::InvalidValue { command, .. } => Some(*command),
        }
    }
}

impl std::error::Error for ParseError {}
