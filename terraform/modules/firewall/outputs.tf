output "id" {
  description = "ID of the firewall."
  value       = azurerm_firewall.this.id
}

output "private_ip_address" {
  description = "Private IP of the firewall: next hop of every spoke's default route and the spokes' DNS server."
  value       = azurerm_firewall.this.ip_configuration[0].private_ip_address
}

output "public_ip_address" {
  description = "Egress public IP of the platform (allow-list it where clusters call out)."
  value       = azurerm_public_ip.this.ip_address
}

output "policy_id" {
  description = "ID of the firewall policy, for extra rule collection groups owned elsewhere."
  value       = azurerm_firewall_policy.this.id
}
