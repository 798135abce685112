//! The end-to-end harness: the real router, engine and sled store, with the
//! real GitHub adapter talking HTTP to the GitHub fake. Deliveries are real
//! webhook payloads from `tests/fixtures/github/webhooks`, signed here with
//! GitHub's algorithm.

#![allow(dead_code)]

use super::github::GitHubFake;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bosun::github::GitHubForge;
use bosun::ingress::{AppState, DEFAULT_MAX_BODY, ServiceInfo, app, signature::sign_sha256};
use bosun::metrics::Metrics;
use bosun_reconciler::engine::{Engine, EngineConfig, EngineDeps};
use bosun_reconciler::ports::forge::Forge;
use bosun_reconciler::ports::notify::Notifier;
use bosun_reconciler::store::{SledStore, Store};
use secrecy::SecretString;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// The webhook secret the harness signs with.
pub const SECRET: &str = "e2e-webhook-secret";

/// The bearer token Alertmanager presents to the harness.
pub const ALERTMANAGER_TOKEN: &str = "e2e-alertmanager-token";

/// The key of the Flux `generic-hmac` Provider the harness signs with.
pub const FLUX_KEY: &str = "e2e-flux-hmac-key";

/// A real Flux event body from `tests/fixtures/flux`.
pub fn flux_event(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/flux")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A real webhook payload from the fixtures.
pub fn payload(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github/webhooks")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// GitHub's `pull_request` `closed` payload (the fixture) for a merged
/// `number` with this head and merge commit.
pub fn closed_merged(number: u64, head: &str, merge: &str) -> Vec<u8> {
    use serde_json::{Value, json};
    let mut event: Value = serde_json::from_slice(&payload("pull_request.closed")).unwrap();
    event["number"] = json!(number);
    event["pull_request"]["number"] = json!(number);
    event["pull_request"]["merged"] = json!(true);
    event["pull_request"]["merge_commit_sha"] = json!(merge);
    event["pull_request"]["head"]["sha"] = json!(head);
    serde_json::to_vec(&event).unwrap()
}

/// The record of a `/promote stg prd` asked on `repo#1` by octocat that
/// opened pull request `number`, moving nothing yet and not merged.
pub fn stg_to_prd_promotion(
    repo: &str,
    number: u64,
) -> bosun_reconciler::promotion::PromotionRecord {
    bosun_reconciler::promotion::PromotionRecord {
        repo: repo.parse().unwrap(),
        from: "stg".to_owned(),
        to: "prd".to_owned(),
        number: bosun_reconciler::ids::PrNumber(number),
        url: format!("https://github.com/{repo}/pull/{number}"),
        branch: "bosun/promote/stg-to-prd".to_owned(),
        asked_by: "forge:octocat".to_owned(),
        asked_where: format!("{repo}#1"),
        moves: Vec::new(),
        previous: Vec::new(),
        opened_at: chrono::Utc::now(),
        merged_sha: None,
        merged_at: None,
        applied: None,
    }
}

/// One running bosun over a data directory.
pub struct Bosun {
    /// The engine.
    pub engine: Arc<Engine>,
    /// The router.
    pub router: axum::Router,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// Every notice the engine told people.
    pub notices: Arc<bosun_reconciler::testkit::RecordingNotifier>,
}

/// The fake GitHub, a data directory, and the bosun running over it.
pub struct Harness {
    /// GitHub.
    pub github: GitHubFake,
    /// The data directory (kept across restarts).
    pub dir: tempfile::TempDir,
    /// The running bosun (replaced by [`Harness::crash_and_restart`]).
    bosun: Option<Bosun>,
    /// The Flux keys every bosun of this harness accepts.
    flux_keys: Vec<SecretString>,
}

/// The Flux keys of a default harness: the current one and a retired one.
fn default_flux_keys() -> Vec<SecretString> {
    vec![
        SecretString::from("the-previous-flux-key"),
        SecretString::from(FLUX_KEY),
    ]
}

/// The engine of the end-to-end tests over these ports: two workers, fast
/// retries, and no resync within a test.
pub fn test_engine(
    store: Arc<dyn Store>,
    forge: Arc<dyn Forge>,
    metrics: Arc<Metrics>,
    notifier: Arc<dyn Notifier>,
) -> Arc<Engine> {
    Engine::new(EngineDeps {
        store,
        forge,
        observer: metrics,
        notifier,
        config: EngineConfig {
            workers: 2,
            retry_base: Duration::from_millis(5),
            retry_max: Duration::from_millis(200),
            resync_every: Duration::from_secs(3600),
            ..EngineConfig::default()
        },
    })
}

/// Sends `request` through `router`: the status, and the body as JSON
/// (`null` when it is not JSON).
pub async fn send_to(
    router: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, serde_json::Value) {
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, json)
}

fn start_bosun(github: &GitHubFake, dir: &Path, flux_keys: &[SecretString]) -> Bosun {
    let metrics = Arc::new(Metrics::new());
    let notices = Arc::new(bosun_reconciler::testkit::RecordingNotifier::new());
    let forge = GitHubForge::new(github.config(), metrics.clone()).expect("GitHub forge");
    let engine = test_engine(
        Arc::new(SledStore::open(dir).expect("store")),
        Arc::new(forge),
        metrics.clone(),
        notices.clone(),
    );
    engine.set_renderer(Arc::new(bosun::kustomize::KustomizeRenderer::new()));
    let state = Arc::new(AppState {
        engine: Arc::clone(&engine),
        metrics: metrics.clone(),
        github_secrets: vec![
            SecretString::from("the-previous-secret"),
            SecretString::from(SECRET),
        ],
        flux_keys: flux_keys.to_vec(),
        max_body: DEFAULT_MAX_BODY,
        info: ServiceInfo {
            forge: "github".to_owned(),
            data_dir: dir.display().to_string(),
            repo: None,
        },
        api_token: None,
        alerts: bosun::ingress::AlertIngress {
            tokens: vec![
                SecretString::from("the-previous-alertmanager-token"),
                SecretString::from(ALERTMANAGER_TOKEN),
            ],
            env_labels: vec!["env".into(), "environment".into(), "cluster".into()],
        },
    });
    Bosun {
        engine,
        router: app(state),
        metrics,
        notices,
    }
}

impl Harness {
    /// A fake GitHub and a bosun whose engine is built but not started.
    pub async fn new(github: GitHubFake) -> Self {
        Self::with_flux_keys(github, default_flux_keys()).await
    }

    /// Like [`Harness::new`], with these Flux keys (none: Flux is refused).
    pub async fn with_flux_keys(github: GitHubFake, flux_keys: Vec<SecretString>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let bosun = Some(start_bosun(&github, dir.path(), &flux_keys));
        Self {
            github,
            dir,
            bosun,
            flux_keys,
        }
    }

    /// The running bosun.
    pub fn bosun(&self) -> &Bosun {
        self.bosun.as_ref().expect("a bosun is running")
    }

    /// Starts the engine's workers.
    pub fn start(&self) {
        self.bosun().engine.start().expect("engine start");
    }

    /// Posts a delivery with a signature made with `secret`.
    pub async fn post(
        &self,
        event: &str,
        delivery: &str,
        body: Vec<u8>,
        signature: Option<String>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = Request::post("/webhooks/github")
            .header("content-type", "application/json")
            .header("user-agent", "GitHub-Hookshot/e2e")
            .header("x-github-event", event)
            .header("x-github-delivery", delivery);
        if let Some(signature) = signature {
            request = request.header("x-hub-signature-256", signature);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Posts a Flux event to `/webhooks/flux` with `signature` as its
    /// `X-Signature` header, as a `generic-hmac` Provider does.
    pub async fn post_flux(
        &self,
        body: Vec<u8>,
        signature: Option<String>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = Request::post("/webhooks/flux")
            .header("content-type", "application/json")
            .header("gotk-component", "kustomize-controller");
        if let Some(signature) = signature {
            request = request.header("x-signature", signature);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Posts an Alertmanager notification with `authorization` as its
    /// `Authorization` header.
    pub async fn post_alertmanager(
        &self,
        body: Vec<u8>,
        authorization: Option<&str>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = Request::post("/webhooks/alertmanager")
            .header("content-type", "application/json")
            .header("user-agent", "Alertmanager/0.25.0");
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Posts a Flux event signed as the Provider would with [`FLUX_KEY`].
    pub async fn deliver_flux(&self, body: Vec<u8>) -> (StatusCode, serde_json::Value) {
        let signature = sign_sha256(FLUX_KEY, &body);
        self.post_flux(body, Some(signature)).await
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, serde_json::Value) {
        send_to(&self.bosun().router, request).await
    }

    /// Posts a delivery signed as GitHub would with the shared secret.
    pub async fn deliver(&self, event: &str, delivery: &str, body: Vec<u8>) -> StatusCode {
        let signature = sign_sha256(SECRET, &body);
        self.post(event, delivery, body, Some(signature)).await.0
    }

    /// Waits until the engine has nothing left to do.
    pub async fn settle(&self) {
        tokio::time::timeout(Duration::from_secs(30), self.bosun().engine.idle())
            .await
            .expect("the engine did not settle within 30 s");
    }

    /// Kills this bosun wherever it is (as `kill -9` would) and starts a new
    /// one over the same data directory.
    pub async fn crash_and_restart(&mut self) {
        if let Some(old) = self.bosun.take() {
            old.engine.abort();
        }
        // Aborted tasks drop their handles to the store on their next poll;
        // wait until the store's directory lock is free.
        let dir = self.dir.path().to_owned();
        let reopened = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match SledStore::open(&dir) {
                    Ok(store) => break store,
                    Err(_) => tokio::task::yield_now().await,
                }
            }
        })
        .await
        .expect("the crashed engine released the store");
        drop(reopened);
        self.bosun = Some(start_bosun(&self.github, self.dir.path(), &self.flux_keys));
    }

    /// Serves the router on a TCP port of 127.0.0.1, for real senders
    /// (Alertmanager); returns the address.
    pub async fn serve_http(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = listener.local_addr().expect("address");
        let router = self.bosun().router.clone();
        tokio::spawn(async move { axum::serve(listener, router).await });
        address
    }

    /// The metrics text.
    pub fn metrics(&self) -> String {
        self.bosun().metrics.render()
    }

    /// Issue 5: lets the engine run Terraform as `serve` wires it (the real
    /// `terraform` on `PATH`, as `scripts/test` provides it; checkouts, kept
    /// `.terraform` folders and the plugin cache under the data directory).
    /// Call before [`Harness::start`]. Returns where drift notices go.
    pub fn enable_terraform(&self) -> Arc<bosun_reconciler::testkit::RecordingNotifier> {
        let notices = Arc::new(bosun_reconciler::testkit::RecordingNotifier::new());
        let service = bosun::terraform_service::service(self.dir.path(), Some(notices.clone()));
        self.bosun().engine.set_terraform(Arc::new(service));
        notices
    }
}
