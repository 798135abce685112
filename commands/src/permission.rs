//! Who may run what: roles, the permission a command needs, and the policy
//! that decides (defaults plus `.bosun.yaml` overrides).
//!
//! Roles are a flat set, not a ladder: `platform` does not imply `sre`, and
//! `bot` gets no role-gated action unless a rule names it.

use std::collections::BTreeMap;
use std::fmt;

use crate::command::{Command, CommandName};
use crate::env::{Env, EnvCatalog};

/// What a permission is about. The same names as the commands, so a new
/// command is also a new action.
pub type Action = CommandName;

/// A role, mapped by the caller from GitHub teams and chat user ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The platform team: may do everything by default.
    Platform,
    /// Site reliability engineers: may change protected environments.
    Sre,
    /// Developers: may change non-protected environments.
    Dev,
    /// Automation accounts: only what a rule grants explicitly.
    Bot,
}

impl Role {
    /// Every role, strongest first.
    pub const ALL: [Self; 4] = [Self::Platform, Self::Sre, Self::Dev, Self::Bot];

    /// The role's name in configuration and messages, e.g. `"platform"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::Sre => "sre",
            Self::Dev => "dev",
            Self::Bot => "bot",
        }
    }

    /// The role named `word`, ignoring ASCII case.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What running a command needs: an action, on an environment (`None` for
/// every environment, or none at all), possibly skipping a promotion stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Permission {
    /// The action.
    pub action: Action,
    /// The environment acted on; `None` means all (or not applicable).
    pub env: Option<Env>,
    /// Whether a promotion stage is skipped (`/promote --force`).
    pub force: bool,
}

impl Command {
    /// The permission needed to run this command.
    pub fn required_permission(&self) -> Permission {
        let (action, env, force) = match self {
            Self::Plan { env } => (Action::Plan, Some(env), false),
            Self::Apply { env } => (Action::Apply, Some(env), false),
            Self::Promote { to, force, .. } => (Action::Promote, Some(to), *force),
            Self::Rollback { env, .. } => (Action::Rollback, Some(env), false),
            Self::Drift { env } => (Action::Drift, env.as_ref(), false),
            Self::Cost { env, .. } => (Action::Cost, env.as_ref(), false),
            Self::Status { env } => (Action::Status, env.as_ref(), false),
            Self::Lock { env, .. } => (Action::Lock, Some(env), false),
            Self::Unlock { env } => (Action::Unlock, Some(env), false),
            Self::Help { .. } => (Action::Help, None, false),
        };
        Permission {
            action,
            env: env.cloned(),
            force,
        }
    }
}

/// Who may do something. Everyone needs write access to the repository;
/// `Roles` needs, on top of it, one of the roles listed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Allowed {
    /// Anyone with write access, bots included.
    AnyoneWithWrite,
    /// Anyone with write access and at least one of these roles. An empty
    /// list allows nobody.
    Roles(Vec<Role>),
}

impl Allowed {
    /// Whether `actor` qualifies.
    pub fn permits(&self, actor: &ActorRoles) -> bool {
        actor.has_write
            && match self {
                Self::AnyoneWithWrite => true,
                Self::Roles(roles) => roles.iter().any(|role| actor.roles.contains(role)),
            }
    }

    /// Roles sorted strongest first, without repeats.
    fn normalized(self) -> Self {
        match self {
            Self::AnyoneWithWrite => Self::AnyoneWithWrite,
            Self::Roles(roles) => Self::Roles(
                Role::ALL
                    .into_iter()
                    .filter(|r| roles.contains(r))
                    .collect(),
            ),
        }
    }

    /// A rule at least as strict as both: only the roles both allow. Never
    /// grants what either refuses (an actor with one role from each list
    /// but none in common is refused).
    fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::AnyoneWithWrite, other) | (other, Self::AnyoneWithWrite) => other.normalized(),
            (Self::Roles(mine), Self::Roles(theirs)) => Self::Roles(
                Role::ALL
                    .into_iter()
                    .filter(|r| mine.contains(r) && theirs.contains(r))
                    .collect(),
            ),
        }
    }
}

/// Who is asking: whether they have write access to the repository, and the
/// roles their teams or chat ids map to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActorRoles {
    /// Write (or higher) access to the repository.
    pub has_write: bool,
    /// Their roles.
    pub roles: Vec<Role>,
}

/// The outcome of [`PermissionPolicy::decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allowed,
    /// Not allowed; the refusal says what would be needed.
    Refused(Refusal),
}

/// Why a command was refused: what would have been needed. It names the
/// requirement only, never the actor's own roles or the policy's other rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Who may run the command.
    pub needed: Allowed,
}

/// The rules: built-in defaults, plus overrides per action, for one
/// environment or for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionPolicy {
    envs: EnvCatalog,
    rules: BTreeMap<Action, BTreeMap<Option<Env>, Allowed>>,
    force: BTreeMap<Option<Env>, Allowed>,
}

impl PermissionPolicy {
    /// The defaults:
    ///
    /// - `plan`, `status`, `help`, `cost`, `drift`: anyone with write access;
    /// - `promote`, `apply`, `rollback` to a non-protected environment:
    ///   `platform`, `sre` or `dev`; to a protected one: `platform` or `sre`;
    /// - `lock`, `unlock`: `platform` or `sre`;
    /// - `promote --force`: `platform`, on top of the environment's rule.
    pub fn defaults(envs: &EnvCatalog) -> Self {
        Self {
            envs: envs.clone(),
            rules: BTreeMap::new(),
            force: BTreeMap::new(),
        }
    }

    /// Overrides who may run `action` on `env` (on every environment when
    /// `None`), widening or tightening the default. A rule for one
    /// environment beats a rule for all; a rule for all beats the default.
    pub fn set(&mut self, action: Action, env: Option<&Env>, allowed: Allowed) {
        self.rules
            .entry(action)
            .or_default()
            .insert(env.cloned(), allowed.normalized());
    }

    /// Overrides who may skip a promotion stage (`/promote --force`) into
    /// `env` (into any environment when `None`). The promote rule of the
    /// environment still applies on top.
    pub fn set_force(&mut self, env: Option<&Env>, allowed: Allowed) {
        self.force.insert(env.cloned(), allowed.normalized());
    }

    /// Who may exercise `permission`.
    ///
    /// A permission on every environment at once (`env: None`, as for
    /// `/drift`) needs what the all-environment rule needs and what every
    /// per-environment override needs, so it never reveals more than
    /// naming each environment would.
    pub fn who_may(&self, permission: &Permission) -> Allowed {
        let env = permission.env.as_ref();
        let base = resolve(self.rules.get(&permission.action), env, || {
            self.default_rule(permission.action, env)
        });
        if permission.force {
            base.and(resolve(Some(&self.force), env, || {
                Allowed::Roles(vec![Role::Platform])
            }))
        } else {
            base
        }
    }

    /// Whether `actor` may run `command`. Without write access, nothing is
    /// allowed.
    pub fn decide(&self, command: &Command, actor: &ActorRoles) -> Decision {
        if !actor.has_write {
            return Decision::Refused(Refusal {
                needed: Allowed::AnyoneWithWrite,
            });
        }
        let needed = self.who_may(&command.required_permission());
        if needed.permits(actor) {
            Decision::Allowed
        } else {
            Decision::Refused(Refusal { needed })
        }
    }

    /// The built-in rule. `env: None` on an environment-changing action is
    /// treated as protected, the strictest case.
    fn default_rule(&self, action: Action, env: Option<&Env>) -> Allowed {
        let changers = |env: Option<&Env>| {
            if env.is_none_or(|env| self.envs.is_protected(env)) {
                Allowed::Roles(vec![Role::Platform, Role::Sre])
            } else {
                Allowed::Roles(vec![Role::Platform, Role::Sre, Role::Dev])
            }
        };
        match action {
            Action::Plan | Action::Status | Action::Help | Action::Cost | Action::Drift => {
                Allowed::AnyoneWithWrite
            }
            Action::Apply | Action::Promote | Action::Rollback => changers(env),
            Action::Lock | Action::Unlock => Allowed::Roles(vec![Role::Platform, Role::Sre]),
        }
    }
}

/// The override for `env`, else the override for all environments, else the
/// default. For `env: None`, the all-environment rule narrowed by every
/// per-environment override.
fn resolve(
    overrides: Option<&BTreeMap<Option<Env>, Allowed>>,
    env: Option<&Env>,
    default: impl FnOnce() -> Allowed,
) -> Allowed {
    let Some(overrides) = overrides else {
        return default();
    };
    let for_all = || overrides.get(&None).cloned().unwrap_or_else(default);
    match env {
        Some(env) => overrides
            .get(&Some(env.clone()))
            .cloned()
            .unwrap_or_else(for_all),
        None => overrides
            .iter()
            .filter(|(env, _)| env.is_some())
            .fold(for_all(), |needed, (_, rule)| needed.and(rule.clone())),
    }
}
