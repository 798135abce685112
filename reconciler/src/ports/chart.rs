//! The `CostChart` port: draws a cost report as a picture people would
//! rather look at than read. The adapter (plotters, PNG) lives in `bot`.

use crate::cost::EnvCost;

/// Draws charts of cost reports.
pub trait CostChart: Send + Sync {
    /// A PNG of used vs idle cost per namespace of one environment.
    fn used_vs_idle(&self, env: &EnvCost, currency: &str) -> Result<Vec<u8>, String>;
}
