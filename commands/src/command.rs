//! The typed [`Command`] every front end (PR comment, Slack, Discord, CLI)
//! produces, and its canonical text form.

use std::fmt;

use crate::env::Env;
use crate::value::{App, Period, RollbackTarget};

/// The name of a command, without arguments. Also the action that a
/// permission is about (see [`crate::Action`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandName {
    /// `/plan`
    Plan,
    /// `/apply`
    Apply,
    /// `/promote`
    Promote,
    /// `/rollback`
    Rollback,
    /// `/drift`
    Drift,
    /// `/cost`
    Cost,
    /// `/status`
    Status,
    /// `/lock`
    Lock,
    /// `/unlock`
    Unlock,
    /// `/help`
    Help,
}

impl CommandName {
    /// Every command, in the order help lists them.
    pub const ALL: [Self; 10] = [
        Self::Plan,
        Self::Apply,
        Self::Promote,
        Self::Rollback,
        Self::Drift,
        Self::Cost,
        Self::Status,
        Self::Lock,
        Self::Unlock,
        Self::Help,
    ];

    /// The word after the slash, e.g. `"promote"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Apply => "apply",
            Self::Promote => "promote",
            Self::Rollback => "rollback",
            Self::Drift => "drift",
            Self::Cost => "cost",
            Self::Status => "status",
            Self::Lock => "lock",
            Self::Unlock => "unlock",
            Self::Help => "help",
        }
    }

    /// The command named by `word`, ignoring ASCII case and one leading `/`.
    pub fn parse(word: &str) -> Option<Self> {
        let word = word.strip_prefix('/').unwrap_or(word);
        Self::ALL
            .into_iter()
            .find(|name| name.as_str().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parsed command.
///
/// `Display` writes the canonical text, with the leading slash, which
/// [`crate::parse_command`] reads back to an equal command. Two details keep
/// that true for hand-built values: `Lock::reason` should be `None` or
/// non-empty words separated by single spaces (the parser normalises
/// whitespace that way), and `Promote::only` should not repeat an app (the
/// parser drops repeats).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// `/plan <env>`: plan the infrastructure change for an environment.
    Plan {
        /// Environment to plan.
        env: Env,
    },
    /// `/apply <env>`: apply the saved plan to an environment.
    Apply {
        /// Environment to apply to.
        env: Env,
    },
    /// `/promote <from> <to> [app ...] [--force]`: move `to` to the versions
    /// running in `from`.
    Promote {
        /// Source environment, whose versions are copied.
        from: Env,
        /// Target environment, which changes.
        to: Env,
        /// Apps to promote; empty means every app.
        only: Vec<App>,
        /// Skip a promotion stage (e.g. `dev` straight to `prd`).
        force: bool,
    },
    /// `/rollback <env> [to <commit|#pr>]`: return an environment to an
    /// earlier state.
    Rollback {
        /// Environment to roll back.
        env: Env,
        /// Where to go back to; `None` means before the last change.
        to: Option<RollbackTarget>,
    },
    /// `/drift [env]`: look for drift in one or every environment.
    Drift {
        /// Environment to check; `None` means all.
        env: Option<Env>,
    },
    /// `/cost [env] [--period 7d]`: report cost over a period.
    Cost {
        /// Environment to report on; `None` means all.
        env: Option<Env>,
        /// How far back to look.
        period: Period,
    },
    /// `/status [env]`: show the state of one or every environment.
    Status {
        /// Environment to show; `None` means all.
        env: Option<Env>,
    },
    /// `/lock <env> [reason ...]`: stop changes to an environment.
    Lock {
        /// Environment to lock.
        env: Env,
        /// Why, in the user's words: the rest of the line.
        reason: Option<String>,
    },
    /// `/unlock <env>`: release a lock.
    Unlock {
        /// Environment to unlock.
        env: Env,
    },
    /// `/help [command]`: explain the commands, or one of them.
    Help {
        /// Command to explain; `None` lists them all.
        topic: Option<CommandName>,
    },
}

impl Command {
    /// Which command this is.
    pub fn name(&self) -> CommandName {
        match self {
            Self::Plan { .. } => CommandName::Plan,
            Self::Apply { .. } => CommandName::Apply,
            Self::Promote { .. } => CommandName::Promote,
            Self::Rollback { .. } => CommandName::Rollback,
            Self::Drift { .. } => CommandName::Drift,
            Self::Cost { .. } => CommandName::Cost,
            Self::Status { .. } => CommandName::Status,
            Self::Lock { .. } => CommandName::Lock,
            Self::Unlock { .. } => CommandName::Unlock,
            Self::Help { .. } => CommandName::Help,
        }
    }

    /// The environment the command acts on: the target of a promotion,
    /// `None` for help and for commands covering every environment.
    pub fn env(&self) -> Option<&Env> {
        match self {
            Self::Plan { env }
            | Self::Apply { env }
            | Self::Rollback { env, .. }
            | Self::Lock { env, .. }
            | Self::Unlock { env } => Some(env),
            Self::Promote { to, .. } => Some(to),
            Self::Drift { env } | Self::Cost { env, .. } | Self::Status { env } => env.as_ref(),
            Self::Help { .. } => None,
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.name())?;
        match self {
            Self::Plan { env } | Self::Apply { env } | Self::Unlock { env } => write!(f, " {env}"),
            Self::Promote {
                from,
                to,
                only,
                force,
            } => {
                write!(f, " {from} {to}")?;
                for app in only {
                    write!(f, " {app}")?;
                }
                if *force {
                    f.write_str(" --force")?;
                }
                Ok(())
            }
            Self::Rollback { env, to } => {
                write!(f, " {env}")?;
                match to {
                    Some(target) => write!(f, " to {target}"),
                    None => Ok(()),
                }
            }
            Self::Drift { env } | Self::Status { env } => match env {
                Some(env) => write!(f, " {env}"),
                None => Ok(()),
            },
            Self::Cost { env, period } => {
                if let Some(env) = env {
                    write!(f, " {env}")?;
                }
                write!(f, " --period {period}")
            }
            Self::Lock { env, reason } => {
                write!(f, " {env}")?;
                match reason {
                    Some(reason) => write!(f, " {reason}"),
                    None => Ok(()),
                }
            }
            Self::Help { topic } => match topic {
                Some(topic) => write!(f, " {topic}"),
                None => Ok(()),
            },
        }
    }
}
