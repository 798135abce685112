output "hub_virtual_network_id" {
  description = "ID of the hub VNet the spokes peer with."
  value       = module.hub_network.virtual_network_id
}

output "firewall_private_ip" {
  description = "Next hop and DNS server of every spoke."
  value       = module.firewall.private_ip_address
}

output "egress_public_ip" {
  description = "Public IP all cluster egress leaves from."
  value       = module.firewall.public_ip_address
}

output "private_dns_zone_ids" {
  description = "Central private DNS zones, keyed by zone name."
  value       = module.hub_network.private_dns_zone_ids
}

output "acr_login_server" {
  description = "Login server of the shared registry."
  value       = module.acr.login_server
}

output "state_storage_account_name" {
  description = "State account every backend.tf points at."
  value       = module.state_storage.name
}

output "cluster_name" {
  description = "Name of the ops cluster (where bosun runs)."
  value       = module.aks.name
}

output "cluster_private_fqdn" {
  description = "Private API server FQDN of the ops cluster."
  value       = module.aks.private_fqdn
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the ops cluster, for bosun's workload identity federation."
  value       = module.aks.oidc_issuer_url
}

output "flux_kustomization" {
  description = "The Flux Kustomization bosun watches for ops."
  value       = module.flux.kustomization
}
