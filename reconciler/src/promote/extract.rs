//! Finding every version in an environment's overlay files, with the exact
//! byte span of each value.
//!
//! Supported shapes (the ones `flux-config/` uses, and their close kin):
//!
//! - `kustomization.yaml` (or `.yml`, `Kustomization`): every `images:`
//!   entry with a `name` and a `newTag` and/or `digest` is an
//!   [`VersionRef::Image`]. `newName` is identity, never read or moved.
//! - Any YAML file, any document of it (`---`): a `HelmRelease` with
//!   `spec.chart.spec.version` is a [`VersionRef::Chart`]; an
//!   `OCIRepository` with `spec.ref` (`tag`, `semver`, `digest`) is a
//!   [`VersionRef::OciRef`]. Both need `metadata.name` and
//!   `metadata.namespace`. This is how `versions.yaml` (a strategic-merge
//!   patch file listed under `patches: - path:`) is read.
//! - Strategic-merge patches inline in a kustomization
//!   (`patches: - patch: |` holding YAML inside a literal block string):
//!   read the same way, with spans mapped back into the kustomization file.
//!
//! Not supported, and reported as [`PromoteError::Unsupported`] when a
//! version is found there: a version written as a block scalar, an inline
//! patch in folded (`>`) or quoted style, a `spec.ref` key other than `tag`,
//! `semver` and `digest` (e.g. `semverFilter`). Never read, so never moved:
//! JSON 6902 patches (`op: replace`), versions behind YAML aliases, Helm
//! values, `patchesStrategicMerge`. Pass the files of the overlay directories
//! (not their bases): every YAML file given is read.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use granit_parser::ScalarStyle;

use super::error::PromoteError;
use super::versions::{EnvVersions, Field, Located, Quoting, Site, ValueSpan, VersionRef};
use super::yaml::{self, Node, Scalar};

/// Reads every version in one environment's overlay files, given as
/// `(path, text)` pairs. Keys must be unique across the files.
pub fn extract<P: AsRef<str>, T: AsRef<str>>(
    files: &[(P, T)],
) -> Result<EnvVersions, PromoteError> {
    let mut entries = BTreeMap::new();
    for (path, text) in files {
        let (path, text) = (path.as_ref(), text.as_ref());
        for located in extract_file(path, text)? {
            match entries.entry(located.version.key()) {
                Entry::Vacant(slot) => {
                    slot.insert(located);
                }
                Entry::Occupied(first) => {
                    return Err(PromoteError::Duplicate {
                        key: first.key().clone(),
                        first: where_(&first.get().site),
                        second: where_(&located.site),
                    });
                }
            }
        }
    }
    Ok(EnvVersions { entries })
}

/// The versions of one file, in source order.
pub(crate) fn extract_file(path: &str, text: &str) -> Result<Vec<Located>, PromoteError> {
    let docs = yaml::documents(text).map_err(|e| PromoteError::Yaml {
        path: path.to_owned(),
        line: e.line,
        reason: e.reason,
    })?;
    let ctx = Ctx {
        path,
        text,
        block: None,
    };
    let mut out = Vec::new();
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let kustomization = matches!(
        file_name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    );
    for doc in &docs {
        if kustomization {
            images(&ctx, doc, &mut out)?;
            inline_patches(&ctx, doc, &mut out)?;
        }
        resource(&ctx, doc, &mut out)?;
    }
    Ok(out)
}

fn where_(site: &Site) -> String {
    let line = site.fields.values().next().map_or(0, |s| s.line);
    format!("{}:{line}", site.path)
}

/// Maps positions in a literal block scalar's value back to the file.
struct Block {
    /// 1-based file line of the value's first line.
    first_line: usize,
    /// Byte offset in the value of each of its lines.
    inner_starts: Vec<usize>,
    /// Byte offset in the file of each of those lines' content.
    outer_starts: Vec<usize>,
}

/// Where scalars of the YAML being read are in the file.
struct Ctx<'t> {
    path: &'t str,
    /// The whole file.
    text: &'t str,
    /// Set when reading YAML held in a block scalar: the mapping, or why
    /// there is none.
    block: Option<Result<Block, (usize, String)>>,
}

impl Ctx<'_> {
    fn outer(&self, inner: usize) -> Result<usize, PromoteError> {
        match &self.block {
            None => Ok(inner),
            Some(Ok(block)) => {
                let idx = block.inner_starts.partition_point(|&s| s <= inner) - 1;
                Ok(block.outer_starts[idx] + (inner - block.inner_starts[idx]))
            }
            Some(Err((line, reason))) => Err(self.unsupported(*line, reason.clone())),
        }
    }

    fn line(&self, scalar: &Scalar<'_>) -> usize {
        match &self.block {
            Some(Ok(block)) => block.first_line + scalar.line - 1,
            Some(Err((line, _))) => *line,
            None => scalar.line,
        }
    }

    fn malformed(&self, line: usize, reason: impl Into<String>) -> PromoteError {
        PromoteError::Malformed {
            path: self.path.to_owned(),
            line,
            reason: reason.into(),
        }
    }

    fn unsupported(&self, line: usize, reason: impl Into<String>) -> PromoteError {
        PromoteError::Unsupported {
            path: self.path.to_owned(),
            line,
            reason: reason.into(),
        }
    }

    /// The span of a field's value, `key: value`.
    fn value_span(&self, key: &Scalar<'_>, value: &Node<'_>) -> Result<ValueSpan, PromoteError> {
        let line = self.line(key);
        let Some(scalar) = value.scalar() else {
            return Err(self.malformed(line, format!("`{}` is not a scalar", key.value)));
        };
        let quoting = match scalar.style {
            ScalarStyle::Plain => Quoting::Plain,
            ScalarStyle::SingleQuoted => Quoting::Single,
            ScalarStyle::DoubleQuoted => Quoting::Double,
            _ => {
                return Err(self.unsupported(
                    line,
                    format!("`{}` is written as a block scalar", key.value),
                ));
            }
        };
        let start = self.outer(scalar.start)?;
        let end = self.outer(scalar.end)?;
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        Ok(ValueSpan {
            start,
            end,
            line: self.line(scalar),
            column: start - line_start + 1,
            quoting,
            key_start: self.outer(key.start)?,
        })
    }

    /// The string value of `key` under `node`, required.
    fn required<'n>(
        &self,
        node: &'n Node<'_>,
        key: &str,
        line: usize,
    ) -> Result<&'n str, PromoteError> {
        node.str(key)
            .ok_or_else(|| self.malformed(line, format!("`{key}` is required to key a version")))
    }

    fn site(
        &self,
        fields: BTreeMap<Field, ValueSpan>,
        anchor_key: Option<usize>,
        flow: bool,
    ) -> Site {
        Site {
            path: self.path.to_owned(),
            fields,
            anchor_key,
            flow,
        }
    }
}

/// `images:` entries of a kustomization.
fn images(ctx: &Ctx<'_>, doc: &Node<'_>, out: &mut Vec<Located>) -> Result<(), PromoteError> {
    let Some((key, images)) = doc.entry("images") else {
        return Ok(());
    };
    let Node::Seq(items) = images else {
        return Err(ctx.malformed(ctx.line(key), "`images` is not a list"));
    };
    for item in items {
        let mut fields = BTreeMap::new();
        let mut tag = None;
        let mut digest = None;
        for (field, name, slot) in [
            (Field::Tag, "newTag", &mut tag),
            (Field::Digest, "digest", &mut digest),
        ] {
            if let Some((k, v)) = item.entry(name) {
                fields.insert(field, ctx.value_span(k, v)?);
                *slot = v.scalar().map(|s| s.value.to_string());
            }
        }
        if fields.is_empty() {
            continue;
        }
        let line = fields.values().next().map_or(0, |s| s.line);
        let name = ctx.required(item, "name", line)?.to_owned();
        let anchor = item
            .entry("name")
            .map(|(k, _)| ctx.outer(k.start))
            .transpose()?;
        out.push(Located {
            version: VersionRef::Image { name, tag, digest },
            site: ctx.site(fields, anchor, item.is_flow_map()),
        });
    }
    Ok(())
}

/// `patches: - patch: |` strings of a kustomization.
fn inline_patches(
    ctx: &Ctx<'_>,
    doc: &Node<'_>,
    out: &mut Vec<Located>,
) -> Result<(), PromoteError> {
    let Some(Node::Seq(patches)) = doc.get("patches") else {
        return Ok(());
    };
    for patch in patches {
        let Some(scalar) = patch.get("patch").and_then(Node::scalar) else {
            continue;
        };
        let inner = scalar.value.as_ref();
        let docs = yaml::documents(inner).map_err(|e| PromoteError::Yaml {
            path: ctx.path.to_owned(),
            line: scalar.line + e.line.saturating_sub(1),
            reason: format!("in the inline patch: {}", e.reason),
        })?;
        let inner_ctx = Ctx {
            path: ctx.path,
            text: ctx.text,
            block: Some(block_map(ctx.text, scalar)),
        };
        for doc in &docs {
            resource(&inner_ctx, doc, out)?;
        }
    }
    Ok(())
}

/// Maps a literal block scalar's value, line by line, onto the file.
fn block_map(text: &str, scalar: &Scalar<'_>) -> Result<Block, (usize, String)> {
    let fail = |reason: &str| (scalar.line, reason.to_owned());
    if scalar.style != ScalarStyle::Literal {
        return Err(fail(
            "a version in an inline patch that is not a literal block (`patch: |`)",
        ));
    }
    let value = scalar.value.as_ref();
    let line_start = text[..scalar.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = scalar.start - line_start;
    if !text[line_start..scalar.start].bytes().all(|b| b == b' ') {
        return Err(fail(
            "an inline patch whose first line is blank or not indented with spaces",
        ));
    }
    let mut inner_starts = Vec::new();
    let mut outer_starts = Vec::new();
    let mut inner = 0;
    let mut outer = line_start;
    for line in value.split('\n') {
        let outer_end = text[outer..].find('\n').map_or(text.len(), |i| outer + i);
        let outer_line = &text[outer..outer_end];
        let matches = if line.is_empty() {
            outer_line.trim().is_empty()
        } else {
            outer_line.get(indent..) == Some(line)
        };
        if !matches {
            return Err(fail(
                "an inline patch whose lines could not be mapped back to the file",
            ));
        }
        inner_starts.push(inner);
        outer_starts.push((outer + indent).min(outer_end));
        inner += line.len() + 1;
        outer = (outer_end + 1).min(text.len());
    }
    Ok(Block {
        first_line: scalar.line,
        inner_starts,
        outer_starts,
    })
}

/// A `HelmRelease` or `OCIRepository` document.
fn resource(ctx: &Ctx<'_>, doc: &Node<'_>, out: &mut Vec<Located>) -> Result<(), PromoteError> {
    match doc.str("kind") {
        Some("HelmRelease") => chart(ctx, doc, out),
        Some("OCIRepository") => oci_ref(ctx, doc, out),
        _ => Ok(()),
    }
}

fn identity(ctx: &Ctx<'_>, doc: &Node<'_>, line: usize) -> Result<(String, String), PromoteError> {
    let meta = doc
        .get("metadata")
        .ok_or_else(|| ctx.malformed(line, "`metadata` is required to key a version"))?;
    let namespace = ctx.required(meta, "namespace", line)?.to_owned();
    let name = ctx.required(meta, "name", line)?.to_owned();
    Ok((namespace, name))
}

fn chart(ctx: &Ctx<'_>, doc: &Node<'_>, out: &mut Vec<Located>) -> Result<(), PromoteError> {
    let Some(spec) = doc.path(&["spec", "chart", "spec"]) else {
        return Ok(());
    };
    let Some((key, value)) = spec.entry("version") else {
        return Ok(());
    };
    let span = ctx.value_span(key, value)?;
    let (namespace, release) = identity(ctx, doc, span.line)?;
    let version = value
        .scalar()
        .map(|s| s.value.to_string())
        .unwrap_or_default();
    out.push(Located {
        version: VersionRef::Chart {
            namespace,
            release,
            version,
        },
        site: ctx.site(
            BTreeMap::from([(Field::Version, span)]),
            None,
            spec.is_flow_map(),
        ),
    });
    Ok(())
}

fn oci_ref(ctx: &Ctx<'_>, doc: &Node<'_>, out: &mut Vec<Located>) -> Result<(), PromoteError> {
    let Some((ref_key, reference)) = doc.get("spec").and_then(|s| s.entry("ref")) else {
        return Ok(());
    };
    let line = ctx.line(ref_key);
    let Node::Map(entries, flow) = reference else {
        return Err(ctx.malformed(line, "`spec.ref` is not a mapping"));
    };
    let mut fields = BTreeMap::new();
    let (mut tag, mut semver, mut digest) = (None, None, None);
    for (k, v) in entries {
        let Some(k) = k.scalar() else {
            return Err(ctx.malformed(line, "`spec.ref` has a non-scalar key"));
        };
        let (field, slot) = match k.value.as_ref() {
            "tag" => (Field::Tag, &mut tag),
            "semver" => (Field::Semver, &mut semver),
            "digest" => (Field::Digest, &mut digest),
            other => {
                return Err(ctx.unsupported(ctx.line(k), format!("`spec.ref.{other}`")));
            }
        };
        fields.insert(field, ctx.value_span(k, v)?);
        *slot = v.scalar().map(|s| s.value.to_string());
    }
    if fields.is_empty() {
        return Ok(());
    }
    let (namespace, name) = identity(ctx, doc, line)?;
    out.push(Located {
        version: VersionRef::OciRef {
            namespace,
            name,
            tag,
            semver,
            digest,
        },
        site: ctx.site(fields, None, *flow),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_literal_patches_map_back_to_the_file() {
        let text = "\
patches:
  - patch: |-
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata:
        name: web
        namespace: apps

      spec:
        chart:
          spec:
            version: \"1.2.0\" # pinned
    target:
      kind: HelmRelease
";
        let found = extract_file("kustomization.yaml", text).unwrap();
        assert_eq!(found.len(), 1);
        let span = &found[0].site.fields[&Field::Version];
        assert_eq!(&text[span.start..span.end], "\"1.2.0\"");
        assert_eq!((span.line, span.column), (12, 22));
        assert_eq!(span.quoting, Quoting::Double);
    }

    #[test]
    fn folded_inline_patches_with_versions_are_unsupported() {
        let text = "patches:\n  - patch: >\n      kind: HelmRelease\n\n      spec: {chart: {spec: {version: 1.0.0}}}\n";
        let err = extract_file("kustomization.yaml", text).unwrap_err();
        assert_eq!(err.metric_label(), "unsupported", "{err}");
    }

    #[test]
    fn a_release_without_namespace_is_malformed() {
        let text = "kind: HelmRelease\nmetadata:\n  name: x\nspec:\n  chart:\n    spec:\n      version: 1.0.0\n";
        let err = extract_file("versions.yaml", text).unwrap_err();
        assert_eq!(
            err,
            PromoteError::Malformed {
                path: "versions.yaml".into(),
                line: 7,
                reason: "`namespace` is required to key a version".into()
            }
        );
    }

    #[test]
    fn unknown_ref_fields_are_unsupported() {
        let text = "kind: OCIRepository\nmetadata: {name: a, namespace: b}\nspec:\n  ref:\n    semverFilter: x\n";
        let err = extract_file("versions.yaml", text).unwrap_err();
        assert_eq!(err.metric_label(), "unsupported");
    }

    #[test]
    fn duplicates_across_files_are_errors() {
        let text = "kind: HelmRelease\nmetadata: {name: x, namespace: y}\nspec: {chart: {spec: {version: 1.0.0}}}\n";
        let err = extract(&[("a.yaml", text), ("b.yaml", text)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chart:y/x is declared twice: at a.yaml:3 and at b.yaml:3"
        );
    }
}
