//! GPU cost reports against a real Prometheus (Debian's `prometheus` 2.42)
//! backfilled with a generated history whose answers are known
//! (`prom/dataset.rs`): the Prometheus adapter, the PromQL, the integration,
//! the pricing, the chart, `/cost` with its notice, the scheduled report and
//! `bosun cost --chart`.

#[path = "support/git_cli.rs"]
mod git_cli;
mod prom;

use bosun::cost::chart::{PngChart, SIZE};
use bosun::cost::prometheus::PrometheusConnector;
use bosun_commands::Env;
use bosun_reconciler::ask::{Answer, LocalAsk, Verdict, handle_local_with};
use bosun_reconciler::config::{Frontend, RepoConfig};
use bosun_reconciler::cost::{self, CostDeps, EnvCost, Missing, NamespaceCost, Window};
use bosun_reconciler::ids::RepoName;
use bosun_reconciler::ports::chart::CostChart;
use bosun_reconciler::ports::metrics::{MetricsConnector, MetricsError};
use bosun_reconciler::ports::notify::Route;
use bosun_reconciler::store::{SledStore, Store};
use bosun_reconciler::testkit::{MemoryForge, RecordingNotifier};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::sync::Arc;
use std::time::Duration;

const A100: &str = "NVIDIA A100-SXM4-80GB";

fn bosun_yaml(url: &str) -> String {
    format!(
        "environments:
  - name: dev
  - name: stg
  - name: prd
cost:
  currency: USD
  prometheus: {url}
  idle_threshold: 30
  prices:
    {A100}: 3.40
    Tesla T4: 0.35
  envs:
    prd:
      cluster: aks-test
      schedule: {{ cron: \"0 8 * * MON\", time_zone: Asia/Dubai }}
"
    )
}

/// A Prometheus on a dataset ending at the last whole hour, stopped when dropped.
struct World {
    server: prom::Prometheus,
    end: DateTime<Utc>,
}

impl World {
    fn start() -> Self {
        // The binary installs this TLS provider in main; reqwest needs one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let end = Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap();
        Self {
            server: prom::Prometheus::start(&prom::dataset::openmetrics(end)),
            end,
        }
    }
}

/// One Prometheus serves every check (starting it is the slow part); each
/// check is its own function, run in turn.
#[tokio::test(flavor = "multi_thread")]
async fn gpu_cost_against_a_real_prometheus() {
    let world = World::start();
    the_report_matches_the_known_answers(&world).await;
    the_chart_is_a_png_of_the_namespaces(&world).await;
    cost_replies_with_the_report_and_posts_a_notice_with_the_chart(&world).await;
    the_scheduled_report_posts_once_per_period(&world).await;
    an_unreachable_or_refusing_server_is_a_clear_error(&world).await;
    bosun_cost_prints_the_report_and_writes_the_chart(&world);
}

fn connector() -> PrometheusConnector {
    PrometheusConnector::new(None, Duration::from_secs(30)).unwrap()
}

fn prd() -> Env {
    config("http://unused.example").envs.resolve("prd").unwrap()
}

fn config(url: &str) -> RepoConfig {
    RepoConfig::parse(&bosun_yaml(url)).unwrap()
}

fn row<'a>(report: &'a EnvCost, namespace: &str) -> &'a NamespaceCost {
    report
        .rows
        .iter()
        .find(|r| r.namespace == namespace)
        .unwrap_or_else(|| panic!("no row for {namespace}: {report:#?}"))
}

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-6,
        "{what}: {actual} is not {expected}"
    );
}

async fn day_report(world: &World) -> EnvCost {
    let (server, end) = (&world.server, &world.end);
    let config = config(&server.url);
    let cost_config = config.cost.as_ref().unwrap();
    // Asked half an hour into the hour after the data ends: the window is
    // the day up to that whole hour.
    let window = Window::ending(*end + TimeDelta::minutes(30), Duration::from_secs(86_400));
    assert_eq!(window.end, *end);
    cost::env_report(&connector(), cost_config, &prd(), window)
        .await
        .unwrap()
}

async fn the_report_matches_the_known_answers(world: &World) {
    let report = day_report(world).await;

    // train: 2 GPUs for 24 h less the 3 h kube-state-metrics gap = 42 GPU-hours
    // on A100s at 3.40; utilisation (90 % + 70 %) / 2 = 80 % read through
    // `exported_namespace`.
    let train = row(&report, "train");
    close(train.gpu_hours, 42.0, "train GPU-hours");
    close(train.utilisation.unwrap(), 0.8, "train utilisation");
    let money = train.money.as_ref().unwrap();
    close(money.cost, 142.8, "train cost");
    close(money.used, 114.24, "train used");
    close(money.idle, 28.56, "train idle");
    // The previous day: 1 GPU for 24 h at 3.40.
    close(train.previous_cost.unwrap(), 81.6, "train previous cost");
    assert_eq!(train.models, vec![A100.to_owned()]);

    // notebooks: 1 T4 for 21 h at 10 %; nothing the day before.
    let notebooks = row(&report, "notebooks");
    close(notebooks.gpu_hours, 21.0, "notebooks GPU-hours");
    let money = notebooks.money.as_ref().unwrap();
    close(money.cost, 7.35, "notebooks cost");
    close(money.idle, 6.615, "notebooks idle");
    assert_eq!(notebooks.previous_cost, Some(0.0));

    // mig: a MIG slice (no DCGM_FI_DEV_GPU_UTIL) for 6 h, engine active 25 %.
    let mig = row(&report, "mig");
    close(mig.gpu_hours, 6.0, "mig GPU-hours");
    close(mig.utilisation.unwrap(), 0.25, "mig utilisation");
    close(mig.money.as_ref().unwrap().cost, 20.4, "mig cost");

    // batch: 4 GPUs for 8 h and no GPU metrics: hours known, cost missing.
    let batch = row(&report, "batch");
    close(batch.gpu_hours, 32.0, "batch GPU-hours");
    assert_eq!(batch.money, Err(Missing::NoGpuMetrics));

    // A Pending pod holds no GPU; the exporter's own namespace requested
    // none; the other cluster is not this environment.
    assert!(report.rows.iter().all(|r| r.namespace != "waiting"));
    assert!(report.rows.iter().all(|r| r.namespace != "gpu-operator"));
    assert_eq!(report.rows.len(), 4);

    close(report.gpu_hours, 101.0, "total GPU-hours");
    close(report.total.cost, 170.55, "total cost");
    close(report.total.used, 120.075, "total used");
    close(report.total.idle, 50.475, "total idle");
    close(report.previous_total.unwrap(), 81.6, "previous total");

    // The gap: E-10h to E-7h.
    let end = &world.end;
    assert_eq!(report.gaps.len(), 1, "{:?}", report.gaps);
    assert_eq!(report.gaps[0].start, *end - TimeDelta::hours(10));
    assert_eq!(report.gaps[0].end, *end - TimeDelta::hours(7));

    // Worst idle under 30 %: mig (15.30 idle), then notebooks (6.62).
    let worst: Vec<&str> = report
        .suggestions
        .iter()
        .map(|s| s.namespace.as_str())
        .collect();
    assert_eq!(worst, vec!["mig", "notebooks"]);
    assert!(report.suggestions[0].advice.contains("MIG"));

    let text = cost::markdown(&cost::CostReport {
        period: "1d".into(),
        currency: "USD".into(),
        envs: vec![report.clone()],
    });
    assert!(
        text.contains("| `train` | 42.0 | 80 % | 142.80 | 114.24 | 28.56 | +75 % (+61.20) |"),
        "{text}"
    );
    assert!(
        text.contains("| `batch` | 32.0 | — | unknown | unknown | unknown | — |"),
        "{text}"
    );
    assert!(text.contains("`batch`: no GPU metrics"), "{text}");
    assert!(text.contains("no kube-state-metrics data"), "{text}");
    assert!(text.contains("(3.0 h)"), "{text}");
}

async fn the_chart_is_a_png_of_the_namespaces(world: &World) {
    let report = day_report(world).await;
    let png_bytes = PngChart.used_vs_idle(&report, "USD").unwrap();
    if let Ok(path) = std::env::var("BOSUN_KEEP_CHART") {
        std::fs::write(path, &png_bytes).unwrap();
    }
    let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), SIZE);
    let pixels = &pixels[..info.buffer_size()];
    let colours: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
    assert!(colours.len() > 10, "the chart is blank");
    // Both bar colours are drawn: used (green) and idle (orange).
    assert!(colours.contains(&[46_u8, 139, 87][..]), "no used bars");
    assert!(colours.contains(&[230_u8, 126, 34][..]), "no idle bars");
}

/// `ask` answered as `bosun ask` would, with this cost service and no Terraform.
async fn ask_with_cost(
    forge: &MemoryForge,
    store: &SledStore,
    deps: &CostDeps,
    ask: &LocalAsk,
) -> Answer {
    handle_local_with(
        forge,
        store as &dyn Store,
        bosun_reconciler::ask::LocalServices {
            terraform: None,
            cost: Some(deps),
        },
        ask,
    )
    .await
    .unwrap()
}

async fn cost_replies_with_the_report_and_posts_a_notice_with_the_chart(world: &World) {
    let server = &world.server;
    let forge = MemoryForge::new();
    let repo: RepoName = "acme/flux".parse().unwrap();
    forge.put_file(&repo, ".bosun.yaml", &bosun_yaml(&server.url));
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(&dir.path().join("store")).unwrap();
    let notifier = Arc::new(RecordingNotifier::new());
    let deps = CostDeps {
        metrics: Arc::new(connector()),
        chart: Arc::new(PngChart),
        notifier: notifier.clone(),
    };
    let ask = LocalAsk {
        id: "cli:1".into(),
        user: "alice".into(),
        frontend: Frontend::Cli,
        repo: repo.clone(),
        text: "/cost prd --period 1d".into(),
        dry_run: false,
    };
    let answer = ask_with_cost(&forge, &store, &deps, &ask).await;
    assert_eq!(answer.verdict, Verdict::Succeeded, "{}", answer.reply);
    assert!(
        answer.reply.contains("## GPU cost, last 1d"),
        "{}",
        answer.reply
    );
    assert!(answer.reply.contains("| `train` |"), "{}", answer.reply);
    let notices = notifier.thread("cost:prd");
    assert_eq!(notices.len(), 1);
    let notice = &notices[0];
    assert_eq!(notice.id, "cost:prd:cli:1");
    assert_eq!(notice.route, Route::Env("prd".into()));
    assert!(
        notice.headline.starts_with("GPU cost prd, last 1d"),
        "{}",
        notice.headline
    );
    let chart = notice.attachment.as_ref().unwrap();
    assert_eq!(chart.media_type, "image/png");
    assert!(chart.bytes.starts_with(b"\x89PNG"));

    // An environment without cost settings is named, with the ones that have them.
    let ask = LocalAsk {
        id: "cli:2".into(),
        text: "/cost dev".into(),
        ..ask
    };
    let answer = ask_with_cost(&forge, &store, &deps, &ask).await;
    assert_eq!(answer.verdict, Verdict::NotAvailable);
    assert!(
        answer.reply.contains("not set up for dev (set up: prd)"),
        "{}",
        answer.reply
    );
    assert_eq!(notifier.notices().len(), 1);
}

async fn the_scheduled_report_posts_once_per_period(world: &World) {
    let server = &world.server;
    let forge = MemoryForge::new();
    let repo: RepoName = "acme/flux".parse().unwrap();
    forge.put_file(&repo, ".bosun.yaml", &bosun_yaml(&server.url));
    let notifier = Arc::new(RecordingNotifier::new());
    let deps = CostDeps {
        metrics: Arc::new(connector()),
        chart: Arc::new(PngChart),
        notifier: notifier.clone(),
    };
    bosun::cost::schedule::report_once(&forge, &deps, &repo, &prd())
        .await
        .unwrap();
    let notices = notifier.thread("cost:prd");
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].id.starts_with("cost:prd:scheduled:"),
        "{}",
        notices[0].id
    );
    assert!(notices[0].body.contains("last 7d"), "{}", notices[0].body);
    assert!(notices[0].attachment.is_some());
}

async fn an_unreachable_or_refusing_server_is_a_clear_error(world: &World) {
    let unreachable = connector().connect("http://127.0.0.1:9").unwrap();
    let window = Window::ending(Utc::now(), Duration::from_secs(3600));
    let queries = cost::CostQueries::new(
        &bosun_reconciler::config::MetricsSource {
            url: "http://127.0.0.1:9".into(),
            cluster: None,
        },
        &window,
    );
    let error = unreachable
        .query_range(&queries.requested)
        .await
        .unwrap_err();
    assert!(matches!(error, MetricsError::Unreachable { .. }), "{error}");

    let server = &world.server;
    let real = connector().connect(&server.url).unwrap();
    let mut bad = queries.requested.clone();
    bad.promql = "sum by (namespace (".into();
    let error = real.query_range(&bad).await.unwrap_err();
    match &error {
        MetricsError::Refused { status, reason, .. } => {
            assert_eq!(*status, 400);
            assert!(reason.contains("bad_data"), "{reason}");
        }
        other => panic!("{other}"),
    }
    let samples = real
        .query(
            "count(kube_pod_status_phase{cluster=\"aks-test\"})",
            world.end - TimeDelta::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(samples.len(), 1);
    assert_eq!(
        samples[0].value, 8.0,
        "4 pods x 2 phases in the data's last hour"
    );
}

fn bosun_cost_prints_the_report_and_writes_the_chart(world: &World) {
    let (server, end) = (&world.server, &world.end);
    let dir = tempfile::tempdir().unwrap();
    git_cli::git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join(".bosun.yaml"), bosun_yaml(&server.url)).unwrap();
    git_cli::git(dir.path(), &["add", "."]);
    git_cli::git(dir.path(), &["commit", "-q", "-m", "init"]);
    let chart = dir.path().join("out.png");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(["cost", "prd", "--period", "1d", "--chart"])
        .arg(&chart)
        .arg("--repo")
        .arg(dir.path())
        .arg("--data-dir")
        .arg(dir.path().join(".bosun"))
        .env("USER", "alice")
        .env_remove("BOSUN_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The CLI reports the day up to the last whole hour; when the hour turned
    // since the data was generated, the window moved and only the shape is checked.
    if Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap() == *end {
        assert!(
            stdout.contains("| `train` | 42.0 | 80 % | 142.80 | 114.24 | 28.56 | +75 % (+61.20) |"),
            "{stdout}"
        );
    }
    assert!(stdout.contains("### prd · last 1d"), "{stdout}");
    let bytes = std::fs::read(&chart).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
}

fn label_names(line: &str) -> std::collections::BTreeSet<String> {
    let inside = &line[line.find('{').unwrap() + 1..line.rfind('}').unwrap()];
    inside
        .split("\",")
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

#[test]
fn the_dataset_speaks_the_exporters_metrics_and_labels() {
    let ksm = include_str!(
        "fixtures/kubernetes/kube-state-metrics/pod-container-resource-lines.extracted.prom"
    );
    let upstream = ksm
        .lines()
        .find(|l| {
            l.starts_with("kube_pod_container_resource_requests{") && l.contains("nvidia_com_gpu")
        })
        .unwrap();
    let dataset =
        prom::dataset::openmetrics(Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap());
    let ours = dataset
        .lines()
        .find(|l| {
            l.starts_with("kube_pod_container_resource_requests{") && l.contains("nvidia_com_gpu")
        })
        .unwrap();
    let mut expected = label_names(upstream);
    expected.insert("cluster".to_owned());
    assert_eq!(label_names(ours), expected, "{upstream}\n{ours}");
    assert!(upstream.contains(r#"unit="integer""#));

    let counters = include_str!("fixtures/kubernetes/dcgm-exporter/dcp-metrics-included.csv");
    let help = |metric: &str| {
        counters
            .lines()
            .find(|l| l.starts_with(&format!("{metric},")))
            .unwrap_or_else(|| panic!("{metric} is not a dcgm-exporter metric"))
            .to_owned()
    };
    // The query divides the first by 100 and takes the second as it is.
    assert!(help("DCGM_FI_DEV_GPU_UTIL").contains("(in %)"));
    assert!(help("DCGM_FI_PROF_GR_ENGINE_ACTIVE").contains("Ratio"));
    assert!(
        include_str!("fixtures/kubernetes/dcgm-exporter/default-counters.csv")
            .contains("DCGM_FI_DEV_GPU_UTIL,")
    );
}
