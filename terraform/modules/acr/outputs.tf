output "id" {
  description = "ID of the registry (scope for AcrPull assignments)."
  value       = azurerm_container_registry.this.id
}

output "login_server" {
  description = "Login server, e.g. acrplatformuaen.azurecr.io."
  value       = azurerm_container_registry.this.login_server
}
