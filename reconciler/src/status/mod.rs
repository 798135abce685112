//! `/status [env]`: what runs where and how each environment stands. The
//! version matrix (apps × environments, from `flux-config/` on the default
//! branch), each environment's Flux sync state when its cluster is
//! configured (said to be not checked otherwise), open promotion pull
//! requests, locks, and firing alerts.

mod gather;
mod view;

pub use gather::{answer, version_matrix};
pub use view::{EnvDetails, EnvSync, GpuCapacity, OpenPromotion, StatusDetails, VersionMatrix};
