//! The `Renderer` port: a kustomize overlay's files become the rendered
//! Kubernetes manifests the merge gate's policies judge. The adapter (in
//! `bot`) writes the files into a temporary directory and runs the real
//! `kubectl kustomize`.

use crate::ports::forge::RepoFile;
use async_trait::async_trait;

/// Why an overlay could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The renderer's tool is not installed.
    #[error("{0}")]
    ToolMissing(String),
    /// The tool refused the overlay (bad YAML, a missing base…).
    #[error("rendering {overlay} failed: {message}")]
    Failed {
        /// The overlay's folder.
        overlay: String,
        /// What the tool said.
        message: String,
    },
    /// The files could not be written or the tool's output read.
    #[error("rendering {overlay}: {message}")]
    Io {
        /// The overlay's folder.
        overlay: String,
        /// What failed.
        message: String,
    },
}

/// Renders kustomize overlays.
#[async_trait]
pub trait Renderer: Send + Sync {
    /// Renders the overlay at folder `overlay` (`flux-config/apps/prd`);
    /// `files` hold it and everything it references, paths from the
    /// repository root. Returns the multi-document YAML stream.
    async fn render(&self, files: &[RepoFile], overlay: &str) -> Result<String, RenderError>;
}
