variable "name" {
  description = "Cluster name, e.g. aks-dev-uaenorth. Also the DNS prefix and the prefix of the identities and disk encryption set."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,52}[a-z0-9]$", var.name))
    error_message = "name must be 3-54 lowercase letters, digits or '-', starting and ending with a letter or digit."
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

variable "kubernetes_version" {
  description = "Kubernetes minor version alias (e.g. \"1.33\"). Patches arrive through automatic_upgrade_channel = \"patch\"; minor upgrades are a reviewed change to this value."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor alias such as \"1.33\"."
  }
}

variable "sku_tier" {
  description = "AKS control plane tier. Standard carries the uptime SLA (and is needed for cost analysis)."
  type        = string
  default     = "Standard"

  validation {
    condition     = contains(["Standard", "Premium"], var.sku_tier)
    error_message = "sku_tier must be Standard or Premium: the Free tier has no SLA."
  }
}

variable "automatic_upgrade_channel" {
  description = "Cluster auto-upgrade channel."
  type        = string
  default     = "patch"

  validation {
    condition     = contains(["patch", "stable", "rapid", "node-image"], var.automatic_upgrade_channel)
    error_message = "automatic_upgrade_channel must be patch, stable, rapid or node-image."
  }
}

variable "node_os_upgrade_channel" {
  description = "Node OS upgrade channel."
  type        = string
  default     = "NodeImage"

  validation {
    condition     = contains(["NodeImage", "SecurityPatch"], var.node_os_upgrade_channel)
    error_message = "node_os_upgrade_channel must be NodeImage or SecurityPatch."
  }
}

variable "maintenance_window" {
  description = "Weekly window (UAE time, UTC+4) in which AKS may upgrade the control plane and node images."
  type = object({
    day_of_week    = optional(string, "Saturday")
    start_time     = optional(string, "02:00")
    duration_hours = optional(number, 4)
  })
  default = {}

  validation {
    condition = (
      contains(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], var.maintenance_window.day_of_week) &&
      can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window.start_time)) &&
      var.maintenance_window.duration_hours >= 4 && var.maintenance_window.duration_hours <= 24
    )
    error_message = "maintenance_window needs a weekday name, a HH:mm start_time and a duration of 4-24 hours."
  }
}

variable "tenant_id" {
  description = "Entra ID tenant for Kubernetes authentication (local accounts are disabled)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.tenant_id))
    error_message = "tenant_id must be a lowercase GUID."
  }
}

variable "admin_group_object_ids" {
  description = "Entra ID groups with cluster-admin. Everyone else gets access through Azure RBAC role assignments."
  type        = list(string)

  validation {
    condition     = length(var.admin_group_object_ids) > 0 && alltrue([for id in var.admin_group_object_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "admin_group_object_ids must be a non-empty list of lowercase GUIDs."
  }
}

variable "node_subnet_id" {
  description = "Subnet of the system and CPU pools (and of the private API server endpoint). Its route table must send 0.0.0.0/0 to the firewall."
  type        = string
}

variable "route_table_id" {
  description = "Route table attached to the node subnets (outbound type userDefinedRouting). The control plane identity gets Network Contributor on it."
  type        = string
}

variable "private_dns_zone_id" {
  description = "ID of the central privatelink.uaenorth.azmk8s.io zone in the hub, where AKS registers the private API server name."
  type        = string

  validation {
    condition     = endswith(lower(var.private_dns_zone_id), "/privatednszones/privatelink.uaenorth.azmk8s.io")
    error_message = "private_dns_zone_id must be the privatelink.uaenorth.azmk8s.io zone."
  }
}

variable "pod_cidr" {
  description = "Azure CNI Overlay pod range. Not routable outside the cluster, but kept unique per cluster (see README)."
  type        = string

  validation {
    condition     = can(cidrhost(var.pod_cidr, 0))
    error_message = "pod_cidr must be a CIDR block."
  }
}

variable "service_cidr" {
  description = "Kubernetes service range (smaller than /12)."
  type        = string

  validation {
    condition     = can(cidrhost(var.service_cidr, 0)) && tonumber(split("/", var.service_cidr)[1]) > 12
    error_message = "service_cidr must be a CIDR block smaller than /12."
  }
}

variable "dns_service_ip" {
  description = "kube-dns service IP; by convention the 10th address of service_cidr."
  type        = string

  validation {
    condition     = can(cidrhost(var.service_cidr, 10)) && var.dns_service_ip == cidrhost(var.service_cidr, 10)
    error_message = "dns_service_ip must be the 10th address of service_cidr (e.g. 172.24.16.10 for 172.24.16.0/20)."
  }
}

variable "disk_encryption_key" {
  description = "Customer-managed key for OS and data disks (through a disk encryption set that follows rotation): versionless_id and resource_versionless_id as output by the keyvault module."
  type = object({
    versionless_id          = string
    resource_versionless_id = string
  })
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace for Container Insights and Microsoft Defender for Containers."
  type        = string
}

variable "acr_id" {
  description = "Container registry the kubelet identity may pull from (AcrPull), or null."
  type        = string
  default     = null
}

variable "run_command_enabled" {
  description = "Allow `az aks command invoke`. Off: changes reach the cluster only through Flux."
  type        = bool
  default     = false
}

variable "system_pool" {
  description = "System node pool (tainted CriticalAddonsOnly, ephemeral OS disks, Azure Linux)."
  type = object({
    vm_size         = optional(string, "Standard_D4ds_v5")
    min_count       = optional(number, 2)
    max_count       = optional(number, 3)
    zones           = optional(list(string), ["1", "2", "3"])
    os_disk_size_gb = optional(number, 128)
  })
  default = {}

  validation {
    condition = (
      var.system_pool.min_count >= 1 && var.system_pool.min_count <= var.system_pool.max_count &&
      alltrue([for zone in var.system_pool.zones : contains(["1", "2", "3"], zone)])
    )
    error_message = "system_pool needs 1 <= min_count <= max_count and zones among 1, 2, 3."
  }
}

variable "cpu_pool" {
  description = "General-purpose user node pool (ephemeral OS disks, Azure Linux)."
  type = object({
    vm_size         = optional(string, "Standard_D8ds_v5")
    min_count       = optional(number, 1)
    max_count       = optional(number, 5)
    zones           = optional(list(string), ["1", "2", "3"])
    os_disk_size_gb = optional(number, 128)
    node_labels     = optional(map(string), {})
  })
  default = {}

  validation {
    condition = (
      var.cpu_pool.min_count >= 0 && var.cpu_pool.min_count <= var.cpu_pool.max_count &&
      alltrue([for zone in var.cpu_pool.zones : contains(["1", "2", "3"], zone)])
    )
    error_message = "cpu_pool needs 0 <= min_count <= max_count and zones among 1, 2, 3."
  }
}

variable "gpu_pool" {
  description = <<-EOT
    NVIDIA H100 user node pool in its own subnet (`subnet_id`, routed through the firewall like the node subnet),
    or null for a cluster without GPUs (ops).
    `mig_profile` partitions every GPU with Multi-Instance GPU (MIG1g = seven 1g slices per H100, MIG2g = three,
    MIG3g = two, MIG4g/MIG7g = one). Nodes carry the taint nvidia.com/gpu=present:NoSchedule, so only pods that
    tolerate nvidia.com/gpu land there. min_count may be 0: the autoscaler adds GPU nodes when GPU pods are pending.
  EOT
  type = object({
    subnet_id       = string
    vm_size         = optional(string, "Standard_NC40ads_H100_v5")
    mig_profile     = optional(string, "MIG3g")
    min_count       = optional(number, 0)
    max_count       = optional(number, 2)
    zones           = optional(list(string), ["1", "2", "3"])
    os_disk_size_gb = optional(number, 256)
  })
  default = null

  validation {
    condition = var.gpu_pool == null ? true : (
      strcontains(var.gpu_pool.vm_size, "H100") &&
      contains(["MIG1g", "MIG2g", "MIG3g", "MIG4g", "MIG7g"], var.gpu_pool.mig_profile) &&
      var.gpu_pool.min_count >= 0 && var.gpu_pool.min_count <= var.gpu_pool.max_count &&
      alltrue([for zone in var.gpu_pool.zones : contains(["1", "2", "3"], zone)])
    )
    error_message = "gpu_pool needs an H100 vm_size, mig_profile among MIG1g, MIG2g, MIG3g, MIG4g, MIG7g, 0 <= min_count <= max_count and zones among 1, 2, 3."
  }
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
