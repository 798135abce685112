//! The `.bosun.yaml` that managed repositories start from
//! (`repo-templates/.bosun.yaml`) is read by bosun's own parser, so the
//! template can never show a setting bosun would refuse.

use bosun_commands::{Action, Allowed, Permission, Role};
use bosun_reconciler::config::RepoConfig;
use std::time::Duration;

fn template() -> RepoConfig {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../repo-templates/.bosun.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    RepoConfig::parse(&text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

#[test]
fn the_template_parses_with_the_real_parser() {
    let config = template();
    let names: Vec<&str> = config.envs.envs().map(|e| e.as_str()).collect();
    assert_eq!(names, ["dev", "stg", "prd", "ops"]);
}

#[test]
fn aliases_and_protection_are_read() {
    let config = template();
    let prd = config.envs.resolve("prod").expect("prod is an alias");
    assert_eq!(prd.as_str(), "prd");
    assert_eq!(config.envs.resolve("production"), Some(prd.clone()));
    assert_eq!(config.envs.resolve("staging").unwrap().as_str(), "stg");
    assert!(config.envs.is_protected(&prd));
    let dev = config.envs.resolve("dev").unwrap();
    assert!(!config.envs.is_protected(&dev));
}

#[test]
fn permission_overrides_are_read() {
    let config = template();
    let env = |word: &str| config.envs.resolve(word);
    let who = |action: Action, on: &str, force: bool| {
        config.policy.who_may(&Permission {
            action,
            env: env(on),
            force,
        })
    };
    assert_eq!(
        who(Action::Apply, "prd", false),
        Allowed::Roles(vec![Role::Platform])
    );
    assert_eq!(who(Action::Apply, "dev", false), Allowed::AnyoneWithWrite);
    // No override for stg: the default for an unprotected environment.
    assert_eq!(
        who(Action::Apply, "stg", false),
        Allowed::Roles(vec![Role::Platform, Role::Sre, Role::Dev])
    );
    assert_eq!(
        who(Action::Promote, "prd", true),
        Allowed::Roles(vec![Role::Platform])
    );
}

#[test]
fn promotion_rules_are_read() {
    let config = template();
    let env = |word: &str| config.envs.resolve(word).unwrap();
    let rules = &config.promotion;
    assert_eq!(rules.source_of(&env("prd")), Some(&env("stg")));
    assert_eq!(rules.source_of(&env("stg")), Some(&env("dev")));
    assert_eq!(rules.source_of(&env("ops")), None);
    assert_eq!(
        rules.soak(&env("prd")),
        Some(Duration::from_secs(24 * 3600))
    );
    assert_eq!(rules.time_zone(), chrono_tz::Asia::Dubai);
    // 2026-11-27 is a Friday: 06:00 UTC is 10:00 in Dubai, inside `weekend`.
    let friday = chrono::DateTime::parse_from_rfc3339("2026-11-27T06:00:00Z")
        .unwrap()
        .to_utc();
    assert_eq!(
        rules.freeze_at(&env("prd"), friday).unwrap().name,
        "weekend"
    );
    assert_eq!(rules.freeze_at(&env("dev"), friday), None);
    // 2026-12-28 10:00 in Dubai: inside the one-off `year-end` window.
    let year_end = chrono::DateTime::parse_from_rfc3339("2026-12-28T06:00:00Z")
        .unwrap()
        .to_utc();
    assert_eq!(
        rules.freeze_at(&env("stg"), year_end).unwrap().name,
        "year-end"
    );
}

#[test]
fn gate_settings_are_read() {
    let gate = template().gate.expect("the template turns the gate on");
    let fail_on: Vec<&str> = gate.thresholds.fail_on.iter().map(|s| s.as_str()).collect();
    assert_eq!(fail_on, ["CRITICAL", "HIGH"]);
    assert!(gate.thresholds.ignore_unfixed);
    assert_eq!(gate.timeout, std::time::Duration::from_secs(30 * 60));
    assert_eq!(gate.artifact, "bosun-trivy-reports");
    assert!(gate.expect.is_empty());
}

#[test]
fn terraform_cost_and_chat_sections_are_read() {
    let config = template();
    let projects: Vec<&str> = config
        .terraform
        .projects
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(projects, ["dev", "stg", "prd"]);
    let prd = config.envs.resolve("prd").unwrap();
    let rules = config.terraform.env_rules(&prd);
    assert_eq!(rules.requirements.approved, 2);
    assert_eq!(config.terraform.drift_schedules().count(), 1);
    let cost = config.cost.as_ref().expect("the template sets up cost");
    assert_eq!(cost.prices.get("NVIDIA H100 80GB HBM3"), Some(&6.98));
    assert_eq!(config.chat.slack.for_env("prd"), Some("C0PRDALERTS"));
    assert_eq!(config.chat.slack.for_env("dev"), Some("C0PLATFORM"));
}
