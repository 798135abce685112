# stg-uaenorth: one spoke network, its Key Vault, the AKS cluster and Flux.
#
#   (hub: vnet, firewall, DNS zones, ACR — owned by envs/ops-uaenorth, looked up below)
#        │
#   network ──► keyvault ──► aks ──► flux
#
# Applied after ops. The runner identity of this environment needs, in the ops
# subscription: Network Contributor on the hub VNet (hub-to-spoke peering),
# Private DNS Zone Contributor on the privatelink zones (private endpoints) and
# the right to assign roles on the azmk8s zone and the registry (AKS identities).

data "azurerm_client_config" "current" {}

data "azurerm_virtual_network" "hub" {
  provider = azurerm.hub

  name                = var.hub.virtual_network_name
  resource_group_name = var.hub.resource_group_name
}

data "azurerm_firewall" "hub" {
  provider = azurerm.hub

  name                = var.hub.firewall_name
  resource_group_name = var.hub.resource_group_name
}

data "azurerm_private_dns_zone" "hub" {
  provider = azurerm.hub
  for_each = toset(local.private_dns_zones)

  name                = each.value
  resource_group_name = var.hub.resource_group_name
}

data "azurerm_container_registry" "shared" {
  provider = azurerm.hub

  name                = var.hub.acr_name
  resource_group_name = var.hub.acr_resource_group_name
}

locals {
  name = "${var.environment}-${var.location}"

  private_dns_zones = [
    "privatelink.${var.location}.azmk8s.io",
    "privatelink.vaultcore.azure.net",
  ]

  firewall_private_ip = data.azurerm_firewall.hub.ip_configuration[0].private_ip_address
}

resource "azurerm_resource_group" "network" {
  name     = "rg-network-${local.name}"
  location = var.location
  tags     = var.tags
}

resource "azurerm_resource_group" "monitoring" {
  name     = "rg-monitoring-${local.name}"
  location = var.location
  tags     = var.tags
}

resource "azurerm_resource_group" "security" {
  name     = "rg-security-${local.name}"
  location = var.location
  tags     = var.tags
}

resource "azurerm_resource_group" "aks" {
  name     = "rg-aks-${local.name}"
  location = var.location
  tags     = var.tags
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "log-${local.name}"
  location            = var.location
  resource_group_name = azurerm_resource_group.monitoring.name
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
  tags                = var.tags
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"
}

module "network" {
  source = "../../modules/network"
  providers = {
    azurerm     = azurerm
    azurerm.hub = azurerm.hub
  }

  name                = "vnet-${local.name}"
  role                = "spoke"
  location            = var.location
  resource_group_name = azurerm_resource_group.network.name
  address_space       = [var.network.address_space]
  dns_servers         = [local.firewall_private_ip]
  firewall_private_ip = local.firewall_private_ip
  trusted_cidrs       = concat(data.azurerm_virtual_network.hub.address_space, [var.hub.ops_address_space])
  pod_cidrs           = [var.aks.pod_cidr]
  tags                = var.tags

  hub_virtual_network = {
    id                  = data.azurerm_virtual_network.hub.id
    name                = data.azurerm_virtual_network.hub.name
    resource_group_name = var.hub.resource_group_name
  }

  subnets = {
    aks-nodes = {
      address_prefixes = [var.network.aks_node_cidr]
      profile          = "aks"
    }
    aks-gpu = {
      address_prefixes = [var.network.aks_gpu_cidr]
      profile          = "aks"
    }
    private-endpoints = {
      address_prefixes = [var.network.private_endpoint_cidr]
      profile          = "private-endpoints"
    }
  }
}

module "keyvault" {
  source = "../../modules/keyvault"

  name                       = var.key_vault_name
  location                   = var.location
  resource_group_name        = azurerm_resource_group.security.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  private_endpoint_subnet_id = module.network.subnet_ids["private-endpoints"]
  private_dns_zone_id        = data.azurerm_private_dns_zone.hub["privatelink.vaultcore.azure.net"].id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  tags                       = var.tags

  crypto_officer_principal_ids = {
    terraform-runner = var.terraform_runner_principal_id
  }

  keys = {
    aks-disk = {}
  }
}

module "aks" {
  source = "../../modules/aks"

  name                       = "aks-${local.name}"
  location                   = var.location
  resource_group_name        = azurerm_resource_group.aks.name
  kubernetes_version         = var.aks.kubernetes_version
  maintenance_window         = var.aks.maintenance_window
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  admin_group_object_ids     = var.aks.admin_group_object_ids
  node_subnet_id             = module.network.subnet_ids["aks-nodes"]
  route_table_id             = module.network.route_table_id
  private_dns_zone_id        = data.azurerm_private_dns_zone.hub["privatelink.${var.location}.azmk8s.io"].id
  pod_cidr                   = var.aks.pod_cidr
  service_cidr               = var.aks.service_cidr
  dns_service_ip             = var.aks.dns_service_ip
  disk_encryption_key        = module.keyvault.keys["aks-disk"]
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  acr_id                     = data.azurerm_container_registry.shared.id
  system_pool                = var.aks.system_pool
  cpu_pool                   = var.aks.cpu_pool
  gpu_pool                   = merge(var.gpu_pool, { subnet_id = module.network.subnet_ids["aks-gpu"] })
  tags                       = var.tags

  # Nodes need the peering and the default route in place before they join.
  depends_on = [module.network]
}

module "flux" {
  source = "../../modules/flux"

  cluster_id             = module.aks.id
  cluster_name           = local.name
  git_repository_url     = var.flux_git_repository_url
  ssh_private_key_base64 = var.flux_ssh_private_key_base64
}
