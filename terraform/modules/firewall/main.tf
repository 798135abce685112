locals {
  is_premium = var.sku_tier == "Premium"
}

resource "azurerm_public_ip" "this" {
  name                = "pip-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = var.zones
  tags                = var.tags
}

resource "azurerm_firewall_policy" "this" {
  name                     = "afwp-${var.name}"
  location                 = var.location
  resource_group_name      = var.resource_group_name
  sku                      = var.sku_tier
  threat_intelligence_mode = "Deny"
  tags                     = var.tags

  dns {
    # Spokes use the firewall as their DNS server: FQDN network rules need
    # the proxy, and it resolves the hub-linked private DNS zones for them.
    proxy_enabled = true
    servers       = var.dns_servers
  }

  dynamic "intrusion_detection" {
    for_each = local.is_premium ? [1] : []
    content {
      mode = "Deny"
    }
  }
}

resource "azurerm_firewall" "this" {
  #checkov:skip=CKV_AZURE_216:Threat intelligence runs in Deny mode on the attached firewall policy (threat_intelligence_mode above); the firewall-level threat_intel_mode only applies to classic rules, which this firewall does not use.
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  sku_name            = "AZFW_VNet"
  sku_tier            = var.sku_tier
  firewall_policy_id  = azurerm_firewall_policy.this.id
  zones               = var.zones
  tags                = var.tags

  ip_configuration {
    name                 = "ipconfig"
    subnet_id            = var.subnet_id
    public_ip_address_id = azurerm_public_ip.this.id
  }
}

resource "azurerm_firewall_policy_rule_collection_group" "platform" {
  name               = "platform"
  firewall_policy_id = azurerm_firewall_policy.this.id
  priority           = 200

  network_rule_collection {
    name     = "east-west"
    priority = 100
    action   = "Allow"

    rule {
      name                  = "clusters-to-shared-private-endpoints"
      protocols             = ["TCP"]
      source_addresses      = var.aks_node_cidrs
      destination_addresses = var.shared_private_endpoint_cidrs
      destination_ports     = ["443"]
    }

    rule {
      name                  = "ops-to-spoke-api-servers-and-endpoints"
      protocols             = ["TCP"]
      source_addresses      = var.ops_cidrs
      destination_addresses = var.spoke_management_cidrs
      destination_ports     = ["443"]
    }
  }

  network_rule_collection {
    name     = "aks-egress-network"
    priority = 200
    action   = "Allow"

    rule {
      name              = "ntp"
      protocols         = ["UDP"]
      source_addresses  = var.aks_node_cidrs
      destination_fqdns = ["ntp.ubuntu.com"]
      destination_ports = ["123"]
    }

    rule {
      name                  = "azure-monitor"
      protocols             = ["TCP"]
      source_addresses      = var.aks_node_cidrs
      destination_addresses = ["AzureMonitor"]
      destination_ports     = ["443"]
    }

    rule {
      name              = "git-ssh"
      protocols         = ["TCP"]
      source_addresses  = var.aks_node_cidrs
      destination_fqdns = var.git_ssh_fqdns
      destination_ports = ["22"]
    }
  }

  application_rule_collection {
    name     = "aks-egress-application"
    priority = 300
    action   = "Allow"

    rule {
      name                  = "aks-required"
      source_addresses      = var.aks_node_cidrs
      destination_fqdn_tags = ["AzureKubernetesService"]

      protocols {
        type = "Https"
        port = 443
      }
    }

    rule {
      name             = "monitoring-and-defender"
      source_addresses = var.aks_node_cidrs
      destination_fqdns = [
        "dc.services.visualstudio.com",
        "*.ods.opinsights.azure.com",
        "*.oms.opinsights.azure.com",
        "*.monitoring.azure.com",
        "global.handler.control.monitor.azure.com",
        "${var.location}.handler.control.monitor.azure.com",
        "*.ingest.monitor.azure.com",
        "*.cloud.defender.microsoft.com",
      ]

      protocols {
        type = "Https"
        port = 443
      }
    }

    rule {
      name             = "azure-policy-addon"
      source_addresses = var.aks_node_cidrs
      destination_fqdns = [
        "data.policy.core.windows.net",
        "store.policy.core.windows.net",
      ]

      protocols {
        type = "Https"
        port = 443
      }
    }

    rule {
      name             = "gitops-extension"
      source_addresses = var.aks_node_cidrs
      destination_fqdns = [
        "${var.location}.dp.kubernetesconfiguration.azure.com",
        "mcr.microsoft.com",
        "*.data.mcr.microsoft.com",
      ]

      protocols {
        type = "Https"
        port = 443
      }
    }

    rule {
      name             = "ubuntu-security-updates"
      source_addresses = var.aks_node_cidrs
      destination_fqdns = [
        "security.ubuntu.com",
        "azure.archive.ubuntu.com",
        "changelogs.ubuntu.com",
      ]

      protocols {
        type = "Http"
        port = 80
      }
    }

    dynamic "rule" {
      for_each = length(var.extra_https_fqdns) > 0 ? [1] : []
      content {
        name              = "extra-https"
        source_addresses  = var.aks_node_cidrs
        destination_fqdns = var.extra_https_fqdns

        protocols {
          type = "Https"
          port = 443
        }
      }
    }
  }
}

resource "azurerm_monitor_diagnostic_setting" "firewall" {
  name                           = "to-log-analytics"
  target_resource_id             = azurerm_firewall.this.id
  log_analytics_workspace_id     = var.log_analytics_workspace_id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category_group = "allLogs"
  }
}
