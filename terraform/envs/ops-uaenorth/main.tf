# ops-uaenorth: the shared pieces of the platform and the ops cluster.
#
#   hub network ──► firewall ──► ops spoke network ──► keyvault ──► acr
#        │                                │               │       └► state-storage
#        └── private DNS zones ───────────┴───────────────┴──────► aks ──► flux
#
# dev, stg and prd look the hub pieces up by name (see their main.tf), so this
# root is applied first and changes to modules/network or modules/firewall
# that touch the hub are planned here.

data "azurerm_client_config" "current" {}

locals {
  name = "${var.environment}-${var.location}"

  private_dns_zones = [
    "privatelink.${var.location}.azmk8s.io",
    "privatelink.vaultcore.azure.net",
    "privatelink.azurecr.io",
    "privatelink.blob.core.windows.net",
  ]

  spoke_address_spaces = [for spoke in values(var.spokes) : spoke.address_space]
  spoke_node_cidrs     = flatten([for spoke in values(var.spokes) : spoke.aks_node_cidrs])
  spoke_pe_cidrs       = [for spoke in values(var.spokes) : spoke.private_endpoint_cidr]
}

resource "azurerm_resource_group" "hub" {
  name     = "rg-hub-${local.name}"
  location = var.location
  tags     = var.tags
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

resource "azurerm_resource_group" "shared" {
  name     = "rg-shared-${local.name}"
  location = var.location
  tags     = var.tags
}

resource "azurerm_resource_group" "tfstate" {
  name     = "rg-tfstate-${local.name}"
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

module "hub_network" {
  source = "../../modules/network"
  providers = {
    azurerm     = azurerm
    azurerm.hub = azurerm
  }

  name                = "vnet-hub-${var.location}"
  role                = "hub"
  location            = var.location
  resource_group_name = azurerm_resource_group.hub.name
  address_space       = [var.hub.address_space]
  private_dns_zones   = local.private_dns_zones
  tags                = var.tags

  reserved_subnets = {
    AzureFirewallSubnet = [var.hub.firewall_subnet_cidr]
  }
}

module "firewall" {
  source = "../../modules/firewall"

  name                       = "afw-hub-${var.location}"
  location                   = var.location
  resource_group_name        = azurerm_resource_group.hub.name
  subnet_id                  = module.hub_network.subnet_ids["AzureFirewallSubnet"]
  sku_tier                   = var.hub.firewall_sku_tier
  zones                      = var.hub.firewall_zones
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  tags                       = var.tags

  aks_node_cidrs                = concat([var.network.aks_node_cidr], local.spoke_node_cidrs)
  shared_private_endpoint_cidrs = [var.network.private_endpoint_cidr]
  ops_cidrs                     = [var.network.address_space]
  spoke_management_cidrs        = concat(local.spoke_node_cidrs, local.spoke_pe_cidrs)
}

module "network" {
  source = "../../modules/network"
  providers = {
    azurerm     = azurerm
    azurerm.hub = azurerm
  }

  name                = "vnet-${local.name}"
  role                = "spoke"
  location            = var.location
  resource_group_name = azurerm_resource_group.network.name
  address_space       = [var.network.address_space]
  dns_servers         = [module.firewall.private_ip_address]
  firewall_private_ip = module.firewall.private_ip_address
  trusted_cidrs       = concat([var.hub.address_space], local.spoke_address_spaces)
  pod_cidrs           = [var.aks.pod_cidr]
  tags                = var.tags

  hub_virtual_network = {
    id                  = module.hub_network.virtual_network_id
    name                = module.hub_network.virtual_network_name
    resource_group_name = azurerm_resource_group.hub.name
  }

  subnets = {
    aks-nodes = {
      address_prefixes = [var.network.aks_node_cidr]
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
  private_dns_zone_id        = module.hub_network.private_dns_zone_ids["privatelink.vaultcore.azure.net"]
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  tags                       = var.tags

  crypto_officer_principal_ids = {
    terraform-runner = var.terraform_runner_principal_id
  }

  keys = {
    aks-disk    = {}
    acr-cmk     = {}
    tfstate-cmk = {}
  }
}

module "acr" {
  source = "../../modules/acr"

  name                       = var.acr_name
  location                   = var.location
  resource_group_name        = azurerm_resource_group.shared.name
  cmk                        = module.keyvault.keys["acr-cmk"]
  private_endpoint_subnet_id = module.network.subnet_ids["private-endpoints"]
  private_dns_zone_id        = module.hub_network.private_dns_zone_ids["privatelink.azurecr.io"]
  push_principal_ids         = var.acr_push_principal_ids
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  tags                       = var.tags
}

module "state_storage" {
  source = "../../modules/state-storage"

  name                       = var.state_storage_account_name
  location                   = var.location
  resource_group_name        = azurerm_resource_group.tfstate.name
  cmk                        = module.keyvault.keys["tfstate-cmk"]
  private_endpoint_subnet_id = module.network.subnet_ids["private-endpoints"]
  private_dns_zone_id        = module.hub_network.private_dns_zone_ids["privatelink.blob.core.windows.net"]
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  tags                       = var.tags

  containers = {
    for env, principal_id in var.terraform_runner_principal_ids : "tfstate-${env}" => {
      writer_principal_ids = { terraform-runner = principal_id }
    }
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
  private_dns_zone_id        = module.hub_network.private_dns_zone_ids["privatelink.${var.location}.azmk8s.io"]
  pod_cidr                   = var.aks.pod_cidr
  service_cidr               = var.aks.service_cidr
  dns_service_ip             = var.aks.dns_service_ip
  disk_encryption_key        = module.keyvault.keys["aks-disk"]
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  acr_id                     = module.acr.id
  system_pool                = var.aks.system_pool
  cpu_pool                   = var.aks.cpu_pool
  gpu_pool                   = null
  tags                       = var.tags

  # Nodes need the peering, the default route and the firewall rules
  # (egress, DNS proxy) in place before they can join.
  depends_on = [module.network, module.firewall]
}

module "flux" {
  source = "../../modules/flux"

  cluster_id             = module.aks.id
  cluster_name           = local.name
  git_repository_url     = var.flux_git_repository_url
  ssh_private_key_base64 = var.flux_ssh_private_key_base64
}
