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
  description = "Environment short name, as bosun commands spell it (/plan ops)."
  type        = string

  validation {
    condition     = var.environment == "ops"
    error_message = "This root only deploys the ops environment."
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
  description = "The hub VNet (firewall and central private DNS zones) this root owns for the whole platform."
  type = object({
    address_space        = string
    firewall_subnet_cidr = string
    firewall_sku_tier    = optional(string, "Premium")
    firewall_zones       = optional(list(string), ["1", "2", "3"])
  })

  validation {
    condition = (
      can(cidrhost(var.hub.address_space, 0)) && can(cidrhost(var.hub.firewall_subnet_cidr, 0)) &&
      tonumber(split("/", var.hub.firewall_subnet_cidr)[1]) <= 26 &&
      cidrhost("${cidrhost(var.hub.firewall_subnet_cidr, 0)}/${split("/", var.hub.address_space)[1]}", 0) == cidrhost(var.hub.address_space, 0)
    )
    error_message = "hub.firewall_subnet_cidr must be at least a /26 inside hub.address_space."
  }
}

variable "spokes" {
  description = "The other environments' spokes, keyed by environment. The firewall and the ops NSGs are built from these ranges, so adding an environment starts here. Must match network in each envs/<env>-uaenorth/terraform.tfvars."
  type = map(object({
    address_space         = string
    aks_node_cidrs        = list(string)
    private_endpoint_cidr = string
  }))

  validation {
    condition = alltrue([
      for env, spoke in var.spokes :
      contains(["dev", "stg", "prd"], env) &&
      alltrue([for cidr in concat([spoke.address_space, spoke.private_endpoint_cidr], spoke.aks_node_cidrs) : can(cidrhost(cidr, 0))])
    ])
    error_message = "spokes keys must be dev, stg or prd, and every range a CIDR block."
  }
}

variable "terraform_runner_principal_ids" {
  description = "Object IDs of bosun's runner identity per environment (created at bootstrap). Each gets Storage Blob Data Contributor on its own state container, tfstate-<env>, and nothing else in the state account."
  type        = map(string)

  validation {
    condition = (
      alltrue([for env in ["ops", "dev", "stg", "prd"] : contains(keys(var.terraform_runner_principal_ids), env)]) &&
      alltrue([for id in values(var.terraform_runner_principal_ids) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    )
    error_message = "terraform_runner_principal_ids needs lowercase GUIDs for ops, dev, stg and prd."
  }
}

variable "acr_name" {
  description = "Name of the shared container registry (globally unique). All clusters pull from it; promotion moves digests, not registries."
  type        = string
}

variable "acr_push_principal_ids" {
  description = "Identities allowed to push images (AcrPush), keyed by a label."
  type        = map(string)
  default     = {}
}

variable "state_storage_account_name" {
  description = "Name of the Terraform state account (globally unique). Must match storage_account_name in every backend.tf."
  type        = string
}
