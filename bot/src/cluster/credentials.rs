//! How bosun reaches each environment's API server: a kubeconfig context,
//! or on AKS an Azure AD token from workload identity for the AKS server
//! application (`6dae42f8-4368-4678-94ff-3960e28e3630/.default`).
//!
//! The AKS path asks azure_identity for a token each time a client is built
//! (the credential caches and refreshes it). It cannot be exercised here:
//! there is no Azure tenant in the test environment.

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

/// The scope of the AKS server application (AKS-managed Entra ID).
pub const AKS_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";

/// One environment's cluster in the settings file (`clusters.<env>`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSettings {
    /// A kubeconfig file [default: `$KUBECONFIG` or `~/.kube/config`].
    #[serde(default)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context [default: the file's current context].
    #[serde(default)]
    pub context: Option<String>,
    /// On AKS with workload identity: the API server and its CA instead of a
    /// kubeconfig.
    #[serde(default)]
    pub aks: Option<AksSettings>,
}

/// An AKS API server reached with a workload identity token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AksSettings {
    /// The API server's URL (`https://prd-aks-dns-1a2b.hcp.uaenorth.azmk8s.io:443`).
    pub server: String,
    /// The cluster's CA certificate (PEM) [default: the system roots].
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The managed identity's client id [default: `$AZURE_CLIENT_ID`].
    #[serde(default)]
    pub client_id: Option<String>,
    /// The tenant [default: `$AZURE_TENANT_ID`].
    #[serde(default)]
    pub tenant_id: Option<String>,
}

/// Why no client could be built.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CredentialError(pub String);

fn fail(what: &str, error: impl std::fmt::Display) -> CredentialError {
    CredentialError(format!("{what}: {error}"))
}

/// A client for one environment's API server.
pub async fn client(settings: &ClusterSettings) -> Result<Client, CredentialError> {
    let config = match &settings.aks {
        Some(aks) => aks_config(aks).await?,
        None => kubeconfig_config(settings).await?,
    };
    Client::try_from(config).map_err(|e| fail("building the Kubernetes client", e))
}

async fn kubeconfig_config(settings: &ClusterSettings) -> Result<Config, CredentialError> {
    let kubeconfig = match &settings.kubeconfig {
        Some(path) => Kubeconfig::read_from(path)
            .map_err(|e| fail(&format!("reading {}", path.display()), e))?,
        None => Kubeconfig::read().map_err(|e| fail("reading the default kubeconfig", e))?,
    };
    let options = KubeConfigOptions {
        context: settings.context.clone(),
        ..KubeConfigOptions::default()
    };
    Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| fail("using the kubeconfig context", e))
}

async fn aks_config(aks: &AksSettings) -> Result<Config, CredentialError> {
    use azure_core::credentials::TokenCredential;
    use azure_identity::{WorkloadIdentityCredential, WorkloadIdentityCredentialOptions};
    let url = aks
        .server
        .parse()
        .map_err(|e| fail(&format!("aks.server `{}`", aks.server), e))?;
    let options = WorkloadIdentityCredentialOptions {
        client_id: aks.client_id.clone(),
        tenant_id: aks.tenant_id.clone(),
        ..WorkloadIdentityCredentialOptions::default()
    };
    let credential =
        WorkloadIdentityCredential::new(Some(options)).map_err(|e| fail("workload identity", e))?;
    let token = credential
        .get_token(&[AKS_SCOPE], None)
        .await
        .map_err(|e| fail("an Azure AD token for AKS", e))?;
    let mut config = Config::new(url);
    // kube re-reads the file to follow CA rotation.
    config.root_cert_file = aks.ca_file.clone();
    config.auth_info.token = Some(SecretString::from(token.token.secret().to_owned()));
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_name_an_unknown_key() {
        let error = serde_saphyr::from_str::<ClusterSettings>("contxt: prd\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("contxt"), "{error}");
    }
}
