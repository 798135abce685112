//! What can go wrong while reading, diffing and editing overlays.

use super::versions::VersionKey;

/// A promotion failure a caller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoteError {
    /// A file is not valid YAML.
    #[error("{path}:{line}: not valid YAML: {reason}")]
    Yaml {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What the parser said.
        reason: String,
    },
    /// A version is written in a shape that cannot be read (a missing
    /// name or namespace, a non-scalar value).
    #[error("{path}:{line}: {reason}")]
    Malformed {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A version is written in a shape promotion cannot edit safely (a
    /// folded inline patch, an unknown `spec.ref` field, adding a field to a
    /// flow mapping).
    #[error("{path}:{line}: not supported: {reason}")]
    Unsupported {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is not supported.
        reason: String,
    },
    /// The same version is declared twice in one environment.
    #[error("{key} is declared twice: at {first} and at {second}")]
    Duplicate {
        /// The key.
        key: VersionKey,
        /// `path:line` of the first declaration.
        first: String,
        /// `path:line` of the second.
        second: String,
    },
    /// An app named on the command line matches no version.
    #[error("unknown app `{app}`; known apps: {}", known.join(", "))]
    UnknownApp {
        /// The name given.
        app: String,
        /// The app names both environments know, sorted.
        known: Vec<String>,
    },
    /// A target version has no counterpart in the overlay being edited.
    #[error("{key} is not in the overlay being edited")]
    NotInOverlay {
        /// The key.
        key: VersionKey,
    },
    /// Re-reading the edited files did not give the target versions: a bug,
    /// never a user error.
    #[error("the edit of {key} did not take: {reason}")]
    EditMismatch {
        /// The key.
        key: VersionKey,
        /// What re-reading found.
        reason: String,
    },
}

impl PromoteError {
    /// A short label for metrics.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Self::Yaml { .. } => "yaml",
            Self::Malformed { .. } => "malformed",
            Self::Unsupported { .. } => "unsupported",
            Self::Duplicate { .. } => "duplicate",
            Self::UnknownApp { .. } => "unknown_app",
            Self::NotInOverlay { .. } => "not_in_overlay",
            Self::EditMismatch { .. } => "edit_mismatch",
        }
    }
}
