//! [`help_text`]: the list of commands, and each command's usage, purpose and
//! default permissions. Exhaustive over [`CommandName`], so a new command
//! does not compile until it is explained.

use std::fmt::Write as _;

use crate::command::CommandName;
use crate::env::{Env, EnvCatalog};
use crate::permission::{Allowed, Permission, PermissionPolicy};
use crate::render::roles_phrase;

impl CommandName {
    /// The usage line, e.g. `/promote <from> <to> [app ...] [--force]`.
    pub fn usage(self) -> &'static str {
        match self {
            Self::Plan => "/plan <env>",
            Self::Apply => "/apply <env>",
            Self::Promote => "/promote <from> <to> [app ...] [--force]",
            Self::Rollback => "/rollback <env> [to <commit|#pr>]",
            Self::Drift => "/drift [env]",
            Self::Cost => "/cost [env] [--period 7d]",
            Self::Status => "/status [env]",
            Self::Lock => "/lock <env> [reason ...]",
            Self::Unlock => "/unlock <env>",
            Self::Help => "/help [command]",
        }
    }

    /// One line saying what the command does.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Plan => "Plan the Terraform change for an environment.",
            Self::Apply => "Apply the saved plan to an environment.",
            Self::Promote => "Promote versions from one environment to the next.",
            Self::Rollback => "Return an environment to an earlier state.",
            Self::Drift => "Look for drift in one or every environment.",
            Self::Cost => "Report GPU cost over a period.",
            Self::Status => "Show the state of one or every environment.",
            Self::Lock => "Stop changes to an environment.",
            Self::Unlock => "Allow changes to an environment again.",
            Self::Help => "List the commands, or explain one.",
        }
    }

    fn details(self) -> &'static str {
        match self {
            Self::Plan => {
                "Runs `terraform plan` for `<env>` on the pull request and updates its plan comment and check. Changes nothing."
            }
            Self::Apply => {
                "Applies the saved plan for `<env>` once the requirements hold: approvals, a green `bosun/gate`, a fresh plan and the environment lock."
            }
            Self::Promote => {
                "Opens one pull request that moves `<to>` to the versions (image tags, chart versions, OCI references) running in `<from>`, for the named apps only if any are given, then reports when `<to>` is ready. `--force` skips a promotion stage, e.g. `dev` straight to `prd`."
            }
            Self::Rollback => {
                "Opens a pull request that returns `<env>` to its state at the given commit, or as the given pull request left it; without a target, to its state before the last change."
            }
            Self::Drift => {
                "Runs a Terraform plan and reads Flux status for `<env>`, or every environment, and reports changes made outside bosun and changes not yet applied."
            }
            Self::Cost => {
                "Reports requested GPU-hours times price for `<env>`, or every environment, split into used and idle. The period is hours, days or weeks (`24h`, `7d`, `2w`): 7 days by default, 90 days at most."
            }
            Self::Status => {
                "Shows locks, open promotions, drift and Flux readiness for `<env>`, or every environment."
            }
            Self::Lock => {
                "Locks `<env>`: no apply, promotion or rollback lands there until `/unlock`. The rest of the line is recorded as the reason."
            }
            Self::Unlock => "Releases the lock on `<env>`.",
            Self::Help => "Lists the commands, or explains the one given.",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::Plan => "/plan dev",
            Self::Apply => "/apply stg",
            Self::Promote => "/promote stg prd api web",
            Self::Rollback => "/rollback prd to #42",
            Self::Drift => "/drift prd",
            Self::Cost => "/cost prd --period 30d",
            Self::Status => "/status",
            Self::Lock => "/lock prd database migration",
            Self::Unlock => "/unlock prd",
            Self::Help => "/help promote",
        }
    }

    fn takes_env(self) -> bool {
        match self {
            Self::Plan
            | Self::Apply
            | Self::Promote
            | Self::Rollback
            | Self::Drift
            | Self::Cost
            | Self::Status
            | Self::Lock
            | Self::Unlock => true,
            Self::Help => false,
        }
    }
}

/// Help as Markdown: the list of commands for `None`, else the usage, what
/// the command does and who may run it under the default policy.
pub fn help_text(topic: Option<CommandName>, envs: &EnvCatalog) -> String {
    let mut out = String::new();
    match topic {
        None => {
            out.push_str("bosun commands:\n\n");
            for name in CommandName::ALL {
                let _ = writeln!(out, "- `{}`: {}", name.usage(), name.summary());
            }
            let _ = write!(
                out,
                "\n{}\n\nRun `/help <command>` for details, e.g. `/help promote`.",
                environments_line(envs)
            );
        }
        Some(name) => {
            let _ = write!(
                out,
                "Usage: `{}`\n\n{}\n\nExample: `{}`\n\n{}",
                name.usage(),
                name.details(),
                name.example(),
                who_may_text(name, envs)
            );
            if name.takes_env() {
                let _ = write!(out, "\n\n{}", environments_line(envs));
            }
        }
    }
    out
}

fn environments_line(envs: &EnvCatalog) -> String {
    let described: Vec<String> = envs
        .envs()
        .map(|env| {
            let mut notes: Vec<String> = Vec::new();
            let aliases: Vec<String> = envs.aliases(env).map(|a| format!("`{a}`")).collect();
            if !aliases.is_empty() {
                notes.push(format!("also {}", aliases.join(", ")));
            }
            if envs.is_protected(env) {
                notes.push("protected".to_owned());
            }
            if notes.is_empty() {
                format!("`{env}`")
            } else {
                format!("`{env}` ({})", notes.join("; "))
            }
        })
        .collect();
    if described.is_empty() {
        "No environments are configured.".to_owned()
    } else {
        format!("Environments: {}.", described.join(", "))
    }
}

fn who_may_text(name: CommandName, envs: &EnvCatalog) -> String {
    let policy = PermissionPolicy::defaults(envs);
    let mut out = String::from("Who may run it by default:");
    // A promotion is authorized by where it goes, so say "to".
    let prefix = if name == CommandName::Promote {
        "to "
    } else {
        ""
    };
    let groups = group_by_rule(&policy, name, false, envs);
    push_groups(&mut out, prefix, &groups);
    if name == CommandName::Promote {
        let forced = group_by_rule(&policy, name, true, envs);
        out.push_str("\n\nWith `--force`:");
        push_groups(&mut out, prefix, &forced);
    }
    out
}

fn push_groups(out: &mut String, prefix: &str, groups: &[(Vec<&Env>, Allowed)]) {
    match groups {
        [(_, allowed)] => {
            let _ = write!(out, " {}.", who_phrase(allowed));
        }
        _ => {
            for (envs, allowed) in groups {
                let names: Vec<String> = envs.iter().map(|env| format!("`{env}`")).collect();
                let _ = write!(
                    out,
                    "\n- {prefix}{}: {}",
                    names.join(", "),
                    who_phrase(allowed)
                );
            }
        }
    }
}

/// The environments of the catalog grouped by the rule that applies to them,
/// in declaration order of each group's first environment. Without
/// environments, or for help, the single rule for no environment.
fn group_by_rule<'e>(
    policy: &PermissionPolicy,
    action: CommandName,
    force: bool,
    envs: &'e EnvCatalog,
) -> Vec<(Vec<&'e Env>, Allowed)> {
    let mut groups: Vec<(Vec<&Env>, Allowed)> = Vec::new();
    if action.takes_env() {
        for env in envs.envs() {
            let allowed = policy.who_may(&Permission {
                action,
                env: Some(env.clone()),
                force,
            });
            match groups.iter_mut().find(|(_, rule)| *rule == allowed) {
                Some((members, _)) => members.push(env),
                None => groups.push((vec![env], allowed)),
            }
        }
    }
    if groups.is_empty() {
        let allowed = policy.who_may(&Permission {
            action,
            env: None,
            force,
        });
        groups.push((Vec::new(), allowed));
    }
    groups
}

fn who_phrase(allowed: &Allowed) -> String {
    match allowed {
        Allowed::AnyoneWithWrite => "anyone with write access to the repository".to_owned(),
        Allowed::Roles(roles) if roles.is_empty() => "nobody".to_owned(),
        Allowed::Roles(roles) => format!("the {} role", roles_phrase(roles)),
    }
}
