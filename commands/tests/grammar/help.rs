//! Snapshots of the help text: the overview and each command.

use bosun_commands::{CommandName, EnvCatalog, help_text};
use insta::assert_snapshot;

use crate::envs;

#[test]
fn overview_lists_every_command_and_environment() {
    let text = help_text(None, &envs());
    for name in CommandName::ALL {
        assert!(text.contains(name.usage()), "{name} missing");
    }
    assert_snapshot!("help_overview", text);
}

#[test]
fn each_command_has_help() {
    for name in CommandName::ALL {
        let text = help_text(Some(name), &envs());
        assert!(
            text.starts_with(&format!("Usage: `{}`", name.usage())),
            "{text}"
        );
        assert!(text.contains("Who may run it by default:"), "{text}");
        assert_snapshot!(format!("help_{name}"), text);
    }
}

#[test]
fn help_follows_the_catalog() {
    let catalog = EnvCatalog::new()
        .with_env("sandbox", &["sbx"], false)
        .and_then(|c| c.with_env("live", &[], true))
        .expect("a valid catalog");
    assert_snapshot!(
        "help_apply_custom_catalog",
        help_text(Some(CommandName::Apply), &catalog)
    );
    assert_snapshot!(
        "help_status_empty_catalog",
        help_text(Some(CommandName::Status), &EnvCatalog::new())
    );
}
