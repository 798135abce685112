//! The typed arguments of commands: [`App`], [`RollbackTarget`] and
//! [`Period`]. Each parses from one word and displays back to the same word.

use std::fmt;
use std::time::Duration;

/// An application name as it appears in the GitOps tree, e.g. `api`:
/// `[a-z0-9][a-z0-9._-]{0,62}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct App(String);

impl App {
    /// Parses an app name; `None` when it is not `[a-z0-9][a-z0-9._-]{0,62}`.
    pub fn parse(word: &str) -> Option<Self> {
        let bytes = word.as_bytes();
        let valid = (1..=63).contains(&bytes.len())
            && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
            && bytes.iter().all(|&b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        valid.then(|| Self(word.to_owned()))
    }

    /// The name, e.g. `"api"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where `/rollback <env> to <target>` goes back to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RollbackTarget {
    /// The environment's state at a commit of the GitOps repository: 7 to
    /// 40 lowercase hex digits.
    Commit(String),
    /// The environment's state as a merged pull request left it, by number.
    PullRequest(u64),
}

impl RollbackTarget {
    /// Parses `#12` or `12` (up to six digits) as a pull request, and 7 to 40
    /// hex digits as a commit (lowercased).
    ///
    /// Seven or more bare digits read as a commit: about one short SHA in
    /// twenty-seven is all digits, and no repository has a million pull
    /// requests. Write `#1234567` for such a pull request.
    pub fn parse(word: &str) -> Option<Self> {
        if let Some(number) = word.strip_prefix('#') {
            return parse_pr_number(number).map(Self::PullRequest);
        }
        if (1..=6).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_digit()) {
            return parse_pr_number(word).map(Self::PullRequest);
        }
        let is_sha = (7..=40).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_hexdigit());
        is_sha.then(|| Self::Commit(word.to_ascii_lowercase()))
    }
}

fn parse_pr_number(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

impl fmt::Display for RollbackTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Commit(sha) => f.write_str(sha),
            Self::PullRequest(number) => write!(f, "#{number}"),
        }
    }
}

/// A look-back window for reports, in whole hours: at least one hour, at
/// most 90 days, 7 days by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    hours: u32,
}

impl Period {
    /// The longest period: 90 days.
    pub const MAX: Self = Self { hours: 90 * 24 };

    /// The period used when none is given: 7 days.
    pub const DEFAULT: Self = Self { hours: 7 * 24 };

    /// A period of `hours` hours; `None` when zero or longer than 90 days.
    pub fn from_hours(hours: u32) -> Option<Self> {
        (1..=Self::MAX.hours)
            .contains(&hours)
            .then_some(Self { hours })
    }

    /// Parses a count followed by a unit: `h` (hours), `d` (days) or `w`
    /// (weeks), e.g. `24h`, `7d`, `2w`. The unit ignores case.
    pub fn parse(word: &str) -> Option<Self> {
        let unit_at = word.len().checked_sub(1)?;
        if !word.is_char_boundary(unit_at) {
            return None;
        }
        let (count, unit) = word.split_at(unit_at);
        if count.is_empty() || count.len() > 4 || !count.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let count: u32 = count.parse().ok()?;
        let per_unit = match unit {
            "h" | "H" => 1,
            "d" | "D" => 24,
            "w" | "W" => 24 * 7,
            _ => return None,
        };
        Self::from_hours(count * per_unit)
    }

    /// The length in hours.
    pub fn hours(self) -> u32 {
        self.hours
    }

    /// The length as a [`Duration`].
    pub fn as_duration(self) -> Duration {
        Duration::from_secs(u64::from(self.hours) * 3600)
    }
}

impl Default for Period {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Period {
    /// Whole days as `7d`, anything else as hours, e.g. `36h`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hours.is_multiple_of(24) {
            write!(f, "{}d", self.hours / 24)
        } else {
            write!(f, "{}h", self.hours)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names_follow_the_gitops_pattern() {
        let longest = format!("a{}", "b".repeat(62));
        for good in ["api", "web-1", "0x", "a.b_c-d", longest.as_str()] {
            assert_eq!(App::parse(good).unwrap().as_str(), good);
        }
        let too_long = format!("a{}", "b".repeat(63));
        for bad in [
            "",
            "Api",
            "-api",
            ".api",
            "_api",
            "api/x",
            "ap i",
            too_long.as_str(),
        ] {
            assert_eq!(App::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rollback_target_reads_pull_requests_and_commits() {
        use RollbackTarget::*;
        assert_eq!(RollbackTarget::parse("#12"), Some(PullRequest(12)));
        assert_eq!(RollbackTarget::parse("12"), Some(PullRequest(12)));
        assert_eq!(RollbackTarget::parse("999999"), Some(PullRequest(999_999)));
        assert_eq!(
            RollbackTarget::parse("#1234567"),
            Some(PullRequest(1_234_567))
        );
        assert_eq!(
            RollbackTarget::parse("1234567"),
            Some(Commit("1234567".into()))
        );
        assert_eq!(
            RollbackTarget::parse("ABC1234"),
            Some(Commit("abc1234".into()))
        );
        let full = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(RollbackTarget::parse(full), Some(Commit(full.into())));
    }

    #[test]
    fn rollback_target_rejects_malformed_words() {
        let too_long = "a".repeat(41);
        for bad in [
            "",
            "#",
            "#0",
            "0",
            "#x1",
            "#+1",
            "abc123",
            "abcdefg",
            "#99999999999999999999",
            too_long.as_str(),
        ] {
            assert_eq!(RollbackTarget::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rollback_target_displays_what_it_parses() {
        assert_eq!(RollbackTarget::PullRequest(12).to_string(), "#12");
        assert_eq!(
            RollbackTarget::Commit("abc1234".into()).to_string(),
            "abc1234"
        );
    }

    #[test]
    fn period_parses_hours_days_and_weeks() {
        assert_eq!(Period::parse("24h").unwrap().hours(), 24);
        assert_eq!(Period::parse("7d").unwrap().hours(), 168);
        assert_eq!(Period::parse("2W").unwrap().hours(), 336);
        assert_eq!(Period::parse("90d"), Some(Period::MAX));
        assert_eq!(Period::parse("2160h"), Some(Period::MAX));
    }

    #[test]
    fn period_rejects_zero_too_long_and_malformed() {
        for bad in [
            "", "d", "0d", "91d", "2161h", "13w", "7", "7m", "-1d", "+1d", "1.5d", "99999d", "7dd",
            "7é",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn period_displays_whole_days_in_days_and_the_rest_in_hours() {
        assert_eq!(Period::default().to_string(), "7d");
        assert_eq!(Period::parse("2w").unwrap().to_string(), "14d");
        assert_eq!(Period::parse("36h").unwrap().to_string(), "36h");
        assert_eq!(Period::parse("48h").unwrap().to_string(), "2d");
        assert_eq!(Period::from_hours(0), None);
    }

    #[test]
    fn period_converts_to_a_duration() {
        assert_eq!(
            Period::DEFAULT.as_duration(),
            Duration::from_secs(7 * 86_400)
        );
    }
}
