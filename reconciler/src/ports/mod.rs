//! The ports: what the engine needs from the outside world, as traits.
//! Adapters live in the `bot` crate; in-memory doubles behind `testkit`.

pub mod chart;
pub mod cluster;
pub mod forge;
pub mod metrics;
pub mod notify;
pub mod renderer;
pub mod runner;
