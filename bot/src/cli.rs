//! The command line: `bosun serve`, every chat command as a subcommand with
//! the same words, `bosun send`, and `bosun audit`.

use crate::settings::ServeArgs;
use bosun_commands::CommandName;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// bosun: GitOps reconciler and ChatOps bot.
#[derive(Debug, Parser)]
#[command(
    name = "bosun",
    version,
    about = "bosun: GitOps reconciler and ChatOps bot. Every chat command is also a subcommand, with the same words.",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: CliCommand,
}

/// Where a one-shot command runs.
#[derive(Debug, Clone, Args)]
pub struct LocalArgs {
    /// The checkout the command acts on.
    #[arg(long, env = "BOSUN_REPO", default_value = ".")]
    pub repo: PathBuf,
    /// The store bosun keeps its state in (locks, audit log).
    #[arg(long, env = "BOSUN_DATA_DIR", default_value = ".bosun")]
    pub data_dir: PathBuf,
    /// Show what bosun would say and do, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// A chat command's arguments, in the same words as in chat. The grammar,
/// not clap, decides what each command accepts: `--force` and `--period` are
/// handed to it as written.
#[derive(Debug, Clone, Args)]
pub struct CommandArgs {
    /// The words after the command, e.g. `stg prd api`.
    pub words: Vec<String>,
    /// `/promote ... --force`: skip a promotion stage (platform role).
    #[arg(long)]
    pub force: bool,
    /// `/cost ... --period 7d`: the period to report on.
    #[arg(long)]
    pub period: Option<String>,
    /// Where it runs.
    #[command(flatten)]
    pub local: LocalArgs,
}

impl CommandArgs {
    /// The chat text these arguments stand for, e.g. `/promote stg prd --force`.
    pub fn chat_text(&self, name: CommandName) -> String {
        let mut text = format!("/{name}");
        for word in &self.words {
            text.push(' ');
            text.push_str(word);
        }
        if self.force {
            text.push_str(" --force");
        }
        if let Some(period) = &self.period {
            text.push_str(" --period ");
            text.push_str(period);
        }
        text
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Run the server: webhooks in, reconciles out.
    Serve(ServeArgs),
    /// `/plan <env>`: terraform plan for an environment.
    Plan(CommandArgs),
    /// `/apply <env>`: apply the saved plan for an environment.
    Apply(CommandArgs),
    /// `/promote <from> <to> [app ...] [--force]`: open a promotion PR.
    Promote(CommandArgs),
    /// `/rollback <env> [to <sha-or-pr>]`: restore an earlier promotion.
    Rollback(CommandArgs),
    /// `/drift [env]`: run drift detection now.
    Drift(CommandArgs),
    /// `/cost [env] [--period 7d] [--chart out.png]`: GPU cost summary.
    Cost(CostArgs),
    /// `/status [env]`: environments, freezes and open pull requests.
    Status(CommandArgs),
    /// `/lock <env> [reason ...]`: freeze changes to an environment.
    Lock(CommandArgs),
    /// `/unlock <env>`: lift a freeze.
    Unlock(CommandArgs),
    /// `/help [command]`: what each command does and who may run it.
    Help(CommandArgs),
    /// Send a command to a running `bosun serve` and print its reply.
    Send(SendArgs),
    /// Print the audit log.
    Audit(AuditArgs),
    /// Judge a checkout as the merge gate would (`bosun/gate`): exit 0 pass, 1 fail.
    Gate(crate::gate_cli::GateArgs),
}

impl CliCommand {
    /// The chat command a subcommand stands for, with its arguments.
    pub fn as_chat_command(&self) -> Option<(CommandName, &CommandArgs)> {
        let pair = match self {
            Self::Plan(a) => (CommandName::Plan, a),
            Self::Apply(a) => (CommandName::Apply, a),
            Self::Promote(a) => (CommandName::Promote, a),
            Self::Rollback(a) => (CommandName::Rollback, a),
            Self::Drift(a) => (CommandName::Drift, a),
            Self::Cost(a) => (CommandName::Cost, &a.command),
            Self::Status(a) => (CommandName::Status, a),
            Self::Lock(a) => (CommandName::Lock, a),
            Self::Unlock(a) => (CommandName::Unlock, a),
            Self::Help(a) => (CommandName::Help, a),
            Self::Serve(_) | Self::Send(_) | Self::Audit(_) | Self::Gate(_) => return None,
        };
        Some(pair)
    }
}

/// `bosun cost`: the chat command's words, and where to write the chart.
#[derive(Debug, Clone, Args)]
pub struct CostArgs {
    /// The words, `--period` and where it runs.
    #[command(flatten)]
    pub command: CommandArgs,
    /// Write the used-vs-idle chart (PNG) here; with several environments,
    /// one file each (`out-prd.png`).
    #[arg(long)]
    pub chart: Option<PathBuf>,
    /// Bearer token for the metrics API (Mimir behind a gateway).
    #[arg(long, env = "BOSUN_PROMETHEUS_TOKEN", hide_env_values = true)]
    pub prometheus_token: Option<String>,
}

/// Flags of `bosun send`.
#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// The command, e.g. '/status prd'.
    pub text: String,
    /// The server's address.
    #[arg(long, env = "BOSUN_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// The server's data directory (holds the API token).
    #[arg(long, env = "BOSUN_DATA_DIR", default_value = ".bosun")]
    pub data_dir: PathBuf,
    /// Show what bosun would say and do, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Flags of `bosun audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// How far back: 24h, 7d, 90m.
    #[arg(long, default_value = "24h")]
    pub since: String,
    /// Print JSON, one array of entries.
    #[arg(long)]
    pub json: bool,
    /// The store's data directory.
    #[arg(long, env = "BOSUN_DATA_DIR", default_value = ".bosun")]
    pub data_dir: PathBuf,
    /// The server to ask when it holds the store.
    #[arg(long, env = "BOSUN_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
}
