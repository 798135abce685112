output "virtual_network_id" {
  description = "ID of the VNet."
  value       = azurerm_virtual_network.this.id
}

output "virtual_network_name" {
  description = "Name of the VNet."
  value       = azurerm_virtual_network.this.name
}

output "address_space" {
  description = "Address space of the VNet."
  value       = azurerm_virtual_network.this.address_space
}

output "subnet_ids" {
  description = "Subnet IDs keyed by subnet name (workload and reserved subnets)."
  value       = { for name, subnet in merge(azurerm_subnet.this, azurerm_subnet.reserved) : name => subnet.id }
}

output "subnet_address_prefixes" {
  description = "Subnet address prefixes keyed by subnet name (workload and reserved subnets)."
  value       = { for name, subnet in merge(azurerm_subnet.this, azurerm_subnet.reserved) : name => subnet.address_prefixes }
}

output "network_security_group_ids" {
  description = "NSG IDs keyed by workload subnet name."
  value       = { for name, nsg in azurerm_network_security_group.this : name => nsg.id }
}

output "route_table_id" {
  description = "ID of the route table sending 0.0.0.0/0 to the firewall (spokes), or null (hub)."
  value       = one(azurerm_route_table.this[*].id)
}

output "private_dns_zone_ids" {
  description = "Private DNS zone IDs keyed by zone name (hub only)."
  value       = { for name, zone in azurerm_private_dns_zone.this : name => zone.id }
}
