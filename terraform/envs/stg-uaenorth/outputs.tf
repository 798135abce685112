output "virtual_network_id" {
  description = "ID of this environment's spoke VNet."
  value       = module.network.virtual_network_id
}

output "cluster_name" {
  description = "Name of the AKS cluster."
  value       = module.aks.name
}

output "cluster_private_fqdn" {
  description = "Private API server FQDN (resolvable from ops through the hub)."
  value       = module.aks.private_fqdn
}

output "oidc_issuer_url" {
  description = "OIDC issuer, for workload identity federation of in-cluster apps."
  value       = module.aks.oidc_issuer_url
}

output "gpu_node_pool_name" {
  description = "Name of the H100 node pool (bosun's GPU cost report groups by it)."
  value       = module.aks.gpu_node_pool_name
}

output "disk_encryption_set_id" {
  description = "Reference it from StorageClasses so persistent volumes use the customer-managed key."
  value       = module.aks.disk_encryption_set_id
}

output "flux_kustomization" {
  description = "The Flux Kustomization bosun watches after a promotion merges."
  value       = module.flux.kustomization
}
