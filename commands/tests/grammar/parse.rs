//! `parse_command`: every command form and every error variant.

use bosun_commands::{Command, CommandName, ParseError, Period, RollbackTarget};

use crate::{app, env, parse};

fn ok(text: &str) -> Command {
    parse(text).unwrap_or_else(|err| panic!("{text:?} failed: {err:?}"))
}

fn err(text: &str) -> ParseError {
    match parse(text) {
        Ok(command) => panic!("{text:?} parsed to {command:?}"),
        Err(err) => err,
    }
}

#[test]
fn plan_apply_and_unlock_take_one_env() {
    assert_eq!(ok("/plan dev"), Command::Plan { env: env("dev") });
    assert_eq!(ok("/apply prd"), Command::Apply { env: env("prd") });
    assert_eq!(ok("/unlock ops"), Command::Unlock { env: env("ops") });
}

#[test]
fn slash_bosun_prefix_case_and_spacing_do_not_matter() {
    let plan_dev = Command::Plan { env: env("dev") };
    for text in [
        "/plan dev",
        "plan dev",
        "/bosun plan dev",
        "bosun plan dev",
        "/BOSUN plan dev",
        "bosun /plan dev",
        "  /plan \t dev  ",
        "/PLAN DEV",
        "/Plan Dev",
    ] {
        assert_eq!(ok(text), plan_dev, "{text:?}");
    }
}

#[test]
fn aliases_resolve_to_canonical_envs() {
    assert_eq!(ok("/apply production"), Command::Apply { env: env("prd") });
    assert_eq!(ok("/plan staging"), Command::Plan { env: env("stg") });
}

#[test]
fn promote_takes_two_envs() {
    assert_eq!(
        ok("/promote stg prd"),
        Command::Promote {
            from: env("stg"),
            to: env("prd"),
            only: vec![],
            force: false
        }
    );
}

#[test]
fn promote_takes_apps_and_force_in_any_order() {
    let expected = Command::Promote {
        from: env("stg"),
        to: env("prd"),
        only: vec![app("api"), app("web")],
        force: true,
    };
    for text in [
        "/promote stg prd api web --force",
        "/promote --force stg prd api web",
        "/promote stg prd api --force web",
        "/promote staging prod api web --FORCE",
    ] {
        assert_eq!(ok(text), expected, "{text:?}");
    }
}

#[test]
fn promote_reads_typographic_dashes_as_double_dash() {
    let forced = ok("/promote dev prd \u{2014}force");
    assert!(matches!(forced, Command::Promote { force: true, .. }));
    let forced = ok("/promote dev prd \u{2013}force");
    assert!(matches!(forced, Command::Promote { force: true, .. }));
}

#[test]
fn promote_drops_repeated_apps() {
    let Command::Promote { only, .. } = ok("/promote dev stg api web api") else {
        panic!("not a promote");
    };
    assert_eq!(only, [app("api"), app("web")]);
}

#[test]
fn rollback_target_is_optional() {
    assert_eq!(
        ok("/rollback prd"),
        Command::Rollback {
            env: env("prd"),
            to: None
        }
    );
}

#[test]
fn rollback_goes_to_a_commit_or_a_pull_request() {
    let to = |text: &str| match ok(text) {
        Command::Rollback { to, .. } => to,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        to("/rollback prd to abc1234"),
        Some(RollbackTarget::Commit("abc1234".into()))
    );
    assert_eq!(
        to("/rollback prd TO ABC1234"),
        Some(RollbackTarget::Commit("abc1234".into()))
    );
    assert_eq!(
        to("/rollback prd to #12"),
        Some(RollbackTarget::PullRequest(12))
    );
    assert_eq!(
        to("/rollback prd to 12"),
        Some(RollbackTarget::PullRequest(12))
    );
}

#[test]
fn drift_and_status_take_an_optional_env() {
    assert_eq!(ok("/drift"), Command::Drift { env: None });
    assert_eq!(
        ok("/drift prd"),
        Command::Drift {
            env: Some(env("prd"))
        }
    );
    assert_eq!(ok("/status"), Command::Status { env: None });
    assert_eq!(
        ok("/status stg"),
        Command::Status {
            env: Some(env("stg"))
        }
    );
}

#[test]
fn cost_defaults_to_seven_days() {
    assert_eq!(
        ok("/cost"),
        Command::Cost {
            env: None,
            period: Period::default()
        }
    );
    assert_eq!(
        ok("/cost prd"),
        Command::Cost {
            env: Some(env("prd")),
            period: Period::default()
        }
    );
}

#[test]
fn cost_period_is_a_flag_with_a_separate_or_inline_value() {
    let period = |text: &str| match ok(text) {
        Command::Cost { period, .. } => period.hours(),
        other => panic!("{other:?}"),
    };
    assert_eq!(period("/cost prd --period 24h"), 24);
    assert_eq!(period("/cost --period 2w prd"), 336);
    assert_eq!(period("/cost --period=30d"), 720);
    assert_eq!(period("/cost \u{2014}period 36h"), 36);
}

#[test]
fn lock_reason_is_the_rest_of_the_line_with_spaces_folded() {
    assert_eq!(
        ok("/lock prd"),
        Command::Lock {
            env: env("prd"),
            reason: None
        }
    );
    assert_eq!(
        ok("/lock prod   db  migration --force #12"),
        Command::Lock {
            env: env("prd"),
            reason: Some("db migration --force #12".into())
        }
    );
}

#[test]
fn help_takes_an_optional_command() {
    assert_eq!(ok("/help"), Command::Help { topic: None });
    assert_eq!(ok("/bosun"), Command::Help { topic: None });
    assert_eq!(ok("bosun"), Command::Help { topic: None });
    assert_eq!(
        ok("/help promote"),
        Command::Help {
            topic: Some(CommandName::Promote)
        }
    );
    assert_eq!(
        ok("/help /LOCK"),
        Command::Help {
            topic: Some(CommandName::Lock)
        }
    );
}

#[test]
fn empty_text_is_empty() {
    for text in ["", "   ", "/", " / ", "\n"] {
        assert_eq!(err(text), ParseError::Empty, "{text:?}");
    }
}

#[test]
fn unknown_command_suggests_a_close_name() {
    assert_eq!(
        err("/promte stg prd"),
        ParseError::UnknownCommand {
            word: "promte".into(),
            did_you_mean: Some(CommandName::Promote)
        }
    );
    assert_eq!(
        err("/help promte"),
        ParseError::UnknownCommand {
            word: "promte".into(),
            did_you_mean: Some(CommandName::Promote)
        }
    );
}

#[test]
fn unknown_command_far_from_any_name_has_no_suggestion() {
    assert_eq!(
        err("/bosun frobnicate"),
        ParseError::UnknownCommand {
            word: "frobnicate".into(),
            did_you_mean: None
        }
    );
    assert_eq!(
        err("lgtm"),
        ParseError::UnknownCommand {
            word: "lgtm".into(),
            did_you_mean: None
        }
    );
}

#[test]
fn missing_arguments_are_named() {
    for (text, command, argument) in [
        ("/plan", CommandName::Plan, "environment"),
        ("/apply", CommandName::Apply, "environment"),
        ("/unlock", CommandName::Unlock, "environment"),
        ("/lock", CommandName::Lock, "environment"),
        ("/rollback", CommandName::Rollback, "environment"),
        ("/promote", CommandName::Promote, "source environment"),
        ("/promote stg", CommandName::Promote, "target environment"),
        (
            "/promote stg --force",
            CommandName::Promote,
            "target environment",
        ),
        ("/rollback prd to", CommandName::Rollback, "rollback target"),
        ("/cost --period", CommandName::Cost, "period"),
        ("/cost --period=", CommandName::Cost, "period"),
    ] {
        assert_eq!(
            err(text),
            ParseError::MissingArgument { command, argument },
            "{text:?}"
        );
    }
}

#[test]
fn unknown_env_suggests_a_close_env_or_alias() {
    assert_eq!(
        err("/promote stg prdd"),
        ParseError::UnknownEnv {
            command: CommandName::Promote,
            word: "prdd".into(),
            did_you_mean: Some(env("prd"))
        }
    );
    assert_eq!(
        err("/apply prodution"),
        ParseError::UnknownEnv {
            command: CommandName::Apply,
            word: "prodution".into(),
            did_you_mean: Some(env("prd"))
        }
    );
    assert_eq!(
        err("/drift Stagin"),
        ParseError::UnknownEnv {
            command: CommandName::Drift,
            word: "Stagin".into(),
            did_you_mean: Some(env("stg"))
        }
    );
}

#[test]
fn unknown_env_far_from_any_has_no_suggestion() {
    for (text, command) in [
        ("/plan qa", CommandName::Plan),
        ("/lock sandbox reason", CommandName::Lock),
        ("/status everything", CommandName::Status),
        ("/cost 30d", CommandName::Cost),
    ] {
        assert!(
            matches!(err(text), ParseError::UnknownEnv { command: c, did_you_mean: None, .. } if c == command),
            "{text:?}"
        );
    }
}

#[test]
fn promote_to_the_same_env_is_refused_even_through_an_alias() {
    assert_eq!(
        err("/promote stg staging"),
        ParseError::SameEnv { env: env("stg") }
    );
    assert_eq!(
        err("/promote prd prd api"),
        ParseError::SameEnv { env: env("prd") }
    );
}

#[test]
fn extra_words_are_unexpected() {
    for (text, command, word) in [
        ("/plan dev prd", CommandName::Plan, "prd"),
        ("/apply prd now", CommandName::Apply, "now"),
        ("/unlock prd please", CommandName::Unlock, "please"),
        ("/status prd dev", CommandName::Status, "dev"),
        ("/drift prd dev", CommandName::Drift, "dev"),
        ("/cost prd dev", CommandName::Cost, "dev"),
        ("/rollback prd abc1234", CommandName::Rollback, "abc1234"),
        ("/rollback prd to #12 now", CommandName::Rollback, "now"),
        ("/help plan apply", CommandName::Help, "apply"),
        (
            "/promote stg prd --force --force",
            CommandName::Promote,
            "--force",
        ),
        (
            "/promote stg prd --force=yes",
            CommandName::Promote,
            "--force=yes",
        ),
        (
            "/cost --period 1d --period 2d",
            CommandName::Cost,
            "--period",
        ),
    ] {
        assert_eq!(
            err(text),
            ParseError::UnexpectedArgument {
                command,
                word: word.into()
            },
            "{text:?}"
        );
    }
}

#[test]
fn unknown_flags_suggest_a_flag_of_the_same_command() {
    for (text, command, flag, did_you_mean) in [
        (
            "/promote stg prd --forse",
            CommandName::Promote,
            "--forse",
            Some("--force"),
        ),
        (
            "/promote stg prd -force",
            CommandName::Promote,
            "-force",
            Some("--force"),
        ),
        (
            "/cost --perod 7d",
            CommandName::Cost,
            "--perod",
            Some("--period"),
        ),
        ("/apply prd --force", CommandName::Apply, "--force", None),
        (
            "/promote stg prd --yes",
            CommandName::Promote,
            "--yes",
            None,
        ),
        ("/lock --force prd", CommandName::Lock, "--force", None),
        ("/help -h", CommandName::Help, "-h", None),
    ] {
        assert_eq!(
            err(text),
            ParseError::UnknownFlag {
                command,
                flag: flag.into(),
                did_you_mean
            },
            "{text:?}"
        );
    }
}

#[test]
fn malformed_values_are_invalid() {
    let long_reason = "word ".repeat(41);
    for (text, command, argument, value) in [
        ("/cost --period 91d", CommandName::Cost, "period", "91d"),
        (
            "/cost prd --period=soon",
            CommandName::Cost,
            "period",
            "soon",
        ),
        (
            "/promote stg prd API",
            CommandName::Promote,
            "app name",
            "API",
        ),
        (
            "/promote stg prd api/web",
            CommandName::Promote,
            "app name",
            "api/web",
        ),
        (
            "/rollback prd to xyz",
            CommandName::Rollback,
            "rollback target",
            "xyz",
        ),
        (
            "/rollback prd to #0",
            CommandName::Rollback,
            "rollback target",
            "#0",
        ),
        (
            "/rollback prd to abc12",
            CommandName::Rollback,
            "rollback target",
            "abc12",
        ),
        (
            &format!("/lock prd {long_reason}"),
            CommandName::Lock,
            "reason",
            long_reason.trim_end(),
        ),
    ] {
        assert!(
            matches!(
                err(text),
                ParseError::InvalidValue { command: c, argument: a, value: v, .. }
                    if c == command && a == argument && v == value
            ),
            "{text:?}"
        );
    }
}

#[test]
fn errors_know_their_command() {
    assert_eq!(err("/plan").command(), Some(CommandName::Plan));
    assert_eq!(
        err("/promote dev dev").command(),
        Some(CommandName::Promote)
    );
    assert_eq!(err("/frob").command(), None);
    assert_eq!(err("").command(), None);
}

#[test]
fn command_names_and_target_envs_are_reported() {
    let promote = ok("/promote stg prd");
    assert_eq!(promote.name(), CommandName::Promote);
    assert_eq!(promote.env(), Some(&env("prd")));
    assert_eq!(ok("/drift").env(), None);
    assert_eq!(ok("/cost ops").env(), Some(&env("ops")));
    assert_eq!(ok("/help plan").env(), None);
    assert_eq!(ok("/lock dev x").env(), Some(&env("dev")));
}

#[test]
fn display_is_the_canonical_text() {
    for (text, canonical) in [
        (
            "promote staging prod api web —force",
            "/promote stg prd api web --force",
        ),
        ("/cost prd", "/cost prd --period 7d"),
        ("/cost --period 48h", "/cost --period 2d"),
        ("/rollback prd to 12", "/rollback prd to #12"),
        ("/lock prd  a   b", "/lock prd a b"),
        ("/bosun", "/help"),
        ("/help Promote", "/help promote"),
        ("/drift", "/drift"),
        ("/status ops", "/status ops"),
    ] {
        assert_eq!(ok(text).to_string(), canonical, "{text:?}");
    }
}

#[test]
fn command_names_parse_from_their_words() {
    for name in CommandName::ALL {
        assert_eq!(CommandName::parse(name.as_str()), Some(name));
        assert_eq!(CommandName::parse(&format!("/{name}")), Some(name));
    }
    assert_eq!(CommandName::parse("deploy"), None);
}
