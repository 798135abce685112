//! The `terraform:` section of `.bosun.yaml`: the Terraform projects bosun
//! plans and applies, how each environment applies (`apply_mode`), what must
//! hold before `/apply` runs (`apply_requirements`), whether bosun merges once
//! every planned environment is applied (`automerge`), and when drift is
//! looked for (`drift`, cron in a time zone, validated with croner).
//!
//! ```yaml
//! terraform:
//!   automerge: true
//!   projects:
//!     - name: dev
//!       dir: terraform/envs/dev
//!       when_modified: ["terraform/shared/*.tfvars"]
//!   envs:
//!     dev:
//!       apply_mode: after_merge
//!     prd:
//!       apply_requirements: { approved: 2, mergeable: true, gate: true, undiverged: true }
//!       drift: { cron: "0 6 * * *", time_zone: Asia/Dubai }
//! ```

use super::repo_config::ConfigError;
use bosun_commands::{Env, EnvCatalog};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashMap};

/// The time zone of drift schedules when none is named.
pub const DEFAULT_DRIFT_TIME_ZONE: Tz = chrono_tz::Asia::Dubai;

/// The `terraform:` section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TerraformSection {
    #[serde(default)]
    binary: Option<Spanned<String>>,
    #[serde(default)]
    automerge: Option<bool>,
    #[serde(default)]
    projects: Vec<ProjectEntry>,
    #[serde(default)]
    envs: HashMap<Spanned<String>, EnvEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectEntry {
    name: Spanned<String>,
    #[serde(default)]
    env: Option<Spanned<String>>,
    dir: Spanned<String>,
    #[serde(default)]
    workspace: Option<String>,
    #[serde(default)]
    binary: Option<Spanned<String>>,
    #[serde(default)]
    when_modified: Vec<String>,
    #[serde(default)]
    var_files: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvEntry {
    #[serde(default)]
    apply_mode: Option<Spanned<String>>,
    #[serde(default)]
    apply_requirements: Option<RequirementsEntry>,
    #[serde(default)]
    drift: Option<DriftEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementsEntry {
    #[serde(default)]
    approved: Option<u32>,
    #[serde(default)]
    mergeable: bool,
    #[serde(default)]
    gate: bool,
    #[serde(default)]
    undiverged: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DriftEntry {
    cron: Spanned<String>,
    #[serde(default)]
    time_zone: Option<Spanned<String>>,
}

/// Which program runs a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TfBinary {
    /// HashiCorp Terraform (`terraform` on `PATH`).
    Terraform,
    /// OpenTofu (`tofu` on `PATH`).
    Tofu,
}

impl TfBinary {
    /// The program's name.
    pub fn program(self) -> &'static str {
        match self {
            Self::Terraform => "terraform",
            Self::Tofu => "tofu",
        }
    }
}

/// One Terraform root bosun plans and applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TfProject {
    /// The project's name (unique; locks are per project).
    pub name: String,
    /// The environment it deploys.
    pub env: Env,
    /// Its directory from the repository's root.
    pub dir: String,
    /// The Terraform workspace (`default` unless set).
    pub workspace: String,
    /// The program that runs it.
    pub binary: TfBinary,
    /// Extra paths (globs: `*` within a folder, `**` across folders) whose
    /// change plans it, besides its own folder and the local modules it uses.
    pub when_modified: Vec<String>,
    /// Variable files passed to `plan` as `-var-file`, in order, as paths
    /// from the repository's root (a shared `terraform/shared/prd.tfvars`
    /// as well as one in the project's folder). A change to one plans the
    /// project.
    pub var_files: Vec<String>,
}

/// When an environment's changes are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyMode {
    /// `/apply` on the pull request, then merge (the Atlantis way).
    BeforeMerge,
    /// bosun applies the default branch after the pull request merges.
    AfterMerge,
}

/// What must hold before `/apply` runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyRequirements {
    /// Approving reviews by people with write access other than the author.
    pub approved: u32,
    /// The pull request merges cleanly.
    pub mergeable: bool,
    /// The `bosun/gate` check is green on the head commit.
    pub gate: bool,
    /// The head contains the default branch's tip.
    pub undiverged: bool,
}

/// A recurring drift check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftSchedule {
    /// The cron expression (5 fields, or 6 with seconds).
    pub cron: String,
    /// The time zone it is read in.
    pub time_zone: Tz,
}

/// How one environment is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TfEnvRules {
    /// Before or after merge.
    pub apply_mode: ApplyMode,
    /// What `/apply` needs.
    pub requirements: ApplyRequirements,
    /// When drift is looked for, if at all.
    pub drift: Option<DriftSchedule>,
}

/// The `terraform:` section with defaults filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerraformRules {
    /// The projects, in the file's order.
    pub projects: Vec<TfProject>,
    /// Per-environment rules (environments not named get the defaults).
    envs: BTreeMap<String, TfEnvRules>,
    /// Whether bosun merges a pull request once every planned environment
    /// of it is applied (default true).
    pub automerge: bool,
}

fn at<T>(spanned: &Spanned<T>, message: String) -> ConfigError {
    ConfigError {
        line: Some(spanned.referenced.line()),
        message,
    }
}

fn known_envs(envs: &EnvCatalog) -> String {
    envs.envs().map(Env::as_str).collect::<Vec<_>>().join(", ")
}

fn binary(word: &Spanned<String>, key: &str) -> Result<TfBinary, ConfigError> {
    match word.value.as_str() {
        "terraform" => Ok(TfBinary::Terraform),
        "tofu" | "opentofu" => Ok(TfBinary::Tofu),
        other => Err(at(
            word,
            format!("{key}: unknown binary `{other}` (terraform or tofu)"),
        )),
    }
}

fn env_named(word: &Spanned<String>, envs: &EnvCatalog, key: &str) -> Result<Env, ConfigError> {
    envs.resolve(&word.value).ok_or_else(|| {
        at(
            word,
            format!(
                "{key}: unknown environment `{}` (environments are {})",
                word.value,
                known_envs(envs)
            ),
        )
    })
}

/// A path from the repository's root (`what`: "a folder", "a file"); one
/// that is absolute or climbs out with `..` is refused, naming the key.
fn clean_path(word: &Spanned<String>, key: &str, what: &str) -> Result<String, ConfigError> {
    let path = word
        .value
        .trim()
        .trim_start_matches("./")
        .trim_end_matches('/');
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|part| part == "..") {
        return Err(at(
            word,
            format!(
                "{key}: `{}` must be {what} inside the repository",
                word.value
            ),
        ));
    }
    Ok(path.to_owned())
}

impl TerraformRules {
    /// Reads the section against the file's environments.
    pub(super) fn parse(
        section: Option<TerraformSection>,
        envs: &EnvCatalog,
    ) -> Result<Self, ConfigError> {
        let Some(section) = section else {
            return Ok(Self {
                automerge: true,
                ..Self::default()
            });
        };
        let default_binary = match &section.binary {
            Some(word) => binary(word, "terraform.binary")?,
            None => TfBinary::Terraform,
        };
        let mut projects: Vec<TfProject> = Vec::new();
        for (i, entry) in section.projects.into_iter().enumerate() {
            let key = format!("terraform.projects[{i}]");
            let name = entry.name.value.trim().to_owned();
            if name.is_empty() || name.contains(['/', ' ']) {
                return Err(at(
                    &entry.name,
                    format!("{key}.name: `{name}` must be one word without `/`"),
                ));
            }
            if projects.iter().any(|p| p.name == name) {
                return Err(at(
                    &entry.name,
                    format!("{key}.name: project `{name}` is declared twice"),
                ));
            }
            let env = match &entry.env {
                Some(word) => env_named(word, envs, &format!("{key}.env"))?,
                None => env_named(&entry.name, envs, &format!("{key}.name (or set env)"))?,
            };
            let binary = match &entry.binary {
                Some(word) => binary(word, &format!("{key}.binary"))?,
                None => default_binary,
            };
            let var_files = entry
                .var_files
                .iter()
                .enumerate()
                .map(|(j, file)| clean_path(file, &format!("{key}.var_files[{j}]"), "a file"))
                .collect::<Result<Vec<_>, _>>()?;
            projects.push(TfProject {
                name,
                env,
                dir: clean_path(&entry.dir, &format!("{key}.dir"), "a folder")?,
                workspace: entry.workspace.unwrap_or_else(|| "default".to_owned()),
                binary,
                when_modified: entry.when_modified,
                var_files,
            });
        }
        let mut rules = BTreeMap::new();
        let mut entries: Vec<_> = section.envs.into_iter().collect();
        entries.sort_by_key(|(k, _)| k.referenced.line());
        for (name, entry) in entries {
            let key = format!("terraform.envs.{}", name.value);
            let env = env_named(&name, envs, &key)?;
            let apply_mode = match &entry.apply_mode {
                None => default_mode(),
                Some(word) => match word.value.as_str() {
                    "before_merge" => ApplyMode::BeforeMerge,
                    "after_merge" => ApplyMode::AfterMerge,
                    other => {
                        return Err(at(
                            word,
                            format!(
                                "{key}.apply_mode: unknown mode `{other}` (before_merge or after_merge)"
                            ),
                        ));
                    }
                },
            };
            let requirements = entry
                .apply_requirements
                .map(|r| ApplyRequirements {
                    approved: r.approved.unwrap_or(0),
                    mergeable: r.mergeable,
                    gate: r.gate,
                    undiverged: r.undiverged,
                })
                .unwrap_or_default();
            let drift = entry
                .drift
                .map(|d| drift_schedule(d, &format!("{key}.drift")))
                .transpose()?;
            rules.insert(
                env.as_str().to_owned(),
                TfEnvRules {
                    apply_mode,
                    requirements,
                    drift,
                },
            );
        }
        Ok(Self {
            projects,
            envs: rules,
            automerge: section.automerge.unwrap_or(true),
        })
    }

    /// How `env` is applied (defaults: before merge, no requirements, no drift schedule).
    pub fn env_rules(&self, env: &Env) -> TfEnvRules {
        self.envs.get(env.as_str()).cloned().unwrap_or(TfEnvRules {
            apply_mode: default_mode(),
            requirements: ApplyRequirements::default(),
            drift: None,
        })
    }

    /// The projects deploying `env`.
    pub fn projects_of<'a>(&'a self, env: &'a Env) -> impl Iterator<Item = &'a TfProject> {
        self.projects.iter().filter(move |p| &p.env == env)
    }

    /// Every environment with a drift schedule, with it.
    pub fn drift_schedules(&self) -> impl Iterator<Item = (&str, &DriftSchedule)> {
        self.envs
            .iter()
            .filter_map(|(env, rules)| rules.drift.as_ref().map(|d| (env.as_str(), d)))
    }
}

/// `before_merge` unless set: applying from the pull request is the safe
/// default, and protected environments never change mode unless told to.
fn default_mode() -> ApplyMode {
    ApplyMode::BeforeMerge
}

fn drift_schedule(entry: DriftEntry, key: &str) -> Result<DriftSchedule, ConfigError> {
    let cron = entry.cron.value.trim().to_owned();
    let fields = cron.split_whitespace().count();
    let with_seconds = if fields == 5 {
        format!("0 {cron}")
    } else {
        cron.clone()
    };
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Optional)
        .build()
        .parse(&with_seconds)
        .map_err(|e| {
            at(
                &entry.cron,
                format!("{key}.cron: `{cron}` is not a cron expression: {e}"),
            )
        })?;
    let time_zone = match &entry.time_zone {
        None => DEFAULT_DRIFT_TIME_ZONE,
        Some(word) => word.value.parse::<Tz>().map_err(|_| {
            at(
                word,
                format!(
                    "{key}.time_zone: unknown time zone `{}` (an IANA name such as Asia/Dubai)",
                    word.value
                ),
            )
        })?,
    };
    Ok(DriftSchedule { cron, time_zone })
}

#[cfg(test)]
mod tests {
    use super::super::RepoConfig;
    use super::*;

    const ENVS: &str = "environments:\n  - name: dev\n  - name: prd\n    protected: true\n";

    fn parse(section: &str) -> Result<RepoConfig, ConfigError> {
        RepoConfig::parse(&format!("{ENVS}{section}"))
    }

    #[test]
    fn projects_modes_requirements_and_drift_are_read() {
        let config = parse(
            "terraform:\n  automerge: false\n  projects:\n    - name: dev\n      dir: ./terraform/envs/dev/\n      when_modified: [\"shared/*.tfvars\"]\n    - name: prd-core\n      env: prd\n      dir: terraform/envs/prd\n      binary: tofu\n  envs:\n    dev:\n      apply_mode: after_merge\n    prd:\n      apply_requirements: { approved: 2, mergeable: true, gate: true, undiverged: true }\n      drift: { cron: \"0 6 * * *\", time_zone: Europe/Berlin }\n",
        )
        .unwrap();
        let tf = &config.terraform;
        assert!(!tf.automerge);
        assert_eq!(tf.projects.len(), 2);
        assert_eq!(tf.projects[0].dir, "terraform/envs/dev");
        assert_eq!(tf.projects[0].workspace, "default");
        assert_eq!(tf.projects[1].binary, TfBinary::Tofu);
        let dev = config.envs.resolve("dev").unwrap();
        let prd = config.envs.resolve("prd").unwrap();
        assert_eq!(tf.env_rules(&dev).apply_mode, ApplyMode::AfterMerge);
        let prd_rules = tf.env_rules(&prd);
        assert_eq!(prd_rules.apply_mode, ApplyMode::BeforeMerge);
        assert_eq!(prd_rules.requirements.approved, 2);
        assert!(prd_rules.requirements.gate && prd_rules.requirements.undiverged);
        let schedules: Vec<_> = tf.drift_schedules().collect();
        assert_eq!(schedules.len(), 1);
        assert_eq!(schedules[0].1.time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(tf.projects_of(&prd).count(), 1);
    }

    #[test]
    fn without_the_section_nothing_is_planned_and_prs_automerge() {
        let config = parse("").unwrap();
        assert!(config.terraform.projects.is_empty());
        assert!(config.terraform.automerge);
        let prd = config.envs.resolve("prd").unwrap();
        assert_eq!(
            config.terraform.env_rules(&prd).apply_mode,
            ApplyMode::BeforeMerge
        );
    }

    #[test]
    fn errors_name_the_key_and_its_line() {
        // ENVS is 4 lines long.
        let error = parse("terraform:\n  projects:\n    - name: qa\n      dir: x\n").unwrap_err();
        assert_eq!(error.line, Some(7), "{error}");
        assert!(
            error.message.contains("unknown environment `qa`"),
            "{error}"
        );
        let error =
            parse("terraform:\n  envs:\n    prd:\n      apply_mode: sometimes\n").unwrap_err();
        assert_eq!(error.line, Some(8), "{error}");
        assert!(
            error.message.contains("terraform.envs.prd.apply_mode"),
            "{error}"
        );
        let error = parse("terraform:\n  envs:\n    prd:\n      drift: { cron: \"61 * * * *\" }\n")
            .unwrap_err();
        assert_eq!(error.line, Some(8), "{error}");
        assert!(error.message.contains("drift.cron"), "{error}");
        let error = parse(
            "terraform:\n  envs:\n    prd:\n      drift:\n        cron: \"0 6 * * *\"\n        time_zone: Mars/Olympus\n",
        )
        .unwrap_err();
        assert_eq!(error.line, Some(10), "{error}");
        let error = parse("terraform:\n  projects:\n    - name: dev\n      dir: ../elsewhere\n")
            .unwrap_err();
        assert!(error.message.contains("projects[0].dir"), "{error}");
        let error = parse("terraform:\n  projets: []\n").unwrap_err();
        assert!(error.to_string().contains("projets"), "{error}");
        let error = parse(
            "terraform:\n  projects:\n    - name: dev\n      dir: a\n    - name: dev\n      dir: b\n",
        )
        .unwrap_err();
        assert!(error.message.contains("declared twice"), "{error}");
        let error = parse(
            "terraform:\n  projects:\n    - name: dev\n      dir: a\n      var_files:\n        - shared/dev.tfvars\n        - ../secrets.tfvars\n",
        )
        .unwrap_err();
        assert_eq!(error.line, Some(11), "{error}");
        assert!(
            error.message.contains("projects[0].var_files[1]")
                && error
                    .message
                    .contains("must be a file inside the repository"),
            "{error}"
        );
    }

    #[test]
    fn var_files_are_paths_from_the_repository_root_in_order() {
        let config = parse(
            "terraform:\n  projects:\n    - name: prd\n      dir: terraform/envs/prd\n      var_files: [./terraform/shared/common.tfvars, terraform/envs/prd/prd.tfvars]\n",
        )
        .unwrap();
        assert_eq!(
            config.terraform.projects[0].var_files,
            [
                "terraform/shared/common.tfvars",
                "terraform/envs/prd/prd.tfvars"
            ]
        );
    }
}
