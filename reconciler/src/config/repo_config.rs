//! Parsing `.bosun.yaml`: environments and their aliases, roles mapped from
//! forge and chat identities, permission overrides, and promotion rules. Unknown keys are
//! errors; every error names the key and its line.

use super::cost::{CostConfig, CostSection};
use super::promotion::{PromotionRules, PromotionSection};
use super::roles::{RoleMap, RoleMembers};
use super::terraform::{TerraformRules, TerraformSection};
use bosun_commands::{Action, Allowed, CommandName, Env, EnvCatalog, PermissionPolicy, Role};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::HashMap;

/// Where the repository's settings live.
pub const REPO_CONFIG_PATH: &str = ".bosun.yaml";

/// A `.bosun.yaml` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{REPO_CONFIG_PATH}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The line of the offending key, when known.
    pub line: Option<u64>,
    /// What is wrong, naming the key.
    pub message: String,
}

fn at(spanned: &Spanned<String>, message: String) -> ConfigError {
    ConfigError {
        line: Some(spanned.referenced.line()),
        message,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    environments: Option<Vec<EnvEntry>>,
    #[serde(default)]
    roles: HashMap<Spanned<String>, RoleMembers>,
    #[serde(default)]
    permissions: HashMap<Spanned<String>, HashMap<Spanned<String>, AllowedEntry>>,
    #[serde(default)]
    promotion: Option<PromotionSection>,
    #[serde(default)]
    terraform: Option<TerraformSection>,
    gate: Option<super::gate::GateSection>,
    alerts: Option<super::alerts::AlertsSection>,
    cost: Option<CostSection>,
    chat: Option<super::chat::ChatSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvEntry {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    protected: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AllowedEntry {
    Word(Spanned<String>),
    Roles(Vec<Spanned<String>>),
}

/// A repository's settings, with the defaults filled in.
#[derive(Debug, Clone)]
pub struct RepoConfig {
    /// Environments and their aliases.
    pub envs: EnvCatalog,
    /// Who has which role.
    pub roles: RoleMap,
    /// Who may run what.
    pub policy: PermissionPolicy,
    /// Promotion order, soak times and freeze windows.
    pub promotion: PromotionRules,
    /// Terraform projects, apply modes and requirements, drift schedules.
    pub terraform: TerraformRules,
    /// The merge gate's settings; `None` (no `gate:` section): no gate.
    pub gate: Option<super::gate::GateSettings>,
    /// When the daily alert digests are posted.
    pub alerts: super::alerts::AlertRules,
    /// GPU cost reports (`cost:`), when configured.
    pub cost: Option<CostConfig>,
    /// Where notices go in chat (`chat:`, issue 7).
    pub chat: super::chat::ChatConfig,
}

impl Default for RepoConfig {
    fn default() -> Self {
        let envs = EnvCatalog::default();
        let alerts = super::alerts::AlertRules::defaults(&envs);
        Self {
            alerts,
            policy: PermissionPolicy::defaults(&envs),
            envs,
            roles: RoleMap::default(),
            promotion: PromotionRules::default(),
            terraform: TerraformRules::parse(None, &EnvCatalog::default()).unwrap_or_default(),
            gate: None,
            cost: None,
            chat: Default::default(),
        }
    }
}

fn sorted<K, V>(map: HashMap<Spanned<K>, V>) -> Vec<(Spanned<K>, V)> {
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    entries
}

fn catalog(entries: Option<Vec<EnvEntry>>) -> Result<EnvCatalog, ConfigError> {
    let Some(entries) = entries else {
        return Ok(EnvCatalog::default());
    };
    let mut catalog = EnvCatalog::new();
    for entry in entries {
        let aliases: Vec<&str> = entry.aliases.iter().map(String::as_str).collect();
        catalog = catalog
            .with_env(&entry.name.value, &aliases, entry.protected)
            .map_err(|e| at(&entry.name, format!("environments: {e}")))?;
    }
    Ok(catalog)
}

fn role(word: &Spanned<String>, key: &str) -> Result<Role, ConfigError> {
    Role::parse(&word.value).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        at(
            word,
            format!(
                "{key}: unknown role `{}` (roles are {})",
                word.value,
                known.join(", ")
            ),
        )
    })
}

fn allowed(entry: &AllowedEntry, key: &str) -> Result<Allowed, ConfigError> {
    match entry {
        AllowedEntry::Word(word) if word.value == "anyone" => Ok(Allowed::AnyoneWithWrite),
        AllowedEntry::Word(word) => Ok(Allowed::Roles(vec![role(word, key)?])),
        AllowedEntry::Roles(words) => {
            let roles = words
                .iter()
                .map(|w| role(w, key))
                .collect::<Result<_, _>>()?;
            Ok(Allowed::Roles(roles))
        }
    }
}

fn env_scope(
    word: &Spanned<String>,
    envs: &EnvCatalog,
    key: &str,
) -> Result<Option<Env>, ConfigError> {
    if word.value == "all" {
        return Ok(None);
    }
    envs.resolve(&word.value).map(Some).ok_or_else(|| {
        let known: Vec<&str> = envs.envs().map(Env::as_str).collect();
        at(
            word,
            format!(
                "{key}: unknown environment `{}` (environments are {}, or `all`)",
                word.value,
                known.join(", ")
            ),
        )
    })
}

impl RepoConfig {
    /// Reads `.bosun.yaml` text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let file: FileConfig = serde_saphyr::from_str(text).map_err(|e| ConfigError {
            line: None,
            message: e.to_string(),
        })?;
        let envs = catalog(file.environments)?;
        let mut roles = RoleMap::default();
        for (name, members) in sorted(file.roles) {
            let role = role(&name, "roles")?;
            roles.insert(role, members);
        }
        let mut policy = PermissionPolicy::defaults(&envs);
        for (action_word, scopes) in sorted(file.permissions) {
            let key = format!("permissions.{}", action_word.value);
            let is_force = action_word.value == "force";
            let action: Option<Action> = CommandName::parse(&action_word.value);
            if action.is_none() && !is_force {
                let known: Vec<&str> = CommandName::ALL.iter().map(|c| c.as_str()).collect();
                return Err(at(
                    &action_word,
                    format!(
                        "permissions: unknown command `{}` (commands are {}, or `force`)",
                        action_word.value,
                        known.join(", ")
                    ),
                ));
            }
            for (scope, entry) in sorted(scopes) {
                let key = format!("{key}.{}", scope.value);
                let env = env_scope(&scope, &envs, &key)?;
                let who = allowed(&entry, &key)?;
                match action {
                    Some(action) => policy.set(action, env.as_ref(), who),
                    None => policy.set_force(env.as_ref(), who),
                }
            }
        }
        let promotion = PromotionRules::parse(file.promotion, &envs)?;
        let terraform = TerraformRules::parse(file.terraform, &envs)?;
        let alerts = super::alerts::AlertRules::parse(file.alerts, &envs)?;
        let cost = CostConfig::parse(file.cost, &envs)?;
        let chat = super::chat::ChatConfig::parse(file.chat, &envs)?;
        Ok(Self {
            envs,
            roles,
            policy,
            promotion,
            terraform,
            gate: super::gate::GateSettings::parse(file.gate)?,
            alerts,
            cost,
            chat,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_commands::{ActorRoles, Decision, parse_command};

    const EXAMPLE: &str = "\
environments:
  - name: dev
  - name: stg
    aliases: [staging]
  - name: prd
    aliases: [prod]
    protected: true
roles:
  platform:
    github_users: [alice]
  dev:
    github_teams: [acme/app-devs]
permissions:
  apply:
    prd: [platform]
    dev: anyone
";

    #[test]
    fn an_empty_file_means_the_defaults() {
        let config = RepoConfig::parse("").unwrap();
        assert!(config.envs.resolve("prod").is_some());
    }

    #[test]
    fn environments_roles_and_overrides_are_read() {
        let config = RepoConfig::parse(EXAMPLE).unwrap();
        assert!(config.envs.resolve("ops").is_none());
        let apply_prd = parse_command("/apply prod", &config.envs).unwrap();
        let sre = ActorRoles {
            has_write: true,
            roles: vec![Role::Sre],
        };
        assert!(matches!(
            config.policy.decide(&apply_prd, &sre),
            Decision::Refused(_)
        ));
        let apply_dev = parse_command("/apply dev", &config.envs).unwrap();
        let anyone = ActorRoles {
            has_write: true,
            roles: vec![],
        };
        assert_eq!(config.policy.decide(&apply_dev, &anyone), Decision::Allowed);
    }

    #[test]
    fn a_typo_names_the_key_and_its_line() {
        let error =
            RepoConfig::parse("environments:\n  - name: dev\n    protcted: true\n").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("protcted"), "{text}");
        assert!(text.contains("line 3") || text.contains(":3"), "{text}");
    }

    #[test]
    fn unknown_roles_environments_and_commands_are_named_with_their_line() {
        let error = RepoConfig::parse("roles:\n  admin:\n    github_users: [x]\n").unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(error.message.contains("unknown role `admin`"), "{error}");
        let error = RepoConfig::parse("permissions:\n  apply:\n    prdd: [sre]\n").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("permissions.apply.prdd"), "{error}");
        let error = RepoConfig::parse("permissions:\n  aply:\n    prd: [sre]\n").unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(error.message.contains("unknown command `aply`"), "{error}");
    }

    #[test]
    fn the_promotion_section_is_read_against_the_files_environments() {
        let text = format!(
            "{EXAMPLE}promotion:\n  order:\n    prod: staging\n  soak:\n    prd: 24h\n  time_zone: Asia/Dubai\n  freeze:\n    - name: weekend\n      envs: [prd]\n      days: [fri, sat]\n      from: 00:00\n      to: 23:59\n"
        );
        let config = RepoConfig::parse(&text).unwrap();
        let prd = config.envs.resolve("prd").unwrap();
        let stg = config.envs.resolve("stg").unwrap();
        assert_eq!(config.promotion.source_of(&prd), Some(&stg));
        assert_eq!(config.promotion.source_of(&stg), None);
        assert_eq!(
            config.promotion.soak(&prd),
            Some(std::time::Duration::from_secs(86_400))
        );
        // 2026-11-27 is a Friday: 06:00 UTC is 10:00 in Dubai.
        let friday = chrono::DateTime::parse_from_rfc3339("2026-11-27T06:00:00Z")
            .unwrap()
            .to_utc();
        let freeze = config.promotion.freeze_at(&prd, friday).unwrap();
        assert_eq!(freeze.name, "weekend");
        let dev = config.envs.resolve("dev").unwrap();
        assert_eq!(config.promotion.freeze_at(&dev, friday), None);
    }

    #[test]
    fn without_a_promotion_section_the_default_order_applies() {
        let config = RepoConfig::parse(EXAMPLE).unwrap();
        let prd = config.envs.resolve("prd").unwrap();
        let stg = config.envs.resolve("stg").unwrap();
        assert_eq!(config.promotion.source_of(&prd), Some(&stg));
        assert_eq!(config.promotion.soak(&prd), None);
    }

    #[test]
    fn promotion_errors_name_the_key_and_its_line_in_the_whole_file() {
        // The catalog of EXAMPLE has no `ops`; EXAMPLE is 16 lines long.
        let text = format!("{EXAMPLE}promotion:\n  order:\n    ops: prd\n");
        let error = RepoConfig::parse(&text).unwrap_err();
        assert_eq!(error.line, Some(19), "{error}");
        assert!(
            error
                .message
                .contains("promotion.order.ops: unknown environment `ops`"),
            "{error}"
        );
        let text = format!("{EXAMPLE}promotion:\n  time_zone: Mars/Olympus\n");
        let error = RepoConfig::parse(&text).unwrap_err();
        assert_eq!(error.line, Some(18), "{error}");
        assert!(error.message.contains("promotion.time_zone"), "{error}");
        let error = RepoConfig::parse("promotion:\n  sook:\n    prd: 1h\n").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("sook") && text.contains('2'), "{text}");
    }

    #[test]
    fn the_readme_example_parses() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("### `.bosun.yaml`")
            .nth(1)
            .expect("the README documents .bosun.yaml");
        let yaml = section
            .split("```yaml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("with a YAML example");
        let config = RepoConfig::parse(yaml).unwrap();
        let prd = config.envs.resolve("prd").unwrap();
        assert!(config.promotion.soak(&prd).is_some());
    }
}
