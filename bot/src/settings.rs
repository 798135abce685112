//! Settings: command-line flags, each with a `BOSUN_…` environment twin, over
//! an optional YAML file, over documented defaults. A bad setting stops
//! start-up with a message that names it (and, for the file, the line).

use clap::Args;
use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A setting that cannot be used, named as the user wrote it.
#[derive(Debug, thiserror::Error)]
#[error("setting `{name}`: {reason}")]
pub struct SettingError {
    /// The flag, variable or file key.
    pub name: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A [`SettingError`] naming the setting `name`.
pub(crate) fn bad(name: &str, reason: impl ToString) -> SettingError {
    SettingError {
        name: name.to_owned(),
        reason: reason.to_string(),
    }
}

/// Flags of `bosun serve` (and of every command that opens the store).
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "BOSUN_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Where the embedded store and local state live [default: ./.bosun].
    #[arg(long, env = "BOSUN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The managed repository in local mode: a git checkout [default: .].
    #[arg(long, env = "BOSUN_REPO")]
    pub repo: Option<PathBuf>,
    /// A YAML file with any of these settings (keys in snake_case).
    #[arg(long, env = "BOSUN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Secrets that may sign GitHub webhooks, comma-separated (rotation).
    #[arg(long, env = "BOSUN_GITHUB_WEBHOOK_SECRET", hide_env_values = true)]
    pub github_webhook_secret: Option<String>,
    /// Keys that may sign Flux `generic-hmac` events, comma-separated (rotation).
    #[arg(long, env = "BOSUN_FLUX_HMAC_KEY", hide_env_values = true)]
    pub flux_hmac_key: Option<String>,
    /// GitHub App id; with a private key, bosun runs on GitHub.
    #[arg(long, env = "BOSUN_GITHUB_APP_ID")]
    pub github_app_id: Option<u64>,
    /// File with the GitHub App's PEM private key.
    #[arg(long, env = "BOSUN_GITHUB_PRIVATE_KEY_FILE")]
    pub github_private_key_file: Option<PathBuf>,
    /// GitHub API base URL [default: https://api.github.com].
    #[arg(long, env = "BOSUN_GITHUB_API_URL")]
    pub github_api_url: Option<String>,
    /// Reconciles that may run at once [default: 4].
    #[arg(long, env = "BOSUN_WORKERS")]
    pub workers: Option<usize>,
    /// How often every open pull request is reconciled again [default: 5m].
    #[arg(long, env = "BOSUN_RESYNC_EVERY", value_parser = humantime::parse_duration)]
    pub resync_every: Option<Duration>,
    /// Largest request body accepted, in bytes [default: 26214400, GitHub's 25 MB].
    #[arg(long, env = "BOSUN_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Bearer tokens Alertmanager may send, comma-separated (rotation).
    #[arg(long, env = "BOSUN_ALERTMANAGER_TOKEN", hide_env_values = true)]
    pub alertmanager_token: Option<String>,
    /// Alert labels naming an alert's environment, tried in order,
    /// comma-separated [default: env,environment,cluster].
    #[arg(long, env = "BOSUN_ALERT_ENV_LABELS")]
    pub alert_env_labels: Option<String>,
    /// Bearer token for the metrics APIs of `cost:` (Mimir behind a gateway).
    #[arg(long, env = "BOSUN_PROMETHEUS_TOKEN", hide_env_values = true)]
    pub prometheus_token: Option<String>,
    /// Slack and Discord (issue 7).
    #[command(flatten)]
    pub chat: Box<crate::chat::ChatArgs>,
}

/// The YAML file's shape: the same settings, snake_case keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    repo: Option<PathBuf>,
    github_webhook_secret: Option<String>,
    flux_hmac_key: Option<String>,
    github_app_id: Option<u64>,
    github_private_key_file: Option<PathBuf>,
    github_api_url: Option<String>,
    workers: Option<usize>,
    #[serde(default, with = "humantime_serde_opt")]
    resync_every: Option<Duration>,
    max_body_bytes: Option<usize>,
    alertmanager_token: Option<String>,
    alert_env_labels: Option<String>,
    #[serde(default)]
    clusters: std::collections::BTreeMap<String, crate::cluster::credentials::ClusterSettings>,
}

mod humantime_serde_opt {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| humantime::parse_duration(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// How bosun reaches GitHub when it runs as a GitHub App.
#[derive(Debug, Clone)]
pub struct GitHubApp {
    /// The app's id.
    pub app_id: u64,
    /// The app's private key (PEM).
    pub private_key: SecretString,
    /// The API's base URL.
    pub api_url: String,
}

/// Settings after merging flags, environment, file and defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the store lives.
    pub data_dir: PathBuf,
    /// The managed repository in local mode.
    pub repo: PathBuf,
    /// Secrets that may sign GitHub webhooks.
    pub github_webhook_secrets: Vec<SecretString>,
    /// Keys that may sign Flux events; empty refuses every Flux event.
    pub flux_hmac_keys: Vec<SecretString>,
    /// The GitHub App, when configured; `None` means local mode.
    pub github_app: Option<GitHubApp>,
    /// Reconciles that may run at once.
    pub workers: usize,
    /// How often to resync.
    pub resync_every: Duration,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Alertmanager's tokens and the labels naming an alert's environment.
    pub alerts: crate::ingress::AlertIngress,
    /// Each environment's cluster (file key `clusters`); empty: none read.
    pub clusters: std::collections::BTreeMap<String, crate::cluster::credentials::ClusterSettings>,
    /// Bearer token for the metrics APIs of GPU cost reports.
    pub prometheus_token: Option<SecretString>,
    /// Slack and Discord (issue 7).
    pub chat: crate::chat::ChatSettings,
}

fn read_file(path: &Path) -> Result<FileSettings, SettingError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| bad(&name, e))?;
    serde_saphyr::from_str(&text).map_err(|e| bad(&name, e))
}

/// The non-empty, trimmed items of a comma-separated setting.
pub(crate) fn comma_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Comma-separated secrets (several during a rotation).
pub(crate) fn secrets(text: &str) -> Vec<SecretString> {
    comma_list(text)
        .map(|s| SecretString::from(s.to_owned()))
        .collect()
}

/// `url` if it is an `https://` or `http://` URL; otherwise an error naming
/// the setting `name`.
pub(crate) fn http_url(name: &str, url: String) -> Result<String, SettingError> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(bad(name, "must start with https:// or http://"));
    }
    Ok(url)
}

/// The Alertmanager route's settings: its tokens, and the labels naming an
/// alert's environment (a label list that names nothing is refused).
fn alert_ingress(
    tokens: Option<String>,
    labels: Option<String>,
) -> Result<crate::ingress::AlertIngress, SettingError> {
    let env_labels: Vec<String> = match labels {
        Some(text) => comma_list(&text).map(str::to_owned).collect(),
        None => crate::ingress::alertmanager_payload::DEFAULT_ENV_LABELS
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    };
    if env_labels.is_empty() {
        return Err(bad("BOSUN_ALERT_ENV_LABELS", "names no label"));
    }
    Ok(crate::ingress::AlertIngress {
        tokens: secrets(&tokens.unwrap_or_default()),
        env_labels,
    })
}

impl ServeArgs {
    /// Merges flags (and their environment twins) over the file over the
    /// defaults, and checks the result.
    pub fn resolve(&self) -> Result<Settings, SettingError> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let app_id = self.github_app_id.or(file.github_app_id);
        let key_file = self
            .github_private_key_file
            .clone()
            .or(file.github_private_key_file);
        let api_url = self
            .github_api_url
            .clone()
            .or(file.github_api_url)
            .unwrap_or_else(|| "https://api.github.com".to_owned());
        let api_url = http_url("BOSUN_GITHUB_API_URL", api_url)?;
        let github_app = match (app_id, key_file) {
            (Some(app_id), Some(path)) => {
                let pem = std::fs::read_to_string(&path).map_err(|e| {
                    bad(
                        "BOSUN_GITHUB_PRIVATE_KEY_FILE",
                        format!("{}: {e}", path.display()),
                    )
                })?;
                if !pem.contains("-----BEGIN") || !pem.contains("PRIVATE KEY-----") {
                    let reason = format!("{} is not a PEM private key", path.display());
                    return Err(bad("BOSUN_GITHUB_PRIVATE_KEY_FILE", reason));
                }
                Some(GitHubApp {
                    app_id,
                    private_key: SecretString::from(pem),
                    api_url,
                })
            }
            (Some(_), None) => {
                let reason = "is required when BOSUN_GITHUB_APP_ID is set";
                return Err(bad("BOSUN_GITHUB_PRIVATE_KEY_FILE", reason));
            }
            (None, Some(_)) => {
                let reason = "is required when BOSUN_GITHUB_PRIVATE_KEY_FILE is set";
                return Err(bad("BOSUN_GITHUB_APP_ID", reason));
            }
            (None, None) => None,
        };
        let secret_text = self
            .github_webhook_secret
            .clone()
            .or(file.github_webhook_secret)
            .unwrap_or_default();
        let github_webhook_secrets = secrets(&secret_text);
        if github_app.is_some() && github_webhook_secrets.is_empty() {
            let reason = "is required with a GitHub App: unsigned webhooks are never accepted";
            return Err(bad("BOSUN_GITHUB_WEBHOOK_SECRET", reason));
        }
        let flux_hmac_keys = secrets(
            &self
                .flux_hmac_key
                .clone()
                .or(file.flux_hmac_key)
                .unwrap_or_default(),
        );
        let workers = self.workers.or(file.workers).unwrap_or(4);
        if !(1..=64).contains(&workers) {
            return Err(bad("BOSUN_WORKERS", "must be between 1 and 64"));
        }
        let resync_every = self
            .resync_every
            .or(file.resync_every)
            .unwrap_or(Duration::from_secs(300));
        if resync_every < Duration::from_secs(10) {
            return Err(bad("BOSUN_RESYNC_EVERY", "must be at least 10s"));
        }
        let max_body_bytes = self
            .max_body_bytes
            .or(file.max_body_bytes)
            .unwrap_or(crate::ingress::DEFAULT_MAX_BODY);
        let alerts = alert_ingress(
            self.alertmanager_token.clone().or(file.alertmanager_token),
            self.alert_env_labels.clone().or(file.alert_env_labels),
        )?;
        Ok(Settings {
            alerts,
            clusters: file.clusters,
            listen: self
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir: self
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(".bosun")),
            repo: self
                .repo
                .clone()
                .or(file.repo)
                .unwrap_or_else(|| PathBuf::from(".")),
            github_webhook_secrets,
            flux_hmac_keys,
            github_app,
            workers,
            resync_every,
            max_body_bytes,
            prometheus_token: self.prometheus_token.clone().map(SecretString::from),
            chat: self.chat.resolve()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn with_file(yaml: &str) -> Result<Settings, SettingError> {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(yaml.as_bytes()).unwrap();
        let args = ServeArgs {
            config: Some(file.path().to_owned()),
            ..ServeArgs::default()
        };
        args.resolve()
    }

    #[test]
    fn defaults_run_locally_with_no_accounts() {
        let settings = ServeArgs::default().resolve().unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from(".bosun"));
        assert!(settings.github_app.is_none());
        assert!(settings.github_webhook_secrets.is_empty());
        assert!(settings.flux_hmac_keys.is_empty());
        assert!(settings.alerts.tokens.is_empty());
        assert_eq!(
            settings.alerts.env_labels,
            ["env", "environment", "cluster"]
        );
    }

    #[test]
    fn flags_win_over_the_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"workers: 2\nresync_every: 1m\n").unwrap();
        let args = ServeArgs {
            config: Some(file.path().to_owned()),
            workers: Some(8),
            ..ServeArgs::default()
        };
        let settings = args.resolve().unwrap();
        assert_eq!(settings.workers, 8);
        assert_eq!(settings.resync_every, Duration::from_secs(60));
    }

    #[test]
    fn alertmanager_tokens_and_env_labels_come_from_flags_or_the_file() {
        let args = ServeArgs {
            alertmanager_token: Some("next, current".to_owned()),
            alert_env_labels: Some("cluster, env".to_owned()),
            ..ServeArgs::default()
        };
        let alerts = args.resolve().unwrap().alerts;
        assert_eq!(alerts.tokens.len(), 2);
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(&alerts.tokens[1]),
            "current"
        );
        assert_eq!(alerts.env_labels, ["cluster", "env"]);
        let from_file = with_file("alertmanager_token: t\nalert_env_labels: region\n").unwrap();
        assert_eq!(from_file.alerts.env_labels, ["region"]);
        let error = with_file("alert_env_labels: ' , '\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("BOSUN_ALERT_ENV_LABELS"), "{error}");
    }

    #[test]
    fn clusters_are_read_per_environment_from_the_file() {
        let settings = with_file(
            "clusters:\n  stg:\n    context: stg-aks\n  prd:\n    aks:\n      server: https://prd.hcp.uaenorth.azmk8s.io:443\n",
        )
        .unwrap();
        assert_eq!(settings.clusters["stg"].context.as_deref(), Some("stg-aks"));
        let aks = settings.clusters["prd"].aks.as_ref().unwrap();
        assert_eq!(aks.server, "https://prd.hcp.uaenorth.azmk8s.io:443");
        let error = with_file("clusters:\n  prd:\n    contxt: x\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("contxt"), "{error}");
    }

    #[test]
    fn a_typo_in_the_file_names_the_key_and_line() {
        let error = with_file("listen: 127.0.0.1:9000\nwokers: 3\n").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("wokers"), "{text}");
        assert!(text.contains('2'), "{text}");
    }

    #[test]
    fn an_app_without_a_key_or_secret_is_refused_by_name() {
        let args = ServeArgs {
            github_app_id: Some(42),
            ..ServeArgs::default()
        };
        let error = args.resolve().unwrap_err();
        assert_eq!(error.name, "BOSUN_GITHUB_PRIVATE_KEY_FILE");
        let error = with_file("workers: 0\n").unwrap_err();
        assert_eq!(error.name, "BOSUN_WORKERS");
    }

    #[test]
    fn rotated_secrets_are_split_on_commas() {
        let args = ServeArgs {
            github_webhook_secret: Some("new, old ,".to_owned()),
            ..ServeArgs::default()
        };
        assert_eq!(args.resolve().unwrap().github_webhook_secrets.len(), 2);
    }

    #[test]
    fn flux_hmac_keys_come_from_the_flag_or_the_file_and_split_on_commas() {
        use secrecy::ExposeSecret;
        let args = ServeArgs {
            flux_hmac_key: Some("next, current".to_owned()),
            ..ServeArgs::default()
        };
        let keys = args.resolve().unwrap().flux_hmac_keys;
        let keys: Vec<&str> = keys.iter().map(|k| k.expose_secret()).collect();
        assert_eq!(keys, ["next", "current"]);
        let from_file = with_file("flux_hmac_key: from-the-file\n").unwrap();
        assert_eq!(from_file.flux_hmac_keys.len(), 1);
        assert_eq!(from_file.flux_hmac_keys[0].expose_secret(), "from-the-file");
    }
}
