//! The Slack app manifest in `bot/chat/` declares exactly the commands the
//! grammar (and the Discord registration) offers, sends them and button
//! clicks to bosun's routes, and asks for the scopes bosun uses.

use bosun::chat::discord::register::command_names;
use serde_json::Value;

fn manifest() -> Value {
    let text = include_str!("../chat/slack-app-manifest.yaml");
    serde_saphyr::from_str(text).expect("the manifest is YAML")
}

#[test]
fn the_manifest_declares_the_grammars_commands_and_bosuns_routes() {
    let manifest = manifest();
    let commands = manifest["features"]["slash_commands"].as_array().unwrap();
    let names: Vec<&str> = commands
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = command_names().iter().map(|n| format!("/{n}")).collect();
    assert_eq!(names, expected);
    for command in commands {
        assert!(
            command["url"]
                .as_str()
                .unwrap()
                .ends_with("/slack/commands"),
            "{command}"
        );
        assert!(
            !command["description"].as_str().unwrap().is_empty(),
            "{command}"
        );
    }
    let interactivity = &manifest["settings"]["interactivity"];
    assert_eq!(interactivity["is_enabled"], true);
    assert!(
        interactivity["request_url"]
            .as_str()
            .unwrap()
            .ends_with("/slack/interactions")
    );
    let scopes: Vec<&str> = manifest["oauth_config"]["scopes"]["bot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for needed in ["commands", "chat:write", "files:write", "usergroups:read"] {
        assert!(scopes.contains(&needed), "{scopes:?}");
    }
}
