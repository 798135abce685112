locals {
  configuration_name = "platform"
  kustomization_name = "cluster"
}

resource "azurerm_kubernetes_cluster_extension" "flux" {
  name              = "flux"
  cluster_id        = var.cluster_id
  extension_type    = "microsoft.flux"
  release_train     = var.extension_release_train
  release_namespace = "flux-system"

  configuration_settings = {
    # Image automation stays off: versions move only through reviewed PRs
    # (bosun /promote), never through controllers writing to git.
    "image-automation-controller.enabled" = "false"
    "image-reflector-controller.enabled"  = "false"
    "helm-controller.enabled"             = "true"
    "kustomize-controller.enabled"        = "true"
    "notification-controller.enabled"     = "true"
    "source-controller.enabled"           = "true"
    "multiTenancy.enforce"                = "false"
  }
}

resource "azurerm_kubernetes_flux_configuration" "platform" {
  name                              = local.configuration_name
  cluster_id                        = var.cluster_id
  namespace                         = "flux-system"
  scope                             = "cluster"
  continuous_reconciliation_enabled = true

  git_repository {
    url                      = var.git_repository_url
    reference_type           = "branch"
    reference_value          = var.git_branch
    ssh_private_key_base64   = var.ssh_private_key_base64
    ssh_known_hosts_base64   = var.ssh_known_hosts_base64
    sync_interval_in_seconds = var.sync_interval_seconds
    timeout_in_seconds       = 180
  }

  kustomizations {
    name                       = local.kustomization_name
    path                       = "./flux-config/clusters/${var.cluster_name}"
    sync_interval_in_seconds   = var.sync_interval_seconds
    retry_interval_in_seconds  = 60
    timeout_in_seconds         = 600
    garbage_collection_enabled = true
    recreating_enabled         = false
    wait                       = true
  }

  depends_on = [azurerm_kubernetes_cluster_extension.flux]
}
