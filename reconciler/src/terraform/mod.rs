//! Terraform as a service of the engine: autoplan on pull requests, `/plan`,
//! `/apply` with requirements, per-project locks with a FIFO queue, apply
//! after merge, and drift reports.
//!
//! The pure parts (reading `show -json`, summaries, comments, masking) live
//! in [`crate::plan`]; this module decides what to plan and when, keeps the
//! records (plans per pull request, environment and head commit; locks and
//! queues) in the store, and runs Terraform through the [`Runner`] port in a
//! per-run checkout made from the forge's files at a commit.

pub mod apply;
pub mod autoplan;
pub mod checkout;
pub mod commands;
pub mod drift;
pub mod init_key;
pub mod locks;
pub mod records;
mod run;
mod words;

use crate::config::RepoConfig;
use crate::ids::WorkKey;
use crate::ports::forge::Forge;
use crate::ports::notify::Notifier;
use crate::ports::runner::Runner;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The file name of a saved plan inside a project's checkout.
pub const PLAN_FILE: &str = "bosun.tfplan";

/// How long one plan or apply may take unless set otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What Terraform work needs besides the forge and the store.
pub struct TerraformService {
    runner: Arc<dyn Runner>,
    work_root: PathBuf,
    timeout: Duration,
    notifier: Option<Arc<dyn Notifier>>,
    wake: Mutex<Vec<WorkKey>>,
    serial: Mutex<()>,
}

impl TerraformService {
    /// Terraform work through `runner`, with per-run checkouts under `work_root`.
    pub fn new(runner: Arc<dyn Runner>, work_root: impl Into<PathBuf>) -> Self {
        Self {
            runner,
            work_root: work_root.into(),
            timeout: DEFAULT_TIMEOUT,
            notifier: None,
            wake: Mutex::new(Vec::new()),
            serial: Mutex::new(()),
        }
    }

    /// Sets how long one plan or apply may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends drift notices to `notifier`.
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// Where per-run checkouts are made.
    pub fn work_root(&self) -> &Path {
        &self.work_root
    }

    /// The keys Terraform work asked to reconcile again (a freed lock's next
    /// pull request, a pull request whose plan the gate should read); the
    /// engine enqueues them after each reconcile.
    pub fn take_wakes(&self) -> Vec<WorkKey> {
        std::mem::take(&mut *self.wake.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn wake(&self, key: WorkKey) {
        let mut keys = self.wake.lock().unwrap_or_else(|e| e.into_inner());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }

    /// Serialises read-modify-write of lock records between workers.
    fn serial(&self) -> MutexGuard<'_, ()> {
        self.serial.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What one piece of Terraform work runs with.
pub struct TfContext<'a> {
    /// The code host.
    pub forge: &'a dyn Forge,
    /// The store.
    pub store: &'a dyn Store,
    /// The repository's settings.
    pub config: &'a RepoConfig,
    /// The runner, checkouts and wake list.
    pub service: &'a TerraformService,
    /// The environments' clusters, when configured: drift runs read Flux
    /// drift there too.
    pub cluster: Option<&'a dyn crate::ports::cluster::Cluster>,
    /// Now.
    pub now: DateTime<Utc>,
}
