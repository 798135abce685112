terraform {
  required_version = ">= 1.9"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.42"
      # azurerm.hub is the provider of the subscription holding the hub VNet:
      # the hub-to-spoke peering is created there. For the hub itself and for
      # the ops spoke (same subscription) pass the default provider twice.
      configuration_aliases = [azurerm.hub]
    }
  }
}
