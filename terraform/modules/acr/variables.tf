variable "name" {
  description = "Registry name (globally unique, 5-50 alphanumerics), e.g. acrplatformuaen."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9]{5,50}$", var.name))
    error_message = "name must be 5-50 letters and digits."
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

variable "zone_redundancy_enabled" {
  description = "Spread the registry across the region's availability zones."
  type        = bool
  default     = true
}

variable "untagged_manifest_retention_days" {
  description = "Days untagged manifests are kept before ACR deletes them (0-365)."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_manifest_retention_days >= 0 && var.untagged_manifest_retention_days <= 365
    error_message = "untagged_manifest_retention_days must be between 0 and 365."
  }
}

variable "cmk" {
  description = "Customer-managed key encrypting the registry: versionless_id (data-plane URL without version, so ACR follows automatic rotation) and resource_versionless_id (ARM ID, scope of the role assignment), as output by the keyvault module."
  type = object({
    versionless_id          = string
    resource_versionless_id = string
  })
}

variable "private_endpoint_subnet_id" {
  description = "Subnet for the registry's private endpoint (public network access is disabled)."
  type        = string
}

variable "private_dns_zone_id" {
  description = "ID of the central privatelink.azurecr.io zone (serves both the registry and its regional data endpoint)."
  type        = string

  validation {
    condition     = endswith(lower(var.private_dns_zone_id), "/privatednszones/privatelink.azurecr.io")
    error_message = "private_dns_zone_id must be the privatelink.azurecr.io zone."
  }
}

variable "push_principal_ids" {
  description = "Object IDs allowed to push (AcrPush), keyed by a stable label, e.g. { image-builder = \"<object id>\" }. Clusters get AcrPull from the aks module."
  type        = map(string)
  default     = {}
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace receiving the registry's logs."
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
