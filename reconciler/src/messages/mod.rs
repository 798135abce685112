//! Every text bosun writes for people, from pure functions in one place.
//!
//! Each function here has a snapshot test, so a change to what users read is
//! always a reviewed change.

mod envs;
mod replies;

pub use envs::envs_comment;
pub use replies::{
    EnvStatus, StatusView, config_error, internal_error, locked, not_available, pr_reply, status,
    unlocked,
};
