//! Every text bosun writes for people, from pure functions in one place.
//!
//! Each function here has a snapshot test, so a change to what users read is
//! always a reviewed change.

mod alerts;
mod envs;
mod promote_replies;
mod promotion;
mod replies;
mod status_report;

pub use alerts::{LISTED, ThreadText, alert_digest, alert_group, flux_failure};
pub use envs::envs_comment;
pub use promote_replies::{
    promotion_body, promotion_frozen, promotion_locked, promotion_not_soaked, promotion_opened,
    promotion_out_of_order, promotion_overlay_problem, promotion_preview, promotion_title,
    rollback_body, rollback_nothing, rollback_opened, rollback_preview, rollback_title,
};
pub use promotion::{humanize_delay, promotion_applied, promotion_failed, promotion_waiting};
pub use replies::{
    EnvStatus, StatusView, config_error, internal_error, locked, not_available, pr_reply, status,
    unlocked,
};
pub use status_report::status_report;
