locals {
  is_spoke = var.role == "spoke"

  # Ranges a node or private-endpoint subnet accepts traffic from (and sends
  # east-west traffic to): this VNet plus the explicitly trusted platform ranges.
  platform_cidrs = distinct(concat(var.address_space, var.trusted_cidrs))

  # Node subnets also exchange un-NATed pod-to-pod traffic (Azure CNI Overlay).
  node_peer_cidrs = distinct(concat(local.platform_cidrs, var.pod_cidrs))

  deny_all = [
    {
      name                         = "DenyAllInbound"
      priority                     = 4096
      direction                    = "Inbound"
      access                       = "Deny"
      protocol                     = "*"
      source_address_prefixes      = ["*"]
      destination_address_prefixes = ["*"]
      destination_port_ranges      = ["*"]
      description                  = "Default deny: anything not allowed above is dropped."
    },
    {
      name                         = "DenyAllOutbound"
      priority                     = 4096
      direction                    = "Outbound"
      access                       = "Deny"
      protocol                     = "*"
      source_address_prefixes      = ["*"]
      destination_address_prefixes = ["*"]
      destination_port_ranges      = ["*"]
      description                  = "Default deny: anything not allowed above is dropped."
    },
  ]

  profile_rules = {
    aks = [
      {
        name                         = "AllowPlatformInbound"
        priority                     = 100
        direction                    = "Inbound"
        access                       = "Allow"
        protocol                     = "*"
        source_address_prefixes      = local.node_peer_cidrs
        destination_address_prefixes = ["*"]
        destination_port_ranges      = ["*"]
        description                  = "Node-to-node and pod-to-pod, the private API server endpoint, and the trusted platform ranges (through the firewall)."
      },
      {
        name                         = "AllowAzureLoadBalancerInbound"
        priority                     = 110
        direction                    = "Inbound"
        access                       = "Allow"
        protocol                     = "*"
        source_address_prefixes      = ["AzureLoadBalancer"]
        destination_address_prefixes = ["*"]
        destination_port_ranges      = ["*"]
        description                  = "Health probes of the internal load balancers AKS creates."
      },
      {
        name                         = "AllowPlatformOutbound"
        priority                     = 100
        direction                    = "Outbound"
        access                       = "Allow"
        protocol                     = "*"
        source_address_prefixes      = ["*"]
        destination_address_prefixes = local.node_peer_cidrs
        destination_port_ranges      = ["*"]
        description                  = "East-west traffic to this VNet, the pod ranges and the trusted platform ranges (DNS to the firewall proxy included)."
      },
      {
        name                         = "AllowWebEgressViaFirewall"
        priority                     = 110
        direction                    = "Outbound"
        access                       = "Allow"
        protocol                     = "Tcp"
        source_address_prefixes      = ["*"]
        destination_address_prefixes = ["Internet"]
        destination_port_ranges      = ["80", "443"]
        description                  = "Routed to the firewall by the default route; the firewall allows only the AKS, monitoring and GitOps FQDNs."
      },
      {
        name                         = "AllowNtpEgressViaFirewall"
        priority                     = 120
        direction                    = "Outbound"
        access                       = "Allow"
        protocol                     = "Udp"
        source_address_prefixes      = ["*"]
        destination_address_prefixes = ["Internet"]
        destination_port_ranges      = ["123"]
        description                  = "Time sync; the firewall allows ntp.ubuntu.com only."
      },
      {
        name                         = "AllowGitSshEgressViaFirewall"
        priority                     = 130
        direction                    = "Outbound"
        access                       = "Allow"
        protocol                     = "Tcp"
        source_address_prefixes      = ["*"]
        destination_address_prefixes = ["Internet"]
        destination_port_ranges      = ["22"]
        description                  = "Flux source-controller cloning over SSH; the firewall allows the git host FQDNs only."
      },
    ]

    private-endpoints = [
      {
        name                         = "AllowHttpsFromPlatform"
        priority                     = 100
        direction                    = "Inbound"
        access                       = "Allow"
        protocol                     = "Tcp"
        source_address_prefixes      = local.platform_cidrs
        destination_address_prefixes = ["*"]
        destination_port_ranges      = ["443"]
        description                  = "Key Vault, ACR and blob private endpoints are reached over HTTPS only."
      },
    ]
  }

  nsg_rules = {
    for name, subnet in var.subnets : name => concat(
      local.profile_rules[subnet.profile],
      subnet.extra_nsg_rules,
      local.deny_all,
    )
  }
}

resource "azurerm_virtual_network" "this" {
  #checkov:skip=CKV_AZURE_183:Hub-spoke design: spokes resolve through the hub firewall's DNS proxy (outside the spoke) so that FQDN network rules and the central private DNS zones see the same answers; the hub itself uses Azure-provided DNS.
  #checkov:skip=CKV_AZURE_182:The single DNS address is the firewall's private IP, which fronts a zone-redundant firewall (three zones); a second, different resolver would bypass the firewall's FQDN filtering.
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  address_space       = var.address_space
  dns_servers         = var.dns_servers
  tags                = var.tags

  dynamic "ddos_protection_plan" {
    for_each = var.ddos_protection_plan_id == null ? [] : [var.ddos_protection_plan_id]
    content {
      id     = ddos_protection_plan.value
      enable = true
    }
  }
}

resource "azurerm_subnet" "this" {
  for_each = var.subnets

  name                 = each.key
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = each.value.address_prefixes
  service_endpoints    = each.value.service_endpoints

  # NSGs and route tables only apply to private endpoints when network
  # policies are enabled for them.
  private_endpoint_network_policies = each.value.profile == "private-endpoints" ? "Enabled" : "Disabled"

  # No implicit internet egress: everything leaves through the firewall.
  default_outbound_access_enabled = false
}

resource "azurerm_subnet" "reserved" {
  #checkov:skip=CKV2_AZURE_31:Only Azure-reserved subnets (AzureFirewallSubnet, GatewaySubnet, ...) go here, and Azure rejects an NSG on them; reserved_subnets' validation enforces the names.
  for_each = var.reserved_subnets

  name                 = each.key
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = each.value
}

resource "azurerm_network_security_group" "this" {
  for_each = var.subnets

  name                = "nsg-${var.name}-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags

  dynamic "security_rule" {
    for_each = local.nsg_rules[each.key]
    content {
      name              = security_rule.value.name
      priority          = security_rule.value.priority
      direction         = security_rule.value.direction
      access            = security_rule.value.access
      protocol          = security_rule.value.protocol
      source_port_range = "*"
      description       = security_rule.value.description

      # The plural arguments take IP ranges only; "*" and service tags
      # (Internet, AzureLoadBalancer) must go through the singular ones.
      source_address_prefix        = length(security_rule.value.source_address_prefixes) == 1 ? security_rule.value.source_address_prefixes[0] : null
      source_address_prefixes      = length(security_rule.value.source_address_prefixes) == 1 ? null : security_rule.value.source_address_prefixes
      destination_address_prefix   = length(security_rule.value.destination_address_prefixes) == 1 ? security_rule.value.destination_address_prefixes[0] : null
      destination_address_prefixes = length(security_rule.value.destination_address_prefixes) == 1 ? null : security_rule.value.destination_address_prefixes
      destination_port_range       = length(security_rule.value.destination_port_ranges) == 1 ? security_rule.value.destination_port_ranges[0] : null
      destination_port_ranges      = length(security_rule.value.destination_port_ranges) == 1 ? null : security_rule.value.destination_port_ranges
    }
  }
}

resource "azurerm_subnet_network_security_group_association" "this" {
  for_each = var.subnets

  subnet_id                 = azurerm_subnet.this[each.key].id
  network_security_group_id = azurerm_network_security_group.this[each.key].id
}

resource "azurerm_route_table" "this" {
  count = local.is_spoke ? 1 : 0

  name                          = "rt-${var.name}"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  bgp_route_propagation_enabled = false
  tags                          = var.tags

  route {
    name                   = "default-via-hub-firewall"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = var.firewall_private_ip
  }
}

resource "azurerm_subnet_route_table_association" "this" {
  for_each = local.is_spoke ? var.subnets : {}

  subnet_id      = azurerm_subnet.this[each.key].id
  route_table_id = azurerm_route_table.this[0].id
}

resource "azurerm_virtual_network_peering" "spoke_to_hub" {
  count = local.is_spoke ? 1 : 0

  name                         = "peer-${var.name}-to-hub"
  resource_group_name          = var.resource_group_name
  virtual_network_name         = azurerm_virtual_network.this.name
  remote_virtual_network_id    = var.hub_virtual_network.id
  allow_virtual_network_access = true
  allow_forwarded_traffic      = true
  allow_gateway_transit        = false
  use_remote_gateways          = false
}

resource "azurerm_virtual_network_peering" "hub_to_spoke" {
  count    = local.is_spoke ? 1 : 0
  provider = azurerm.hub

  name                         = "peer-hub-to-${var.name}"
  resource_group_name          = var.hub_virtual_network.resource_group_name
  virtual_network_name         = var.hub_virtual_network.name
  remote_virtual_network_id    = azurerm_virtual_network.this.id
  allow_virtual_network_access = true
  allow_forwarded_traffic      = true
  allow_gateway_transit        = false
  use_remote_gateways          = false
}

resource "azurerm_private_dns_zone" "this" {
  for_each = toset(var.private_dns_zones)

  name                = each.value
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "hub" {
  for_each = azurerm_private_dns_zone.this

  name                  = "link-${var.name}"
  resource_group_name   = var.resource_group_name
  private_dns_zone_name = each.value.name
  virtual_network_id    = azurerm_virtual_network.this.id
  registration_enabled  = false
  tags                  = var.tags
}
