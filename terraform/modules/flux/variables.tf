variable "cluster_id" {
  description = "ID of the AKS cluster the Flux extension is installed on."
  type        = string

  validation {
    condition     = can(regex("(?i)/providers/Microsoft\\.ContainerService/managedClusters/[^/]+$", var.cluster_id))
    error_message = "cluster_id must be an AKS managed cluster ID."
  }
}

variable "cluster_name" {
  description = "Cluster directory under flux-config/clusters/, e.g. dev-uaenorth. The root Kustomization reconciles ./flux-config/clusters/<cluster_name>."
  type        = string

  validation {
    condition     = contains(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth", "ops-uaenorth"], var.cluster_name)
    error_message = "cluster_name must be one of dev-uaenorth, stg-uaenorth, prd-uaenorth, ops-uaenorth."
  }
}

variable "git_repository_url" {
  description = "SSH URL of the repository holding flux-config/, e.g. ssh://git@github.com/<org>/<repo>.git."
  type        = string

  validation {
    condition     = can(regex("^ssh://git@[a-z0-9.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\\.git$", var.git_repository_url))
    error_message = "git_repository_url must look like ssh://git@github.com/<org>/<repo>.git."
  }
}

variable "git_branch" {
  description = "Branch Flux follows. bosun merges promotions there and waits for the Kustomization to be Ready at the merge commit."
  type        = string
  default     = "main"
}

variable "ssh_private_key_base64" {
  description = "Base64 of the PEM private key of a read-only deploy key on the repository. Supplied by the runner (TF_VAR_flux_ssh_private_key_base64, read from Key Vault), never committed; the extension stores it as a protected setting."
  type        = string
  sensitive   = true

  validation {
    condition     = can(base64decode(var.ssh_private_key_base64))
    error_message = "ssh_private_key_base64 must be base64."
  }
}

variable "ssh_known_hosts_base64" {
  description = "Base64 of known_hosts lines for the git host, or null to use the extension's built-in known hosts (GitHub, Azure DevOps)."
  type        = string
  default     = null
}

variable "sync_interval_seconds" {
  description = "How often Flux fetches the repository and re-applies the cluster Kustomization."
  type        = number
  default     = 120

  validation {
    condition     = var.sync_interval_seconds >= 30 && var.sync_interval_seconds <= 3600
    error_message = "sync_interval_seconds must be between 30 and 3600."
  }
}

variable "extension_release_train" {
  description = "Release train of the microsoft.flux extension (auto-upgraded within the train)."
  type        = string
  default     = "Stable"

  validation {
    condition     = contains(["Stable", "Preview"], var.extension_release_train)
    error_message = "extension_release_train must be Stable or Preview."
  }
}
