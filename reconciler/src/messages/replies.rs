//! Replies to commands: the same words on every front-end.

use crate::locks::EnvLock;
use bosun_commands::CommandName;
use std::fmt::Write;

/// One environment in a `/status` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvStatus {
    /// Its name.
    pub name: String,
    /// Other names it answers to.
    pub aliases: Vec<String>,
    /// Whether changes to it need the stronger roles.
    pub protected: bool,
    /// Its change freeze, if any.
    pub lock: Option<EnvLock>,
}

/// What `/status` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    /// The repository.
    pub repo: String,
    /// The environments asked about.
    pub envs: Vec<EnvStatus>,
    /// Open pull requests bosun watches in the repository.
    pub open_pull_requests: usize,
}

/// The `/status` reply.
pub fn status(view: &StatusView) -> String {
    let mut out = format!("**Status of `{}`**\n\n", view.repo);
    out.push_str("| environment | also called | protected | change freeze |\n|---|---|---|---|\n");
    for env in &view.envs {
        let aliases = if env.aliases.is_empty() {
            "-".to_owned()
        } else {
            env.aliases.join(", ")
        };
        let freeze = match &env.lock {
            Some(lock) => format!(
                "locked by {} since {}{}",
                lock.by,
                lock.since.format("%Y-%m-%d %H:%M UTC"),
                lock.reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            None => "none".to_owned(),
        };
        let protected = if env.protected { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "| `{}` | {aliases} | {protected} | {freeze} |",
            env.name
        );
    }
    let _ = writeln!(
        out,
        "\nOpen pull requests watched: {}.",
        view.open_pull_requests
    );
    out
}

/// The reply to `/lock` when the lock now holds as asked.
pub fn locked(lock: &EnvLock, already_by_other: bool) -> String {
    if already_by_other {
        return format!(
            "`{}` is already locked by {} since {}{}. Nothing changed; ask them, or someone who may, to `/unlock {}` first.",
            lock.env,
            lock.by,
            lock.since.format("%Y-%m-%d %H:%M UTC"),
            lock.reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            lock.env
        );
    }
    format!(
        "`{}` is locked: changes to it are frozen{}. Run `/unlock {}` to lift the freeze.",
        lock.env,
        lock.reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default(),
        lock.env
    )
}

/// The reply to `/unlock`.
pub fn unlocked(env: &str, was: Option<&EnvLock>) -> String {
    match was {
        Some(lock) => format!("`{env}` is unlocked (it was locked by {}).", lock.by),
        None => format!("`{env}` was not locked. Nothing changed."),
    }
}

/// The reply to a command whose handler has not shipped in this version.
pub fn not_available(command: CommandName) -> String {
    format!(
        "`/{command}` is understood but not available yet in this version of bosun. Nothing was done. Run `/help` to see what works today."
    )
}

/// The reply when `.bosun.yaml` cannot be read.
pub fn config_error(error: &str) -> String {
    format!(
        "bosun cannot run commands here until its settings are fixed: {error}. Nothing was done."
    )
}

/// The reply when bosun itself failed; details stay in the log.
pub fn internal_error(correlation: &str) -> String {
    format!(
        "Sorry, something went wrong inside bosun while handling this. Nothing more was done. Reference: `{correlation}`."
    )
}

/// A reply as a pull request comment: who asked what, then the answer.
pub fn pr_reply(asker: &str, text: &str, reply: &str) -> String {
    format!("> `{text}` asked by @{asker}\n\n{reply}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn lock() -> EnvLock {
        EnvLock {
            env: "prd".to_owned(),
            by: "forge:alice".to_owned(),
            reason: Some("release weekend".to_owned()),
            since: chrono::Utc
                .with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
                .unwrap(),
        }
    }

    #[test]
    fn status_lists_environments_and_freezes() {
        let view = StatusView {
            repo: "acme/platform".to_owned(),
            envs: vec![
                EnvStatus {
                    name: "stg".to_owned(),
                    aliases: vec!["staging".to_owned()],
                    protected: false,
                    lock: None,
                },
                EnvStatus {
                    name: "prd".to_owned(),
                    aliases: vec!["prod".to_owned(), "production".to_owned()],
                    protected: true,
                    lock: Some(lock()),
                },
            ],
            open_pull_requests: 3,
        };
        insta::assert_snapshot!(status(&view));
    }

    #[test]
    fn lock_replies() {
        insta::assert_snapshot!("locked", locked(&lock(), false));
        insta::assert_snapshot!("locked_by_someone_else", locked(&lock(), true));
        insta::assert_snapshot!("unlocked", unlocked("prd", Some(&lock())));
        insta::assert_snapshot!("unlocked_when_free", unlocked("prd", None));
    }

    #[test]
    fn other_replies() {
        insta::assert_snapshot!("not_available", not_available(CommandName::Promote));
        insta::assert_snapshot!(
            "config_error",
            config_error(".bosun.yaml line 3: unknown field `protcted`")
        );
        insta::assert_snapshot!("internal_error", internal_error("github:abc-123"));
        insta::assert_snapshot!(
            "pr_reply",
            pr_reply("alice", "/unlock prd", &unlocked("prd", None))
        );
    }
}
