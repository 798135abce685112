//! The bosun engine: domain events, the durable store, the work queue, the
//! reconcile loop and the ports it talks to the world through.
//!
//! Nothing in this crate names a vendor type: payloads are translated into
//! [`event::Event`]s at the edge (in `bot`), and effects go out through the
//! traits in [`ports`].

pub mod alerts;
pub mod ask;
pub mod audit;
pub mod chat;
pub mod config;
pub mod cost;
pub mod engine;
pub mod error;
pub mod event;
pub mod gate;
pub mod gating;
pub mod glob;
pub mod ids;
pub mod locks;
pub mod messages;
pub mod plan;
pub mod ports;
pub mod pr;
pub mod promote;
pub mod promotion;
pub mod queue;
pub mod repo;
pub mod status;
pub mod store;
pub mod sync;
pub mod terraform;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
