output "id" {
  description = "ID of the state storage account."
  value       = azurerm_storage_account.this.id
}

output "name" {
  description = "Name of the state storage account (storage_account_name in every backend.tf)."
  value       = azurerm_storage_account.this.name
}

output "container_names" {
  description = "State container names (container_name in each environment's backend.tf)."
  value       = [for container in azurerm_storage_container.state : container.name]
}
