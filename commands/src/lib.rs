//! The bosun command grammar and authorization rules.
//!
//! Text from every front end (PR comments, Slack, Discord, the CLI) becomes a
//! typed [`Command`] here, once: [`parse_command`] reads one line,
//! [`parse_comment`] finds the command lines of a Markdown comment. Parse
//! errors are data ([`ParseError`]) turned into words only by
//! [`render_parse_error`]. [`PermissionPolicy`] decides who may run what.
//!
//! The crate is pure: no I/O, no async, no clock.
//!
//! ```
//! use bosun_commands::{parse_command, Command, EnvCatalog};
//!
//! let envs = EnvCatalog::default();
//! let command = parse_command("/promote staging prod api", &envs).unwrap();
//! assert!(matches!(command, Command::Promote { .. }));
//! assert_eq!(command.to_string(), "/promote stg prd api");
//! ```

mod command;
mod comment;
mod env;
mod error;
mod help;
mod markdown;
mod parse;
mod permission;
mod render;
mod suggest;
mod value;

pub use command::{Command, CommandName};
pub use comment::{Invocation, parse_comment};
pub use env::{CatalogError, Env, EnvCatalog};
pub use error::ParseError;
pub use help::help_text;
pub use parse::parse_command;
pub use permission::{
    Action, ActorRoles, Allowed, Decision, Permission, PermissionPolicy, Refusal, Role,
};
pub use render::{render_parse_error, render_refusal};
pub use value::{App, Period, RollbackTarget};
