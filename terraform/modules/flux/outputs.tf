output "extension_id" {
  description = "ID of the microsoft.flux cluster extension."
  value       = azurerm_kubernetes_cluster_extension.flux.id
}

output "configuration_id" {
  description = "ID of the Flux configuration."
  value       = azurerm_kubernetes_flux_configuration.platform.id
}

output "kustomization" {
  description = "The Flux Kustomization bosun watches after a merge: AKS names it <configuration>-<kustomization> in the configuration's namespace."
  value = {
    namespace = "flux-system"
    name      = "${local.configuration_name}-${local.kustomization_name}"
    path      = "./flux-config/clusters/${var.cluster_name}"
  }
}
