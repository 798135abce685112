output "id" {
  description = "ID of the AKS cluster (target of the Flux extension)."
  value       = azurerm_kubernetes_cluster.this.id
}

output "name" {
  description = "Name of the AKS cluster."
  value       = azurerm_kubernetes_cluster.this.name
}

output "private_fqdn" {
  description = "Private FQDN of the API server (resolves through the hub's privatelink.uaenorth.azmk8s.io zone)."
  value       = azurerm_kubernetes_cluster.this.private_fqdn
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL, for federated identity credentials of workload identities."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "kubelet_identity_object_id" {
  description = "Object ID of the kubelet identity (pulls images)."
  value       = azurerm_user_assigned_identity.kubelet.principal_id
}

output "control_plane_identity_principal_id" {
  description = "Principal ID of the control plane identity."
  value       = azurerm_user_assigned_identity.control_plane.principal_id
}

output "node_resource_group" {
  description = "Resource group AKS manages the node VMSSs in."
  value       = azurerm_kubernetes_cluster.this.node_resource_group
}

output "disk_encryption_set_id" {
  description = "Disk encryption set to reference from StorageClasses (diskEncryptionSetID) so PVs use the customer-managed key too."
  value       = azurerm_disk_encryption_set.this.id
}

output "gpu_node_pool_name" {
  description = "Name of the GPU node pool, or null when the cluster has none."
  value       = one(azurerm_kubernetes_cluster_node_pool.gpu[*].name)
}
