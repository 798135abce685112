//! The reconcile loop: verified events go into the store's inbox, their keys
//! into the work queue; workers take keys one at a time per key, reconcile
//! them against the forge, and report what happened.
//!
//! Reconciliation is level-triggered: a reconcile reads the current state
//! and converges on it, so running a key twice (after a crash, a resync or a
//! redelivery) ends in the same outside world as running it once.

use crate::error::ReconcileError;
use crate::event::{Event, EventKind};
use crate::ids::WorkKey;
use crate::ports::forge::{Forge, Marker};
use crate::ports::notify::Notifier;
use crate::ports::renderer::Renderer;
use crate::queue::WorkQueue;
use crate::store::{Appended, PendingEvent, Store, StoreError};
use crate::{alerts, pr, promotion, repo};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{Instrument, info, info_span, warn};

/// Receives what the engine does, for metrics.
pub trait EngineObserver: Send + Sync {
    /// The number of keys waiting or running changed.
    fn queue_depth(&self, depth: usize);
    /// One reconcile finished, with the error's metric label if it failed.
    fn reconciled(&self, elapsed: Duration, error_label: Option<&'static str>);
}

/// An observer that ignores everything (for tools and tests).
pub struct NoObserver;

impl EngineObserver for NoObserver {
    fn queue_depth(&self, _depth: usize) {}
    fn reconciled(&self, _elapsed: Duration, _error_label: Option<&'static str>) {}
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Reconciles that may run at once (each on a different key).
    pub workers: usize,
    /// First delay before a failed key is tried again; doubles per failure.
    pub retry_base: Duration,
    /// Longest delay before a failed key is tried again.
    pub retry_max: Duration,
    /// How often every open pull request is enqueued again.
    pub resync_every: Duration,
    /// How long delivery ids are remembered to refuse redeliveries.
    pub remember_deliveries: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            workers: 4,
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(300),
            resync_every: Duration::from_secs(300),
            remember_deliveries: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// What the inbox did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// Stored; this many keys were enqueued for it.
    Accepted {
        /// Keys enqueued.
        keys: usize,
    },
    /// Stored, but it is bosun's own doing and wakes nothing.
    OwnEvent,
    /// A redelivery of a stored event: nothing changed.
    Duplicate,
}

/// The ports and settings an engine is built from.
pub struct EngineDeps {
    /// The durable store.
    pub store: Arc<dyn Store>,
    /// The code host.
    pub forge: Arc<dyn Forge>,
    /// Where metrics go.
    pub observer: Arc<dyn EngineObserver>,
    /// Where notices for people go (chat, or the console).
    pub notifier: Arc<dyn Notifier>,
    /// Settings.
    pub config: EngineConfig,
}

/// The reconciler: inbox, queue and workers.
pub struct Engine {
    store: Arc<dyn Store>,
    forge: Arc<dyn Forge>,
    observer: Arc<dyn EngineObserver>,
    notifier: Arc<dyn Notifier>,
    config: EngineConfig,
    queue: Arc<WorkQueue>,
    bot_login: Mutex<Option<String>>,
    failures: Mutex<HashMap<WorkKey, u32>>,
    /// Keys to look at again after a while without a new event (a pending
    /// gate's deadline), taken by the worker after each run.
    revisits: Mutex<Vec<(WorkKey, Duration)>>,
    /// Signalled each time a revisit has enqueued its key.
    revisited: tokio::sync::Notify,
    running: AtomicBool,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Issue 5: Terraform work, when this bosun runs Terraform.
    terraform: std::sync::OnceLock<Arc<crate::terraform::TerraformService>>,
    renderer: std::sync::OnceLock<Arc<dyn Renderer>>,
    cluster: std::sync::OnceLock<Arc<dyn crate::ports::cluster::Cluster>>,
    cost: std::sync::OnceLock<Arc<crate::cost::CostDeps>>,
}

impl Engine {
    /// Builds an engine; nothing runs until [`Engine::start`].
    pub fn new(deps: EngineDeps) -> Arc<Self> {
        Arc::new(Self {
            store: deps.store,
            forge: deps.forge,
            observer: deps.observer,
            notifier: deps.notifier,
            config: deps.config,
            queue: WorkQueue::new(),
            bot_login: Mutex::new(None),
            failures: Mutex::new(HashMap::new()),
            revisits: Mutex::new(Vec::new()),
            revisited: tokio::sync::Notify::new(),
            running: AtomicBool::new(false),
            stop: watch::channel(false).0,
            tasks: Mutex::new(Vec::new()),
            terraform: std::sync::OnceLock::new(),
            renderer: std::sync::OnceLock::new(),
            cluster: std::sync::OnceLock::new(),
            cost: std::sync::OnceLock::new(),
        })
    }

    /// Issue 5: lets this engine plan, apply and look for drift with
    /// `terraform` (set once, before [`Engine::start`]; later calls are ignored).
    pub fn set_terraform(&self, terraform: Arc<crate::terraform::TerraformService>) {
        let _ = self.terraform.set(terraform);
    }

    /// Issue 5: the Terraform service, when set.
    pub fn terraform(&self) -> Option<&Arc<crate::terraform::TerraformService>> {
        self.terraform.get()
    }

    /// Gives the merge gate (issue 6) its overlay renderer; only the first
    /// call counts. Without one, overlays a pull request touches are
    /// reported as not rendered.
    pub fn set_renderer(&self, renderer: Arc<dyn Renderer>) {
        let _ = self.renderer.set(renderer);
    }

    /// Gives `/cost` its metrics and chart (once; later calls are ignored).
    pub fn set_cost(&self, deps: Arc<crate::cost::CostDeps>) {
        let _ = self.cost.set(deps);
    }

    /// What `/cost` needs, when set.
    pub fn cost(&self) -> Option<&Arc<crate::cost::CostDeps>> {
        self.cost.get()
    }

    /// Where notices for people go.
    pub fn notifier(&self) -> &Arc<dyn Notifier> {
        &self.notifier
    }

    /// Gives the engine the environments' clusters (once; later calls are
    /// ignored). Without one, `/status` says the clusters were not checked.
    pub fn set_cluster(&self, cluster: Arc<dyn crate::ports::cluster::Cluster>) {
        let _ = self.cluster.set(cluster);
    }

    /// The environments' clusters, when set.
    pub fn cluster(&self) -> Option<&Arc<dyn crate::ports::cluster::Cluster>> {
        self.cluster.get()
    }

    /// The forge the engine works on.
    pub fn forge(&self) -> &Arc<dyn Forge> {
        &self.forge
    }

    /// The store behind the engine.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Stores a verified event and enqueues the keys it touches. Returns
    /// once the event is durable: the caller may acknowledge it then.
    pub fn ingest(&self, event: &Event) -> Result<Ingested, StoreError> {
        let own = self.is_own(&event.kind);
        let keys = if own { Vec::new() } else { event.kind.keys() };
        match self.store.append_event(event, &keys)? {
            Appended::Duplicate => Ok(Ingested::Duplicate),
            Appended::New => {
                for key in &keys {
                    self.queue.enqueue(key.clone());
                }
                self.observer.queue_depth(self.queue.depth());
                Ok(if own {
                    Ingested::OwnEvent
                } else {
                    Ingested::Accepted { keys: keys.len() }
                })
            }
        }
    }

    /// Whether an event is bosun's own comment (never reacted to).
    fn is_own(&self, kind: &EventKind) -> bool {
        let EventKind::Comment(comment) = kind else {
            return false;
        };
        let login = self.lock_login().clone();
        let by_bot_login = login.is_some_and(|l| l == comment.author.login);
        by_bot_login || (comment.author.is_bot && Marker::any_in(&comment.body))
    }

    fn lock_login(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.bot_login.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Enqueues keys durably (resync, or a service asking for a rerun).
    pub fn enqueue(&self, keys: &[WorkKey]) -> Result<(), StoreError> {
        self.store.enqueue(keys)?;
        for key in keys {
            self.queue.enqueue(key.clone());
        }
        self.observer.queue_depth(self.queue.depth());
        Ok(())
    }

    /// Reloads the keys a previous run left in the store, starts the workers
    /// and the periodic resync.
    pub fn start(self: &Arc<Self>) -> Result<(), StoreError> {
        for queued in self.store.queued_keys()? {
            self.queue.enqueue(queued.key);
        }
        // The first resync is queued before start returns, so nothing that
        // waits for the engine to settle can miss it.
        self.queue.enqueue(WorkKey::Resync);
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..self.config.workers.max(1) {
            let engine = Arc::clone(self);
            tasks.push(tokio::spawn(async move { engine.work().await }));
        }
        let engine = Arc::clone(self);
        tasks.push(tokio::spawn(async move { engine.resync_loop().await }));
        self.running.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Whether the workers run.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Keys waiting, delayed or running.
    pub fn queue_depth(&self) -> usize {
        self.queue.depth()
    }

    /// Waits until nothing is waiting, delayed or running.
    pub async fn idle(&self) {
        self.queue.idle().await;
    }

    /// Stops the workers after the reconciles in flight finish.
    pub async fn stop(&self) {
        self.running.store(false, Ordering::SeqCst);
        let _ = self.stop.send(true);
        let tasks: Vec<_> = self.take_tasks();
        for task in tasks {
            let _ = task.await;
        }
    }

    /// Stops every task at once, wherever it is, as a crash would.
    pub fn abort(&self) {
        self.running.store(false, Ordering::SeqCst);
        for task in self.take_tasks() {
            task.abort();
        }
    }

    fn take_tasks(&self) -> Vec<JoinHandle<()>> {
        std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Enqueues every managed repository (whose reconcile enqueues its open
    /// pull requests) and forgets old delivery ids.
    async fn resync(&self) -> Result<(), ReconcileError> {
        let repos = self.forge.managed_repos().await?;
        let keys: Vec<WorkKey> = repos
            .into_iter()
            .map(|repo| WorkKey::Repository { repo })
            .collect();
        info!(repositories = keys.len(), "resync");
        self.enqueue(&keys)?;
        let horizon = chrono::Duration::from_std(self.config.remember_deliveries)
            .unwrap_or(chrono::Duration::days(7));
        self.store.prune_deliveries(chrono::Utc::now() - horizon)?;
        Ok(())
    }

    /// Asks for a resync every `resync_every` (the first is queued by start).
    async fn resync_loop(self: Arc<Self>) {
        let mut stop = self.stop.subscribe();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(self.config.resync_every) => {}
                _ = stop.changed() => return,
            }
            self.queue.enqueue(WorkKey::Resync);
            self.observer.queue_depth(self.queue.depth());
        }
    }

    async fn work(self: Arc<Self>) {
        let mut stop = self.stop.subscribe();
        loop {
            let key = tokio::select! {
                key = self.queue.next() => key,
                _ = stop.changed() => return,
            };
            let retry = self.run(&key).await;
            self.queue.done(key, retry);
            self.observer.queue_depth(self.queue.depth());
            self.schedule_revisits();
        }
    }

    /// Waits until a revisit (see below) has enqueued its key; one that
    /// happened before the call counts.
    pub async fn revisit_enqueued(&self) {
        self.revisited.notified().await;
    }

    /// Enqueues each key asked to be revisited once its delay has passed.
    /// The wait lives only in this process; after a restart the periodic
    /// resync looks at every open pull request anyway.
    fn schedule_revisits(self: &Arc<Self>) {
        let due = std::mem::take(&mut *self.revisits.lock().unwrap_or_else(|e| e.into_inner()));
        for (key, delay) in due {
            let engine = Arc::clone(self);
            let mut stop = self.stop.subscribe();
            tokio::spawn(async move {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {
                        if let Err(error) = engine.enqueue(std::slice::from_ref(&key)) {
                            warn!(%error, %key, "could not enqueue a revisit");
                        }
                        engine.revisited.notify_one();
                    }
                    _ = stop.changed() => {}
                }
            });
        }
    }

    /// Runs one reconcile of `key`; returns when to retry it if it failed.
    async fn run(&self, key: &WorkKey) -> Option<Duration> {
        let started = Instant::now();
        let span = info_span!("reconcile", key = %key);
        let outcome = self.run_once(key).instrument(span.clone()).await;
        let label = outcome.as_ref().err().map(ReconcileError::metric_label);
        self.observer.reconciled(started.elapsed(), label);
        let _entered = span.enter();
        match outcome {
            Ok(()) => {
                self.lock_failures().remove(key);
                None
            }
            Err(error) => {
                let delay = self.error_policy(key, &error);
                warn!(%error, label = error.metric_label(), retry_in = ?delay, "reconcile failed");
                Some(delay)
            }
        }
    }

    fn lock_failures(&self) -> std::sync::MutexGuard<'_, HashMap<WorkKey, u32>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long to wait before trying a failed key again: the forge's own
    /// word when it asked for a pause, else exponential backoff with jitter.
    fn error_policy(&self, key: &WorkKey, error: &ReconcileError) -> Duration {
        let attempts = {
            let mut failures = self.lock_failures();
            let count = failures.entry(key.clone()).or_insert(0);
            *count = count.saturating_add(1);
            *count
        };
        if let Some(wait) = error.retry_after() {
            return wait.min(self.config.retry_max);
        }
        let exponent = attempts.saturating_sub(1).min(16);
        let backoff = self.config.retry_base.saturating_mul(1 << exponent);
        let capped = backoff.min(self.config.retry_max);
        // Full jitter in the upper half keeps retries of many keys apart.
        capped / 2 + capped.mul_f64(fastrand::f64() / 2.0)
    }

    async fn run_once(&self, key: &WorkKey) -> Result<(), ReconcileError> {
        if *key == WorkKey::Resync {
            return self.resync().await;
        }
        let Some(generation) = self.store.generation(key)? else {
            // Handled already by an earlier run (the queue held a stale copy).
            return Ok(());
        };
        let events = self.store.pending_events(key)?;
        let done = self.reconcile(key, &events).await;
        // Terraform work (a plan, an apply, an `/unlock`, from any front-end)
        // may have passed a lock on: the next pull request in line is planned.
        if let Some(terraform) = self.terraform.get() {
            self.enqueue(&terraform.take_wakes())?;
        }
        done?;
        crate::chat::progress::announce(self.store.as_ref(), self.notifier.as_ref(), key).await?;
        let handled: Vec<u64> = events.iter().map(|e| e.seq).collect();
        self.store.complete(key, generation, &handled)?;
        Ok(())
    }

    async fn bot_login(&self) -> Result<String, ReconcileError> {
        if let Some(login) = self.lock_login().clone() {
            return Ok(login);
        }
        let login = self.forge.bot_login().await?;
        *self.lock_login() = Some(login.clone());
        Ok(login)
    }

    /// The services a request handled by this engine may use.
    fn ask_services(&self) -> crate::ask::AskServices<'_> {
        crate::ask::AskServices {
            terraform: self.terraform.get().map(|t| t.as_ref()),
            cluster: self.cluster.get().map(|c| c.as_ref()),
            cost: self.cost.get().map(|c| c.as_ref()),
        }
    }

    async fn reconcile(
        &self,
        key: &WorkKey,
        events: &[PendingEvent],
    ) -> Result<(), ReconcileError> {
        match key {
            WorkKey::PullRequest { repo, number } => {
                let ctx = pr::PrContext {
                    forge: self.forge.as_ref(),
                    store: self.store.as_ref(),
                    bot_login: self.bot_login().await?,
                    renderer: self.renderer.get().map(|r| r.as_ref()),
                    services: self.ask_services(),
                };
                if let Some(delay) = pr::reconcile(&ctx, repo, *number, events).await? {
                    self.revisits
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((key.clone(), delay));
                }
                Ok(())
            }
            WorkKey::Repository { repo } => {
                let gate = crate::gating::GateContext {
                    forge: self.forge.as_ref(),
                    store: self.store.as_ref(),
                    renderer: None,
                };
                crate::gating::ingest_runs(&gate, repo, events).await?;
                let keys = repo::open_pull_request_keys(self.forge.as_ref(), repo).await?;
                self.enqueue(&keys)?;
                Ok(())
            }
            WorkKey::Env { env } => {
                // Alerts first: they need no forge, so a forge outage does
                // not hold back what is on fire.
                alerts::reconcile_env(self.store.as_ref(), self.notifier.as_ref(), env, events)
                    .await?;
                promotion::applied::reconcile_env(
                    self.forge.as_ref(),
                    self.store.as_ref(),
                    env,
                    events,
                )
                .await
            }
            WorkKey::Resync => self.resync().await,
            WorkKey::Chat { repo } => {
                let ctx = crate::chat::ChatContext {
                    forge: self.forge.as_ref(),
                    store: self.store.as_ref(),
                    notifier: self.notifier.as_ref(),
                    services: self.ask_services(),
                };
                crate::chat::reconcile(&ctx, repo, events).await
            }
        }
    }
}
