//! `PermissionPolicy`: defaults, overrides, `--force`, write access.

use bosun_commands::{
    Action, ActorRoles, Allowed, Command, Decision, EnvCatalog, Permission, PermissionPolicy,
    Refusal, Role,
};

use crate::{env, envs, parse};

use Role::{Bot, Dev, Platform, Sre};

fn actor(roles: &[Role]) -> ActorRoles {
    ActorRoles {
        has_write: true,
        roles: roles.to_vec(),
    }
}

fn command(text: &str) -> Command {
    parse(text).expect("a valid command")
}

fn decide(policy: &PermissionPolicy, text: &str, roles: &[Role]) -> Decision {
    policy.decide(&command(text), &actor(roles))
}

fn refused(needed: Allowed) -> Decision {
    Decision::Refused(Refusal { needed })
}

fn roles(roles: &[Role]) -> Allowed {
    Allowed::Roles(roles.to_vec())
}

#[test]
fn default_policy_table() {
    let policy = PermissionPolicy::defaults(&envs());
    let anyone = Allowed::AnyoneWithWrite;
    for (text, needed) in [
        ("/plan prd", anyone.clone()),
        ("/status", anyone.clone()),
        ("/status prd", anyone.clone()),
        ("/help", anyone.clone()),
        ("/cost prd", anyone.clone()),
        ("/drift", anyone.clone()),
        ("/drift ops", anyone.clone()),
        ("/apply dev", roles(&[Platform, Sre, Dev])),
        ("/apply stg", roles(&[Platform, Sre, Dev])),
        ("/apply prd", roles(&[Platform, Sre])),
        ("/apply ops", roles(&[Platform, Sre])),
        ("/promote dev stg", roles(&[Platform, Sre, Dev])),
        ("/promote stg prd", roles(&[Platform, Sre])),
        ("/rollback stg", roles(&[Platform, Sre, Dev])),
        ("/rollback prd to #3", roles(&[Platform, Sre])),
        ("/lock dev", roles(&[Platform, Sre])),
        ("/unlock prd", roles(&[Platform, Sre])),
        ("/promote dev stg --force", roles(&[Platform])),
        ("/promote dev prd --force", roles(&[Platform])),
    ] {
        assert_eq!(
            policy.who_may(&command(text).required_permission()),
            needed,
            "{text}"
        );
    }
}

#[test]
fn required_permission_names_action_target_env_and_force() {
    assert_eq!(
        command("/promote stg prd api --force").required_permission(),
        Permission {
            action: Action::Promote,
            env: Some(env("prd")),
            force: true
        }
    );
    assert_eq!(
        command("/cost --period 1d").required_permission(),
        Permission {
            action: Action::Cost,
            env: None,
            force: false
        }
    );
    assert_eq!(
        command("/lock ops maintenance").required_permission(),
        Permission {
            action: Action::Lock,
            env: Some(env("ops")),
            force: false
        }
    );
    assert_eq!(command("/help apply").required_permission().env, None);
}

#[test]
fn apply_prd_by_dev_is_refused_naming_platform_or_sre() {
    let policy = PermissionPolicy::defaults(&envs());
    assert_eq!(
        decide(&policy, "/apply prd", &[Dev]),
        refused(roles(&[Platform, Sre]))
    );
    assert_eq!(decide(&policy, "/apply prd", &[Sre]), Decision::Allowed);
    assert_eq!(
        decide(&policy, "/apply prd", &[Platform]),
        Decision::Allowed
    );
    assert_eq!(decide(&policy, "/apply stg", &[Dev]), Decision::Allowed);
}

#[test]
fn without_write_access_everything_is_refused() {
    let policy = PermissionPolicy::defaults(&envs());
    let outsider = ActorRoles {
        has_write: false,
        roles: vec![Platform, Sre, Dev, Bot],
    };
    for text in [
        "/help",
        "/plan dev",
        "/status",
        "/apply dev",
        "/promote dev stg --force",
    ] {
        assert_eq!(
            policy.decide(&command(text), &outsider),
            refused(Allowed::AnyoneWithWrite),
            "{text}"
        );
    }
}

#[test]
fn roleless_writer_may_only_run_open_commands() {
    let policy = PermissionPolicy::defaults(&envs());
    assert_eq!(decide(&policy, "/plan prd", &[]), Decision::Allowed);
    assert_eq!(
        decide(&policy, "/apply dev", &[]),
        refused(roles(&[Platform, Sre, Dev]))
    );
}

#[test]
fn force_requires_platform_on_top_of_the_env_rule() {
    let policy = PermissionPolicy::defaults(&envs());
    assert_eq!(
        decide(&policy, "/promote stg prd --force", &[Sre]),
        refused(roles(&[Platform]))
    );
    assert_eq!(
        decide(&policy, "/promote dev stg --force", &[Dev]),
        refused(roles(&[Platform]))
    );
    assert_eq!(
        decide(&policy, "/promote dev stg", &[Dev]),
        Decision::Allowed
    );
    assert_eq!(
        decide(&policy, "/promote stg prd --force", &[Platform]),
        Decision::Allowed
    );
}

#[test]
fn force_rule_can_be_widened_but_the_env_rule_still_applies() {
    let mut policy = PermissionPolicy::defaults(&envs());
    policy.set_force(None, Allowed::AnyoneWithWrite);
    assert_eq!(
        decide(&policy, "/promote stg prd --force", &[Sre]),
        Decision::Allowed
    );
    assert_eq!(
        decide(&policy, "/promote stg prd --force", &[Dev]),
        refused(roles(&[Platform, Sre]))
    );
    policy.set_force(Some(&env("prd")), roles(&[Platform]));
    assert_eq!(
        decide(&policy, "/promote stg prd --force", &[Sre]),
        refused(roles(&[Platform]))
    );
    assert_eq!(
        decide(&policy, "/promote dev stg --force", &[Dev]),
        Decision::Allowed
    );
}

#[test]
fn override_widens_one_env() {
    let mut policy = PermissionPolicy::defaults(&envs());
    policy.set(
        Action::Apply,
        Some(&env("prd")),
        roles(&[Dev, Sre, Platform]),
    );
    assert_eq!(decide(&policy, "/apply prd", &[Dev]), Decision::Allowed);
    assert_eq!(
        decide(&policy, "/apply ops", &[Dev]),
        refused(roles(&[Platform, Sre]))
    );
}

#[test]
fn override_tightens_one_env() {
    let mut policy = PermissionPolicy::defaults(&envs());
    policy.set(Action::Plan, Some(&env("prd")), roles(&[Sre]));
    assert_eq!(decide(&policy, "/plan prd", &[Dev]), refused(roles(&[Sre])));
    assert_eq!(decide(&policy, "/plan prd", &[Sre]), Decision::Allowed);
    assert_eq!(decide(&policy, "/plan dev", &[]), Decision::Allowed);
}

#[test]
fn env_override_beats_all_env_override_which_beats_defaults() {
    let mut policy = PermissionPolicy::defaults(&envs());
    policy.set(Action::Lock, None, roles(&[Dev]));
    policy.set(Action::Lock, Some(&env("ops")), roles(&[Platform]));
    assert_eq!(decide(&policy, "/lock prd", &[Dev]), Decision::Allowed);
    assert_eq!(decide(&policy, "/lock prd", &[Sre]), refused(roles(&[Dev])));
    assert_eq!(
        decide(&policy, "/lock ops", &[Dev]),
        refused(roles(&[Platform]))
    );
    assert_eq!(
        decide(&policy, "/unlock prd", &[Dev]),
        refused(roles(&[Platform, Sre]))
    );
}

#[test]
fn all_env_command_needs_what_every_env_override_needs() {
    let mut policy = PermissionPolicy::defaults(&envs());
    policy.set(Action::Drift, Some(&env("prd")), roles(&[Sre, Platform]));
    assert_eq!(
        decide(&policy, "/drift", &[Dev]),
        refused(roles(&[Platform, Sre]))
    );
    assert_eq!(decide(&policy, "/drift dev", &[Dev]), Decision::Allowed);
    policy.set(Action::Drift, Some(&env("ops")), roles(&[Platform]));
    assert_eq!(
        decide(&policy, "/drift", &[Sre]),
        refused(roles(&[Platform]))
    );
}

#[test]
fn role_lists_are_deduplicated_and_ordered_strongest_first() {
    let mut policy = PermissionPolicy::defaults(&envs());
    policy.set(Action::Plan, None, roles(&[Dev, Platform, Dev]));
    assert_eq!(
        policy.who_may(&command("/plan dev").required_permission()),
        roles(&[Platform, Dev])
    );
}

#[test]
fn empty_role_list_allows_nobody() {
    let mut policy = PermissionPolicy::defaults(&envs());
    policy.set(Action::Unlock, Some(&env("prd")), roles(&[]));
    assert_eq!(
        decide(&policy, "/unlock prd", &[Platform, Sre, Dev, Bot]),
        refused(roles(&[]))
    );
}

#[test]
fn bot_gets_only_what_is_granted_explicitly() {
    let mut policy = PermissionPolicy::defaults(&envs());
    assert_eq!(
        decide(&policy, "/apply dev", &[Bot]),
        refused(roles(&[Platform, Sre, Dev]))
    );
    assert_eq!(
        decide(&policy, "/promote dev stg", &[Bot]),
        refused(roles(&[Platform, Sre, Dev]))
    );
    assert_eq!(decide(&policy, "/plan dev", &[Bot]), Decision::Allowed);
    policy.set(Action::Promote, Some(&env("stg")), roles(&[Bot, Platform]));
    assert_eq!(
        decide(&policy, "/promote dev stg", &[Bot]),
        Decision::Allowed
    );
    assert_eq!(
        decide(&policy, "/promote stg prd", &[Bot]),
        refused(roles(&[Platform, Sre]))
    );
}

#[test]
fn envs_unknown_to_the_policy_catalog_count_as_protected() {
    let policy = PermissionPolicy::defaults(&EnvCatalog::new());
    assert_eq!(
        decide(&policy, "/apply dev", &[Dev]),
        refused(roles(&[Platform, Sre]))
    );
}

#[test]
fn roles_parse_from_their_names() {
    for role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
        assert_eq!(role.to_string(), role.as_str());
    }
    assert_eq!(Role::parse("PLATFORM"), Some(Platform));
    assert_eq!(Role::parse("admin"), None);
}
