//! Writing target versions into an overlay as the smallest textual edit.
//!
//! Only the bytes of version values change: a value is replaced inside its
//! span (keeping its quoting), a field the target gains is a new line under
//! its siblings (same indentation), a field it loses is its line removed.
//! Comments, ordering and formatting elsewhere are untouched. The edited
//! texts are read back before they are returned, and must yield exactly the
//! target versions with every other version unchanged.

use std::collections::BTreeMap;

use super::diff::ChangeSet;
use super::error::PromoteError;
use super::extract::extract;
use super::versions::{EnvVersions, Field, Located, Quoting, VersionRef};

/// A file whose text changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditedFile {
    /// The path, as given.
    pub path: String,
    /// The whole new text.
    pub text: String,
}

/// Applies a promotion plan to the target environment's files. `current`
/// must have been extracted from `files`.
pub fn apply_changes<P: AsRef<str>, T: AsRef<str>>(
    files: &[(P, T)],
    current: &EnvVersions,
    changes: &ChangeSet,
) -> Result<Vec<EditedFile>, PromoteError> {
    let targets: Vec<VersionRef> = changes.targets().cloned().collect();
    apply(files, current, &targets)
}

/// Writes `targets` (any versions, e.g. an environment's versions before a
/// promotion, for a rollback) into `files`, whose versions are `current`.
/// Returns the changed files only, in input order. A target whose key is
/// not in `current` is [`PromoteError::NotInOverlay`].
pub fn apply<P: AsRef<str>, T: AsRef<str>>(
    files: &[(P, T)],
    current: &EnvVersions,
    targets: &[VersionRef],
) -> Result<Vec<EditedFile>, PromoteError> {
    let mut edits: BTreeMap<&str, Vec<Edit>> = BTreeMap::new();
    let texts: BTreeMap<&str, &str> = files
        .iter()
        .map(|(p, t)| (p.as_ref(), t.as_ref()))
        .collect();
    for target in targets {
        let key = target.key();
        let located = current
            .get(&key)
            .ok_or(PromoteError::NotInOverlay { key })?;
        let path = located.site.path.as_str();
        let text = texts.get(path).copied().unwrap_or_default();
        edits_for(text, located, target, edits.entry(path).or_default())?;
    }
    let mut edited: BTreeMap<&str, String> = BTreeMap::new();
    for (path, mut list) in edits {
        let text = texts.get(path).copied().unwrap_or_default();
        let new = splice(text, &mut list);
        if new != text {
            edited.insert(path, new);
        }
    }
    verify(files, current, targets, &edited)?;
    Ok(files
        .iter()
        .filter_map(|(p, _)| {
            edited.remove(p.as_ref()).map(|text| EditedFile {
                path: p.as_ref().to_owned(),
                text,
            })
        })
        .collect())
}

/// Replace `start..end` by `text`; an insertion has `start == end`.
#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

fn edits_for(
    text: &str,
    located: &Located,
    target: &VersionRef,
    out: &mut Vec<Edit>,
) -> Result<(), PromoteError> {
    let site = &located.site;
    let kind = target.kind();
    let wanted: BTreeMap<Field, &str> = target.fields().into_iter().collect();
    let have: BTreeMap<Field, &str> = located.version.fields().into_iter().collect();
    let unsupported = |line: usize, reason: String| PromoteError::Unsupported {
        path: site.path.clone(),
        line,
        reason,
    };
    let any_line = site.fields.values().next().map_or(0, |s| s.line);
    // A new field follows the siblings' quoting when it was a choice (a
    // quoted value that needed no quotes), else is plain where it can be.
    let quoting = site
        .fields
        .iter()
        .find(|(f, s)| s.quoting != Quoting::Plain && have.get(f).is_some_and(|v| plain_safe(v)))
        .map_or(Quoting::Plain, |(_, s)| s.quoting);
    for field in [Field::Version, Field::Tag, Field::Semver, Field::Digest] {
        let name = field.yaml_key(kind);
        match (site.fields.get(&field), wanted.get(&field)) {
            (Some(span), Some(value)) => {
                if have.get(&field) != Some(value) {
                    out.push(Edit {
                        start: span.start,
                        end: span.end,
                        text: render_scalar(value, span.quoting),
                    });
                }
            }
            (None, Some(value)) => {
                if site.flow {
                    return Err(unsupported(
                        any_line,
                        format!("adding `{name}` to a flow mapping"),
                    ));
                }
                let before = site.fields.range(..field).next_back().map(|(_, s)| s.end);
                let after = site.fields.range(field..).next().map(|(_, s)| s.key_start);
                let at = match (before.or(site.anchor_key), after) {
                    (Some(prev), _) => next_line_start(text, prev),
                    (None, Some(next)) => line_start(text, next),
                    (None, None) => return Err(unsupported(any_line, format!("adding `{name}`"))),
                };
                let key_start = site
                    .fields
                    .values()
                    .next()
                    .map(|s| s.key_start)
                    .or(site.anchor_key)
                    .unwrap_or(at);
                let indent = " ".repeat(key_start - line_start(text, key_start));
                let newline = if at == text.len() && !text.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                out.push(Edit {
                    start: at,
                    end: at,
                    text: format!(
                        "{newline}{indent}{name}: {}\n",
                        render_scalar(value, quoting)
                    ),
                });
            }
            (Some(span), None) => {
                let start = line_start(text, span.key_start);
                let end = next_line_start(text, span.end);
                let rest = text[span.end..end].trim();
                if site.flow
                    || !text[start..span.key_start].bytes().all(|b| b == b' ')
                    || !(rest.is_empty() || rest.starts_with('#'))
                {
                    return Err(unsupported(
                        span.line,
                        format!("removing `{name}` from a line that holds more"),
                    ));
                }
                out.push(Edit {
                    start,
                    end,
                    text: String::new(),
                });
            }
            (None, None) => {}
        }
    }
    Ok(())
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn next_line_start(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

fn splice(text: &str, edits: &mut [Edit]) -> String {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in edits.iter() {
        let start = edit.start.max(cursor);
        out.push_str(&text[cursor..start]);
        out.push_str(&edit.text);
        cursor = edit.end.max(cursor);
    }
    out.push_str(&text[cursor..]);
    out
}

/// Writes `value` in the original quoting, quoting a plain value YAML would
/// not read back as the same string (`1.6`, `>=1.0`, `true`).
pub(crate) fn render_scalar(value: &str, quoting: Quoting) -> String {
    match quoting {
        Quoting::Plain if plain_safe(value) => value.to_owned(),
        Quoting::Single if !value.contains(['\n', '\r']) => {
            format!("'{}'", value.replace('\'', "''"))
        }
        _ => {
            let mut out = String::with_capacity(value.len() + 2);
            out.push('"');
            for c in value.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
    }
}

fn plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && value.trim() == value
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.chars().any(|c| c.is_control() || ",[]{}".contains(c))
        && !reads_as_non_string(value)
}

/// Whether YAML (1.1 or 1.2) would read this plain scalar as a number, a
/// boolean or null.
fn reads_as_non_string(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n",
    ];
    if WORDS.contains(&value.to_ascii_lowercase().as_str()) {
        return true;
    }
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let lower = unsigned.to_ascii_lowercase();
    let radix = [("0x", 16), ("0o", 8), ("0b", 2)].iter().any(|(p, r)| {
        lower
            .strip_prefix(p)
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c == '_' || c.is_digit(*r)))
    });
    let sexagesimal_or_int = unsigned.chars().next().is_some_and(|c| c.is_ascii_digit())
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == ':')
        && !unsigned.ends_with(':');
    radix
        || sexagesimal_or_int
        || matches!(lower.as_str(), ".inf" | ".nan")
        || lower.replace('_', "").parse::<f64>().is_ok()
}

fn verify<P: AsRef<str>, T: AsRef<str>>(
    files: &[(P, T)],
    current: &EnvVersions,
    targets: &[VersionRef],
    edited: &BTreeMap<&str, String>,
) -> Result<(), PromoteError> {
    if edited.is_empty() {
        return Ok(());
    }
    let after: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| {
            (
                p.as_ref(),
                edited.get(p.as_ref()).map_or(t.as_ref(), String::as_str),
            )
        })
        .collect();
    let read = extract(&after)?;
    let mut expected: BTreeMap<_, &VersionRef> = current
        .iter()
        .map(|(k, l)| (k.clone(), &l.version))
        .collect();
    for target in targets {
        expected.insert(target.key(), target);
    }
    for (key, want) in &expected {
        let got = read.get(key).map(|l| &l.version);
        if got != Some(want) {
            return Err(PromoteError::EditMismatch {
                key: key.clone(),
                reason: format!(
                    "wanted {want}, read {}",
                    got.map_or("nothing".to_owned(), ToString::to_string)
                ),
            });
        }
    }
    if read.len() != expected.len() {
        return Err(PromoteError::EditMismatch {
            key: targets[0].key(),
            reason: "the edit added or removed a version".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_that_read_as_numbers_get_quoted() {
        assert_eq!(render_scalar("1.6", Quoting::Plain), "\"1.6\"");
        assert_eq!(render_scalar("10", Quoting::Plain), "\"10\"");
        assert_eq!(render_scalar("1.6.0", Quoting::Plain), "1.6.0");
        assert_eq!(render_scalar("v1.6", Quoting::Plain), "v1.6");
        assert_eq!(render_scalar("sha256:abc", Quoting::Plain), "sha256:abc");
        assert_eq!(
            render_scalar(">=1.19.0 <1.20.0", Quoting::Plain),
            "\">=1.19.0 <1.20.0\""
        );
        assert_eq!(render_scalar("yes", Quoting::Plain), "\"yes\"");
        assert_eq!(render_scalar("1e3", Quoting::Plain), "\"1e3\"");
        assert_eq!(render_scalar("0x1F", Quoting::Plain), "\"0x1F\"");
    }

    #[test]
    fn quoted_values_keep_their_quotes() {
        assert_eq!(render_scalar("1.6.0", Quoting::Single), "'1.6.0'");
        assert_eq!(render_scalar("it's", Quoting::Single), "'it''s'");
        assert_eq!(render_scalar("a\"b", Quoting::Double), "\"a\\\"b\"");
    }
}
