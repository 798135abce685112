output "id" {
  description = "ID of the Key Vault."
  value       = azurerm_key_vault.this.id
}

output "vault_uri" {
  description = "Data-plane URI of the Key Vault (resolves to the private endpoint)."
  value       = azurerm_key_vault.this.vault_uri
}

output "keys" {
  description = "Created keys keyed by name: versionless_id (data-plane URL without version, for consumers that follow rotation) and resource_versionless_id (ARM ID, the scope for role assignments on the key)."
  value = {
    for name, key in azurerm_key_vault_key.this : name => {
      versionless_id          = key.versionless_id
      resource_versionless_id = key.resource_versionless_id
    }
  }
}
