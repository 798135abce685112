//! `parse_comment`: which lines of a Markdown comment are commands.

use bosun_commands::{Command, CommandName, Invocation, ParseError, parse_comment};

use crate::{env, envs};

/// `(line, text)` of each invocation found.
fn found(body: &str) -> Vec<(usize, String)> {
    parse_comment(body, &envs())
        .into_iter()
        .map(|invocation| (invocation.line, invocation.text))
        .collect()
}

fn nothing_in(body: &str) {
    assert_eq!(found(body), [], "{body:?}");
}

#[test]
fn several_commands_in_one_comment_are_found_in_order() {
    let body = "Looks good.\n\n/plan dev\n  /promote stg prd api  \nthanks!\n/status\n";
    let invocations = parse_comment(body, &envs());
    assert_eq!(
        invocations,
        [
            Invocation {
                line: 3,
                text: "/plan dev".into(),
                result: Ok(Command::Plan { env: env("dev") }),
            },
            Invocation {
                line: 4,
                text: "/promote stg prd api".into(),
                result: Ok(Command::Promote {
                    from: env("stg"),
                    to: env("prd"),
                    only: vec![crate::app("api")],
                    force: false,
                }),
            },
            Invocation {
                line: 6,
                text: "/status".into(),
                result: Ok(Command::Status { env: None }),
            },
        ]
    );
}

#[test]
fn bad_command_lines_are_reported_next_to_good_ones() {
    let invocations = parse_comment("/plan qa\n/apply dev", &envs());
    assert!(matches!(
        invocations[0].result,
        Err(ParseError::UnknownEnv { .. })
    ));
    assert_eq!(
        invocations[1].result,
        Ok(Command::Apply { env: env("dev") })
    );
}

#[test]
fn comment_without_commands_yields_nothing() {
    nothing_in("");
    nothing_in("LGTM, ship it. We should plan dev first.");
    nothing_in("Please run /plan dev when you can.");
}

#[test]
fn fenced_code_is_ignored() {
    nothing_in("```\n/apply prd\n```");
    nothing_in("```sh\n/apply prd\n```\n");
    nothing_in("~~~\n/apply prd\n~~~");
    nothing_in("text\n```\n/apply prd\n");
    assert_eq!(
        found("```\n/apply prd\n```\n/plan dev"),
        [(4, "/plan dev".to_owned())]
    );
}

#[test]
fn indented_code_is_ignored() {
    nothing_in("Run this:\n\n    /apply prd\n");
    nothing_in("\t/apply prd");
}

#[test]
fn inline_code_is_ignored() {
    nothing_in("`/apply prd`");
    nothing_in("`` /apply prd ``");
    nothing_in("See `the\n/apply prd` command");
}

#[test]
fn block_quotes_are_ignored_with_their_lazy_lines() {
    nothing_in("> /apply prd");
    nothing_in("> > /apply prd");
    nothing_in("> quoted\n/apply prd");
    assert_eq!(
        found("> quoted\n\n/plan dev"),
        [(3, "/plan dev".to_owned())]
    );
}

#[test]
fn link_text_and_urls_are_ignored() {
    nothing_in("[/plan dev](https://example.com)");
    nothing_in("[see\n/plan dev](https://example.com)");
    nothing_in("![/plan dev](/apply/prd.png)");
    nothing_in("<https://example.com/apply>");
}

#[test]
fn html_and_html_comments_are_ignored() {
    nothing_in("<!--\n/apply prd\n-->");
    nothing_in("<details>\n/apply prd\n</details>");
    nothing_in("See <!--\n/apply prd\n-->");
    nothing_in("See <span title='\n/apply prd'>x</span>");
}

#[test]
fn commands_after_an_html_comment_closes_are_found() {
    assert_eq!(
        found("<!-- template -->\n/plan dev"),
        [(2, "/plan dev".to_owned())]
    );
    assert_eq!(
        found("<!--\n/apply prd\n-->\n\n/plan dev"),
        [(5, "/plan dev".to_owned())]
    );
}

#[test]
fn other_bots_commands_and_paths_are_not_addressed_to_bosun() {
    nothing_in("/lgtm\n/assign @alice\n/approve\n/retest\n/hold\n/close\n/ok-to-test\n/test all");
    nothing_in("/usr/bin/x --flag\n/etc/passwd\n/plan/dev");
    nothing_in("/ plan dev\n/\n//plan dev");
}

#[test]
fn close_typo_of_a_command_is_an_error_with_a_suggestion() {
    let invocations = parse_comment("/promte stg prd", &envs());
    assert_eq!(
        invocations,
        [Invocation {
            line: 1,
            text: "/promte stg prd".into(),
            result: Err(ParseError::UnknownCommand {
                word: "promte".into(),
                did_you_mean: Some(CommandName::Promote),
            }),
        }]
    );
}

#[test]
fn bosun_prefixed_lines_are_always_addressed() {
    let invocations = parse_comment("/bosun\n/bosun frobnicate", &envs());
    assert_eq!(invocations[0].result, Ok(Command::Help { topic: None }));
    assert_eq!(
        invocations[1].result,
        Err(ParseError::UnknownCommand {
            word: "frobnicate".into(),
            did_you_mean: None
        })
    );
}

#[test]
fn list_items_and_headings_with_a_slash_are_not_commands() {
    nothing_in("- /plan dev\n1. /plan dev\n# /plan dev");
}

#[test]
fn editing_a_comment_keeps_unchanged_invocations_equal() {
    let before = parse_comment("/plan dev\n", &envs());
    let after = parse_comment("/plan dev\n/apply dev\n", &envs());
    assert_eq!(after[..1], before[..]);
}
