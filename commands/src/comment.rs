//! [`parse_comment`]: every command line in a PR or issue comment.

use crate::command::{Command, CommandName};
use crate::env::EnvCatalog;
use crate::error::ParseError;
use crate::markdown::IgnoredRanges;
use crate::parse::parse_command;
use crate::suggest;

/// One line of a comment addressed to bosun, and what it parsed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// 1-based line number in the comment.
    pub line: usize,
    /// The line, trimmed, starting with `/`.
    pub text: String,
    /// The command, or why the line is not one.
    pub result: Result<Command, ParseError>,
}

/// Finds the command lines of a Markdown comment, in order, and parses each.
///
/// A line is addressed to bosun when, after optional whitespace, it starts
/// with `/` and a word that is a command name, `bosun`, or a close typo of a
/// command name (`/promte` is reported with a "did you mean"). Any other
/// `/word` belongs to someone else (Prow's `/lgtm`, a path like `/usr/bin`)
/// and yields nothing. Lines whose slash is inside code, a block quote, a
/// link, an image or HTML are ignored, as a reader would see them.
pub fn parse_comment(body: &str, envs: &EnvCatalog) -> Vec<Invocation> {
    let mut ignored: Option<IgnoredRanges> = None;
    let mut invocations = Vec::new();
    let mut offset = 0;
    for (index, raw_line) in body.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += raw_line.len();
        let indent = raw_line.len() - raw_line.trim_start().len();
        let text = raw_line.trim();
        let Some(after_slash) = text.strip_prefix('/') else {
            continue;
        };
        if !is_addressed(after_slash) {
            continue;
        }
        // Markdown is parsed lazily: most comments hold no command at all.
        let ignored = ignored.get_or_insert_with(|| IgnoredRanges::of(body));
        if ignored.contains(line_start + indent) {
            continue;
        }
        invocations.push(Invocation {
            line: index + 1,
            text: text.to_owned(),
            result: parse_command(text, envs),
        });
    }
    invocations
}

/// Whether the text after a line's `/` starts with a word for bosun.
fn is_addressed(after_slash: &str) -> bool {
    let word = after_slash.split_whitespace().next().unwrap_or("");
    // `/ plan`, `//plan` and `/` alone are not commands: one slash, then the word.
    if word.is_empty() || word.starts_with('/') || after_slash.starts_with(char::is_whitespace) {
        return false;
    }
    word.eq_ignore_ascii_case("bosun")
        || CommandName::parse(word).is_some()
        || suggest::command(word).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(body: &str) -> Vec<usize> {
        parse_comment(body, &EnvCatalog::default())
            .iter()
            .map(|invocation| invocation.line)
            .collect()
    }

    #[test]
    fn line_numbers_count_from_one_across_crlf() {
        assert_eq!(lines("/plan dev\r\nx\r\n  /apply dev\r\n"), [1, 3]);
    }

    #[test]
    fn slash_must_touch_the_word() {
        assert_eq!(lines("/ plan dev\n/\n//plan dev\n/plan"), [4]);
    }

    #[test]
    fn bosun_prefix_lines_are_addressed() {
        assert_eq!(lines("/bosun\n/BOSUN status\n/bosun frobnicate"), [1, 2, 3]);
    }
}
