variable "name" {
  description = "Firewall name, e.g. afw-hub-uaenorth. The policy and public IP derive their names from it."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,54}[a-z0-9]$", var.name))
    error_message = "name must be 3-56 lowercase letters, digits or '-'."
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

variable "subnet_id" {
  description = "ID of the hub's AzureFirewallSubnet (at least /26)."
  type        = string

  validation {
    condition     = endswith(var.subnet_id, "/subnets/AzureFirewallSubnet")
    error_message = "subnet_id must point at a subnet named AzureFirewallSubnet."
  }
}

variable "sku_tier" {
  description = "Firewall SKU tier. Premium brings IDPS, which runs in Deny mode."
  type        = string
  default     = "Premium"

  validation {
    condition     = contains(["Standard", "Premium"], var.sku_tier)
    error_message = "sku_tier must be Standard or Premium (Basic lacks DNS proxy and threat-intel deny)."
  }
}

variable "zones" {
  description = "Availability zones of the firewall and its public IP."
  type        = list(string)
  default     = ["1", "2", "3"]

  validation {
    condition     = alltrue([for zone in var.zones : contains(["1", "2", "3"], zone)])
    error_message = "zones may only contain \"1\", \"2\" and \"3\"."
  }
}

variable "dns_servers" {
  description = "Upstream DNS servers of the firewall's DNS proxy. Empty means Azure DNS, which resolves the private DNS zones linked to the hub."
  type        = list(string)
  default     = []
}

variable "aks_node_cidrs" {
  description = "Node subnet ranges of every AKS cluster (all spokes, ops included): the sources allowed to egress to the AKS, monitoring and GitOps FQDNs."
  type        = list(string)

  validation {
    condition     = length(var.aks_node_cidrs) > 0 && alltrue([for cidr in var.aks_node_cidrs : can(cidrhost(cidr, 0))])
    error_message = "aks_node_cidrs must be a non-empty list of CIDR blocks."
  }
}

variable "shared_private_endpoint_cidrs" {
  description = "Private-endpoint subnets of shared services in ops (ACR, state storage) that every cluster may reach on TCP 443."
  type        = list(string)

  validation {
    condition     = alltrue([for cidr in var.shared_private_endpoint_cidrs : can(cidrhost(cidr, 0))])
    error_message = "shared_private_endpoint_cidrs must be CIDR blocks."
  }
}

variable "ops_cidrs" {
  description = "Ranges of the ops spoke (where bosun and the Terraform runner live)."
  type        = list(string)

  validation {
    condition     = alltrue([for cidr in var.ops_cidrs : can(cidrhost(cidr, 0))])
    error_message = "ops_cidrs must be CIDR blocks."
  }
}

variable "spoke_management_cidrs" {
  description = "Ranges in dev/stg/prd that ops may reach on TCP 443: node subnets (private API server endpoints) and private-endpoint subnets (Key Vault data plane for Terraform)."
  type        = list(string)

  validation {
    condition     = alltrue([for cidr in var.spoke_management_cidrs : can(cidrhost(cidr, 0))])
    error_message = "spoke_management_cidrs must be CIDR blocks."
  }
}

variable "git_ssh_fqdns" {
  description = "Git hosts Flux clones from over SSH (TCP 22)."
  type        = list(string)
  default     = ["github.com"]
}

variable "extra_https_fqdns" {
  description = "Additional FQDNs the clusters may reach over HTTPS (e.g. container registries of the GPU stack)."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.extra_https_fqdns, "*")
    error_message = "extra_https_fqdns may not contain a bare \"*\"."
  }
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace receiving the firewall's logs (resource-specific tables)."
  type        = string
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
