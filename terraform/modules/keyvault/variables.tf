variable "name" {
  description = "Key Vault name (globally unique, 3-24 characters), e.g. kv-dev-uaen-plat."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 3-24 characters of letters, digits and single hyphens, starting with a letter."
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

variable "tenant_id" {
  description = "Entra ID tenant of the vault."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.tenant_id))
    error_message = "tenant_id must be a lowercase GUID."
  }
}

variable "sku_name" {
  description = "premium is required for HSM-backed (RSA-HSM) keys."
  type        = string
  default     = "premium"

  validation {
    condition     = var.sku_name == "premium"
    error_message = "sku_name must be premium: customer-managed keys are HSM-backed."
  }
}

variable "soft_delete_retention_days" {
  description = "Days a deleted vault or key stays recoverable. Purge protection is always on."
  type        = number
  default     = 90

  validation {
    condition     = var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90
    error_message = "soft_delete_retention_days must be between 7 and 90."
  }
}

variable "private_endpoint_subnet_id" {
  description = "Subnet for the vault's private endpoint (public network access is disabled)."
  type        = string
}

variable "private_dns_zone_id" {
  description = "ID of the central privatelink.vaultcore.azure.net zone in the hub."
  type        = string

  validation {
    condition     = endswith(lower(var.private_dns_zone_id), "/privatednszones/privatelink.vaultcore.azure.net")
    error_message = "private_dns_zone_id must be the privatelink.vaultcore.azure.net zone."
  }
}

variable "crypto_officer_principal_ids" {
  description = "Object IDs granted Key Vault Crypto Officer (create keys, set rotation policies), keyed by a stable label, e.g. { terraform-runner = \"<object id>\" }. Static keys keep for_each plannable even when an ID is only known after apply."
  type        = map(string)

  validation {
    condition     = length(var.crypto_officer_principal_ids) > 0 && alltrue([for id in values(var.crypto_officer_principal_ids) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "crypto_officer_principal_ids must be a non-empty map of lowercase GUIDs."
  }
}

variable "keys" {
  description = <<-EOT
    Customer-managed keys to create, keyed by key name. Every key is an HSM-backed RSA key (RSA-HSM) and rotates automatically:
    a new version `rotate_after` its creation, every version expiring `expire_after` its creation (ISO 8601 durations).
    Consumers (disk encryption set, ACR, storage) must reference `versionless_id` so they follow rotations.
  EOT
  type = map(object({
    key_size             = optional(number, 4096)
    key_opts             = optional(list(string), ["wrapKey", "unwrapKey"])
    rotate_after         = optional(string, "P180D")
    expire_after         = optional(string, "P1Y")
    notify_before_expiry = optional(string, "P30D")
  }))

  validation {
    condition = alltrue([
      for name, key in var.keys :
      can(regex("^[a-zA-Z0-9-]{1,127}$", name)) &&
      contains([3072, 4096], key.key_size) &&
      can(regex("^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$", key.rotate_after)) &&
      can(regex("^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$", key.expire_after)) &&
      can(regex("^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$", key.notify_before_expiry))
    ])
    error_message = "Each key needs a valid name, a key_size of 3072 or 4096 bits and ISO 8601 durations (e.g. P180D, P1Y) for rotate_after, expire_after and notify_before_expiry."
  }
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace receiving the vault's audit logs."
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
