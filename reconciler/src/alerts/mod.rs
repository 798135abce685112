//! What is on fire, told once: Alertmanager notifications and Flux error
//! events summarised into one chat thread per alert group (`alert:<env>:<name>`)
//! or per Flux object (`flux:<env>:<kind>/<ns>/<name>`), updated in place as
//! things fire and resolve, and a daily digest per environment.
//!
//! The state lives in the store (namespaces [`GROUPS`] and [`FLUX_FAILURES`]);
//! the work runs in the environment's reconcile (`env:<name>`).

mod batch;
mod digest;
pub(crate) mod flux_errors;
pub(crate) mod group;
mod reconcile;

pub use batch::{Alert, AlertBatch, AlertStatus, DigestDue};
pub use digest::{Digest, NOISIEST, digest};
pub use flux_errors::{FluxChange, FluxFailure, object_of};
pub use group::{AlertGroup, Changes, Firing, HISTORY_DAYS, TrackedAlert};
pub use reconcile::{FLUX_FAILURES, GROUPS, flux_failures_of, groups_of, reconcile_env};
