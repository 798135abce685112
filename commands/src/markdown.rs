//! Which parts of a Markdown comment are not prose a person addressed to
//! bosun: code (fenced, indented, inline), block quotes, links and images
//! (text and URL), and HTML (blocks, inline tags, comments such as a PR
//! template's `<!-- /apply prd -->`).
//!
//! pulldown-cmark finds them as it would render them, so a command a reader
//! sees as code or as quoted text is never run.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// Sorted, disjoint byte ranges of a comment that commands are never read
/// from.
#[derive(Debug, Default)]
pub(crate) struct IgnoredRanges {
    ranges: Vec<Range<usize>>,
}

impl IgnoredRanges {
    /// Finds the ignored ranges of `body`.
    pub(crate) fn of(body: &str) -> Self {
        let mut ranges: Vec<Range<usize>> = Parser::new(body)
            .into_offset_iter()
            .filter(|(event, _)| is_ignored(event))
            .map(|(_, range)| range)
            .collect();
        ranges.sort_by_key(|range| range.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        Self { ranges: merged }
    }

    /// Whether byte `offset` of the body lies in an ignored range.
    pub(crate) fn contains(&self, offset: usize) -> bool {
        let after = self.ranges.partition_point(|range| range.start <= offset);
        after > 0 && offset < self.ranges[after - 1].end
    }
}

/// Start events of the ignored containers span the whole element, so their
/// range alone covers everything inside them.
fn is_ignored(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Start(
            Tag::CodeBlock(_)
                | Tag::BlockQuote(_)
                | Tag::HtmlBlock
                | Tag::Link { .. }
                | Tag::Image { .. }
        ) | Event::Code(_)
            | Event::InlineHtml(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of `body` whose first byte is ignored, split at range ends.
    fn ignored(body: &str) -> Vec<&str> {
        IgnoredRanges::of(body)
            .ranges
            .iter()
            .map(|range| &body[range.clone()])
            .collect()
    }

    #[test]
    fn fenced_indented_and_inline_code_is_ignored() {
        assert_eq!(ignored("a `x` b"), ["`x`"]);
        assert_eq!(ignored("```\n/plan dev\n```\n"), ["```\n/plan dev\n```"]);
        assert_eq!(ignored("text\n\n    /plan dev\n"), ["/plan dev\n"]);
    }

    #[test]
    fn unclosed_fence_runs_to_the_end() {
        assert_eq!(ignored("ok\n```\n/plan dev\n"), ["```\n/plan dev\n"]);
    }

    #[test]
    fn quotes_include_lazy_continuation_lines() {
        assert_eq!(ignored("> a\n/plan dev\n\nb"), ["> a\n/plan dev\n"]);
    }

    #[test]
    fn links_images_and_html_are_ignored() {
        assert_eq!(
            ignored("[/plan dev](https://x/y)"),
            ["[/plan dev](https://x/y)"]
        );
        assert_eq!(ignored("![/plan](x.png)"), ["![/plan](x.png)"]);
        assert_eq!(
            ignored("<!--\n/apply prd\n-->\n"),
            ["<!--\n/apply prd\n-->\n"]
        );
    }

    #[test]
    fn contains_checks_half_open_ranges() {
        let ranges = IgnoredRanges::of("a `x` b");
        let hits: Vec<usize> = (0..7).filter(|&i| ranges.contains(i)).collect();
        assert_eq!(hits, [2, 3, 4]);
        assert!(!IgnoredRanges::of("").contains(0));
    }
}
