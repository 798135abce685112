//! GPU cost reports in the binary: the Prometheus adapter of the `Metrics`
//! port, the PNG chart, `bosun cost --chart`, and the scheduled reports.

pub mod chart;
pub mod cli;
pub mod prometheus;
pub mod schedule;

use bosun_reconciler::cost::CostDeps;
use bosun_reconciler::ports::notify::Notifier;
use secrecy::SecretString;
use std::sync::Arc;

/// Everything `/cost` needs: Prometheus clients with `token`, the PNG chart,
/// and `notifier`.
pub fn deps(
    token: Option<SecretString>,
    notifier: Arc<dyn Notifier>,
) -> Result<CostDeps, bosun_reconciler::ports::metrics::MetricsError> {
    Ok(CostDeps {
        metrics: Arc::new(prometheus::PrometheusConnector::new(
            token,
            prometheus::DEFAULT_TIMEOUT,
        )?),
        chart: Arc::new(chart::PngChart),
        notifier,
    })
}
