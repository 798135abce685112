//! The `bosun` binary: wiring only.

use bosun::cli::{Cli, CliCommand};
use clap::Parser;
use std::process::ExitCode;

fn init_tracing(quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOSUN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let json = std::env::var("BOSUN_LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(!matches!(cli.command, CliCommand::Serve(_)));
    // One TLS stack for every client: rustls with ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let result = match &cli.command {
        CliCommand::Serve(args) => bosun::serve::run(args).await.map(|()| ExitCode::SUCCESS),
        CliCommand::Send(args) => bosun::oneshot::send(args).await,
        CliCommand::Audit(args) => bosun::oneshot::audit(args).await,
        CliCommand::Drift(args) if !args.local.dry_run => {
            bosun::terraform_service::drift_cli(args).await
        }
        CliCommand::Gate(args) => bosun::gate_cli::run(args).await,
        CliCommand::Cost(args) => bosun::cost::cli::run(args).await,
        command => match command.as_chat_command() {
            Some((name, args)) => bosun::oneshot::run_command(name, args).await,
            None => unreachable!("every other subcommand is a chat command"),
        },
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("bosun: {error:#}");
            ExitCode::FAILURE
        }
    }
}
