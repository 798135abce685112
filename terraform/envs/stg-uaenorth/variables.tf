variable "subscription_id" {
  description = "Subscription of this environment. Placeholder values in terraform.tfvars must be replaced before the first apply."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.subscription_id))
    error_message = "subscription_id must be a lowercase GUID."
  }
}

variable "tenant_id" {
  description = "Entra ID tenant of the platform."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.tenant_id))
    error_message = "tenant_id must be a lowercase GUID."
  }
}

variable "environment" {
  description = "Environment short name, as bosun commands spell it (/plan stg)."
  type        = string

  validation {
    condition     = var.environment == "stg"
    error_message = "This root only deploys the stg environment."
  }
}

variable "location" {
  description = "Azure region of every resource."
  type        = string
  default     = "uaenorth"

  validation {
    condition     = var.location == "uaenorth"
    error_message = "location must be \"uaenorth\"."
  }
}

variable "tags" {
  description = "Tags every resource must carry: createdBy, environment, project, region, costCenter, owner. environment and region must match this root."
  type        = map(string)

  validation {
    condition = alltrue([
      for key in ["createdBy", "environment", "project", "region", "costCenter", "owner"] :
      trimspace(lookup(var.tags, key, "")) != ""
    ])
    error_message = "tags must contain non-empty values for all of: createdBy, environment, project, region, costCenter, owner."
  }

  validation {
    condition     = lookup(var.tags, "environment", "") == var.environment && lookup(var.tags, "region", "") == var.location
    error_message = "tags.environment must equal var.environment and tags.region must equal var.location."
  }

  validation {
    condition     = can(regex("^CC-[A-Z0-9-]+$", lookup(var.tags, "costCenter", "")))
    error_message = "tags.costCenter must look like CC-XXXX (finance cost center code)."
  }
}

variable "network" {
  description = "This environment's spoke VNet and its subnets. All ranges must sit inside address_space and must not overlap other environments (see terraform/README.md)."
  type = object({
    address_space         = string
    aks_node_cidr         = string
    aks_gpu_cidr          = optional(string)
    private_endpoint_cidr = string
  })

  validation {
    condition = alltrue([
      for cidr in compact([var.network.aks_node_cidr, var.network.aks_gpu_cidr, var.network.private_endpoint_cidr]) :
      can(cidrhost(cidr, 0)) && can(cidrhost(var.network.address_space, 0)) &&
      tonumber(split("/", cidr)[1]) >= tonumber(split("/", var.network.address_space)[1]) &&
      cidrhost("${cidrhost(cidr, 0)}/${split("/", var.network.address_space)[1]}", 0) == cidrhost(var.network.address_space, 0)
    ])
    error_message = "Every subnet CIDR must be valid and inside network.address_space."
  }

  validation {
    condition     = var.network.aks_gpu_cidr != null
    error_message = "Spokes host the H100 pool in their own subnet: set network.aks_gpu_cidr."
  }
}

variable "log_retention_days" {
  description = "Retention of the environment's Log Analytics workspace."
  type        = number

  validation {
    condition     = var.log_retention_days >= 30 && var.log_retention_days <= 730
    error_message = "log_retention_days must be between 30 and 730."
  }
}

variable "key_vault_name" {
  description = "Name of the environment's Key Vault (globally unique)."
  type        = string
}

variable "terraform_runner_principal_id" {
  description = "Object ID of the identity bosun's runner uses for this environment (OIDC, created at bootstrap). It gets Key Vault Crypto Officer to manage the customer-managed keys."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.terraform_runner_principal_id))
    error_message = "terraform_runner_principal_id must be a lowercase GUID."
  }
}

variable "aks" {
  description = "Cluster settings. Pool objects follow the aks module's system_pool and cpu_pool variables."
  type = object({
    kubernetes_version     = string
    admin_group_object_ids = list(string)
    pod_cidr               = string
    service_cidr           = string
    dns_service_ip         = string
    maintenance_window = object({
      day_of_week    = string
      start_time     = string
      duration_hours = number
    })
    system_pool = object({
      vm_size         = string
      min_count       = number
      max_count       = number
      zones           = list(string)
      os_disk_size_gb = optional(number, 128)
    })
    cpu_pool = object({
      vm_size         = string
      min_count       = number
      max_count       = number
      zones           = list(string)
      os_disk_size_gb = optional(number, 128)
    })
  })
}

variable "flux_git_repository_url" {
  description = "SSH URL of the repository holding flux-config/."
  type        = string
}

variable "flux_ssh_private_key_base64" {
  description = "Read-only deploy key for flux_git_repository_url, base64 PEM. Never put it in a tfvars file: bosun's runner sets TF_VAR_flux_ssh_private_key_base64 from Key Vault."
  type        = string
  sensitive   = true
}

variable "hub" {
  description = "Where the shared pieces live (created by envs/ops-uaenorth): the hub VNet, firewall and private DNS zones, and the shared container registry. Looked up by name through the azurerm.hub provider."
  type = object({
    subscription_id         = string
    resource_group_name     = string
    virtual_network_name    = string
    firewall_name           = string
    ops_address_space       = string
    acr_name                = string
    acr_resource_group_name = string
  })

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.hub.subscription_id)) && can(cidrhost(var.hub.ops_address_space, 0))
    error_message = "hub.subscription_id must be a lowercase GUID and hub.ops_address_space a CIDR block."
  }
}

variable "gpu_pool" {
  description = "H100 node pool (MIG partitioned, tainted nvidia.com/gpu). See the aks module's gpu_pool variable."
  type = object({
    vm_size         = string
    mig_profile     = string
    min_count       = number
    max_count       = number
    zones           = list(string)
    os_disk_size_gb = optional(number, 256)
  })
}
