provider "azurerm" {
  subscription_id     = var.subscription_id
  tenant_id           = var.tenant_id
  use_oidc            = true
  storage_use_azuread = true

  features {
    key_vault {
      purge_soft_delete_on_destroy       = false
      purge_soft_deleted_keys_on_destroy = false
      recover_soft_deleted_key_vaults    = true
      recover_soft_deleted_keys          = true
    }

    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
}

# The ops subscription, home of the hub VNet, firewall, private DNS zones and
# the shared registry.
provider "azurerm" {
  alias               = "hub"
  subscription_id     = var.hub.subscription_id
  tenant_id           = var.tenant_id
  use_oidc            = true
  storage_use_azuread = true

  features {}
}
