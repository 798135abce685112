//! Running one command from the terminal: in-process against a checkout
//! (`bosun status`, `bosun lock prd ...`), or through a running server
//! (`bosun send`), and reading the audit log (`bosun audit`).

use crate::audit_cli;
use crate::cli::{AuditArgs, CommandArgs, SendArgs};
use crate::local_forge::LocalForge;
use crate::token::read_token;
use anyhow::{Context, bail};
use bosun_commands::CommandName;
use bosun_reconciler::ask::{LocalAsk, LocalServices, Verdict, handle_local_with};
use bosun_reconciler::audit::{AuditEntry, AuditLog};
use bosun_reconciler::config::Frontend;
use bosun_reconciler::cost::CostDeps;
use bosun_reconciler::store::{SledStore, Store, StoreError};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// The exit code for a verdict: 0 ran, 1 refused or invalid, 2 not available yet.
pub fn exit_code(verdict: Verdict) -> ExitCode {
    match verdict {
        Verdict::Succeeded => ExitCode::SUCCESS,
        Verdict::Refused | Verdict::Invalid => ExitCode::from(1),
        Verdict::NotAvailable => ExitCode::from(2),
    }
}

/// The operating system user running bosun.
pub fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "local".to_owned())
}

fn open_store(data_dir: &Path) -> anyhow::Result<Arc<SledStore>> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    SledStore::open(&data_dir.join("store")).map(Arc::new).map_err(|e| match e {
        StoreError::Io(reason) if reason.contains("lock") || reason.contains("WouldBlock") => {
            anyhow::anyhow!(
                "the store in {} is held by a running `bosun serve`; use `bosun send '...'` to ask it instead",
                data_dir.display()
            )
        }
        other => anyhow::anyhow!("opening the store in {}: {other}", data_dir.display()),
    })
}

/// Runs a chat command in-process against a checkout and prints the reply.
pub async fn run_command(name: CommandName, args: &CommandArgs) -> anyhow::Result<ExitCode> {
    run_command_with(name, args, None).await
}

/// [`run_command`] with what `/cost` needs.
pub async fn run_command_with(
    name: CommandName,
    args: &CommandArgs,
    cost: Option<&CostDeps>,
) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.local.data_dir)?;
    let forge = LocalForge::open(&args.local.repo, store.clone())
        .with_context(|| format!("opening {} as a git checkout", args.local.repo.display()))?;
    let text = args.chat_text(name);
    let ask = LocalAsk {
        id: format!("cli:{}", uuid::Uuid::new_v4()),
        user: local_user(),
        frontend: Frontend::Cli,
        repo: forge.repo_name().clone(),
        text,
        dry_run: args.local.dry_run,
    };
    let terraform = crate::terraform_service::service(&args.local.data_dir, None);
    let services = LocalServices {
        terraform: Some(&terraform),
        cost,
    };
    let answer = handle_local_with(&forge, store.as_ref() as &dyn Store, services, &ask).await?;
    if args.local.dry_run {
        println!("(dry run: nothing was changed)\n");
    }
    println!("{}", answer.reply.trim_end());
    Ok(exit_code(answer.verdict))
}

fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .context("building the HTTP client")
}

/// `bosun send`: asks a running server and prints its reply.
pub async fn send(args: &SendArgs) -> anyhow::Result<ExitCode> {
    let token = read_token(&args.data_dir).with_context(|| {
        format!(
            "reading the API token in {} (is `bosun serve` running with this --data-dir?)",
            args.data_dir.display()
        )
    })?;
    let url = format!("{}/api/v1/commands", args.server.trim_end_matches('/'));
    let body = serde_json::json!({
        "text": args.text,
        "id": uuid::Uuid::new_v4().to_string(),
        "user": local_user(),
        "dry_run": args.dry_run,
    });
    let response = client()?
        .post(&url)
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&token))
        .json(&body)
        .send()
        .await
        .with_context(|| format!("reaching {url}"))?;
    let status = response.status();
    let answer: serde_json::Value = response.json().await.context("reading the reply")?;
    if let Some(reply) = answer.get("reply").and_then(|r| r.as_str()) {
        println!("{}", reply.trim_end());
    }
    if !status.is_success() && answer.get("reply").is_none() {
        bail!(
            "the server answered {status}: {}",
            answer
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("no detail")
        );
    }
    let verdict = answer
        .get("verdict")
        .and_then(|v| v.as_str())
        .unwrap_or("failed");
    Ok(match verdict {
        "failed" => ExitCode::FAILURE,
        other => exit_code(Verdict::parse(other)),
    })
}

/// `bosun audit`: from the store, or from the server that holds it.
pub async fn audit(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let since = audit_cli::since(&args.since).map_err(anyhow::Error::msg)?;
    let entries: Vec<AuditEntry> = match open_store(&args.data_dir) {
        Ok(store) => AuditLog::new(store.as_ref() as &dyn Store).since(since)?,
        Err(_) if crate::token::token_path(&args.data_dir).exists() => {
            let token = read_token(&args.data_dir)?;
            let url = format!("{}/api/v1/audit", args.server.trim_end_matches('/'));
            let response = client()?
                .get(&url)
                .query(&[("since", args.since.as_str())])
                .bearer_auth(secrecy::ExposeSecret::expose_secret(&token))
                .send()
                .await
                .with_context(|| format!("reaching {url}"))?
                .error_for_status()
                .with_context(|| format!("asking {url}"))?;
            response.json().await.context("reading the audit log")?
        }
        Err(e) => return Err(e),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        print!("{}", audit_cli::table(&entries));
    }
    Ok(ExitCode::SUCCESS)
}
