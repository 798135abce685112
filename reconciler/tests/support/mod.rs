//! The engine-scenario harness shared by the `reconciler` integration tests:
//! the real engine over a real sled store in a temporary directory, with the
//! in-memory forge, and comments delivered on pull request #1 of
//! `acme/platform` as GitHub would deliver them.

#![allow(dead_code)]

use bosun_reconciler::engine::{Engine, EngineConfig, EngineDeps, NoObserver};
use bosun_reconciler::event::{Actor, CommentAction, CommentEvent, Event, EventKind};
use bosun_reconciler::ids::{DeliveryId, PrNumber, RepoName};
use bosun_reconciler::store::SledStore;
use bosun_reconciler::testkit::MemoryForge;
use std::sync::Arc;
use std::time::Duration;

/// The repository every scenario works on.
pub fn repo() -> RepoName {
    "acme/platform".parse().unwrap()
}

/// Every file of the project's `flux-config/`, as (path, text).
pub fn flux_config() -> Vec<(String, String)> {
    bosun_reconciler::testkit::workspace_tree("flux-config")
}

/// A running engine over a temporary store and a seeded memory forge.
pub struct Running {
    _dir: tempfile::TempDir,
    /// The forge.
    pub forge: Arc<MemoryForge>,
    /// The store.
    pub store: Arc<SledStore>,
    /// The engine.
    pub engine: Arc<Engine>,
    /// Deliveries sent so far (for unique delivery ids).
    pub deliveries: u64,
}

impl Running {
    /// Starts the engine over `forge` and waits for its first resync.
    pub async fn start(forge: Arc<MemoryForge>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SledStore::open(dir.path()).unwrap());
        let engine = Engine::new(EngineDeps {
            store: store.clone(),
            forge: forge.clone(),
            observer: Arc::new(NoObserver),
            notifier: Arc::new(bosun_reconciler::testkit::RecordingNotifier::new()),
            config: EngineConfig {
                retry_base: Duration::from_millis(5),
                ..EngineConfig::default()
            },
        });
        engine.start().unwrap();
        let running = Self {
            _dir: dir,
            forge,
            store,
            engine,
            deliveries: 0,
        };
        running.settle().await;
        running
    }

    /// Waits until the engine has nothing left to do.
    pub async fn settle(&self) {
        tokio::time::timeout(Duration::from_secs(30), self.engine.idle())
            .await
            .expect("the engine did not settle");
    }

    /// A delivery id not used before.
    pub fn next_delivery(&mut self) -> DeliveryId {
        self.deliveries += 1;
        DeliveryId::new("github", &format!("d{}", self.deliveries)).unwrap()
    }

    /// Delivers an event and waits for the engine to handle it.
    pub async fn deliver(&mut self, kind: EventKind) {
        let event = Event {
            delivery: self.next_delivery(),
            received_at: chrono::Utc::now(),
            kind,
        };
        self.engine.ingest(&event).unwrap();
        self.settle().await;
    }

    /// `author` writes (or edits) comment `id` on pull request #1.
    pub async fn comment(&mut self, id: u64, author: &str, action: CommentAction, body: &str) {
        self.deliver(EventKind::Comment(CommentEvent {
            repo: repo(),
            number: PrNumber(1),
            on_pull_request: true,
            comment_id: id,
            action,
            author: Actor::user(author),
            body: body.to_owned(),
        }))
        .await;
    }

    /// bosun's replies to commands on pull request #1, oldest first.
    pub fn replies(&self) -> Vec<String> {
        self.forge
            .comments_on(&repo(), 1)
            .into_iter()
            .filter(|c| c.body.starts_with("<!-- bosun:cmd:"))
            .map(|c| c.body)
            .collect()
    }

    /// bosun's reply to comment `id` on pull request #1 (empty when none).
    pub fn reply_to(&self, id: u64) -> String {
        let marker = format!("<!-- bosun:cmd:{id}:");
        self.replies()
            .into_iter()
            .find(|body| body.starts_with(&marker))
            .unwrap_or_default()
    }
}
