resource "azurerm_user_assigned_identity" "registry" {
  name                = "id-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_role_assignment" "registry_cmk" {
  scope                = var.cmk.resource_versionless_id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.registry.principal_id
}

resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_164:Docker Content Trust cannot be enabled on a CMK-encrypted registry and is being retired by Azure; images are signed with Notation and verified by policy in the cluster instead.
  #checkov:skip=CKV_AZURE_165:Geo-replication would go to UAE Central, an access-restricted region; the registry is zone-redundant in UAE North and every image is rebuildable from source.
  #checkov:skip=CKV_AZURE_166:Quarantine blocks every pull until an external scanner marks the image verified; images are gated by Trivy in bosun/gate before their digest reaches flux-config, and Defender scans the registry.
  name                          = var.name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  sku                           = "Premium"
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = false
  export_policy_enabled         = false
  data_endpoint_enabled         = true
  zone_redundancy_enabled       = var.zone_redundancy_enabled
  retention_policy_in_days      = var.untagged_manifest_retention_days
  quarantine_policy_enabled     = false
  trust_policy_enabled          = false
  network_rule_bypass_option    = "AzureServices"
  tags                          = var.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.registry.id]
  }

  encryption {
    key_vault_key_id   = var.cmk.versionless_id
    identity_client_id = azurerm_user_assigned_identity.registry.client_id
  }

  depends_on = [azurerm_role_assignment.registry_cmk]
}

resource "azurerm_role_assignment" "push" {
  for_each = var.push_principal_ids

  scope                = azurerm_container_registry.this.id
  role_definition_name = "AcrPush"
  principal_id         = each.value
}

resource "azurerm_private_endpoint" "registry" {
  name                          = "pe-${var.name}"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  subnet_id                     = var.private_endpoint_subnet_id
  custom_network_interface_name = "nic-pe-${var.name}"
  tags                          = var.tags

  private_service_connection {
    name                           = "registry"
    private_connection_resource_id = azurerm_container_registry.this.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}

resource "azurerm_monitor_diagnostic_setting" "registry" {
  name                           = "to-log-analytics"
  target_resource_id             = azurerm_container_registry.this.id
  log_analytics_workspace_id     = var.log_analytics_workspace_id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category_group = "audit"
  }
}
