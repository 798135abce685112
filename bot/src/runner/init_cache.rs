//! Reusing `.terraform` between runs: after a successful `init`, the runner
//! keeps a copy of the working directory's `.terraform` folder (backend
//! settings, installed modules, provider links) and the dependency lock file
//! `init` left, under the request's init key. A later run in a fresh
//! checkout with the same key gets that copy instead of running `init`.
//!
//! The key changes whenever anything `init` reads changes
//! ([`bosun_reconciler::terraform::init_key`]), and Terraform itself refuses
//! to plan with a `.terraform` that no longer matches the configuration
//! (it asks for `terraform init`), so the runner also falls back to a real
//! `init` when a reused folder is refused.
//!
//! A folder where a remote module calls another remote module is not kept:
//! the key cannot see inside remote modules, so only a fresh `init` knows
//! what those calls resolve to today.
//!
//! Layout: `<root>/<key>/dot-terraform/` and `<root>/<key>/lock.hcl`. An
//! entry is written into a temporary folder and renamed into place, so a
//! reader sees a whole entry or none. The least recently used entries
//! beyond [`InitCache::capacity`] are removed.

use std::io;
use std::path::{Path, PathBuf};

/// Terraform's data folder inside a working directory.
const DATA_DIR: &str = ".terraform";
/// The dependency lock file.
const LOCK_FILE: &str = ".terraform.lock.hcl";
/// The selected workspace is per run, not part of what `init` installs.
const WORKSPACE_FILE: &str = "environment";

/// Kept `.terraform` folders by init key.
#[derive(Debug, Clone)]
pub struct InitCache {
    root: PathBuf,
    capacity: usize,
}

impl InitCache {
    /// A cache under `root`, keeping at most 32 entries.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            capacity: 32,
        }
    }

    /// How many entries are kept at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn entry(&self, key: &str) -> Option<PathBuf> {
        // Keys are hex digests; anything else never names a folder.
        (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| self.root.join(key))
    }

    /// Puts the entry for `key` into `working_dir`; `false` when there is
    /// none (or it could not be copied: then `init` runs as usual).
    pub fn restore(&self, key: &str, working_dir: &Path) -> bool {
        let Some(entry) = self.entry(key) else {
            return false;
        };
        let kept = entry.join("dot-terraform");
        if !kept.is_dir() {
            return false;
        }
        let restored = copy_tree(&kept, &working_dir.join(DATA_DIR)).and_then(|()| {
            let lock = entry.join("lock.hcl");
            if lock.is_file() {
                std::fs::copy(lock, working_dir.join(LOCK_FILE))?;
            }
            Ok(())
        });
        match restored {
            Ok(()) => {
                // The entry's age is when it was last used.
                let _ = touch(&entry);
                true
            }
            Err(error) => {
                tracing::warn!(%error, key, "could not reuse a kept .terraform; running init");
                let _ = std::fs::remove_dir_all(working_dir.join(DATA_DIR));
                false
            }
        }
    }

    /// Keeps `working_dir`'s `.terraform` (and lock file) under `key`,
    /// unless an entry for it exists already.
    pub fn save(&self, key: &str, working_dir: &Path) -> io::Result<()> {
        let Some(entry) = self.entry(key) else {
            return Ok(());
        };
        if entry.is_dir() {
            return Ok(());
        }
        if let Some(module) = nested_remote_module(&working_dir.join(DATA_DIR)) {
            tracing::info!(
                module,
                "not keeping .terraform: a remote module calls another remote module, which a later init may resolve anew"
            );
            return Ok(());
        }
        std::fs::create_dir_all(&self.root)?;
        let staging = tempfile::Builder::new()
            .prefix(".saving-")
            .tempdir_in(&self.root)?;
        let data = working_dir.join(DATA_DIR);
        let kept = staging.path().join("dot-terraform");
        if data.is_dir() {
            copy_tree(&data, &kept)?;
        } else {
            // A root with no backend, modules or providers to install: init
            // made no folder, and there is nothing to keep but that fact.
            std::fs::create_dir_all(&kept)?;
        }
        let _ = std::fs::remove_file(staging.path().join("dot-terraform").join(WORKSPACE_FILE));
        let lock = working_dir.join(LOCK_FILE);
        if lock.is_file() {
            std::fs::copy(lock, staging.path().join("lock.hcl"))?;
        }
        match std::fs::rename(staging.path(), &entry) {
            Ok(()) => {}
            // Another run saved the same key first: theirs is as good.
            Err(_) if entry.is_dir() => return Ok(()),
            Err(error) => return Err(error),
        }
        std::mem::forget(staging);
        self.evict_beyond_capacity();
        Ok(())
    }

    /// Drops the entry for `key` (Terraform refused it).
    pub fn forget(&self, key: &str) {
        if let Some(entry) = self.entry(key) {
            let _ = std::fs::remove_dir_all(entry);
        }
    }

    fn evict_beyond_capacity(&self) {
        let Ok(read) = std::fs::read_dir(&self.root) else {
            return;
        };
        let mut entries: Vec<(std::time::SystemTime, PathBuf)> = read
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.0));
        for (_, stale) in entries.into_iter().skip(self.capacity) {
            let _ = std::fs::remove_dir_all(stale);
        }
    }
}

/// A module that a remote module calls from outside itself (its `Key` is
/// nested, `a.b`, and its source is not a folder of the caller), as `init`
/// recorded it in `modules/modules.json`. The init key sees only the root's
/// and local modules' own calls, so it cannot tell whether such a module
/// would resolve to something newer; a folder with one is not kept.
fn nested_remote_module(data: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(rename = "Modules", default)]
        modules: Vec<Installed>,
    }
    #[derive(serde::Deserialize)]
    struct Installed {
        #[serde(rename = "Key", default)]
        key: String,
        #[serde(rename = "Source", default)]
        source: String,
    }
    let text = std::fs::read_to_string(data.join("modules").join("modules.json")).ok()?;
    let Ok(manifest) = serde_json::from_str::<Manifest>(&text) else {
        return Some("an unreadable modules.json".to_owned());
    };
    manifest
        .modules
        .into_iter()
        .find(|m| {
            m.key.contains('.') && !m.source.starts_with("./") && !m.source.starts_with("../")
        })
        .map(|m| m.key)
}

/// Marks `dir` as used now (its modification time orders eviction).
fn touch(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.set_modified(std::time::SystemTime::now())
}

/// Copies `from` to `to` (made anew), keeping symbolic links as links:
/// providers installed from a plugin cache are links into it. Provider
/// binaries that are regular files are hard-linked when the file system
/// allows; nothing writes to them after `init`.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &target)?;
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if is_provider_binary(&entry.path()) {
            std::fs::hard_link(entry.path(), &target)
                .or_else(|_| std::fs::copy(entry.path(), &target).map(drop))?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn is_provider_binary(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "providers")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn working_dir_after_init() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join(DATA_DIR);
        std::fs::create_dir_all(data.join("providers/registry/x/1.0/linux_amd64")).unwrap();
        std::fs::write(
            data.join("providers/registry/x/1.0/linux_amd64/terraform-provider-x"),
            "binary",
        )
        .unwrap();
        std::os::unix::fs::symlink("/plugin-cache/y", data.join("providers/y")).unwrap();
        std::fs::create_dir_all(data.join("modules")).unwrap();
        std::fs::write(data.join("modules/modules.json"), "{}").unwrap();
        std::fs::write(data.join("terraform.tfstate"), "backend").unwrap();
        std::fs::write(data.join(WORKSPACE_FILE), "staging").unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "lock").unwrap();
        dir
    }

    #[test]
    fn a_saved_entry_restores_into_a_fresh_checkout_without_the_workspace() {
        let root = tempfile::tempdir().unwrap();
        let cache = InitCache::new(root.path());
        let first = working_dir_after_init();
        cache.save("abc123", first.path()).unwrap();

        let fresh = tempfile::tempdir().unwrap();
        assert!(cache.restore("abc123", fresh.path()));
        let data = fresh.path().join(DATA_DIR);
        assert_eq!(
            std::fs::read_to_string(data.join("modules/modules.json")).unwrap(),
            "{}"
        );
        assert_eq!(
            std::fs::read_link(data.join("providers/y")).unwrap(),
            Path::new("/plugin-cache/y")
        );
        assert_eq!(
            std::fs::read_to_string(fresh.path().join(LOCK_FILE)).unwrap(),
            "lock"
        );
        assert!(!data.join(WORKSPACE_FILE).exists());
        assert!(!cache.restore("other", fresh.path()));
    }

    #[test]
    fn a_remote_module_calling_another_remote_module_is_not_kept() {
        let root = tempfile::tempdir().unwrap();
        let cache = InitCache::new(root.path());
        let with = |modules: &str| {
            let dir = working_dir_after_init();
            std::fs::write(dir.path().join(".terraform/modules/modules.json"), modules).unwrap();
            dir
        };
        let local_only = with(
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"aks","Source":"registry.terraform.io/Azure/aks/azurerm","Version":"9.1.0","Dir":".terraform/modules/aks"},{"Key":"aks.pool","Source":"./modules/pool","Dir":".terraform/modules/aks/modules/pool"},{"Key":"net","Source":"../../modules/network","Dir":"../../modules/network"}]}"#,
        );
        cache.save("local", local_only.path()).unwrap();
        let nested_remote = with(
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"aks","Source":"registry.terraform.io/Azure/aks/azurerm","Version":"9.1.0","Dir":".terraform/modules/aks"},{"Key":"aks.naming","Source":"registry.terraform.io/Azure/naming/azurerm","Version":"0.4.2","Dir":".terraform/modules/aks.naming"}]}"#,
        );
        cache.save("nested", nested_remote.path()).unwrap();
        let fresh = tempfile::tempdir().unwrap();
        assert!(cache.restore("local", fresh.path()));
        assert!(!cache.restore("nested", fresh.path()));
    }

    #[test]
    fn forgotten_and_bad_keys_restore_nothing() {
        let root = tempfile::tempdir().unwrap();
        let cache = InitCache::new(root.path());
        let first = working_dir_after_init();
        cache.save("abc123", first.path()).unwrap();
        cache.forget("abc123");
        let fresh = tempfile::tempdir().unwrap();
        assert!(!cache.restore("abc123", fresh.path()));
        assert!(!cache.restore("../abc123", fresh.path()));
        cache.save("../escape", first.path()).unwrap();
        assert!(!root.path().join("../escape").exists());
    }

    #[test]
    fn entries_beyond_capacity_are_evicted_oldest_first() {
        let root = tempfile::tempdir().unwrap();
        let cache = InitCache {
            root: root.path().to_path_buf(),
            capacity: 2,
        };
        let first = working_dir_after_init();
        let hour = std::time::Duration::from_secs(3600);
        for (key, age) in [("k1", 2), ("k2", 1)] {
            cache.save(key, first.path()).unwrap();
            std::fs::File::open(root.path().join(key))
                .unwrap()
                .set_modified(std::time::SystemTime::now() - hour * age)
                .unwrap();
        }
        cache.save("k3", first.path()).unwrap();
        let fresh = tempfile::tempdir().unwrap();
        assert!(!cache.restore("k1", fresh.path()));
        assert!(cache.restore("k3", fresh.path()));
    }
}
