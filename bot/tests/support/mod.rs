//! Shared harness of the `bot` integration tests: fakes of the services
//! bosun talks to, speaking HTTP.

pub mod github;
pub mod harness;
pub mod monitoring;
pub mod terraform;
pub mod tree;
