//! [`parse_command`]: one command line to a typed [`Command`].
//!
//! The grammar, with words separated by any whitespace:
//!
//! ```text
//! line     = ["/"] ["bosun"] command
//! command  = "plan" env | "apply" env | "unlock" env
//!          | "promote" env env {app} ["--force"]
//!          | "rollback" env ["to" (sha | "#"pr | pr)]
//!          | "drift" [env] | "status" [env]
//!          | "cost" [env] ["--period" period]
//!          | "lock" env {word}           (the rest of the line is the reason)
//!          | "help" [command]
//! ```
//!
//! Flags may stand anywhere after the command word, also as `--period=7d`,
//! and a leading em or en dash (what phones and macOS make of `--`) counts
//! as `--`. Command words, environments and flag names ignore ASCII case.

use crate::command::{Command, CommandName};
use crate::env::{Env, EnvCatalog};
use crate::error::ParseError;
use crate::suggest;
use crate::value::{App, Period, RollbackTarget};

/// Longest lock reason, in characters.
pub(crate) const MAX_REASON_CHARS: usize = 200;

const EXPECTED_PERIOD: &str =
    "a number of hours, days or weeks such as 24h, 7d or 2w, up to 90 days";
const EXPECTED_APP: &str = "lowercase letters, digits, '.', '_' or '-', starting with a letter or digit, at most 63 characters";
const EXPECTED_TARGET: &str =
    "a commit SHA (7 to 40 hex digits) or a pull request number such as #12";
const EXPECTED_REASON: &str = "at most 200 characters";

/// Parses one command line, with or without its leading `/`.
///
/// Accepts what each front end sends: `/promote stg prd` from a PR comment,
/// `promote stg prd` from a Slack slash command, and `/bosun promote stg prd`
/// or `bosun promote stg prd` (one leading `bosun` word is skipped; `bosun`
/// alone asks for help).
pub fn parse_command(text: &str, envs: &EnvCatalog) -> Result<Command, ParseError> {
    let text = text.trim();
    let text = text.strip_prefix('/').unwrap_or(text);
    let mut words = text.split_whitespace();
    let mut first = words.next().ok_or(ParseError::Empty)?;
    if first.eq_ignore_ascii_case("bosun") {
        match words.next() {
            Some(word) => first = word,
            None => return Ok(Command::Help { topic: None }),
        }
    }
    let name = CommandName::parse(first).ok_or_else(|| unknown_command(first))?;
    parse_arguments(name, &words.collect::<Vec<_>>(), envs)
}

fn unknown_command(word: &str) -> ParseError {
    let word = word.strip_prefix('/').unwrap_or(word);
    ParseError::UnknownCommand {
        word: word.to_owned(),
        did_you_mean: suggest::command(word),
    }
}

fn parse_arguments(
    name: CommandName,
    words: &[&str],
    envs: &EnvCatalog,
) -> Result<Command, ParseError> {
    let command = match name {
        CommandName::Plan => {
            let mut args = Args::split(name, words, &[], envs)?;
            let env = args.env("environment")?;
            args.finish(Command::Plan { env })?
        }
        CommandName::Apply => {
            let mut args = Args::split(name, words, &[], envs)?;
            let env = args.env("environment")?;
            args.finish(Command::Apply { env })?
        }
        CommandName::Unlock => {
            let mut args = Args::split(name, words, &[], envs)?;
            let env = args.env("environment")?;
            args.finish(Command::Unlock { env })?
        }
        CommandName::Promote => promote(words, envs)?,
        CommandName::Rollback => rollback(words, envs)?,
        CommandName::Drift => {
            let mut args = Args::split(name, words, &[], envs)?;
            let env = args.optional_env()?;
            args.finish(Command::Drift { env })?
        }
        CommandName::Status => {
            let mut args = Args::split(name, words, &[], envs)?;
            let env = args.optional_env()?;
            args.finish(Command::Status { env })?
        }
        CommandName::Cost => cost(words, envs)?,
        CommandName::Lock => lock(words, envs)?,
        CommandName::Help => {
            let mut args = Args::split(name, words, &[], envs)?;
            let topic = match args.next() {
                Some(word) => Some(CommandName::parse(word).ok_or_else(|| unknown_command(word))?),
                None => None,
            };
            args.finish(Command::Help { topic })?
        }
    };
    Ok(command)
}

fn promote(words: &[&str], envs: &EnvCatalog) -> Result<Command, ParseError> {
    let name = CommandName::Promote;
    let mut args = Args::split(name, words, &[FORCE], envs)?;
    let from = args.env("source environment")?;
    let to = args.env("target environment")?;
    if from == to {
        return Err(ParseError::SameEnv { env: to });
    }
    let mut only: Vec<App> = Vec::new();
    while let Some(word) = args.next() {
        let app = App::parse(word).ok_or_else(|| invalid(name, "app name", word, EXPECTED_APP))?;
        if !only.contains(&app) {
            only.push(app);
        }
    }
    let force = args.has_flag(FORCE.name);
    args.finish(Command::Promote {
        from,
        to,
        only,
        force,
    })
}

fn rollback(words: &[&str], envs: &EnvCatalog) -> Result<Command, ParseError> {
    let name = CommandName::Rollback;
    let mut args = Args::split(name, words, &[], envs)?;
    let env = args.env("environment")?;
    let to = match args.next() {
        None => None,
        Some(word) if word.eq_ignore_ascii_case("to") => {
            let target = args.next().ok_or(ParseError::MissingArgument {
                command: name,
                argument: "rollback target",
            })?;
            let parsed = RollbackTarget::parse(target)
                .ok_or_else(|| invalid(name, "rollback target", target, EXPECTED_TARGET))?;
            Some(parsed)
        }
        Some(word) => return Err(unexpected(name, word)),
    };
    args.finish(Command::Rollback { env, to })
}

fn cost(words: &[&str], envs: &EnvCatalog) -> Result<Command, ParseError> {
    let name = CommandName::Cost;
    let mut args = Args::split(name, words, &[PERIOD], envs)?;
    let env = args.optional_env()?;
    let period = match args.flag_value(PERIOD.name) {
        Some(value) => {
            Period::parse(value).ok_or_else(|| invalid(name, "period", value, EXPECTED_PERIOD))?
        }
        None => Period::default(),
    };
    args.finish(Command::Cost { env, period })
}

/// `/lock <env> <reason ...>`: everything after the environment, flags
/// included, is the reason, with whitespace runs folded to one space.
fn lock(words: &[&str], envs: &EnvCatalog) -> Result<Command, ParseError> {
    let name = CommandName::Lock;
    let (first, rest) = words.split_first().ok_or(ParseError::MissingArgument {
        command: name,
        argument: "environment",
    })?;
    if as_flag(first).is_some() {
        return Err(ParseError::UnknownFlag {
            command: name,
            flag: (*first).to_owned(),
            did_you_mean: None,
        });
    }
    let env = resolve_env(name, first, envs)?;
    let reason = (!rest.is_empty()).then(|| rest.join(" "));
    if let Some(reason) = &reason
        && reason.chars().count() > MAX_REASON_CHARS
    {
        return Err(invalid(name, "reason", reason, EXPECTED_REASON));
    }
    Ok(Command::Lock { env, reason })
}

/// A flag a command accepts.
#[derive(Clone, Copy)]
struct FlagSpec {
    /// With the dashes, e.g. `--force`.
    name: &'static str,
    /// The argument name of its value, for flags that take one.
    value: Option<&'static str>,
}

const FORCE: FlagSpec = FlagSpec {
    name: "--force",
    value: None,
};
const PERIOD: FlagSpec = FlagSpec {
    name: "--period",
    value: Some("period"),
};

/// The words after the command word, split into positionals (consumed in
/// order) and flags (looked up by name).
struct Args<'a, 'c> {
    command: CommandName,
    envs: &'c EnvCatalog,
    positionals: std::vec::IntoIter<&'a str>,
    flags: Vec<(&'static str, Option<&'a str>)>,
}

impl<'a, 'c> Args<'a, 'c> {
    fn split(
        command: CommandName,
        words: &[&'a str],
        specs: &[FlagSpec],
        envs: &'c EnvCatalog,
    ) -> Result<Self, ParseError> {
        let mut positionals = Vec::new();
        let mut flags: Vec<(&'static str, Option<&'a str>)> = Vec::new();
        let mut words = words.iter().copied();
        while let Some(word) = words.next() {
            let Some(flag) = as_flag(word) else {
                positionals.push(word);
                continue;
            };
            let flag_name = flag
                .split_once('=')
                .map_or(&*flag, |(flag_name, _)| flag_name);
            let inline_value = word.split_once('=').map(|(_, value)| value);
            let Some(spec) = specs
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(flag_name))
            else {
                return Err(ParseError::UnknownFlag {
                    command,
                    flag: word.to_owned(),
                    did_you_mean: suggest::closest(
                        flag_name,
                        specs.iter().map(|s| (s.name, s.name)),
                    ),
                });
            };
            if flags.iter().any(|(seen, _)| *seen == spec.name) {
                return Err(unexpected(command, word));
            }
            let value = match (spec.value, inline_value) {
                (None, None) => None,
                (None, Some(_)) => return Err(unexpected(command, word)),
                (Some(argument), value) => {
                    let value = value.or_else(|| words.next()).filter(|v| !v.is_empty());
                    Some(value.ok_or(ParseError::MissingArgument { command, argument })?)
                }
            };
            flags.push((spec.name, value));
        }
        Ok(Self {
            command,
            envs,
            positionals: positionals.into_iter(),
            flags,
        })
    }

    fn next(&mut self) -> Option<&'a str> {
        self.positionals.next()
    }

    fn env(&mut self, argument: &'static str) -> Result<Env, ParseError> {
        let word = self.next().ok_or(ParseError::MissingArgument {
            command: self.command,
            argument,
        })?;
        resolve_env(self.command, word, self.envs)
    }

    fn optional_env(&mut self) -> Result<Option<Env>, ParseError> {
        self.next()
            .map(|word| resolve_env(self.command, word, self.envs))
            .transpose()
    }

    fn has_flag(&self, name: &str) -> bool {
        self.flags.iter().any(|(flag, _)| *flag == name)
    }

    fn flag_value(&self, name: &str) -> Option<&'a str> {
        self.flags
            .iter()
            .find(|(flag, _)| *flag == name)
            .and_then(|(_, value)| *value)
    }

    /// `command`, unless a positional word is left over.
    fn finish(mut self, command: Command) -> Result<Command, ParseError> {
        match self.next() {
            Some(word) => Err(unexpected(self.command, word)),
            None => Ok(command),
        }
    }
}

/// The flag `word` spells, with em and en dashes read as `--`; `None` when
/// it does not start with a dash.
fn as_flag(word: &str) -> Option<std::borrow::Cow<'_, str>> {
    if word.starts_with('-') {
        Some(word.into())
    } else {
        word.strip_prefix(['\u{2014}', '\u{2013}'])
            .map(|rest| format!("--{rest}").into())
    }
}

fn resolve_env(command: CommandName, word: &str, envs: &EnvCatalog) -> Result<Env, ParseError> {
    envs.resolve(word).ok_or_else(|| ParseError::UnknownEnv {
        command,
        word: word.to_owned(),
        did_you_mean: suggest::closest(word, envs.words()).cloned(),
    })
}

fn unexpected(command: CommandName, word: &str) -> ParseError {
    ParseError::UnexpectedArgument {
        command,
        word: word.to_owned(),
    }
}

fn invalid(
    command: CommandName,
    argument: &'static str,
    value: &str,
    expected: &'static str,
) -> ParseError {
    ParseError::InvalidValue {
        command,
        argument,
        value: value.to_owned(),
        expected,
    }
}
