//! Feeds arbitrary text to the command grammar: `parse_comment` on the whole
//! input and `parse_command` on it as one line, with the default catalog.
//!
//! Besides "never panics", it checks what must hold for any input: each
//! invocation found in a comment is its own line parsed again, a parsed
//! command's canonical text parses back to the same command, and errors and
//! refusals render.

#![no_main]

use std::sync::LazyLock;

use bosun_commands::{
    ActorRoles, Decision, EnvCatalog, PermissionPolicy, Role, parse_command, parse_comment,
    render_parse_error, render_refusal,
};
use libfuzzer_sys::fuzz_target;

static ENVS: LazyLock<EnvCatalog> = LazyLock::new(EnvCatalog::default);
static POLICY: LazyLock<PermissionPolicy> = LazyLock::new(|| PermissionPolicy::defaults(&ENVS));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for invocation in parse_comment(&text, &ENVS) {
        assert!(invocation.text.starts_with('/'));
        assert_eq!(invocation.result, parse_command(&invocation.text, &ENVS));
    }
    match parse_command(&text, &ENVS) {
        Ok(command) => {
            let canonical = command.to_string();
            assert_eq!(
                parse_command(&canonical, &ENVS),
                Ok(command.clone()),
                "{canonical}"
            );
            let dev = ActorRoles {
                has_write: true,
                roles: vec![Role::Dev],
            };
            if let Decision::Refused(refusal) = POLICY.decide(&command, &dev) {
                assert!(!render_refusal(&command, &refusal).is_empty());
            }
        }
        Err(err) => {
            let words = render_parse_error(&err);
            assert!(
                words.ends_with(" for usage.") || words.ends_with(" for the list of commands.")
            );
            assert!(!words.contains('\n'));
        }
    }
});
