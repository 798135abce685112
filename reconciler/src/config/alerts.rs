//! The `alerts:` section of `.bosun.yaml`: when each environment's daily
//! alert digest is posted.
//!
//! ```yaml
//! alerts:
//!   digest:
//!     cron: "0 8 * * *"        # 5 fields, minute first (default 08:00)
//!     time_zone: Asia/Dubai    # IANA name (default Asia/Dubai)
//!     envs: [stg, prd]         # default: every environment
//! ```

use super::repo_config::ConfigError;
use bosun_commands::{Env, EnvCatalog};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// The digest's default schedule: every day at 08:00.
pub const DEFAULT_DIGEST_CRON: &str = "0 8 * * *";

/// The `alerts:` section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AlertsSection {
    #[serde(default)]
    digest: Option<DigestSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DigestSection {
    #[serde(default)]
    cron: Option<Spanned<String>>,
    #[serde(default)]
    time_zone: Option<Spanned<String>>,
    #[serde(default)]
    envs: Option<Vec<Spanned<String>>>,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

/// When the daily digests are posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSchedule {
    /// A 5-field cron expression (checked with croner).
    pub cron: String,
    /// The time zone it is read in.
    pub time_zone: Tz,
    /// The environments that get a digest.
    pub envs: Vec<Env>,
}

/// The alert settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRules {
    /// The daily digest's schedule; `None` when turned off.
    pub digest: Option<DigestSchedule>,
}

fn at(spanned: &Spanned<String>, message: String) -> ConfigError {
    ConfigError {
        line: Some(spanned.referenced.line()),
        message,
    }
}

impl AlertRules {
    /// The defaults: a digest at 08:00 in Asia/Dubai for every environment.
    pub fn defaults(envs: &EnvCatalog) -> Self {
        Self {
            digest: Some(DigestSchedule {
                cron: DEFAULT_DIGEST_CRON.to_owned(),
                time_zone: super::DEFAULT_TIME_ZONE,
                envs: envs.envs().cloned().collect(),
            }),
        }
    }

    /// Reads the section, checking the cron expression, the time zone and
    /// the environments; errors name the key and its line.
    pub(super) fn parse(
        section: Option<AlertsSection>,
        envs: &EnvCatalog,
    ) -> Result<Self, ConfigError> {
        let Some(digest) = section.and_then(|s| s.digest) else {
            return Ok(Self::defaults(envs));
        };
        if !digest.enabled {
            return Ok(Self { digest: None });
        }
        let cron = match digest.cron {
            None => DEFAULT_DIGEST_CRON.to_owned(),
            Some(text) => {
                let value = text.value.trim().to_owned();
                let fields = value.split_whitespace().count();
                let parsed = value.parse::<croner::Cron>();
                if fields != 5 || parsed.is_err() {
                    let why = parsed
                        .err()
                        .map_or("it needs 5 fields".to_owned(), |e| e.to_string());
                    return Err(at(
                        &text,
                        format!(
                            "alerts.digest.cron: `{value}` is not a 5-field cron expression ({why})"
                        ),
                    ));
                }
                value
            }
        };
        let time_zone = match &digest.time_zone {
            None => super::DEFAULT_TIME_ZONE,
            Some(name) => name.value.trim().parse::<Tz>().map_err(|_| {
                at(
                    name,
                    format!(
                        "alerts.digest.time_zone: unknown time zone `{}` (use an IANA name such as `Asia/Dubai`)",
                        name.value
                    ),
                )
            })?,
        };
        let chosen = match digest.envs {
            None => envs.envs().cloned().collect(),
            Some(names) => names
                .iter()
                .map(|name| {
                    envs.resolve(&name.value).ok_or_else(|| {
                        let known: Vec<&str> = envs.envs().map(Env::as_str).collect();
                        at(
                            name,
                            format!(
                                "alerts.digest.envs: unknown environment `{}` (environments are {})",
                                name.value,
                                known.join(", ")
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Self {
            digest: Some(DigestSchedule {
                cron,
                time_zone,
                envs: chosen,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::RepoConfig;

    #[test]
    fn every_environment_gets_a_digest_at_eight_by_default() {
        let config = RepoConfig::parse("").unwrap();
        let digest = config.alerts.digest.unwrap();
        assert_eq!(digest.cron, "0 8 * * *");
        assert_eq!(digest.time_zone, chrono_tz::Asia::Dubai);
        assert!(!digest.envs.is_empty());
    }

    #[test]
    fn the_schedule_zone_and_environments_are_read_through_aliases() {
        let config = RepoConfig::parse(
            "alerts:\n  digest:\n    cron: \"30 7 * * 1-5\"\n    time_zone: Europe/Berlin\n    envs: [prod]\n",
        )
        .unwrap();
        let digest = config.alerts.digest.unwrap();
        assert_eq!(digest.cron, "30 7 * * 1-5");
        assert_eq!(digest.time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(digest.envs.len(), 1);
        assert_eq!(digest.envs[0].as_str(), "prd");
        let off = RepoConfig::parse("alerts:\n  digest:\n    enabled: false\n").unwrap();
        assert_eq!(off.alerts.digest, None);
    }

    #[test]
    fn a_bad_cron_zone_environment_or_key_is_named_with_its_line() {
        for (text, expected) in [
            (
                "alerts:\n  digest:\n    cron: \"61 8 * * *\"\n",
                "line 3: alerts.digest.cron: `61 8 * * *`",
            ),
            (
                "alerts:\n  digest:\n    cron: \"0 0 8 * * *\"\n",
                "line 3: alerts.digest.cron",
            ),
            (
                "alerts:\n  digest:\n    time_zone: Mars/Base\n",
                "line 3: alerts.digest.time_zone: unknown time zone `Mars/Base`",
            ),
            (
                "alerts:\n  digest:\n    envs: [qa]\n",
                "alerts.digest.envs: unknown environment `qa`",
            ),
            ("alerts:\n  digset: {}\n", "digset"),
        ] {
            let error = RepoConfig::parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
