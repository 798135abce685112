variable "name" {
  description = "Virtual network name, e.g. vnet-dev-uaenorth. Also the prefix of NSG and route table names."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$", var.name))
    error_message = "name must be 3-64 lowercase letters, digits or '-', starting and ending with a letter or digit."
  }
}

variable "role" {
  description = "\"hub\" (shared VNet with the firewall subnet and the central private DNS zones, lives in ops) or \"spoke\" (one per cluster, peered to the hub, default route to the firewall)."
  type        = string

  validation {
    condition     = contains(["hub", "spoke"], var.role)
    error_message = "role must be \"hub\" or \"spoke\"."
  }
}

variable "location" {
  description = "Azure region. The platform runs in UAE North only."
  type        = string
  default     = "uaenorth"

  validation {
    condition     = var.location == "uaenorth"
    error_message = "location must be \"uaenorth\"."
  }
}

variable "resource_group_name" {
  description = "Name of the existing resource group the resources go into."
  type        = string

  validation {
    condition     = can(regex("^[-\\w.()]{1,89}[-\\w()]$", var.resource_group_name))
    error_message = "resource_group_name must be a valid Azure resource group name (1-90 characters, no trailing period)."
  }
}

variable "address_space" {
  description = "Address space of the VNet. Must not overlap with any other VNet of the platform (see terraform/README.md for the plan)."
  type        = list(string)

  validation {
    condition     = length(var.address_space) > 0 && alltrue([for cidr in var.address_space : can(cidrhost(cidr, 0))])
    error_message = "address_space must be a non-empty list of valid CIDR blocks."
  }
}

variable "dns_servers" {
  description = "Custom DNS servers for the VNet. Spokes use the firewall's private IP (DNS proxy), so that FQDN network rules and the central private DNS zones resolve consistently. Empty means Azure DNS (used by the hub)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for ip in var.dns_servers : can(cidrhost("${ip}/32", 0))])
    error_message = "dns_servers must be IPv4 addresses."
  }
}

variable "subnets" {
  description = <<-EOT
    Workload subnets keyed by subnet name. Each gets its own NSG, and in a spoke the route table whose default
    route points at the firewall (nothing leaves a spoke except through the firewall). `profile` selects the
    built-in NSG rule set:
    - "aks": node subnets. Inbound only from this VNet, the trusted CIDRs, the cluster pod ranges and the Azure load
      balancer; outbound to those ranges, and web/NTP/git-ssh egress that the firewall then filters by FQDN.
    - "private-endpoints": inbound TCP 443 from this VNet and the trusted CIDRs, nothing outbound.
    Every NSG ends with explicit deny-all rules (priority 4096) in both directions. `extra_nsg_rules` are added
    before them (priorities 200-4000).
  EOT
  type = map(object({
    address_prefixes  = list(string)
    profile           = optional(string, "aks")
    service_endpoints = optional(list(string), [])
    extra_nsg_rules = optional(list(object({
      name                         = string
      priority                     = number
      direction                    = string
      access                       = string
      protocol                     = string
      source_address_prefixes      = list(string) # CIDRs, or one service tag / "*"
      destination_address_prefixes = list(string) # CIDRs, or one service tag / "*"
      destination_port_ranges      = list(string) # ports/ranges, or ["*"]
      description                  = optional(string, "")
    })), [])
  }))
  default = {}

  validation {
    condition = alltrue([
      for name, subnet in var.subnets :
      contains(["aks", "private-endpoints"], subnet.profile) &&
      length(subnet.address_prefixes) > 0 &&
      alltrue([for cidr in subnet.address_prefixes : can(cidrhost(cidr, 0))])
    ])
    error_message = "Each subnet needs valid CIDR address_prefixes and a profile of \"aks\" or \"private-endpoints\"."
  }

  validation {
    condition     = length(setintersection(keys(var.subnets), ["AzureFirewallSubnet", "AzureFirewallManagementSubnet", "GatewaySubnet", "RouteServerSubnet", "AzureBastionSubnet"])) == 0
    error_message = "Azure-reserved subnet names belong in reserved_subnets."
  }

  validation {
    condition = alltrue(flatten([
      for name, subnet in var.subnets : [
        for rule in subnet.extra_nsg_rules :
        rule.priority >= 200 && rule.priority <= 4000 &&
        contains(["Inbound", "Outbound"], rule.direction) &&
        contains(["Allow", "Deny"], rule.access) &&
        contains(["Tcp", "Udp", "Icmp", "*"], rule.protocol) &&
        (rule.access == "Deny" || length(setintersection(rule.source_address_prefixes, ["*", "Internet", "0.0.0.0/0", "Any"])) == 0)
      ]
    ]))
    error_message = "extra_nsg_rules need a priority between 200 and 4000, a valid direction/access/protocol, and Allow rules may not use '*', 'Any', 'Internet' or 0.0.0.0/0 as source."
  }
}

variable "reserved_subnets" {
  description = "Azure-reserved subnets (name => address prefixes), on which Azure forbids an NSG or a custom route table: AzureFirewallSubnet (at least /26), AzureFirewallManagementSubnet, GatewaySubnet, RouteServerSubnet."
  type        = map(list(string))
  default     = {}

  validation {
    condition = alltrue([
      for name, prefixes in var.reserved_subnets :
      contains(["AzureFirewallSubnet", "AzureFirewallManagementSubnet", "GatewaySubnet", "RouteServerSubnet"], name) &&
      length(prefixes) > 0 && alltrue([for cidr in prefixes : can(cidrhost(cidr, 0))])
    ])
    error_message = "reserved_subnets keys must be AzureFirewallSubnet, AzureFirewallManagementSubnet, GatewaySubnet or RouteServerSubnet, with valid CIDR prefixes."
  }
}

variable "trusted_cidrs" {
  description = "Other platform ranges allowed to talk to this VNet's node and private-endpoint subnets (the hub, and the ops spoke for spokes; the hub and every spoke for the ops spoke). Explicit CIDRs are used instead of the VirtualNetwork service tag, because a 0.0.0.0/0 user-defined route widens that tag to everything."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.trusted_cidrs : can(cidrhost(cidr, 0))])
    error_message = "trusted_cidrs must be valid CIDR blocks."
  }
}

variable "pod_cidrs" {
  description = "Azure CNI Overlay pod ranges of the clusters whose nodes sit in this VNet. Pod-to-pod traffic between nodes is routed without encapsulation or NAT, so the node subnets' NSGs must allow these ranges (traffic leaving the cluster is NATed to node IPs and needs nothing here)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.pod_cidrs : can(cidrhost(cidr, 0))])
    error_message = "pod_cidrs must be CIDR blocks."
  }
}

variable "firewall_private_ip" {
  description = "Private IP of the hub firewall, the next hop of the spoke's default route. Required for spokes, ignored for the hub."
  type        = string
  default     = null

  validation {
    condition     = var.role == "hub" || (var.firewall_private_ip != null && can(cidrhost("${coalesce(var.firewall_private_ip, "invalid")}/32", 0)))
    error_message = "firewall_private_ip must be an IPv4 address when role is \"spoke\"."
  }
}

variable "hub_virtual_network" {
  description = "The hub VNet a spoke peers with (both directions; the hub side is created through the azurerm.hub provider). Required for spokes, must be null for the hub."
  type = object({
    id                  = string
    name                = string
    resource_group_name = string
  })
  default = null

  validation {
    condition     = (var.role == "spoke") == (var.hub_virtual_network != null)
    error_message = "hub_virtual_network must be set for a spoke and null for the hub."
  }
}

variable "private_dns_zones" {
  description = "Private DNS zones the hub hosts for the whole platform (privatelink.*). They are linked to the hub VNet only: spokes resolve through the firewall's DNS proxy. Must be empty for spokes."
  type        = list(string)
  default     = []

  validation {
    condition     = var.role == "hub" || length(var.private_dns_zones) == 0
    error_message = "Only the hub hosts private DNS zones."
  }
}

variable "ddos_protection_plan_id" {
  description = "ID of an existing DDoS Network Protection plan to attach, or null. The platform exposes no public ingress, so prd only."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags put on every taggable resource. Must carry non-empty createdBy, environment, project, region, costCenter and owner."
  type        = map(string)

  validation {
    condition = alltrue([
      for key in ["createdBy", "environment", "project", "region", "costCenter", "owner"] :
      trimspace(lookup(var.tags, key, "")) != ""
    ])
    error_message = "tags must contain non-empty values for all of: createdBy, environment, project, region, costCenter, owner."
  }
}
