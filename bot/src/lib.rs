//! The `bosun` binary's library: HTTP ingress and request verification, the
//! adapters that implement the engine's ports, settings, CLI and wiring.

pub mod alert_digest;
pub mod audit_cli;
pub mod chat;
pub mod cli;
pub mod cluster;
pub mod console_notifier;
pub mod cost;
pub mod gate_cli;
pub mod github;
pub mod ingress;
pub mod kustomize;
pub mod local_forge;
pub mod metrics;
pub mod oneshot;
pub mod runner;
pub mod scheduler;
pub mod schedules;
pub mod serve;
pub mod settings;
pub mod terraform_service;
pub mod token;
