//! `bosun serve`: open the store, pick the forge, start the engine and the
//! HTTP server, and stop both cleanly on Ctrl-C or SIGTERM.

use crate::ingress::{self, AppState, ServiceInfo};
use crate::local_forge::LocalForge;
use crate::metrics::Metrics;
use crate::settings::{ServeArgs, Settings};
use anyhow::Context;
use bosun_reconciler::engine::{Engine, EngineConfig, EngineDeps};
use bosun_reconciler::ports::forge::Forge;
use bosun_reconciler::store::{SledStore, Store};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tracing::{info, warn};

/// A running engine with the router that feeds it.
pub struct Service {
    /// The engine.
    pub engine: Arc<Engine>,
    /// The router to serve.
    pub router: axum::Router,
    /// What the status route shows.
    pub info: ServiceInfo,
}

/// Builds the store, forge, engine and router from settings, and starts the
/// engine's workers.
pub fn build(settings: &Settings) -> anyhow::Result<Service> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating data dir {}", settings.data_dir.display()))?;
    let store_dir = settings.data_dir.join("store");
    let store: Arc<dyn Store> = Arc::new(
        SledStore::open(&store_dir)
            .with_context(|| format!("opening the store in {}", store_dir.display()))?,
    );
    let metrics = Arc::new(Metrics::new());
    let (forge, info): (Arc<dyn Forge>, ServiceInfo) = match &settings.github_app {
        Some(app) => {
            let forge = crate::github::from_settings(app, metrics.clone())
                .context("setting up the GitHub App client")?;
            let info = ServiceInfo {
                forge: "github".to_owned(),
                data_dir: settings.data_dir.display().to_string(),
                repo: None,
            };
            (forge, info)
        }
        None => {
            let local =
                LocalForge::open(&settings.repo, Arc::clone(&store)).with_context(|| {
                    format!(
                        "opening {} as the managed git repository",
                        settings.repo.display()
                    )
                })?;
            let info = ServiceInfo {
                forge: "local".to_owned(),
                data_dir: settings.data_dir.display().to_string(),
                repo: Some(local.repo_name().to_string()),
            };
            (Arc::new(local), info)
        }
    };
    let chat = crate::chat::wiring::notifier(&settings.chat, &store, &forge)?;
    let engine = Engine::new(EngineDeps {
        store,
        forge,
        observer: metrics.clone(),
        notifier: chat.notifier,
        config: EngineConfig {
            workers: settings.workers,
            resync_every: settings.resync_every,
            ..EngineConfig::default()
        },
    });
    engine.set_terraform(Arc::new(crate::terraform_service::service(
        &settings.data_dir,
        Some(Arc::clone(engine.notifier())),
    )));
    engine.set_renderer(Arc::new(crate::kustomize::KustomizeRenderer::new()));
    if !settings.clusters.is_empty() {
        let envs = settings
            .clusters
            .iter()
            .map(|(env, cluster)| {
                let connection = crate::cluster::Connection::Settings(cluster.clone());
                (env.clone(), connection)
            })
            .collect();
        engine.set_cluster(Arc::new(crate::cluster::KubeCluster::new(envs)));
    }
    engine.start().context("starting the engine")?;
    engine.set_cost(Arc::new(
        crate::cost::deps(
            settings.prometheus_token.clone(),
            Arc::clone(engine.notifier()),
        )
        .context("setting up the metrics client for GPU cost reports")?,
    ));
    for outbox in &chat.outboxes {
        outbox.spawn();
    }
    crate::chat::wiring::register_discord_commands(&settings.chat);
    let local_repo = info.repo.as_deref().and_then(|r| r.parse().ok());
    let chat_state = crate::chat::wiring::state(
        &settings.chat,
        Arc::clone(&engine),
        metrics.clone(),
        local_repo,
    )?;
    crate::chat::wiring::keep_slack_groups_fresh(&settings.chat, &chat_state)?;
    let api_token = crate::token::ensure_token(&settings.data_dir)
        .with_context(|| format!("writing the API token into {}", settings.data_dir.display()))?;
    let state = Arc::new(AppState {
        engine: Arc::clone(&engine),
        metrics,
        github_secrets: settings.github_webhook_secrets.clone(),
        flux_keys: settings.flux_hmac_keys.clone(),
        max_body: settings.max_body_bytes,
        info: info.clone(),
        api_token: Some(api_token),
        alerts: settings.alerts.clone(),
    });
    Ok(Service {
        engine,
        router: ingress::app(state).merge(crate::chat::router(Arc::new(chat_state))),
        info,
    })
}

/// Runs the server until a shutdown signal.
pub async fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let settings = args.resolve()?;
    let service = build(&settings)?;
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    let address = listener.local_addr()?;
    print_banner(
        &settings,
        &service.info,
        address,
        started.elapsed().as_millis(),
    );
    info!(
        %address,
        forge = service.info.forge,
        ready_ms = started.elapsed().as_millis() as u64,
        "bosun is ready"
    );
    // Reading every repository's schedules may take API calls: done beside
    // the server, so readiness does not wait for it.
    let schedules = {
        let engine = Arc::clone(&service.engine);
        tokio::spawn(async move {
            crate::schedules::start(&engine)
                .await
                .inspect_err(|error| warn!(%error, "the schedules did not start"))
                .ok()
                .flatten()
        })
    };
    axum::serve(listener, service.router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    info!("stopping the engine");
    if let Ok(Some(schedules)) = schedules.await {
        let _ = schedules.stop().await;
    }
    service.engine.stop().await;
    Ok(())
}

/// Tells a person where things are. Written without `println!`, so a closed
/// standard output (a supervisor that stopped reading) cannot stop the server.
fn print_banner(settings: &Settings, info: &ServiceInfo, address: SocketAddr, ready_ms: u128) {
    let mut text = format!(
        "bosun {} is ready in {ready_ms} ms\n  forge:   {}\n",
        env!("CARGO_PKG_VERSION"),
        info.forge
    );
    if let Some(repo) = &info.repo {
        text.push_str(&format!(
            "  repo:    {} ({repo})\n",
            settings.repo.display()
        ));
    }
    text.push_str(&format!(
        "  state:   {}\n  status:  http://{address}/api/v1/status\n  webhook: http://{address}/webhooks/github\n",
        settings.data_dir.join("store").display()
    ));
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
