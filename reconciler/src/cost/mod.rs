//! GPU cost reports: what each namespace's GPUs cost over a period, how much
//! of it was idle, how that compares with the period before, and what to do
//! about the worst idle namespaces.
//!
//! - `promql.rs`: the window and the PromQL (documented there);
//! - `usage.rs`: series → GPU-hours, utilisation and gaps (pure);
//! - `compute.rs`: usage → money, change, suggestions (pure);
//! - `render.rs`: the report in Markdown (pure);
//! - `service.rs`: querying the `Metrics` port and telling people.

mod compute;
mod promql;
mod render;
mod service;
mod usage;

pub use compute::{EnvCost, Missing, Money, NamespaceCost, Suggestion, env_cost};
pub use promql::{CostQueries, Window};
pub use render::{CostReport, headline, markdown};
pub use service::{
    CostDeps, CostError, announce, env_report, envs_to_report, measure, notice, report,
};
pub use usage::{CostSeries, EnvUsage, Gap, GpuObservation, NamespaceUsage, usage};
