//! `KustomizeRenderer`, the [`Renderer`] adapter: an overlay's files are
//! written into a fresh temporary directory and rendered by the real
//! `kubectl kustomize` (kubectl's built-in kustomize), with a timeout. The
//! directory is removed afterwards, whatever happened.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use bosun_reconciler::ports::forge::RepoFile;
use bosun_reconciler::ports::renderer::{RenderError, Renderer};
use tokio::process::Command;

/// How long one render may take.
pub const DEFAULT_RENDER_TIMEOUT: Duration = Duration::from_secs(60);

/// Renders overlays with `kubectl kustomize`.
#[derive(Debug, Clone)]
pub struct KustomizeRenderer {
    kubectl: PathBuf,
    timeout: Duration,
}

impl Default for KustomizeRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl KustomizeRenderer {
    /// `kubectl` from `BOSUN_KUBECTL`, else from `PATH`.
    pub fn new() -> Self {
        let kubectl = std::env::var_os("BOSUN_KUBECTL")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("kubectl"));
        Self {
            kubectl,
            timeout: DEFAULT_RENDER_TIMEOUT,
        }
    }

    /// Render an overlay folder that already exists on disk.
    pub async fn render_dir(&self, dir: &Path, overlay: &str) -> Result<String, RenderError> {
        let mut command = Command::new(&self.kubectl);
        command
            .arg("kustomize")
            .arg(dir)
            .env_remove("KUBECONFIG")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let output = match tokio::time::timeout(self.timeout, command.output()).await {
            Err(_) => {
                return Err(RenderError::Failed {
                    overlay: overlay.to_owned(),
                    message: format!("kubectl kustomize ran longer than {:?}", self.timeout),
                });
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(RenderError::ToolMissing(format!(
                    "`{}` was not found: install kubectl (scripts/tools.sh does) or set BOSUN_KUBECTL",
                    self.kubectl.display()
                )));
            }
            Ok(Err(e)) => {
                return Err(RenderError::Io {
                    overlay: overlay.to_owned(),
                    message: format!("could not run {}: {e}", self.kubectl.display()),
                });
            }
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            return Err(RenderError::Failed {
                overlay: overlay.to_owned(),
                message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        String::from_utf8(output.stdout).map_err(|_| RenderError::Io {
            overlay: overlay.to_owned(),
            message: "kubectl kustomize printed something that is not UTF-8".to_owned(),
        })
    }
}

/// A temporary directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `path` as a relative path with no `..`, or `None`.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| p.to_path_buf())
}

#[async_trait]
impl Renderer for KustomizeRenderer {
    async fn render(&self, files: &[RepoFile], overlay: &str) -> Result<String, RenderError> {
        let io = |message: String| RenderError::Io {
            overlay: overlay.to_owned(),
            message,
        };
        let scratch =
            Scratch(std::env::temp_dir().join(format!("bosun-render-{}", uuid::Uuid::new_v4())));
        for file in files {
            let relative = safe_relative(&file.path)
                .ok_or_else(|| io(format!("refusing the path `{}`", file.path)))?;
            let target = scratch.0.join(relative);
            if let Some(parent) = target.parent() {
                tokio::fs::create_dir_all(parent)
                    .await
                    .map_err(|e| io(format!("{}: {e}", parent.display())))?;
            }
            tokio::fs::write(&target, &file.text)
                .await
                .map_err(|e| io(format!("{}: {e}", target.display())))?;
        }
        let dir = safe_relative(overlay)
            .ok_or_else(|| io(format!("refusing the overlay `{overlay}`")))?;
        self.render_dir(&scratch.0.join(dir), overlay).await
    }
}
