//! Properties: parsing never panics, canonical text parses back to the same
//! command, and every rendered error ends with how to get help.

use bosun_commands::{
    App, Command, CommandName, Env, Period, RollbackTarget, parse_command, parse_comment,
    render_parse_error,
};
use proptest::prelude::*;

use crate::envs;

fn any_env() -> impl Strategy<Value = Env> {
    prop::sample::select(envs().envs().cloned().collect::<Vec<_>>())
}

fn any_app() -> impl Strategy<Value = App> {
    "[a-z0-9][a-z0-9._-]{0,62}".prop_map(|name| App::parse(&name).expect("pattern matches App"))
}

fn any_target() -> impl Strategy<Value = RollbackTarget> {
    prop_oneof![
        "[0-9a-f]{7,40}".prop_map(RollbackTarget::Commit),
        (1u64..).prop_map(RollbackTarget::PullRequest),
    ]
}

fn any_period() -> impl Strategy<Value = Period> {
    (1..=Period::MAX.hours()).prop_map(|hours| Period::from_hours(hours).expect("in range"))
}

/// A lock reason as the parser leaves it: words joined by single spaces.
fn any_reason() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::collection::vec("\\S{1,12}", 1..8).prop_map(|words| words.join(" ")))
}

fn any_command() -> impl Strategy<Value = Command> {
    let promote = (
        any_env(),
        any_env(),
        prop::collection::vec(any_app(), 0..4),
        any::<bool>(),
    )
        .prop_filter("from and to differ", |(from, to, _, _)| from != to)
        .prop_map(|(from, to, apps, force)| {
            let mut only: Vec<App> = Vec::new();
            for app in apps {
                if !only.contains(&app) {
                    only.push(app);
                }
            }
            Command::Promote {
                from,
                to,
                only,
                force,
            }
        });
    prop_oneof![
        any_env().prop_map(|env| Command::Plan { env }),
        any_env().prop_map(|env| Command::Apply { env }),
        promote,
        (any_env(), prop::option::of(any_target()))
            .prop_map(|(env, to)| Command::Rollback { env, to }),
        prop::option::of(any_env()).prop_map(|env| Command::Drift { env }),
        (prop::option::of(any_env()), any_period())
            .prop_map(|(env, period)| Command::Cost { env, period }),
        prop::option::of(any_env()).prop_map(|env| Command::Status { env }),
        (any_env(), any_reason()).prop_map(|(env, reason)| Command::Lock { env, reason }),
        any_env().prop_map(|env| Command::Unlock { env }),
        prop::option::of(prop::sample::select(CommandName::ALL.to_vec()))
            .prop_map(|topic| Command::Help { topic }),
    ]
}

/// Text that looks like commands often enough to reach deep into the parser.
fn command_like_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        "(plan|apply|promote|rollback|drift|cost|status|lock|unlock|help|bosun|to)",
        "(dev|stg|prd|ops|prod|staging|prdd|qa)",
        "(--force|--period|--period=7d|—force|-f|--)",
        "[0-9a-fA-F#]{0,12}[hdw]?",
        "\\PC{0,6}",
    ];
    ("[ \t]{0,2}/?", prop::collection::vec(word, 0..7))
        .prop_map(|(lead, words)| format!("{lead}{}", words.join(" ")))
}

/// Markdown that mixes command lines with the constructs that hide them.
fn markdown_like_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        command_like_text(),
        command_like_text().prop_map(|l| format!("> {l}")),
        command_like_text().prop_map(|l| format!("    {l}")),
        command_like_text().prop_map(|l| format!("`{l}`")),
        command_like_text().prop_map(|l| format!("[{l}](http://x)")),
        Just("```".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just(String::new()),
        "\\PC{0,20}",
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn canonical_text_parses_back_to_the_same_command(command in any_command()) {
        let text = command.to_string();
        prop_assert_eq!(parse_command(&text, &envs()), Ok(command.clone()), "{}", text);
        let without_slash = text.trim_start_matches('/');
        prop_assert_eq!(parse_command(without_slash, &envs()), Ok(command.clone()));
        let invocations = parse_comment(&format!("Please:\n{text}\n"), &envs());
        prop_assert_eq!(invocations.len(), 1);
        prop_assert_eq!(&invocations[0].result, &Ok(command));
    }

    #[test]
    fn parse_command_never_panics(text in any::<String>()) {
        let _ = parse_command(&text, &envs());
    }

    #[test]
    fn parse_command_never_panics_on_command_like_text(text in command_like_text()) {
        if let Err(err) = parse_command(&text, &envs()) {
            let words = render_parse_error(&err);
            prop_assert!(
                words.ends_with(" for usage.") || words.ends_with(" for the list of commands."),
                "{}", words
            );
            prop_assert!(!words.contains('\n'));
        }
    }

    #[test]
    fn parse_comment_never_panics(body in any::<String>()) {
        let _ = parse_comment(&body, &envs());
    }

    #[test]
    fn comment_invocations_are_their_lines_parsed(body in markdown_like_text()) {
        let line_count = body.split('\n').count();
        for invocation in parse_comment(&body, &envs()) {
            prop_assert!((1..=line_count).contains(&invocation.line));
            prop_assert!(invocation.text.starts_with('/'));
            let line = body.split('\n').nth(invocation.line - 1).map(str::trim);
            prop_assert_eq!(line, Some(invocation.text.as_str()));
            prop_assert_eq!(&invocation.result, &parse_command(&invocation.text, &envs()));
        }
    }
}
