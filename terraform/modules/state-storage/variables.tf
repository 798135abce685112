variable "name" {
  description = "Storage account name (globally unique, 3-24 lowercase letters and digits), e.g. sttfstateopsuaen."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.name))
    error_message = "name must be 3-24 lowercase letters and digits."
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

variable "replication_type" {
  description = "Replication of the state account. GZRS keeps three zonal copies in UAE North and a copy in the paired region UAE Central, so state never leaves the UAE."
  type        = string
  default     = "GZRS"

  validation {
    condition     = contains(["GZRS", "RAGZRS", "ZRS", "GRS", "RAGRS"], var.replication_type)
    error_message = "replication_type must be one of GZRS, RAGZRS, ZRS, GRS, RAGRS (no LRS for state)."
  }
}

variable "cmk" {
  description = "Customer-managed key for the account: versionless_id (so storage follows automatic rotation) and resource_versionless_id (ARM ID, scope of the role assignment), as output by the keyvault module."
  type = object({
    versionless_id          = string
    resource_versionless_id = string
  })
}

variable "containers" {
  description = "State containers keyed by name (one per environment, e.g. tfstate-dev), each with the object IDs allowed to read and write it (Storage Blob Data Contributor on that container only), keyed by a stable label."
  type = map(object({
    writer_principal_ids = map(string)
  }))

  validation {
    condition     = alltrue([for name, _ in var.containers : can(regex("^[a-z0-9](-?[a-z0-9]){2,62}$", name))])
    error_message = "Container names must be 3-63 lowercase letters, digits and single hyphens."
  }
}

variable "soft_delete_retention_days" {
  description = "Days deleted blobs and containers stay recoverable. Point-in-time restore covers one day less."
  type        = number
  default     = 30

  validation {
    condition     = var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 365
    error_message = "soft_delete_retention_days must be between 7 and 365."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days previous state versions are kept before lifecycle management deletes them."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 30
    error_message = "Keep previous state versions at least 30 days."
  }
}

variable "private_endpoint_subnet_id" {
  description = "Subnet for the blob private endpoint (public network access is disabled)."
  type        = string
}

variable "private_dns_zone_id" {
  description = "ID of the central privatelink.blob.core.windows.net zone."
  type        = string

  validation {
    condition     = endswith(lower(var.private_dns_zone_id), "/privatednszones/privatelink.blob.core.windows.net")
    error_message = "private_dns_zone_id must be the privatelink.blob.core.windows.net zone."
  }
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace receiving blob read/write/delete logs."
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
