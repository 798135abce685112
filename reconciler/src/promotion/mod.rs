//! Promotions as a flow: the rules that allow one, the pull request that
//! carries it, and the record that lets bosun report back when it merges and
//! when Flux applies it. The version arithmetic lives in [`crate::promote`].

pub mod applied;
pub mod open;
pub mod publish;
pub mod record;
pub mod rollback;
pub mod source_ready;

pub use open::{Blocked, PromoteAsk, PromoteOutcome, branch_name, promote};
pub use record::{Applied, MovedVersion, PromotionRecord, Promotions};
pub use rollback::{RollbackAsk, RollbackOutcome, rollback, rollback_branch};
