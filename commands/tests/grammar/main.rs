//! Tests of the public API of `bosun-commands`, one module per concept.

mod comment;
mod help;
mod parse;
mod permission;
mod properties;
mod render;

use bosun_commands::{App, Command, Env, EnvCatalog, ParseError, parse_command};

/// The default catalog: `dev`, `stg`, `prd` (protected), `ops` (protected).
fn envs() -> EnvCatalog {
    EnvCatalog::default()
}

/// A canonical environment of the default catalog.
fn env(name: &str) -> Env {
    envs().resolve(name).expect("a default environment")
}

/// A valid app name.
fn app(name: &str) -> App {
    App::parse(name).expect("a valid app name")
}

/// Parses with the default catalog.
fn parse(text: &str) -> Result<Command, ParseError> {
    parse_command(text, &envs())
}
