//! Snapshots of every rendered parse error (at least one per variant) and of
//! refusals.

use bosun_commands::{
    Allowed, Decision, PermissionPolicy, Refusal, Role, render_parse_error, render_refusal,
};
use insta::assert_snapshot;

use crate::{envs, parse};

/// The rendered error for `text`, checked to end with how to get help.
fn rendered(text: &str) -> String {
    let err = parse(text).expect_err("an invalid command");
    let words = render_parse_error(&err);
    assert!(
        words.ends_with(" for usage.") || words.ends_with("Run `/help` for the list of commands."),
        "{words}"
    );
    assert_eq!(words, err.to_string(), "Display renders the same words");
    words
}

#[test]
fn empty() {
    assert_snapshot!("empty", rendered("/"));
}

#[test]
fn unknown_command() {
    assert_snapshot!(
        "unknown_command_with_suggestion",
        rendered("/promte stg prd")
    );
    assert_snapshot!(
        "unknown_command_without_suggestion",
        rendered("/bosun frobnicate")
    );
    assert_snapshot!("unknown_help_topic", rendered("/help rolback"));
}

#[test]
fn missing_argument() {
    assert_snapshot!("missing_environment", rendered("/plan"));
    assert_snapshot!("missing_target_environment", rendered("/promote stg"));
    assert_snapshot!("missing_rollback_target", rendered("/rollback prd to"));
    assert_snapshot!("missing_period", rendered("/cost --period"));
}

#[test]
fn unknown_env() {
    assert_snapshot!("unknown_env_with_suggestion", rendered("/promote stg prdd"));
    assert_snapshot!("unknown_env_without_suggestion", rendered("/apply qa"));
}

#[test]
fn same_env() {
    assert_snapshot!("same_env", rendered("/promote stg staging"));
}

#[test]
fn unexpected_argument() {
    assert_snapshot!("unexpected_argument", rendered("/plan dev prd"));
    assert_snapshot!(
        "unexpected_rollback_word",
        rendered("/rollback prd abc1234")
    );
}

#[test]
fn unknown_flag() {
    assert_snapshot!(
        "unknown_flag_with_suggestion",
        rendered("/promote stg prd --forse")
    );
    assert_snapshot!(
        "unknown_flag_without_suggestion",
        rendered("/apply prd --force")
    );
}

#[test]
fn invalid_value() {
    assert_snapshot!("invalid_period", rendered("/cost prd --period 1y"));
    assert_snapshot!("invalid_app", rendered("/promote stg prd Web"));
    assert_snapshot!("invalid_rollback_target", rendered("/rollback prd to main"));
    assert_snapshot!(
        "invalid_lock_reason",
        rendered(&format!("/lock prd {}", "long ".repeat(50)))
    );
}

#[test]
fn hostile_words_are_quoted_safely() {
    assert_snapshot!("hostile_word", rendered("/plan `@everyone`\u{202E}x"));
}

fn refusal_text(text: &str, roles: &[Role], has_write: bool) -> String {
    let command = parse(text).expect("a valid command");
    let actor = bosun_commands::ActorRoles {
        has_write,
        roles: roles.to_vec(),
    };
    match PermissionPolicy::defaults(&envs()).decide(&command, &actor) {
        Decision::Refused(refusal) => render_refusal(&command, &refusal),
        Decision::Allowed => panic!("{text} was allowed"),
    }
}

#[test]
fn refusals() {
    assert_snapshot!(
        "refusal_apply_prd_by_dev",
        refusal_text("/apply prd", &[Role::Dev], true)
    );
    assert_snapshot!(
        "refusal_apply_dev_without_role",
        refusal_text("/apply dev", &[], true)
    );
    assert_snapshot!(
        "refusal_force_by_sre",
        refusal_text("/promote stg prd api --force", &[Role::Sre], true)
    );
    assert_snapshot!(
        "refusal_without_write_access",
        refusal_text("/plan dev", &[Role::Platform], false)
    );
    assert_snapshot!(
        "refusal_lock_hides_reason",
        refusal_text("/lock prd `secret` stuff", &[Role::Dev], true)
    );
}

#[test]
fn refusal_when_nobody_may() {
    let command = parse("/unlock prd").expect("a valid command");
    let refusal = Refusal {
        needed: Allowed::Roles(vec![]),
    };
    assert_snapshot!("refusal_nobody", render_refusal(&command, &refusal));
}
