//! What a version is, how it is keyed, and where it was found.

use std::collections::BTreeMap;
use std::fmt;

/// The identity of a version across environments: `image:<name>`,
/// `chart:<namespace>/<release>` or `oci:<namespace>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionKey(String);

impl VersionKey {
    /// The key as text, e.g. `"chart:vector-db/qdrant"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VersionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The three kinds of version promotion moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VersionKind {
    /// A kustomize `images:` entry (`newTag` and `digest`).
    Image,
    /// A Flux `HelmRelease`'s `spec.chart.spec.version`.
    Chart,
    /// A Flux `OCIRepository`'s `spec.ref` (`tag`, `semver`, `digest`).
    OciRef,
}

impl fmt::Display for VersionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Image => "image",
            Self::Chart => "chart",
            Self::OciRef => "OCI ref",
        })
    }
}

/// One version field of a [`VersionRef`], in the order fields are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// A chart version (`version`).
    Version,
    /// An image's `newTag` or an OCI ref's `tag`.
    Tag,
    /// An OCI ref's `semver` range.
    Semver,
    /// A `digest` (`sha256:...`).
    Digest,
}

impl Field {
    /// The YAML key this field is written under for `kind`.
    pub fn yaml_key(self, kind: VersionKind) -> &'static str {
        match (self, kind) {
            (Self::Tag, VersionKind::Image) => "newTag",
            (Self::Tag, _) => "tag",
            (Self::Version, _) => "version",
            (Self::Semver, _) => "semver",
            (Self::Digest, _) => "digest",
        }
    }
}

/// A version as written in an overlay: its identity and its version fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum VersionRef {
    /// A kustomize `images:` entry.
    Image {
        /// The image repository as written in `name`, e.g.
        /// `crplatformuaenorth.azurecr.io/vllm/vllm-openai`.
        name: String,
        /// `newTag`.
        tag: Option<String>,
        /// `digest`.
        digest: Option<String>,
    },
    /// A Flux `HelmRelease` chart version.
    Chart {
        /// `metadata.namespace`.
        namespace: String,
        /// `metadata.name`.
        release: String,
        /// `spec.chart.spec.version`.
        version: String,
    },
    /// A Flux `OCIRepository` reference.
    OciRef {
        /// `metadata.namespace`.
        namespace: String,
        /// `metadata.name`.
        name: String,
        /// `spec.ref.tag`.
        tag: Option<String>,
        /// `spec.ref.semver`.
        semver: Option<String>,
        /// `spec.ref.digest`.
        digest: Option<String>,
    },
}

impl VersionRef {
    /// The key that identifies this version in every environment.
    pub fn key(&self) -> VersionKey {
        VersionKey(match self {
            Self::Image { name, .. } => format!("image:{name}"),
            Self::Chart {
                namespace, release, ..
            } => format!("chart:{namespace}/{release}"),
            Self::OciRef {
                namespace, name, ..
            } => format!("oci:{namespace}/{name}"),
        })
    }

    /// The kind of version.
    pub fn kind(&self) -> VersionKind {
        match self {
            Self::Image { .. } => VersionKind::Image,
            Self::Chart { .. } => VersionKind::Chart,
            Self::OciRef { .. } => VersionKind::OciRef,
        }
    }

    /// The app name `/promote <from> <to> [app ...]` matches: an image's last
    /// path segment (`vllm-openai`), a HelmRelease's name, an
    /// OCIRepository's name.
    pub fn app(&self) -> &str {
        match self {
            Self::Image { name, .. } => name.rsplit('/').next().unwrap_or(name),
            Self::Chart { release, .. } => release,
            Self::OciRef { name, .. } => name,
        }
    }

    /// The version fields that are set, in writing order.
    pub fn fields(&self) -> Vec<(Field, &str)> {
        let all: [(Field, Option<&String>); 3] = match self {
            Self::Image { tag, digest, .. } => [
                (Field::Tag, tag.as_ref()),
                (Field::Digest, digest.as_ref()),
                (Field::Semver, None),
            ],
            Self::Chart { version, .. } => [
                (Field::Version, Some(version)),
                (Field::Tag, None),
                (Field::Digest, None),
            ],
            Self::OciRef {
                tag,
                semver,
                digest,
                ..
            } => [
                (Field::Tag, tag.as_ref()),
                (Field::Semver, semver.as_ref()),
                (Field::Digest, digest.as_ref()),
            ],
        };
        let mut set: Vec<(Field, &str)> = all
            .into_iter()
            .filter_map(|(f, v)| v.map(|v| (f, v.as_str())))
            .collect();
        set.sort_by_key(|(f, _)| *f);
        set
    }

    /// Whether `other` has the same version fields (identity not compared).
    pub fn same_version(&self, other: &VersionRef) -> bool {
        self.fields() == other.fields()
    }

    /// The version for people, with digests cut to 12 hex digits
    /// (`v0.11.0@sha256:c8b7310dbea9`).
    pub fn short(&self) -> String {
        self.render(true)
    }

    fn render(&self, short: bool) -> String {
        let mut out = String::new();
        for (field, value) in self.fields() {
            match field {
                Field::Version | Field::Tag => out.push_str(value),
                Field::Semver => {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str("semver ");
                    out.push_str(value);
                }
                Field::Digest => {
                    out.push('@');
                    out.push_str(if short { short_digest(value) } else { value });
                }
            }
        }
        out
    }
}

fn short_digest(digest: &str) -> &str {
    match digest.split_once(':') {
        Some((algo, hex)) if hex.len() > 12 => &digest[..algo.len() + 1 + 12],
        _ => digest,
    }
}

impl fmt::Display for VersionRef {
    /// The version fields: `v0.11.0@sha256:<hex>`, `1.16.0`,
    /// `semver >=1.19.0 <1.20.0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// How a scalar was quoted in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Plain, unquoted.
    Plain,
    /// `'single'`.
    Single,
    /// `"double"`.
    Double,
}

/// Where one version value is written: the byte span of its scalar
/// (quotes included) in the file text, and its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSpan {
    /// Byte offset of the scalar's first byte.
    pub start: usize,
    /// Byte offset just past the scalar.
    pub end: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (bytes).
    pub column: usize,
    /// The quoting style, kept when the value is rewritten.
    pub quoting: Quoting,
    /// Byte offset of the field's key (`newTag`, `version`, ...).
    pub(crate) key_start: usize,
}

/// Where a version is written: the file, and the span of each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The file path as given to [`extract`](super::extract).
    pub path: String,
    /// The span of each field that is set.
    pub fields: BTreeMap<Field, ValueSpan>,
    /// Byte offset of the identity key (`name:` of an image entry), if it
    /// is in the same mapping as the fields; new fields go after it.
    pub(crate) anchor_key: Option<usize>,
    /// Whether the fields' mapping is in flow style (`{tag: x}`): values
    /// can be replaced there, but fields cannot be added or removed.
    pub(crate) flow: bool,
}

/// A version and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The version.
    pub version: VersionRef,
    /// Where it is written.
    pub site: Site,
}

/// Every version of one environment's overlays, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvVersions {
    pub(crate) entries: BTreeMap<VersionKey, Located>,
}

impl EnvVersions {
    /// The version under `key`, with its location.
    pub fn get(&self, key: &VersionKey) -> Option<&Located> {
        self.entries.get(key)
    }

    /// Every version, by key order.
    pub fn iter(&self) -> impl Iterator<Item = (&VersionKey, &Located)> {
        self.entries.iter()
    }

    /// The versions alone, by key order.
    pub fn versions(&self) -> impl Iterator<Item = &VersionRef> {
        self.entries.values().map(|l| &l.version)
    }

    /// How many versions there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The app names (see [`VersionRef::app`]), sorted and deduplicated.
    pub fn apps(&self) -> Vec<String> {
        let mut apps: Vec<String> = self.versions().map(|v| v.app().to_owned()).collect();
        apps.sort();
        apps.dedup();
        apps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_apps_and_display() {
        let image = VersionRef::Image {
            name: "cr.io/vllm/vllm-openai".into(),
            tag: Some("v0.11.0".into()),
            digest: Some(format!("sha256:{}", "c8b7310dbea9".repeat(5))),
        };
        assert_eq!(image.key().as_str(), "image:cr.io/vllm/vllm-openai");
        assert_eq!(image.app(), "vllm-openai");
        assert_eq!(image.short(), "v0.11.0@sha256:c8b7310dbea9");
        let oci = VersionRef::OciRef {
            namespace: "cert-manager".into(),
            name: "cert-manager".into(),
            tag: None,
            semver: Some(">=1.19.0 <1.20.0".into()),
            digest: None,
        };
        assert_eq!(oci.key().as_str(), "oci:cert-manager/cert-manager");
        assert_eq!(oci.to_string(), "semver >=1.19.0 <1.20.0");
        let chart = VersionRef::Chart {
            namespace: "vector-db".into(),
            release: "qdrant".into(),
            version: "1.16.0".into(),
        };
        assert_eq!(chart.key().as_str(), "chart:vector-db/qdrant");
        assert_eq!(
            (chart.app(), chart.to_string()),
            ("qdrant", "1.16.0".into())
        );
        assert_eq!(chart.kind().to_string(), "chart");
    }
}
