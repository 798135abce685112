//! The workspace's own files as test data.

use std::path::{Path, PathBuf};

/// The root of this workspace.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every text file under `dir` (relative to the workspace root), with its
/// path from the root.
pub fn workspace_tree(dir: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, text));
            }
        }
    }
    let root = workspace_root();
    let mut files = Vec::new();
    walk(&root.join(dir), &root, &mut files);
    files
}
