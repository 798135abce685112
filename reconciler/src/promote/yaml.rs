//! A minimal YAML node tree that remembers where every scalar came from.
//!
//! Promotion edits files by replacing bytes, so it needs the exact byte span
//! and the quoting style of each value, which a serde data model forgets.
//! This tree is built from granit-parser's events (the parser underneath
//! serde-saphyr) and keeps, for every scalar, its decoded value, its style
//! and its byte range in the source text. Aliases are kept as opaque nodes:
//! a version behind an alias cannot be edited in place.

use std::borrow::Cow;

use granit_parser::{Event, Options, Parser, ScalarStyle, StructureStyle};

/// A scalar with its position in the source text.
#[derive(Debug, Clone)]
pub(crate) struct Scalar<'a> {
    /// The value after YAML escape processing.
    pub value: Cow<'a, str>,
    /// How the scalar was written.
    pub style: ScalarStyle,
    /// Byte offset of the first byte of the scalar (its opening quote, if any).
    pub start: usize,
    /// Byte offset just past the scalar (past its closing quote, if any).
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
}

/// A YAML node.
#[derive(Debug, Clone)]
pub(crate) enum Node<'a> {
    /// A scalar.
    Scalar(Scalar<'a>),
    /// A sequence.
    Seq(Vec<Node<'a>>),
    /// A mapping, in source order, and whether it was written in flow style.
    Map(Vec<(Node<'a>, Node<'a>)>, bool),
    /// An alias, or anything else that carries no value of its own.
    Opaque,
}

impl<'a> Node<'a> {
    /// The value of `key` in a mapping, with the key's scalar.
    pub(crate) fn entry(&self, key: &str) -> Option<(&Scalar<'a>, &Node<'a>)> {
        let Node::Map(entries, _) = self else {
            return None;
        };
        entries.iter().find_map(|(k, v)| match k {
            Node::Scalar(s) if s.value == key => Some((s, v)),
            _ => None,
        })
    }

    /// The value of `key` in a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follows a path of mapping keys.
    pub(crate) fn path(&self, keys: &[&str]) -> Option<&Node<'a>> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// This node as a scalar.
    pub(crate) fn scalar(&self) -> Option<&Scalar<'a>> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The string value of `key`, when it is a scalar.
    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.get(key)?.scalar().map(|s| s.value.as_ref())
    }

    /// Whether this is a flow-style mapping (`{a: b}`).
    pub(crate) fn is_flow_map(&self) -> bool {
        matches!(self, Node::Map(_, true))
    }
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// What the parser said.
    pub reason: String,
}

enum Frame<'a> {
    Seq(Vec<Node<'a>>),
    Map(Vec<Node<'a>>, bool),
}

/// Parses every document of `text` (documents separated by `---`).
pub(crate) fn documents(text: &str) -> Result<Vec<Node<'_>>, SyntaxError> {
    let mut options = Options::default();
    options.emit_comments = false;
    let mut docs = Vec::new();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, span) = item.map_err(|e| SyntaxError {
            line: e.marker().line(),
            reason: e.info(),
        })?;
        let node = match event {
            Event::Scalar(value, style, _, _) => {
                let range = span.byte_range().ok_or_else(|| SyntaxError {
                    line: span.start.line(),
                    reason: "scalar without a byte position".to_owned(),
                })?;
                Node::Scalar(Scalar {
                    value,
                    style,
                    start: range.start,
                    end: range.end,
                    line: span.start.line(),
                })
            }
            Event::Alias(_) => Node::Opaque,
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new()));
                continue;
            }
            Event::MappingStart(style, _, _) => {
                stack.push(Frame::Map(Vec::new(), style == StructureStyle::Flow));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items)) => Node::Seq(items),
                _ => return Err(unbalanced(span.start.line())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(items, flow)) => {
                    let mut entries = Vec::with_capacity(items.len() / 2);
                    let mut items = items.into_iter();
                    while let (Some(k), Some(v)) = (items.next(), items.next()) {
                        entries.push((k, v));
                    }
                    Node::Map(entries, flow)
                }
                _ => return Err(unbalanced(span.start.line())),
            },
            _ => continue,
        };
        match stack.last_mut() {
            Some(Frame::Seq(items) | Frame::Map(items, _)) => items.push(node),
            None => docs.push(node),
        }
    }
    Ok(docs)
}

fn unbalanced(line: usize) -> SyntaxError {
    SyntaxError {
        line,
        reason: "unbalanced collection events".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_value<'a>(doc: &'a Node<'a>, key: &str) -> &'a Scalar<'a> {
        doc.get(key).and_then(Node::scalar).unwrap()
    }

    #[test]
    fn scalar_spans_cover_the_quotes() {
        let text = "a: 1.6\nb: 'x y'\nc: \"q\\\"\"\n";
        let docs = documents(text).unwrap();
        let a = first_value(&docs[0], "a");
        assert_eq!(&text[a.start..a.end], "1.6");
        assert_eq!((a.line, a.start), (1, 3));
        let b = first_value(&docs[0], "b");
        assert_eq!(&text[b.start..b.end], "'x y'");
        assert_eq!(b.value, "x y");
        let c = first_value(&docs[0], "c");
        assert_eq!(&text[c.start..c.end], "\"q\\\"\"");
        assert_eq!(c.value, "q\"");
    }

    #[test]
    fn multi_document_files_yield_each_document() {
        let text = "# head\n---\na: 1\n---\nb: [x, {c: d}]\n";
        let docs = documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[1].get("b").is_some());
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let err = documents("a: b\n  c: [\n").unwrap_err();
        assert!(err.line >= 1, "{err:?}");
    }
}
