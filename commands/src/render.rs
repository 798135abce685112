//! The one place parse errors and refusals become words.
//!
//! Output is plain text with inline code spans, which reads the same in
//! GitHub Markdown, Slack and Discord. Words the user typed are shown inside
//! code spans, shortened, with backticks, control and bidirectional
//! formatting characters replaced, so they can neither break the formatting
//! nor mention anyone.

use std::fmt;

use crate::command::{Command, CommandName};
use crate::error::ParseError;
use crate::permission::{Allowed, Refusal, Role};

/// Longest user word shown in a message, in characters.
const MAX_SHOWN_CHARS: usize = 40;

/// Explains a parse error in one paragraph that ends with how to get help,
/// e.g. "Run `/help promote` for usage."
pub fn render_parse_error(err: &ParseError) -> String {
    let (sentence, help_on) = match err {
        ParseError::Empty => ("No command given.".to_owned(), None),
        ParseError::UnknownCommand { word, did_you_mean } => {
            let mut s = format!("`/{}` is not a bosun command.", shown(word));
            if let Some(name) = did_you_mean {
                s.push_str(&format!(" Did you mean `/{name}`?"));
            }
            (s, *did_you_mean)
        }
        ParseError::MissingArgument { command, argument } => (
            format!(
                "`/{command}` needs {} {argument}: `{}`.",
                article(argument),
                command.usage()
            ),
            Some(*command),
        ),
        ParseError::UnknownEnv {
            command,
            word,
            did_you_mean,
        } => {
            let mut s = format!("`{}` is not a known environment.", shown(word));
            if let Some(env) = did_you_mean {
                s.push_str(&format!(" Did you mean `{env}`?"));
            }
            (s, Some(*command))
        }
        ParseError::SameEnv { env } => (
            format!("Cannot promote `{env}` to itself: name two different environments."),
            Some(CommandName::Promote),
        ),
        ParseError::UnexpectedArgument { command, word } => (
            format!(
                "`/{command}` does not expect `{}` here: `{}`.",
                shown(word),
                command.usage()
            ),
            Some(*command),
        ),
        ParseError::UnknownFlag {
            command,
            flag,
            did_you_mean,
        } => {
            let mut s = format!("`/{command}` has no option `{}`.", shown(flag));
            if let Some(flag) = did_you_mean {
                s.push_str(&format!(" Did you mean `{flag}`?"));
            }
            (s, Some(*command))
        }
        ParseError::InvalidValue {
            command,
            argument,
            value,
            expected,
        } => (
            format!(
                "`{}` is not a valid {argument} for `/{command}`: expected {expected}.",
                shown(value)
            ),
            Some(*command),
        ),
    };
    format!("{sentence} {}", help_hint(help_on))
}

impl fmt::Display for ParseError {
    /// The same words as [`render_parse_error`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_parse_error(self))
    }
}

/// Explains a refusal: which role (or write access) the command needs.
/// Names only the requirement, never the actor's own roles.
pub fn render_refusal(command: &Command, refusal: &Refusal) -> String {
    let what = refused_command(command);
    match &refusal.needed {
        Allowed::AnyoneWithWrite => {
            format!("You need write access to this repository to run `{what}`.")
        }
        Allowed::Roles(roles) if roles.is_empty() => {
            format!("Nobody may run `{what}` under this repository's permission policy.")
        }
        Allowed::Roles(roles) => {
            format!("You need the {} role to run `{what}`.", roles_phrase(roles))
        }
    }
}

/// `` `platform` ``, `` `platform` or `sre` ``, `` `platform`, `sre` or `dev` ``.
pub(crate) fn roles_phrase(roles: &[Role]) -> String {
    let quoted: Vec<String> = roles.iter().map(|role| format!("`{role}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The part of a command that permissions depend on: its name, environments
/// and `--force`, never free text such as a lock reason.
fn refused_command(command: &Command) -> String {
    match command {
        Command::Promote {
            from, to, force, ..
        } => {
            let force = if *force { " --force" } else { "" };
            format!("/promote {from} {to}{force}")
        }
        _ => match command.env() {
            Some(env) => format!("/{} {env}", command.name()),
            None => format!("/{}", command.name()),
        },
    }
}

fn help_hint(command: Option<CommandName>) -> String {
    match command {
        Some(CommandName::Help) | None => "Run `/help` for the list of commands.".to_owned(),
        Some(name) => format!("Run `/help {name}` for usage."),
    }
}

fn article(noun: &str) -> &'static str {
    match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// A user's word made safe to place between single backticks.
fn shown(word: &str) -> String {
    let mut out: String = word
        .chars()
        .take(MAX_SHOWN_CHARS)
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() || is_bidi_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect();
    if word.chars().nth(MAX_SHOWN_CHARS).is_some() {
        out.push('…');
    }
    if out.trim().is_empty() {
        out = "\u{FFFD}".to_owned();
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_words_cannot_break_out_of_code_spans() {
        assert_eq!(shown("a`b"), "a'b");
        assert_eq!(shown("x\u{202E}y\u{0007}"), "x\u{FFFD}y\u{FFFD}");
        assert_eq!(shown(""), "\u{FFFD}");
    }

    #[test]
    fn shown_words_are_cut_at_forty_characters() {
        assert_eq!(shown(&"é".repeat(40)), "é".repeat(40));
        assert_eq!(shown(&"é".repeat(41)), format!("{}…", "é".repeat(40)));
    }

    #[test]
    fn roles_read_as_a_list_joined_by_or() {
        assert_eq!(roles_phrase(&[Role::Platform]), "`platform`");
        assert_eq!(
            roles_phrase(&[Role::Platform, Role::Sre]),
            "`platform` or `sre`"
        );
        assert_eq!(
            roles_phrase(&[Role::Platform, Role::Sre, Role::Dev]),
            "`platform`, `sre` or `dev`"
        );
    }
}
