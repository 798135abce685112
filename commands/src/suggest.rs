//! "Did you mean": the closest known word to a typo, if it is close enough.
//!
//! Close enough means one edit (insert, delete, substitute, or swap of two
//! neighbours), or two edits when both words have six or more characters.
//! The bar is low on purpose: a near miss on an unknown `/word` turns a line
//! meant for another bot (`/close`, `/test`, `/hold`) into an error from
//! bosun, so only real typos should count.

use crate::command::CommandName;

/// Words longer than this are never typos of ours (and not worth comparing).
const MAX_WORD_CHARS: usize = 40;

/// The candidate value whose word is closest to `word` (ignoring ASCII case),
/// if within the typo distance. The first of equally close candidates wins.
pub(crate) fn closest<'a, T>(
    word: &str,
    candidates: impl IntoIterator<Item = (&'a str, T)>,
) -> Option<T> {
    if word.chars().count() > MAX_WORD_CHARS {
        return None;
    }
    let word = word.to_ascii_lowercase();
    let word_len = word.chars().count();
    let mut best: Option<(usize, T)> = None;
    for (candidate, value) in candidates {
        let distance = strsim::damerau_levenshtein(&word, candidate);
        let allowed = if word_len >= 6 && candidate.chars().count() >= 6 {
            2
        } else {
            1
        };
        if distance <= allowed && best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, value));
        }
    }
    best.map(|(_, value)| value)
}

/// The command `word` is most likely a typo of. Only words made of ASCII
/// letters qualify, so paths (`/usr/bin`) and other bots' commands with
/// punctuation (`/ok-to-test`) never do.
pub(crate) fn command(word: &str) -> Option<CommandName> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    closest(word, CommandName::ALL.map(|name| (name.as_str(), name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_typos_find_their_command() {
        for (typo, meant) in [
            ("promte", CommandName::Promote),
            ("pormote", CommandName::Promote),
            ("PROMOTE", CommandName::Promote),
            ("aply", CommandName::Apply),
            ("plna", CommandName::Plan),
            ("rolback", CommandName::Rollback),
            ("unlcok", CommandName::Unlock),
            ("stats", CommandName::Status),
            ("hlep", CommandName::Help),
            ("cots", CommandName::Cost),
        ] {
            assert_eq!(command(typo), Some(meant), "{typo}");
        }
    }

    #[test]
    fn two_edits_count_only_for_long_words() {
        assert_eq!(command("promtoee"), Some(CommandName::Promote));
        assert_eq!(command("rollbak"), Some(CommandName::Rollback));
        assert_eq!(command("pln"), Some(CommandName::Plan));
        assert_eq!(command("pn"), None);
    }

    #[test]
    fn other_bots_commands_and_paths_are_not_typos() {
        for word in [
            "lgtm",
            "assign",
            "approve",
            "close",
            "test",
            "retest",
            "hold",
            "unhold",
            "cc",
            "kind",
            "lint",
            "ok-to-test",
            "usr/bin/x",
            "deploy",
            "label",
            "meow",
            "",
            "é",
        ] {
            assert_eq!(command(word), None, "{word}");
        }
    }

    #[test]
    fn very_long_words_are_not_compared() {
        assert_eq!(closest(&"a".repeat(41), [("a", ())]), None);
    }
}
