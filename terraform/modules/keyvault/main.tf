resource "azurerm_key_vault" "this" {
  name                          = var.name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  tenant_id                     = var.tenant_id
  sku_name                      = var.sku_name
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = var.soft_delete_retention_days
  public_network_access_enabled = false
  tags                          = var.tags

  network_acls {
    default_action = "Deny"
    # Disk encryption sets, storage and ACR reach their keys as trusted services.
    bypass = "AzureServices"
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_role_assignment" "crypto_officer" {
  for_each = var.crypto_officer_principal_ids

  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Crypto Officer"
  principal_id         = each.value
}

resource "azurerm_private_endpoint" "vault" {
  name                          = "pe-${var.name}"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  subnet_id                     = var.private_endpoint_subnet_id
  custom_network_interface_name = "nic-pe-${var.name}"
  tags                          = var.tags

  private_service_connection {
    name                           = "vault"
    private_connection_resource_id = azurerm_key_vault.this.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}

resource "azurerm_key_vault_key" "this" {
  for_each = var.keys

  #checkov:skip=CKV_AZURE_40:Expiry is set by rotation_policy.expire_after on every version; a fixed expiration_date would go stale at the first automatic rotation and show up as drift on every plan.
  name         = each.key
  key_vault_id = azurerm_key_vault.this.id
  key_type     = "RSA-HSM"
  key_size     = each.value.key_size
  key_opts     = each.value.key_opts
  tags         = var.tags

  rotation_policy {
    expire_after         = each.value.expire_after
    notify_before_expiry = each.value.notify_before_expiry

    automatic {
      time_after_creation = each.value.rotate_after
    }
  }

  # Keys are written through the data plane, which is only reachable via the
  # private endpoint, by a principal holding Crypto Officer.
  depends_on = [
    azurerm_role_assignment.crypto_officer,
    azurerm_private_endpoint.vault,
  ]
}

resource "azurerm_monitor_diagnostic_setting" "vault" {
  name                           = "to-log-analytics"
  target_resource_id             = azurerm_key_vault.this.id
  log_analytics_workspace_id     = var.log_analytics_workspace_id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category_group = "audit"
  }
}
